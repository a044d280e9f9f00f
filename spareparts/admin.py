"""Admin of the spare-parts configuration: part categories, parts, the warehouse tree and its
keepers. Stock itself is never edited here: balances and movements are read-only (every change of
stock goes through the services, which write the ledger)."""

from django.contrib import admin

from .models import Balance, Item, ItemCategory, Movement, Warehouse


@admin.register(ItemCategory)
class ItemCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    list_filter = ("parent",)
    search_fields = ("code", "name")


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "specification", "unit", "fractional", "category", "unit_cost", "is_active")
    list_filter = ("is_active", "fractional", "category")
    search_fields = ("code", "name", "specification", "barcode")
    autocomplete_fields = ("vendor",)
    filter_horizontal = ("equipment_categories",)
    readonly_fields = ("qr_token",)


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "campus", "is_active")
    list_filter = ("kind", "campus", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("keepers",)
    readonly_fields = ("qr_token",)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Balance)
class BalanceAdmin(_ReadOnly):
    list_display = ("item", "warehouse", "on_hand", "reserved", "value", "min_quantity", "max_quantity", "alert")
    list_filter = ("alert", "warehouse")
    search_fields = ("item__code", "item__name")
    list_select_related = ("item", "warehouse")


@admin.register(Movement)
class MovementAdmin(_ReadOnly):
    list_display = ("at", "kind", "item", "warehouse", "quantity", "unit_cost", "amount", "document", "actor")
    list_filter = ("kind", "warehouse")
    search_fields = ("item__code", "item__name", "document")
    date_hierarchy = "at"
    list_select_related = ("item", "warehouse", "actor")
