"""Forms of the roster pages: one cell, a bulk change of selected cells, applying a rotation,
copying a week or a month, importing a file. They validate input against the team (its people,
its shift types); the services check the roster itself."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.org.models import Staff, Team

from .models import RosterPattern, ShiftType
from .roster_excel import REST_WORDS

STEP_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_SELECTION = 5000
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's picker wants ISO dates


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


class CellForm(forms.Form):
    """The shifts of one person on one day; none ticked means a rest day."""

    shifts = forms.ModelMultipleChoiceField(
        label=_("Shifts"),
        queryset=ShiftType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for a rest day. Two shifts on one day must not overlap."),
    )

    def __init__(self, *args, shifts: list[ShiftType], current: list[ShiftType], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Shift types no longer in use stay offered when the cell has them, so keeping them works.
        ids = {s.pk for s in shifts} | {s.pk for s in current}
        self.fields["shifts"].queryset = ShiftType.objects.filter(pk__in=ids).order_by("start", "code")
        if not self.is_bound:
            self.initial["shifts"] = [s.pk for s in current]


class BulkForm(forms.Form):
    """Selected person-days (whole rows, whole day columns, their crossing, single cells) and
    what to give them all: one shift, or rest."""

    REST = "rest"

    value = forms.ChoiceField(label=_("Set the selected days to"))
    staff = forms.TypedMultipleChoiceField(coerce=int, required=False)
    day = forms.MultipleChoiceField(required=False)
    cell = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, shifts: list[ShiftType], people: list[Staff], days: list[dt.date], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shift_by_pk = {str(s.pk): s for s in shifts}
        self.people = {p.pk: p for p in people}
        self.days = days
        self.fields["value"].choices = [
            ("", _("Choose…")),
            (self.REST, _("Rest day (clear)")),
            *((str(s.pk), f"{s.code} · {s.name}") for s in shifts),
        ]
        self.fields["staff"].choices = [(p.pk, p.name) for p in people]
        self.fields["day"].choices = [(d.isoformat(), d.isoformat()) for d in days]
        self.fields["cell"].choices = [(f"{p.pk}:{d.isoformat()}", "") for p in people for d in days]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        rows = [self.people[pk] for pk in data.get("staff", [])]
        days = [_parse_date(text) for text in data.get("day", [])]
        picked: dict[tuple[int, dt.date], tuple[Staff, dt.date]] = {}
        if rows or days:
            for person in rows or self.people.values():
                for day in days or self.days:
                    picked[(person.pk, day)] = (person, day)
        for key in data.get("cell", []):
            pk, _sep, text = key.partition(":")
            person, day = self.people[int(pk)], _parse_date(text)
            picked[(person.pk, day)] = (person, day)
        if not picked:
            raise ValidationError(_("Select people, days or cells first."))
        if len(picked) > MAX_SELECTION:
            raise ValidationError(_("Select at most %(max)d cells at once.") % {"max": MAX_SELECTION})
        data["cells"] = sorted(picked.values(), key=lambda item: (item[0].pk, item[1]))
        value = data["value"]
        data["shifts"] = [] if value == self.REST else [self.shift_by_pk[value]]
        return data


def parse_steps(text: str, shifts: list[ShiftType]) -> list[ShiftType | None]:
    """A typed rotation ("D E N - -") as shift types and rest days (None). Rest is written as
    "-", "休", "rest" or "off"; codes are matched exactly, then ignoring case, before rest words."""
    exact = {s.code: s for s in shifts}
    folded = {s.code.casefold(): s for s in shifts}
    steps: list[ShiftType | None] = []
    unknown = []
    for word in (w for w in STEP_SEPARATORS.split(text.strip()) if w):
        if (shift := exact.get(word) or folded.get(word.casefold())) is not None:
            steps.append(shift)
        elif word.casefold() in REST_WORDS:
            steps.append(None)
        else:
            unknown.append(word)
    if unknown:
        raise ValidationError(_("Unknown shift codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    return steps


class PatternApplyForm(forms.Form):
    """Roll a rotation over a date range for chosen people, optionally staggered, optionally
    saving a typed rotation for later."""

    pattern = forms.ModelChoiceField(
        label=_("Saved pattern"), queryset=RosterPattern.objects.none(), required=False, empty_label=_("— none —")
    )
    steps = forms.CharField(
        label=_("Or type the rotation"),
        required=False,
        max_length=400,
        help_text=_("Shift codes in order, one per day, separated by spaces; “-” for a rest day. "
                    "Example: D E N - -"),
    )  # fmt: skip
    staff = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=Staff.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To (inclusive)"), widget=DATE_WIDGET)
    stagger = forms.IntegerField(
        label=_("Stagger"),
        min_value=0,
        max_value=62,
        initial=0,
        help_text=_("Each next person starts this many steps later in the rotation (0: everyone in step)."),
    )
    save_as = forms.CharField(
        label=_("Save the typed rotation as"),
        required=False,
        max_length=50,
        help_text=_("Optional: a name, to pick it from the list next time."),
    )

    def __init__(self, *args, team: Team, shifts: list[ShiftType], patterns: list[RosterPattern], people, **kwargs):
        super().__init__(*args, **kwargs)
        self.team, self.shifts = team, shifts
        self.fields["pattern"].queryset = RosterPattern.objects.filter(pk__in=[p.pk for p in patterns])
        self.fields["staff"].queryset = people
        self.fields["staff"].label_from_instance = lambda s: f"{s.name} ({s.employee_no})"

    def clean(self):
        data = super().clean()
        pattern, steps = data.get("pattern"), (data.get("steps") or "").strip()
        if pattern and steps:
            raise ValidationError(_("Choose a saved pattern or type a rotation, not both."))
        if not pattern and not steps:
            raise ValidationError(_("Choose a saved pattern or type a rotation."))
        if steps:
            try:
                data["sequence"] = parse_steps(steps, self.shifts)
            except ValidationError as exc:
                self.add_error("steps", exc)
                return data
            if not data["sequence"] or all(step is None for step in data["sequence"]):
                self.add_error("steps", _("A rotation needs at least one shift."))
        elif data.get("save_as"):
            self.add_error("save_as", _("Only a typed rotation can be saved."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data


class CopyForm(forms.Form):
    """Copy a week (Monday to Sunday) or a month of the team's roster onto another one."""

    WEEK, MONTH = "week", "month"

    mode = forms.ChoiceField(
        label=_("Copy"),
        choices=[(WEEK, _("A week (Monday–Sunday)")), (MONTH, _("A month"))],
        widget=forms.RadioSelect,
        initial=WEEK,
    )
    source = forms.DateField(
        label=_("From the week or month of"),
        widget=DATE_WIDGET,
        help_text=_("Any day in it."),
    )
    target = forms.DateField(
        label=_("Onto the week or month of"),
        widget=DATE_WIDGET,
        help_text=_("Any day in it. Its days are replaced, rest days included."),
    )

    def clean(self):
        data = super().clean()
        mode, source, target = data.get("mode"), data.get("source"), data.get("target")
        if not (mode and source and target):
            return data
        if mode == self.WEEK:
            start = source - dt.timedelta(days=source.weekday())
            data["range"] = (start, start + dt.timedelta(days=6), target - dt.timedelta(days=target.weekday()))
        else:
            from .selectors_roster import month_bounds

            first, last = month_bounds(source)
            target_first, target_last = month_bounds(target)
            length = min((last - first).days, (target_last - target_first).days)
            data["range"] = (first, first + dt.timedelta(days=length), target_first)
        if data["range"][0] == data["range"][2]:
            raise ValidationError(_("The target is the same as the source."))
        return data


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        help_text=_("The layout of the roster export: employee number, name, then one date per column."),
    )


class RosterPatternAdminForm(forms.ModelForm):
    """A saved rotation in the configuration: its steps typed as shift codes."""

    steps = forms.CharField(
        label=_("Steps"),
        max_length=400,
        help_text=_("Shift codes in order, one per day, separated by spaces; “-” for a rest day. "
                    "Example: D E N - -"),
    )  # fmt: skip

    class Meta:
        model = RosterPattern
        fields = ("name", "team")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            codes = dict(ShiftType.objects.filter(pk__in=self.instance.sequence).values_list("pk", "code"))
            self.initial["steps"] = " ".join(codes.get(s, "?") if s else "-" for s in self.instance.sequence)

    def clean(self):
        data = super().clean()
        team = data.get("team")
        shifts = ShiftType.objects.filter(is_active=True)
        shifts = shifts.filter(Q(team=team) | Q(team__isnull=True)) if team else shifts.filter(team__isnull=True)
        if data.get("steps"):
            try:
                sequence = parse_steps(data["steps"], list(shifts))
            except ValidationError as exc:
                self.add_error("steps", exc)
                return data
            if all(step is None for step in sequence):
                self.add_error("steps", _("A rotation needs at least one shift."))
            elif len(sequence) > 62:
                self.add_error("steps", _("A pattern has at most 62 steps."))
            self.instance.sequence = [step.pk if step else None for step in sequence]
        return data
