"""Forms of the terminals app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Terminal


class FileImportForm(forms.Form):
    terminal = forms.ModelChoiceField(
        label=_("Terminal the file comes from"),
        queryset=Terminal.objects.exclude(serial__isnull=True).order_by("name"),
    )
    file = forms.FileField(
        label=_("Attendance file"),
        help_text=_(
            "The *_attlog.dat file from the terminal's USB stick, or a CSV/Excel export (PIN, date and time, ...)."
        ),
    )
