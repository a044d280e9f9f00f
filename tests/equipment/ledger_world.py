"""A small ledger for the list, export, import and label tests: two campuses, three places, a
category tree with parameters, three items that differ in every filterable way, and the people who
look at them (a technician may view, a requester may not, a system administrator may import)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from equipment.models import Category, Certificate, Equipment, Parameter
from logistics.org.models import Building, Campus, Department, Location, Team, Vendor
from logistics.org.services import roles_sync


def build_ledger(make_user) -> dict:
    roles_sync()
    today = timezone.localdate()
    main = Campus.objects.create(code="MAIN", name="本部")
    east = Campus.objects.create(code="EAST", name="东院")
    block_a = Building.objects.create(campus=main, code="A", name="门诊楼")
    block_b = Building.objects.create(campus=main, code="B", name="住院楼")
    icu = Department.objects.create(campus=main, code="ICU", name="重症医学科")
    logistics = Department.objects.create(campus=east, code="LOG", name="后勤保障部")
    plant = Location.objects.create(campus=main, building=block_a, code="PLANT", name="制冷机房", department=icu)
    roof = Location.objects.create(campus=main, building=block_b, code="ROOF", name="屋顶")
    power = Location.objects.create(campus=east, code="E-POWER", name="东院配电房")
    hvac_team = Team.objects.create(code="HVAC", name="空调班")
    power_team = Team.objects.create(code="POWER", name="电工班")
    vendor = Vendor.objects.create(name="施耐德维保")
    hvac = Category.objects.create(code="HVAC", name="暖通空调")
    chillers = Category.objects.create(code="CHILLER", name="冷水机组", parent=hvac)
    ups = Category.objects.create(code="UPS", name="不间断电源")
    Parameter.objects.create(category=hvac, key="airflow", label="风量", unit="m³/h")
    Parameter.objects.create(category=chillers, key="cooling_kw", label="制冷量", unit="kW")
    Parameter.objects.create(category=chillers, key="refrigerant", label="冷媒")
    chiller = Equipment.objects.create(
        code="CH-01", name="1号冷水机组", category=chillers, model="30XW-1252", manufacturer="开利",
        serial="SN-CH-7781", location=plant, department=icu, maintainer_team=hvac_team,
        install_date=today - timedelta(days=3000), warranty_end=today - timedelta(days=10),
        parameters={"cooling_kw": 1250, "refrigerant": "R134a"}, notes="=SUM(A1:A9) 不是公式",
    )  # fmt: skip
    fan = Equipment.objects.create(
        code="FAN-01", name="屋顶排风机", category=hvac, manufacturer="亚太", serial="SN-FAN-2",
        location=roof, maintainer_team=hvac_team, install_date=today - timedelta(days=400),
        warranty_end=today + timedelta(days=30), parameters={"airflow": "12000"},
    )  # fmt: skip
    ups_item = Equipment.objects.create(
        code="UPS-01", name="东院主机房UPS", category=ups, manufacturer="施耐德", serial="SN-UPS-9",
        location=power, department=logistics, maintainer_team=power_team, maintainer_vendor=vendor,
        install_date=today - timedelta(days=100), status=Equipment.Status.FAULTY,
    )  # fmt: skip
    # The chiller's pressure-vessel certificate ran out (an older one too); the fan's runs out soon;
    # the UPS renewed its expired one, so it has none expired.
    Certificate.objects.create(equipment=chiller, kind="压力容器", number="PV-1", issued_on=today - timedelta(800),
                               expires_on=today - timedelta(400))  # fmt: skip
    Certificate.objects.create(equipment=chiller, kind="压力容器", number="PV-2", issued_on=today - timedelta(400),
                               expires_on=today - timedelta(5))  # fmt: skip
    Certificate.objects.create(equipment=fan, kind="检测", number="F-1", issued_on=today - timedelta(300),
                               expires_on=today + timedelta(10))  # fmt: skip
    Certificate.objects.create(equipment=ups_item, kind="检测", number="U-1", issued_on=today - timedelta(800),
                               expires_on=today - timedelta(100))  # fmt: skip
    Certificate.objects.create(equipment=ups_item, kind="检测", number="U-2", issued_on=today - timedelta(100),
                               expires_on=today + timedelta(300))  # fmt: skip
    return dict(
        today=today, main=main, east=east, block_a=block_a, block_b=block_b, icu=icu, logistics=logistics,
        plant=plant, roof=roof, power=power, hvac_team=hvac_team, power_team=power_team, vendor=vendor,
        hvac=hvac, chillers=chillers, ups=ups, chiller=chiller, fan=fan, ups_item=ups_item,
        tech=make_user("tech", roles=("technician",)), nurse=make_user("nurse", roles=("requester",)),
        admin=make_user("admin", roles=("sysadmin",)),
    )  # fmt: skip
