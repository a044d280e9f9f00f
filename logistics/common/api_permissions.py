"""Permission classes shared by the apps' APIs."""

from rest_framework.permissions import DjangoModelPermissions


class ModelViewPermissions(DjangoModelPermissions):
    """Reads need the model's ``view`` permission (DRF's default lets any logged-in user read)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"],
                 "HEAD": ["%(app_label)s.view_%(model_name)s"]}  # fmt: skip
