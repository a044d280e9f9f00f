"""The platform's own navigation entries."""

from django.utils.translation import gettext_lazy as _

from .registries import MenuEntry, menu

SECTION_SYSTEM = _("System")

menu.register(
    MenuEntry(
        key="platform.admin",
        label=_("Configuration"),
        description=_("Master data, rules and permissions"),
        url_name="admin:index",
        section=SECTION_SYSTEM,
        icon="bi-gear",
        order=900,
        staff_only=True,
    )
)
menu.register(
    MenuEntry(
        key="platform.api_docs",
        label=_("API documentation"),
        description=_("Browse and try the REST API"),
        url_name="api-docs",
        section=SECTION_SYSTEM,
        icon="bi-braces",
        order=910,
        staff_only=True,
    )
)
