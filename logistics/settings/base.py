"""Settings shared by every environment, read from the environment (django-environ).

With no environment at all the project runs on its embedded defaults: SQLite in WAL mode under
``var/``, Celery on the filesystem transport under ``var/``, a file-based cache under ``var/`` and a
secret key generated once and kept in ``var/``. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis (broker and cache). ``.env.example`` documents every variable.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# An empty value counts as unset everywhere below (an .env file may list a variable blank).
VAR_DIR = Path(env.str("LOGISTICS_VAR_DIR", default="") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A secret generated on first start and kept in ``var/secret_key`` (mode 0600)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Project apps first so their templates and translations take precedence.
    "logistics.common",
    "logistics.org",
    "logistics.notifications",
    "logistics.dashboard",
    "attendance",
    "devices",
    "equipment",
    "workorders",
    "spareparts",
    "transport",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "logistics.org.middleware.AccessPolicyMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "logistics.urls"
WSGI_APPLICATION = "logistics.wsgi.application"
AUTH_USER_MODEL = "org.User"

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
                "logistics.common.context_processors.platform",
                "logistics.org.context_processors.security",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode with IMMEDIATE transactions, so the web, worker, beat and
# terminal-simulator processes can write at once (writers queue on the busy timeout instead of
# failing with "database is locked" on a read-to-write upgrade).
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "logistics",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # Shared by every process of the embedded run (a local-memory cache would not be).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery (see logistics/celery.py) ---------------------------------------------------------
BROKER_FILESYSTEM_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Publishing happens after a commit inside a web request: fail fast, the outbox keeps it.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "visibility_timeout": 3600,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("queue", "processed", "control"):
        (BROKER_FILESYSTEM_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(BROKER_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(BROKER_FILESYSTEM_DIR / "processed"),
        "control_folder": str(BROKER_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Seconds after which the worker heartbeat counts as stale in /healthz.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=120)
# Outbox rows older than this that are still unpublished are picked up by the relay.
OUTBOX_RELAY_GRACE_SECONDS = env.int("OUTBOX_RELAY_GRACE_SECONDS", default=10)

# --- Attendance terminals ---------------------------------------------------------------------
# Seconds pyzk waits for a terminal's answer; a pull's lease lasts at most this long.
TERMINAL_TIMEOUT_SECONDS = env.int("TERMINAL_TIMEOUT_SECONDS", default=10)
TERMINAL_PULL_LEASE_SECONDS = env.int("TERMINAL_PULL_LEASE_SECONDS", default=600)
# Send each campus's pulls to its own queue (devices.<campus code>) for a worker inside that network.
TERMINAL_QUEUE_PER_CAMPUS = env.bool("TERMINAL_QUEUE_PER_CAMPUS", default=False)
# A Fernet key for secrets stored encrypted (terminal comm passwords); default: derived from the secret key.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- Attendance rules ----------------------------------------------------------------------------
# Whether overtime requests and punch corrections need the attendance administrator after the team lead.
ATTENDANCE_OVERTIME_ADMIN_APPROVAL = env.bool("ATTENDANCE_OVERTIME_ADMIN_APPROVAL", default=True)
ATTENDANCE_CORRECTION_ADMIN_APPROVAL = env.bool("ATTENDANCE_CORRECTION_ADMIN_APPROVAL", default=False)
# How far back a forgotten punch may be asked for, and how many per person and month (0 = no limit).
ATTENDANCE_CORRECTION_MAX_DAYS = env.int("ATTENDANCE_CORRECTION_MAX_DAYS", default=31)
ATTENDANCE_CORRECTIONS_PER_MONTH = env.int("ATTENDANCE_CORRECTIONS_PER_MONTH", default=3)

# --- Work orders ---------------------------------------------------------------------------------
# Completed orders the requester has not verified within this many days close by themselves.
WORKORDER_AUTO_CLOSE_DAYS = env.int("WORKORDER_AUTO_CLOSE_DAYS", default=3)
# Time on hold (waiting for parts, the vendor, access) does not count against the resolution target.
WORKORDER_SLA_EXCLUDE_HOLD = env.bool("WORKORDER_SLA_EXCLUDE_HOLD", default=True)
# Photos: largest upload accepted (MiB), how many per order; larger images are scaled down on upload.
WORKORDER_PHOTO_MAX_MB = env.int("WORKORDER_PHOTO_MAX_MB", default=10)
WORKORDER_PHOTOS_PER_ORDER = env.int("WORKORDER_PHOTOS_PER_ORDER", default=12)

# --- Equipment -----------------------------------------------------------------------------------
# Cost of an hour of labour on the equipment KPIs (0: the maintenance cost is the parts alone).
EQUIPMENT_LABOUR_RATE_PER_HOUR = env.float("EQUIPMENT_LABOUR_RATE_PER_HOUR", default=0.0)

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts before any check
    "logistics.org.auth.UsernameOrEmployeeNoBackend",
]
# Password policy (graded protection level 3): length, character classes, no reuse; expiry per role.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "logistics.org.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {
        "NAME": "logistics.org.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env.int("PASSWORD_MIN_CLASSES", default=3)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "logistics.org.validators.PasswordHistoryValidator",
        "OPTIONS": {"remember": env.int("PASSWORD_HISTORY", default=5)},
    },
]
# Days after which a password must be changed: per role ({role: days}, 0 = never; privileged
# roles default to 90, see logistics/org/roles.py) and for every other account.
PASSWORD_EXPIRY_DAYS = (
    env.dict("PASSWORD_EXPIRY_DAYS", cast={"value": int}) if env.str("PASSWORD_EXPIRY_DAYS", default="") else {}
)
PASSWORD_EXPIRY_DEFAULT_DAYS = env.int("PASSWORD_EXPIRY_DEFAULT_DAYS", default=0)

# Lockout (django-axes): 5 failures lock the account (not the IP: nurse stations share PCs and
# sit behind proxies) for 15 minutes; username and employee number count as one account.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "logistics.org.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "logistics.org.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Proxies in front of Django (nginx = 1) so the recorded client address is the real one.
AXES_IPWARE_PROXY_COUNT = int(env.str("PROXY_COUNT", default="") or 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 (lockout not keyed on the IP address): deliberate, see above. The key is the
    # account itself, so rotating user agents, cookies or addresses does not reset the count.
    "axes.W006",
]

# Idle sessions end after this many minutes without a page view (background polling excluded).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)

# Two-factor login (django-otp, TOTP + backup codes): required for privileged roles. The demo run
# on embedded defaults relaxes it for the printed demo accounts only (banner on every page);
# production settings force it off.
OTP_TOTP_ISSUER = "Hospital logistics"
OTP_RELAX_FOR_DEMO_ACCOUNTS = env.bool("OTP_RELAX_FOR_DEMO_ACCOUNTS", default=not env.str("DATABASE_URL", default=""))

# Audit trail (django-auditlog + axes' access logs): kept this many days (at least 183).
AUDIT_RETENTION_DAYS = max(env.int("AUDIT_RETENTION_DAYS", default=400), 183)
AUDITLOG_INCLUDE_ALL_MODELS = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Each language is named in itself in the switcher, so the names are not translated.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default="") or VAR_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default="") or VAR_DIR / "media")
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party front-end assets come from npm packages installed at setup (package-lock.json);
# nothing third-party is committed. Each package's distribution folder is mounted under vendor/.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Forms, API -----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes failures 401 rather than 403.
        "logistics.org.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "logistics.org.api_auth.TokenHasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "logistics.common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hospital logistics API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Served from the sidecar package: the hospital intranet has no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set where several models call their field "kind".
    "ENUM_NAME_OVERRIDES": {"AttendanceRequestKindEnum": "attendance.models.requests.RequestKind"},
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# smtp://user:password@mail.hospital.example:587/?tls=True ; the default prints mail to the log.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="logistics@localhost")
