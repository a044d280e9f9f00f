"""Pages of the organization app: locations and their QR labels, the QR landing page, the
scan resolver, and the staff directory (scoped)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from logistics.common.registries import landing_links, resolve_scan

from . import qr, selectors
from .models import Building, Campus, Department

LABELS_PER_SHEET = 24  # 3 × 8 on A4
MAX_LABELS = 2000


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class _LocationFilterMixin:
    def filters(self) -> dict:
        get = self.request.GET
        return {
            "campus": _int(get.get("campus")),
            "building": _int(get.get("building")),
            "department": _int(get.get("department")),
            "search": (get.get("q") or "").strip()[:100],
        }


class LocationListView(LoginRequiredMixin, PermissionRequiredMixin, _LocationFilterMixin, ListView):
    """Locations with filters, and the way to print their QR labels."""

    permission_required = "org.view_location"
    template_name = "org/location_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.locations_for_labels(**self.filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campuses=Campus.objects.filter(is_active=True),
            buildings=Building.objects.filter(is_active=True).select_related("campus"),
            departments=Department.objects.filter(is_active=True).only("pk", "name"),
            current=self.filters(),
            query=self.request.GET.urlencode(),
        )
        return context


class LocationLabelsView(LoginRequiredMixin, PermissionRequiredMixin, _LocationFilterMixin, TemplateView):
    """Printable A4 sheets of QR labels (3 × 8 per page) for the filtered locations."""

    permission_required = "org.view_location"
    template_name = "org/location_labels.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locations = list(selectors.locations_for_labels(**self.filters())[:MAX_LABELS])
        labels = [{"location": loc, "url": qr.location_url(loc.qr_token)} for loc in locations]
        for label in labels:
            label["svg"] = qr.qr_svg(label["url"], size_mm=28)
        context["sheets"] = [labels[i : i + LABELS_PER_SHEET] for i in range(0, len(labels), LABELS_PER_SHEET)]
        context["count"] = len(labels)
        return context


class LocationLandingView(LoginRequiredMixin, View):
    """What a phone shows after scanning a location's label: the place and what can be done there
    (actions registered by other apps: report a repair, check in, transport scan, ...)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        location = selectors.location_by_token(token)
        if location is None:
            return render(request, "org/scan_unknown.html", {"code": token}, status=404)
        actions = landing_links("location", location, request.user)
        return render(request, "org/location_landing.html", {"location": location, "actions": actions})


class ScanView(LoginRequiredMixin, View):
    """``/scan/?code=...``: any printed code, typed by a keyboard-wedge scanner or pasted, opens
    its page through the resolvers the apps register."""

    def get(self, request: HttpRequest) -> HttpResponse:
        code = (request.GET.get("code") or "").strip()
        if not code:
            return render(request, "org/scan.html")
        if len(code) <= 500:
            url = resolve_scan(code, request.user)
            if url:
                return redirect(url)
        return render(request, "org/scan_unknown.html", {"code": code[:100]}, status=404)


class StaffListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The staff directory, scoped: team leads see their teams, managers and dispatchers everyone."""

    permission_required = "org.view_staff"
    template_name = "org/staff_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = selectors.staff_visible_to(self.request.user).filter(is_active=True)
        search = (self.request.GET.get("q") or "").strip()[:50]
        if search:
            qs = qs.filter(name__icontains=search) | qs.filter(employee_no__istartswith=search)
        return qs.order_by("team__code", "employee_no")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search"] = (self.request.GET.get("q") or "").strip()[:50]
        return context


class StaffDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "org.view_staff"
    template_name = "org/staff_detail.html"
    context_object_name = "person"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.staff_visible_to(self.request.user), pk=self.kwargs["pk"])
