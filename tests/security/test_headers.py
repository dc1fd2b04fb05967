"""Security headers on every page: CSP without inline script, no framing, nosniff,
referrer policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_a_strict_csp(client, cadre_user, path):
    client.force_login(cadre_user)
    csp = policy(client.get(path))
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["default-src"] == ["'self'"]


def test_pages_carry_nosniff_referrer_policy_and_no_framing(client):
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


INLINE = re.compile(r"<style|\sstyle\s*=|\son[a-z]+\s*=|<script(?![^>]*\bsrc=)", re.IGNORECASE)


def test_no_template_carries_inline_script_or_style():
    """What the policy would block must not be in our templates in the first place."""
    root = Path(__file__).resolve().parents[2]
    templates = [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]
    assert len(templates) > 20
    assert [str(t) for t in templates if INLINE.search(t.read_text())] == []


@pytest.mark.parametrize(
    "html", ['<p style="x">', "<style>", '<a onclick="x">', "<script>x</script>"]
)
def test_the_inline_pattern_finds_what_it_should(html):
    assert INLINE.search(html)


def test_the_inline_pattern_lets_external_script_pass():
    assert not INLINE.search('<script src="/static/js/a.js"></script><p class="once">')
