"""Homeplan settings: one file, driven by the environment.

Defaults give a working development site (DEBUG on, SQLite, console email). Production is
``DJANGO_DEBUG=0``: then the secrets below are required and every hardening flag is on, so
``python manage.py check --deploy`` is clean. docs/configuration.md lists every variable.
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable. Anything but the six words (any case) stops start-up, naming the
    variable: a typo such as ``DJANGO_SECURE_COOKIES=flase`` must never turn a flag off."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off (any case), not {value!r}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def env_list(name: str, default: str = "") -> list[str]:
    return split_list(env_str(name, default))


DEBUG = env_bool("DJANGO_DEBUG", True)


def required_in_production(name: str, development_default: str) -> str:
    """The variable's value; in development a default, in production a clear start-up error."""
    value = env_str(name)
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(
        f"{name} must be set when DJANGO_DEBUG=0 (production). See docs/configuration.md."
    )


SECRET_KEY = required_in_production(
    "DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-use-in-production"
)
ALLOWED_HOSTS = split_list(
    required_in_production("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "clinic",
    "exercises",
    "patients",
    "audit",
    "whitenoise.runserver_nostatic",
    "clinic.apps.HomeplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

# Behind a reverse proxy we control (DJANGO_BEHIND_PROXY=1), which sets X-Forwarded-Proto and
# X-Real-IP itself: lockouts, rate limits and the audit trail then see the client's address.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)

MIDDLEWARE = [
    "clinic.middleware.RefuseNulMiddleware",
    "clinic.middleware.ProxiedClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A write that committed is acknowledged even if what follows fails (clinic/resilience.py).
    "clinic.resilience.CommittedWriteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their own caching headers.
    "clinic.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of anyone not signed in: their choice (a cookie), else their browser's
    # Accept-Language. A signed-in patient's own setting wins (clinic.middleware, below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.StaffIdleTimeoutMiddleware",
    "patients.middleware.PatientLanguageMiddleware",
    "audit.context.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "csp.context_processors.nonce",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default; DATABASE_URL (postgres://...) switches to PostgreSQL with psycopg 3.
DATABASE_URL = env_str("DATABASE_URL")
# DJANGO_DB_POOL=N gives each process a psycopg pool of up to N connections instead of one
# persistent connection (bench/README.md, "Production serving", has both measured). Keep
# app processes x N below PostgreSQL's max_connections (100 by default).
DB_POOL_SIZE = env_int("DJANGO_DB_POOL", 0)
# When the database is down, a request must fail fast (503 with Retry-After, which the phone's
# offline queue retries) rather than wait near gunicorn's 30 s timeout: seconds to open a
# connection (libpq's minimum is 2); to wait for one from the pool (a sync worker uses one at
# a time, so it only ever waits for a new connection, a few milliseconds; a longer wait means
# the database is down, and holding one of the few workers that long makes everyone else
# queue, /healthz included); and the longest the pool keeps retrying in the background before
# the next request asks again, which caps psycopg's reconnect backoff (its default grows to
# minutes) so writes resume soon after the database does.
DB_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT", 3)
DB_POOL_TIMEOUT = env_int("DJANGO_DB_POOL_TIMEOUT", 1)
DB_RECONNECT_SECONDS = env_int("DJANGO_DB_RECONNECT_SECONDS", 2)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            # Django's pool requires CONN_MAX_AGE = 0: the pool, not Django, keeps connections.
            conn_max_age=0 if DB_POOL_SIZE > 0 else env_int("DJANGO_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, except that connections which can no longer write (a failover,
        # a read-only episode) are replaced rather than reused (clinic/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "clinic.postgresql"
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", DB_CONNECT_TIMEOUT
        )
    if DB_POOL_SIZE > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_SIZE,
            "timeout": DB_POOL_TIMEOUT,
            "reconnect_timeout": DB_RECONNECT_SECONDS,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait for the
                # lock (up to `timeout` seconds) instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not Django's in-memory default, so that tests exercise WAL and the
            # live server's own connection the way production does. A second checkout or a
            # parallel run names its own file with DJANGO_TEST_SQLITE_PATH.
            "TEST": {"NAME": env_str("DJANGO_TEST_SQLITE_PATH", str(BASE_DIR / "test-db.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out account or address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "clinic.backends.UsernameOrEmailBackend",
]
# Login protection (django-axes, rules in clinic/lockout.py): 5 failures for one account,
# however its name is typed (email in any case, username or email), from anywhere, or 20
# failures from one IP address for any names, pause password logins for 15 minutes. A
# success clears that account's failures. Passwords are never stored or logged; axes
# records accounts by id and unknown names as a hash.
AXES_FAILURE_LIMIT = env_int("HOMEPLAN_LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env_int("HOMEPLAN_LOGIN_IP_FAILURE_LIMIT", 20)
if LOGIN_IP_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "HOMEPLAN_LOGIN_IP_FAILURE_LIMIT must be at least HOMEPLAN_LOGIN_FAILURE_LIMIT."
    )
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("HOMEPLAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own; order matters there
AXES_USERNAME_CALLABLE = "clinic.lockout.account_key"
AXES_HANDLER = "clinic.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]
AXES_HTTP_RESPONSE_CODE = 429
# Patients' usernames are email addresses, which never go to application logs: axes stays
# quiet and clinic.apps logs lockouts by user id.
AXES_VERBOSE = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("HOMEPLAN_PASSWORD_RESET_HOURS", 24) * 3600

# Patients stay signed in on their own phone for weeks; staff sessions end after a short
# idle time (clinic.middleware.StaffIdleTimeoutMiddleware).
SESSION_COOKIE_AGE = env_int("HOMEPLAN_PATIENT_SESSION_DAYS", 56) * 24 * 3600
STAFF_SESSION_IDLE_MINUTES = env_int("HOMEPLAN_STAFF_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("HOMEPLAN_STAFF_SESSION_HOURS", 12)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True

# The cache holds rate-limit counters (sign-in links, password resets), which every worker
# and server must share, or each counts alone (5 workers let 14 of 25 resets through).
# HOMEPLAN_CACHE_URL (redis://host:6379/0) names a Redis; without one, production uses the
# database (its table made by clinic/migrations/0010), which every process already shares.
# Development and tests (DEBUG) run one process: its own memory is enough.
CACHE_URL = env_str("HOMEPLAN_CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "homeplan_cache",
            # Room for the counters of a busy hour: when full, Django drops a third of the
            # entries, and a script must not be able to wipe its own count that way.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Rendered plan pages (patients/plan_cache.py): always this process's own memory, never the
# shared cache, so health data stays where it was read. About 15 KB a page; a process keeps
# at most HOMEPLAN_PLAN_CACHE_ENTRIES of them (a third are dropped when it is full), each for
# at most 10 minutes: a change the stamp missed could not outlive that.
CACHES["plan-pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "plan-pages",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": env_int("HOMEPLAN_PLAN_CACHE_ENTRIES", 2000)},
}
# What the needs-attention rules found for each patient (patients/attention.py), kept in each
# process's memory under a key that changes with everything the rules read, for at most an
# hour: a clinician's front page evaluates them again only for patients whose data changed.
CACHES["attention"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "attention",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": env_int("HOMEPLAN_ATTENTION_CACHE_ENTRIES", 10_000)},
}

# --- Internationalisation -------------------------------------------------------------------
# The language a page falls back to: for anyone whose choice or browser asks for none of
# LANGUAGES. The source texts are English, so English needs no catalogue.
LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "en-gb")
SOURCE_LANGUAGE_CODE = "en-gb"
# The shipped languages (docs/languages.md says how a clinic adds one). Each is a complete
# catalogue under locale/; `manage.py translations_check` fails CI when one is not.
LANGUAGES = [
    ("en-gb", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Media is served by the app itself when DEBUG is on or DJANGO_SERVE_MEDIA=1 (a small
# clinic with no reverse proxy); larger sites point a proxy or object storage at it.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {
        "BACKEND": env_str("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        # e.g. {"bucket_name": "homeplan-media", "endpoint_url": "https://s3.example.org"}
        # for django-storages' S3 backend (docs/deploy.md).
        "OPTIONS": json.loads(env_str("DJANGO_MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}


def _static_headers(headers, path, url):
    """WhiteNoise answers static files before our middleware: the same cross-origin rule."""
    headers["Cross-Origin-Resource-Policy"] = "same-origin"


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers
# The camera coach's pose models (static/vendor/mediapipe-pose/) gain under 10 % from gzip:
# not worth a second copy on disk.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "tflite")
# Patients' own files (clinic videos of one patient) and every video waiting to be prepared:
# never under MEDIA_ROOT, never a /media/ URL. Served only by patients.views.videos, which
# checks who is asking; in production the web server sends the bytes (docs/deploy.md).
PRIVATE_MEDIA_ROOT = Path(env_str("HOMEPLAN_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
# A folder where load_library keeps the library's drawings between processes, named by the
# pose data and the drawing code, so a reset or a second process draws nothing twice (about half
# a second of CPU an exercise). Empty: each process keeps what it drew in memory only. The test
# suite gives its processes one folder for the run (tests/conftest.py).
LIBRARY_DRAWINGS_DIR = env_str("HOMEPLAN_LIBRARY_DRAWINGS_DIR")
# e.g. "/protected-media/": the view answers with X-Accel-Redirect to this internal nginx
# location instead of the bytes. Empty: the app sends the file itself (with Range support).
PRIVATE_MEDIA_ACCEL_REDIRECT = env_str("HOMEPLAN_PRIVATE_MEDIA_ACCEL_REDIRECT")
# Clinic videos (exercises/videos.py): the largest and longest upload accepted.
VIDEO_MAX_BYTES = env_int("HOMEPLAN_VIDEO_MAX_MB", 200) * 1024 * 1024
VIDEO_MAX_SECONDS = env_int("HOMEPLAN_VIDEO_MAX_SECONDS", 180)
# Largest upload accepted by Django before our own image checks run (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Homeplan <homeplan@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only for a local run over plain http:// (`make serve-prod`), where browsers would
    # not send Secure cookies back and nobody could log in.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    if BEHIND_PROXY:
        # Only trust X-Forwarded-Proto when a reverse proxy we control sets it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4; Django 6's built-in CSP uses the same shape).
# Everything comes from our own origin; inline scripts and styles need the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Pictures come from our origin, or from the media storage's own origin if set.
        "img-src": [SELF, "data:", *env_list("HOMEPLAN_MEDIA_ORIGIN")],
        # Clinic videos and their posters: our origin (patients' own), or the media origin.
        "media-src": [SELF, *env_list("HOMEPLAN_MEDIA_ORIGIN")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Background tasks ------------------------------------------------------------------------
# django-tasks (the backport of Django 6's tasks framework) with its database backend: queued
# emails (sign-in links, password resets, reminders) survive a restart; `python manage.py
# db_worker` sends them. In development (and tests) they run at once, so `make run` prints
# them to the console with no worker to start.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "HOMEPLAN_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}
# The address patients open from emails (sign-in and unsubscribe links, calendar feeds).
SITE_URL = env_str("HOMEPLAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The sign-in link in a reminder email works once, for this long.
REMINDER_LINK_HOURS = 12

# --- Front end ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Clinic ---------------------------------------------------------------------------------
CLINIC_NAME = env_str("HOMEPLAN_CLINIC_NAME", "Homeplan clinic")
CLINIC_PHONE = env_str("HOMEPLAN_CLINIC_PHONE", "")
# Where symptom reports go when the patient's clinician has no email address.
CLINIC_EMAIL = env_str("HOMEPLAN_CLINIC_EMAIL", "")
INVITATION_DAYS = env_int("HOMEPLAN_INVITATION_DAYS", 7)
# The clinician's "needs attention" queue (patients/attention.py).
ATTENTION_INACTIVE_DUE_DAYS = env_int("HOMEPLAN_ATTENTION_INACTIVE_DUE_DAYS", 3)
ATTENTION_ADHERENCE_BELOW = env_int("HOMEPLAN_ATTENTION_ADHERENCE_BELOW", 50)  # percent, 28 days
ATTENTION_MIN_DUE_SESSIONS = 4  # don't judge adherence on fewer due sessions than this
ATTENTION_PAIN_RISE = 2.0  # points, this week's average against last week's
ATTENTION_NOTE_DAYS = 14  # a note counts as new this long when nobody has reviewed yet
ATTENTION_PAINFUL_SKIP_DAYS = 14  # an exercise skipped as "too painful" is listed this long
ATTENTION_PAIN_HIGH = 7.0  # points: average pain over the last 7 days at or above this
ATTENTION_PAIN_REVIEW_WEEKS = 4  # after this many weeks on the program, pain should have eased
ATTENTION_PAIN_EXPECTED_DROP = 2.0  # by this many points from the first week of scores
# Messages (patients/services/messages.py): a patient message unanswered for longer than this
# many working days (Monday to Friday) joins the needs-attention queue.
ATTENTION_MESSAGE_WORKING_DAYS = env_int("HOMEPLAN_ATTENTION_MESSAGE_WORKING_DAYS", 1)
MESSAGES_PER_HOUR = env_int("HOMEPLAN_MESSAGES_PER_HOUR", 30)  # per patient, then "try later"
MESSAGE_DIGEST_MINUTES = 60  # a clinician's "patients wrote" email: at most one this often
ATTENTION_FUNCTION_DROP = 2.0  # points: a check-in's average this far below the one before
# More exercises than this in a session brings a gentle warning when building a plan.
PROGRAM_SIZE_WARNING = env_int("HOMEPLAN_PROGRAM_SIZE_WARNING", 6)
# Progression suggestions (patients/suggestions.py).
SUGGEST_DONE_SHARE = 0.75  # done on at least this share of due days in two weeks
SUGGEST_MAX_PAIN = 3.0  # average pain at most this
SUGGEST_QUIET_DAYS = 14  # after a decision, the same suggestion waits this long
SUGGEST_NO_PROGRESSION_PAIN = 5.0  # no progression while the last 7 days' average pain is this
# Patients can correct a logged day this many days afterwards; older days are read-only.
PLAN_EDIT_GRACE_DAYS = env_int("HOMEPLAN_PLAN_EDIT_GRACE_DAYS", 2)
SIGN_IN_LINK_MINUTES = 15
# Requests for sign-in links: at most this many per email address and per IP address in
# SIGN_IN_LINK_WINDOW_MINUTES (counted in the cache; use a shared cache with several servers).
SIGN_IN_LINK_LIMIT_PER_EMAIL = 3
SIGN_IN_LINK_LIMIT_PER_IP = 10
SIGN_IN_LINK_WINDOW_MINUTES = 15

# --- Audit trail ------------------------------------------------------------------------------
# Events are kept this many years (HIPAA keeps documentation six), then deleted by
# `manage.py prune_audit_trail`, run on a schedule like the reminders (docs/deploy.md).
AUDIT_RETENTION_YEARS = env_int("HOMEPLAN_AUDIT_RETENTION_YEARS", 6)
if AUDIT_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("HOMEPLAN_AUDIT_RETENTION_YEARS must be at least 1.")

# --- Logging --------------------------------------------------------------------------------
# Application logs carry ids and events, never names, emails or clinical notes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes logs usernames (patients' emails) on every attempt; clinic.apps logs lockouts.
        "axes": {"level": "ERROR"},
    },
}
