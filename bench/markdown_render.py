"""Store rendered Markdown on save, or render it per request? Measured here.

Runs against a throw-away SQLite database with the shipped exposition loaded:
  .venv/bin/python bench/markdown_render.py [--repeat 200]

Reports, in one run (so the ratios hold on a noisy shared machine):
  - the unit page served with the stored HTML (what the portal does): the baseline;
  - the same page when the body is also rendered and sanitised on each request;
  - render_markdown alone for a shipped unit and for a long (about 3,000-word) body.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-md-")
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from expositions import views
    from expositions.markdown import render_markdown
    from expositions.models import StudyUnit

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_exposition", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.create_user("bench", password="bench-password-long")
    client = Client()
    client.force_login(user)
    unit = StudyUnit.objects.get(slug="civil-administration-for-the-people")
    url = unit.get_absolute_url()
    long_body = "\n\n".join([unit.body] * 40)

    def page():
        assert client.get(url).status_code == 200

    original_render = views.render

    def render_per_request(request, template, context=None, *a, **kw):
        if context and "unit" in context:
            context["unit"].body_html = render_markdown(context["unit"].body)
        return original_render(request, template, context, *a, **kw)

    page()  # warm caches
    stored_ms = timed(page, args.repeat)
    views.render = render_per_request
    per_request_ms = timed(page, args.repeat)
    views.render = original_render
    shipped_ms = timed(lambda: render_markdown(unit.body), args.repeat)
    long_ms = timed(lambda: render_markdown(long_body), max(20, args.repeat // 10))

    print(f"unit page, stored HTML (baseline):   {stored_ms:7.3f} ms  ratio 1.00")
    print(
        f"unit page, rendered per request:     {per_request_ms:7.3f} ms  "
        f"ratio {per_request_ms / stored_ms:.2f}"
    )
    print(f"render_markdown, shipped unit body:  {shipped_ms:7.3f} ms")
    print(
        f"render_markdown, {len(long_body.split()):,}-word body:   {long_ms:7.3f} ms  "
        f"ratio to the whole stored-HTML page {long_ms / stored_ms:.2f}"
    )


if __name__ == "__main__":
    main()
