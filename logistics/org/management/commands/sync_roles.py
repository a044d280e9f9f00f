"""``manage.py sync_roles``: apply the roles declared in ``logistics.org.roles`` as groups."""

from django.core.management.base import BaseCommand

from logistics.org.roles import ROLES
from logistics.org.services import roles_sync


class Command(BaseCommand):
    help = "Create/update the role groups and their permissions (idempotent)."

    def handle(self, *args, **options):
        result = roles_sync()
        for name in result["missing"]:
            self.stderr.write(f"missing permission: {name}")
        self.stdout.write(self.style.SUCCESS(f"{len(ROLES)} roles in sync"))
