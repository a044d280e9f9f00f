"""Navigation entries of the notifications app."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registries import MenuEntry, menu

SECTION_ME = _("Me")

# No permissions and no roles: every logged-in user has an inbox.
menu.register(
    MenuEntry(
        key="notifications.inbox",
        label=_("My notifications"),
        description=_("Messages about your work orders, tasks and requests"),
        url_name="notifications:notification_list",
        section=SECTION_ME,
        icon="bi-bell",
        order=800,
    )
)
