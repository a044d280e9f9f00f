"""The leave types every hospital starts with (editable in the admin afterwards)."""

from decimal import Decimal

from django.db import migrations

# code, name, sheet symbol, paid, limited by a balance, default days a year, administrator from (days), order
DEFAULTS = (
    ("annual", "年假", "年", True, True, Decimal("5"), Decimal("3"), 10),
    ("sick", "病假", "病", True, False, Decimal("0"), Decimal("3"), 20),
    ("personal", "事假", "事", False, False, Decimal("0"), Decimal("2"), 30),
    ("marriage", "婚假", "婚", True, False, Decimal("0"), Decimal("0"), 40),
    ("maternity", "产假", "产", True, False, Decimal("0"), Decimal("0"), 50),
    ("bereavement", "丧假", "丧", True, False, Decimal("0"), Decimal("0"), 60),
    ("compensatory", "调休", "调", True, True, Decimal("0"), None, 70),
)


def create(apps, schema_editor):
    LeaveType = apps.get_model("attendance", "LeaveType")
    for code, name, symbol, paid, has_balance, days, admin_from, order in DEFAULTS:
        LeaveType.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "symbol": symbol, "paid": paid, "has_balance": has_balance, "default_days": days,
                "admin_approval_from_days": admin_from, "order": order,
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("attendance", "0004_roster_pattern")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
