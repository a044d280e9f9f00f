"""Platform pages: home (per role) and /healthz."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import health
from .registries import menu_for, menu_sections, panels_for


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's entry points, drawn from the menu registry, and above them the panels apps
    register for the home page (``DetailPanel`` with target "home", rendered for the user; each
    panel's HTML is its own card)."""

    template_name = "common/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = menu_sections(menu_for(self.request.user))
        context["panels"] = panels_for("home", self.request.user, self.request)
        return context


@method_decorator(never_cache, name="dispatch")
class HealthView(View):
    """JSON state of every part; HTTP 200 only when all required parts are up, else 503."""

    def get(self, request: HttpRequest) -> JsonResponse:
        healthy, checks = health.run_checks()
        body = {"status": "ok" if healthy else "down", "time": timezone.localtime().isoformat(), "checks": checks}
        return JsonResponse(body, status=200 if healthy else 503)
