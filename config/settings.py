"""Settings: infrastructure only, read from the environment, with defaults that need no services.

Organisation policy (time limits, calendars, thresholds) is data in the database, not here.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yichuang.core.i18n.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
SESSION_COOKIE_SECURE = env_bool("YICHUANG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "yichuang.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "yichuang.core.masking.PersonalDataLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("YICHUANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Seconds a checked API bearer token is remembered per process (0 = read it on every call); a revoked
# token or a deactivated user is refused at once in the process that changed it, within this elsewhere.
YICHUANG_TOKEN_CACHE_SECONDS = float(os.environ.get("YICHUANG_TOKEN_CACHE_SECONDS", "5"))

# E-seals: the private keys of the departments' SM2 key pairs are stored encrypted (SM4) with a key derived
# from this secret. Set it in production (and keep it: without it no seal can sign); the fallback is for
# the demo and tests only.
YICHUANG_SEAL_SECRET = os.environ.get("YICHUANG_SEAL_SECRET", "") or f"dev-seal:{SECRET_KEY}"
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
YICHUANG_RECONSIDERATION_BODY = os.environ.get("YICHUANG_RECONSIDERATION_BODY", "本级人民政府")
YICHUANG_COURT = os.environ.get("YICHUANG_COURT", "有管辖权的人民法院")
# Seconds between in-process deadline sweeps (0 turns the in-process schedule off, e.g. under a cron job).
YICHUANG_SWEEP_INTERVAL_SECONDS = int(os.environ.get("YICHUANG_SWEEP_INTERVAL_SECONDS", "0"))
