from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "logistics.common"
    label = "common"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import menus  # noqa: F401  (registers the platform's own menu entries)
