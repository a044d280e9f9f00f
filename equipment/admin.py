"""Admin of the equipment ledger: the category tree with its technical parameters, items with their
certificates and documents; the status history is read-only (it is written by the services)."""

from django.contrib import admin

from .models import Category, Certificate, Document, Equipment, Parameter, StatusChange


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
