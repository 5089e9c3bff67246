"""The demo city's fixed material: its districts, names, departments and unit kinds."""


from __future__ import annotations

from itertools import accumulate

from ..models import (
    Resident,
    Unit,
)

DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "Gongzhi@2026"  # noqa: S105 - the published demo password, overridable by DEMO_PASSWORD
DEMO_URL = "http://127.0.0.1:8000/"
PHONE_PREFIX = "100"  # no Chinese mobile number starts with 100
REGION_CODE = "990101"  # no real administrative region has this code
CURRENT_YEAR = 2026

LEVEL_ORDER = ["city", "district", "subdistrict", "community", "estate", "grid", "building"]

# The demo city (东川省青溪市): two districts, four subdistricts, eleven communities.
CITY_NAME, CITY_PROVINCE, CITY_CODE = "青溪市", "东川省", "990100"
DISTRICTS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    (
        "清源区",
        [
            ("锦华街道", ["锦华社区", "芳草社区", "玉林社区"]),
            ("春熙街道", ["春熙社区", "书院社区", "红星社区"]),
        ],
    ),
    ("临江区", [("望江街道", ["望江社区", "合江社区", "九眼桥社区"]), ("枫溪镇", ["枫溪社区", "滨河社区"])]),
]
# Across the provincial border from 枫溪镇: the twelfth community, partner in the cross-province alliance.
PARTNER_CITY, PARTNER_PROVINCE, PARTNER_CODE = "白沙市", "南岭省", "980100"
PARTNER_DISTRICTS: list[tuple[str, list[tuple[str, list[str]]]]] = [("新河县", [("新塘镇", ["新塘社区"])])]

ESTATES_PER_COMMUNITY = 5
ESTATE_PREFIXES = (
    "锦绣 翠湖 金桂 阳光 和谐 幸福 紫荆 玉兰 枫林 桃源 青竹 明月 春华 长青 东湖 南苑 北辰 西园 新城 滨江 "
    "芙蓉 银杏 海棠 丽景 康乐 清风 锦苑 望月 华府 百合 金沙 蓝湾 书香 瑞景 怡和 泰和 安居 龙湾 梧桐 嘉禾"
).split()
ESTATE_SUFFIXES = "花园 家园 小区 苑 雅居 新村 公寓 名邸 嘉园 佳苑".split()
ROADS = "人民 建设 文化 和平 光明 新华 滨河 锦华 春熙 望江 书院 枫溪 玉林 红星 合江 学府".split()
CHINESE_NUMERALS = "一二三四五六七八九十"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# The most common surnames are drawn more often, roughly as in real life.
SURNAME_CUM_WEIGHTS = list(
    accumulate(12 if i < 5 else 6 if i < 20 else 2 if i < 50 else 1 for i in range(len(SURNAMES)))
)
MALE, FEMALE = str(Resident.Gender.MALE), str(Resident.Gender.FEMALE)
GIVEN_FIRST = {
    "male": "建国志伟明文海晓子浩俊宇博德永春家振天嘉思立鹏云",
    "female": "秀桂玉丽淑美晓雅欣思婉佳雨梦诗静慧春海子",
}
GIVEN_SECOND = {
    "male": "国华强明军平东杰涛轩然宇航文辉斌刚林峰波龙阳成磊",
    "female": "兰英芳华珍梅萍娟红霞琳婷雪怡涵萱琪颖敏洁燕",
}
GIVEN_SINGLE = {
    "male": "伟强磊军勇杰涛明超刚平辉鹏飞鑫波斌浩凯健",
    "female": "芳娜敏静丽艳娟霞婷雪琳洁燕玲萍红梅颖",
}

# 12 government departments: six serve the whole city, three in each district.
CITY_DEPARTMENTS = [
    "中共青溪市委政法委员会",
    "青溪市交通运输局",
    "青溪市市场监督管理局",
    "青溪市生态环境局",
    "青溪市水务局",
    "国网青溪供电公司",
]
DISTRICT_DEPARTMENTS = {
    "清源区": ["住房和城乡建设局", "综合行政执法局", "民政局"],
    "临江区": ["卫生健康局", "教育局", "人力资源和社会保障局"],
}

# 40 member units: how many of each kind.
MEMBER_UNIT_KINDS: list[tuple[str, int]] = [
    (Unit.Kind.PROPERTY_COMPANY, 8),
    (Unit.Kind.OWNERS_COMMITTEE, 6),
    (Unit.Kind.ENTERPRISE, 7),
    (Unit.Kind.INSTITUTION, 4),
    (Unit.Kind.SCHOOL, 4),
    (Unit.Kind.HOSPITAL, 3),
    (Unit.Kind.SOCIAL_ORG, 4),
    (Unit.Kind.RESIDENTS_COMMITTEE, 4),
]
PROPERTY_BRANDS = ["川信", "和瑞", "锦程", "安泰", "悦居", "恒泰", "嘉禾", "邻里"]
# Name patterns; {c} community (without 社区), {s} subdistrict, {d} district, {e} an estate of the community.
UNIT_NAMES: dict[str, list[str]] = {
    Unit.Kind.ENTERPRISE: [
        "东川鑫源电子科技有限公司",
        "青溪农商银行{c}支行",
        "青溪燃气有限公司{c}服务站",
        "{c}便民超市有限公司",
        "青溪市邮政分公司{c}营业所",
        "青溪通信{c}营业厅",
        "蜀味餐饮管理有限公司",
    ],
    Unit.Kind.INSTITUTION: ["{d}图书馆", "{d}文化馆", "{d}不动产登记中心", "{d}公证处"],
    Unit.Kind.SCHOOL: ["青溪市第三小学", "青溪市第七中学", "{c}幼儿园", "{d}实验小学"],
    Unit.Kind.HOSPITAL: ["{d}人民医院", "{s}社区卫生服务中心", "青溪市中医医院"],
    Unit.Kind.SOCIAL_ORG: ["{c}社会工作服务中心", "青溪市志愿者协会{c}分会", "{c}老年协会", "{c}邻里互助会"],
}

ALLIANCE_CROSS_PROVINCE = "枫溪—新塘跨省毗邻社区生活圈"
ALLIANCE_RIVERSIDE = "沿江社区党建联盟"
