"""Fails when the message catalogs are stale or the Chinese catalog is incomplete.

Runs ``makemessages`` (as ``make messages`` does) and checks that it changes nothing but dates,
that every zh_Hans entry is translated and not fuzzy, and that each committed ``.mo`` matches its
``.po``. Restores the catalogs afterwards, so it never edits the tree. Needs gettext.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
IGNORE = ["--ignore", ".venv/*", "--ignore", "node_modules/*", "--ignore", "var/*", "--ignore", "tests/*"]
DATE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date):.*\n', re.MULTILINE)


def main() -> int:
    problems: list[str] = []
    backup = Path(tempfile.mkdtemp()) / "locale"
    shutil.copytree(LOCALE, backup)
    try:
        for domain in ("django", "djangojs"):
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-d",
                    domain,
                    "-l",
                    "zh_Hans",
                    "-l",
                    "en",
                    "--no-location",
                    "-v",
                    "0",
                    *IGNORE,
                ],
                cwd=ROOT,
                check=True,
            )
        for po in sorted(LOCALE.rglob("*.po")):
            old = backup / po.relative_to(LOCALE)
            if not old.exists() or DATE.sub("", old.read_text()) != DATE.sub("", po.read_text()):
                problems.append(f"{po.relative_to(ROOT)} is stale: run `make messages` and translate")
            if "zh_Hans" in po.parts:
                for flag in ("--untranslated", "--only-fuzzy"):
                    out = subprocess.run(
                        ["msgattrib", flag, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
                    ).stdout
                    ids = [m for m in re.findall(r'^msgid "(.*)"$', out, re.MULTILINE) if m]
                    if ids:
                        kind = "untranslated" if flag == "--untranslated" else "fuzzy"
                        problems.append(f"{po.relative_to(ROOT)}: {len(ids)} {kind}: {', '.join(ids[:8])}")
    finally:
        shutil.rmtree(LOCALE)
        shutil.copytree(backup, LOCALE)
    for po in sorted(LOCALE.rglob("*.po")):
        mo = po.with_suffix(".mo")
        with tempfile.NamedTemporaryFile(suffix=".mo") as fresh:
            subprocess.run(["msgfmt", "--check-format", "-o", fresh.name, str(po)], check=True)
            if not mo.exists() or Path(fresh.name).read_bytes() != mo.read_bytes():
                problems.append(f"{mo.relative_to(ROOT)} does not match its .po: run `make messages-compile`")
    for problem in problems:
        print(f"translations: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
