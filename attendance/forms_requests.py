"""Forms of the request pages: leave, overtime and punch-correction requests, the approver's
comment (required to reject), and the filter of "my requests".

Times are entered as local wall-clock times (the attendance rules work on those); an end time at
or before the start time means the next day (a night). The forms only shape the input: every rule
(balances, overlaps, limits) is checked by the services, whose ``DomainError`` the views show as a
form error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import LeavePortion, LeaveType, RequestKind, RequestStatus

DAY = dt.timedelta(days=1)
HALF_COLUMN = "col-12 col-sm-6"  # side by side from 576 px, stacked on a 360 px phone


def format_days(value: Decimal | int | float) -> str:
    """Days as people write them: 5, 0.5, 2.5 (never 5.0 or 1E+1)."""
    text = f"{Decimal(value).quantize(Decimal('0.1')):f}"
    return text[:-2] if text.endswith(".0") else text


def days_label(value: Decimal | int) -> str:
    """ "1 day", "0.5 days", "3 days" (the plural form chosen as for a whole number)."""
    count = 1 if Decimal(value) == 1 else 2
    return ngettext("%(days)s day", "%(days)s days", count) % {"days": format_days(value)}


def hours_label(minutes: int) -> str:
    """ "1 hour", "1.5 hours" from minutes."""
    hours = Decimal(minutes) / 60
    count = 1 if hours == 1 else 2
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": format_days(hours)}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )


def _helper(*fields) -> FormHelper:
    """No <form> tag (the templates write it, with their htmx attributes)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def _span(start: dt.date, start_time: dt.time, end_time: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """Local start and end on ``start``; an end at or before the start is the next day."""
    start_at = dt.datetime.combine(start, start_time)
    end_at = dt.datetime.combine(start, end_time)
    if end_at <= start_at:
        end_at += DAY
    return start_at, end_at


class LeaveTypeChoiceField(forms.ModelChoiceField):
    """Leave types, each labelled with what is left of its balance for the year (when it has one)."""

    def __init__(self, *args, balances: Mapping[int, Mapping[str, Decimal]] | None = None, **kwargs):
        self.balances = dict(balances or {})
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: LeaveType) -> str:
        balance = self.balances.get(obj.pk)
        if balance is None:
            return str(obj.name)
        return _("%(name)s (%(available)s of %(entitled)s days left)") % {
            "name": obj.name,
            "available": format_days(balance["available"]),
            "entitled": format_days(balance["entitled"]),
        }


class LeaveRequestForm(forms.Form):
    """Full days over a date range, half a shift (first or second half) on one day, or some hours
    on one day. ``balances`` (leave type id → ``leave_balance`` dict) labels the types."""

    leave_type = LeaveTypeChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    portion = forms.ChoiceField(
        label=_("How much"), choices=LeavePortion.choices, initial=LeavePortion.FULL, widget=forms.RadioSelect
    )
    start_date = forms.DateField(label=_("From"), widget=_date_input())
    end_date = forms.DateField(
        label=_("To"), required=False, widget=_date_input(), help_text=_("Full days only; empty: one day.")
    )
    start_time = forms.TimeField(
        label=_("From (time)"), required=False, widget=_time_input(), help_text=_("Hours only.")
    )
    end_time = forms.TimeField(
        label=_("To (time)"),
        required=False,
        widget=_time_input(),
        help_text=_("Hours only; before the start time means the next day."),
    )
    reason = _reason_field()

    def __init__(self, *args, balances: Mapping[int, Mapping[str, Decimal]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["leave_type"]
        field.queryset = LeaveType.objects.filter(is_active=True)
        field.balances = dict(balances or {})
        self.helper = _helper(
            Field("leave_type"),
            InlineRadios("portion"),
            Row(Column("start_date", css_class=HALF_COLUMN), Column("end_date", css_class=HALF_COLUMN)),
            Row(Column("start_time", css_class=HALF_COLUMN), Column("end_time", css_class=HALF_COLUMN)),
            Field("reason"),
        )

    def clean(self):
        data = super().clean()
        portion, start = data.get("portion"), data.get("start_date")
        data["start_at"] = data["end_at"] = None
        if not start:
            return data
        end = data.get("end_date")
        if portion != LeavePortion.FULL:
            if end and end != start:
                self.add_error("end_date", _("Half days and hours are for one day only."))
            end = start
        data["end_date"] = end or start
        if data["end_date"] < start:
            self.add_error("end_date", _("The end date is before the start date."))
        if portion == LeavePortion.HOURS:
            if not data.get("start_time") or not data.get("end_time"):
                self.add_error("start_time", _("Give the start and end time of the leave."))
            else:
                data["start_at"], data["end_at"] = _span(start, data["start_time"], data["end_time"])
        return data


class OvertimeRequestForm(forms.Form):
    """Overtime on one day between two times (ending the next morning when the end is earlier)."""

    date = forms.DateField(label=_("Date"), widget=_date_input())
    start_time = forms.TimeField(label=_("From"), widget=_time_input())
    end_time = forms.TimeField(
        label=_("To"), widget=_time_input(), help_text=_("Before the start time means the next day.")
    )
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("date"),
            Row(Column("start_time", css_class=HALF_COLUMN), Column("end_time", css_class=HALF_COLUMN)),
            Field("reason"),
        )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time") and data.get("end_time"):
            data["start_at"], data["end_at"] = _span(data["date"], data["start_time"], data["end_time"])
        return data


class CorrectionRequestForm(forms.Form):
    """A forgotten punch (补卡): the day and time it should have been."""

    date = forms.DateField(label=_("Date"), widget=_date_input())
    time = forms.TimeField(label=_("Time"), widget=_time_input())
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Row(Column("date", css_class=HALF_COLUMN), Column("time", css_class=HALF_COLUMN)), Field("reason")
        )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["punch_at"] = dt.datetime.combine(data["date"], data["time"])
        return data


class DecisionForm(forms.Form):
    """The approver's comment: optional to approve or cancel, required to reject."""

    comment = forms.CharField(
        label=_("Comment"), max_length=300, required=False, widget=forms.TextInput(attrs={"maxlength": 300})
    )

    def __init__(self, *args, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment_required:
            field = self.fields["comment"]
            field.required = True
            field.label = _("Reason for rejecting")
            field.error_messages["required"] = _("Say why the request is rejected.")

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if self.fields["comment"].required and not comment:
            raise forms.ValidationError(self.fields["comment"].error_messages["required"], code="required")
        return comment


class RequestFilterForm(forms.Form):
    """Filter of "my requests" (GET)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *RequestKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *RequestStatus.choices]
    )
