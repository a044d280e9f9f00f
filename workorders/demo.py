"""Demo data of the work-orders app: categories with their default teams, SLA policies, dispatch
rules, and a year of work orders ending now, with the timeline of every order.

- Categories (空调暖通, 水电, 电梯, 管道疏通 ...) go to the demo teams of ``logistics.org.demo``;
  SLA targets per priority, tighter for urgent elevator and medical-gas orders; dispatch rules:
  medical gas to one person, elevators to the maintenance vendor, nights (22:00–07:00) to the
  water & electricity team in turn, otherwise each category's team, least loaded first.
- Categories are linked to the equipment categories of ``equipment.demo`` (HVAC to 空调暖通 ...).
- Reported orders: ≈3,000 at ``small``, 100,000 at ``hospital``, 1,000,000 at ``large``, spread over
  the last 365 days by weekday, hour and season (air conditioning in summer). Each order's life is
  drawn milestone by milestone (dispatch, response, travel, work, holds, verification or automatic
  close, cancellation, hand-backs and reopens) and cut at the present, so the last hours hold open
  orders; a few planned ones make sure every open status is there. Fields are derived from the
  timeline written with them (``WorkOrderEvent``), so the two always agree.
- Equipment (``demo_repairs``): reports about a kind of item (an air conditioner, a distribution
  box, an elevator ...) name one, and every repair moves its item faulty → under repair → in
  service in the ledger's history along the order's timeline.
- Planned maintenance (``demo_maintenance``), on top of the reports: the equipment demo's plans
  played through the year as the morning job would have run them, with their occurrences, orders,
  filled checklists and the repair orders failed lines opened; up to the last run, so the job finds
  nothing to redo.
- The demo logins: the ``requester`` has a few orders of their own (one completed, waiting for
  their rating, one under way), the ``technician`` has new orders to accept and one accepted, and
  the ``team_lead``'s team queue has an order nobody took yet.

Idempotent: configuration rows are found by code or name, and the history is written only when no
demo order exists (their "submitted" event carries ``"demo": true``). Numbers continue each day's
``DailySequence``, which is raised to the last number used, so orders filed later never collide.
Deterministic from ``rng`` (and the present time). On PostgreSQL the orders go in by COPY.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import NamedTuple

from logistics.org.models import Staff, Team, Vendor

from .models import (
    Category,
    DispatchRule,
    EventKind,
    HoldReason,
    Kind,
    Origin,
    Priority,
    SlaPolicy,
    Status,
    Strategy,
    WorkOrderEvent,
)


class _Values:
    """The plain string values of a choices class by member name: cheaper than enum members in the
    loops below, and written as they are by COPY."""

    def __init__(self, choices) -> None:
        self.__dict__.update({member.name: member.value for member in choices})


E = _Values(EventKind)
S = _Values(Status)
K = _Values(Kind)
ORIG = _Values(Origin)
P = _Values(Priority)
H = _Values(HoldReason)

SCALES = ("small", "hospital", "large")
ORDERS = {"small": 3_000, "hospital": 100_000, "large": 1_000_000}
OPEN_SETS = {"small": 1, "hospital": 5, "large": 20}  # copies of OPEN_PLANS: open orders of every status
HISTORY_DAYS = 365
CHUNK = 20_000  # orders per write
DEMO_MARK = "demo"  # key of the submitted event's data that marks a demo order


# --- configuration --------------------------------------------------------------------------------
class Fault(NamedTuple):
    """A reported problem: title, priority profile (see PROFILES), description, and what the
    technician reports on completion."""

    title: str
    profile: str
    description: str
    findings: str
    cause: str
    actions: str


class DemoCategory(NamedTuple):
    code: str
    name: str
    team: str  # default team's code
    weight: float  # share of the reports
    plant: tuple[str, ...]  # code suffixes of the plant rooms its planned work happens in
    planned: float  # share of planned work (inspection, maintenance) among its orders
    work: float  # factor on the work time
    faults: tuple[Fault, ...]
    inspection: str
    maintenance: str


F = Fault
CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory("water_electric", "水电", "T-WE", 24, ("PD", "HV", "UPS", "GEN"), 0.08, 0.8, (
        F("插座没电", "N", "病房床头插座没电，床旁设备无法充电。", "插座回路接线端子松动、烧蚀。", "接线端子松动发热",
          "更换插座面板，重新压接线路，恢复供电。"),
        F("照明灯不亮", "N", "走廊顶灯不亮，夜间光线不足。", "LED 灯管老化，驱动电源损坏。", "灯具老化",
          "更换灯管和驱动电源，试亮正常。"),
        F("配电箱跳闸", "H", "科室一片区域突然停电，请尽快处理。", "漏电保护器动作，一台烧水壶漏电。",
          "设备绝缘不良", "隔离故障设备，复位送电，告知科室停用该设备。"),
        F("整层停电", "U", "整层病区停电，部分设备转为电池供电。", "楼层总开关过载跳闸。", "负载分配不均",
          "调整负载，恢复送电，安排增容评估。"),
        F("洗手池水龙头漏水", "L", "水龙头关不严，一直滴水。", "阀芯磨损。", "阀芯老化", "更换阀芯和密封圈。"),
        F("热水器不出热水", "N", "卫生间热水器不出热水。", "加热管结垢烧断。", "水质硬、结垢",
          "更换加热管，清除水垢。"),
        F("病区停水", "H", "病区卫生间和治疗室没有水。", "楼层供水阀门故障关闭。", "阀门老化",
          "更换阀门，恢复供水，冲洗管路。"),
    ), "配电房巡检", "配电柜季度保养"),
    DemoCategory("hvac", "空调暖通", "T-HVAC", 17, ("AC", "FA", "BLR"), 0.14, 1.0, (
        F("空调不制冷", "H", "房间温度高，空调出风不冷。", "室外机冷凝器脏堵，冷媒偏少。", "冷凝器积尘",
          "清洗冷凝器，补充冷媒，试机制冷正常。"),
        F("空调漏水", "N", "空调内机往下滴水，地面湿滑。", "冷凝水管堵塞。", "排水管堵塞",
          "疏通冷凝水管，清洗接水盘。"),
        F("空调噪音大", "L", "空调运行时噪音很大，影响患者休息。", "风机轴承磨损。", "轴承缺油磨损",
          "更换风机轴承，紧固外壳。"),
        F("暖气不热", "N", "病房暖气片不热。", "暖气片内有空气，循环不畅。", "系统积气",
          "排气，调整阀门开度，温度恢复。"),
        F("手术间温湿度超标", "U", "手术间温湿度报警，影响手术。", "净化空调机组加湿器故障。", "加湿器电极老化",
          "更换加湿罐，调整参数，温湿度恢复正常。"),
        F("新风口有异味", "L", "新风口有霉味。", "新风机组过滤网积尘受潮。", "滤网未按时更换",
          "更换过滤网，清洁风口并消毒。"),
    ), "空调机房巡检", "空调滤网清洗保养"),
    DemoCategory("plumbing", "管道疏通", "T-WE", 12, ("WP",), 0.03, 0.7, (
        F("下水道堵塞", "H", "污物间下水道堵塞，污水外溢。", "下水管内有纱布、手套堵塞。", "异物进入下水道",
          "机械疏通，清理异物，张贴提示。"),
        F("马桶堵塞", "N", "病房卫生间马桶堵塞。", "存水弯有异物。", "异物堵塞", "疏通马桶，清理异物。"),
        F("洗手池下水慢", "L", "洗手池下水很慢。", "存水弯积存毛发、污垢。", "管道积垢", "拆洗存水弯，疏通管道。"),
        F("地漏反味", "L", "卫生间地漏有臭味。", "地漏水封干涸。", "地漏缺少水封", "更换防臭地漏芯。"),
        F("污水管漏水", "H", "天花板往下滴水，疑似楼上管道漏水。", "污水立管接头老化渗漏。", "接头老化",
          "更换接头，重新密封，清理吊顶。"),
    ), "水泵房巡检", "水泵保养"),
    DemoCategory("doors_locks", "门窗锁具", "T-CARP", 10, (), 0, 0.8, (
        F("门锁打不开", "H", "治疗室门锁打不开，钥匙插不进。", "锁芯损坏。", "锁芯磨损", "更换锁芯，配发新钥匙。"),
        F("闭门器损坏", "N", "防火门闭门器坏了，门关不上。", "闭门器漏油失效。", "闭门器老化", "更换闭门器并调试。"),
        F("窗户关不严", "L", "病房窗户关不严，有风灌进来。", "窗扇合页变形，密封条老化。", "合页变形",
          "调整合页，更换密封条。"),
        F("门禁刷卡无反应", "N", "病区门禁刷卡没有反应。", "读卡器接线松脱。", "接线松动", "重新接线，测试刷卡正常。"),
        F("卫生间门锁损坏", "N", "病房卫生间门锁坏了，无法反锁。", "执手锁舌断裂。", "使用磨损",
          "更换卫生间执手锁。"),
    ), "", ""),
    DemoCategory("carpentry", "木工", "T-CARP", 8, (), 0, 1.4, (
        F("柜门脱落", "L", "护士站柜门脱落。", "铰链螺丝松脱，板材孔位损坏。", "长期使用松动",
          "补孔，更换铰链，重新安装柜门。"),
        F("抽屉轨道损坏", "L", "治疗车抽屉拉不出来。", "抽屉滑轨变形。", "超载使用", "更换滑轨。"),
        F("吊顶板松动", "N", "走廊吊顶板松动，有掉落危险。", "吊顶龙骨卡扣脱落。", "震动松脱",
          "加固龙骨，重新安装吊顶板。"),
        F("墙面瓷砖脱落", "N", "卫生间墙面瓷砖脱落。", "瓷砖空鼓脱落。", "粘结层老化", "铲除空鼓瓷砖，重新铺贴。"),
        F("护士站台面破损", "L", "护士站台面边角破损，容易划伤。", "台面封边脱落。", "碰撞损坏",
          "修补台面，重新封边。"),
    ), "", ""),
    DemoCategory("weak_current", "弱电", "T-WE", 9, (), 0, 0.9, (
        F("呼叫器不响", "H", "病床呼叫器按了护士站没有响应。", "呼叫分机线路接触不良。", "线路接头氧化",
          "重新压接线路，测试呼叫正常。"),
        F("网络端口不通", "N", "医生办公室网口不通，电脑上不了网。", "网络模块损坏。", "模块老化",
          "更换网络模块，测试连通。"),
        F("电视无信号", "L", "病房电视没有信号。", "分支器故障。", "分支器损坏", "更换分支器。"),
        F("监控画面黑屏", "N", "走廊监控画面黑屏。", "摄像机电源适配器损坏。", "电源老化", "更换电源适配器。"),
        F("电话无拨号音", "N", "护士站电话没有拨号音。", "配线架跳线松脱。", "跳线松脱", "重新跳线，测试通话。"),
    ), "", ""),
    DemoCategory("elevator", "电梯", "T-ELEV", 6, ("EL",), 0.3, 0.6, (
        F("电梯困人", "U", "电梯停在两层之间，梯内有人员被困。", "层门门锁触点接触不良导致急停。",
          "门锁触点氧化", "救出被困人员，清洁调整门锁触点，试运行正常。"),
        F("电梯门关不上", "H", "电梯门反复开关，无法运行。", "门光幕被遮挡、积尘。", "光幕积尘",
          "清洁光幕，调整门机。"),
        F("电梯运行异响", "N", "电梯运行时有异响。", "导靴衬磨损。", "部件磨损", "更换导靴衬，润滑导轨。"),
        F("电梯按钮失灵", "N", "电梯外呼按钮按了没反应。", "按钮触点损坏。", "按钮老化", "更换外呼按钮。"),
        F("电梯平层不准", "H", "电梯停靠时与楼层有高差，推床不便。", "平层感应器偏位。", "感应器松动",
          "调整平层感应器，试运行。"),
    ), "电梯半月维保", "电梯季度保养"),
    DemoCategory("medical_gas", "医用气体", "T-GAS", 4, ("OXY",), 0.25, 0.6, (
        F("氧气终端漏气", "U", "床头氧气终端有漏气声。", "终端密封圈老化。", "密封圈老化", "更换密封圈，检漏合格。"),
        F("负压吸引无负压", "U", "床头负压吸引没有负压。", "终端阀芯卡滞。", "阀芯污堵",
          "清洗更换阀芯，测试负压正常。"),
        F("中心供氧压力报警", "U", "病区供氧压力低报警。", "区域稳压箱减压阀故障。", "减压阀故障",
          "更换减压阀，压力恢复正常。"),
        F("气体终端插不进", "H", "氧气湿化瓶接头插不进终端。", "终端卡簧变形。", "卡簧变形", "更换终端插座。"),
        F("氧气流量表损坏", "N", "氧气流量表浮标不动。", "流量表内部脏堵。", "使用损耗", "更换流量表。"),
    ), "医用气体汇流排巡检", "气体终端年度检测"),
    DemoCategory("cleaning_equipment", "保洁设备", "T-CLEAN", 5, (), 0, 0.9, (
        F("洗地机无法启动", "N", "洗地机按开关没有反应。", "电池老化，充电器损坏。", "电池寿命到期",
          "更换电池和充电器。"),
        F("清洁车轮子损坏", "L", "清洁车轮子卡死。", "脚轮轴承损坏。", "轴承损坏", "更换脚轮。"),
        F("吸尘器吸力不足", "L", "吸尘器吸力很弱。", "滤网堵塞。", "滤网未清洗", "清洗更换滤网。"),
        F("紫外线消毒车故障", "N", "紫外线消毒车灯管不亮。", "灯管到寿命。", "灯管老化", "更换紫外线灯管。"),
    ), "", ""),
    DemoCategory("other", "其他", "T-WE", 5, (), 0, 1.0, (
        F("病床护栏松动", "N", "病床护栏松动，存在坠床风险。", "护栏固定螺栓松脱。", "螺栓松动",
          "紧固螺栓，加装防松垫片。"),
        F("窗帘轨道脱落", "L", "病房隔帘轨道脱落。", "轨道吊件断裂。", "吊件老化", "更换吊件，重新安装轨道。"),
        F("指示标牌脱落", "L", "走廊指示标牌掉了。", "粘胶失效。", "粘胶老化", "重新固定标牌。"),
        F("轮椅刹车失灵", "N", "轮椅刹车失灵。", "刹车片磨损。", "刹车片磨损", "更换刹车片并调整。"),
        F("输液轨道松动", "N", "输液轨道松动，吊架晃动。", "轨道固定件松脱。", "固定件松动", "加固轨道。"),
    ), "", ""),
)  # fmt: skip
del F
PLANNED_FAULT = Fault("", "", "按计划执行。", "设备运行正常，参数已记录。", "", "按规程完成检查、清洁和记录。")

# Priority profiles: weights of urgent, high, normal, low.
PRIORITIES = (P.URGENT, P.HIGH, P.NORMAL, P.LOW)
PROFILES = {"U": (45, 40, 15, 0), "H": (6, 34, 55, 5), "N": (2, 14, 70, 14), "L": (0, 4, 50, 46)}

# SLA targets in minutes (response, resolution): per priority, then a category's own.
SLA_GENERAL = {"urgent": (15, 4 * 60), "high": (30, 8 * 60), "normal": (60, 24 * 60), "low": (240, 72 * 60)}
SLA_SPECIFIC = {("urgent", "elevator"): (10, 2 * 60), ("urgent", "medical_gas"): (10, 2 * 60)}

# The timing model: medians (minutes for the response, hours for the work) and spreads.
RESPONSE_MEDIAN = {"urgent": 4, "high": 8, "normal": 16, "low": 30}
RESPONSE_SIGMA = 0.6
WORK_MEDIAN_HOURS = {"urgent": 0.9, "high": 2.2, "normal": 4.5, "low": 11.0}
WORK_SIGMA = {"urgent": 0.55, "high": 0.65, "normal": 0.75, "low": 0.8}
AUTO_SHARE = 0.86  # dispatched by the rules (the rest by the dispatcher or a team lead)
REJECT_SHARE = 0.015  # handed back by the technician, dispatched again by hand
HOLD_SHARE = 0.08
REOPEN_SHARE = 0.02
VERIFY_SHARE = 0.85  # of the orders with a requester; the others close automatically
CANCEL_SHARE = 0.04
CANCEL_STAGES = ((S.SUBMITTED, 35), (S.DISPATCHED, 30), (S.ACCEPTED, 20), (S.IN_PROGRESS, 15))
HOLDS = {  # reason: (median hours, comment)
    H.PARTS: (20, "等待备件到货"),
    H.VENDOR: (26, "已联系厂家，等待厂家工程师到场"),
    H.ACCESS: (2.5, "患者正在治疗，约定稍后进场"),
    H.REQUESTER: (4, "等待科室确认维修方案"),
    H.OTHER: (6, "需夜间停电施工，另行安排"),
}
HOLD_REASONS = tuple(HOLDS)
HOLD_WEIGHTS = (40, 20, 22, 12, 6)
HOUR_WEIGHTS = (1, 1, 0.8, 0.8, 0.8, 1.2, 2.5, 7, 13, 15, 13, 10, 6, 8, 12, 12, 10, 7, 4, 3, 3, 2, 1.5, 1.2)
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.6, 0.5)
HVAC_SEASON = {1: 1.4, 2: 1.2, 6: 1.7, 7: 2.2, 8: 2.0, 9: 1.3, 12: 1.3}
NIGHT = (22, 7)  # the night rule's hours

CANCEL_REASONS = ("重复报修", "科室已自行处理", "报修信息有误", "设备已报废，转设备科处理", "科室取消报修")
REJECT_REASONS = ("非本专业范围，请改派", "正在处理其他紧急工单", "今天不在本院区")
REOPEN_REASONS = ("问题仍未解决", "修好后又出现同样的问题", "只处理了一半")
NOTES = ("已电话联系科室，约定进场时间", "已通知设备科", "厂家工程师预计明天到场", "已向班长报告")
RATING_WEIGHTS = {False: (1, 2, 5, 27, 65), True: (5, 8, 18, 34, 35)}  # on time / late: weights of 1..5
RATING_COMMENTS = {
    5: ("师傅很专业，修得很快", "响应及时，态度很好", "非常满意", "处理彻底，谢谢师傅"),
    4: ("修好了，来得稍慢", "满意", "还可以，谢谢"),
    3: ("等了比较久", "基本解决"),
    2: ("拖了好几天才修好", "沟通不太顺畅"),
    1: ("问题没有彻底解决", "多次催促才来"),
}

# Open orders guaranteed in the last hours (each OPEN_SETS[scale] times): status, age in that
# status (minutes, from–to), hold reason.
OPEN_PLANS: tuple[tuple[str, int, int, str], ...] = (
    (S.SUBMITTED, 3, 40, ""), (S.SUBMITTED, 10, 90, ""),
    (S.DISPATCHED, 1, 12, ""), (S.DISPATCHED, 2, 25, ""), (S.DISPATCHED, 5, 40, ""),
    (S.ACCEPTED, 5, 30, ""), (S.ACCEPTED, 10, 45, ""),
    (S.ON_SITE, 2, 20, ""), (S.ON_SITE, 5, 30, ""),
    (S.IN_PROGRESS, 10, 60, ""), (S.IN_PROGRESS, 15, 120, ""), (S.IN_PROGRESS, 30, 240, ""),
    (S.ON_HOLD, 60, 1800, H.PARTS), (S.ON_HOLD, 120, 2800, H.VENDOR),
    (S.ON_HOLD, 30, 300, H.ACCESS),
    (S.COMPLETED, 30, 600, ""), (S.COMPLETED, 120, 2400, ""), (S.COMPLETED, 600, 3600, ""),
)  # fmt: skip
OPEN_STATUSES = (S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS,
                 S.ON_HOLD)  # fmt: skip

# Columns written for an order, in this order (attribute names).
ORDER_FIELDS = (
    "id", "number", "kind", "category_id", "priority", "title", "description", "origin", "requester_id", "contact",
    "department_id", "location_id", "parent_id", "team_id", "assignee_id", "vendor_id", "status", "hold_reason",
    "auto_dispatched", "response_due", "resolution_due", "submitted_at", "dispatched_at", "accepted_at", "arrived_at",
    "completed_at", "closed_at", "auto_closed", "findings", "cause", "actions", "labour_minutes", "parts_cost",
    "rating", "rating_comment", "reopen_count", "held_since", "held_minutes", "created_by_id", "created_at",
    "updated_at", "equipment_id",
)  # fmt: skip
EVENT_FIELDS = ("work_order_id", "kind", "from_status", "to_status", "actor_id", "at", "comment", "data")


# --- seed -----------------------------------------------------------------------------------------
def seed(scale: str, rng: random.Random, *, orders: int | None = None) -> dict[str, int]:
    """Create the configuration rows that do not exist yet, then the history of orders unless demo
    orders exist. ``orders`` overrides the scale's number of orders (benchmarks).

    Draws exactly one number from ``rng`` whatever exists already."""
    if scale not in ORDERS:
        raise ValueError(f"unknown scale {scale!r}")
    own = random.Random(rng.getrandbits(64))
    counts: dict[str, int] = {}
    categories = _seed_categories(counts)
    _seed_policies(counts, categories)
    _seed_rules(counts, categories)
    links = _seed_equipment_categories(categories)
    if WorkOrderEvent.objects.filter(kind=E.SUBMITTED, data__demo=True).exists():
        counts.update(dict.fromkeys(("work_orders", "events", *PLANNED_COUNTS), 0), category_links=links)
        return counts
    from .demo_maintenance import MaintenanceHistory

    history = MaintenanceHistory(own, scale, ORDERS[scale] if orders is None else orders, categories)
    counts.update(history.run(), category_links=links)
    return counts


def _seed_categories(counts: dict[str, int]) -> dict[str, Category]:
    teams = dict(Team.objects.filter(code__in={c.team for c in CATEGORIES}).values_list("code", "id"))
    existing = {c.code: c for c in Category.objects.filter(code__in=[c.code for c in CATEGORIES])}
    created = 0
    for i, row in enumerate(CATEGORIES, start=1):
        if row.code not in existing:  # one by one: the audit trail records configuration rows
            existing[row.code] = Category.objects.create(
                code=row.code, name=row.name, team_id=teams.get(row.team), order=i * 10
            )
            created += 1
    counts["categories"] = created
    return existing


# Work on equipment of these categories (codes of ``equipment.demo_catalog``, and the ones below
# them) falls under the work-order category: reports from an item's label, planned maintenance.
EQUIPMENT_CATEGORIES = {
    "water_electric": ("POWER", "WATER", "FIRE", "PRESSURE"),
    "hvac": ("HVAC",),
    "plumbing": ("SEWAGE_PUMP",),
    "weak_current": ("WEAK",),
    "elevator": ("ELEVATOR",),
    "medical_gas": ("GAS", "AIR_RECEIVER"),
    "cleaning_equipment": ("CLEANING",),
}
# What the history adds besides the orders (a second run reports them as +0).
PLANNED_COUNTS = ("daily_sequences", "reports_on_items", "status_changes", "planned_orders", "occurrences",
                  "checklist_entries")  # fmt: skip


def _seed_equipment_categories(categories: dict[str, Category]) -> int:
    """Link each category to its equipment categories, unless it has some already (an
    administrator's choice stays)."""
    from equipment.models import Category as ItemCategory

    items = dict(ItemCategory.objects.values_list("code", "id"))
    linked = set(Category.equipment_categories.through.objects.values_list("from_category_id", flat=True))
    created = 0
    for code, item_codes in EQUIPMENT_CATEGORIES.items():
        category = categories.get(code)
        wanted = [items[c] for c in item_codes if c in items]
        if category is None or category.pk in linked or not wanted:
            continue
        category.equipment_categories.set(wanted)  # through the manager: the audit trail records it
        created += len(wanted)
    return created


def _seed_policies(counts: dict[str, int], categories: dict[str, Category]) -> None:
    have = set(SlaPolicy.objects.values_list("priority", "category__code"))
    wanted = [(p, None, r) for p, r in SLA_GENERAL.items()] + [(p, c, r) for (p, c), r in SLA_SPECIFIC.items()]
    created = 0
    for priority, code, (response, resolution) in wanted:
        if (priority, code) in have or (code and code not in categories):
            continue
        SlaPolicy.objects.create(
            priority=priority, category=categories[code] if code else None, response_minutes=response,
            resolution_minutes=resolution,
        )  # fmt: skip
        created += 1
    counts["sla_policies"] = created


@dataclass(frozen=True)
class DemoRule:
    name: str
    order: int
    categories: tuple[str, ...]
    team: str
    strategy: str = Strategy.LEAST_LOADED
    person: tuple[str, int] | None = None  # (team code, member index) as in logistics.org.demo
    vendor: str = ""  # vendor key of logistics.org.demo_names
    night: bool = False


def _rules() -> list[DemoRule]:
    rules = [
        DemoRule("医用气体 → 专人负责", 10, ("medical_gas",), "T-GAS", Strategy.FIXED, person=("T-GAS", 2)),
        DemoRule("电梯 → 维保单位", 20, ("elevator",), "T-ELEV", vendor="elevator"),
        DemoRule("夜间 22:00–07:00 → 水电班轮流", 30, (), "T-WE", Strategy.ROUND_ROBIN, night=True),
    ]
    for i, row in enumerate(CATEGORIES, start=1):
        if row.code not in ("medical_gas", "elevator"):
            rules.append(DemoRule(f"{row.name} → 本专业班组", 100 + i * 10, (row.code,), row.team))
    return rules


def _seed_rules(counts: dict[str, int], categories: dict[str, Category]) -> None:
    from logistics.org.demo import employee_no
    from logistics.org.demo_names import VENDORS

    existing = set(DispatchRule.objects.values_list("name", flat=True))
    teams = dict(Team.objects.values_list("code", "id"))
    vendor_names = {row.key: row.name for row in VENDORS}
    vendors = dict(Vendor.objects.filter(name__in=vendor_names.values()).values_list("name", "id"))
    created = 0
    for row in _rules():
        if row.name in existing or row.team not in teams:
            continue
        person = None
        if row.person:
            person = Staff.objects.filter(employee_no=employee_no(*row.person), is_active=True).first()
        vendor_id = vendors.get(vendor_names.get(row.vendor, ""))
        rule = DispatchRule.objects.create(
            name=row.name, order=row.order, team_id=teams[row.team], person=person, vendor_id=vendor_id,
            strategy=row.strategy if row.strategy != Strategy.FIXED or person else Strategy.LEAST_LOADED,
            time_from=dt.time(NIGHT[0]) if row.night else None, time_to=dt.time(NIGHT[1]) if row.night else None,
        )  # fmt: skip
        rule.categories.set([categories[c] for c in row.categories if c in categories])
        created += 1
    counts["dispatch_rules"] = created


# --- the history ------------------------------------------------------------------------------------
