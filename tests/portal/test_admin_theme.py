"""The admin wears the portal's red, not Django's blue, and every text colour it sets
meets WCAG AA (4.5:1) on its background, light and dark (issue #31, item 12)."""

import re
from pathlib import Path

import django
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_CSS = (ROOT / "static/css/admin.css").read_text()
PORTAL_CSS = (ROOT / "static/css/portal.css").read_text()
DJANGO_CSS = Path(django.__file__).parent / "contrib/admin/static/admin/css"


def _block(css, selector):
    """The custom properties of the first rule for ``selector``."""
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", match.group(1))) if match else {}


def _django(name):
    return (DJANGO_CSS / name).read_text()


def _theme(dark):
    """The admin's variables as the browser ends up with them: Django's, then ours."""
    values = _block(_django("base.css"), ":root")
    if dark:
        values |= _block(_django("dark_mode.css"), 'html[data-theme="dark"]')
    values |= _block(ADMIN_CSS, ":root")
    if dark:
        values |= _block(ADMIN_CSS, 'html[data-theme="dark"]')
    return values


def _colour(values, name):
    value = values[name].split("/*")[0].strip()
    while value.startswith("var("):
        value = values[value[4:-1].strip()].split("/*")[0].strip()
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(rgb):
    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# (text, background) pairs the admin's stylesheets use.
PAIRS = [
    ("--header-link-color", "--header-bg"),
    ("--header-branding-color", "--header-bg"),
    ("--header-color", "--header-bg"),
    ("--header-link-color", "--primary"),  # module headings and table captions
    ("--breadcrumbs-fg", "--breadcrumbs-bg"),
    ("--breadcrumbs-link-fg", "--breadcrumbs-bg"),
    ("--link-fg", "--body-bg"),
    ("--link-hover-color", "--body-bg"),
    ("--link-selected-fg", "--selected-row"),  # the current page in the side bar
    ("--link-fg", "--selected-row"),
    ("--button-fg", "--button-bg"),
    ("--button-fg", "--button-hover-bg"),
    ("--button-fg", "--default-button-bg"),
    ("--button-fg", "--default-button-hover-bg"),
    ("--object-tools-fg", "--object-tools-bg"),
]


def test_the_admin_wears_the_portal_s_red():
    accent = _block(PORTAL_CSS, ":root")["--accent"].split("/*")[0].strip()
    theme = _theme(dark=False)
    assert theme["--primary"].split("/*")[0].strip() == accent
    assert _colour(theme, "--header-bg") != _colour(
        _block(_django("base.css"), ":root"), "--secondary"
    )


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_admin_colours_meet_aa_contrast(dark, text, background):
    theme = _theme(dark)
    ratio = contrast(_colour(theme, text), _colour(theme, background))
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
