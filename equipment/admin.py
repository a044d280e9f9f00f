"""Admin of the equipment ledger: the category tree with its technical parameters, items with their
certificates and documents; the status history is read-only (it is written by the services);
checklist templates and maintenance plans."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import (
    Category,
    Certificate,
    ChecklistItem,
    ChecklistTemplate,
    Document,
    Equipment,
    MaintenancePlan,
    Parameter,
    StatusChange,
)


class ParameterInline(admin.TabularInline):
    model = Parameter
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "regulated", "order")
    list_filter = ("regulated", "parent")
    search_fields = ("code", "name")
    inlines = [ParameterInline]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ("kind", "title", "file", "uploaded_at")
    readonly_fields = ("uploaded_at",)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "reason", "reference", "actor")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "location", "department", "status", "warranty_end")
    list_filter = ("status", "category", "location__campus")
    search_fields = ("code", "name", "serial", "model")
    autocomplete_fields = ("location", "department")
    readonly_fields = ("status", "status_since", "qr_token")
    inlines = [CertificateInline, DocumentInline, StatusChangeInline]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("order", "label", "kind", "unit", "min_value", "max_value", "required", "guidance")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_active")
    list_filter = ("is_active", "category")
    search_fields = ("name",)
    inlines = [ChecklistItemInline]


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "category", "schedule", "interval", "interval_unit", "team", "is_active")
    list_filter = ("kind", "schedule", "is_active", "team")
    search_fields = ("code", "name")
    autocomplete_fields = ("equipment", "location")
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "is_active")}),
        (_("Items"), {"fields": ("equipment", "category", "campus", "building", "location"),
                      "description": _("Listed items, and/or every item of a category (at a campus, building or "
                                       "location).")}),
        (_("Schedule"), {"fields": ("schedule", "interval", "interval_unit", "anchor", "weekdays", "month_days",
                                    "start_date", "end_date", "lead_days")}),
        (_("Work"), {"fields": ("checklist", "team", "estimated_minutes", "instructions", "auto_repair")}),
    )  # fmt: skip

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        plan = form.instance
        if not plan.category_id and not plan.equipment.exists():
            self.message_user(request, _("%(plan)s covers no items: list items or choose a category.")
                              % {"plan": plan}, level=messages.WARNING)  # fmt: skip
