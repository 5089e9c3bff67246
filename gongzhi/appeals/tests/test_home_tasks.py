"""The home page starts with what waits for each role (待办): the counts per role against one fixed scene, each
task's link (the worklist or whistle list showing exactly those rows; with one row, the row itself), and the
home page's query count pinned per role."""

# mypy: disable-error-code="union-attr"
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.models import Whistle
from gongzhi.core.models import Notification
from gongzhi.core.registry import registry

from .conftest import AppealsCast, dispatched, in_progress, replied, submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
NOW = T0 + timedelta(days=7, hours=2)


@pytest.fixture
def scene(cast: Any, ac: AppealsCast) -> Any:
    """In community A: one case overdue (with an extension request), one due soon, one waiting for dispatch, one
    waiting for the department's acceptance, one answered; one waiting for dispatch in community B; two whistles of
    community A summoning the department, one it has not reported to, one it has finished (to be rated)."""
    traveller = time_machine.travel(T0, tick=False)
    t = traveller.start()
    try:
        overdue = in_progress(cast, ac, title="楼道堆物")  # due T0 + 7 days
        t.move_to(T0 + timedelta(days=1))
        due_soon = in_progress(cast, ac, title="楼顶漏水三天")  # due T0 + 8 days, due soon from T0 + 7 days
        t.move_to(NOW)
        to_dispatch = submit(cast, title="井盖松动").case
        submit(cast, title="安定门垃圾", area=cast.building_b, callback_phone="13900139000")
        to_accept = dispatched(cast, ac, title="噪音扰民")
        answered = replied(cast, ac, title="垃圾已清")
        actions.do_request_extension(overdue, acting_user=cast.handler, new_due_at=NOW + timedelta(days=3),
                                     reason="需协调施工单位")
        to_report = actions.do_whistle(acting_user=cast.worker_a, title="占道经营", area=cast.community_a,
                                       units=[cast.department])
        to_rate = actions.do_whistle(acting_user=cast.worker_a, title="违建拆除", area=cast.community_a,
                                     units=[cast.department])
        report = to_rate.reports.get()
        actions.do_report_whistle(report, acting_user=cast.handler)
        actions.do_complete_whistle_report(report, acting_user=cast.handler, action_taken="已拆除")
    except BaseException:
        traveller.stop()
        raise
    yield {"overdue": overdue, "due_soon": due_soon, "to_dispatch": to_dispatch, "to_accept": to_accept,
           "answered": answered, "to_report": to_report, "to_rate": to_rate}
    traveller.stop()


def appeals_counts(user: Any) -> dict[str, int]:
    return {t.key.removeprefix("appeals."): t.count for t in registry.tasks(user) if t.key.startswith("appeals.")}


DISPATCHER_A = {"pending_dispatch": 1, "due_soon": 1, "overdue": 1, "extensions": 1, "to_follow_up": 1,
                "whistles_rating": 1}
CITYWIDE = {**DISPATCHER_A, "pending_dispatch": 2}
EXPECTED: dict[str, dict[str, int]] = {
    "handler": {"to_accept": 1, "in_progress": 2, "due_soon": 1, "overdue": 1, "whistles_report": 1},
    "worker_a": DISPATCHER_A,
    "worker_b": {"pending_dispatch": 1, "due_soon": 0, "overdue": 0, "extensions": 0, "to_follow_up": 0,
                 "whistles_rating": 0},
    # Subdistrict staff also handle the cases of their subdistrict's office (none here).
    "subdistrict_staff_a": {**DISPATCHER_A, "to_accept": 0, "in_progress": 2, "whistles_report": 0},
    "district_admin": CITYWIDE,
    "city_admin": CITYWIDE,
    # A grid worker chases the late cases of their grid (the scene's are in grid_a).
    "grid_worker_a": {"due_soon": 1, "overdue": 1},
    "liaison": {},
    "resident_user": {},
    "party_member_user": {},
    "volunteer": {},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_it_counts_each_roles_tasks(cast: Any, scene: Any, name: str) -> None:
    assert appeals_counts(getattr(cast, name)) == EXPECTED[name]


def test_a_follow_up_caller_has_the_answered_cases_to_follow_up(cast: Any, ac: AppealsCast, scene: Any) -> None:
    assert appeals_counts(ac.caller) == {"to_follow_up": 1}


def test_a_resident_has_no_tasks_and_staff_always_see_their_unread_notifications(cast: Any, scene: Any) -> None:
    Notification.objects.filter(user=cast.resident_user).update(read_at=NOW)
    assert registry.tasks(cast.resident_user) == []
    [task] = [t for t in registry.tasks(cast.liaison) if t.key.startswith("core.")]  # the lists give it its projects'
    assert (task.key, task.count, task.url) == ("core.unread_notifications", 0, "/notifications/?unread=1")
    unread = Notification.objects.filter(user=cast.handler, read_at__isnull=True).count()
    assert unread > 0  # dispatch and the whistles told the department
    assert [t.count for t in registry.tasks(cast.handler) if t.key == "core.unread_notifications"] == [unread]


def test_a_task_of_one_row_links_to_it_and_of_several_to_the_list(cast: Any, scene: Any) -> None:
    urls = {t.key: t.url for t in registry.tasks(cast.handler)}
    assert urls["appeals.to_accept"] == reverse("appeals:case", args=[scene["to_accept"].pk])
    assert urls["appeals.overdue"] == reverse("appeals:case", args=[scene["overdue"].pk])
    assert urls["appeals.in_progress"] == reverse("appeals:worklist", args=["in_progress"])
    assert urls["appeals.whistles_report"] == reverse("appeals:whistle", args=[scene["to_report"].pk])
    kinds = {t.key: t.kind for t in registry.tasks(cast.worker_b)}
    assert kinds["appeals.overdue"] == ""  # a task of 0 is plain (shown grey), never red
    assert {t.key: t.kind for t in registry.tasks(cast.worker_a)}["appeals.overdue"] == "overdue"
    urls = {t.key: t.url for t in registry.tasks(cast.city_admin)}
    assert urls["appeals.pending_dispatch"] == reverse("appeals:worklist", args=["pending_dispatch"])


def test_the_lists_behind_the_tasks_show_exactly_those_rows(cast: Any, scene: Any, client: Any) -> None:
    client.force_login(cast.city_admin)
    page = client.get(reverse("appeals:worklist", args=["extensions"])).content.decode()
    assert "楼道堆物" in page and "楼顶漏水三天" not in page
    client.force_login(cast.handler)
    page = client.get(reverse("appeals:whistles") + "?waiting=report").content.decode()
    assert "占道经营" in page and "违建拆除" not in page
    client.force_login(cast.worker_a)
    page = client.get(reverse("appeals:whistles") + "?waiting=rating").content.decode()
    assert "违建拆除" in page and "占道经营" not in page
    scene["to_rate"].reports.update(rating="excellent")
    assert "违建拆除" not in client.get(reverse("appeals:whistles") + "?waiting=rating").content.decode()
    assert Whistle.objects.get(pk=scene["to_rate"].pk).status == Whistle.Status.CLOSED  # rated after it closed


def test_the_home_page_shows_the_tasks_first_with_their_links(cast: Any, scene: Any, client: Any) -> None:
    client.force_login(cast.handler)
    page = client.get(reverse("core:home")).content.decode()
    assert page.index('data-testid="tasks"') < page.index("我的范围")
    case_url = reverse("appeals:case", args=[scene["to_accept"].pk])
    assert f'href="{case_url}" data-task="appeals.to_accept"' in page
    assert "待签收" in page and "待报到吹哨" in page
    assert "待审批延期" not in page  # the handler decides no extensions
    assert page.index("待签收") < page.index("我能看到的")  # the statistics come after


# The home page's queries per role: session, user, grants (and a subdistrict's offices), the unread count (once:
# the menu and the task share it), each task's one or two bounded counts, then the statistics. Raise them only
# with a reason.
HOME_QUERIES = {
    # Every role: + 2 for the meetings (issue 20): the 联席会议 entry asks whether the user is invited to any meeting
    # when no role decides it, and the home task counts the meetings of the next 7 days the user is invited to; for
    # managers one of the two is the minutes waiting for their sign-off instead (meetings/reg_*.py).
    # Service (issue 21, service/registration.py): + 2 for community workers and up (the registrations awaiting
    # confirmation, one count; the rewards to deliver, one aggregate), + 1 for a resident (the activities signed up
    # for in the next 7 days); none for a handler (the roles decide without a query).
    # Evaluation (issue 22, evaluation/registration.py): + 1 for everyone (the ratings still to give: any account
    # may be a rater); community workers + 1 for their community's results on notice and + 2 for the rectification
    # notices (open, and whether one is overdue); organizers (subdistrict staff and up) + 1 for the objections to
    # answer and + 1 for the title-only flags to review; a resident + 1 more for the nav entry (do they rate?).
    # Venues and disputes (issue 23, venues/registration.py, disputes/registration.py): + 2 for everyone (my room
    # bookings to check in today; my secondment's report to file), + 1 for anyone who may mediate (the bodies they
    # sit on or head, one query), + 1 for the follow-up visits due; area staff + 1 for the bookings awaiting their
    # approval (one bounded query), + 1 for today's service sessions to check people in, + 1 for the secondments
    # to agree, + 2 for the disputes waiting for a session and for assignment; a handler or a resident + 1 for
    # whether a dispute is assigned to them personally (the nav entry).
    "handler": 22,
    "worker_a": 37,  # + the project list's three tasks for community workers (lists/project_tasks.py), + the items
    # raised for meetings waiting (meetings/reg_agenda.py)
    "subdistrict_staff_a": 37,
    "city_admin": 32,
    "resident_user": 18,  # + 1: whether the account holds a councillor's term (councils/permissions.py)
}


@pytest.mark.parametrize("name", list(HOME_QUERIES))
def test_the_home_page_costs_a_pinned_number_of_queries(cast: Any, scene: Any, client: Any, name: str) -> None:
    client.force_login(getattr(cast, name))
    client.get(reverse("core:home"))  # warm the per-process caches (areas, categories) as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert len(ctx.captured_queries) == HOME_QUERIES[name], "\n".join(q["sql"][:300] for q in ctx.captured_queries)
