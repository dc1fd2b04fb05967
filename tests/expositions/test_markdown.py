import pytest

from expositions.markdown import render_markdown


def test_renders_markdown():
    html = render_markdown("Some **bold** text.\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    ("payload", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ("[x](JaVaScRiPt:alert(1))", "avascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data:"),
        ("<svg onload=alert(1)><circle/></svg>", "onload"),
        ("<svg onload=alert(1)><circle/></svg>", "<svg"),
        ('<iframe src="https://example.com"></iframe>', "<iframe"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
        ('<div style="background-image: url(x)">x</div>', "url("),
        ("<object data=x></object>", "<object"),
        ('<form action="/x"><input name=a></form>', "<form"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_sanitises_payloads(payload, forbidden):
    html = render_markdown(payload).lower()
    assert forbidden.lower() not in html


def test_keeps_safe_links_with_rel():
    html = render_markdown("[policy](https://www.mca.gov.cn/)")
    assert 'href="https://www.mca.gov.cn/"' in html
    assert 'rel="noopener noreferrer"' in html


def test_empty_body_renders_empty():
    assert render_markdown("") == ""
