"""Agenda proposals and their reasons, one per source, without duplicates; the agenda's writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.meetings import agenda
from gongzhi.meetings.actions import agenda as actions
from gongzhi.meetings.models import AgendaItem, Meeting, RaisedItem

from . import agenda_scene


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    return agenda_scene.build(cast)


def by_key(proposals: list[agenda.Proposal]) -> dict[str, agenda.Proposal]:
    return {p.source_key: p for p in proposals}


def test_it_proposes_each_source_with_its_reason(cast, scene) -> None:  # type: ignore[no-untyped-def]
    found = by_key(agenda.propose_agenda(scene.meeting, cast.worker_a))
    assert found[f"appeals.case:{scene.overdue_case.pk}"].reason == "超期 12 天"
    assert found[f"appeals.case:{scene.overdue_case.pk}"].source == AgendaItem.Source.OVERDUE_CASE
    assert found[f"appeals.case:{scene.reopened_case.pk}"].reason == "重办 3 次"
    assert found[f"lists.demand:{scene.top_demand.pk}"].reason == "32 位居民反映"
    assert found[f"meetings.resolution:{scene.resolution.pk}"].reason == "上次会议决议，已逾期 5 天"
    assert found[f"lists.project:{scene.project.pk}"].reason == "里程碑逾期 10 天"
    assert found[f"meetings.raised:{scene.unit_item.pk}"].reason == "驻区单位提出：和平物业服务有限公司"
    assert found[f"meetings.raised:{scene.resident_item.pk}"].reason == "居民提出：张桂兰"


def test_it_orders_demands_by_residents_and_stays_in_the_community(cast, scene) -> None:  # type: ignore[no-untyped-def]
    proposals = agenda.propose_agenda(scene.meeting, cast.worker_a)
    demands = [p.title for p in proposals if p.source == AgendaItem.Source.DEMAND]
    assert demands == ["老年助餐点", "儿童托管"]
    titles = {p.title for p in proposals}
    assert "安定小区路面塌陷" not in titles and "安定门停车" not in titles


def test_it_leaves_out_what_is_on_the_agenda_and_never_twice(cast, scene) -> None:  # type: ignore[no-untyped-def]
    first = agenda.propose_agenda(scene.meeting, cast.worker_a)
    assert len({p.source_key for p in first}) == len(first)
    actions.do_propose_agenda(scene.meeting, acting_user=cast.worker_a,
                              keys=[f"appeals.case:{scene.overdue_case.pk}", f"meetings.raised:{scene.unit_item.pk}"])
    again = by_key(agenda.propose_agenda(scene.meeting, cast.worker_a))
    assert f"appeals.case:{scene.overdue_case.pk}" not in again
    assert f"meetings.raised:{scene.unit_item.pk}" not in again
    assert f"lists.demand:{scene.top_demand.pk}" in again
    scene.unit_item.refresh_from_db()
    assert scene.unit_item.status == RaisedItem.Status.ON_AGENDA and scene.unit_item.agenda_item is not None


def test_it_limits_each_source(cast, scene) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.lists.models import Demand

    for i in range(8):
        Demand.objects.create(title=f"需求{i}", area=cast.community_a, beneficiary_count=10 + i)
    proposals = agenda.propose_agenda(scene.meeting, cast.worker_a)
    assert len([p for p in proposals if p.source == AgendaItem.Source.DEMAND]) == agenda.LIMITS["demand"]


def test_it_proposes_the_alliance_communities(cast, scene) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.core.models import Alliance

    alliance = Alliance.objects.create(name="和平安定联盟")
    alliance.communities.set([cast.community_a, cast.community_b])
    scene.meeting.alliance = alliance
    scene.meeting.kind = "alliance"
    scene.meeting.save(update_fields=["alliance", "kind"])
    titles = {p.title for p in agenda.propose_agenda(scene.meeting, cast.district_admin)}
    assert {"安定小区路面塌陷", "安定门停车", "和平小区3号楼下水道堵塞"} <= titles


def test_it_adds_edits_orders_and_removes_items(cast, scene) -> None:  # type: ignore[no-untyped-def]
    items = actions.do_propose_agenda(scene.meeting, acting_user=cast.worker_a)
    assert all(i.reason for i in items)
    assert AuditEvent.objects.filter(verb="meetings.propose_agenda").count() == 1
    extra = actions.do_add_item(scene.meeting, acting_user=cast.worker_a, title="社区春节活动安排")
    assert extra.source == AgendaItem.Source.MANUAL and extra.order == len(items) + 1
    actions.do_edit_item(extra, acting_user=cast.worker_a, title="社区春节慰问安排", description="走访困难户")
    ids = [extra.pk, *[i.pk for i in items]]
    actions.do_reorder_items(scene.meeting, acting_user=cast.worker_a, ids=ids)
    assert list(scene.meeting.agenda_items.order_by("order").values_list("pk", flat=True)) == ids
    with pytest.raises(ActionError):
        actions.do_reorder_items(scene.meeting, acting_user=cast.worker_a, ids=ids[1:])
    actions.do_move_item(extra, acting_user=cast.worker_a, up=False)
    assert scene.meeting.agenda_items.order_by("order").values_list("pk", flat=True)[1] == extra.pk
    actions.do_record_discussion(extra, acting_user=cast.worker_a, discussion="大家同意春节前走访")
    raised = next(i for i in items if i.source == AgendaItem.Source.RAISED)
    actions.do_remove_item(raised, acting_user=cast.worker_a)
    back = RaisedItem.objects.get(status=RaisedItem.Status.NEW)  # waits again for a later meeting
    assert back.agenda_item is None and RaisedItem.objects.filter(status=RaisedItem.Status.ON_AGENDA).count() == 1
    assert {"meetings.add_agenda_item", "meetings.edit_agenda_item", "meetings.reorder_agenda",
            "meetings.record_discussion", "meetings.remove_agenda_item"} <= set(
        AuditEvent.objects.values_list("verb", flat=True))


def test_it_refuses_other_communities_and_cancelled_meetings(cast, scene) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        actions.do_add_item(scene.meeting, acting_user=cast.worker_b, title="不该加")
    with pytest.raises(PermissionDenied):
        actions.do_add_item(scene.meeting, acting_user=cast.liaison, title="不该加")
    with pytest.raises(ActionError):
        actions.do_add_item(scene.meeting, acting_user=cast.worker_a, title="  ")
    Meeting.objects.filter(pk=scene.meeting.pk).update(status=Meeting.Status.CANCELLED)
    with pytest.raises(InvalidTransition):
        actions.do_add_item(scene.meeting, acting_user=cast.worker_a, title="会议已取消")
    assert not scene.meeting.agenda_items.exists()


def test_a_liaison_raises_an_item_for_its_unit(cast) -> None:  # type: ignore[no-untyped-def]
    item = actions.do_raise_item(cast.community_a, acting_user=cast.liaison, title="小区门口交通拥堵")
    assert item.raised_by_unit == cast.member_unit and item.status == RaisedItem.Status.NEW
    with pytest.raises(PermissionDenied):
        actions.do_raise_item(cast.community_b, acting_user=cast.liaison, title="别的社区")
    with pytest.raises(PermissionDenied):
        actions.do_raise_item(cast.community_a, acting_user=cast.resident_user, title="居民账号")


def test_a_resident_raises_an_item_with_a_code(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    import re

    from django.test import override_settings

    from gongzhi.core.notifications import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory"), django_capture_on_commit_callbacks(execute=True):
        actions.do_send_raise_code(cast.community_a, phone="13800138000")
    code = re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]
    with pytest.raises(ActionError):
        actions.do_raise_item_by_resident(cast.community_a, name="张桂兰", phone="13800138000", code="x",
                                          title="路灯")
    with pytest.raises(ActionError):
        actions.do_raise_item_by_resident(cast.community_a, name="", phone="13800138000", code=code, title="路灯")
    item = actions.do_raise_item_by_resident(cast.community_a, name="张桂兰", phone="13800138000", code=code,
                                             title="希望增加路灯")
    assert item.raised_by_name == "张桂兰" and item.phone_hash and item.raised_by_unit is None
    assert AuditEvent.objects.filter(verb="meetings.raise_item", actor=None).exists()
    with pytest.raises(ActionError):  # the code is used up
        actions.do_raise_item_by_resident(cast.community_a, name="张桂兰", phone="13800138000", code=code,
                                          title="再来一次")
    MemorySmsBackend.outbox.clear()


def test_an_organizer_declines_a_raised_item_with_a_reason(cast, scene) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ActionError):
        actions.do_decline_raised_item(scene.resident_item, acting_user=cast.worker_a, reason="")
    with pytest.raises(PermissionDenied):
        actions.do_decline_raised_item(scene.resident_item, acting_user=cast.liaison, reason="不是")
    actions.do_decline_raised_item(scene.resident_item, acting_user=cast.worker_a, reason="已由物业解决")
    scene.resident_item.refresh_from_db()
    assert scene.resident_item.status == RaisedItem.Status.DECLINED
    keys = {p.source_key for p in agenda.propose_agenda(scene.meeting, cast.worker_a)}
    assert f"meetings.raised:{scene.resident_item.pk}" not in keys


def test_it_counts_days_overdue_with_time(cast, scene, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now() + timedelta(days=3))
    found = by_key(agenda.propose_agenda(scene.meeting, cast.worker_a))
    assert found[f"appeals.case:{scene.overdue_case.pk}"].reason == "超期 15 天"
    assert found[f"meetings.resolution:{scene.resolution.pk}"].reason == "上次会议决议，已逾期 8 天"


def test_it_proposes_a_hot_issue_of_the_community(cast) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.appeals import actions as appeal_actions

    for i, (title, body, area) in enumerate([
        ("和平小区路灯坏了", "和平小区1号楼前的路灯坏了一个星期，晚上很黑，请尽快修理路灯。", cast.building_a),
        ("小区路灯不亮", "和平小区1号楼门口路灯不亮，晚上出门很危险，希望修理路灯。", cast.estate_a),
        ("路灯坏了没人修", "和平小区1号楼旁边路灯坏了好几天了，晚上黑漆漆的，请修理。", cast.grid_a),
    ]):
        appeal_actions.do_submit_appeal(acting_user=None, title=title, body=body, callback_phone=f"1380000000{i}",
                                        area=area, system=True)
    meeting = agenda_scene.meeting(cast)
    hot = [p for p in agenda.propose_agenda(meeting, cast.worker_a) if p.source == AgendaItem.Source.HOT_ISSUE]
    assert len(hot) == 1 and hot[0].source_key.startswith("intelligence.hot:")
    assert hot[0].reason == "近 30 天 3 件诉求，3 位居民"
    assert not [p for p in agenda.propose_agenda(meeting, cast.worker_b) if p.source == AgendaItem.Source.HOT_ISSUE]
