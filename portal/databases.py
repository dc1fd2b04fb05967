"""The databases, read from the environment (portal/settings.py takes them from here):
SQLite by default, PostgreSQL when DATABASE_URL is set, and a streaming replica for
the reads that may lag when DJANGO_REPLICA_URL is set too (portal/replica.py).
README.md has the table of variables."""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url

from portal.env import env_bool

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_ROUTERS = []


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections: a new connection per request cut a signed-in page
    # from about 500 to about 100 requests/s on this machine.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
    }
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction:
    # DJANGO_DISABLE_SERVER_SIDE_CURSORS=true (.iterator() then fetches in chunks).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DJANGO_DISABLE_SERVER_SIDE_CURSORS", False
    )
    # The planner's cost of a random read against a sequential one. PostgreSQL's default
    # (4) is for spinning disks; on SSDs (as here, and any server bought since) 1.1 is
    # the usual value. At 4 a county's progress page scanned all 50,000 cadres (17 ms)
    # instead of reading its 494 through the org-unit index (0.7 ms; bench/RESULTS.md).
    # Set per connection so the portal does not depend on the server's configuration;
    # DJANGO_PG_RANDOM_PAGE_COST= (empty) leaves the server's own value. (A pooler in
    # transaction mode that refuses startup options: set it on the database instead,
    # ALTER DATABASE … SET random_page_cost = 1.1.)
    _random_page_cost = os.environ.get("DJANGO_PG_RANDOM_PAGE_COST", "1.1")
    if _random_page_cost and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(_random_page_cost)}"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Several writers (gunicorn workers): take the write lock when the
            # transaction starts and wait for it, instead of failing with
            # "database is locked" when a read transaction is upgraded.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests run on a file, as the portal does: threads then take SQLite's own
            # locks (and wait for them) instead of sharing one in-memory cache, which
            # answers "table is locked" at once.
            # One file per test process, so that two runs at once do not share it.
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3")
            },
        }
    }

# A streaming replica of DATABASE_URL for the reads that may lag (portal/replica.py):
# trainers' progress, exports and hours, My study, the unit page. A person who wrote
# reads the primary for DJANGO_REPLICA_PIN_SECONDS after (a signed cookie): keep it
# above the replica's worst lag. Unset: one database, as before.
REPLICA_URL = os.environ.get("DJANGO_REPLICA_URL", "")
REPLICA_PIN_SECONDS = int(os.environ.get("DJANGO_REPLICA_PIN_SECONDS", "15"))
REPLICA_DATABASE = None
if REPLICA_URL and DATABASE_URL:
    REPLICA_DATABASE = "replica"
    DATABASES["replica"] = {
        **dj_database_url.parse(
            REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        # `make test` with the variable set: the replica is the test database itself.
        "TEST": {"MIRROR": "default"},
    }
elif "pytest" in sys.modules:
    # Under pytest an alias mirrors the test database (Django's TEST MIRROR), so that
    # tests/portal/test_replica.py can check the router's choices with
    # override_settings(REPLICA_DATABASE="replica"); nothing else reads it.
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if "replica" in DATABASES:
    DATABASE_ROUTERS = ["portal.replica.ReadYourWritesRouter"]
