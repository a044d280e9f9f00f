"""`.env.example` documents every variable the settings and the compose file read."""

from __future__ import annotations

import re

from tests.conftest import ROOT

# Set per service inside docker-compose.yml or by Docker itself, not in .env.
COMPOSE_INTERNAL = {"HOSTNAME", "LOGISTICS_WORKER_NAME", "LOGISTICS_WORKER_QUEUES", "POSTGRES_USER", "POSTGRES_DB"}


def _documented() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_every_setting_variable_is_documented():
    read = set()
    for path in (ROOT / "logistics" / "settings").glob("*.py"):
        read |= set(re.findall(r'env\.\w+\("([A-Z][A-Z0-9_]+)"', path.read_text()))
        read |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', path.read_text()))
    read |= {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"}
    assert read - _documented() == set()


def test_every_compose_variable_is_documented():
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert used - COMPOSE_INTERNAL - _documented() == set()
