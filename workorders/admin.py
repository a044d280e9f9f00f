from django.contrib import admin

from logistics.common.admin import ReadOnlyModelAdmin

from .models import Category, DispatchRule, SlaPolicy, WorkOrder, WorkOrderEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "team", "order", "is_active")
    list_editable = ("order",)
    search_fields = ("code", "name")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "category", "response_minutes", "resolution_minutes")
    list_filter = ("priority",)


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyModelAdmin):
    """Read-only: orders move through the services (locks, events, notifications)."""

    list_display = ("number", "title", "status", "priority", "category", "team", "assignee", "submitted_at")
    list_filter = ("status", "priority", "kind", "category")
    search_fields = ("number", "title")
    date_hierarchy = "submitted_at"
    inlines = [WorkOrderEventInline]


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "priority", "team", "person", "vendor", "strategy", "time_from", "time_to",
                    "is_active")  # fmt: skip
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    filter_horizontal = ("categories",)
