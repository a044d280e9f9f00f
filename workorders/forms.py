"""Forms of the work-order pages: the report form (phone first), the service desk's extra fields,
and one small form per step of the workflow. Forms check shape and size; the services decide
whether a step is allowed (and say why not)."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logistics.org.models import Department, Location, Staff, Vendor

from .attachments import ACCEPT_IMAGES, ACCEPT_REPORTS
from .models import Category, HoldReason, Priority
from .services import TEXT_MAX, TITLE_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the phone's camera or gallery); each is checked by the service."""

    def __init__(self, *args, accept: str = ACCEPT_IMAGES, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, widget=MultipleFileInput(attrs={"accept": accept, "multiple": True}), **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def location_choices() -> list:
    """Active locations grouped by campus and building, for the location picker."""
    groups: dict[str, list] = {}
    rows = (
        Location.objects.filter(is_active=True)
        .select_related("campus", "building")
        .order_by("campus__code", "building__code", "code")
    )
    for loc in rows:
        group = f"{loc.campus.name} · {loc.building.name}" if loc.building_id else str(loc.campus.name)
        groups.setdefault(group, []).append((loc.pk, f"{loc.name} ({loc.code})"))
    return [("", "---------"), *groups.items()]


class ReportForm(forms.Form):
    """Report a fault: what, where, how urgent, photos. One screen on a phone."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ModelChoiceField(label=_("What kind of problem"), queryset=Category.objects.none())
    location = forms.TypedChoiceField(label=_("Location"), coerce=int, required=False, empty_value=None)
    equipment = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Air conditioner leaking")}),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=TEXT_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    priority = forms.ChoiceField(label=_("Urgency"), choices=Priority.choices, initial=Priority.NORMAL)
    contact = forms.CharField(label=_("Contact phone"), max_length=60, required=False)
    photos = MultipleFileField(label=_("Photos"))
    confirm_duplicate = forms.BooleanField(label=_("Report it anyway"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["location"].choices = location_choices()
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())

    def clean_location(self):
        pk = self.cleaned_data.get("location")
        if pk is None:
            return None
        location = Location.objects.filter(pk=pk, is_active=True).select_related("department", "building").first()
        if location is None:
            raise ValidationError(_("Choose a location from the list."))
        return location

    def clean_equipment(self):
        from equipment.selectors import equipment_by_token

        token = self.cleaned_data.get("equipment")
        if not token:
            return None
        item = equipment_by_token(token)
        if item is None or item.status == item.Status.RETIRED:
            raise ValidationError(_("This item of equipment is unknown or retired."))
        return item

    def clean(self):
        data = super().clean()
        item = data.get("equipment")
        if item is not None and not data.get("location"):
            data["location"] = item.location
        if not data.get("location") and not item and not self.data.get("department"):
            self.add_error("location", _("Say where the problem is."))
        return data


class ServiceDeskForm(forms.Form):
    """What the service desk adds when a caller phoned: who called and for which department."""

    caller_employee_no = forms.CharField(label=_("Caller's employee number"), max_length=24, required=False)
    caller_name = forms.CharField(label=_("Caller's name"), max_length=40, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("campus", "code")

    def clean_caller_employee_no(self):
        number = self.cleaned_data["caller_employee_no"].strip()
        if not number:
            return None
        staff = Staff.objects.filter(employee_no=number, is_active=True).first()
        if staff is None:
            raise ValidationError(
                _("No active staff member has employee number %(number)s."), params={"number": number}
            )
        return staff


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("Waiting for"), choices=HoldReason.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class CompleteForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.CharField(label=_("Cause"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    actions = forms.CharField(label=_("Actions taken"), max_length=TEXT_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    labour_minutes = forms.IntegerField(label=_("Labour (minutes)"), min_value=0, max_value=24 * 60 * 7, initial=0)
    photos = MultipleFileField(label=_("Photos"))
    vendor_report = MultipleFileField(label=_("Vendor's report (PDF or photo)"), accept=ACCEPT_REPORTS)


class VerifyForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Is the problem solved?"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("Yes, close the order")), ("no", _("No, reopen it"))],
    )  # fmt: skip
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, required=False, empty_value=None,
                                    choices=[("", "—"), *[(i, "★" * i) for i in range(5, 0, -1)]])  # fmt: skip
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("accept") is True and not data.get("rating"):
            self.add_error("rating", _("Rate the work from 1 to 5."))
        if data.get("accept") is False and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what is still wrong."))
        return data


class DispatchForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Technician"), queryset=Staff.objects.none(), required=False)
    vendor = forms.ModelChoiceField(label=_("or a vendor"), queryset=Vendor.objects.none(), required=False)

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(is_active=True, team__isnull=False).select_related("team")
        if team is not None:
            staff = staff.filter(team=team)
        self.fields["assignee"].queryset = staff.order_by("team__code", "employee_no")
        self.fields["assignee"].label_from_instance = lambda s: f"{s.name} · {s.team.name}"
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee")) == bool(data.get("vendor")):
            raise ValidationError(_("Choose a technician or a vendor."))
        return data


class HelpersForm(forms.Form):
    helpers = forms.ModelMultipleChoiceField(
        label=_("Helpers"), queryset=Staff.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(is_active=True, team__isnull=False).select_related("team")
        self.fields["helpers"].queryset = staff.order_by("team__code", "employee_no")
        self.fields["helpers"].label_from_instance = lambda s: f"{s.name} · {s.team.name}"


class AssistanceForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Help from (kind of work)"), queryset=Category.objects.none())
    description = forms.CharField(label=_("What help is needed"), max_length=TEXT_MAX,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AttachForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"))


class ArriveForm(forms.Form):
    code = forms.CharField(label=_("Scanned code"), max_length=500)
