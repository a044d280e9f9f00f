"""Pages of the attendance app: the roster (排班). A month grid per team (people × days) with
conflicts flagged; editing one cell in a dialog (htmx), several at once, rolling a rotation over a
date range, copying a week or a month, Excel export and import. Team leads edit the teams they
lead, the attendance administrator every team; managers read. Writes go through the roster
services; a team out of the user's scope is a 404."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from logistics.common.errors import DomainError
from logistics.org.models import Staff, Team

from .. import selectors_roster as sel
from ..forms_roster import BulkForm, CellForm, CopyForm, PatternApplyForm, RosterImportForm
from ..models import RosterEntry
from ..roster_excel import XLSX_CONTENT_TYPE, roster_workbook
from ..services import roster as services

IMPORT_CACHE_SECONDS = 30 * 60
MAX_WARNINGS_SHOWN = 10


def _month_of(request: HttpRequest, default: dt.date | None = None) -> dt.date:
    """The month a page works on: ``?month=YYYY-MM``, else ``default``, else this month."""
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError:
        return (default or timezone.localdate()).replace(day=1)


def _month_url(team: Team, month: dt.date) -> str:
    return reverse("attendance:roster_month", args=[team.pk, month.year, month.month])


def _report(change: services.RosterChange, success: str) -> list[tuple[str, str]]:
    """Feedback of an operation: what changed, then its warnings (the first few)."""
    feedback = [("success", success if change.changed else _("Nothing changed: the roster was already like this."))]
    shown = change.warnings[:MAX_WARNINGS_SHOWN]
    feedback += [("warning", text) for text in shown]
    if len(change.warnings) > len(shown):
        hidden = len(change.warnings) - len(shown)
        feedback.append(("warning", _("Further warnings not shown: %(count)d.") % {"count": hidden}))
    return feedback


class _RosterMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """The team of the URL, within what the user may see (or edit, for ``edit`` views)."""

    permission_required = "attendance.view_rosterentry"
    edit = False

    @cached_property
    def editable_teams(self):
        return sel.roster_teams_editable_by(self.request.user)

    @cached_property
    def team(self) -> Team:
        teams = self.editable_teams if self.edit else sel.roster_teams_visible_to(self.request.user)
        return get_object_or_404(teams, pk=self.kwargs["team"])

    @cached_property
    def can_edit(self) -> bool:
        return self.editable_teams.filter(pk=self.team.pk).exists()

    def page_context(self, **extra) -> dict:
        """What the action pages share: the team, the month they came from and the way back."""
        month = _month_of(self.request)
        return {"team": self.team, "month_param": f"{month:%Y-%m}", "back_url": _month_url(self.team, month), **extra}

    def grid_context(self, month: dt.date, feedback: list[tuple[str, str]] | None = None) -> dict:
        grid = sel.roster_month(team=self.team, month=month)
        return {
            "team": self.team,
            "grid": grid,
            "editable": self.can_edit,
            "feedback": feedback or [],
            "month_param": month.strftime("%Y-%m"),
            # Cell links are this prefix + staff id + date: one reverse() instead of one per cell.
            "cell_base": reverse("attendance:roster_cell", args=[self.team.pk, 1, "x"]).removesuffix("1/x/"),
        }


class _EditMixin(_RosterMixin):
    permission_required = "attendance.change_rosterentry"
    edit = True


class RosterIndexView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """``/attendance/roster/``: the first team the user may see, this month."""

    permission_required = "attendance.view_rosterentry"

    def get(self, request: HttpRequest) -> HttpResponse:
        team = sel.roster_teams_editable_by(request.user).first() or sel.roster_teams_visible_to(request.user).first()
        if team is None:
            return render(request, "attendance/roster_month.html", {"no_team": True})
        return redirect(_month_url(team, _month_of(request)))


class RosterMonthView(_RosterMixin, View):
    """The month grid of a team; with htmx only the grid (after a change, or month navigation)."""

    def get(self, request: HttpRequest, team: int, year: int, month: int) -> HttpResponse:
        try:
            first = dt.date(year, month, 1)
        except ValueError as exc:
            raise Http404 from exc
        context = self.grid_context(first)
        if request.htmx and request.htmx.target == "roster-grid":
            return render(request, "attendance/partials/_roster_grid.html", context)
        visible = sel.roster_teams_visible_to(request.user)
        context.update(
            teams=list(visible),
            changes=sel.roster_changes(team=self.team, month=first),
            today_month=timezone.localdate().replace(day=1),
        )
        return render(request, "attendance/roster_month.html", context)


class RosterCellView(_EditMixin, View):
    """One person-day: the shifts to give them (a dialog with htmx, a page without)."""

    def setup_cell(self, staff: int, day: str) -> None:
        self.person = get_object_or_404(Staff.objects.select_related("team"), pk=staff, team=self.team)
        try:
            self.day = dt.date.fromisoformat(day)
        except ValueError as exc:
            raise Http404 from exc
        self.current = [
            e.shift
            for e in RosterEntry.objects.select_related("shift")
            .filter(staff=self.person, date=self.day)
            .order_by("shift__start")
        ]

    def render_form(self, form: CellForm) -> HttpResponse:
        context = {"form": form, "team": self.team, "person": self.person, "day": self.day, "current": self.current}
        context["month_param"] = self.day.strftime("%Y-%m")
        template = "attendance/partials/_roster_cell_form.html" if self.request.htmx else "attendance/roster_cell.html"
        return render(self.request, template, context)

    def get(self, request: HttpRequest, team: int, staff: int, day: str) -> HttpResponse:
        self.setup_cell(staff, day)
        return self.render_form(CellForm(shifts=sel.shifts_for_team(self.team), current=self.current))

    def post(self, request: HttpRequest, team: int, staff: int, day: str) -> HttpResponse:
        self.setup_cell(staff, day)
        data = request.POST.copy()
        if data.get("rest"):  # the "Rest day" button: whatever was ticked, clear the day
            data.setlist("shifts", [])
        form = CellForm(data, shifts=sel.shifts_for_team(self.team), current=self.current)
        if form.is_valid():
            try:
                change = services.roster_set_day(
                    staff=self.person, day=self.day, shifts=list(form.cleaned_data["shifts"]), actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                label = {"name": self.person.name, "date": self.day.isoformat()}
                feedback = _report(change, _("Saved %(name)s on %(date)s.") % label)
                return _after_change(request, self, self.day.replace(day=1), feedback)
        return self.render_form(form)


def _after_change(request: HttpRequest, view: _RosterMixin, month: dt.date, feedback) -> HttpResponse:
    """With htmx: the refreshed grid in place of the old one (the dialog closes on
    ``rosterSaved``). Without: back to the month page with the feedback as messages."""
    if request.htmx:
        response = render(request, "attendance/partials/_roster_grid.html", view.grid_context(month, feedback))
        response["HX-Retarget"] = "#roster-grid"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Trigger"] = json.dumps({"rosterSaved": True})
        return response
    for level, text in feedback:
        getattr(messages, level)(request, text)
    return redirect(_month_url(view.team, month))


class RosterBulkView(_EditMixin, View):
    """Give the selected person-days one shift, or rest."""

    def post(self, request: HttpRequest, team: int) -> HttpResponse:
        month = _month_of(request)
        first, last = sel.month_bounds(month)
        people = list(sel.roster_staff_rows(self.team, first, last))
        form = BulkForm(
            request.POST,
            shifts=sel.shifts_for_team(self.team),
            people=people,
            days=[first + dt.timedelta(days=n) for n in range((last - first).days + 1)],
        )
        if not form.is_valid():
            errors = [str(e) for errors in form.errors.values() for e in errors]
            return _after_change(request, self, month, [("danger", text) for text in errors])
        try:
            change = services.roster_bulk_set(
                cells=form.cleaned_data["cells"], shifts=form.cleaned_data["shifts"], actor=request.user
            )
        except DomainError as exc:
            return _after_change(request, self, month, [("danger", exc.message)])
        done = _("Days changed: %(count)d.") % {"count": len(change.changed_cells)}
        return _after_change(request, self, month, _report(change, done))


class RosterPatternApplyView(_EditMixin, View):
    """Roll a rotation (saved or typed) over a date range for chosen people."""

    template_name = "attendance/roster_pattern.html"

    def form(self, data=None) -> PatternApplyForm:
        month = _month_of(self.request)
        first, last = sel.month_bounds(month)
        people = Staff.objects.filter(team=self.team, is_active=True, attendance_tracked=True).order_by("employee_no")
        initial = {"start": first, "end": last, "stagger": 0, "staff": list(people)}
        return PatternApplyForm(
            data,
            initial=initial,
            team=self.team,
            shifts=sel.shifts_for_team(self.team),
            patterns=sel.patterns_for_team(self.team),
            people=people,
        )

    def render_page(self, form: PatternApplyForm) -> HttpResponse:
        context = self.page_context(
            form=form, patterns=sel.pattern_rows(self.team), shifts=sel.shifts_for_team(self.team)
        )
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest, team: int) -> HttpResponse:
        return self.render_page(self.form())

    def post(self, request: HttpRequest, team: int) -> HttpResponse:
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        people = list(data["staff"])
        offsets = {person.pk: index * data["stagger"] for index, person in enumerate(people)}
        try:
            change = services.roster_apply_pattern(
                pattern=data["pattern"] or data["sequence"],
                staff=people,
                start=data["start"],
                end=data["end"],
                offsets=offsets,
                actor=request.user,
            )
            if data.get("save_as"):
                services.roster_pattern_create(
                    name=data["save_as"], team=self.team, sequence=data["sequence"], actor=request.user
                )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.render_page(form)
        done = _("The rotation is applied. Days changed: %(count)d.") % {"count": len(change.changed_cells)}
        for level, text in _report(change, done):
            getattr(messages, level)(request, text)
        return redirect(_month_url(self.team, data["start"].replace(day=1)))


class RosterPatternDeleteView(_EditMixin, View):
    """Delete a saved rotation of this team (shared ones are managed in the configuration)."""

    def post(self, request: HttpRequest, team: int, pk: int) -> HttpResponse:
        pattern = get_object_or_404(self.team.roster_patterns.all(), pk=pk)
        services.roster_pattern_delete(pattern=pattern, actor=request.user)
        messages.success(request, _("The pattern %(name)s is deleted.") % {"name": pattern.name})
        url = reverse("attendance:roster_pattern_apply", args=[self.team.pk])
        return redirect(f"{url}?month={_month_of(request).strftime('%Y-%m')}")


class RosterCopyView(_EditMixin, View):
    """Copy a week or a month of the team's roster onto another week or month."""

    template_name = "attendance/roster_copy.html"

    def get(self, request: HttpRequest, team: int) -> HttpResponse:
        month = _month_of(request)
        today = timezone.localdate()
        source = today if today.replace(day=1) == month else month
        form = CopyForm(initial={"mode": CopyForm.WEEK, "source": source, "target": source + dt.timedelta(days=7)})
        return render(request, self.template_name, self.page_context(form=form))

    def post(self, request: HttpRequest, team: int) -> HttpResponse:
        form = CopyForm(request.POST)
        context = self.page_context(form=form)
        if not form.is_valid():
            return render(request, self.template_name, context)
        source_start, source_end, target_start = form.cleaned_data["range"]
        try:
            change = services.roster_copy(
                team=self.team,
                source_start=source_start,
                source_end=source_end,
                target_start=target_start,
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return render(request, self.template_name, context)
        target_end = target_start + (source_end - source_start)
        done = _("Copied %(source)s onto %(target)s. Days changed: %(count)d.") % {
            "source": f"{source_start:%m-%d}–{source_end:%m-%d}",
            "target": f"{target_start:%m-%d}–{target_end:%m-%d}",
            "count": len(change.changed_cells),
        }
        for level, text in _report(change, done):
            getattr(messages, level)(request, text)
        return redirect(_month_url(self.team, target_start.replace(day=1)))


class RosterExportView(_RosterMixin, View):
    """The month grid as an Excel file (the import reads the same layout)."""

    def get(self, request: HttpRequest, team: int, year: int, month: int) -> HttpResponse:
        try:
            first = dt.date(year, month, 1)
        except ValueError as exc:
            raise Http404 from exc
        data = roster_workbook(sel.roster_month(team=self.team, month=first))
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="roster-{self.team.code}-{first:%Y-%m}.xlsx"'
        return response


class RosterImportView(_EditMixin, View):
    """Upload a roster file, see per row what would change and what is wrong, then import. A
    file with any error imports nothing."""

    template_name = "attendance/roster_import.html"

    def get(self, request: HttpRequest, team: int) -> HttpResponse:
        return render(request, self.template_name, self.page_context(form=RosterImportForm()))

    def post(self, request: HttpRequest, team: int) -> HttpResponse:
        token = request.POST.get("token")
        if token:
            return self.apply(request, token)
        form = RosterImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.page_context(form=form))
        data = form.cleaned_data["file"].read()
        try:
            report = services.roster_import(team=self.team, file=data, actor=request.user, dry_run=True)
        except DomainError as exc:
            form.add_error("file", exc.message)
            return render(request, self.template_name, self.page_context(form=form))
        token = ""
        if report.can_apply:
            token = secrets.token_urlsafe(16)
            cache.set(f"attendance.roster_import.{token}", {"team": self.team.pk, "data": data}, IMPORT_CACHE_SECONDS)
            request.session["roster_import_token"] = token
        return render(request, self.template_name, self.page_context(form=form, report=report, token=token))

    def apply(self, request: HttpRequest, token: str) -> HttpResponse:
        key = f"attendance.roster_import.{token}"
        stored = cache.get(key) if request.session.get("roster_import_token") == token else None
        here = reverse("attendance:roster_import", args=[self.team.pk])
        if stored is None or stored["team"] != self.team.pk:
            messages.error(request, _("The checked file is no longer available. Please upload it again."))
            return redirect(here)
        try:
            report = services.roster_import(team=self.team, file=stored["data"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(here)
        cache.delete(key)
        request.session.pop("roster_import_token", None)
        if not report.applied:  # the roster changed meanwhile and the file now conflicts
            return render(request, self.template_name, self.page_context(form=RosterImportForm(), report=report))
        done = _("The file is imported. Days changed: %(count)d.") % {"count": len(report.change.changed_cells)}
        for level, text in _report(report.change, done):
            getattr(messages, level)(request, text)
        return redirect(_month_url(self.team, min(report.dates).replace(day=1)))


urlpatterns = [
    path("roster/", RosterIndexView.as_view(), name="roster"),
    path("roster/<int:team>/<int:year>/<int:month>/", RosterMonthView.as_view(), name="roster_month"),
    path("roster/<int:team>/<int:year>/<int:month>/export.xlsx", RosterExportView.as_view(), name="roster_export"),
    path("roster/<int:team>/cell/<int:staff>/<str:day>/", RosterCellView.as_view(), name="roster_cell"),
    path("roster/<int:team>/bulk/", RosterBulkView.as_view(), name="roster_bulk"),
    path("roster/<int:team>/pattern/", RosterPatternApplyView.as_view(), name="roster_pattern_apply"),
    path("roster/<int:team>/pattern/<int:pk>/delete/", RosterPatternDeleteView.as_view(), name="roster_pattern_delete"),
    path("roster/<int:team>/copy/", RosterCopyView.as_view(), name="roster_copy"),
    path("roster/<int:team>/import/", RosterImportView.as_view(), name="roster_import"),
]


def register_menu() -> None:
    """Menu entries of these pages (called from AttendanceConfig.ready)."""
    from logistics.common.registries import MenuEntry, menu

    menu.register(
        MenuEntry(
            key="attendance.roster",
            label=gettext_lazy("Roster"),
            description=gettext_lazy("Shifts per team and month: patterns, copy, Excel"),
            url_name="attendance:roster",
            section=gettext_lazy("Attendance"),
            icon="bi-calendar3-week",
            order=110,
            permissions=("attendance.view_rosterentry",),
        )
    )
