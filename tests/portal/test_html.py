"""portal.html makes what django.utils.html makes, faster."""

import pytest
from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

from portal import html

VALUES = [
    '<script>alert("x")</script>',
    "O'Brien & 张三",
    mark_safe("<b>safe</b>"),
    lazy(lambda: "<i>lazy</i>", str)(),
    lazy(lambda: mark_safe("<i>lazy and safe</i>"), str)(),
    12,
    None,
    3.5,
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_format_html_escapes_as_django_does(value):
    made = html.format_html('<td data-label="{}">{}</td>', value, value)
    assert made == django_html.format_html('<td data-label="{}">{}</td>', value, value)
    assert isinstance(made, SafeString)


def test_format_html_join_escapes_as_django_does():
    rows = [(v, i) for i, v in enumerate(VALUES)]
    made = html.format_html_join("\n", "<li>{}: {}</li>", rows)
    assert made == django_html.format_html_join("\n", "<li>{}: {}</li>", rows)
    assert isinstance(made, SafeString)
    assert html.format_html_join("<br>", "{}", [("a",), ("b",)]) == "a&lt;br&gt;b"
