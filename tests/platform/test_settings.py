"""Settings from the environment: embedded defaults, production refusals, check --deploy."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.timeout(120)

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
from logistics.celery import app
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode") if connection.vendor == "sqlite" else c.execute("SELECT 'n/a'")
    journal = c.fetchone()[0]
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "journal": journal,
    "tx": settings.DATABASES["default"].get("OPTIONS", {}).get("transaction_mode"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": app.conf.broker_url,
    "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ, "lang": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "secret": settings.SECRET_KEY,
}))
"""


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "LOGISTICS_"))}
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)


def test_embedded_defaults_with_no_environment(tmp_path):
    env = _clean_env(LOGISTICS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="logistics.settings.base")
    first = _run(["-c", PROBE], env)
    assert first.returncode == 0, first.stderr
    probe = json.loads(first.stdout)
    assert probe["db"] == "django.db.backends.sqlite3"
    assert probe["journal"] == "wal"
    assert probe["tx"] == "IMMEDIATE"
    assert probe["cache"].endswith("FileBasedCache")
    assert probe["broker"].startswith("filesystem://")
    assert (probe["tz"], probe["use_tz"], probe["lang"]) == ("Asia/Shanghai", True, "zh-hans")
    assert probe["languages"] == ["zh-hans", "en"]
    assert (tmp_path / "db.sqlite3").exists()
    secret_file = tmp_path / "secret_key"
    assert secret_file.read_text().strip() == probe["secret"] and len(probe["secret"]) >= 50
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    # The generated secret is kept: a second start signs sessions with the same key.
    second = json.loads(_run(["-c", PROBE], env).stdout)
    assert second["secret"] == probe["secret"]


def test_urls_switch_to_postgresql_and_redis(tmp_path):
    env = _clean_env(
        LOGISTICS_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="logistics.settings.base",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    result = _run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["db"] == "django.db.backends.postgresql"
    assert probe["cache"].endswith("RedisCache")
    assert probe["broker"] == os.environ["REDIS_URL"]


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "logistics.settings.production",
    "DJANGO_SECRET_KEY": "q8Vw-3zLr_Tn9XpK2mYb7HsJd4FgCe6AuR1oWiE5tZyN0vMxB-Ql",
    "DJANGO_ALLOWED_HOSTS": "logistics.hospital.example",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_variable(tmp_path, missing):
    env = _clean_env(
        LOGISTICS_VAR_DIR=str(tmp_path),
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        **PRODUCTION_ENV,
    )
    del env[missing]
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


def test_production_passes_check_deploy(tmp_path):
    env = _clean_env(
        LOGISTICS_VAR_DIR=str(tmp_path),
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        **PRODUCTION_ENV,
    )
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (2 silenced)" in result.stdout
    assert not (tmp_path / "secret_key").exists()  # production never generates its own secret


def test_production_exempts_only_the_terminal_push_path_from_https(tmp_path):
    env = _clean_env(
        LOGISTICS_VAR_DIR=str(tmp_path),
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        **PRODUCTION_ENV,
    )
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='logistics.hospital.example', raise_request_exception=False)\n"
        "print(c.get('/accounts/login/').status_code, c.get('/iclock/cdata?SN=1').status_code)\n"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    login_status, iclock_status = result.stdout.split()
    assert login_status == "301"  # plain HTTP is redirected to HTTPS ...
    assert iclock_status != "301"  # ... except what terminals push to /iclock/
