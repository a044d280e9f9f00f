"""WSGI entry point (gunicorn ``logistics.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.base")
application = get_wsgi_application()
