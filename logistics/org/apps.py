from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "logistics.org"
    label = "org"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.models import Group

        from . import menus, models  # noqa: F401  (menus registers navigation and scan resolvers)

        # Audit trail of configuration and people data; permission changes through the m2m fields.
        auditlog.register(
            models.User,
            exclude_fields=["password", "last_login"],
            m2m_fields={"groups", "user_permissions"},
        )
        auditlog.register(Group, m2m_fields={"permissions"})
        auditlog.register(models.ApiToken, exclude_fields=["key_hash", "last_used_at"])
        for model in (
            models.Campus,
            models.Building,
            models.Floor,
            models.Department,
            models.Location,
            models.Vendor,
            models.VendorContact,
            models.Team,
            models.Staff,
        ):
            auditlog.register(model)
