"""Default data: the category tree, the time limits (Beijing DB11/T 2021—2022) and reply templates.

Plain data so that the data migration and tests can both use it.
"""

from __future__ import annotations

# kind: emergency / utility / ordinary / complex; leaves without a kind are "ordinary".
CATEGORY_TREE: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = [
    ("城市管理", [
        ("市容环境", [("垃圾清运", "ordinary"), ("乱堆乱放", "ordinary"), ("违规广告牌匾", "ordinary"),
                      ("公共厕所", "ordinary")]),
        ("违法建设", [("私搭乱建", "complex"), ("违规装修", "ordinary")]),
        ("园林绿化", [("树木修剪", "ordinary"), ("绿地破坏", "ordinary")]),
        ("占道经营", [("流动摊贩", "ordinary"), ("店外经营", "ordinary")]),
    ]),
    ("住房", [
        ("物业管理", [("物业服务", "ordinary"), ("物业收费", "complex"), ("电梯故障", "utility"),
                      ("楼道照明", "ordinary")]),
        ("房屋安全", [("房屋漏雨", "ordinary"), ("危房险情", "emergency")]),
        ("老旧小区改造", [("改造进度", "complex"), ("加装电梯", "complex")]),
    ]),
    ("公共服务", [
        ("供水", [("停水", "utility"), ("水质问题", "utility"), ("管道漏水", "utility")]),
        ("供电", [("停电", "utility"), ("电压不稳", "utility")]),
        ("燃气", [("燃气泄漏", "emergency"), ("停气", "utility")]),
        ("供暖", [("暖气不热", "utility"), ("供暖管道漏水", "utility")]),
        ("排水", [("下水道堵塞", "utility"), ("污水外溢", "utility")]),
    ]),
    ("交通", [
        ("道路设施", [("道路破损", "ordinary"), ("井盖缺失", "emergency"), ("路灯不亮", "ordinary")]),
        ("停车管理", [("乱停车", "ordinary"), ("停车收费", "ordinary")]),
        ("公共交通", [("公交线路", "complex"), ("共享单车", "ordinary")]),
    ]),
    ("社会保障", [
        ("社会救助", [("低保", "complex"), ("临时救助", "ordinary")]),
        ("养老服务", [("养老机构", "ordinary"), ("居家养老", "ordinary")]),
        ("就业", [("欠薪", "complex"), ("就业服务", "ordinary")]),
    ]),
    ("医疗卫生", [
        ("医疗服务", [("就医问题", "ordinary"), ("医疗纠纷", "complex")]),
        ("公共卫生", [("病媒生物", "ordinary"), ("疫苗接种", "ordinary")]),
    ]),
    ("教育", [
        ("入学", [("入学咨询", "ordinary"), ("学位问题", "complex")]),
        ("校外培训", [("培训机构", "ordinary")]),
    ]),
    ("市场监管", [
        ("食品安全", [("餐饮卫生", "ordinary"), ("过期食品", "ordinary")]),
        ("消费维权", [("价格欺诈", "ordinary"), ("预付卡退费", "complex")]),
    ]),
    ("生态环境", [
        ("噪声污染", [("施工噪声", "ordinary"), ("社会生活噪声", "ordinary")]),
        ("大气污染", [("油烟扰民", "ordinary"), ("焚烧垃圾", "ordinary")]),
        ("水污染", [("河道污染", "complex")]),
    ]),
    ("治安", [
        ("社会治安", [("治安隐患", "ordinary"), ("邻里纠纷", "ordinary")]),
        ("消防安全", [("消防通道堵塞", "emergency"), ("电动车违规充电", "emergency")]),
    ]),
    ("其他", [
        ("其他", [("其他诉求", "ordinary")]),
    ]),
]

# kind: (accept_minutes, response_hours, handle_hours)
TIME_LIMITS: dict[str, tuple[int, int, int]] = {
    "emergency": (30, 1, 2),
    "utility": (120, 2, 24),
    "ordinary": (120, 24, 7 * 24),
    "complex": (120, 24, 15 * 24),
}

# Placeholders: those the platform knows ({单位} the answering unit, {日期} today, {办理期限} the deadline, see
# replies.py) are filled from the case; any other ({答复内容}) is the handler's to write, and an answer still holding
# one is refused.
REPLY_TEMPLATES: list[tuple[str, str]] = [
    ("已解决", "您反映的问题已由我单位处理完毕，经现场核实已解决。感谢您对我们工作的支持！"),
    ("已答复咨询", "您咨询的问题答复如下：{答复内容}。如有疑问，请拨打我单位咨询电话。"),
    ("正在推进", "您反映的问题我单位已受理，因涉及多个部门，目前正在协调推进，预计于{预计完成日期}前完成，届时将再次告知您。"),
    ("不属于职责范围", "经核实，您反映的问题不属于我单位职责范围，已建议您向{建议反映的单位}反映，感谢理解。"),
    ("政策解释", "您反映的问题涉及{政策名称}，根据现行政策规定，{解释}。感谢您的理解与支持。"),
]


def restore_defaults() -> None:
    """Put the default categories, time limits, weights and reply templates back when they are missing (a flushed
    test database); registered with `registry.seed`. The same code as migration 0002."""
    import importlib

    from django.apps import apps

    from .models import Category

    if not Category.objects.exists():
        importlib.import_module("gongzhi.appeals.migrations.0002_seed_defaults").seed(apps, None)
