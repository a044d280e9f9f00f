"""Fixtures of the notification tests: people in teams, and a loopback "group robot" server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest

_employee_numbers = count(1000)


@pytest.fixture
def make_team(db):
    from logistics.org.models import Team

    def _make(code: str = "hvac", name: str = "HVAC team"):
        return Team.objects.create(code=code, name=name)

    return _make


@pytest.fixture
def make_staff(db):
    """``make_staff(name, team=..., user=..., is_active=...)``: a staff member (login optional)."""
    from logistics.org.models import Staff

    def _make(name: str, *, team=None, user=None, is_active: bool = True):
        return Staff.objects.create(
            employee_no=str(next(_employee_numbers)), name=name, team=team, user=user, is_active=is_active
        )

    return _make


class WebhookServer:
    """A group robot on a free loopback port. Records every JSON body it receives (with the query
    string) and answers from ``responses`` (status, JSON body, delay in seconds) in order; when
    they run out it answers ``200 {"errcode": 0}`` like a healthy robot."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.responses: list[tuple[int, dict, float]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                with server._lock:
                    server.received.append(
                        {
                            "path": parts.path,
                            "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                            "content_type": self.headers.get("Content-Type", ""),
                            "json": json.loads(raw or b"null"),
                        }
                    )
                    status, body, delay = (
                        server.responses.pop(0) if server.responses else (200, {"errcode": 0, "errmsg": "ok"}, 0)
                    )
                if delay:
                    time.sleep(delay)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, format, *args) -> None:  # keep the test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="webhook-server", daemon=True)

    def url(self, path: str = "/cgi-bin/webhook/send", query: str = "key=test-key") -> str:
        return f"http://127.0.0.1:{self.port}{path}?{query}"

    def answer(self, status: int, body: dict, delay: float = 0) -> None:
        self.responses.append((status, body, delay))

    def wait_for(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= n:
                return True
            time.sleep(0.1)
        return False


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
