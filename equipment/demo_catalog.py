"""The static tables of the equipment demo (``equipment.demo``): the category tree with its technical
parameters, where the items of each category stand in the demo hospital and who maintains them, the
certificates regulated items keep, the checklist templates and the maintenance plans.

Places are selectors over the demo hospital's locations (``logistics.org.demo_names``):

- ``plant:SUFFIX``: plant rooms whose code ends with the suffix (``CHL`` 冷冻站, ``PD`` 配电房 ...);
- ``loc:KIND/DEPT_KIND``: a department's locations of that kind (``*``: any), e.g. ``loc:room/ward``;
- ``dept:CODE``: every location of one department;
- ``lift`` / ``lift:1F``: the elevator halls (of the ground floor only);
- ``out:SUFFIX``: an outdoor point (``LOX`` 液氧站 ...);

optionally limited to some buildings with ``@CAMPUS.BUILDING,...``. ``count`` items per location at
``small``, times the scale's factor at ``hospital`` and ``large``.
"""

from __future__ import annotations

from typing import NamedTuple


class CategoryRow(NamedTuple):
    code: str
    name: str
    parent: str = ""
    regulated: bool = False


CATEGORIES: tuple[CategoryRow, ...] = (
    CategoryRow("HVAC", "暖通空调"),
    CategoryRow("CHILLER", "冷水机组", "HVAC"),
    CategoryRow("COOLING_TOWER", "冷却塔", "HVAC"),
    CategoryRow("AHU", "组合式空调机组", "HVAC"),
    CategoryRow("PURIFY_AHU", "净化空调机组", "HVAC"),
    CategoryRow("FAU", "新风机组", "HVAC"),
    CategoryRow("FCU", "风机盘管", "HVAC"),
    CategoryRow("SPLIT_AC", "分体空调", "HVAC"),
    CategoryRow("POWER", "供配电"),
    CategoryRow("TRANSFORMER", "变压器", "POWER"),
    CategoryRow("SWITCHGEAR", "高低压开关柜", "POWER"),
    CategoryRow("GENERATOR", "柴油发电机组", "POWER"),
    CategoryRow("UPS", "不间断电源（UPS）", "POWER"),
    CategoryRow("DIST_BOX", "楼层配电箱", "POWER"),
    CategoryRow("ELEVATOR", "电梯", regulated=True),
    CategoryRow("PASSENGER_LIFT", "乘客电梯", "ELEVATOR", True),
    CategoryRow("BED_LIFT", "医用病床电梯", "ELEVATOR", True),
    CategoryRow("FREIGHT_LIFT", "载货电梯", "ELEVATOR", True),
    CategoryRow("ESCALATOR", "自动扶梯", "ELEVATOR", True),
    CategoryRow("WATER", "给排水"),
    CategoryRow("PUMP", "生活给水泵", "WATER"),
    CategoryRow("SEWAGE_PUMP", "污水提升泵", "WATER"),
    CategoryRow("BOILER", "燃气蒸汽锅炉", "WATER", True),
    CategoryRow("SOFTENER", "软化水设备", "WATER"),
    CategoryRow("WATER_HEATER", "电热水器", "WATER"),
    CategoryRow("PRESSURE", "压力容器", regulated=True),
    CategoryRow("AIR_RECEIVER", "储气罐", "PRESSURE", True),
    CategoryRow("STEAM_HEADER", "分汽缸", "PRESSURE", True),
    CategoryRow("GAS", "医用气体", regulated=True),
    CategoryRow("LOX_TANK", "液氧储罐", "GAS", True),
    CategoryRow("O2_MANIFOLD", "氧气汇流排", "GAS", True),
    CategoryRow("VACUUM_PUMP", "负压吸引机组", "GAS", True),
    CategoryRow("AIR_COMPRESSOR", "医用空气压缩机", "GAS", True),
    CategoryRow("GAS_ALARM", "区域阀门及报警箱", "GAS", True),
    CategoryRow("FIRE", "消防"),
    CategoryRow("FIRE_PUMP", "消防泵", "FIRE"),
    CategoryRow("SPRINKLER_VALVE", "湿式报警阀组", "FIRE"),
    CategoryRow("SMOKE_FAN", "排烟风机", "FIRE"),
    CategoryRow("FIRE_PANEL", "火灾报警控制器", "FIRE"),
    CategoryRow("EMERGENCY_LIGHT", "应急照明灯", "FIRE"),
    CategoryRow("WEAK", "弱电"),
    CategoryRow("NURSE_CALL", "护理呼叫主机", "WEAK"),
    CategoryRow("CCTV", "监控摄像机", "WEAK"),
    CategoryRow("CLEANING", "保洁设备"),
    CategoryRow("SCRUBBER", "洗地机", "CLEANING"),
    CategoryRow("UV_CART", "紫外线消毒车", "CLEANING"),
)

# Technical parameters: category → (key, label, unit, values an item may have).
PARAMETERS: dict[str, tuple[tuple[str, str, str, tuple], ...]] = {
    "CHILLER": (("cooling_kw", "制冷量", "kW", (1055, 1406, 1758)), ("power_kw", "输入功率", "kW", (198, 256, 318)),
                ("refrigerant", "冷媒", "", ("R134a", "R513A"))),
    "COOLING_TOWER": (("flow", "冷却水量", "m³/h", (300, 400, 500)),),
    "AHU": (("airflow", "风量", "m³/h", (12000, 18000, 25000)), ("power_kw", "电机功率", "kW", (7.5, 11, 15))),
    "PURIFY_AHU": (("airflow", "风量", "m³/h", (6000, 8000)), ("class", "洁净等级", "", ("I级", "III级"))),
    "FAU": (("airflow", "风量", "m³/h", (5000, 8000, 12000)),),
    "FCU": (("airflow", "风量", "m³/h", (340, 510, 680, 850)), ("model_size", "机型", "", ("FP-34", "FP-51", "FP-68"))),
    "SPLIT_AC": (("cooling_kw", "制冷量", "kW", (2.6, 3.5, 5.1, 7.2)),),
    "TRANSFORMER": (("capacity_kva", "容量", "kVA", (800, 1000, 1250, 1600)), ("voltage", "电压等级", "kV",
                                                                           ("10/0.4",))),
    "SWITCHGEAR": (("rated_a", "额定电流", "A", (630, 1250, 2500)),),
    "GENERATOR": (("power_kw", "额定功率", "kW", (500, 800, 1000)), ("fuel_l", "日用油箱", "L", (1000, 1500))),
    "UPS": (("capacity_kva", "容量", "kVA", (20, 40, 80, 120)), ("backup_min", "后备时间", "min", (15, 30, 60))),
    "DIST_BOX": (("rated_a", "额定电流", "A", (63, 100, 160)),),
    "PASSENGER_LIFT": (("load_kg", "额定载重", "kg", (1000, 1350)), ("speed", "额定速度", "m/s", (1.75, 2.5))),
    "BED_LIFT": (("load_kg", "额定载重", "kg", (1600, 2000)), ("speed", "额定速度", "m/s", (1.0, 1.75))),
    "FREIGHT_LIFT": (("load_kg", "额定载重", "kg", (2000, 3000)),),
    "ESCALATOR": (("width_mm", "梯级宽度", "mm", (800, 1000)), ("rise_m", "提升高度", "m", (4.5, 5.1))),
    "PUMP": (("flow", "流量", "m³/h", (25, 40, 60)), ("head_m", "扬程", "m", (60, 80, 100))),
    "SEWAGE_PUMP": (("flow", "流量", "m³/h", (15, 25)),),
    "BOILER": (("steam_th", "蒸发量", "t/h", (2, 4)), ("pressure_mpa", "额定压力", "MPa", (1.0, 1.25))),
    "SOFTENER": (("flow", "产水量", "t/h", (4, 6)),),
    "WATER_HEATER": (("volume_l", "容积", "L", (60, 80, 100)), ("power_kw", "功率", "kW", (2.5, 3.0))),
    "AIR_RECEIVER": (("volume_m3", "容积", "m³", (1.0, 2.0)), ("pressure_mpa", "设计压力", "MPa", (0.8, 1.0))),
    "STEAM_HEADER": (("pressure_mpa", "设计压力", "MPa", (1.0, 1.25)),),
    "LOX_TANK": (("volume_m3", "容积", "m³", (10, 15)), ("pressure_mpa", "设计压力", "MPa", (0.8, 1.6))),
    "O2_MANIFOLD": (("bottles", "汇流瓶数", "瓶", (10, 20)),),
    "VACUUM_PUMP": (("flow", "抽气量", "m³/h", (100, 160)), ("power_kw", "功率", "kW", (4, 5.5))),
    "AIR_COMPRESSOR": (("flow", "排气量", "m³/min", (1.5, 2.4)), ("power_kw", "功率", "kW", (11, 15))),
    "GAS_ALARM": (("gases", "监测气体", "", ("氧气/负压/压缩空气", "氧气/负压")),),
    "FIRE_PUMP": (("flow", "流量", "L/s", (30, 40)), ("head_m", "扬程", "m", (90, 110))),
    "SMOKE_FAN": (("airflow", "风量", "m³/h", (20000, 30000)),),
    "EMERGENCY_LIGHT": (("backup_min", "应急时间", "min", (90,)),),
    "NURSE_CALL": (("beds", "床位数", "床", (40, 50, 60)),),
    "CCTV": (("resolution", "分辨率", "", ("400万像素", "200万像素")),),
    "UV_CART": (("lamps", "灯管数", "支", (4, 6)),),
}  # fmt: skip


class Place(NamedTuple):
    selector: str
    count: int


class CertSpec(NamedTuple):
    kind: str
    issuer: str
    prefix: str
    months: int  # validity


LIFT_CERT = CertSpec("电梯定期检验合格证", "江州市特种设备检验研究院", "TJ", 12)
BOILER_CERT = CertSpec("锅炉定期检验报告", "江州市特种设备检验研究院", "GL", 12)
VESSEL_CERT = CertSpec("压力容器定期检验报告", "江州市特种设备检验研究院", "RQ", 36)
GAS_CERT = CertSpec("医用气体系统检测报告", "江州市计量测试研究院", "YQ", 12)


class ItemRow(NamedTuple):
    """The items of one category: where they stand, who maintains them, what they are."""

    category: str
    prefix: str  # of the item codes
    team: str
    places: tuple[Place, ...]
    makes: tuple[tuple[str, str], ...]  # (manufacturer, model)
    vendor: str = ""  # vendor key of logistics.org.demo_names
    cert: CertSpec | None = None
    retire: bool = False  # small items that are taken out of service, replaced or retired
    life: tuple[int, int] = (2008, 2024)  # installed between these years


P = Place
ITEMS: tuple[ItemRow, ...] = (
    ItemRow("CHILLER", "CH", "T-HVAC", (P("plant:CHL", 4), P("plant:AC@EAST.INP,OPD.CLN", 2)),
            (("开利", "30XW-1252"), ("约克", "YKEPFPQ45"), ("特灵", "RTHF-390"))),
    ItemRow("COOLING_TOWER", "CT", "T-HVAC", (P("plant:CHL", 3),), (("良机", "LRC-M-300"), ("马利", "NC8405"))),
    ItemRow("AHU", "AHU", "T-HVAC", (P("plant:AC", 3),), (("约克", "YBF-18"), ("开利", "39CQ-20"), ("格力", "ZK-25"))),
    ItemRow("PURIFY_AHU", "PAU", "T-HVAC", (P("loc:ward_area/surgery", 3),),
            (("新晃", "JK-08"), ("妥思", "TKF-06"))),
    ItemRow("FAU", "FAU", "T-HVAC", (P("plant:FA", 4), P("plant:AC", 1)), (("约克", "YFA-08"), ("麦克维尔", "MDF-12"))),
    ItemRow("FCU", "FCU", "T-HVAC", (
        P("loc:ward_area/ward", 12), P("loc:room/ward", 4), P("loc:nurse_station/*", 2), P("loc:ward_area/surgery", 6),
        P("loc:ward_area/emergency", 6), P("loc:room/clinic", 6), P("loc:reception/*", 3), P("loc:room/imaging", 3),
        P("loc:room/lab", 3), P("loc:room/pharmacy", 3), P("loc:room/administration", 3), P("loc:room/logistics", 3),
        P("loc:room/other", 3), P("loc:room/surgery", 3), P("loc:room/emergency", 3), P("lift", 3),
    ), (("麦克维尔", "MCW-500"), ("约克", "YGFC-06"), ("格力", "FP-68WA")), retire=True),
    ItemRow("SPLIT_AC", "AC", "T-HVAC", (P("loc:room/administration", 2), P("loc:room/logistics", 2),
                                          P("loc:room/lab", 2), P("loc:room/imaging", 2), P("loc:room/pharmacy", 1)),
            (("格力", "KFR-35GW"), ("美的", "KFR-51LW"), ("海尔", "KFR-72LW")), retire=True, life=(2012, 2025)),
    ItemRow("TRANSFORMER", "TR", "T-WE", (P("plant:HV", 4), P("plant:PD", 1)),
            (("顺特电气", "SCB13-1250"), ("金盘科技", "SCB11-1600"))),
    ItemRow("SWITCHGEAR", "SG", "T-WE", (P("plant:HV", 10), P("plant:PD", 4)),
            (("施耐德", "MVnex"), ("ABB", "UniGear ZS1"), ("正泰", "GCK"))),
    ItemRow("GENERATOR", "GEN", "T-WE", (P("plant:GEN@MAIN.PWR,EAST.PWR", 2), P("plant:GEN@OPD.AUX", 1)),
            (("康明斯", "C1000D5"), ("玉柴", "YC6C1220L"))),
    ItemRow("UPS", "UPS", "T-WE", (P("plant:UPS", 4), P("plant:PD", 1)),
            (("山特", "3C3 Pro"), ("艾默生", "UL33-0800L"))),
    ItemRow("DIST_BOX", "DB", "T-WE", (P("lift", 2), P("loc:ward_area/*", 1)),
            (("正泰", "PZ30"), ("施耐德", "Acti9"), ("德力西", "XL-21")), retire=True),
    ItemRow("PASSENGER_LIFT", "EL", "T-ELEV", (P("plant:EL", 3),),
            (("奥的斯", "GeN2"), ("三菱", "NEXIEZ-MRL"), ("日立", "HGP")), vendor="elevator", cert=LIFT_CERT),
    ItemRow("BED_LIFT", "BL", "T-ELEV", (P("plant:EL@MAIN.INPA,MAIN.INPB,EAST.INP,MAIN.MED", 3),),
            (("奥的斯", "GeN2-MB"), ("通力", "MonoSpace 700")), vendor="elevator", cert=LIFT_CERT),
    ItemRow("FREIGHT_LIFT", "FL", "T-ELEV", (P("plant:EL@MAIN.INPA,MAIN.INPB,EAST.INP", 1),),
            (("日立", "HGE-F"),), vendor="elevator", cert=LIFT_CERT),
    ItemRow("ESCALATOR", "ES", "T-ELEV", (P("lift:1F@MAIN.OPD,EAST.OPD,OPD.CLN", 2),),
            (("迅达", "9300AE"), ("通力", "TravelMaster 110")), vendor="elevator", cert=LIFT_CERT),
    ItemRow("PUMP", "WP", "T-WE", (P("plant:WP", 4),), (("格兰富", "CR 45-3"), ("威乐", "MVI 3206"))),
    ItemRow("SEWAGE_PUMP", "SP", "T-WE", (P("plant:WP", 2), P("out:STP", 2)), (("飞力", "NP 3127"), ("格兰富", "SE1"))),
    ItemRow("BOILER", "BLR", "T-WE", (P("plant:BLR@MAIN.PWR", 3), P("plant:BLR@EAST.PWR", 2)),
            (("郑锅", "WNS4-1.25-Q"), ("方快", "WNS2-1.0-Y.Q")), cert=BOILER_CERT),
    ItemRow("SOFTENER", "SOF", "T-WE", (P("plant:BLR", 1),), (("富莱克", "2850"),)),
    ItemRow("WATER_HEATER", "WH", "T-WE", (P("loc:room/ward", 1),),
            (("A.O.史密斯", "EWH-80"), ("海尔", "ES80H")), retire=True, life=(2015, 2025)),
    ItemRow("AIR_RECEIVER", "AR", "T-GAS", (P("plant:AIR", 2), P("plant:VAC", 2)), (("申江", "C-2.0/1.0"),),
            cert=VESSEL_CERT),
    ItemRow("STEAM_HEADER", "SH", "T-WE", (P("plant:BLR", 1),), (("郑锅", "FQG-1.25"),), cert=VESSEL_CERT),
    ItemRow("LOX_TANK", "LOX", "T-GAS", (P("out:LOX@MAIN.OUT", 2), P("out:LOX@EAST.OUT", 1)),
            (("查特", "VS-15000"), ("四川空分", "CFL-10/0.8")), cert=VESSEL_CERT),
    ItemRow("O2_MANIFOLD", "OXM", "T-GAS", (P("plant:OXY", 2),), (("鱼跃", "HLP-10"), ("德尔格", "MA-20")),
            cert=GAS_CERT),
    ItemRow("VACUUM_PUMP", "VP", "T-GAS", (P("plant:VAC", 3),), (("普旭", "RA0160"), ("贝克", "U4.165")),
            cert=GAS_CERT),
    ItemRow("AIR_COMPRESSOR", "MAC", "T-GAS", (P("plant:AIR", 3),), (("阿特拉斯·科普柯", "GA11 VSD"),), cert=GAS_CERT),
    ItemRow("GAS_ALARM", "GA", "T-GAS", (P("loc:nurse_station/*", 1), P("loc:ward_area/surgery", 2)),
            (("德尔格", "ZVB-3"), ("鱼跃", "QB-2")), cert=GAS_CERT),
    ItemRow("FIRE_PUMP", "FP", "T-WE", (P("plant:WP", 2),), (("上海连成", "XBD8/40"), ("凯泉", "XBD10/30"))),
    ItemRow("SPRINKLER_VALVE", "SV", "T-WE", (P("plant:WP", 2),), (("天广", "ZSFZ150"),)),
    ItemRow("SMOKE_FAN", "SF", "T-WE", (P("plant:FA", 2), P("plant:AC", 2)), (("亚太", "HTF-I-10"),)),
    ItemRow("FIRE_PANEL", "FAP", "T-SEC", (P("plant:PD", 1), P("dept:D-SEC", 2)),
            (("海湾", "GST5000"), ("泰和安", "TX3016A")), vendor="security"),
    ItemRow("EMERGENCY_LIGHT", "EML", "T-WE", (P("lift", 2),), (("三雄极光", "PAK-Y01"), ("敏华", "M-ZFJC-E5W")),
            retire=True, life=(2016, 2025)),
    ItemRow("NURSE_CALL", "NC", "T-WE", (P("loc:nurse_station/*", 1),), (("来邦", "LB-NC8000"), ("尚荣", "SR-HJ6"))),
    ItemRow("CCTV", "CAM", "T-SEC", (P("lift", 2), P("out:", 3), P("loc:reception/*", 1)),
            (("海康威视", "DS-2CD3T46"), ("大华", "DH-IPC-HFW2433")), vendor="security", retire=True,
            life=(2016, 2025)),
    ItemRow("SCRUBBER", "SCR", "T-CLEAN", (P("dept:D-LOG-PROP", 10),), (("坦能", "T5"), ("力奇", "BR 40/10")),
            vendor="property", retire=True, life=(2019, 2025)),
    ItemRow("UV_CART", "UV", "T-CLEAN", (P("loc:room/ward", 1),), (("新华医疗", "ZXY-II"),), vendor="property",
            retire=True, life=(2018, 2025)),
)  # fmt: skip
del P

# Items per location at each scale (the places do not grow with the scale, the density does).
SCALE_FACTOR = {"small": 1, "hospital": 4, "large": 12}


# --- checklists -------------------------------------------------------------------------------------
class Line(NamedTuple):
    """A checklist line: ``kind`` check, measure (``low``–``high`` in ``unit``), text or photo."""

    label: str
    kind: str = "check"
    unit: str = ""
    low: float | None = None
    high: float | None = None
    required: bool = True
    guidance: str = ""


class TemplateRow(NamedTuple):
    name: str
    category: str  # "" for a template of any category
    lines: tuple[Line, ...]


L = Line
PHOTO = L("现场照片", "photo", required=False, guidance="拍摄保养后的设备整体照片")
TEMPLATES: tuple[TemplateRow, ...] = (
    TemplateRow("冷水机组日常巡检", "CHILLER", (
        L("机组运行声音、振动正常"), L("冷冻水出水温度", "measure", "°C", 5, 9),
        L("冷却水进水温度", "measure", "°C", 24, 33),
        L("蒸发器压力", "measure", "kPa", 250, 380), L("运行记录（电流、负载率）", "text"))),
    TemplateRow("冷水机组季度保养", "CHILLER", (
        L("冷凝器、蒸发器换热管检查清洗"), L("润滑油油位、油色正常"), L("压缩机运行电流", "measure", "A", 150, 420),
        L("电机绝缘电阻", "measure", "MΩ", 2, 2000, guidance="500V 兆欧表测量"), PHOTO)),
    TemplateRow("锅炉房日常巡检", "BOILER", (
        L("蒸汽压力", "measure", "MPa", 0.4, 0.95), L("锅筒水位（偏离正常水位）", "measure", "mm", -50, 50),
        L("安全阀、压力表在检定有效期内"), L("燃气管道及阀门无泄漏"), L("运行记录", "text"))),
    TemplateRow("医用气体汇流排巡检", "O2_MANIFOLD", (
        L("汇流排输出压力", "measure", "MPa", 0.4, 0.5), L("氧气纯度", "measure", "%", 99.5, 100),
        L("管路及阀门无泄漏"), L("备用气瓶压力充足"))),
    TemplateRow("液氧储罐巡检", "LOX_TANK", (
        L("储罐压力", "measure", "MPa", 0.5, 0.8), L("液位", "measure", "%", 20, 95), L("安全附件完好、无结霜异常"),
        PHOTO)),
    TemplateRow("高压配电室巡检", "TRANSFORMER", (
        L("变压器绕组温度", "measure", "°C", 20, 100), L("低压侧母线电压", "measure", "V", 380, 420),
        L("无异味、无异常放电声"), L("绝缘工具及消防器材齐全"))),
    TemplateRow("电梯半月维保", "ELEVATOR", (
        L("轿厢照明、通风、紧急报警装置正常"), L("层门、轿门门锁电气触点清洁有效"), L("制动器动作灵活可靠"),
        L("平层准确度", "measure", "mm", 0, 10), L("维保人员及记录", "text"),
        L("维保记录签字页", "photo", required=False))),
    TemplateRow("柴油发电机组试运行", "GENERATOR", (
        L("启动正常、运行无异响"), L("蓄电池电压", "measure", "V", 24, 28.8),
        L("日用油箱油位", "measure", "%", 60, 100),
        L("输出频率", "measure", "Hz", 49.5, 50.5), L("运行时长及备注", "text"))),
    TemplateRow("UPS 月度检查", "UPS", (
        L("面板无告警"), L("电池组电压", "measure", "V", 384, 460), L("负载率", "measure", "%", 5, 80),
        L("电池室温度", "measure", "°C", 15, 30))),
    TemplateRow("风机盘管清洗保养", "FCU", (
        L("过滤网清洗"), L("凝水盘及排水管畅通"), L("风机运转正常、无异响"), PHOTO)),
    TemplateRow("配电箱季度巡检", "DIST_BOX", (
        L("箱体完好、回路标识清楚"), L("接线端子温度", "measure", "°C", 10, 65), L("漏电保护器试验动作正常"))),
    TemplateRow("空调机组过滤网更换", "AHU", (
        L("初效过滤网清洗或更换"), L("皮带张紧度及磨损检查"), L("过滤器压差", "measure", "Pa", 30, 250))),
    TemplateRow("消防泵月度试运行", "FIRE_PUMP", (
        L("手动、自动启泵正常"), L("出口压力", "measure", "MPa", 0.6, 1.2), L("阀门处于正确启闭状态"))),
    TemplateRow("净化空调月末保养", "PURIFY_AHU", (
        L("送风温度", "measure", "°C", 18, 24), L("相对湿度", "measure", "%", 40, 60),
        L("高效过滤器压差", "measure", "Pa", 100, 450), L("加湿器工作正常"))),
    TemplateRow("冷却塔清洗", "COOLING_TOWER", (L("集水盘清洗"), L("填料、布水器完好"), L("水质处理记录", "text"))),
    TemplateRow("特种设备定期检验", "", (
        L("检验机构现场检验完成"), L("检验报告编号", "text"), L("检验合格证照片", "photo", required=False))),
    TemplateRow("生活给水泵月度保养", "PUMP", (
        L("运行无异响、无渗漏"), L("出口压力", "measure", "MPa", 0.4, 0.9), L("电机温度", "measure", "°C", 20, 70))),
    TemplateRow("监控摄像机巡检", "CCTV", (L("图像清晰、角度正确"), L("录像正常存储"))),
    TemplateRow("应急照明季度测试", "EMERGENCY_LIGHT", (
        L("切断主电后自动点亮"), L("应急持续时间", "measure", "min", 90, 240))),
    TemplateRow("护理呼叫系统季度检查", "NURSE_CALL", (L("床头分机呼叫正常"), L("卫生间紧急呼叫正常"))),
    TemplateRow("负压吸引机组保养", "VACUUM_PUMP", (
        L("系统负压", "measure", "kPa", -90, -55), L("真空泵油位正常"), L("排气过滤器清洁"))),
    TemplateRow("分体空调清洗", "SPLIT_AC", (L("滤网清洗"), L("室外机散热良好、支架牢固"))),
    TemplateRow("电热水器除垢保养", "WATER_HEATER", (
        L("镁棒检查、更换"), L("出水温度", "measure", "°C", 40, 75))),
    TemplateRow("排烟风机季度试运行", "SMOKE_FAN", (L("手动及联动启动正常"), L("排烟防火阀动作正常"))),
    TemplateRow("区域阀门箱季度检查", "GAS_ALARM", (
        L("报警装置自检正常"), L("氧气压力", "measure", "MPa", 0.35, 0.5))),
    TemplateRow("洗地机月度保养", "SCRUBBER", (L("电池及充电器正常"), L("刷盘及吸水胶条完好"))),
)  # fmt: skip
del L


# --- maintenance plans ------------------------------------------------------------------------------
class PlanRow(NamedTuple):
    """A maintenance plan. ``scope``: ``(how, category, place)``, how = ``category`` (every item of
    the category at the place), ``list`` (the items there, listed) or ``item`` (the first one);
    place = "" (everywhere), a campus code, ``CAMPUS.BUILDING`` or a location code. ``schedule``:
    ``("every", n, unit, anchor)``, ``("weekdays", days)`` or ``("month_days", days)``. ``due``:
    days from today of a due date of the plan (its phase), counted back a year for the start."""

    code: str
    name: str
    kind: str
    template: str  # "" for none
    team: str
    scope: tuple[str, str, str]
    schedule: tuple
    lead: int
    minutes: int
    due: int
    auto_repair: bool = False


DAILY = ("weekdays", (0, 1, 2, 3, 4, 5, 6))
WORKDAYS = ("weekdays", (0, 1, 2, 3, 4))


def _every(n: int, unit: str, anchor: str = "due") -> tuple:
    return ("every", n, unit, anchor)


PLANS: tuple[PlanRow, ...] = (
    PlanRow("CHL-DAILY", "本部冷冻站 冷水机组日常巡检", "inspection", "冷水机组日常巡检", "T-HVAC",
            ("category", "CHILLER", "L-MAIN-PWR-1F-CHL"), DAILY, 0, 30, 0),
    PlanRow("CHL-Q", "本部冷水机组季度保养", "maintenance", "冷水机组季度保养", "T-HVAC", ("list", "CHILLER", "MAIN"),
            _every(3, "month"), 7, 240, 23),
    PlanRow("BLR-DAILY", "本部锅炉房日常巡检", "inspection", "锅炉房日常巡检", "T-WE", ("category", "BOILER", "MAIN"),
            DAILY, 0, 30, 0, True),
    PlanRow("OXM-WD", "氧气汇流排巡检（工作日）", "inspection", "医用气体汇流排巡检", "T-GAS",
            ("category", "O2_MANIFOLD", ""), WORKDAYS, 0, 20, 0, True),
    PlanRow("LOX-2D", "液氧储罐巡检（每 2 天）", "inspection", "液氧储罐巡检", "T-GAS", ("category", "LOX_TANK", ""),
            _every(2, "day"), 0, 20, 1, True),
    PlanRow("HV-MT", "本部高压配电室巡检（周一、周四）", "inspection", "高压配电室巡检", "T-WE",
            ("category", "TRANSFORMER", "L-MAIN-PWR-B1-HV"), ("weekdays", (0, 3)), 0, 40, 0),
    PlanRow("ELEV-MAIN", "本部电梯半月维保", "maintenance", "电梯半月维保", "T-ELEV", ("category", "ELEVATOR", "MAIN"),
            ("month_days", (1, 16)), 2, 45, 0, True),
    PlanRow("ELEV-EAST", "东院区电梯半月维保", "maintenance", "电梯半月维保", "T-ELEV",
            ("category", "ELEVATOR", "EAST"), ("month_days", (8, 23)), 2, 45, 0, True),
    PlanRow("ELEV-OPD", "城南门诊部电梯半月维保", "maintenance", "电梯半月维保", "T-ELEV",
            ("category", "ELEVATOR", "OPD"), ("month_days", (5, 20)), 2, 45, 0, True),
    PlanRow("GEN-W", "柴油发电机组每周空载试运行", "inspection", "柴油发电机组试运行", "T-WE",
            ("category", "GENERATOR", ""), _every(1, "week"), 0, 60, 2),
    PlanRow("GEN-MAIN-1-M", "本部1号柴油发电机组月度带载试验", "maintenance", "柴油发电机组试运行", "T-WE",
            ("item", "GENERATOR", "MAIN"), _every(1, "month"), 3, 120, 12),
    PlanRow("UPS-M", "UPS 月度检查", "inspection", "UPS 月度检查", "T-WE", ("category", "UPS", ""),
            _every(1, "month"), 3, 30, 6),
    PlanRow("AHU-FLT", "空调机组过滤网更换（按上次完成计）", "maintenance", "空调机组过滤网更换", "T-HVAC",
            ("category", "AHU", ""), _every(1, "month", "completion"), 3, 45, -330),
    PlanRow("FP-M", "消防泵月度试运行（每月 10 日）", "inspection", "消防泵月度试运行", "T-WE",
            ("category", "FIRE_PUMP", ""), ("month_days", (10,)), 0, 30, 0),
    PlanRow("PAU-ME", "手术室净化空调月末保养", "maintenance", "净化空调月末保养", "T-HVAC",
            ("category", "PURIFY_AHU", ""), ("month_days", (31,)), 3, 90, 0, True),
    PlanRow("CT-C", "冷却塔清洗（按上次完成计）", "maintenance", "冷却塔清洗", "T-HVAC",
            ("list", "COOLING_TOWER", "MAIN"), _every(3, "month", "completion"), 7, 240, -340),
    PlanRow("VP-C", "负压吸引机组保养（每 4 周，按上次完成计）", "maintenance", "负压吸引机组保养", "T-GAS",
            ("category", "VACUUM_PUMP", ""), _every(4, "week", "completion"), 3, 60, -335, True),
    PlanRow("SOFT-C", "软化水设备树脂再生（每 2 周，按上次完成计）", "maintenance", "", "T-WE",
            ("category", "SOFTENER", ""), _every(2, "week", "completion"), 0, 60, -350),
    PlanRow("WP-M", "生活给水泵月度保养", "maintenance", "生活给水泵月度保养", "T-WE", ("category", "PUMP", ""),
            _every(1, "month"), 5, 30, 9),
    PlanRow("CAM-H", "监控摄像机半年巡检", "inspection", "监控摄像机巡检", "T-SEC", ("category", "CCTV", ""),
            _every(6, "month"), 14, 10, 40),
    PlanRow("EML-Q", "应急照明季度测试", "inspection", "应急照明季度测试", "T-WE", ("category", "EMERGENCY_LIGHT", ""),
            _every(3, "month"), 7, 10, 15),
    PlanRow("NC-Q", "护理呼叫系统季度检查", "inspection", "护理呼叫系统季度检查", "T-WE",
            ("category", "NURSE_CALL", ""), _every(3, "month"), 7, 20, 50),
    PlanRow("AC-H", "分体空调半年清洗", "maintenance", "分体空调清洗", "T-HVAC", ("category", "SPLIT_AC", ""),
            _every(6, "month"), 14, 30, 100),
    PlanRow("WH-Q", "电热水器季度除垢保养", "maintenance", "电热水器除垢保养", "T-WE", ("category", "WATER_HEATER", ""),
            _every(3, "month"), 7, 30, 33),
    PlanRow("SF-Q", "排烟风机季度试运行", "inspection", "排烟风机季度试运行", "T-WE", ("category", "SMOKE_FAN", ""),
            _every(3, "month"), 7, 20, 62),
    PlanRow("GA-Q", "区域阀门箱季度检查", "inspection", "区域阀门箱季度检查", "T-GAS", ("category", "GAS_ALARM", ""),
            _every(3, "month"), 7, 15, 26),
    PlanRow("SCR-M", "洗地机月度保养", "maintenance", "洗地机月度保养", "T-CLEAN", ("category", "SCRUBBER", ""),
            _every(1, "month"), 0, 30, 4),
    PlanRow("DB-MAIN", "本部配电箱季度巡检", "inspection", "配电箱季度巡检", "T-WE", ("category", "DIST_BOX", "MAIN"),
            _every(3, "month"), 7, 15, 20),
    PlanRow("DB-EAST", "东院区配电箱季度巡检", "inspection", "配电箱季度巡检", "T-WE", ("category", "DIST_BOX", "EAST"),
            _every(3, "month"), 7, 15, 48),
    PlanRow("DB-OPD", "城南门诊部配电箱季度巡检", "inspection", "配电箱季度巡检", "T-WE",
            ("category", "DIST_BOX", "OPD"), _every(3, "month"), 7, 15, 75),
    PlanRow("CERT-ELEV-MAIN", "本部电梯定期检验", "certification", "特种设备定期检验", "T-ELEV",
            ("category", "ELEVATOR", "MAIN"), _every(12, "month"), 30, 120, 20),
    PlanRow("CERT-ELEV-EAST", "东院区电梯定期检验", "certification", "特种设备定期检验", "T-ELEV",
            ("category", "ELEVATOR", "EAST"), _every(12, "month"), 30, 120, -150),
    PlanRow("CERT-ELEV-OPD", "城南门诊部电梯定期检验", "certification", "特种设备定期检验", "T-ELEV",
            ("category", "ELEVATOR", "OPD"), _every(12, "month"), 30, 120, 100),
    PlanRow("CERT-BLR", "锅炉定期检验", "certification", "特种设备定期检验", "T-WE", ("category", "BOILER", ""),
            _every(12, "month"), 30, 240, 45),
    PlanRow("CERT-PV", "压力容器定期检验", "certification", "特种设备定期检验", "T-GAS", ("category", "PRESSURE", ""),
            _every(12, "month"), 30, 120, -60),
    PlanRow("CERT-GAS", "医用气体系统年度检测", "certification", "特种设备定期检验", "T-GAS", ("category", "GAS", ""),
            _every(12, "month"), 30, 60, 10),
)  # fmt: skip
# Plus one "风机盘管半年清洗保养" per building with fan coils (``FCU-<campus>-<building>``), every six
# months, their due dates spread over the half year.
FCU_PLAN = PlanRow("FCU", "风机盘管半年清洗保养", "maintenance", "风机盘管清洗保养", "T-HVAC", ("category", "FCU", ""),
                   _every(6, "month"), 14, 20, 0)  # fmt: skip
