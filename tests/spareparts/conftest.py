"""A small stores world for the spare-parts tests: a campus store with two bins and a building
store, a keeper, a technician with a work order under way, and three parts (pieces, metres)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.org.models import Campus, Staff, Team
from logistics.org.services import roles_sync
from spareparts.models import Item, ItemCategory, Warehouse
from workorders.models import Category
from workorders.services import work_order_accept, work_order_create, work_order_dispatch


@pytest.fixture
def stores(db, make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    main = Warehouse.objects.create(code="MAIN", name="本部总库", campus=campus)
    bin_a = Warehouse.objects.create(code="MAIN-A1", name="A1货架", kind="bin", campus=campus, parent=main)
    bin_b = Warehouse.objects.create(code="MAIN-B1", name="B1货架", kind="bin", campus=campus, parent=main)
    ward = Warehouse.objects.create(code="W5", name="5号楼二级库", campus=campus)
    keeper = Staff.objects.create(
        employee_no="K1", name="库管员", user=make_user("keeper", roles=("warehouse_keeper",))
    )
    other_keeper = Staff.objects.create(
        employee_no="K2", name="二级库管员", user=make_user("keeper2", roles=("warehouse_keeper",))
    )
    main.keepers.add(keeper)
    ward.keepers.add(other_keeper)
    team = Team.objects.create(code="water", name="水电班")
    tech = Staff.objects.create(
        employee_no="T1", name="李师傅", team=team, user=make_user("tech", roles=("technician",))
    )
    manager = make_user("manager", roles=("manager",))
    electrical = ItemCategory.objects.create(code="ELEC", name="电气配件")
    contactor = Item.objects.create(
        code="P-0001",
        name="交流接触器",
        specification="CJX2-1810 220V",
        unit="个",
        category=electrical,
        barcode="6901234567892",
        unit_cost=Decimal("45"),
    )
    breaker = Item.objects.create(
        code="P-0002",
        name="空气开关",
        specification="DZ47-63 C32",
        unit="个",
        category=electrical,
        unit_cost=Decimal("28"),
    )
    cable = Item.objects.create(
        code="P-0003",
        name="铜芯电线",
        specification="BV 2.5mm²",
        unit="米",
        fractional=True,
        category=electrical,
        unit_cost=Decimal("2.2"),
    )
    category = Category.objects.create(code="water_electric", name="水电", team=team)
    order = work_order_create(category=category, title="配电箱跳闸", auto_dispatch=False)
    work_order_dispatch(work_order=order, assignee=tech)
    work_order_accept(work_order=order, technician=tech)
    return dict(
        campus=campus,
        main=main,
        bin_a=bin_a,
        bin_b=bin_b,
        ward=ward,
        keeper=keeper,
        other_keeper=other_keeper,
        team=team,
        tech=tech,
        manager=manager,
        category=category,
        contactor=contactor,
        breaker=breaker,
        cable=cable,
        order=order,
    )


@pytest.fixture
def bin_a_stock(stores):
    """Bin A1 holds 10 contactors at 40 and 5 breakers at 25."""
    from spareparts.services import receipt_post

    receipt_post(warehouse=stores["bin_a"], actor=stores["keeper"].user,
                 lines=[(stores["contactor"], "10", "40"), (stores["breaker"], "5", "25")])  # fmt: skip
    return stores
