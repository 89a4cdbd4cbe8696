"""Settings: infrastructure only, read from the environment, with defaults that need no services.

Organisation policy (time limits, calendars, thresholds) is data in the database, not here.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("YICHUANG_DEBUG", False)
SECRET_KEY = os.environ.get(
    "YICHUANG_SECRET_KEY", "dev-only-insecure-key-set-YICHUANG_SECRET_KEY-in-production"
)
ALLOWED_HOSTS = env_list("YICHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("YICHUANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "treebeard",
    "ninja",
    # Background jobs: Django's tasks interface, on RQ (Redis) when REDIS_URL is set (yichuang/core/jobs.py).
    "django_tasks",
    "django_rq",
    "django_tasks_rq",
    "yichuang.core",
    "yichuang.accounts",
    "yichuang.catalog",
    "yichuang.cases",
    "yichuang.licences",
    "yichuang.bundles",
    "yichuang.hall",
    "yichuang.ratings",
    "yichuang.hotline",
    "yichuang.supervision",
    "yichuang.portal",
    "yichuang.demo",
]

MIDDLEWARE = [
    # Operations (yichuang/core/ops, docs/operations.md): request id, access log and metrics; /healthz,
    # /readyz and /metrics answered before sessions and host checks; 503 while the database is down (also
    # for errors raised in the session and authentication middleware below).
    "yichuang.core.ops.middleware.RequestContextMiddleware",
    "yichuang.core.ops.middleware.OpsEndpointsMiddleware",
    "yichuang.core.ops.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "yichuang.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yichuang.core.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yichuang.core.i18n.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yichuang.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yichuang.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        # Django's engine, plus the visible fallback of untranslated strings (yichuang.core.i18n.backend).
        "BACKEND": "yichuang.core.i18n.backend.MarkingDjangoTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {
                "languages": "yichuang.core.i18n.tags_languages",
                "content_translations": "yichuang.core.i18n.tags_content",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yichuang.accounts.context_processors.staff_navigation",
                "yichuang.core.context_processors.accessibility",
            ],
        },
    },
]

# SQLite (WAL, immediate transactions) unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("YICHUANG_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("YICHUANG_TEST_SQLITE", "")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters with prepared statements: a statement run twice on a connection is parsed and
    # planned once, which halves PostgreSQL's CPU per case step. 0 turns it off (needed behind a pooler in
    # transaction mode, such as PgBouncer's, which cannot keep a connection's prepared statements).
    _prepare_threshold = int(os.environ.get("YICHUANG_DB_PREPARE_THRESHOLD", "2"))
    if _prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": _prepare_threshold}
        )

# Cache: in-process by default; with REDIS_URL every worker shares it, so a calendar override made in
# one worker is seen by all at once (in-process caches refresh within CALENDAR_CACHE_SECONDS).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CALENDAR_CACHE_SECONDS = int(os.environ.get("YICHUANG_CALENDAR_CACHE_SECONDS", "300" if REDIS_URL else "30"))
# Public rate limits per client address and minute (a hall.issue device token at a kiosk is not limited).
YICHUANG_KIOSK_TICKETS_PER_MINUTE = int(os.environ.get("YICHUANG_KIOSK_TICKETS_PER_MINUTE", "30"))
YICHUANG_TRACK_LOOKUPS_PER_MINUTE = int(os.environ.get("YICHUANG_TRACK_LOOKUPS_PER_MINUTE", "20"))
# Every request of a visitor who is not logged in counts against one bucket per address and minute
# (yichuang/core/ratelimit.py, docs/security.md); YICHUANG_RATE_LIMIT_<BUCKET> sets one (0 = no limit), and
# YICHUANG_RATE_LIMITS_ENABLED=off turns them all off (a load test from one address).
YICHUANG_RATE_LIMITS_ENABLED = env_bool("YICHUANG_RATE_LIMITS_ENABLED", True)
YICHUANG_RATE_LIMITS = {
    bucket: int(os.environ[f"YICHUANG_RATE_LIMIT_{bucket.upper()}"])
    for bucket in ("login", "lookup", "booking", "search", "screens", "api", "public")
    if os.environ.get(f"YICHUANG_RATE_LIMIT_{bucket.upper()}")
}
# 自助终端 (yichuang/portal, docs/terminal.md): idle seconds before the screen returns to the start, how long
# a verified case stays open, and failed case lookups allowed per terminal within the window.
YICHUANG_TERMINAL_IDLE_SECONDS = int(os.environ.get("YICHUANG_TERMINAL_IDLE_SECONDS", "60"))
YICHUANG_TERMINAL_ACCESS_SECONDS = int(os.environ.get("YICHUANG_TERMINAL_ACCESS_SECONDS", "180"))
YICHUANG_TERMINAL_LOOKUP_FAILURES = int(os.environ.get("YICHUANG_TERMINAL_LOOKUP_FAILURES", "5"))
YICHUANG_TERMINAL_LOOKUP_WINDOW_SECONDS = int(
    os.environ.get("YICHUANG_TERMINAL_LOOKUP_WINDOW_SECONDS", "600")
)
# The language every terminal visit starts in (blank: LANGUAGE_CODE); the last visitor's choice is not kept.
YICHUANG_TERMINAL_LANGUAGE = os.environ.get("YICHUANG_TERMINAL_LANGUAGE", "")
# Background jobs (catalog imports, notification delivery; yichuang/core/jobs.py, docs/deploy.md): on RQ
# in Redis when REDIS_URL is set (workers: `manage.py rqworker --job-class django_tasks_rq.Job default`),
# else in a thread of the process after commit; eager runs them in the caller (tests, one-off tools).
YICHUANG_JOBS_EAGER = env_bool("YICHUANG_JOBS_EAGER", False)
YICHUANG_JOBS_BACKEND = (
    "immediate"
    if YICHUANG_JOBS_EAGER
    else os.environ.get("YICHUANG_JOBS_BACKEND", "rq" if REDIS_URL else "thread")
)
TASKS = {
    "default": {
        "BACKEND": {
            "rq": "django_tasks_rq.RQBackend",
            "thread": "yichuang.core.jobs.ThreadBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[YICHUANG_JOBS_BACKEND],
        "QUEUES": ["default"],
    }
}
# Periodic jobs queued by `manage.py jobs_beat` (yichuang/core/periodic.py): name → (seconds, function). The
# deadline sweep also runs the supervision's roll-up and cards (yichuang/cases/scheduler.py).
YICHUANG_PERIODIC_JOBS = {
    "cases.sweep": (60, "yichuang.cases.scheduler.sweep_once"),
    "hall.sweep": (300, "yichuang.hall.sweep.hall_sweep"),
    "hotline.sweep": (300, "yichuang.hotline.tickets.hotline_sweep"),
    "ratings.sweep": (3600, "yichuang.ratings.services.ratings_sweep"),
}
# django-rq's queues (the RQ backend needs each of TASKS' queues here); a job may run for an hour (imports).
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
# Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds the same indexes without the
# included columns, which is all models.W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# 电子监察: how long the sums of closed days stay cached (keyed by the roll-up's version, so a re-roll is
# seen at once); 0 reads them from the roll-up tables every time.
YICHUANG_SUPERVISION_CACHE_SECONDS = int(os.environ.get("YICHUANG_SUPERVISION_CACHE_SECONDS", "86400"))
# Where SMS and e-mail notifications go (yichuang.core.notifications): the default records them in the
# database (demo, tests); LogBackend logs them; EmailBackend sends e-mail through EMAIL_* settings.
YICHUANG_NOTIFICATION_BACKEND = os.environ.get(
    "YICHUANG_NOTIFICATION_BACKEND", "yichuang.core.notifications.DatabaseBackend"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Passwords (等保 2.0 level 3): at least 10 characters of at least 3 kinds (docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "yichuang.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "yichuang.accounts.password_validation.CharacterClassValidator",
        "OPTIONS": {"min_classes": 3},
    },
]
# Password sign-ins go through the login lockout (yichuang/accounts/lockout.py, docs/security.md): a user name
# with YICHUANG_LOGIN_FAILURES failures, or a client address with YICHUANG_LOGIN_ADDRESS_FAILURES, within
# the window is locked for YICHUANG_LOGIN_LOCK_SECONDS. Counts are kept in the database (shared by workers).
AUTHENTICATION_BACKENDS = ["yichuang.accounts.security.LockoutModelBackend"]
YICHUANG_LOGIN_FAILURES = int(os.environ.get("YICHUANG_LOGIN_FAILURES", "5"))
YICHUANG_LOGIN_ADDRESS_FAILURES = int(os.environ.get("YICHUANG_LOGIN_ADDRESS_FAILURES", "20"))
YICHUANG_LOGIN_WINDOW_SECONDS = int(os.environ.get("YICHUANG_LOGIN_WINDOW_SECONDS", "900"))
YICHUANG_LOGIN_LOCK_SECONDS = int(os.environ.get("YICHUANG_LOGIN_LOCK_SECONDS", "900"))

# Simplified Chinese is the source language of every UI string; Mongolian is added by translation.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("mn-mong", "ᠮᠣᠩᠭᠣᠯ")]  # mn-mong: Mongolian in the traditional script
# The language a visitor chose (switcher, ?lang=) is remembered for a year; a user's own choice is stored on
# the user (yichuang.core.i18n, docs/i18n.md).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set for `collectstatic` in production; unset, WhiteNoise serves straight from the app folders.
STATIC_ROOT = os.environ.get("YICHUANG_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app's static folders; government intranets have no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("YICHUANG_SESSION_SECONDS", str(8 * 3600)))
# Sign out after this much inactivity; SESSION_COOKIE_AGE is the absolute limit from the sign-in
# (yichuang/accounts/middleware.py, docs/security.md).
YICHUANG_SESSION_IDLE_SECONDS = int(os.environ.get("YICHUANG_SESSION_IDLE_SECONDS", "1800"))
SESSION_COOKIE_SECURE = env_bool("YICHUANG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "yichuang.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS once the site is served over HTTPS (YICHUANG_SECURE_COOKIES on): a year unless YICHUANG_HSTS_SECONDS
# says otherwise (0 turns it off). Django sends it on HTTPS requests only.
SECURE_HSTS_SECONDS = int(
    os.environ.get("YICHUANG_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("YICHUANG_HSTS_INCLUDE_SUBDOMAINS", False)
# Behind nginx terminating TLS: trust its X-Forwarded-Proto (only when the app is reachable through it alone).
if env_bool("YICHUANG_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies (addresses or networks) whose X-Forwarded-For names the client (yichuang.core.http.client_address);
# from anyone else the header is ignored, so a client cannot pick its own rate-limit bucket.
YICHUANG_TRUSTED_PROXIES = env_list("YICHUANG_TRUSTED_PROXIES", "")
# Content security policy of the HTML pages (yichuang/core/security.py, docs/security.md): nothing inline
# (scripts and styles come from static files; a nonce where a template really needs an inline block), no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
YICHUANG_PERMISSIONS_POLICY = os.environ.get(
    "YICHUANG_PERMISSIONS_POLICY",
    "camera=(self), geolocation=(), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "display-capture=()",
)

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # PersonalDataLogFilter extended to extra fields and exception text; the request's id, user id, route.
        "mask_personal_data": {"()": "yichuang.core.ops.logs.PersonalDataFilter"},
        "request_context": {"()": "yichuang.core.ops.logs.RequestContextFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "yichuang.core.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # YICHUANG_LOG_FORMAT=json: one JSON object per line for a log shipper (docs/operations.md#logs).
            "formatter": "json" if os.environ.get("YICHUANG_LOG_FORMAT", "plain") == "json" else "plain",
            "filters": ["request_context", "mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("YICHUANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Prometheus /metrics (docs/operations.md#metrics): open to these client addresses or networks, or to a
# request with "Authorization: Bearer <YICHUANG_METRICS_TOKEN>"; business gauges from these collectors,
# cached this long.
YICHUANG_METRICS_ALLOWED = env_list("YICHUANG_METRICS_ALLOWED", "127.0.0.1,::1")
YICHUANG_METRICS_TOKEN = os.environ.get("YICHUANG_METRICS_TOKEN", "")
YICHUANG_METRICS_COLLECTORS = env_list(
    "YICHUANG_METRICS_COLLECTORS", "yichuang.supervision.metrics.BusinessCollector"
)
YICHUANG_METRICS_CACHE_SECONDS = int(os.environ.get("YICHUANG_METRICS_CACHE_SECONDS", "30"))
# Health probes come over plain HTTP from inside: never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Seconds a checked API bearer token is remembered per process (0 = read it on every call); a revoked
# token or a deactivated user is refused at once in the process that changed it, within this elsewhere.
YICHUANG_TOKEN_CACHE_SECONDS = float(os.environ.get("YICHUANG_TOKEN_CACHE_SECONDS", "5"))

# E-seals: the private keys of the departments' SM2 key pairs are stored encrypted (SM4) with a key derived
# from this secret. Set it in production (and keep it: without it no seal can sign); the fallback is for
# the demo and tests only.
YICHUANG_SEAL_SECRET = os.environ.get("YICHUANG_SEAL_SECRET", "") or f"dev-seal:{SECRET_KEY}"
# ID numbers are stored encrypted (SM4-GCM) and found by a keyed hash (HMAC-SM3), docs/encryption.md:
# "id:base64key,..." (16-byte keys; the first encrypts, all decrypt) and a base64 lookup key. Empty: keys
# derived from SECRET_KEY, for the demo and tests only (a system check warns when DEBUG is off).
YICHUANG_FIELD_KEYS = os.environ.get("YICHUANG_FIELD_KEYS", "")
YICHUANG_LOOKUP_KEY = os.environ.get("YICHUANG_LOOKUP_KEY", "")
# 用证授权: how long a holder's consent lets a case use his licence (days, 1–366).
YICHUANG_LICENCE_AUTHORISATION_DAYS = int(os.environ.get("YICHUANG_LICENCE_AUTHORISATION_DAYS", "30"))
# 免证办 data-sharing providers, asked in order (comma-separated dotted class paths).
YICHUANG_LICENCE_PROVIDERS = [
    path.strip()
    for path in os.environ.get(
        "YICHUANG_LICENCE_PROVIDERS", "yichuang.licences.sharing.LibraryProvider"
    ).split(",")
    if path.strip()
]

# Cases (办件): where the QR codes on notices point, when the deadline warning starts, how long a
# 告知承诺 verification may take, the remedies named on refusals and denials, and the sweep interval.
YICHUANG_PUBLIC_URL = os.environ.get("YICHUANG_PUBLIC_URL", "http://127.0.0.1:8000")
YICHUANG_CENTRE_NAME = os.environ.get("YICHUANG_CENTRE_NAME", "政务服务中心")
YICHUANG_CASE_WARNING_DAYS = int(os.environ.get("YICHUANG_CASE_WARNING_DAYS", "3"))
YICHUANG_COMMITMENT_VERIFY_DAYS = int(os.environ.get("YICHUANG_COMMITMENT_VERIFY_DAYS", "20"))
YICHUANG_CASE_UPLOAD_MAX_BYTES = int(os.environ.get("YICHUANG_CASE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Uploads (docs/security.md): a request declaring a larger body is refused (413) before it is read (nginx's
# client_max_body_size should say the same); files over 2.5 MB are spooled to a temporary file, not memory;
# workbooks are looked into before openpyxl (entries, unpacked bytes); PDFs have a page limit.
YICHUANG_MAX_REQUEST_BYTES = int(os.environ.get("YICHUANG_MAX_REQUEST_BYTES", str(64 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 100
YICHUANG_XLSX_MAX_ENTRIES = int(os.environ.get("YICHUANG_XLSX_MAX_ENTRIES", "500"))
YICHUANG_XLSX_MAX_UNPACKED_BYTES = int(
    os.environ.get("YICHUANG_XLSX_MAX_UNPACKED_BYTES", str(200 * 1024 * 1024))
)
YICHUANG_PDF_MAX_PAGES = int(os.environ.get("YICHUANG_PDF_MAX_PAGES", "300"))
YICHUANG_RECONSIDERATION_BODY = os.environ.get("YICHUANG_RECONSIDERATION_BODY", "本级人民政府")
YICHUANG_COURT = os.environ.get("YICHUANG_COURT", "有管辖权的人民法院")
# Seconds between in-process deadline sweeps (0 turns the in-process schedule off, e.g. under a cron job).
YICHUANG_SWEEP_INTERVAL_SECONDS = int(os.environ.get("YICHUANG_SWEEP_INTERVAL_SECONDS", "0"))
