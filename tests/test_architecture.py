"""The limits that keep the code cheap to change (issue #33), checked on every run so
that they hold without anyone remembering them: no app holds over 40 % of the app code,
no app file is over 450 lines, no view over 40, and few bandit exemptions."""

import ast
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_SHARE = 0.40
MAX_FILE_LINES = 450
MAX_VIEW_LINES = 40
MAX_BANDIT_EXEMPTIONS = 10  # a third of the 30 there were when the limit was set
EXEMPTION = "no" + "sec"  # spelled apart so that this file does not count itself


def tracked(*patterns):
    out = subprocess.run(  # noqa: S603 - git with fixed arguments, in our checkout
        ["git", "ls-files", *patterns],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [ROOT / name for name in out.split()]


def apps():
    """The project's own Django apps (a nested one, like training.reminders with its own
    label and migrations, is an app of its own), and portal, as folders."""
    from django.apps import apps as registry

    folders = {
        Path(config.path).relative_to(ROOT).as_posix()
        for config in registry.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
    }
    return sorted(folders | {"portal"})


def app_files(app):
    """An app's Python files, migrations and nested apps aside."""
    nested = [other + "/" for other in apps() if other.startswith(app + "/")]
    return [
        p
        for p in tracked(f"{app}/*.py")
        if "migrations" not in p.parts
        and not any(p.relative_to(ROOT).as_posix().startswith(n) for n in nested)
    ]


def lines(path):
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module", autouse=True)
def git_checkout():
    if not (ROOT / ".git").exists():
        pytest.fail("these checks read the git checkout; run them from one")


def test_no_app_holds_over_40_percent_of_the_app_code():
    sizes = {app: sum(lines(p) for p in app_files(app)) for app in apps()}
    total = sum(sizes.values())
    over = {app: f"{n / total:.1%}" for app, n in sizes.items() if n > MAX_SHARE * total}
    assert not over, f"{over} of {total} lines"


def test_no_app_file_is_over_450_lines():
    long = {
        str(p.relative_to(ROOT)): lines(p)
        for app in apps()
        for p in app_files(app)
        if lines(p) > MAX_FILE_LINES
    }
    assert not long


def test_no_view_is_over_40_lines():
    views = [p for app in apps() for p in app_files(app) if "views" in p.parts or p.stem == "views"]
    assert views
    long = {}
    for path in views:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_VIEW_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert not long


def test_bandit_exemptions_stay_few():
    marked = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in tracked()
        if p.suffix in {".py", ".md", ".toml", ".cfg"} or p.name == "Makefile"
        for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if EXEMPTION in line
    ]
    assert len(marked) <= MAX_BANDIT_EXEMPTIONS, marked
