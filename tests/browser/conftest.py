"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium comes from Debian; never `playwright install`, which cannot download here.
Headless, the tests run Debian's headless shell (`apt-get install chromium-headless-shell
fonts-wqy-microhei`): the same Chromium build without the desktop browser around it, which
is what Playwright itself runs headless. On this suite it takes half the CPU of
`/usr/bin/chromium --headless` (bench/RESULTS.md). `--headed`, or
`BROWSER_CHROMIUM=/usr/bin/chromium`, runs the full browser (`apt-get install chromium`).
Without the browser these tests skip with a reason locally, and fail under CI (see
tests/conftest.py).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
FULL_BROWSER = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots cost Chromium a full-page capture and have failed on their own ("Unable to
# capture screenshot"): by default only a failed test keeps one.
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "failed")

# The live server runs in a thread of the test process, which Playwright's sync
# API runs inside an event loop; Django would otherwise refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium(config):
    """The Chromium the browser tests launch."""
    if os.environ.get("BROWSER_CHROMIUM"):
        return Path(os.environ["BROWSER_CHROMIUM"])
    return FULL_BROWSER if config.getoption("--headed") else HEADLESS_SHELL


def pytest_collection_modifyitems(config, items):
    executable = chromium(config)
    if executable.exists():
        return
    reason = f"{executable} is missing: apt-get install -y {executable.name}"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(skip)


def _screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    return {
        **browser_type_launch_args,
        "executable_path": str(chromium(pytestconfig)),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    return request.param


@pytest.fixture
def visit(browser, live_server, viewport, language, request):
    """A fresh browser context at the viewport and language, checking every page it opens.

    Returns a page object; on teardown asserts no console error, no failed request and
    (at phone width) no horizontal scroll on any page visited. A test that fails leaves a
    screenshot of its last page in test-artifacts/; with ``BROWSER_SCREENSHOTS=all`` every
    test does, with the views it names by ``page.snapshot(label)``. A test that opens an
    error page on purpose says so first with ``page.expect_error_status(path, status)``,
    and one that expects the Content Security Policy to refuse an address names it first
    with ``page.expect_csp_block(pattern)``.
    """
    context = browser.new_context(
        viewport=PHONE if viewport == "phone" else DESKTOP,
        locale="zh-CN" if language == "zh-hans" else "en-US",
        extra_http_headers={"Accept-Language": "zh-CN,zh" if language == "zh-hans" else "en"},
    )
    page = context.new_page()
    problems = []
    # Pages a test opens on purpose to see an error page (page.expect_error_status).
    expected = {}

    def expect_error_status(path, status):
        expected[live_server.url + path] = status

    page.expect_error_status = expect_error_status
    # Addresses the Content Security Policy is expected to refuse (page.expect_csp_block):
    # its console error and the failed request are then no problem.
    csp_blocked = []
    page.expect_csp_block = lambda pattern: csp_blocked.append(re.compile(pattern))

    def blocked(text):
        return any(pattern.search(text) for pattern in csp_blocked)

    def on_console(message):
        if message.type != "error":
            return
        if message.location.get("url") in expected and "Failed to load resource" in message.text:
            return
        if "Content Security Policy" in message.text and blocked(message.text):
            return
        problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)

    downloads, aborted = set(), []

    def on_request_failed(request):
        # A request still running when the page navigates away (a fetch, the favicon) is
        # aborted; that is normal, and so is the navigation that turns into a download.
        if request.failure == "net::ERR_ABORTED":
            aborted.append(request)
            return
        if request.failure == "csp" and blocked(request.url):
            return
        problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("download", lambda d: downloads.add(d.url))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and expected.get(r.url) != r.status
            else None
        ),
    )
    widths = []

    def check_width():
        try:
            width = page.evaluate("document.documentElement.scrollWidth")
        except PlaywrightError:  # the page navigated on before we could measure it
            return
        if width > PHONE["width"]:
            widths.append(f"{page.url} is {width}px wide")

    if viewport == "phone":
        page.on("load", lambda _: check_width())
    page.base_url = live_server.url

    def snapshot(label):
        """With BROWSER_SCREENSHOTS=all, keep a full-page screenshot of the page as it is
        now, beside the final one."""
        if SCREENSHOTS == "all":
            _screenshot(page, f"{request.node.name}-{label}")

    page.snapshot = snapshot
    yield page
    # pytest-playwright keeps each phase's report on the test (rep_setup, rep_call).
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed or problems or widths:
        try:
            _screenshot(page, request.node.name)
        except PlaywrightError as error:  # the test's own failure is the one to read
            print(f"no screenshot of the failed test: {error}")
    elif SCREENSHOTS == "all":
        _screenshot(page, request.node.name)
    context.close()
    problems += [
        f"navigation aborted: {r.url}"
        for r in aborted
        if r.resource_type == "document" and r.url not in downloads
    ]
    assert problems == []
    assert widths == []
