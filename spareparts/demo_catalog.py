"""The static tables of the spare-parts demo (``spareparts.demo``): the part category tree, the
catalogue of part families (each expands into one item per combination of its specification
dimensions), the warehouses of each campus and the texts keepers write on documents.

A dimension entry is ``"label"`` with optional marks ``@cost factor`` and ``*popularity`` (either
order); an item's standard cost is the family's base cost times the factors of its labels, its
popularity the product of their weights (1 unless given). Item codes are ``<family>-<NNN>`` with NNN the
position in the full expansion, so a larger scale adds items without renumbering those there.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from typing import NamedTuple

# --- part categories (code, name, parent) ---------------------------------------------------------
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("EL", "电气", ""), ("EL-SW", "开关电器", "EL"), ("EL-CB", "电线电缆", "EL"), ("EL-AC", "电气辅材", "EL"),
    ("EL-PW", "电源及计量", "EL"),
    ("LT", "照明", ""), ("LT-LP", "光源灯具", "LT"), ("LT-EM", "应急照明", "LT"),
    ("PL", "给排水", ""), ("PL-VL", "阀门", "PL"), ("PL-FT", "管材管件", "PL"), ("PL-SN", "卫浴洁具配件", "PL"),
    ("PL-PM", "水泵及机械配件", "PL"),
    ("HV", "暖通空调", ""), ("HV-FL", "空气过滤器", "HV"), ("HV-BT", "传动皮带", "HV"), ("HV-AC", "空调配件", "HV"),
    ("HV-RF", "冷媒及保温", "HV"),
    ("HW", "五金锁具", ""), ("HW-LK", "锁具门禁", "HW"), ("HW-DR", "门窗家具配件", "HW"), ("HW-FS", "紧固件", "HW"),
    ("EV", "电梯配件", ""), ("EV-DR", "门系统", "EV"), ("EV-CT", "控制及按钮", "EV"), ("EV-MC", "曳引及导向", "EV"),
    ("MG", "医用气体", ""), ("MG-TM", "气体终端", "MG"), ("MG-AC", "气体配件", "MG"),
    ("WC", "弱电", ""), ("WC-NT", "网络布线", "WC"), ("WC-CL", "呼叫及监控", "WC"),
    ("CS", "耗材", ""), ("CS-PT", "油漆涂料", "CS"), ("CS-GL", "胶粘密封", "CS"), ("CS-CL", "清洁设备配件", "CS"),
    ("CS-LB", "润滑及劳保", "CS"),
)  # fmt: skip


class Family(NamedTuple):
    """Parts of one kind: ``spec`` is formatted with one label of each dimension."""

    code: str
    category: str  # leaf part category
    name: str
    unit: str
    cost: float  # base standard cost (yuan)
    spec: str
    dims: tuple[tuple[str, ...], ...]
    orders: tuple[str, ...] = ()  # work-order categories that use it
    equipment: tuple[str, ...] = ()  # equipment categories it fits
    take: tuple[float, float] = (1, 2)  # quantity asked per requisition line
    vendor: str = ""  # vendor key (logistics.org.demo_names.VENDORS)
    fractional: bool = False
    barcoded: bool = True
    active: bool = True
    critical: bool = False  # kept in stock (with a minimum) even when little is used


WE, HVAC, PLUMB, DOORS, CARP, WEAK = "water_electric", "hvac", "plumbing", "doors_locks", "carpentry", "weak_current"
LIFT, GAS, CLEAN, OTHER = "elevator", "medical_gas", "cleaning_equipment", "other"
LIFTS = ("PASSENGER_LIFT", "BED_LIFT", "FREIGHT_LIFT")
AHUS = ("AHU", "FAU", "PURIFY_AHU")
PUMPS = ("PUMP", "SEWAGE_PUMP", "FIRE_PUMP")
F = Family

FAMILIES: tuple[Family, ...] = (
    # --- electrical ---------------------------------------------------------------------------------
    F("EL-BRK", "EL-SW", "小型断路器", "个", 16, "DZ47-63 {0} {1}",
      (("C6", "C10*2", "C16*4", "C20*3", "C25*2", "C32*3@1.1", "C40@1.25", "C50@1.4", "C63@1.5"),
       ("1P*3", "2P@2.1*2", "3P@3.2", "4P@4.3*0.5")), (WE,), ("DIST_BOX", "SWITCHGEAR")),
    F("EL-RCD", "EL-SW", "漏电断路器", "个", 55, "DZ47LE-63 {0} {1} 30mA",
      (("C16*2", "C20*2", "C25", "C32*2", "C40@1.2", "C63@1.4"), ("1P+N*2", "2P@1.2", "3P+N@1.9", "4P@2.1")),
      (WE,), ("DIST_BOX",)),
    F("EL-MCCB", "EL-SW", "塑壳断路器", "个", 420, "CM1-{0}/3300",
      (("100L 63A", "100L 100A", "225L 125A@1.4", "225L 160A@1.5", "225L 225A@1.7", "400L 315A@2.6",
        "400L 400A@2.9"),), (WE,), ("SWITCHGEAR",), critical=True),
    F("EL-CTR", "EL-SW", "交流接触器", "个", 45, "CJX2-{0} 线圈 {1}",
      (("0910@0.8", "1210@0.9*2", "1810*3", "2510@1.4*2", "3210@1.7", "4011@3.2", "5011@3.8", "6511@4.4"),
       ("AC220V*3", "AC380V*2", "AC24V@1.1")), (WE, HVAC), ("DIST_BOX", "PUMP", "FIRE_PUMP", "AHU")),
    F("EL-RLY", "EL-SW", "中间继电器", "个", 18, "MY4N-J {0} {1}",
      (("AC220V*3", "DC24V*2", "AC110V", "DC12V"), ("带底座@1.4", "不带底座")), (WE, HVAC)),
    F("EL-THR", "EL-SW", "热过载继电器", "个", 38, "JR36-20 整定 {0}",
      (("0.68-1.1A", "1.0-1.6A", "1.5-2.4A", "2.2-3.5A*2", "3.2-5A*2", "4.5-7.2A*2", "6.8-11A*2", "10-16A",
        "14-22A"),), (WE, PLUMB), PUMPS),
    F("EL-SWP", "EL-AC", "开关面板", "个", 12, "86型 {0} {1}",
      (("一开单控*3", "一开双控", "二开单控*2", "二开双控", "三开单控@1.3", "四开单控@1.5"), ("白色*3", "香槟金@1.4")),
      (WE,)),
    F("EL-SKT", "EL-AC", "插座面板", "个", 15, "86型 {0} {1}",
      (("五孔 10A*4", "三孔 16A 空调", "五孔带开关@1.3", "五孔带 USB@2.2", "防水五孔@1.8", "地插五孔@5"),
       ("白色*3", "灰色@1.2")), (WE,)),
    F("EL-PB", "EL-SW", "按钮开关", "个", 15, "LA38-11 {0} {1}",
      (("平头", "急停@1.5", "自锁", "钥匙@1.8"), ("红色", "绿色", "黄色")), (WE, LIFT)),
    F("EL-IND", "EL-SW", "信号指示灯", "个", 6, "AD16-22D/S {0} {1}",
      (("AC220V*2", "AC380V", "DC24V"), ("红色", "绿色", "黄色")), (WE,)),
    F("EL-BV", "EL-CB", "铜芯电线", "米", 1.6, "BV {0} {1}",
      (("1.5mm²*2", "2.5mm²@1.6*3", "4mm²@2.5*2", "6mm²@3.7", "10mm²@6.2", "16mm²@9.8"),
       ("红色", "黄色", "绿色", "蓝色", "黄绿双色")), (WE,), take=(5, 40), fractional=True, barcoded=False),
    F("EL-YJV", "EL-CB", "电力电缆", "米", 14, "YJV-0.6/1kV {0}",
      (("3×2.5", "3×4@1.4", "3×6@1.9", "4×10@3.8", "4×16@5.6", "3×25+1×16@7.9", "3×35+1×16@10.5",
        "3×50+1×25@14.6", "3×70+1×35@20", "3×95+1×50@27"),), (WE,), take=(5, 30), fractional=True, barcoded=False),
    F("EL-RVV", "EL-CB", "护套软线", "米", 2.2, "RVV {0}",
      (("2×0.75", "2×1.0@1.2", "3×1.0@1.6", "3×1.5@2.1*2", "3×2.5@3.2", "4×1.5@2.7"),), (WE, WEAK),
      take=(3, 20), fractional=True, barcoded=False),
    F("EL-PVC", "EL-CB", "PVC 电工套管", "米", 1.8, "中型 Φ{0}",
      (("16", "20@1.3*2", "25@1.7", "32@2.4"),), (WE,), take=(4, 20), fractional=True, barcoded=False),
    F("EL-TERM", "EL-AC", "冷压端子", "盒", 12, "{0} 100只/盒",
      (("OT-1.5", "OT-2.5*2", "OT-6@1.6", "OT-10@2.2", "OT-16@3", "UT-1.5", "UT-2.5*2", "UT-4@1.3",
        "管型 E1508", "管型 E2508"),), (WE,), take=(1, 1)),
    F("EL-TAPE", "EL-AC", "电工绝缘胶带", "卷", 3.5, "18mm×20m {0}",
      (("黑色*4", "红色", "黄色", "蓝色", "绿色", "黄绿双色"),), (WE, WEAK, OTHER), take=(1, 3)),
    F("EL-HST", "EL-AC", "热缩管", "卷", 18, "Φ{0} 黑色 100米/卷",
      (("2", "3*2", "5*2@1.3", "8@1.8", "10@2.2", "16@3"),), (WE,), take=(1, 1)),
    F("EL-TIE", "EL-AC", "尼龙扎带", "包", 4, "{0} 白色 100根/包",
      (("3×100*2", "4×150*2@1.4", "4×200@1.8", "5×250@2.6", "8×300@4.5"),), (WE, WEAK), take=(1, 2)),
    F("EL-BOX", "EL-AC", "86型暗盒", "个", 1.5, "{0}",
      (("单联*3", "双联@2", "防水@3.5"),), (WE,), take=(1, 4)),
    F("EL-FUSE", "EL-SW", "熔断器熔芯", "只", 3, "RT18-32 {0}",
      (("2A", "4A", "6A*2", "10A*3", "16A*2", "20A", "25A", "32A"),), (WE,), take=(1, 4)),
    F("EL-BAT", "EL-PW", "阀控铅酸蓄电池", "只", 90, "{0} {1}",
      (("理士 DJM*2", "松下 LC-P@1.3", "汤浅 NP@1.2"),
       ("12V 7Ah*3", "12V 17Ah@2.2", "12V 24Ah@3", "12V 38Ah@4.6*2", "12V 65Ah@7.5*2", "12V 100Ah@11")),
      (WE,), ("UPS", "FIRE_PANEL"), take=(1, 4)),
    F("EL-TRF", "EL-PW", "控制变压器", "个", 85, "BK-{0} 380V/220V",
      (("50VA", "100VA@1.3*2", "150VA@1.6", "250VA@2.2", "500VA@3.6"),), (WE,)),
    F("EL-MTR", "EL-PW", "电能表", "只", 180, "{0}",
      (("单相 5(60)A*2", "三相 1.5(6)A 互感式@2.6", "三相 10(100)A@2.2"),), (WE,)),
    F("EL-CT", "EL-PW", "电流互感器", "只", 45, "BH-0.66 {0}/5A",
      (("50", "75", "100*2", "150*2", "200", "300@1.2", "400@1.3", "600@1.6"),), (WE,), ("SWITCHGEAR",)),
    # --- lighting -----------------------------------------------------------------------------------
    F("LT-TUBE", "LT-LP", "LED 灯管", "支", 15, "T8 {0} {1}",
      (("0.6m 9W", "1.2m 18W@1.3*4", "1.5m 22W@1.6"), ("6500K*2", "4000K")), (WE,), take=(1, 6)),
    F("LT-PNL", "LT-LP", "LED 平板灯", "套", 85, "{0} {1}",
      (("600×600 36W*3", "300×1200 36W*2", "300×600 18W@0.7", "300×300 12W@0.5"), ("4000K*2", "6500K")),
      (WE,), take=(1, 3)),
    F("LT-DOWN", "LT-LP", "LED 筒灯", "个", 22, "{0} {1}",
      (("2.5寸 5W@0.8", "3寸 7W*2", "4寸 9W@1.2*3", "5寸 12W@1.4", "6寸 15W@1.7", "8寸 20W@2.2"),
       ("4000K*2", "6500K", "3000K")), (WE,), take=(1, 4)),
    F("LT-DRV", "LT-LP", "LED 驱动电源", "个", 28, "{0}",
      (("12W 恒流", "18W 恒流*2", "24W 恒流*2@1.2", "36W 恒流*2@1.4", "48W 恒流@1.7", "12V 60W 恒压@1.6",
        "24V 100W 恒压@2.4"),), (WE,), take=(1, 3)),
    F("LT-BULB", "LT-LP", "LED 球泡", "个", 9, "E27 {0} {1}",
      (("5W@0.7", "9W*3", "13W@1.3*2", "18W@1.8", "24W@2.5", "36W@3.6"), ("6500K*2", "3000K")), (WE, OTHER),
      take=(1, 6)),
    F("LT-UV", "LT-LP", "紫外线杀菌灯管", "支", 45, "{0} {1}",
      (("30W*2", "36W", "40W@1.2"), ("直管 T8*2", "H型@1.3")), (CLEAN, OTHER), ("UV_CART",), take=(1, 4)),
    F("LT-FLUO", "LT-LP", "荧光灯管", "支", 8, "T8 {0} 已停产，改用 LED",
      (("18W", "36W"),), (), active=False),
    F("LT-FLD", "LT-LP", "LED 投光灯", "套", 120, "{0} IP66",
      (("30W", "50W@1.4*2", "100W@2.3*2", "150W@3.2", "200W@4"),), (WE,)),
    F("LT-EXIT", "LT-EM", "消防标志灯", "个", 55, "{0}",
      (("单面 安全出口*2", "双面 安全出口@1.2", "单向 疏散指示*2", "双向 疏散指示", "地埋 疏散指示@2.2"),), (WE,),
      ("EMERGENCY_LIGHT",)),
    F("LT-EMB", "LT-EM", "应急灯电池", "只", 25, "镍镉 {0}",
      (("3.6V 600mAh", "3.6V 1200mAh@1.3*2", "2.4V 800mAh", "4.8V 1000mAh@1.4", "6V 1800mAh@1.9"),), (WE,),
      ("EMERGENCY_LIGHT",), take=(1, 4)),
    F("LT-EML", "LT-EM", "应急照明灯", "个", 68, "{0}",
      (("双头 LED 应急灯*2", "吸顶应急灯 12W@1.4", "壁挂应急灯 8W"),), (WE,), ("EMERGENCY_LIGHT",)),
    # --- plumbing -----------------------------------------------------------------------------------
    F("PL-BALL", "PL-VL", "球阀", "个", 28, "{1} {0}",
      (("DN15*3", "DN20@1.3*2", "DN25@1.8*2", "DN32@2.6", "DN40@3.6", "DN50@5.2"), ("黄铜*2", "304 不锈钢@1.6")),
      (PLUMB, WE)),
    F("PL-GATE", "PL-VL", "闸阀", "个", 260, "Z45T-10 {0}",
      (("DN50", "DN65@1.3", "DN80@1.6", "DN100@2.1", "DN125@2.8", "DN150@3.5", "DN200@5.6"),), (PLUMB,),
      PUMPS),
    F("PL-CHK", "PL-VL", "止回阀", "个", 240, "H44T-10 {0}",
      (("DN50", "DN65@1.3", "DN80@1.6", "DN100@2.1", "DN150@3.4"),), (PLUMB,), PUMPS),
    F("PL-ANG", "PL-VL", "角阀", "个", 18, "{1} {0}",
      (("冷水*2", "热水"), ("铜镀铬 4分*3", "304 不锈钢 4分@1.4", "全铜加长@1.6")), (PLUMB, WE), take=(1, 4)),
    F("PL-PRV", "PL-VL", "支管减压阀", "个", 90, "Y110 {0}",
      (("DN15", "DN20@1.2*2", "DN25@1.5", "DN32@2", "DN50@3.2"),), (PLUMB,)),
    F("PL-FLT", "PL-VL", "浮球阀", "个", 45, "{0}",
      (("DN15", "DN20@1.3", "DN25@1.7", "DN50@3.4"),), (PLUMB,)),
    F("PL-PPR", "PL-FT", "PPR 给水管", "米", 6, "dn{0} {1}",
      (("20*3", "25@1.5*2", "32@2.3", "40@3.5", "50@5.4", "63@8.5"), ("S5 冷水*2", "S3.2 热水@1.4")),
      (PLUMB, WE), take=(2, 12), fractional=True, barcoded=False),
    F("PL-PPRF", "PL-FT", "PPR 管件", "个", 2.5, "{0} dn{1}",
      (("直接*2", "90°弯头*3", "三通*2", "内丝直接@4", "外丝直接@4", "内丝弯头@4.5"), ("20*3", "25@1.4*2", "32@2.1")),
      (PLUMB, WE), take=(1, 6), barcoded=False),
    F("PL-PVC", "PL-FT", "PVC-U 排水管", "米", 12, "{0}",
      (("De50@0.6*2", "De75@0.9", "De110*2", "De160@2.1"),), (PLUMB,), take=(1, 6), fractional=True,
      barcoded=False),
    F("PL-PVCF", "PL-FT", "PVC-U 排水管件", "个", 6, "{0} {1}",
      (("90°弯头*3", "三通*2", "检查口@1.5", "伸缩节@1.8", "P型存水弯@2.5"), ("De50*2", "De75@1.6", "De110@2.4*2")),
      (PLUMB,), take=(1, 4), barcoded=False),
    F("PL-HOSE", "PL-FT", "不锈钢编织软管", "根", 9, "4分 {0}",
      (("30cm", "40cm*2", "50cm*2@1.1", "60cm@1.2", "80cm@1.4", "100cm@1.6"),), (PLUMB, WE), take=(1, 4)),
    F("PL-CART", "PL-SN", "水龙头阀芯", "个", 18, "{0}",
      (("陶瓷阀芯 4分 快开*3", "陶瓷阀芯 4分 慢开", "冷热混水阀芯 35mm@1.6*2", "冷热混水阀芯 40mm@1.8",
        "感应龙头电磁阀 DC6V@4.5"),), (PLUMB, WE), take=(1, 3)),
    F("PL-TAP", "PL-SN", "水龙头", "个", 85, "{0}",
      (("单冷 面盆龙头@0.6*2", "冷热 面盆龙头*2", "肘式 医用龙头@1.6*3", "感应 面盆龙头@4.2", "拖把池龙头@0.4",
        "洗衣机龙头@0.4"),), (PLUMB, WE)),
    F("PL-WC", "PL-SN", "马桶配件", "套", 35, "{0}",
      (("进水阀 通用*3", "排水阀 通用*2", "加厚 马桶盖板@2", "水箱按钮@0.6", "法兰密封圈@0.4"),), (PLUMB,)),
    F("PL-DRN", "PL-SN", "地漏", "个", 28, "{0}",
      (("不锈钢 防臭地漏 10cm*2", "不锈钢 防臭地漏 15cm@1.3", "洗衣机地漏@1.1", "防臭地漏芯 通用@0.5*3"),),
      (PLUMB,)),
    F("PL-FLV", "PL-SN", "蹲便冲洗阀", "个", 160, "{0}",
      (("脚踏式 延时阀*2", "手压式 延时阀@0.8", "感应式 冲洗阀@2.6"),), (PLUMB,)),
    F("PL-WHP", "PL-SN", "电热水器配件", "个", 45, "{0}",
      (("加热管 1500W*2", "加热管 2000W@1.2", "镁棒 通用@0.6*2", "温控器 75℃@0.8", "安全阀 0.75MPa@0.7"),),
      (WE, PLUMB), ("WATER_HEATER",)),
    F("PL-SEAL", "PL-PM", "水泵机械密封", "套", 85, "{0}-{1}",
      (("104*2", "108", "202@1.4", "560@1.2"), ("16", "20*2", "25*2@1.2", "30@1.4", "35@1.6", "40@1.9")),
      (PLUMB, HVAC), PUMPS),
    F("PL-BRG", "PL-PM", "深沟球轴承", "个", 25, "{0} {1}",
      (("6202", "6203*2", "6204*2@1.2", "6205@1.4", "6206@1.8", "6305@2", "6306@2.6", "6308@3.6"),
       ("2RS*2", "ZZ")), (HVAC, PLUMB, CLEAN), ("PUMP", "AHU", "FAU", "SMOKE_FAN", "COOLING_TOWER")),
    F("PL-GAU", "PL-PM", "压力表", "只", 35, "Y-100 {0} {1}",
      (("0-0.6MPa", "0-1.0MPa*2", "0-1.6MPa*2", "0-2.5MPa"), ("径向*2", "轴向")), (PLUMB, HVAC),
      ("PUMP", "BOILER", "AIR_RECEIVER")),
    F("PL-RES", "PL-PM", "软化水处理耗材", "袋", 60, "{0}",
      (("软水盐 颗粒 25kg*3", "001×7 钠型树脂 25L@4.6"),), (PLUMB,), ("SOFTENER",), take=(1, 4)),
    # --- HVAC ---------------------------------------------------------------------------------------
    F("HV-G4", "HV-FL", "初效板式过滤器", "个", 45, "G4 {0}",
      (("595×595×46*3", "495×495×46", "595×295×46*2@0.7", "395×395×21@0.6", "495×295×21@0.6", "595×595×21@0.9"),),
      (HVAC,), ("AHU", "FAU", "FCU"), take=(2, 8)),
    F("HV-BAG", "HV-FL", "中效袋式过滤器", "个", 160, "{1} {0}",
      (("592×592×600 6袋*3", "592×490×600 5袋@0.9", "592×287×600 3袋@0.6", "490×592×381 6袋@0.9"),
       ("F7*3", "F8@1.2", "F5@0.8")), (HVAC,), AHUS, take=(2, 6)),
    F("HV-HEPA", "HV-FL", "高效过滤器", "个", 680, "H13 {0}",
      (("484×484×220 有隔板*2", "610×610×150 无隔板@1.2", "320×320×220@0.6", "915×610×90 液槽@1.6"),), (HVAC,),
      ("PURIFY_AHU",), take=(1, 4), critical=True),
    F("HV-MESH", "HV-FL", "空调滤网", "片", 12, "{0}",
      (("分体机 通用滤网*2", "风机盘管 尼龙网 600×200", "风机盘管 尼龙网 800×200@1.2",
        "风机盘管 尼龙网 1000×200@1.4"),), (HVAC,), ("SPLIT_AC", "FCU"), take=(1, 6)),
    F("HV-VB", "HV-BT", "三角带", "根", 25, "{0}-{1}",
      (("A*2", "B@1.3*2", "SPA@1.5", "SPB@1.9"), ("1000", "1250", "1400*2", "1600*2@1.1", "1800@1.2", "2000@1.3",
                                                  "2240@1.4", "2500@1.6")),
      (HVAC,), ("AHU", "FAU", "COOLING_TOWER", "SMOKE_FAN"), take=(1, 4)),
    F("HV-CAP", "HV-AC", "压缩机电容", "个", 12, "CBB65 {0} 450V",
      (("25μF", "30μF*2", "35μF*2@1.1", "40μF@1.2", "45μF@1.3", "50μF@1.4", "60μF@1.6"),), (HVAC,),
      ("SPLIT_AC",)),
    F("HV-CAPF", "HV-AC", "风机电容", "个", 6, "CBB61 {0} 450V",
      (("1.5μF", "2μF*2", "2.5μF*2", "3μF", "4μF@1.2"),), (HVAC,), ("SPLIT_AC", "FCU")),
    F("HV-MOT", "HV-AC", "风机盘管电机", "台", 220, "YSK{0}",
      (("110-20-4 20W", "110-35-4 35W*2@1.1", "110-45-4 45W*2@1.2", "140-60-4 60W@1.4", "140-90-4 90W@1.7"),),
      (HVAC,), ("FCU",)),
    F("HV-STAT", "HV-AC", "温控面板", "个", 95, "{0}",
      (("机械式 三速开关@0.5*2", "液晶 两管制*2", "液晶 四管制@1.2", "联网型 RS485@2.4"),), (HVAC,), ("FCU",)),
    F("HV-VLV", "HV-AC", "电动二通阀", "套", 260, "{0}",
      (("DN20 AC220V*2", "DN25 AC220V@1.2", "DN20 AC24V", "DN25 AC24V@1.2"),), (HVAC,), ("FCU", "AHU")),
    F("HV-PUMP", "HV-AC", "冷凝水提升泵", "台", 280, "{0}",
      (("扬程 6m 迷你型*2", "扬程 10m@1.4"),), (HVAC,), ("SPLIT_AC", "FCU")),
    F("HV-SNS", "HV-AC", "温湿度传感器", "个", 320, "{0}",
      (("风管式 4-20mA*2", "室内壁挂 RS485", "室外 防水型@1.2"),), (HVAC,), ("AHU", "PURIFY_AHU")),
    F("HV-HUM", "HV-AC", "电极加湿罐", "个", 650, "{0}",
      (("3kg/h*2", "5kg/h@1.2*2", "8kg/h@1.5", "15kg/h@2.2"),), (HVAC,), ("PURIFY_AHU",), critical=True),
    F("HV-REF", "HV-RF", "制冷剂", "桶", 420, "{0}",
      (("R410A 11.3kg/桶*3", "R22 13.6kg/桶@0.8", "R32 9.5kg/桶@0.9", "R134a 13.6kg/桶@1.3"),), (HVAC,),
      ("SPLIT_AC", "CHILLER"), take=(1, 1)),
    F("HV-CU", "HV-RF", "空调紫铜管", "米", 18, "{0}",
      (("Φ6.35×0.6", "Φ9.52×0.7@1.5*2", "Φ12.7×0.7@2", "Φ15.88×0.8@2.8", "Φ19.05×0.8@3.5"),), (HVAC,),
      ("SPLIT_AC",), take=(2, 10), fractional=True, barcoded=False),
    F("HV-INS", "HV-RF", "橡塑保温管", "米", 4, "{0}",
      (("Φ10×9", "Φ16×9*2", "Φ22×13@1.5*2", "Φ28×13@1.8", "Φ35×19@2.6", "Φ48×19@3.4"),), (HVAC, PLUMB),
      take=(2, 10), fractional=True, barcoded=False),
    F("HV-TAPE", "HV-RF", "空调包扎带", "卷", 6, "{0}",
      (("PVC 白色 80mm*2", "铝箔胶带 50mm@1.8"),), (HVAC,), take=(1, 3)),
    # --- hardware and locks -------------------------------------------------------------------------
    F("HW-CYL", "HW-LK", "锁芯", "个", 45, "{0} {1}",
      (("叶片 C级@1.6*2", "叶片 B级*2", "月牙@0.6"), ("60mm", "70mm*2", "80mm@1.1", "90mm@1.2")), (DOORS,)),
    F("HW-LEV", "HW-LK", "执手门锁", "套", 85, "{0}",
      (("房门锁 不锈钢*3", "卫生间锁 带指示@0.9*2", "通道锁 无钥匙@0.7", "防火门锁@1.4", "三杆式球锁@0.4",
        "病房门锁 大执手@1.6"),), (DOORS,)),
    F("HW-PNC", "HW-LK", "逃生推杠锁", "套", 260, "{0}",
      (("单门 不锈钢*2", "双门 不锈钢@1.8", "带外把手@1.4"),), (DOORS,)),
    F("HW-ACS", "HW-LK", "门禁配件", "个", 120, "{0}",
      (("IC 卡读卡器*2", "磁力锁 280kg*2", "磁力锁 500kg@1.4", "出门按钮 86型@0.2", "门禁电源 12V 5A@0.7",
        "电插锁@1.3"),), (DOORS, WEAK)),
    F("HW-PAD", "HW-LK", "挂锁", "把", 25, "{0}",
      (("铜挂锁 40mm*2", "铜挂锁 50mm@1.3", "通开挂锁 40mm", "密码挂锁@1.2"),), (DOORS, OTHER)),
    F("HW-CLS", "HW-DR", "闭门器", "个", 120, "{0}",
      (("45-65kg 标准型*3", "60-85kg 定位型@1.3*2", "85-120kg 重型@1.8", "地弹簧 150kg@3.5"),), (DOORS,)),
    F("HW-HNG", "HW-DR", "不锈钢合页", "片", 12, "{0} {1}",
      (("4寸*2", "5寸@1.3"), ("厚 2.5mm", "厚 3mm 轴承@1.5")), (DOORS, CARP), take=(2, 4)),
    F("HW-SLD", "HW-DR", "抽屉滑轨", "副", 22, "{0} {1}",
      (("三节 全拉出*2", "阻尼 三节@1.8"), ("300mm", "350mm*2@1.1", "400mm*2@1.2", "450mm@1.3", "500mm@1.4")),
      (CARP,)),
    F("HW-HDL", "HW-DR", "家具拉手", "个", 8, "{0}",
      (("铝合金 96孔距*2", "铝合金 128孔距@1.2*2", "不锈钢 160孔距@1.6", "隐藏式@1.4"),), (CARP,), take=(1, 4)),
    F("HW-CST", "HW-DR", "脚轮", "个", 18, "{0} {1}",
      (("2寸@0.6", "3寸*2", "4寸@1.4*2", "5寸@1.8"), ("万向*2", "万向带刹车@1.4*2", "定向@0.9")), (CLEAN, OTHER),
      take=(1, 4)),
    F("HW-STR", "HW-DR", "门窗密封条", "米", 3, "{0}",
      (("D型 自粘 9mm*2", "E型 自粘", "铝合金窗 胶条 7mm*2", "防火门 膨胀密封条@4"),), (DOORS, CARP),
      take=(2, 10), fractional=True, barcoded=False),
    F("HW-WIN", "HW-DR", "门窗五金", "个", 10, "{0}",
      (("塑钢窗 滑轮*2", "铝合金窗 执手@1.5*2", "不锈钢 限位器@1.2", "纱窗 磁吸条@0.8"),), (DOORS, CARP),
      take=(1, 4)),
    F("HW-CUR", "HW-DR", "隔帘轨道配件", "套", 35, "{0}",
      (("吊件 10个装*2", "滑轮 50个装*2", "90°弯轨@1.8", "端盖 一对@0.3"),), (OTHER, CARP)),
    F("HW-SCR", "HW-FS", "自攻螺丝", "盒", 12, "{0} {1}",
      (("十字沉头*2", "十字盘头"), ("M3×16", "M4×20*2", "M4×30*2@1.2", "M5×40@1.5")), (CARP, OTHER),
      take=(1, 1), barcoded=False),
    F("HW-ANC", "HW-FS", "膨胀螺栓", "套", 1.2, "{0}",
      (("M6×60", "M8×80*2@1.5", "M8×100@1.7", "M10×100@2.6", "M12×120@3.8"),), (CARP, WE, OTHER),
      take=(2, 10), barcoded=False),
    F("HW-BLT", "HW-FS", "不锈钢六角螺栓", "套", 1.8, "{0} 304",
      (("M6×20", "M8×25*2@1.4", "M10×30@2", "M12×40@3", "M16×50@5.2"),), (OTHER, PLUMB, HVAC), take=(2, 10),
      barcoded=False),
    # --- elevator parts -----------------------------------------------------------------------------
    F("EV-KNF", "EV-DR", "门刀", "套", 680, "{0}",
      (("通力 同步门刀*2", "奥的斯 异步门刀", "三菱 同步门刀@1.1", "日立 门刀"),), (LIFT,), LIFTS,
      vendor="elevator", critical=True),
    F("EV-SLD", "EV-DR", "门滑块", "个", 18, "{0}",
      (("厅门 通用 100mm*2", "轿门 通用 100mm", "加长型 180mm@1.5"),), (LIFT,), LIFTS, take=(2, 4),
      vendor="elevator"),
    F("EV-RLR", "EV-DR", "门挂轮", "个", 45, "{0}",
      (("Φ52 轴承 6201*2", "Φ60 轴承 6202@1.2", "Φ75 重载@1.6"),), (LIFT,), LIFTS, take=(1, 4), vendor="elevator"),
    F("EV-CUR", "EV-DR", "电梯光幕", "套", 580, "{0}",
      (("17束 分体*2", "32束 一体@1.3*2", "94束 高密度@1.9"),), (LIFT,), LIFTS, take=(1, 1), vendor="elevator",
      critical=True),
    F("EV-LCK", "EV-DR", "门锁触点", "个", 120, "{0}",
      (("厅门 副门锁*2", "轿门 门锁@1.3", "门锁 触点组@0.5*2"),), (LIFT,), LIFTS, vendor="elevator"),
    F("EV-BTN", "EV-CT", "电梯按钮", "个", 65, "{0} {1}",
      (("圆形 Φ38*2", "方形 42×42", "超薄 方形@1.3"), ("蓝光*2", "红光")), (LIFT,), LIFTS, vendor="elevator"),
    F("EV-IND", "EV-CT", "平层感应器", "个", 260, "{0}",
      (("磁感应 常开*2", "磁感应 常闭", "光电 U型@0.6"),), (LIFT,), LIFTS, take=(1, 1), vendor="elevator"),
    F("EV-PCB", "EV-CT", "电梯控制板", "块", 1200, "{0}",
      (("门机 控制板*2", "轿顶 通讯板", "外呼 显示板@0.4*2", "召唤 按钮板@0.3"),), (LIFT,), LIFTS, take=(1, 1),
      vendor="elevator", critical=True),
    F("EV-ENC", "EV-CT", "编码器", "个", 1500, "{0}",
      (("曳引机 1024P", "门机@0.5"),), (LIFT,), LIFTS, take=(1, 1), vendor="elevator"),
    F("EV-SHOE", "EV-MC", "导靴衬", "个", 35, "{0}",
      (("轿厢 10mm 导轨*2", "轿厢 16mm 导轨", "对重 10mm", "对重 16mm"),), (LIFT,), LIFTS, take=(2, 4),
      vendor="elevator"),
    F("EV-OIL", "EV-MC", "电梯润滑油", "桶", 120, "{0}",
      (("导轨油 4L/桶*2", "曳引机齿轮油 18L/桶@3.5"),), (LIFT,), LIFTS, take=(1, 1), vendor="elevator"),
    F("EV-ROPE", "EV-MC", "曳引钢丝绳", "米", 18, "8×19S+NF {0}",
      (("Φ8@0.7", "Φ10*2", "Φ13@1.6"),), (LIFT,), LIFTS, take=(5, 20), vendor="elevator", fractional=True,
      barcoded=False),
    F("EV-BRK", "EV-MC", "制动器闸瓦", "套", 850, "{0}",
      (("通用 曳引机*2", "永磁同步 曳引机@1.4"),), (LIFT,), LIFTS, take=(1, 1), vendor="elevator"),
    F("EV-ESC", "EV-MC", "扶梯配件", "个", 65, "{0}",
      (("梯级滚轮 Φ76*2", "扶手带驱动轮@2.4", "梳齿板 黄色@1.3"),), (LIFT,), ("ESCALATOR",), take=(1, 4),
      vendor="elevator"),
    # --- medical gas --------------------------------------------------------------------------------
    F("MG-TRM", "MG-TM", "气体终端", "个", 380, "{1} {0}",
      (("氧气 O₂*3", "负压吸引 VAC*2", "压缩空气 AIR"), ("德标*2", "英标")), (GAS,), ("GAS_ALARM",), take=(1, 1),
      critical=True),
    F("MG-VLV", "MG-TM", "终端阀芯", "个", 120, "{0}",
      (("氧气 德标*3", "负压 德标*2", "空气 德标", "氧气 英标"),), (GAS,), ("GAS_ALARM",), take=(1, 2)),
    F("MG-SEAL", "MG-TM", "终端密封圈", "套", 15, "{0}",
      (("德标 O型圈套装*3", "英标 O型圈套装", "插头密封圈@0.5"),), (GAS,), take=(1, 3)),
    F("MG-FLW", "MG-AC", "氧气流量表", "只", 95, "{0}",
      (("浮标式 0-10L/min*2", "浮标式 0-15L/min", "墙式 带湿化瓶@1.4*2"),), (GAS,), take=(1, 2)),
    F("MG-HUM", "MG-AC", "湿化瓶", "个", 8, "{0}",
      (("一次性 350ml*2", "重复使用 PC@3.5"),), (GAS,), take=(1, 4)),
    F("MG-REG", "MG-AC", "气体减压阀", "个", 850, "{0}",
      (("汇流排 一级减压阀*2", "二级 稳压阀@0.6", "负压调节器 0-0.1MPa@0.5"),), (GAS,),
      ("O2_MANIFOLD", "VACUUM_PUMP"), take=(1, 1), critical=True),
    F("MG-HOSE", "MG-AC", "医用气体软管", "米", 12, "{0}",
      (("氧气软管 Φ8*2", "负压吸引软管 Φ8"),), (GAS,), take=(1, 5), fractional=True, barcoded=False),
    F("MG-OIL", "MG-AC", "真空泵油", "桶", 260, "{0}",
      (("旋片泵专用油 4L/桶*2", "爪式泵专用油 5L/桶@1.3"),), (GAS,), ("VACUUM_PUMP",), take=(1, 1)),
    F("MG-FLT", "MG-AC", "空压机滤芯", "个", 220, "{1} {0}",
      (("15kW", "22kW@1.3*2", "37kW@1.7"), ("空气滤芯*2", "油滤芯@0.8", "油气分离器@2.6")), (GAS,),
      ("AIR_COMPRESSOR",), take=(1, 1)),
    # --- weak current -------------------------------------------------------------------------------
    F("WC-MOD", "WC-NT", "网络模块", "个", 15, "{0}",
      (("超五类 免打*2", "六类 免打@1.4*2", "六类 屏蔽@2.4", "电话 模块@0.5"),), (WEAK,), take=(1, 4)),
    F("WC-RJ", "WC-NT", "水晶头", "盒", 45, "{0} 100只/盒",
      (("超五类*2", "六类@1.6*2", "六类 屏蔽@3"),), (WEAK,), take=(1, 1)),
    F("WC-UTP", "WC-NT", "网线", "米", 2.8, "{0}",
      (("超五类 UTP*2", "六类 UTP@1.4*2", "六类 FTP 屏蔽@2"),), (WEAK,), take=(5, 40), fractional=True,
      barcoded=False),
    F("WC-PAT", "WC-NT", "跳线", "根", 6, "{1} {0}",
      (("0.5m@0.8", "1m*2", "2m@1.3*2", "3m@1.6", "5m@2.2"), ("六类*3", "光纤 LC-LC@3")), (WEAK,), take=(1, 4)),
    F("WC-PNL", "WC-NT", "信息面板", "个", 5, "86型 {0}",
      (("单口*2", "双口@1.2*2", "电话+网络@1.4"),), (WEAK,), take=(1, 3)),
    F("WC-CALL", "WC-CL", "护理呼叫配件", "个", 160, "{0}",
      (("床头 呼叫分机*3", "卫生间 紧急拉线报警器@0.6*2", "门口机 显示屏@2.2", "呼叫手柄 带线@0.3*2"),),
      (WEAK,), ("NURSE_CALL",), critical=True),
    F("WC-PWR", "WC-CL", "监控电源", "个", 28, "{0}",
      (("12V 2A 适配器*3", "12V 5A 集中电源@2.4", "AC24V 3A@1.8"),), (WEAK,), ("CCTV",)),
    F("WC-CAM", "WC-CL", "网络摄像机", "台", 360, "{0}",
      (("200万 半球 POE*2", "400万 枪机 POE@1.5", "电梯专用 半球@1.2"),), (WEAK,), ("CCTV",)),
    F("WC-TAP", "WC-CL", "电视分支分配器", "个", 12, "{0}",
      (("一分二*2", "一分四@1.4", "二分支", "四分支@1.4"),), (WEAK,)),
    F("WC-HDD", "WC-CL", "监控硬盘", "块", 650, "{0}",
      (("4TB 监控级*2", "8TB 监控级@1.7"),), (WEAK,), ("CCTV",), take=(1, 1)),
    # --- consumables --------------------------------------------------------------------------------
    F("CS-LTX", "CS-PT", "乳胶漆", "升", 18, "{0} {1}",
      (("内墙 乳胶漆*2", "抗菌 乳胶漆@1.6*2", "防水涂料@1.3"), ("白色*2", "米白")), (CARP,), take=(1, 5),
      fractional=True, barcoded=False),
    F("CS-ENM", "CS-PT", "调和漆", "升", 28, "{0}",
      (("醇酸调和漆 白色*2", "醇酸调和漆 灰色", "防锈漆 红丹", "防锈漆 铁红", "环氧地坪漆 灰色@1.6", "银粉漆@1.2"),),
      (CARP, OTHER), take=(0.5, 3), fractional=True, barcoded=False),
    F("CS-THN", "CS-PT", "稀释剂", "升", 15, "{0}",
      (("天那水*2", "醇酸稀料"),), (CARP,), take=(0.5, 2), fractional=True, barcoded=False),
    F("CS-PTY", "CS-PT", "腻子粉", "袋", 45, "{0}", (("内墙 耐水腻子 20kg",),), (CARP,), take=(1, 2),
      barcoded=False),
    F("CS-SIL", "CS-GL", "玻璃胶", "支", 12, "{0}",
      (("中性 透明*2", "中性 白色*2", "防霉 白色@1.4*2", "酸性 透明@0.8"),), (PLUMB, CARP), take=(1, 3)),
    F("CS-PTFE", "CS-GL", "生料带", "卷", 1.5, "{0}",
      (("18mm×10m*3", "20mm×15m@1.4", "加厚 25mm@2"),), (PLUMB, WE), take=(1, 4)),
    F("CS-GLU", "CS-GL", "胶粘剂", "瓶", 18, "{0}",
      (("PVC 胶水 500ml*2", "AB 结构胶@1.6", "502 快干胶@0.2*2", "万能胶 1L@1.4"),), (PLUMB, CARP, OTHER)),
    F("CS-FOAM", "CS-GL", "发泡胶", "瓶", 22, "{0}",
      (("750ml 手喷式*2", "900ml 枪式@1.3"),), (CARP, DOORS)),
    F("CS-BRS", "CS-CL", "洗地机刷盘", "个", 120, "{1} {0}",
      (("17寸*2", "20寸@1.3"), ("刷盘*2", "针座@1.2", "百洁垫 5片装@0.4*2")), (CLEAN,), ("SCRUBBER",)),
    F("CS-SQG", "CS-CL", "吸水扒胶条", "套", 85, "前后胶条 {0}",
      (("760mm*2", "960mm@1.2"),), (CLEAN,), ("SCRUBBER",)),
    F("CS-BAT", "CS-CL", "洗地机电池", "只", 950, "{0}",
      (("12V 105Ah 牵引*2", "12V 150Ah 牵引@1.3", "24V 锂电池@3.2"),), (CLEAN,), ("SCRUBBER",), take=(1, 2)),
    F("CS-VAC", "CS-CL", "吸尘器耗材", "个", 30, "{0}",
      (("HEPA 滤网 通用*2", "尘袋 10只装@0.8"),), (CLEAN,), take=(1, 2)),
    F("CS-CHG", "CS-CL", "清洁设备充电器", "个", 280, "{0}",
      (("24V 15A 洗地机*2", "12V 10A@0.6"),), (CLEAN,), ("SCRUBBER",)),
    F("CS-GRS", "CS-LB", "锂基润滑脂", "桶", 35, "{0}",
      (("1kg/桶*2", "5kg/桶@4", "15kg/桶@10"),), (HVAC, LIFT, PLUMB), take=(1, 1)),
    F("CS-WD", "CS-LB", "防锈润滑剂", "瓶", 28, "WD-40 {0}",
      (("350ml*2", "500ml@1.3"),), (DOORS, OTHER, CLEAN)),
    F("CS-GLV", "CS-LB", "劳保手套", "副", 3, "{0}",
      (("棉纱*3", "丁腈浸胶@2*2", "绝缘 12kV@30", "防割@6"),), (WE, OTHER, CLEAN), take=(1, 5)),
)  # fmt: skip
del F


# --- warehouses -----------------------------------------------------------------------------------
class Area(NamedTuple):
    letter: str
    name: str
    categories: tuple[str, ...]  # top part categories kept there


class Central(NamedTuple):
    """A campus's central store: its areas (none: bins directly under the store), where it stands."""

    campus: str
    code: str
    name: str
    short: str  # prefix of its bins' names
    building: str
    level: int
    areas: tuple[Area, ...]


class Secondary(NamedTuple):
    """A building's secondary store (a leaf below the campus store) and the part categories it
    keeps a few of, for the work in its building."""

    campus: str
    code: str
    name: str
    building: str
    level: int
    categories: tuple[str, ...]


CENTRAL: tuple[Central, ...] = (
    Central("MAIN", "WH-MAIN", "本部中心库", "本部", "LOG", 1, (
        Area("A", "电气照明区", ("EL", "LT")), Area("B", "给排水区", ("PL",)), Area("C", "暖通区", ("HV",)),
        Area("D", "五金锁具区", ("HW",)), Area("E", "电梯及医用气体区", ("EV", "MG")),
        Area("F", "弱电及耗材区", ("WC", "CS")),
    )),
    Central("EAST", "WH-EAST", "东院区中心库", "东院", "LOG", 1, (
        Area("A", "电气水暖区", ("EL", "LT", "PL")), Area("B", "暖通五金区", ("HV", "HW")),
        Area("C", "综合区", ("EV", "MG", "WC", "CS")),
    )),
    Central("OPD", "WH-OPD", "门诊部库房", "门诊部", "AUX", 1, ()),
)  # fmt: skip

SECONDARY: tuple[Secondary, ...] = (
    Secondary("MAIN", "WH-MAIN-INPA", "住院部A栋二级库", "INPA", -1, ("LT", "PL", "HW", "MG", "EL")),
    Secondary("MAIN", "WH-MAIN-INPB", "住院部B栋二级库", "INPB", -1, ("LT", "PL", "HW", "MG", "EL")),
    Secondary("MAIN", "WH-MAIN-MED", "医技楼二级库", "MED", -1, ("EL", "LT", "HV", "WC")),
    Secondary("MAIN", "WH-MAIN-PWR", "动力中心备件间", "PWR", 1, ("EL", "HV", "PL", "MG")),
    Secondary("EAST", "WH-EAST-INP", "东院住院楼二级库", "INP", -1, ("LT", "PL", "HW", "MG", "EL")),
    Secondary("EAST", "WH-EAST-PWR", "东院动力中心备件间", "PWR", 1, ("EL", "HV", "PL", "MG")),
)

# who supplies each top category (a key of logistics.org.demo_names.VENDORS; a family may name its own):
# parts whose supplier is not among the org demo's vendors have none
SUPPLIERS = {"EL": "electric", "LT": "electric", "PL": "plumbing", "HV": "hvac", "HW": "hardware", "CS": "hardware",
             "MG": "gas", "WC": "weak", "EV": "elevator"}  # fmt: skip
# bins per area (or per store without areas) at each scale
BINS = {"small": 3, "hospital": 5, "large": 8}
# items at each scale (the catalogue's most common variants first)
ITEMS = {"small": 300, "hospital": 600, "large": 10_000}
# who keeps which store: members of the warehouse team (T-WH) by their index in it (1 = its lead)
KEEPERS = {
    "WH-MAIN": (1, 2),
    "WH-EAST": (1, 3, 4),
    "WH-OPD": (1, 5),
    **{s.code: (6 + n,) for n, s in enumerate(SECONDARY)},
}

# --- what keepers write -----------------------------------------------------------------------------
RECEIPT_NOTES = {"opening": "系统上线期初库存", "cycle": "定期补货", "urgent": "紧急采购", "bulk": "批量采购，价格优惠"}
TRANSFER_NOTE = "二级库补货"
ADJUST_LOSS = ("搬运中损坏报废", "受潮锈蚀报废", "包装内数量与标签不符", "外观破损，无法使用", "试用后损坏")
ADJUST_GAIN = ("整理货架发现多出", "上次发放少记，补回")
PARTIAL_REASONS = ("库存紧张，先发部分", "按实际需要核减数量", "另一部分由维保单位提供")
REJECT_REASONS = ("型号不符，请核对后重新申请", "该配件由维保单位提供", "非本工单维修所需", "已有同类备件可替代")
RETURN_REASONS = ("维修后剩余，退回库房", "型号不合适，未使用", "多领，退回")
STOCKTAKE_NOTES = ("季度盘点", "月度抽盘", "年终盘点")


# --- derived: the items and the warehouses of a scale -------------------------------------------------
class Spec(NamedTuple):
    """One item of the catalogue."""

    code: str
    family: Family
    specification: str
    cost: Decimal
    popularity: float
    key: tuple  # selection order: the common variants of every family first
    barcode: str | None


def _entry(text: str) -> tuple[str, float, float]:
    label = re.split(r"[@*]", text, maxsplit=1)[0]
    marks = dict(re.findall(r"([@*])([\d.]+)", text[len(label) :]))
    return label, float(marks.get("@", 1)), float(marks.get("*", 1))


def _ean13(digits12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


def catalogue() -> list[Spec]:
    """Every item the families make, in selection order."""
    specs = []
    for f_index, family in enumerate(FAMILIES):
        combos = list(product(*([_entry(e) for e in dim] for dim in family.dims)))
        popularity = [math.prod(w for _l, _f, w in combo) for combo in combos]
        for rank, i in enumerate(sorted(range(len(combos)), key=lambda i: (-popularity[i], i))):
            factor = math.prod(Decimal(str(f)) for _l, f, _w in combos[i])
            specs.append(Spec(
                f"{family.code}-{i + 1:03d}", family, family.spec.format(*(label for label, _f, _w in combos[i])),
                (Decimal(str(family.cost)) * factor).quantize(Decimal("0.01"), ROUND_HALF_UP), popularity[i],
                (rank / len(combos), f_index), _ean13(f"692{f_index:03d}{i + 1:06d}") if family.barcoded else None,
            ))  # fmt: skip
    return sorted(specs, key=lambda s: s.key)


def bin_code(store: str, area: str, n: int) -> str:
    return f"{store}-{area}{n:02d}"


def warehouse_plan(scale: str) -> list[tuple]:
    """(code, name, kind, parent code, campus, building, level) of every warehouse, parents first."""
    plan, central = [], {store.campus: store.code for store in CENTRAL}
    for store in CENTRAL:
        where = (store.campus, store.building, store.level)
        plan.append((store.code, store.name, "store", "", *where))
        for area in store.areas or (Area("", "", ()),):
            parent = f"{store.code}-{area.letter}" if area.letter else store.code
            if area.letter:
                plan.append((parent, f"{store.short} {area.letter}区 {area.name}", "area", store.code, *where))
            for n in range(1, BINS[scale] + 1):
                label = f"{area.letter}-{n:02d}" if area.letter else f"{n:02d}"
                plan.append(
                    (bin_code(store.code, area.letter, n), f"{store.short} {label} 货架", "bin", parent, *where)
                )
    plan += [(s.code, s.name, "store", central[s.campus], s.campus, s.building, s.level) for s in SECONDARY]
    return plan
