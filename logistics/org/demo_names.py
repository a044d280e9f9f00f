"""Data tables of the demo hospital (江州市第一人民医院): names, campuses, buildings, departments,
teams, vendors and positions. Pure data, read by ``demo.py``; every name here is made up.

Codes are stable: rows are found again by code on every run, so renaming a code here creates a
new row next time. Append new departments and teams at the end of their tables: a staff member's
employee number is derived from the position of their department or team in these tables.
"""

from __future__ import annotations

from typing import NamedTuple

# --- people's names ---------------------------------------------------------------------------
# Surnames with their approximate share of the population (per mille, rounded), most common first.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 22), ("赵", 22),
    ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 13), ("郭", 12),
    ("何", 12), ("林", 11), ("高", 11), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 5), ("叶", 5), ("程", 5), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3), ("熊", 3), ("秦", 3),
    ("邱", 3), ("江", 3), ("尹", 3), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("覃", 2), ("武", 2), ("戴", 2),
    ("莫", 2), ("孔", 2), ("向", 2), ("汤", 2), ("常", 1.5), ("温", 1.5), ("康", 1.5), ("施", 1.5),
    ("文", 1.5), ("牛", 1.5), ("樊", 1.5), ("葛", 1.5), ("邢", 1.5), ("安", 1.5), ("齐", 1.5), ("易", 1.5),
    ("乔", 1.5), ("伍", 1.5), ("庞", 1.5), ("颜", 1.5), ("倪", 1.5), ("庄", 1.5), ("聂", 1.5), ("章", 1.5),
    ("鲁", 1), ("岳", 1), ("翟", 1), ("殷", 1), ("詹", 1), ("申", 1), ("欧", 1), ("耿", 1),
    ("关", 1), ("兰", 1), ("焦", 1), ("俞", 1), ("左", 1), ("柳", 1), ("甘", 1), ("祝", 1),
    ("包", 1), ("宁", 1), ("尚", 1), ("符", 1), ("舒", 1), ("阮", 1), ("柯", 1), ("纪", 1),
    ("梅", 1), ("童", 1), ("凌", 1), ("毕", 1), ("单", 1), ("季", 1), ("裴", 1), ("霍", 1),
    ("涂", 1), ("成", 1), ("苗", 1), ("谷", 1), ("盛", 1), ("曲", 1), ("翁", 1), ("冉", 1),
    ("欧阳", 0.5), ("司马", 0.1), ("诸葛", 0.1), ("上官", 0.1),
)  # fmt: skip

# Given names (名): whole two-character names as people are actually called, and characters that
# make one-character names and new combinations. Mostly one gender's, some used for both.
GIVEN_NAMES_MALE = (
    "建国", "建华", "建军", "国强", "国平", "志强", "志刚", "志明", "海涛", "海峰", "文博", "文杰", "子轩", "子豪",
    "浩然", "宇航", "俊杰", "晓东", "晓峰", "卫东", "卫国", "永刚", "永强", "德明", "德华", "春生", "春雷", "红军",
    "金龙", "立新", "立军", "振华", "振宇", "明辉", "光明", "家豪", "家乐", "天佑", "嘉诚", "思远", "一鸣", "宏伟",
    "鹏飞", "云飞", "俊峰", "伟民", "新民", "秋生", "长青", "玉龙", "庆丰", "福生", "少华", "学军", "兴华", "泽宇",
    "博文", "梓轩", "宇轩", "皓轩", "铭轩", "睿哲", "昊然", "锦程", "凯文", "志远", "世杰", "建平", "建新", "小龙",
)  # fmt: skip
GIVEN_NAMES_FEMALE = (
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "丽娟", "丽华", "丽萍", "海燕", "晓燕", "晓红", "晓丽", "晓雯", "雪梅",
    "红梅", "玉梅", "春梅", "美玲", "美华", "淑珍", "淑华", "凤英", "建芳", "慧敏", "慧琳", "婷婷", "晶晶", "丹丹",
    "莹莹", "佳怡", "佳琪", "欣怡", "梓涵", "诗涵", "雨桐", "雨欣", "梦瑶", "思琪", "紫涵", "可馨", "文静", "文娟",
    "亚男", "爱华", "小红", "小芳", "小燕", "秋菊", "冬梅", "素芬", "翠兰", "月娥", "艳红", "艳芳", "海霞", "彩霞",
    "云霞", "雅琴", "琳琳", "倩倩", "璐璐", "静怡", "心怡", "若曦", "婉婷", "雅婷", "嘉欣", "晓敏", "春燕", "秀梅",
)  # fmt: skip
GIVEN_MALE = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "飞", "鑫",
    "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "龙", "洋", "建", "国", "志", "永", "峰", "亮",
    "东", "海", "成", "兵", "锋", "彬", "博", "宏", "毅", "振", "翔", "昊", "泽", "睿", "豪", "荣",
    "德", "庆", "广", "松", "武", "卫", "忠", "胜", "良", "坤", "阳", "林", "晨", "军", "斌", "栋",
)  # fmt: skip
GIVEN_FEMALE = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "颖", "琳", "倩",
    "洁", "莉", "萍", "红", "梅", "琴", "蓉", "薇", "菲", "璐", "晶", "欣", "怡", "悦", "瑶", "佳",
    "丹", "露", "莹", "雯", "岚", "楠", "妍", "茜", "蕾", "秀", "英", "兰", "凤", "玉", "珍", "云",
)  # fmt: skip
GIVEN_ANY = ("文", "明", "华", "晓", "佳", "欣", "宇", "晨", "安", "嘉", "海", "立", "新", "春", "思", "雨")

# --- phones -------------------------------------------------------------------------------------
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
)  # fmt: skip

# --- sites ----------------------------------------------------------------------------------------
HOSPITAL = "江州市第一人民医院"


class CampusRow(NamedTuple):
    code: str
    name: str
    short_name: str
    address: str


CAMPUSES: tuple[CampusRow, ...] = (
    CampusRow("MAIN", f"{HOSPITAL} 本部", "本部", "江州市解放大道 1277 号"),
    CampusRow("EAST", f"{HOSPITAL} 东院区", "东院区", "江州市高新区光谷大道 56 号"),
    CampusRow("OPD", f"{HOSPITAL} 城南门诊部", "门诊部", "江州市城南区民主路 318 号"),
)


class BuildingRow(NamedTuple):
    campus: str
    code: str
    name: str
    lowest: int  # lowest level: -1 for one basement
    highest: int
    public: bool  # a clinical building: an elevator hall on every floor
    plant: tuple[tuple[int, str, str, str], ...] = ()  # extra (level, code suffix, name, kind)


BUILDINGS: tuple[BuildingRow, ...] = (
    BuildingRow("MAIN", "OPD", "门诊楼", -1, 5, True),
    BuildingRow("MAIN", "INPA", "住院部A栋", -1, 16, True, ((-1, "OXY", "医用气体汇流排间", "plant_room"),)),
    BuildingRow("MAIN", "INPB", "住院部B栋", -1, 14, True, ((-1, "OXY", "医用气体汇流排间", "plant_room"),)),
    BuildingRow("MAIN", "MED", "医技楼", -1, 6, True, ((-1, "UPS", "UPS 电源室", "plant_room"),)),
    BuildingRow("MAIN", "ADM", "行政楼", 1, 6, False),
    BuildingRow("MAIN", "LOG", "后勤楼", 1, 4, False, ((1, "WS", "维修工作间", "room"),)),
    BuildingRow(
        "MAIN",
        "PWR",
        "动力中心",
        -1,
        2,
        False,
        (
            (-1, "HV", "高压配电室", "plant_room"),
            (-1, "GEN", "柴油发电机房", "plant_room"),
            (1, "BLR", "锅炉房", "plant_room"),
            (1, "CHL", "中央空调冷冻站", "plant_room"),
            (1, "VAC", "负压吸引机房", "plant_room"),
            (1, "AIR", "医用压缩空气站", "plant_room"),
            (2, "BMS", "楼宇自控监控中心", "room"),
        ),
    ),
    BuildingRow("EAST", "OPD", "门诊楼", 1, 4, True),
    BuildingRow("EAST", "INP", "住院楼", -1, 12, True, ((-1, "OXY", "医用气体汇流排间", "plant_room"),)),
    BuildingRow("EAST", "MED", "医技楼", 1, 4, True),
    BuildingRow("EAST", "LOG", "后勤综合楼", 1, 3, False, ((1, "WS", "维修工作间", "room"),)),
    BuildingRow(
        "EAST",
        "PWR",
        "动力中心",
        1,
        2,
        False,
        (
            (1, "GEN", "柴油发电机房", "plant_room"),
            (1, "BLR", "锅炉房", "plant_room"),
            (1, "VAC", "负压吸引机房", "plant_room"),
        ),
    ),
    BuildingRow("OPD", "CLN", "门诊综合楼", -1, 6, True),
    BuildingRow("OPD", "AUX", "附属用房", 1, 2, False, ((1, "GEN", "柴油发电机房", "plant_room"),)),
)

# Outdoor points of each campus: (campus, code suffix, name).
OUTDOOR: tuple[tuple[str, str, str], ...] = (
    ("MAIN", "LOX", "液氧站"),
    ("MAIN", "STP", "污水处理站"),
    ("MAIN", "MW", "医疗废物暂存点"),
    ("MAIN", "GW", "生活垃圾中转站"),
    ("MAIN", "P1", "地面停车场"),
    ("MAIN", "GATE", "东大门岗亭"),
    ("EAST", "LOX", "液氧站"),
    ("EAST", "STP", "污水处理站"),
    ("EAST", "MW", "医疗废物暂存点"),
    ("EAST", "GATE", "正门岗亭"),
    ("OPD", "MW", "医疗废物暂存点"),
    ("OPD", "GATE", "门岗"),
)

# Counters of the outpatient buildings: (campus, building, level, code suffix, name).
COUNTERS: tuple[tuple[str, str, int, str, str], ...] = (
    ("MAIN", "OPD", 1, "GUIDE", "门诊大厅导诊台"),
    ("MAIN", "OPD", 1, "REG", "挂号收费处"),
    ("MAIN", "OPD", 1, "SELF", "自助服务区"),
    ("MAIN", "OPD", 2, "PAY", "二楼收费处"),
    ("MAIN", "OPD", 3, "PAY", "三楼收费处"),
    ("MAIN", "OPD", 4, "PAY", "四楼收费处"),
    ("MAIN", "INPA", 1, "ADMIT", "入院服务中心"),
    ("MAIN", "INPA", 1, "DISCH", "出院结算处"),
    ("MAIN", "MED", 1, "APPT", "检查预约中心"),
    ("EAST", "OPD", 1, "GUIDE", "门诊大厅导诊台"),
    ("EAST", "OPD", 1, "REG", "挂号收费处"),
    ("EAST", "INP", 1, "ADMIT", "入出院服务中心"),
    ("OPD", "CLN", 1, "GUIDE", "导诊台"),
    ("OPD", "CLN", 1, "REG", "挂号收费处"),
)


# --- departments ----------------------------------------------------------------------------------
class DepartmentRow(NamedTuple):
    code: str
    name: str
    kind: str
    campus: str
    building: str
    level: int
    parent: str = ""
    weight: float = 0  # share of the clinical staff; 0 = the default of its kind


DEPARTMENTS: tuple[DepartmentRow, ...] = (
    # 本部: wards of 住院部A栋 (internal medicine) and B栋 (surgery, women and children)
    DepartmentRow("D-CARD-W1", "心血管内科一病区", "ward", "MAIN", "INPA", 5),
    DepartmentRow("D-CARD-W2", "心血管内科二病区", "ward", "MAIN", "INPA", 6),
    DepartmentRow("D-RESP-W1", "呼吸与危重症医学科病区", "ward", "MAIN", "INPA", 7),
    DepartmentRow("D-GAST-W1", "消化内科病区", "ward", "MAIN", "INPA", 8),
    DepartmentRow("D-NEPH-W1", "肾内科病区", "ward", "MAIN", "INPA", 9),
    DepartmentRow("D-ENDO-W1", "内分泌科病区", "ward", "MAIN", "INPA", 10),
    DepartmentRow("D-NEUR-W1", "神经内科病区", "ward", "MAIN", "INPA", 11),
    DepartmentRow("D-ONCO-W1", "肿瘤科病区", "ward", "MAIN", "INPA", 12),
    DepartmentRow("D-GSUR-W1", "普外科一病区", "ward", "MAIN", "INPB", 5),
    DepartmentRow("D-GSUR-W2", "普外科二病区", "ward", "MAIN", "INPB", 6),
    DepartmentRow("D-ORTH-W1", "骨科病区", "ward", "MAIN", "INPB", 7),
    DepartmentRow("D-NSUR-W1", "神经外科病区", "ward", "MAIN", "INPB", 8),
    DepartmentRow("D-URO-W1", "泌尿外科病区", "ward", "MAIN", "INPB", 9),
    DepartmentRow("D-OBST-W1", "产科病区", "ward", "MAIN", "INPB", 10),
    DepartmentRow("D-GYN-W1", "妇科病区", "ward", "MAIN", "INPB", 11),
    DepartmentRow("D-PED-W1", "儿科病区", "ward", "MAIN", "INPB", 12),
    # 本部: operating theatres and intensive care
    DepartmentRow("D-OR", "手术室", "surgery", "MAIN", "INPB", 3, weight=20),
    DepartmentRow("D-ICU", "重症医学科", "surgery", "MAIN", "INPA", 4),
    DepartmentRow("D-CCU", "心脏重症监护室", "surgery", "MAIN", "INPA", 4),
    # 本部: outpatient clinics and emergency
    DepartmentRow("D-IM-C", "内科门诊", "clinic", "MAIN", "OPD", 2),
    DepartmentRow("D-SUR-C", "外科门诊", "clinic", "MAIN", "OPD", 3),
    DepartmentRow("D-OBGY-C", "妇产科门诊", "clinic", "MAIN", "OPD", 4),
    DepartmentRow("D-PED-C", "儿科门诊", "clinic", "MAIN", "OPD", 4),
    DepartmentRow("D-EENT-C", "五官科门诊", "clinic", "MAIN", "OPD", 5),
    DepartmentRow("D-ER", "急诊科", "emergency", "MAIN", "OPD", 1, weight=16),
    # 本部: medical technology
    DepartmentRow("D-LAB", "检验科", "lab", "MAIN", "MED", 2, weight=10),
    DepartmentRow("D-PATH", "病理科", "lab", "MAIN", "MED", 4),
    DepartmentRow("D-RAD", "放射科", "imaging", "MAIN", "MED", 1, weight=9),
    DepartmentRow("D-US", "超声医学科", "imaging", "MAIN", "MED", 3),
    DepartmentRow("D-NUC", "核医学科", "imaging", "MAIN", "MED", -1),
    DepartmentRow("D-PHARM", "药学部", "pharmacy", "MAIN", "MED", 1, weight=2),
    DepartmentRow("D-PHARM-OP", "门诊药房", "pharmacy", "MAIN", "OPD", 1, parent="D-PHARM"),
    DepartmentRow("D-PHARM-IP", "住院药房", "pharmacy", "MAIN", "MED", 1, parent="D-PHARM"),
    DepartmentRow("D-CSSD", "消毒供应中心", "other", "MAIN", "MED", -1),
    DepartmentRow("D-NUTR", "营养科", "other", "MAIN", "LOG", 1),
    # 本部: logistics (后勤保障部 and the departments of its teams)
    DepartmentRow("D-LOG", "后勤保障部", "logistics", "MAIN", "LOG", 2, weight=4),
    DepartmentRow("D-LOG-ENG", "动力维修科", "logistics", "MAIN", "LOG", 1, parent="D-LOG"),
    DepartmentRow("D-LOG-TRN", "中央运送中心", "logistics", "MAIN", "MED", 1, parent="D-LOG"),
    DepartmentRow("D-LOG-PROP", "物业管理科", "logistics", "MAIN", "LOG", 3, parent="D-LOG"),
    DepartmentRow("D-LOG-WH", "物资供应科", "logistics", "MAIN", "LOG", 1, parent="D-LOG"),
    # 本部: administration
    DepartmentRow("D-ADM", "院长办公室", "administration", "MAIN", "ADM", 5),
    DepartmentRow("D-MED", "医务科", "administration", "MAIN", "ADM", 3),
    DepartmentRow("D-NURS", "护理部", "administration", "MAIN", "ADM", 3),
    DepartmentRow("D-FIN", "财务科", "administration", "MAIN", "ADM", 2),
    DepartmentRow("D-HR", "人力资源科", "administration", "MAIN", "ADM", 4),
    DepartmentRow("D-IT", "信息中心", "administration", "MAIN", "ADM", 6),
    DepartmentRow("D-SEC", "保卫科", "administration", "MAIN", "ADM", 1),
    # 东院区
    DepartmentRow("D-E-CARD-W", "东院心血管内科病区", "ward", "EAST", "INP", 4),
    DepartmentRow("D-E-RESP-W", "东院呼吸内科病区", "ward", "EAST", "INP", 5),
    DepartmentRow("D-E-REHAB-W", "东院康复医学科病区", "ward", "EAST", "INP", 6),
    DepartmentRow("D-E-ORTH-W", "东院骨科病区", "ward", "EAST", "INP", 7),
    DepartmentRow("D-E-GSUR-W", "东院普外科病区", "ward", "EAST", "INP", 8),
    DepartmentRow("D-E-INF-W", "东院感染性疾病科病区", "ward", "EAST", "INP", 9),
    DepartmentRow("D-E-OBGY-W", "东院妇产科病区", "ward", "EAST", "INP", 10),
    DepartmentRow("D-E-OR", "东院手术室", "surgery", "EAST", "INP", 3),
    DepartmentRow("D-E-ICU", "东院重症医学科", "surgery", "EAST", "INP", 2),
    DepartmentRow("D-E-IM-C", "东院内科门诊", "clinic", "EAST", "OPD", 2),
    DepartmentRow("D-E-SUR-C", "东院外科门诊", "clinic", "EAST", "OPD", 3),
    DepartmentRow("D-E-ER", "东院急诊科", "emergency", "EAST", "OPD", 1),
    DepartmentRow("D-E-LAB", "东院检验科", "lab", "EAST", "MED", 2),
    DepartmentRow("D-E-RAD", "东院影像科", "imaging", "EAST", "MED", 1),
    DepartmentRow("D-E-PHARM", "东院药房", "pharmacy", "EAST", "OPD", 1, parent="D-PHARM"),
    DepartmentRow("D-E-LOG", "东院后勤保障科", "logistics", "EAST", "LOG", 1, parent="D-LOG"),
    DepartmentRow("D-E-ADM", "东院综合办公室", "administration", "EAST", "LOG", 2),
    # 城南门诊部
    DepartmentRow("D-O-GP-C", "门诊部全科医学科", "clinic", "OPD", "CLN", 2),
    DepartmentRow("D-O-STOM-C", "门诊部口腔科", "clinic", "OPD", "CLN", 3),
    DepartmentRow("D-O-CHC-C", "门诊部儿童保健科", "clinic", "OPD", "CLN", 4),
    DepartmentRow("D-O-HM-C", "门诊部健康管理中心", "clinic", "OPD", "CLN", 5),
    DepartmentRow("D-O-LAB", "门诊部检验室", "lab", "OPD", "CLN", 2),
    DepartmentRow("D-O-RAD", "门诊部放射科", "imaging", "OPD", "CLN", 1),
    DepartmentRow("D-O-PHARM", "门诊部药房", "pharmacy", "OPD", "CLN", 1, parent="D-PHARM"),
    DepartmentRow("D-O-LOG", "门诊部后勤组", "logistics", "OPD", "AUX", 1, parent="D-LOG"),
    DepartmentRow("D-O-ADM", "门诊部办公室", "administration", "OPD", "CLN", 6),
)

# Share of the clinical staff per department kind (a department's ``weight`` overrides it).
KIND_WEIGHTS = {
    "ward": 10,
    "surgery": 12,
    "clinic": 6,
    "emergency": 10,
    "lab": 6,
    "imaging": 5,
    "pharmacy": 5,
    "other": 4,
    "logistics": 1,
    "administration": 3,
}

# Locations of each department by kind: (code suffix, name suffix, location kind).
DEPARTMENT_LOCATIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ward": (
        ("NS", "护士站", "nurse_station"),
        ("WA", "病房区", "ward_area"),
        ("TR", "治疗室", "room"),
        ("DU", "污物间", "room"),
    ),
    "surgery": (("NS", "护士站", "nurse_station"), ("WA", "监护/手术区", "ward_area"), ("ST", "无菌物品间", "room")),
    "clinic": (("TRI", "分诊台", "reception"), ("RM", "诊区", "room")),
    "emergency": (
        ("TRI", "预检分诊台", "reception"),
        ("NS", "护士站", "nurse_station"),
        ("RS", "抢救室", "room"),
        ("OB", "留观区", "ward_area"),
    ),
    "lab": (("SR", "标本接收处", "reception"), ("RM", "实验室", "room")),
    "imaging": (("RG", "登记台", "reception"), ("RM", "检查室", "room")),
    "pharmacy": (("WD", "发药窗口", "reception"), ("ST", "药品库", "room")),
    "other": (("OF", "办公室", "room"), ("RM", "工作间", "room")),
    "logistics": (("OF", "办公室", "room"),),
    "administration": (("OF", "办公室", "room"),),
}
# Extra locations of single departments: (department, code suffix, name suffix, location kind).
EXTRA_LOCATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("D-LOG", "DESK", "后勤服务中心（24小时报修）", "reception"),
    ("D-LOG-TRN", "DISP", "运送调度室", "room"),
    ("D-LOG-TRN", "WAIT", "运送员待命点", "point"),
    ("D-LOG-WH", "SP", "维修备件库", "room"),
    ("D-LOG-WH", "RCV", "收货区", "reception"),
    ("D-SEC", "FCC", "消防控制室", "room"),
    ("D-PATH", "FS", "术中冰冻切片室", "room"),
    ("D-LAB", "EMG", "急诊检验室", "room"),
    ("D-OR", "PACU", "麻醉复苏室", "ward_area"),
)


# --- vendors and teams --------------------------------------------------------------------------
class VendorRow(NamedTuple):
    key: str
    name: str
    services: str
    phone: str
    email: str
    address: str
    contract_end: str  # ISO date
    contacts: tuple[tuple[str, str, str, str], ...]  # (name, role, phone, email)


VENDORS: tuple[VendorRow, ...] = (
    VendorRow(
        "elevator",
        "江州奥迅电梯工程有限公司",
        "电梯维修保养、年检配合、困人救援",
        "400-618-2736",
        "service@aoxun-elevator.example.com",
        "江州市经开区工业三路 12 号",
        "2027-06-30",
        (
            ("曾凡华", "项目经理", "13907162231", "zengfh@aoxun-elevator.example.com"),
            ("易国栋", "维保站长", "15872234419", ""),
        ),
    ),
    VendorRow(
        "property",
        "江州洁康物业服务有限公司",
        "医院保洁、物业管理、医疗废物院内收集",
        "400-622-5810",
        "kefu@jiekang-pm.example.com",
        "江州市城南区建设路 88 号",
        "2026-12-31",
        (("胡美玲", "驻院项目经理", "18671150326", "humeiling@jiekang-pm.example.com"),),
    ),
    VendorRow(
        "security",
        "江州卫安保安服务有限公司",
        "门岗、巡逻、消防控制室值守",
        "0716-83215566",
        "office@weian-security.example.com",
        "江州市沙市区北京路 203 号",
        "2027-03-31",
        (
            ("石建军", "项目队长", "13597761208", ""),
            ("程立", "客户经理", "15007169925", "chengli@weian-security.example.com"),
        ),
    ),
)


class TeamRow(NamedTuple):
    code: str
    name: str
    kind: str
    campus: str  # "" = serves every campus
    department: str  # department of its members
    vendor: str  # vendor key for an outsourced team, else ""
    sizes: tuple[int, int, int]  # members at scale small, hospital, large (the lead included)
    lead_position: str
    positions: tuple[str, ...]
    male_share: float


TEAMS: tuple[TeamRow, ...] = (
    TeamRow("T-WE", "水电班", "water_electric", "", "D-LOG-ENG", "", (5, 30, 100), "班长",
            ("电工", "电工", "水工"), 0.95),
    TeamRow("T-HVAC", "空调班", "hvac", "", "D-LOG-ENG", "", (4, 20, 70), "班长", ("空调维修工", "制冷工"), 0.9),
    TeamRow("T-ELEV", "电梯班", "elevator", "", "D-LOG-ENG", "elevator", (3, 12, 40), "站长", ("电梯维保工",), 0.95),
    TeamRow("T-CARP", "木工班", "carpentry", "", "D-LOG-ENG", "", (2, 8, 25), "班长", ("木工", "泥瓦工"), 0.95),
    TeamRow("T-GAS", "医用气体班", "medical_gas", "", "D-LOG-ENG", "", (2, 10, 30), "班长", ("医用气体维修工",), 0.9),
    TeamRow("T-TRN-MAIN", "本部中央运送组", "transport", "MAIN", "D-LOG-TRN", "", (5, 60, 200), "组长",
            ("运送员",), 0.75),
    TeamRow("T-TRN-EAST", "东院中央运送组", "transport", "EAST", "D-E-LOG", "", (3, 25, 90), "组长",
            ("运送员",), 0.75),
    TeamRow("T-TRN-OPD", "门诊部运送组", "transport", "OPD", "D-O-LOG", "", (2, 8, 30), "组长", ("运送员",), 0.75),
    TeamRow("T-CLEAN", "保洁班", "cleaning", "", "D-LOG-PROP", "property", (6, 150, 500), "保洁主管",
            ("保洁员",), 0.2),
    TeamRow("T-SEC", "安保队", "security", "", "D-SEC", "security", (4, 60, 200), "保安队长",
            ("保安员", "消控室值班员"), 0.95),
    TeamRow("T-WH", "库房", "warehouse", "MAIN", "D-LOG-WH", "", (2, 12, 40), "库房主管", ("库管员",), 0.6),
)  # fmt: skip

# --- positions --------------------------------------------------------------------------------------
# Head of each department kind (the first member).
HEAD_POSITIONS = {
    "ward": "护士长",
    "surgery": "科主任",
    "clinic": "科主任",
    "emergency": "科主任",
    "lab": "科主任",
    "imaging": "科主任",
    "pharmacy": "主任药师",
    "other": "科主任",
    "logistics": "科长",
    "administration": "科长",
}
# Everyone else: (position, weight) by department kind.
POSITIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "ward": (
        ("护士", 40), ("护师", 25), ("主管护师", 12), ("住院医师", 10), ("主治医师", 8), ("副主任医师", 4),
        ("主任医师", 1),
    ),
    "surgery": (("护士", 25), ("护师", 20), ("主管护师", 10), ("麻醉医师", 15), ("主治医师", 10), ("医师", 10)),
    "clinic": (("门诊护士", 30), ("医师", 25), ("主治医师", 25), ("副主任医师", 12), ("主任医师", 5)),
    "emergency": (("护士", 35), ("护师", 20), ("急诊医师", 25), ("主治医师", 15)),
    "lab": (("检验技师", 50), ("检验师", 30), ("主管技师", 20)),
    "imaging": (("技师", 45), ("影像医师", 35), ("主治医师", 20)),
    "pharmacy": (("药师", 50), ("药士", 20), ("主管药师", 30)),
    "other": (("技术员", 50), ("护士", 30), ("营养师", 20)),
    "logistics": (("调度员", 50), ("科员", 40), ("副科长", 10)),
    "administration": (("科员", 60), ("干事", 25), ("副科长", 15)),
}  # fmt: skip
# Share of men by position (the rest are women); positions not listed: 0.5.
MALE_SHARE = {
    "护士长": 0.03,
    "护士": 0.05,
    "护师": 0.05,
    "主管护师": 0.05,
    "门诊护士": 0.05,
    "住院医师": 0.5,
    "医师": 0.5,
    "主治医师": 0.55,
    "副主任医师": 0.6,
    "主任医师": 0.7,
    "科主任": 0.65,
    "急诊医师": 0.6,
    "麻醉医师": 0.5,
    "科长": 0.55,
    "营养师": 0.2,
    "药士": 0.3,
    "药师": 0.35,
}
# Positions whose holders work shifts and clock in (besides the members of logistics teams).
SHIFT_POSITIONS = frozenset({"调度员"})
