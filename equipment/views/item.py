"""Pages of the equipment ledger: an item's page (facts, status history, certificates, documents,
and panels other apps register: its work orders) and the phone landing page of its QR label."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views import View

from logistics.common.registries import landing_links, panels_for

from ..models import Equipment
from ..selectors import equipment_by_token


class DetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "equipment.view_equipment"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(
            Equipment.objects.select_related("category__parent", "location__campus", "location__building",
                                             "department", "maintainer_team", "maintainer_vendor"), pk=pk)  # fmt: skip
        parameters = [(p, item.parameters.get(p.key)) for p in item.category.parameters.all()]
        return render(request, "equipment/detail.html", {
            "item": item,
            "parameters": parameters,
            "history": item.status_changes.select_related("actor__staff").order_by("-at")[:50],
            "certificates": item.certificates.all(),
            "documents": item.documents.all(),
            "today": timezone.localdate(),
            "panels": panels_for("equipment", item, request),
        })  # fmt: skip


class LandingView(LoginRequiredMixin, View):
    """What a phone shows after scanning an item's label: the item and what can be done with it
    (actions other apps register: report a fault, arrived for my work order ...)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        item = equipment_by_token(token)
        if item is None:
            return render(request, "org/scan_unknown.html", {"code": token}, status=404)
        actions = landing_links("equipment", item, request.user)
        return render(request, "equipment/landing.html", {"item": item, "actions": actions})


urlpatterns = [path("<int:pk>/", DetailView.as_view(), name="detail")]
root_urlpatterns = [path("e/<str:token>", LandingView.as_view(), name="equipment_landing")]
