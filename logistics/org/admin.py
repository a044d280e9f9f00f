"""Admin of the organization app: every model with search, filters and useful columns."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import models
from .admin_io import ExcelImportExportMixin
from .api_auth import API_SCOPES, api_token_issue, api_token_revoke
from .twofactor import requires_2fa


@admin.register(models.User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Security"), {"fields": ("display_name", "must_change_password", "password_changed_at")}),
    )
    readonly_fields = ("password_changed_at", "last_login", "date_joined")
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login", "password_changed_at")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("username", "display_name", "email", "staff__employee_no", "staff__name")


class BuildingInline(admin.TabularInline):
    model = models.Building
    extra = 0
    fields = ("code", "name", "sort_order", "is_active")


@admin.register(models.Campus)
class CampusAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "short_name")
    inlines = [BuildingInline]


class FloorInline(admin.TabularInline):
    model = models.Floor
    extra = 0


@admin.register(models.Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "campus", "sort_order", "is_active")
    list_filter = ("campus", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("campus",)
    inlines = [FloorInline]


@admin.register(models.Floor)
class FloorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "building", "level")
    list_filter = ("building__campus",)
    search_fields = ("code", "name", "building__name")
    list_select_related = ("building__campus",)


@admin.register(models.Department)
class DepartmentAdmin(ExcelImportExportMixin, admin.ModelAdmin):
    import_kind = "departments"
    list_display = ("code", "name", "kind", "campus", "parent", "phone", "is_active")
    list_filter = ("campus", "kind", "is_active")
    search_fields = ("code", "name", "phone")
    list_select_related = ("campus", "parent")
    autocomplete_fields = ("parent",)


@admin.register(models.Location)
class LocationAdmin(ExcelImportExportMixin, admin.ModelAdmin):
    import_kind = "locations"
    list_display = ("code", "name", "kind", "campus", "building", "floor", "department", "is_active")
    list_filter = ("campus", "kind", "is_active", "building")
    search_fields = ("code", "name", "department__name", "qr_token")
    list_select_related = ("campus", "building", "floor", "department")
    autocomplete_fields = ("department",)
    readonly_fields = ("qr_token",)


class VendorContactInline(admin.TabularInline):
    model = models.VendorContact
    extra = 0


@admin.register(models.Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "services", "phone", "contract_end", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "services", "phone", "contacts__name")
    inlines = [VendorContactInline]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "campus", "lead", "vendor", "is_active")
    list_filter = ("kind", "campus", "is_active")
    search_fields = ("code", "name", "lead__name")
    list_select_related = ("campus", "lead", "vendor")
    autocomplete_fields = ("lead",)


@admin.register(models.Staff)
class StaffAdmin(ExcelImportExportMixin, admin.ModelAdmin):
    import_kind = "staff"
    list_display = (
        "employee_no",
        "name",
        "department",
        "team",
        "position",
        "employment_type",
        "attendance_tracked",
        "is_active",
        "user",
    )
    list_filter = ("employment_type", "attendance_tracked", "is_active", "team", "department__campus", "gender")
    search_fields = ("employee_no", "name", "phone", "user__username")
    list_select_related = ("department", "team", "user")
    autocomplete_fields = ("department", "team", "user", "vendor")


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=[], widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = models.ApiToken
        fields = ("name", "user", "scopes", "expires_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = list(API_SCOPES.items())

    def clean_user(self):
        user = self.cleaned_data["user"]
        if requires_2fa(user):
            raise forms.ValidationError(_("Accounts whose role requires two-factor login cannot hold API tokens."))
        return user


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix", "user", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    fields = (
        "name",
        "user",
        "scopes",
        "expires_at",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("name", "user", "scopes", "expires_at") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = api_token_issue(
            name=obj.name, user=obj.user, scopes=list(obj.scopes or []), actor=request.user, expires_at=obj.expires_at
        )
        obj.pk = token.pk
        self.message_user(
            request,
            _("Token issued. Copy the key now, it is not shown again: %(key)s") % {"key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("Revoked."), messages.SUCCESS)
