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


def _example_values() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def test_a_copied_env_example_starts_the_production_settings(tmp_path):
    """An operator copies .env.example, fills in the required values, leaves the rest: it starts."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "LOGISTICS_"))}
    env.update(_example_values())
    env.update(
        DJANGO_SECRET_KEY="q8Vw-3zLr_Tn9XpK2mYb7HsJd4FgCe6AuR1oWiE5tZyN0vMxB-Ql",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        LOGISTICS_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stdout + result.stderr
