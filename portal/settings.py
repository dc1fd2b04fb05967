"""Settings for the Civil Affairs Study Portal.

One file, read from the environment, with safe local defaults. See README.md
for the table of variables.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import databases
from portal.env import env_bool
from portal.field_labels import localized_verbose_name

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG", True)
# `manage.py load_demo` (accounts with known passwords) runs only in local debug mode.
DEMO_ACCOUNTS_ALLOWED = DEBUG

_INSECURE_KEY = "django-insecure-local-development-only"  # noqa: S105 - refused below
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _INSECURE_KEY)
if not DEBUG and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is off."
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    # Before the admin: it registers translated fields and patches the admin forms.
    "modeltranslation",
    "portal.apps.PortalAdminConfig",  # django.contrib.admin, laid out for editors
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "simple_history",
    "portal.apps.SignInSecurityConfig",  # django-axes
    "csp",
    "treebeard",
    # Background work: Django's task framework (the django-tasks backport on 5.2; built
    # into Django 6 as django.tasks) with its database backend (portal/tasks.py).
    "django_tasks",
    "portal.apps.BackgroundTasksConfig",  # django_tasks_db, named for the admin
    "expositions",
    "org",
    "training",
    "training.jobs",  # background jobs and periodic tasks (app label "jobs")
    "training.reminders",  # notices, email digests, the chase list (app label "reminders")
    # The API for the province's cadre-training system (issue #36): REST framework, the
    # OpenAPI schema, Swagger UI and Redoc from our own static files (no CDN).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "devtools",  # demo data, the generated province, backups: tools, not the portal
]

# What other apps add to the reading pages of expositions, which imports no other app:
# one named function per question (expositions.providers).
READER_PROVIDERS = {
    "unit_page": "training.readers.unit_page",
    "done_units": "training.readers.done_units",
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which reads may come from the replica; a browser that wrote reads the primary.
    "portal.replica.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.params.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.sessions.IdleTimeoutMiddleware",
    # A one-time password is changed before anything else (org.passwords).
    "org.middleware.PasswordChangeRequired",
    # Every page a signed-in person gets: Cache-Control: private, no-store.
    "portal.privacy.PrivatePagesMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.roles",
                "portal.reading.text_size",
                # The header's count of notices, read only where a page shows it.
                "training.reminders.context_processors.notices",
            ],
        },
    },
]

# Databases: SQLite by default (zero set-up), PostgreSQL when DATABASE_URL is set, a
# replica for the reads that may lag when DJANGO_REPLICA_URL is set (portal/databases.py).
DATABASE_URL = databases.DATABASE_URL
DATABASES = databases.DATABASES
DATABASE_ROUTERS = databases.DATABASE_ROUTERS
REPLICA_DATABASE = databases.REPLICA_DATABASE
REPLICA_PIN_SECONDS = databases.REPLICA_PIN_SECONDS

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (development) builds covering indexes without their INCLUDE columns, which is
# all it can do; PostgreSQL, the production database, keeps them (training.Progress).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): after 5 failures for one username from one
# address, sign-in is refused with 429 for 15 minutes. Locking on the pair, not
# the username alone, stops a stranger from locking a cadre out on purpose.
AUTHENTICATION_BACKENDS = [
    "portal.lockout.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the roles with the user (one query a page fewer).
    "org.backends.RolesModelBackend",
]
AXES_FAILURE_LIMIT = 5
# Across usernames, from one address (portal.lockout.AddressThrottleBackend).
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DJANGO_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "portal.lockout.locked_out"
# Behind a load balancer, the client's address is the last one it appended.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Sessions end after an idle spell and, whatever happens, after a working day
# (portal.sessions.IdleTimeoutMiddleware); sign-out, deactivation and a password
# change end them at once (Django's session auth hash and is_active checks).
SESSION_IDLE_SECONDS = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", str(2 * 3600)))
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_MAX_SECONDS", str(12 * 3600)))

# The cache (rate limits, the unit page's rendered part): Redis when REDIS_URL is set,
# shared by every process and machine; else each process's own memory. Optional.
# "shared": what every process must see alike (the API's per-token rate limits): Redis
# when REDIS_URL is set, else a table of the database (made by migration api 0001, so
# nothing more to run), never a process's own memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
_REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
CACHES = {
    "default": (
        _REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "shared": (
        {**_REDIS_CACHE, "KEY_PREFIX": "shared"}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "api_shared_cache",
        }
    ),
}

# Uploaded files (the notices and certificates behind training claims) are never
# served as static files: only the claim's cadre and their trainers download them,
# through the portal (training.views.claims). Keep MEDIA_ROOT out of the web root.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))
CLAIM_FILE_MAX_BYTES = 5 * 1024 * 1024
# The public certificate check (/verify/<code>/), per 10-minute window: lookups per
# address (high: a county office checks a batch behind one shared address) and per
# code, from any address (what stops one code being hammered or scraped).
VERIFY_RATE_LIMIT = int(os.environ.get("DJANGO_VERIFY_RATE_LIMIT", "300"))
VERIFY_CODE_RATE_LIMIT = int(os.environ.get("DJANGO_VERIFY_CODE_RATE_LIMIT", "20"))
VERIFY_RATE_WINDOW_SECONDS = 600
# Printed under a certificate's QR code; the request's own address when empty.
PORTAL_BASE_URL = os.environ.get("DJANGO_BASE_URL", "").rstrip("/")

# Background work (portal/tasks.py): tasks are rows in this database, run by
# `manage.py db_worker` processes (any number, on any machine, on one PostgreSQL);
# `manage.py run_periodic` enqueues the periodic ones (training/jobs/periodic.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# The progress page's roll-up of an org unit holding more than this many active cadres
# is stored, recounted every PROGRESS_SNAPSHOT_SECONDS by a periodic task, and read
# back (training/rollup_snapshots.py); smaller org units are counted on each view.
PROGRESS_SNAPSHOT_CADRES = int(os.environ.get("DJANGO_PROGRESS_SNAPSHOT_CADRES", "20000"))
PROGRESS_SNAPSHOT_SECONDS = int(os.environ.get("DJANGO_PROGRESS_SNAPSHOT_SECONDS", "60"))
# What a background job leaves to download (a zip of certificates, a large Excel file)
# is kept this long for the person who asked, then deleted (training.jobs).
JOB_FILE_HOURS = int(os.environ.get("DJANGO_JOB_FILE_HOURS", "24"))

# The API (api/, docs/api.md): Django REST framework with the portal's own tokens, the
# province's systems' clients. Rates per token: "requests/period" (second, minute, hour).
API_RATE_LIMIT = os.environ.get("DJANGO_API_RATE_LIMIT", "3000/minute")
API_WRITE_RATE_LIMIT = os.environ.get("DJANGO_API_WRITE_RATE_LIMIT", "60/minute")
API_TOKEN_MAX_DAYS = 90
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenAccess"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttles.TokenRateThrottle",
        "api.throttles.TokenWriteRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.UpdatedCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "民政干部学习平台 API · Civil Affairs Study Portal API",
    "DESCRIPTION": "学时记录、干部名册、组织单位。Study-hour records out, the roster in. "
    "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {},
}

# Imports of cadres and org units (org.imports): per file.
IMPORT_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("DJANGO_IMPORT_MAX_ROWS", "10000"))

# Mail (email reminders, training.reminders): an SMTP server from the environment; with
# none set, mails are printed to the console in debug mode (`make run`) and fail loudly
# otherwise, so that a production without mail is seen rather than silent.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
if DEBUG and not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
# "Remind now" emails at most this many cadres at once in the trainer's request; the
# rest go with the next run of `manage.py send_reminders` (their notices show at once).
REMINDERS_SEND_NOW_LIMIT = int(os.environ.get("DJANGO_REMINDERS_SEND_NOW_LIMIT", "50"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "training:start"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English second; the browser
# chooses (LocaleMiddleware) and the switcher keeps the choice in a cookie.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content in both languages (django-modeltranslation: a column per language, e.g.
# title_zh_hans and title_en). A reader sees their language and, where a text is not
# yet written in it, the other language with a visible marker (expositions.languages).
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("zh-hans", "en")}
MODELTRANSLATION_AUTO_POPULATE = False
# "标题（英文）", not "title [en]" (portal/field_labels.py).
MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = localized_verbose_name
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
TESTING = env_bool("DJANGO_TESTING", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

TAGGIT_CASE_INSENSITIVE = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (django-csp): the portal has no inline script or style
# and loads nothing from elsewhere; the SVG charts are inline markup, not images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    # Secure by default in production (`manage.py check --deploy --fail-level WARNING`
    # passes); a local try-out over plain HTTP turns these off explicitly (README).
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    # Behind the load balancer, which terminates TLS and sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health check is answered over plain HTTP, for the load balancer.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every certificate it renders; keep its warnings.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
