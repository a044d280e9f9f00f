"""Opens every page of the navigation as each demo login against a running server and fails on
any server error. Used by the SQLite lane of CI against the embedded-defaults run.

    python scripts/smoke_pages.py http://127.0.0.1:8000
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(
    r'<a[^>]+data-(?:nav|home)-entry="[^"]*"[^>]*href="([^"#]+)"|<a[^>]+href="([^"#]+)"[^>]+data-(?:nav|home)-entry='
)


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")


def main(base: str) -> int:
    failures: list[str] = []
    checked = 0

    def check(what: str, status: int, ok: bool) -> None:
        nonlocal checked
        checked += 1
        mark = "ok " if ok else "FAIL"
        print(f"  {mark} {status} {what}")
        if not ok:
            failures.append(f"{what}: HTTP {status}")

    anonymous = Session(base)
    status, body = anonymous.get("/healthz")
    check("/healthz", status, status == 200)
    if status != 200:
        print(body)
    status, body = anonymous.get("/accounts/login/")
    check("/accounts/login/ (Chinese)", status, status == 200 and "登录" in body)

    logins = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "demo_logins", "--json"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
    )
    for login in logins:
        session = Session(base)
        session.get("/accounts/login/")
        status, body = session.post(
            "/accounts/login/",
            {"username": login["username"], "password": login["password"], "csrfmiddlewaretoken": session.csrf()},
        )
        logged_in = status == 200 and 'action="/accounts/logout/"' in body
        check(f"login as {login['username']} ({login['role']})", status, logged_in)
        if not logged_in:
            continue
        paths = {"/", "/accounts/password_change/"}
        paths |= {a or b for a, b in LINK.findall(body)}
        for path in sorted(paths):
            status, _ = session.get(path)
            check(f"{login['username']}: {path}", status, status == 200)
    print(f"smoke: {checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
