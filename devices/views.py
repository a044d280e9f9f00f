"""Pages of the terminals app: terminal list with live state, terminal detail, file import,
unknown PINs. Writes go through services and tasks."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from attendance.selectors import unknown_pins
from logistics.common.errors import DomainError
from logistics.common.outbox import enqueue

from . import push_commands, selectors
from .fileimport import file_import, parse_file
from .forms import FileImportForm
from .models import Terminal
from .tasks import pull_terminal, sync_users

IMPORT_CACHE_SECONDS = 30 * 60


class TerminalListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """All terminals with their live state; the table refreshes itself every 15 s (htmx)."""

    permission_required = "devices.view_terminal"
    template_name = "devices/terminal_list.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["devices/partials/_terminal_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["terminals"] = selectors.terminals_visible_to(self.request.user)
        context["pending"] = selectors.pending_devices()[:20]
        return context


class TerminalDetailView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "devices.view_terminal"
    template_name = "devices/terminal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        terminal = get_object_or_404(selectors.terminals_visible_to(self.request.user), pk=self.kwargs["pk"])
        context.update(
            terminal=terminal,
            runs=selectors.runs_of(terminal),
            quarantined=selectors.quarantined_of(terminal),
            commands=selectors.commands_of(terminal) if terminal.mode != Terminal.Mode.PULL else [],
        )
        return context


class _TerminalTaskView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Queue a task for a pulled terminal through the outbox (a broker outage loses nothing)."""

    permission_required = "devices.change_terminal"
    task = None
    message = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        terminal = get_object_or_404(selectors.terminals_visible_to(request.user), pk=pk)
        if not terminal.pulls or not terminal.enabled:
            messages.error(request, _("This terminal is not pulled (push only, or disabled)."))
        else:
            enqueue(self.task, terminal.pk)
            messages.success(request, self.message % {"name": terminal.name})
        return redirect("devices:terminal_detail", pk=terminal.pk)


class TerminalSyncView(_TerminalTaskView):
    """ "Sync now": queue a pull of this terminal."""

    task = pull_terminal
    message = gettext_lazy("A pull of %(name)s is queued; the page shows the result when it is done.")


class TerminalUsersSyncView(_TerminalTaskView):
    """Enrol the attendance-tracked staff on this terminal (and remove leavers after a pull)."""

    task = sync_users
    message = gettext_lazy("Sending the staff list to %(name)s; the result appears under Runs.")


class TerminalCommandView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Commands for a pushing terminal, handed out at its next poll: re-send the punches of the last
    N days, set the clock, report its state."""

    permission_required = "devices.change_terminal"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        terminal = get_object_or_404(selectors.terminals_visible_to(request.user), pk=pk)
        action = request.POST.get("action")
        try:
            if action == "resend":
                days = max(1, min(int(request.POST.get("days") or 7), 90))
                end = timezone.now()
                push_commands.command_queue_attlog_query(
                    terminal=terminal, start=end - timedelta(days=days), end=end, actor=request.user
                )
            elif action == "time":
                push_commands.command_queue_time_set(terminal=terminal, actor=request.user)
            elif action == "info":
                push_commands.command_queue_info(terminal=terminal, actor=request.user)
            else:
                raise DomainError(_("Unknown command."))
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("The command is queued; the terminal receives it at its next poll."))
        return redirect("devices:terminal_detail", pk=terminal.pk)


class FileImportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Upload a USB attendance file, see the preview, then import."""

    permission_required = "devices.change_terminal"
    template_name = "devices/file_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": FileImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("token")
        if token:
            return self._apply(request, token)
        form = FileImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            report = parse_file(name=upload.name, data=data)
        except DomainError as exc:
            form.add_error("file", exc.message)
            return render(request, self.template_name, {"form": form})
        token = secrets.token_urlsafe(16)
        cache.set(
            f"devices.import.{token}",
            {"terminal": form.cleaned_data["terminal"].pk, "name": upload.name, "data": data},
            IMPORT_CACHE_SECONDS,
        )
        request.session["devices_import_token"] = token
        context = {"form": form, "report": report, "token": token, "terminal": form.cleaned_data["terminal"]}
        return render(request, self.template_name, context)

    def _apply(self, request: HttpRequest, token: str) -> HttpResponse:
        stored = cache.get(f"devices.import.{token}") if request.session.get("devices_import_token") == token else None
        if stored is None:
            messages.error(request, _("The checked file is no longer available. Please upload it again."))
            return redirect("devices:file_import")
        terminal = get_object_or_404(Terminal, pk=stored["terminal"])
        try:
            report = file_import(terminal=terminal, name=stored["name"], data=stored["data"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("devices:file_import")
        cache.delete(f"devices.import.{token}")
        request.session.pop("devices_import_token", None)
        return render(request, self.template_name, {"form": FileImportForm(), "done": report, "terminal": terminal})


class UnknownPinsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """PINs with punches that belong to nobody yet: kept, and counted once a mapping exists."""

    permission_required = "attendance.view_punch"
    template_name = "devices/unknown_pins.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pins"] = unknown_pins()
        return context
