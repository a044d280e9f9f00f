"""Settings for the test suite: PostgreSQL and Redis, as in production.

``make test`` starts a throwaway PostgreSQL cluster and a redis-server and exports
``DATABASE_URL`` / ``REDIS_URL``; given those variables it uses yours instead.
"""

import os

from django.core.exceptions import ImproperlyConfigured

for _name in ("DATABASE_URL", "REDIS_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(
            f"{_name} is not set: run the suite with `make test`, which starts PostgreSQL and Redis."
        )

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

if not DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    raise ImproperlyConfigured("The test suite runs on PostgreSQL: DATABASE_URL must be a postgres:// URL.")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Browser tests and the test client do not run collectstatic: serve from the finders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing
TERMINAL_TIMEOUT_SECONDS = 2  # a broken terminal fails a test in seconds, not pyzk's 60
