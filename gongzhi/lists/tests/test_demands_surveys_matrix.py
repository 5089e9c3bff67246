"""The permission matrix of the demand actions (edit, close) and of surveys (view, manage, create at a community):
every cast user × every action × an object on community A's side and one on B's → ok, 403 or 404; through the
policy and through the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit
from gongzhi.lists import actions
from gongzhi.lists.models import Demand
from gongzhi.lists.permissions import can, get_demand_for_user, get_survey_for_user
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

pytestmark = pytest.mark.django_db

# demand: a staff entry at community A / B; unit_need: a member unit's own need at A (the liaison's unit) / at B
# (another unit's).
DEMANDS = """
                     edit     close    unit_edit  unit_close
superuser            ok/ok    ok/ok    ok/ok      ok/ok
city_admin           ok/ok    ok/ok    ok/ok      ok/ok
district_admin       ok/ok    ok/ok    ok/ok      ok/ok
subdistrict_staff_a  ok/404   ok/404   ok/404     ok/404
worker_a             ok/404   ok/404   ok/404     ok/404
worker_b             404/ok   404/ok   404/ok     404/ok
grid_worker_a        404      404      404        404
handler              404      404      404        404
liaison              403/404  403/404  ok/404     ok/404
party_member_user    404      404      404        404
volunteer            404      404      404        404
resident_user        404      404      404        404
"""

SURVEYS = """
                     view     manage   create_survey
superuser            ok/ok    ok/ok    ok/ok
city_admin           ok/ok    ok/ok    ok/ok
district_admin       ok/ok    ok/ok    ok/ok
subdistrict_staff_a  ok/404   ok/404   ok/403
worker_a             ok/404   ok/404   ok/403
worker_b             404/ok   404/ok   403/ok
grid_worker_a        404      404      403/403
handler              404      404      403/403
liaison              404      404      403/403
party_member_user    404      404      403/403
volunteer            404      404      403/403
resident_user        404      404      403/403
"""

# The pages: the demand's edit form, a survey's results; the gate of each list answers 403 to roles without it.
PAGES = """
                     demand_edit  survey_results
superuser            ok/ok        ok/ok
city_admin           ok/ok        ok/ok
district_admin       ok/ok        ok/ok
subdistrict_staff_a  ok/404       ok/404
worker_a             ok/404       ok/404
worker_b             404/ok       404/ok
grid_worker_a        404/404      404/404
handler              403/403      403/403
liaison              403/404      403/403
party_member_user    403/403      403/403
volunteer            403/403      403/403
resident_user        403/403      403/403
"""


@pytest.fixture
def records(cast: Cast) -> dict[str, tuple[Any, ...]]:
    demands = tuple(actions.do_create_demand(acting_user=cast.district_admin, title=f"需求{i}", area=area)
                    for i, area in enumerate((cast.community_a, cast.community_b)))
    other = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门卫生服务中心",
                                        kind=Unit.Kind.HOSPITAL)
    core_actions.do_register_unit(other, community=cast.community_b, acting_user=None)
    needs = (
        actions.do_create_demand(acting_user=cast.liaison, title="员工培训场地", area=cast.community_a,
                                 source=Demand.Source.UNIT, source_unit=cast.member_unit),
        actions.do_create_demand(acting_user=cast.district_admin, title="义诊场地", area=cast.community_b,
                                 source=Demand.Source.UNIT, source_unit=other),
    )
    surveys = tuple(actions.do_create_survey(acting_user=cast.district_admin, area=area, title=f"问卷{i}")
                    for i, area in enumerate((cast.community_a, cast.community_b)))
    for survey in surveys:
        actions.do_add_question(survey, acting_user=cast.district_admin, kind="text", text="建议")
        actions.do_publish_survey(survey, acting_user=cast.district_admin)
    return {"demand": demands, "unit_need": needs, "survey": surveys}


def _demand_can(user: object, action: str, obj: object) -> bool:
    return can(user, action.removeprefix("unit_"), obj)


def test_it_applies_the_matrix_of_demand_actions(cast: Cast, records: dict[str, tuple[Any, ...]]) -> None:
    table = parse_matrix(DEMANDS)
    n = check_policy_matrix(cast, table.only("edit", "close"), subjects=records["demand"], can=_demand_can,
                            fetch=get_demand_for_user)
    n += check_policy_matrix(cast, table.only("unit_edit", "unit_close"), subjects=records["unit_need"],
                             can=_demand_can, fetch=get_demand_for_user)
    assert n == 12 * 4 * 2


def test_it_applies_the_matrix_of_surveys(cast: Cast, records: dict[str, tuple[Any, ...]]) -> None:
    table = parse_matrix(SURVEYS)
    n = check_policy_matrix(cast, table.only("view", "manage"), subjects=records["survey"],
                            can=lambda user, action, obj: can(user, action, obj), fetch=get_survey_for_user)
    n += check_policy_matrix(cast, table.only("create_survey"), subjects=(cast.community_a, cast.community_b),
                             can=lambda user, action, area: can(user, action, area))
    assert n == 12 * 3 * 2


def test_the_pages_answer_as_the_matrix_says(cast: Cast, records: dict[str, tuple[Any, ...]]) -> None:
    table = parse_matrix(PAGES)
    client = Client()
    n = check_http_matrix(client, cast, table.only("demand_edit"), subjects=records["demand"],
                          url=lambda _, demand: f"/lists/demands/{demand.pk}/edit/")
    n += check_http_matrix(client, cast, table.only("survey_results"), subjects=records["survey"],
                           url=lambda _, survey: f"/lists/surveys/{survey.pk}/results/")
    assert n == 12 * 2 * 2


def test_a_refused_close_changes_nothing(cast: Cast, records: dict[str, tuple[Any, ...]]) -> None:
    client = Client()
    demand = records["demand"][0]
    for user in (cast.liaison, cast.worker_b, cast.handler):
        client.force_login(user)
        assert client.post(f"/lists/demands/{demand.pk}/close/", {"reason": "x"}).status_code in (403, 404)
        assert client.post(f"/api/lists/demands/{demand.pk}/close", {"reason": "x"},
                           content_type="application/json").status_code in (403, 404)
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN
    survey = records["survey"][0]
    for user in (cast.grid_worker_a, cast.worker_b, cast.liaison):
        client.force_login(user)
        assert client.post(f"/lists/surveys/{survey.pk}/close/").status_code in (403, 404)
    survey.refresh_from_db()
    assert survey.status == "published"
