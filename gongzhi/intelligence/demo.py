"""The intelligence step of `gongzhi demo --train-classifier`: suggestions on the dispatch screen need a trained
model, and ../shared/data/messages has one's data. The labelled messages know first-level categories only; the
leaf layer (category paths) is learnt from the demo city's closed cases, so a few more closed cases of leaves the
appeals history lacks are added first (LEAF_HISTORY: 楼道灯坏了 → 住房 › 物业管理 › 楼道照明)."""

from __future__ import annotations

import random

from django.core.management import call_command
from django.utils.translation import gettext as _

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.models import Area
from gongzhi.core.registry import DemoContext
from gongzhi.lib.text.pseudo_labels import messages_dir

# Category path → (title, body) of closed cases in the demo city's history, one case each.
LEAF_HISTORY: dict[str, list[tuple[str, str]]] = {
    "住房/物业管理/楼道照明": [
        ("{building}楼道灯坏了", "{estate}{building}楼道灯坏了半个月，物业一直没来修，晚上上楼看不见台阶。"),
        ("楼道声控灯不亮", "{estate}{building}三楼到六楼的声控灯都不亮了，请物业尽快更换灯泡。"),
        ("{estate}楼道照明灯损坏", "{building}单元楼道照明灯损坏，老人晚上出门摔了一跤，请物业维修。"),
        ("楼道灯一直不亮", "{estate}{building}楼道灯一直不亮，找物业报修多次没有结果。"),
        ("单元楼道没有灯", "{estate}{building}单元门口和楼道的灯坏了很久，晚上黑乎乎的很不安全。"),
        ("{building}楼梯间灯泡坏了", "{estate}{building}楼梯间灯泡坏了好几个，物业说没有配件，请督促维修。"),
        ("楼道感应灯失灵", "{estate}{building}楼道感应灯失灵，时亮时不亮，请物业检修线路。"),
    ],
    "住房/物业管理/电梯故障": [
        ("{building}电梯又坏了", "{estate}{building}电梯又坏了，困人两次，请物业尽快维修并检查安全。"),
        ("电梯经常停运", "{estate}{building}电梯经常停运，维修很慢，楼上老人出行困难。"),
        ("{estate}电梯异响", "{building}电梯运行时有异响还会突然停住，请安排检修。"),
        ("电梯困人", "{estate}{building}电梯今天困人半小时，物业来得很慢，请督促整改。"),
        ("电梯年检过期", "{estate}{building}电梯的年检合格证已经过期，担心安全问题。"),
    ],
}


def build_leaf_history(seed: int) -> int:
    """LEAF_HISTORY as closed cases through the appeals' actions (dispatched by the routing rules, answered, followed
    up satisfied, closed); how many were made. Places: buildings of the demo city, drawn with `seed`."""
    rng = random.Random(seed + 18)
    categories = {c.full_name().replace(" / ", "/"): c for c in appeals_queries.active_categories()}
    buildings = list(Area.objects.filter(level=Area.Level.BUILDING).select_related("parent__parent").order_by("path"))
    made = 0
    for path, messages in LEAF_HISTORY.items():
        category = categories.get(path)
        if category is None or not buildings:
            continue
        for title, body in messages:
            building = rng.choice(buildings)
            estate = building.parent.parent if building.parent is not None else None
            words = {"estate": estate.name if estate is not None else "", "building": building.name}
            route = appeals_queries.suggest_route(category, building)
            if route.lead is None:
                continue
            appeal = appeals_actions.do_submit_appeal(
                acting_user=None, system=True, title=title.format(**words), body=body.format(**words),
                callback_phone=f"100{rng.randrange(10**8):08d}", callback_name=rng.choice("张王李赵刘陈杨黄") + "女士",
                area=building, category=category)
            case = appeal.case
            assert case is not None
            case = appeals_actions.do_dispatch_case(case, acting_user=None, lead_unit=route.lead, category=category)
            appeals_actions.do_accept_assignment(case.assignments.get(role="lead"), acting_user=None)
            appeals_actions.do_reply_case(case, acting_user=None,
                                          body=_("The problem has been fixed on site by %(unit)s.") % {"unit": route.lead.name})
            appeals_actions.do_follow_up_case(case, acting_user=None, contacted=True, solved=True, satisfaction="satisfied")
            case.refresh_from_db()
            if case.status == case.Status.REPLIED:  # unless the follow-up closed it by the configured rule
                appeals_actions.do_close_case(case, acting_user=None)
            made += 1
    return made


def build_demo(context: DemoContext) -> None:
    if not context.train_classifier:
        return
    train_csv = messages_dir() / "train.csv"
    if not train_csv.exists():
        context.say(_("No labelled messages found; the category classifier was not trained."))
        return
    build_leaf_history(context.seed)
    context.say(_("Training the category classifier from the labelled messages …"))
    call_command("classifier", "train", "--file", str(train_csv), "--with-history", stdout=context.stdout)
