from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, Assignment, Case, Category
from gongzhi.core import actions as core_actions
from gongzhi.core.models import Role, Unit, User
from gongzhi.test import make_user


@dataclass
class AppealsCast:
    leaf: Category  # an ordinary leaf category (7 days)
    utility_leaf: Category
    department2: Unit
    handler2: User
    caller: User  # a follow-up caller (回访员) of the district: handles no case, follows them up


@pytest.fixture
def ac(cast: Any) -> AppealsCast:
    leaf = Category.objects.get(name="垃圾清运")
    utility = Category.objects.get(name="停水")
    department2 = core_actions.do_create_unit(acting_user=None, area=cast.district, name="东城区水务局",
                                              kind=Unit.Kind.DEPARTMENT)
    handler2 = make_user("handler2", "水务局办件员")
    core_actions.do_grant_role(handler2, role=Role.DEPARTMENT_HANDLER, area=cast.district, unit=department2,
                               acting_user=None)
    caller = make_user("caller", "回访员小周")
    core_actions.do_grant_role(caller, role=Role.FOLLOW_UP_CALLER, area=cast.district, acting_user=None)
    return AppealsCast(leaf=leaf, utility_leaf=utility, department2=department2, handler2=handler2, caller=caller)


def submit(cast: Any, **kw: Any) -> Appeal:
    data: dict[str, Any] = {"acting_user": cast.resident_user, "title": "垃圾没人清", "body": "小区门口垃圾三天没清运了",
                            "callback_phone": "13800138000", "area": cast.building_a}
    data.update(kw)
    return actions.do_submit_appeal(**data)


def dispatched(cast: Any, ac: AppealsCast, **kw: Any) -> Case:
    appeal = submit(cast, **kw)
    assert appeal.case is not None
    return actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department, category=ac.leaf)


def lead(case: Case) -> Assignment:
    return case.assignments.get(role="lead", status__in=["pending", "accepted"])


def in_progress(cast: Any, ac: AppealsCast, **kw: Any) -> Case:
    case = dispatched(cast, ac, **kw)
    actions.do_accept_assignment(lead(case), acting_user=cast.handler)
    case.refresh_from_db()
    return case


def replied(cast: Any, ac: AppealsCast, **kw: Any) -> Case:
    case = in_progress(cast, ac, **kw)
    actions.do_reply_case(case, acting_user=cast.handler, body="已清运完毕")
    case.refresh_from_db()
    return case
