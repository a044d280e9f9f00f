"""What the spare-parts API reads and writes: parts (with, in full, where they can be had), stock
balances, ledger movements, requisitions with their lines, and the bodies of the requisition steps."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Balance, Item, Movement, Requisition, RequisitionLine, Warehouse


class ItemSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True, allow_null=True)

    class Meta:
        model = Item
        fields = ("id", "code", "name", "specification", "unit", "fractional", "category", "category_name",
                  "barcode", "unit_cost", "vendor", "vendor_name", "is_active")  # fmt: skip
        read_only_fields = fields


class BalanceSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    available = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    average_cost = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True)
    alert = serializers.CharField(read_only=True, help_text="low, high, or empty.")

    class Meta:
        model = Balance
        fields = ("id", "item", "item_code", "item_name", "unit", "warehouse", "warehouse_code", "warehouse_name",
                  "on_hand", "reserved", "available", "value", "average_cost", "min_quantity", "max_quantity",
                  "alert", "updated_at")  # fmt: skip
        read_only_fields = fields


class ItemDetailSerializer(ItemSerializer):
    """A part with where it can be had now (its balances with stock available)."""

    availability = BalanceSerializer(many=True, read_only=True)

    class Meta(ItemSerializer.Meta):
        fields = (*ItemSerializer.Meta.fields, "availability")
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="receipt, issue, return, transfer_out, transfer_in, "
                                                           "adjustment or stocktake.")  # fmt: skip
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, allow_null=True)

    class Meta:
        model = Movement
        fields = ("id", "at", "kind", "item", "item_code", "warehouse", "warehouse_code", "quantity", "unit_cost",
                  "amount", "on_hand_after", "value_after", "document", "work_order", "work_order_number",
                  "requisition_line", "reason", "actor")  # fmt: skip
        read_only_fields = fields


class RequisitionLineSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    state = serializers.CharField(read_only=True, help_text="pending, approved, rejected, issued or released.")

    class Meta:
        model = RequisitionLine
        fields = ("id", "item", "item_code", "item_name", "warehouse", "warehouse_code", "quantity",
                  "approved_quantity", "issued_quantity", "returned_quantity", "unit_cost", "state", "reason",
                  "decided_at", "issued_at")  # fmt: skip
        read_only_fields = fields


class RequisitionSerializer(serializers.ModelSerializer):
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.name", read_only=True)
    lines = RequisitionLineSerializer(many=True, read_only=True)

    class Meta:
        model = Requisition
        fields = ("id", "number", "work_order", "work_order_number", "requested_by", "requested_by_name",
                  "created_at", "state", "note", "lines")  # fmt: skip
        read_only_fields = fields


class LineInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    quantity = serializers.CharField(max_length=20, help_text="Whole for parts counted in pieces.")


class RequisitionCreateSerializer(serializers.Serializer):
    work_order = serializers.IntegerField(help_text="The id of a work order the caller is working.")
    lines = LineInputSerializer(many=True, allow_empty=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    quantity = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                     help_text="Blank: all that was asked. Less needs a reason.")  # fmt: skip
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ReturnSerializer(serializers.Serializer):
    quantity = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
