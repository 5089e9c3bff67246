"""The demo's agendas and resolutions (order 51), on the schedule part's demo meetings at 锦华社区 (nothing when
there are none):

- the past committee meeting: an agenda from the proposals (with their reasons) and resolutions in every state,
  assigned to member units, `unit_liaison`'s unit among them: open, in progress with updates, done with evidence,
  overdue (reminded), cancelled with a reason;
- the upcoming committee meeting: items raised by a member unit and a resident, then an agenda proposed from what
  waits (the overdue resolution carried over with its reason, the raised items, cases, demands, projects), and one
  more resident's item left waiting for the organizer.
Written through the actions, so the audit log and notifications are those of real use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Grant, Role, Unit, User
from gongzhi.lists import phone_codes
from gongzhi.lists import queries as lists_queries

from .actions import agenda as agenda_actions
from .actions import resolutions as actions
from .models import Meeting, MeetingKind, RaisedItem, Resolution

COMMUNITY = "锦华社区"
CLOSED = (Meeting.Status.SKIPPED, Meeting.Status.CANCELLED)


def _organizer(meeting: Meeting) -> User | None:
    if meeting.organizer is not None:
        return meeting.organizer
    grant = (Grant.objects.select_related("user").filter(area=meeting.area, role=Role.COMMUNITY_WORKER)
             .order_by("pk").first())
    return grant.user if grant else None


def _liaison(unit: Unit) -> User | None:
    grant = Grant.objects.select_related("user").filter(unit=unit, role=Role.UNIT_LIAISON).order_by("pk").first()
    return grant.user if grant else None


def _units(meeting: Meeting) -> list[Unit]:
    """The meeting's member units, `unit_liaison`'s first."""
    invited = list(Unit.objects.filter(meeting_invitations__meeting=meeting).distinct().order_by("name"))
    units = invited or list(lists_queries.registered_units(Area.objects.filter(pk=meeting.area_id))[:6])
    first = Grant.objects.filter(user__username="unit_liaison", role=Role.UNIT_LIAISON).values_list("unit_id",
                                                                                                   flat=True).first()
    units.sort(key=lambda u: (u.pk != first, u.name))
    return units


def _agenda(meeting: Meeting, organizer: User) -> None:
    if meeting.agenda_items.exists():
        return
    try:
        agenda_actions.do_propose_agenda(meeting, acting_user=organizer)
    except ActionError:
        agenda_actions.do_add_item(meeting, acting_user=organizer, title="社区公共事务协商",
                                   description="成员单位共商社区近期公共事务。")


def _past(meeting: Meeting, organizer: User, units: list[Unit]) -> int:
    if meeting.resolutions.exists():
        return 0
    _agenda(meeting, organizer)
    items = list(meeting.agenda_items.order_by("order", "id"))
    today = timezone.localdate()
    held = timezone.localdate(meeting.starts_at)

    def unit(i: int) -> Unit:
        return units[i % len(units)]

    def item(i: int) -> Any:
        return items[i % len(items)] if items else None

    def add(i: int, task: str, approach: str, due: Any, who: Unit) -> Resolution:
        return actions.do_add_resolution(meeting, acting_user=organizer, approach=approach, task=task, units=[who],
                                         due_on=due, agenda_item=item(i))

    def by(who: Unit) -> User:
        return _liaison(who) or organizer

    made = 0
    add(0, "增设小区电动自行车充电桩", "物业选址、共建单位出资，社区协调居民意见", today + timedelta(days=25), unit(0))
    made += 1
    working = add(1, "疏通锦华小区雨水管网", "物业牵头排查，住建部门指导，汛期前完成", today + timedelta(days=12), unit(1))
    actions.do_post_resolution_update(working, acting_user=by(unit(1)), percent=30, note="已完成管网排查，确定堵点 4 处。")
    actions.do_post_resolution_update(working, acting_user=by(unit(1)), percent=60, note="已疏通 3 处堵点，剩余 1 处需破路。")
    made += 1
    done = add(2, "楼道堆物清理", "网格员入户动员，物业统一清运", max(held, today - timedelta(days=20)), unit(2))
    actions.do_post_resolution_update(done, acting_user=by(unit(2)), percent=50, note="已清理 1-5 号楼。")
    actions.do_complete_resolution(done, acting_user=by(unit(2)),
                                   evidence="1-12 号楼楼道堆物全部清运完毕，居民代表验收签字，照片已存档。")
    made += 1
    if held < today:
        late = add(3, "修复小区破损路面", "共建单位提供材料，物业组织施工", max(held, today - timedelta(days=6)), unit(0))
        actions.do_post_resolution_update(late, acting_user=by(unit(0)), percent=30, note="材料已到位，施工队待进场。")
        actions.do_remind_resolutions()
        made += 1
    cancelled = add(4, "统一更换单元门禁", "共建单位出资更换", today + timedelta(days=40), unit(1))
    actions.do_cancel_resolution(cancelled, acting_user=organizer, reason="区里已将门禁改造纳入老旧小区改造统一实施。")
    return made + 1


def _upcoming(meeting: Meeting, organizer: User, units: list[Unit]) -> int:
    if meeting.agenda_items.exists():
        return 0
    raised = 0
    liaison = _liaison(units[0]) if units else None
    area = meeting.area
    if liaison is not None:
        agenda_actions.do_raise_item(area, acting_user=liaison, title="小区周边早晚高峰交通拥堵",
                                     description="建议协调交警在学校门口增设临时停车点。", unit=units[0])
        raised += 1
    agenda_actions._create_resident_item(area, name="陈阿姨", phone_key=phone_codes.phone_hash("13900000051"),
                                         title="希望在小区增设老年人休息座椅", description="3 号楼前花园没有座椅。")
    raised += 1
    _agenda(meeting, organizer)
    agenda_actions._create_resident_item(area, name="刘先生", phone_key=phone_codes.phone_hash("13900000052"),
                                         title="夜间广场舞噪音扰民", description="晚上九点后仍有音响声。")
    return raised + 1


def build_demo_agenda(ctx: Any) -> dict[str, int] | None:
    community = Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY).first()
    if community is None:
        return None
    now = timezone.now()
    meetings = Meeting.objects.filter(area=community, kind=MeetingKind.COMMITTEE).exclude(status__in=CLOSED)
    past = meetings.filter(ends_at__lt=now).order_by("-starts_at").first()
    upcoming = meetings.filter(starts_at__gt=now).order_by("starts_at").first()
    if past is None and upcoming is None:
        return None
    counts = {"resolutions": 0, "raised_items": 0}
    if past is not None and (organizer := _organizer(past)) is not None and (units := _units(past)):
        counts["resolutions"] = _past(past, organizer, units)
    if upcoming is not None and (organizer := _organizer(upcoming)) is not None:
        counts["raised_items"] = _upcoming(upcoming, organizer, _units(upcoming))
    counts["agenda_items"] = sum(m.agenda_items.count() for m in (past, upcoming) if m is not None)
    counts["raised_waiting"] = RaisedItem.objects.filter(area=community, status=RaisedItem.Status.NEW).count()
    return counts
