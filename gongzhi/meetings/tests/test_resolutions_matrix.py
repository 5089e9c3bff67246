"""The resolution policy as a table (every cast user × view, manage, update × a resolution of community A's meeting
assigned to the member unit, one of community B's assigned to another unit), checked against the policy and
through the resolution page; and the pages of the agenda part."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit
from gongzhi.meetings import permissions
from gongzhi.meetings.models import Resolution
from gongzhi.test import check_http_matrix, check_policy_matrix, parse_matrix

from . import agenda_scene

RESOLUTION_MATRIX = """
                      view     manage   update
superuser             ok/ok    ok/ok    ok/ok
city_admin            ok/ok    ok/ok    ok/ok
district_admin        ok/ok    ok/ok    ok/ok
subdistrict_staff_a   ok/404   ok/404   ok/404
worker_a              ok/404   ok/404   ok/404
worker_b              404/ok   404/ok   404/ok
grid_worker_a         404/404  404/404  404/404
handler               404/404  404/404  404/404
liaison               ok/404   403/404  ok/404
party_member_user     404/404  404/404  404/404
volunteer             404/404  404/404  404/404
resident_user         404/404  404/404  404/404
"""


@pytest.fixture
def pair(cast):  # type: ignore[no-untyped-def]
    meeting_a = agenda_scene.meeting(cast)
    meeting_b = agenda_scene.meeting(cast, area=cast.community_b, organizer=cast.worker_b, title="安定门联席会议")
    unit_b = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门物业",
                                         kind=Unit.Kind.PROPERTY_COMPANY)
    due = timezone.localdate() + timedelta(days=30)
    a = Resolution.objects.create(meeting=meeting_a, area=cast.community_a, approach="a", task="和平里任务", due_on=due)
    a.units.set([cast.member_unit])
    b = Resolution.objects.create(meeting=meeting_b, area=cast.community_b, approach="b", task="安定门任务", due_on=due)
    b.units.set([unit_b])
    return a, b


def test_the_resolution_policy_matrix(cast, pair) -> None:  # type: ignore[no-untyped-def]
    checked = check_policy_matrix(cast, RESOLUTION_MATRIX, subjects=pair, can=permissions.can,
                                  fetch=permissions.get_resolution_for_user)
    assert checked == 12 * 3 * 2


def test_the_resolution_page_matrix(client, cast, pair) -> None:  # type: ignore[no-untyped-def]
    matrix = parse_matrix(RESOLUTION_MATRIX)
    check_http_matrix(client, cast, matrix.only("view"), subjects=pair,
                      url=lambda action, r: f"/meetings/resolutions/{r.pk}/")
    check_http_matrix(client, cast, matrix.only("update"), subjects=pair, method="post", ok_status=302,
                      url=lambda action, r: f"/meetings/resolutions/{r.pk}/update/",
                      data=lambda action, r: {"percent": "10", "note": "进展"})


def test_the_list_shows_each_user_their_own(client, cast, pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    client.force_login(cast.liaison)
    html = client.get("/meetings/resolutions/").content.decode()
    assert "和平里任务" in html and "安定门任务" not in html
    client.force_login(cast.worker_b)
    html = client.get("/meetings/resolutions/?status=open").content.decode()
    assert "安定门任务" in html and "和平里任务" not in html
    client.force_login(cast.resident_user)
    assert client.get("/meetings/resolutions/").status_code == 403


def test_the_list_filters_overdue_and_unit(client, cast, pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    Resolution.objects.filter(pk=a.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    client.force_login(cast.district_admin)
    html = client.get("/meetings/resolutions/?overdue=on").content.decode()
    assert "和平里任务" in html and "安定门任务" not in html and "逾期" in html
    html = client.get(f"/meetings/resolutions/?unit={cast.member_unit.pk}").content.decode()
    assert "和平里任务" in html and "安定门任务" not in html


def test_the_agenda_page_is_for_organizers(client, cast) -> None:  # type: ignore[no-untyped-def]
    scene = agenda_scene.build(cast)
    url = f"/meetings/{scene.meeting.pk}/agenda/"
    client.force_login(cast.worker_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.district_admin)
    html = client.get(url).content.decode()
    assert "超期 12 天" in html and "32 位居民反映" in html
    client.force_login(cast.worker_a)
    response = client.post(url, {"action": "propose", "key": [f"lists.demand:{scene.top_demand.pk}"]})
    assert response.status_code == 302
    assert scene.meeting.agenda_items.get().reason == "32 位居民反映"
    assert client.post(url, {"action": "add", "title": ""}).status_code == 400


def test_the_sections_of_the_meeting_page(rf, cast) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    from gongzhi.meetings.actions import agenda as agenda_actions
    from gongzhi.meetings.sections import sections_for

    scene = agenda_scene.build(cast)
    agenda_actions.do_propose_agenda(scene.meeting, acting_user=cast.worker_a)
    request = rf.get("/")
    request.user = cast.worker_a
    found = {s.template: s for s in sections_for(request, scene.meeting)}
    section = found["meetings/_section_agenda.html"]
    html = render_to_string(section.template, {"meeting": scene.meeting, **section.context}, request=request)
    assert "超期 12 天" in html and "上次会议决议，已逾期 5 天" in html
    assert "meetings/_section_resolutions.html" in found


def test_a_resident_raises_an_item_on_a_phone_form(client, cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEETINGS_RAISE_RATE = (3, 600)
    url = f"/meetings/raise/{cast.community_a.pk}/"
    assert client.get(url).status_code == 200
    assert client.get(f"/meetings/raise/{cast.estate_a.pk}/").status_code == 404
    bad = client.post(url, {"title": "路灯", "name": "张桂兰", "phone": "13800138000", "code": "123456",
                            "submit": "1"})
    assert bad.status_code == 400 and "验证码错误" in bad.content.decode()
    client.post(url, {"title": "路灯", "name": "张桂兰", "phone": "13800138000", "submit": "1"})
    client.post(url, {"title": "路灯", "name": "张桂兰", "phone": "13800138000", "submit": "1"})
    assert client.post(url, {"title": "路灯", "name": "张桂兰", "phone": "13800138000"}).status_code == 429


def test_a_liaison_raises_and_an_organizer_declines(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.liaison)
    assert client.get("/meetings/raised/new/").status_code == 200
    response = client.post("/meetings/raised/new/", {"community": cast.community_a.pk, "title": "停车难",
                                                     "description": "晚上车位不够"})
    assert response.status_code == 302
    from gongzhi.meetings.models import RaisedItem

    item = RaisedItem.objects.get()
    assert item.raised_by_unit == cast.member_unit
    assert client.post(f"/meetings/raised/{item.pk}/decline/", {"reason": "x"}).status_code == 403
    client.force_login(cast.worker_b)
    assert client.post(f"/meetings/raised/{item.pk}/decline/", {"reason": "x"}).status_code == 404
    client.force_login(cast.worker_a)
    assert "停车难" in client.get("/meetings/raised/").content.decode()
    assert client.post(f"/meetings/raised/{item.pk}/decline/", {"reason": "已有停车规划"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RaisedItem.Status.DECLINED


def test_the_meeting_page_shows_the_agenda_and_resolutions(client, cast) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.meetings.actions import agenda as agenda_actions
    from gongzhi.meetings.actions import resolutions as resolution_actions

    scene = agenda_scene.build(cast)
    items = agenda_actions.do_propose_agenda(scene.meeting, acting_user=cast.worker_a)
    resolution_actions.do_add_resolution(scene.meeting, acting_user=cast.worker_a, approach="联合疏通", task="疏通下水道",
                                         units=[cast.member_unit], agenda_item=items[0],
                                         due_on=timezone.localdate() + timedelta(days=30))
    client.force_login(cast.worker_a)
    html = client.get(f"/meetings/{scene.meeting.pk}/").content.decode()
    assert 'data-testid="agenda-section"' in html and "超期 12 天" in html and "疏通下水道" in html
    assert f"/meetings/{scene.meeting.pk}/agenda/" in html


def test_the_list_costs_the_same_queries_for_more_rows(client, cast, pair) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _b = pair
    client.force_login(cast.district_admin)
    client.get("/meetings/resolutions/")

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/meetings/resolutions/").status_code == 200
        return len(ctx.captured_queries)

    before = cost()
    for i in range(5):
        r = Resolution.objects.create(meeting=a.meeting, area=cast.community_a, approach="a", task=f"任务{i}",
                                      due_on=a.due_on)
        r.units.set([cast.member_unit])
    assert cost() == before
