"""Test harness shared by every app's tests.

- Network guard: tests may only talk to loopback (the PostgreSQL, Redis, terminal simulator and
  live servers they start themselves).
- Users: ``make_user`` and one fixture per role (the organization issue adds the role fixtures;
  ``sysadmin_user`` exists from the start), and ``client_as`` for a logged-in test client.
- Services: ``redis_server`` starts a private redis-server that a test may stop and restart;
  ``celery_broker`` points the Celery app at a given broker for the duration of a test.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

# --- loopback-only network guard ------------------------------------------------------------
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


class NetworkAccessError(RuntimeError):
    """Raised when a test tries to reach anything but this machine."""


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkAccessError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkAccessError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect_ex(self, address)


def pytest_configure(config):
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """Every test ends on the site's language. The test client runs requests in the test's own
    thread, and the locale middleware leaves a request's language (say, Accept-Language: en) active
    there; texts a later test stores from that thread (a quarantine reason) would be English."""
    yield
    from django.utils import translation

    translation.deactivate()


# --- users -------------------------------------------------------------------------------------
@pytest.fixture
def make_user(db):
    """``make_user("name", roles=[...], **fields)``: a login with the given role groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    def _make(username: str = "user", *, password: str = "Test-pass-2026", roles: tuple[str, ...] = (), **fields):
        user = get_user_model().objects.create_user(username=username, password=password, **fields)
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        user.raw_password = password
        return user

    return _make


@pytest.fixture
def sysadmin_user(make_user):
    return make_user("sysadmin-test", is_staff=True, is_superuser=True)


@pytest.fixture
def plain_user(make_user):
    """A login with no role at all."""
    return make_user("plain")


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the test client logged in as ``user``. Accounts whose role requires
    two-factor login get a confirmed authenticator and a verified session (``verified=False``
    leaves the second step to the test)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from logistics.org.twofactor import requires_2fa

    def _login(user, *, verified: bool = True):
        client.force_login(user)
        if verified and requires_2fa(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


# --- Redis you can stop --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server on a free loopback port, started and stopped by the test."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed: apt-get install -y redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_celery_connections(app) -> None:
    import kombu

    kombu.pools.reset()  # closes and forgets every pooled connection, whatever broker it was for
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def _celery_broker(url: str):
    from logistics.celery import app

    # The app reads its settings with the CELERY_ namespace: the key is the Django setting name.
    previous = app.conf["CELERY_BROKER_URL"]
    _reset_celery_connections(app)
    app.conf["CELERY_BROKER_URL"] = url
    try:
        yield app
    finally:
        _reset_celery_connections(app)
        app.conf["CELERY_BROKER_URL"] = previous


@pytest.fixture
def celery_broker():
    """``with celery_broker(url) as app:`` publish through another broker inside the block."""
    return _celery_broker


@pytest.fixture
def subprocess_env(live_db_url) -> dict[str, str]:
    """Environment for a child process (worker, manage.py) that must see the test database."""
    env = dict(os.environ)
    env["DATABASE_URL"] = live_db_url
    env["DJANGO_SETTINGS_MODULE"] = "logistics.settings.test"
    return env


@pytest.fixture
def live_db_url(transactional_db) -> str:
    """URL of the test database as the test process sees it (``test_<name>``)."""
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def celery_worker_factory(subprocess_env, tmp_path):
    """``celery_worker_factory(redis_url=None)``: start a real Celery worker process (solo pool)
    on the test database and the given Redis (default: the session's); stopped after the test,
    its log printed on failure."""
    processes: list[tuple[subprocess.Popen, Path]] = []

    def _start(redis_url: str | None = None) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(processes)}.log"
        env = subprocess_env | ({"REDIS_URL": redis_url} if redis_url else {})
        command = [
            sys.executable, "-m", "celery", "-A", "logistics", "worker", "--pool", "solo",
            "--without-mingle", "--without-gossip", "-Q", "default,devices,reports",
            "--hostname", f"itest-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "INFO",
        ]  # fmt: skip
        with log.open("w") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append((process, log))
        return process

    yield _start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        print(log.read_text()[-3000:])


@pytest.fixture
def celery_worker_process(celery_worker_factory):
    """A real Celery worker process on the session's Redis and the test database."""
    from logistics.celery import app

    app.control.purge()  # leftovers other tests published must not run against this database
    return celery_worker_factory()


def race(*steps) -> list[str]:
    """Run each step at the same moment in its own thread (its own database connection) and return
    the sorted outcomes: "ok", or the class name of the ``DomainError`` it raised."""
    import threading

    from django.db import connection

    from logistics.common.errors import DomainError

    barrier = threading.Barrier(len(steps))
    outcomes: list[str] = []

    def run(step):
        try:
            barrier.wait(timeout=10)
            step()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


def wait_for(predicate, timeout: float = 45.0, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


# --- attendance terminals ---------------------------------------------------------------------
# Fixtures for terminal tests.
#
# ``terminal_simulator(**options)`` starts a ``devices.simulator.TerminalSimulator`` in this process on
# a free loopback port (TCP and UDP) and stops it after the test. Every constructor option is a
# keyword: ``users`` (a number or (pin, name) pairs), ``password``, ``serial``, ``device_name``,
# ``platform``, ``firmware``, ``mac``, ``time_zone``, ``clock_offset``, ``history_days``, ``seed``,
# ``punch_rate``, ``chunk_mode`` ("single" | "prepare" | "packets"), ``inline_max``, ``udp``,
# ``session_id``, ``strict_checksums``; faults: ``close_after_bytes``, ``stall_after_bytes``,
# ``fault_limit``, ``reply_delay``, ``split_replies``, ``garbage_if_enabled``, ``bad_date_records``,
# ``garbage_records``; push: ``push_url``, ``realtime``, ``push_options`` (``delay``, ``error_delay``,
# ``trans_interval``, ``batch_size``, ``encoding``, ``timeout``, ``clock_from_server``). ``start=False``
# returns it unstarted (fill it, then call ``.start()``); it is stopped after the test either way.
#
# The returned simulator has ``.host``, ``.port``, ``.serial``, ``.users``, ``.attendance``,
# ``.enabled`` (settable), ``.clock_offset``, ``.device_now()``, ``.commands`` (names received, as in
# pyzk's const.py without ``CMD_``; 1503 is ``PREPARE_BUFFER``, 1504 ``READ_BUFFER``),
# ``.faults`` (changeable while running), ``.add_user(pin, name)``, ``.add_punch(pin, dt)``,
# ``.add_raw_punch(pin, y, m, d, ...)``, ``.punch(pin)`` (waits while disabled), ``.pending_punches``,
# ``.clear_attendance()``, ``.push`` (the push client in push mode) and ``.state`` (everything else).
# ``zk_client(sim, **kw)`` gives a pyzk ``ZK`` for it with the test defaults (no ping, 2 s timeout).


@pytest.fixture
def terminal_simulator():
    from devices.simulator import TerminalSimulator

    started: list[TerminalSimulator] = []

    def _start(*, start: bool = True, **options) -> TerminalSimulator:
        options.setdefault("host", "127.0.0.1")
        options.setdefault("port", 0)
        simulator = TerminalSimulator(**options)
        started.append(simulator)
        return simulator.start() if start else simulator

    yield _start
    for simulator in reversed(started):
        simulator.stop()


@pytest.fixture
def zk_client():
    """``zk_client(sim, **kwargs)``: an unconnected pyzk 0.9 ``ZK`` pointed at a simulator."""
    from zk import ZK

    def _client(simulator, **kwargs):
        kwargs.setdefault("ommit_ping", True)
        kwargs.setdefault("timeout", 2)
        return ZK(simulator.host, port=simulator.port, **kwargs)

    return _client
