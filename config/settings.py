"""Django settings, read from environment variables only (see README, "Configuration")."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from accounts.constants import APP_TOKEN_SPEC
from config.env import env_bool, env_float, env_int, env_list, env_str
from config.schedule import beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (a long random string), "
            "or DEBUG=1 for local development only."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    # Our apps rank from lowest to highest; provisioning migrates last (see its AppConfig).
    "core",
    "accounts",
    "rules",
    "webhooks",
    "provisioning",
]

MIDDLEWARE = [
    # GETs of the SDK endpoint take SDK_MIDDLEWARE (config/settings_sdk.py), not this list.
    "config.middleware.SdkEndpointMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # NUL in a path, parameter or header is refused with 400 before it can reach a query.
    "config.middleware.RejectNulMiddleware",
    # Web processes serve their own static files (portal CSS, API docs): nothing else to run.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost, so a view's database outage becomes a 503 before other middleware sees it.
    "config.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database: a SQLite file unless DATABASE_URL names another (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails a request (503, see config/middleware.py) within
    # seconds instead of holding a web worker for the operating system's TCP timeout.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time: start every transaction as the writer (IMMEDIATE)
    # and wait for the current one rather than fail with "database is locked"; WAL lets
    # readers go on meanwhile. Tests use a file too, as an in-memory database shared
    # between threads or processes fails concurrent writers at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"proxy-provisioning-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: process-local memory unless CACHE_URL names a Redis server.
_cache_url = env_str("CACHE_URL")
if _cache_url:
    if not _cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # A dead or hung cache server fails a cache call within these bounds; nothing
            # waits for the operating system's TCP timeouts.
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_CONNECT_TIMEOUT", 0.25, minimum=0.05),
                "socket_timeout": env_float("CACHE_SOCKET_TIMEOUT", 0.25, minimum=0.05),
            },
        }
    }
else:
    # Room for every app's SDK entry (see provisioning/sdk/entry.py) in each process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 100_000, minimum=300)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Security: strict when DEBUG is off; each switch can be relaxed from the environment
# (e.g. SECURE_SSL_REDIRECT=0 when a load balancer already redirects).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "proxy-provisioning@localhost")

# Celery: with no broker, tasks run eagerly in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
# Eager tasks never reach a broker, but Celery still builds a producer for them: the
# in-memory transport keeps it from dialling its default (amqp://localhost).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# django-celery-results' database backend, except that a failed write of a task's state
# (the database is down) is logged instead of ending the task: the task's own retry, and
# the staff action's row (provisioning's RequestActionRun), decide what happens next.
CELERY_RESULT_BACKEND = "core.results.TolerantDatabaseBackend"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue tasks are sent to and workers take from (one per deployment is enough).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cloud proxy provisioning API",
    "DESCRIPTION": "Proxy requests, IP/port whitelists for firewalls, and SDK proxy config.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed package, not a CDN: the docs work on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Allocation engine -------------------------------------------------------------------
# Provisioning policy (see provisioning/constants.py for the defaults' sources).
TEST_SET_TTL_DAYS = env_int("TEST_SET_TTL_DAYS", 30, minimum=1)
HANDOVER_GRACE_DAYS = env_int("HANDOVER_GRACE_DAYS", 7, minimum=0)
# Eager tasks (no broker) store their results too, so task ids can be looked up either way.
CELERY_TASK_STORE_EAGER_RESULT = True
# Redis redelivers a message whose worker died unacknowledged after this many seconds
# (tasks are acks_late). A short timeout also makes workers look for such messages often.
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    # Without these a broker that stops answering (but keeps its TCP connections open)
    # holds whoever sends a task forever; with them, a send fails within the bound.
    "socket_connect_timeout": env_float("BROKER_CONNECT_TIMEOUT", 2, minimum=0.1),
    "socket_timeout": env_float("BROKER_SOCKET_TIMEOUT", 5, minimum=0.1),
}
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"]
# One quick retry of a failed send, not Celery's default three: a web request that sends
# a task waits at most about two socket timeouts for a broker that is down or hung.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# How long /readyz waits for its database, cache and broker checks together.
READYZ_TIMEOUT_SECONDS = env_float("READYZ_TIMEOUT_SECONDS", 2, minimum=0.1)
if _visibility_timeout < 60:
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        unacked_restore_interval=_visibility_timeout, unacked_restore_throttle=1
    )
# Every periodic job, run by one `celery -A config beat` (config/schedule.py).
CELERY_BEAT_SCHEDULE = beat_schedule()
# The transactional outbox (core/outbox.py): a task that could not be sent is tried again
# after 2 s, doubling up to this many seconds, for as long as it takes.
OUTBOX_RETRY_MAX_SECONDS = env_float("OUTBOX_RETRY_MAX_SECONDS", 60, minimum=1)
# A staff action's task holds a lease this long while it runs (an allocation takes well
# under a second); a run whose lease ran out (its worker was killed) is queued again by
# the sweeper instead of waiting for CELERY_VISIBILITY_TIMEOUT.
ACTION_LEASE_SECONDS = env_float("ACTION_LEASE_SECONDS", 120, minimum=1)
# Fault-injection hook for tests: while this file exists, production allocation waits
# after picking its addresses. Leave unset in production.
ALLOCATION_PAUSE_FILE = env_str("ALLOCATION_PAUSE_FILE")

# --- Firewall rules and exports ----------------------------------------------------------

# --- REST API, SDK config, TURN credentials ----------------------------------------------
INSTALLED_APPS += ["corsheaders"]
# CORS answers must be added before CommonMiddleware can turn a request into a redirect.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
# Browser SDKs call the proxy config from customers' own origins; nothing else is cross-origin.
CORS_URLS_REGEX = r"^/api/v1/sdk/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "if-none-match", "accept"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Cache-Control", "X-Proxy-Config-Stale"]

REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "accounts.authentication.ApiKeyAuthentication",
            "rest_framework.authentication.SessionAuthentication",
            "accounts.authentication.StaffBasicAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        # Database outages answer 503 + Retry-After; every other error the usual way.
        "EXCEPTION_HANDLER": "provisioning.api.unavailable.exception_handler",
        # ?format= names a firewall export format, not a DRF renderer.
        "URL_FORMAT_OVERRIDE": None,
        # Proxies in front of the service that append to X-Forwarded-For; with 0, the client
        # address is REMOTE_ADDR, so a forged header can't dodge the per-IP throttle.
        "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
        # "<requests>/<second|minute|hour|day>" (see provisioning/sdk/limits.py): answers per
        # App ID (at least; more with approved concurrency), failed attempts per App ID and
        # client address, and failed attempts per client address.
        "DEFAULT_THROTTLE_RATES": {
            "sdk_app": env_str("SDK_THROTTLE_APP_RATE", "600/minute"),
            "sdk_fail": env_str("SDK_THROTTLE_FAIL_RATE", "60/minute"),
            "sdk_ip": env_str("SDK_THROTTLE_IP_RATE", "600/minute"),
        },
    }
)
SPECTACULAR_SETTINGS.update(
    {
        "COMPONENT_SPLIT_REQUEST": True,
        # Every operation documents the 400 a NUL byte anywhere in the request gets.
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "accounts.api.docs.document_refused_input",
        ],
        "SCHEMA_PATH_PREFIX": r"/api/v1",
        "APPEND_COMPONENTS": {
            "securitySchemes": {
                "AppToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": APP_TOKEN_SPEC,
                }
            }
        },
        "ENUM_NAME_OVERRIDES": {
            "RequestStatusEnum": "provisioning.choices.RequestStatus",
            "AllocationKindEnum": "provisioning.choices.AllocationKind",
            "ChangeStatusEnum": "provisioning.choices.ChangeStatus",
            "AppStatusEnum": "accounts.choices.AppStatus",
        },
    }
)

# Links in e-mails and the rules feed: config/settings_notices.py; TURN credentials, app
# tokens and the SDK path: config/settings_sdk.py.
from config.settings_notices import *  # noqa: E402, F403
from config.settings_sdk import *  # noqa: E402, F403
from config.settings_webhooks import *  # noqa: E402, F403

# Most source networks one app may list: each one multiplies the rules of some formats.
SOURCE_NETWORKS_MAX = env_int("SOURCE_NETWORKS_MAX", 256, minimum=1)
# Longest free text (request notes) accepted from the portal, the API and the admin.
NOTES_MAX_LENGTH = env_int("NOTES_MAX_LENGTH", 5000, minimum=1)

# --- Customer portal ---------------------------------------------------------------------
# Signed-out visitors of portal pages go to the portal's sign-in; the admin keeps its own.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal_dashboard"
# Portal invitation links (set a password once) expire after this many seconds.
INVITATION_TTL_SECONDS = env_int("INVITATION_TTL_SECONDS", 7 * 24 * 3600, minimum=60)
# Connectivity check links (the browser check without signing in, for a colleague inside
# the customer's network) expire after this many seconds.
CONNECTIVITY_LINK_TTL_SECONDS = env_int("CONNECTIVITY_LINK_TTL_SECONDS", 2 * 24 * 3600, minimum=60)
# Password reset links expire after this many seconds (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600, minimum=60)

# --- Sign-in: roles, lockout and password reset -----------------------------------------
# Members of suspended customers can't sign in or keep a session (accounts/backends.py).
# django-axes counts failed sign-ins (portal, admin, staff HTTP Basic) per account and per
# client address and locks either out for a while after too many.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "accounts.backends.MemberBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Trust X-Forwarded-For only as far as the API's throttles do.
AXES_IPWARE_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"] or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if REST_FRAMEWORK["NUM_PROXIES"] else ["REMOTE_ADDR"]
)
# Password reset e-mails per hour, per address asked for and per client address.
PASSWORD_RESET_RATE_PER_ACCOUNT = env_int("PASSWORD_RESET_RATE_PER_ACCOUNT", 3, minimum=1)
PASSWORD_RESET_RATE_PER_IP = env_int("PASSWORD_RESET_RATE_PER_IP", 10, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes notes every successful sign-in at INFO; lockouts are WARNING.
    "loggers": {"axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")}},
}
