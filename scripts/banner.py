"""Prints where the running system is and how to log in.

``--plan``: before the processes start. ``--wait``: run as a Procfile process; waits until
/healthz answers 200, prints the URL and the demo logins, then idles (honcho stops every process
when one exits, so this one stays until Ctrl-C).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

URL = f"http://127.0.0.1:{os.environ.get('LOGISTICS_PORT', '8000')}"


def demo_logins() -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "logistics.settings.base")
    import django

    django.setup()
    from logistics.org.demo import DEMO_LOGINS, DEMO_PASSWORD

    return [{"username": d.username, "role": d.role, "password": DEMO_PASSWORD} for d in DEMO_LOGINS]


def health() -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{URL}/healthz", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except (OSError, ValueError):
        return 0, {}


def main() -> None:
    if "--plan" in sys.argv:
        port = int(os.environ.get("LOGISTICS_PORT", "8000"))
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                sys.exit(
                    f"Port {port} on 127.0.0.1 is already in use (is the system already running?). "
                    "Stop it, or start on another port: LOGISTICS_PORT=8001 make run"
                )
        print("Starting web, worker and beat; the address and logins follow once /healthz is green.", flush=True)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deadline, status, body = time.monotonic() + 180, 0, {}
    while time.monotonic() < deadline:
        status, body = health()
        if status == 200:
            break
        time.sleep(2)
    down = [name for name, check in body.get("checks", {}).items() if check.get("required") and not check.get("ok")]
    lines = [
        "",
        "=" * 64,
        f"  Hospital logistics is running: {URL}/",
        f"  Login page:  {URL}/accounts/login/",
        f"  Health:      {URL}/healthz ({'all parts up' if status == 200 else 'DOWN: ' + ', '.join(down or ['web'])})",
        "  Demo logins (user / role / password):",
        *(f"    {d['username']:<22} {d['role']:<22} {d['password']}" for d in demo_logins()),
        "  Press Ctrl-C to stop everything.",
        "=" * 64,
        "",
    ]
    print("\n".join(lines), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
