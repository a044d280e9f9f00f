"""Production settings: PostgreSQL, Redis, TLS terminated by nginx.

Refuses to start unless DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL and DJANGO_ALLOWED_HOSTS are set,
and passes ``manage.py check --deploy``; the two warnings silenced below carry their reason.
"""

import os

REQUIRED = ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS")
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise SystemExit(
        "logistics.settings.production: missing required environment variable(s): "
        + ", ".join(_missing)
        + " (see .env.example)"
    )

from .base import *  # noqa: E402,F403
from .base import DATABASES, SILENCED_SYSTEM_CHECKS, env  # noqa: E402

if not DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    raise SystemExit("logistics.settings.production: DATABASE_URL must point at PostgreSQL (postgres://...).")

DEBUG = False
# Never relax two-factor login in production, whatever the environment says.
OTP_RELAX_FOR_DEMO_ACCOUNTS = False

# nginx terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env.bool("DJANGO_USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = True
# ZKTeco terminals push attendance over plain HTTP (most firmware cannot do TLS): the ADMS path
# stays reachable on the plain-HTTP listener that nginx limits to the terminal network.
SECURE_REDIRECT_EXEMPT = [r"^iclock/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS is off by default: hospitals start on a self-signed intranet certificate, and HSTS would
# lock every browser out of the site until the hospital installs its own trusted certificate.
# Set DJANGO_SECURE_HSTS_SECONDS once a trusted certificate is in place.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = False

SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,
    # security.W004 (SECURE_HSTS_SECONDS unset): see the HSTS note above (self-signed intranet
    # certificate until the hospital installs its own).
    "security.W004",
]
if SECURE_HSTS_SECONDS:
    SILENCED_SYSTEM_CHECKS.remove("security.W004")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
