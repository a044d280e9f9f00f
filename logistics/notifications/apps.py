from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "logistics.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import menus  # noqa: F401  (registers the "My notifications" menu entry)
        from .models import Channel

        # Channel configuration is audited (who pointed alerts at which robot); secrets are not logged.
        auditlog.register(Channel, exclude_fields=["secret"])
