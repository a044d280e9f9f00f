"""Demo data of the organization app: the demo hospital's people and logins.

The organization issue fills this in with campuses, departments, teams, staff and one login per
role; for now it creates the system administrator. Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

# Published on purpose: demo data only, and seed_demo refuses to run on production settings.
DEMO_PASSWORD = "Demo@2026!"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (DemoLogin("admin", "sysadmin", "系统管理员"),)


def seed(scale: str, rng: random.Random) -> dict[str, int]:
    """Create the demo logins that do not exist yet; existing accounts are left as they are."""
    User = get_user_model()
    created = 0
    for login in DEMO_LOGINS:
        user, was_created = User.objects.get_or_create(
            username=login.username,
            defaults={"display_name": login.display_name, "is_staff": True, "is_superuser": login.role == "sysadmin"},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
    return {str(_("demo logins")): created}
