"""Gongzhi settings: everything that varies between deployments comes from the environment.

See docs/configuration.md for every variable.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
# The signing key: SECRET_KEY, else the file $GONGZHI_VAR_DIR/secret_key (`gongzhi make_secret_key` writes a random
# one; `make run` does so on its first run), else a built-in key that only DEBUG and the tests may use: the web
# server (`gongzhi serve`, gongzhi.wsgi) refuses to start with it when DEBUG is off.
_INSECURE_DEV_KEY = "gongzhi-insecure-local-key-change-me-in-production-0000000000"  # noqa: S105
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = (
    os.environ.get("SECRET_KEY")
    or (SECRET_KEY_FILE.read_text(encoding="utf-8").strip() if SECRET_KEY_FILE.is_file() else "")
    or _INSECURE_DEV_KEY
)
SECRET_KEY_IS_BUILTIN = SECRET_KEY == _INSECURE_DEV_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "gongzhi.core",
    "gongzhi.appeals",
    "gongzhi.intelligence",
    "gongzhi.lists",
    "gongzhi.meetings",
    "gongzhi.councils",
    "gongzhi.service",
    "gongzhi.evaluation",
    "gongzhi.venues",
    "gongzhi.disputes",
]

MIDDLEWARE = [
    "gongzhi.lib.net.TrustedProxyMiddleware",
    "gongzhi.core.api_errors.ApiErrorMiddleware",  # every error under /api/ as JSON in Chinese
    "gongzhi.core.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DATABASE_SERVER_SIDE_BINDING", True):
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ["username", "display_name", "phone", "email", "first_name", "last_name"]}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "gongzhi.lib.net.client_address"  # the client behind TRUSTED_PROXIES, as rate limits use
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# The category suggestion goes down a level of the tree only while that level's confidence is at least this
# (the classifier's leaf layer, gongzhi/lib/text/classifier.py LeafModel).
CLASSIFIER_LEAF_THRESHOLD = float(os.environ.get("CLASSIFIER_LEAF_THRESHOLD") or 0.5)

# --- Uploads and files (issue 17, findings 8, 9, 12): see docs/configuration.md -------------------------
# A request whose body is larger is refused with 413 before anything is read (core.request_limits).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 32 * 1024 * 1024)
# An uploaded .xlsx is refused before openpyxl loads it when it unpacks to more bytes or holds more cells.
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 2_000_000)
# Photos with more pixels are refused (Pillow's decompression-bomb limit, Image.MAX_IMAGE_PIXELS).
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000)
# Who sends a stored file once the view has checked the policy: "" (Django streams it), "x-accel-redirect"
# (nginx, to the internal location FILES_ACCEL_REDIRECT_PREFIX) or "x-sendfile" (Apache, lighttpd).
FILES_SENDFILE = os.environ.get("FILES_SENDFILE", "").strip().lower()
if FILES_SENDFILE not in ("", "x-accel-redirect", "x-sendfile"):
    raise ValueError('FILES_SENDFILE must be "", "x-accel-redirect" or "x-sendfile"')
FILES_ACCEL_REDIRECT_PREFIX = os.environ.get("FILES_ACCEL_REDIRECT_PREFIX", "/protected-files/")
# --- end of uploads and files ---------------------------------------------------------------------------

# Shared by every web process (rate limits on public forms must hold across processes and hosts).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "gongzhi_cache"),
    }
}

# Public forms: (requests, seconds) per client address.
APPEALS_SUBMIT_RATE = (env_int("APPEALS_SUBMIT_LIMIT", 5), env_int("APPEALS_SUBMIT_WINDOW", 600))
APPEALS_TRACK_RATE = (env_int("APPEALS_TRACK_LIMIT", 30), env_int("APPEALS_TRACK_WINDOW", 600))
# The lists' public notice: rating posts and code requests per client address.
LISTS_RATING_RATE = (env_int("LISTS_RATING_LIMIT", 20), env_int("LISTS_RATING_WINDOW", 600))
LISTS_SURVEY_RATE = (env_int("LISTS_SURVEY_LIMIT", 30), env_int("LISTS_SURVEY_WINDOW", 600))
LISTS_PHONE_CODE_TTL = env_int("LISTS_PHONE_CODE_TTL", 600)
LISTS_PHONE_CODE_ATTEMPTS = env_int("LISTS_PHONE_CODE_ATTEMPTS", 5)
LISTS_PHONE_CODE_SENDS = env_int("LISTS_PHONE_CODE_SENDS", 3)
# Residents' public forms of the meetings (an item raised for the next meeting) and the councils (proposals,
# comments, code requests): posts per client address per window (seconds).
MEETINGS_RAISE_RATE = (env_int("MEETINGS_RAISE_LIMIT", 20), env_int("MEETINGS_RAISE_WINDOW", 600))
COUNCILS_PUBLIC_RATE = (env_int("COUNCILS_PUBLIC_LIMIT", 20), env_int("COUNCILS_PUBLIC_WINDOW", 600))
# Service: residents' feedback on an activity (posts and code requests) and the public certificate check (look-ups),
# per client address per window (seconds); the seconds after a check-in before the same person may check out (a
# double tap on the code does not check them out at once).
SERVICE_FEEDBACK_RATE = (env_int("SERVICE_FEEDBACK_LIMIT", 20), env_int("SERVICE_FEEDBACK_WINDOW", 600))
SERVICE_CERTIFICATE_CHECK_RATE = (env_int("SERVICE_CERTIFICATE_CHECK_LIMIT", 30),
                                  env_int("SERVICE_CERTIFICATE_CHECK_WINDOW", 600))
SERVICE_CHECKOUT_AFTER_SECONDS = env_int("SERVICE_CHECKOUT_AFTER_SECONDS", 60)
# Evaluation: the months a part-time committee member's record is looked at by the standing title-only (空挂) check;
# a membership younger than that is not checked, and a flag kept is not raised again within it.
EVALUATION_TITLE_ONLY_MONTHS = env_int("EVALUATION_TITLE_ONLY_MONTHS", 6)
# Tracking look-ups: wrong tries per tracking code per window (seconds) before that code is locked for the window.
APPEALS_TRACK_CODE_FAILURES = (env_int("APPEALS_TRACK_CODE_FAILURES", 5), env_int("APPEALS_TRACK_CODE_WINDOW", 3600))
# One-time rating codes sent to the callback phone: lifetime (seconds), wrong tries per code, codes per appeal
# per hour.
APPEALS_RATING_CODE_TTL = env_int("APPEALS_RATING_CODE_TTL", 600)
APPEALS_RATING_CODE_ATTEMPTS = env_int("APPEALS_RATING_CODE_ATTEMPTS", 5)
APPEALS_RATING_CODE_SENDS = env_int("APPEALS_RATING_CODE_SENDS", 3)
# The three rates' rankings: a unit or subdistrict with fewer follow-ups in the month is listed but not ranked.
APPEALS_RANKING_MIN_FOLLOW_UPS = env_int("APPEALS_RANKING_MIN_FOLLOW_UPS", 5)
# What a follow-up that reached the resident (their own rating, or a follow-up call) does to the case, per
# satisfaction: "close" it; "offer_reopen" (unsatisfied only): wait for a dispatcher to reopen or close it (closed
# at once when it was reopened before); "wait": a dispatcher closes it by hand. appeals.actions.cases.after_follow_up.
APPEALS_AFTER_RATING = {
    key.strip(): value.strip()
    for key, _sep, value in (item.partition("=") for item in env_list(
        "APPEALS_AFTER_RATING", ["satisfied=close", "basically_satisfied=close", "unsatisfied=offer_reopen"]))
}
# Evaluation, property companies (物业履约评价): the appeal categories (by name, any level) whose subtrees count as the estate's
# property appeals; the weights (percent) of inspections, residents' satisfaction and the appeals in the quarterly
# score (renormalized over the parts present); the score below which the community issues a rectification notice.
EVALUATION_PROPERTY_CATEGORIES = env_list("EVALUATION_PROPERTY_CATEGORIES", ["物业管理"])
EVALUATION_PROPERTY_WEIGHTS = tuple(int(w) for w in env_list("EVALUATION_PROPERTY_WEIGHTS", ["50", "30", "20"]))
EVALUATION_PROPERTY_THRESHOLD = env_int("EVALUATION_PROPERTY_THRESHOLD", 70)

# Shared places (阵地共享): an approved room booking nobody checked into this many minutes after its start is
# released (the slot frees); places at a shared service's session are reminded this many hours before it.
VENUES_RELEASE_MINUTES = env_int("VENUES_RELEASE_MINUTES", 15)
VENUES_REMINDER_HOURS = env_int("VENUES_REMINDER_HOURS", 24)
# The public pages where residents without an account book a room or take a place (and ask for codes), per client
# address per window (seconds).
VENUES_PUBLIC_BOOKING_RATE = (env_int("VENUES_PUBLIC_BOOKING_LIMIT", 30), env_int("VENUES_PUBLIC_BOOKING_WINDOW", 600))
VENUES_PLACE_RATE = (env_int("VENUES_PLACE_LIMIT", 20), env_int("VENUES_PLACE_WINDOW", 600))
# Dispute mediation: the first follow-up visit falls due this many days after the agreement is signed.
DISPUTES_FOLLOW_UP_DAYS = env_int("DISPUTES_FOLLOW_UP_DAYS", 30)
# Searches of residents and party members by phone or ID number: (searches, seconds) per user. Only roles that
# may reveal personal data search by it at all, and each such search is audited (docs/architecture.md).
PII_SEARCH_RATE = (env_int("PII_SEARCH_LIMIT", 20), env_int("PII_SEARCH_WINDOW", 3600))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

# Behind the city's reverse proxy (docs/deployment.md). Client addresses (rate limits, login lock-outs) come from
# X-Forwarded-For, and HTTPS from X-Forwarded-Proto, only when the direct peer is one of these (IPs or CIDRs).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from _exc
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # dropped from untrusted peers (lib/net.py)
# Cookies only over HTTPS and HSTS, on unless DEBUG; `make run` (plain http on 127.0.0.1) turns SECURE_COOKIES off.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)  # sent on HTTPS answers only
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content security policy (django-csp): scripts, styles, images and connections from this site only; no inline
# script, style, style attribute or event handler anywhere (templates keep them in gongzhi/static; chart data
# goes through json_script, which is not executed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Notifications: how text messages go out ("console" logs them, masked; "memory", "none", or a dotted class path).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "").strip() or "console"
# The labelled and unlabelled citizen messages the classifier learns from (and the demo trains on).
GONGZHI_MESSAGES_DIR = Path(os.environ.get("GONGZHI_MESSAGES_DIR") or PROJECT_DIR.parent / "shared" / "data" / "messages")
# The demo accounts' password (`gongzhi demo`); empty: the published default.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")
# `gongzhi serve`: where gunicorn listens, its processes (default: one per core) and threads per process.
BIND = os.environ.get("BIND", "127.0.0.1:8000")
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", os.cpu_count() or 2)
WEB_THREADS = env_int("WEB_THREADS", 4)
# How many cases one scheduled deadline check claims per transaction (the rest wait for its next round).
DEADLINE_CHECK_BATCH = env_int("DEADLINE_CHECK_BATCH", 500)
# `gongzhi backup` without a path writes its archive here.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# Where browser tests leave screenshots for a person to look at.
GONGZHI_SHOTS_DIR = Path(os.environ.get("GONGZHI_SHOTS_DIR", "/tmp/gongzhi-shots"))  # noqa: S108

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
