"""The demo step of agendas and resolutions: nothing without the schedule's meetings; with them, resolutions in
every state and a proposed agenda at the upcoming meeting that carries the overdue resolution over."""

from __future__ import annotations

from gongzhi.core.models import Area
from gongzhi.core.registry import DemoContext
from gongzhi.meetings.demo_agenda import build_demo_agenda
from gongzhi.meetings.models import AgendaItem, Meeting, RaisedItem, Resolution

from . import agenda_scene


def test_it_does_nothing_without_the_meetings(cast) -> None:  # type: ignore[no-untyped-def]
    assert build_demo_agenda(DemoContext(seed=1)) is None
    Area.objects.filter(pk=cast.community_a.pk).update(name="锦华社区")
    assert build_demo_agenda(DemoContext(seed=1)) is None


def test_it_builds_every_state_and_carries_the_overdue_resolution_over(cast) -> None:  # type: ignore[no-untyped-def]
    Area.objects.filter(pk=cast.community_a.pk).update(name="锦华社区")
    past = agenda_scene.meeting(cast, days=-30, title="第三季度联席会议", status=Meeting.Status.HELD)
    upcoming = agenda_scene.meeting(cast, days=20)
    agenda_scene.case(cast, "锦华小区下水道堵塞", overdue_days=9)
    counts = build_demo_agenda(DemoContext(seed=1))
    assert counts is not None and counts["resolutions"] == 5
    states = set(past.resolutions.values_list("status", flat=True))
    assert states == {"open", "in_progress", "done", "cancelled"}
    overdue = [r for r in past.resolutions.all() if r.overdue]
    assert overdue and all(r.units.filter(pk=cast.member_unit.pk).exists() for r in overdue)
    assert Resolution.objects.filter(status="done").exclude(evidence="").exists()
    carried = upcoming.agenda_items.get(source=AgendaItem.Source.RESOLUTION, source_key=f"meetings.resolution:{overdue[0].pk}")
    assert carried.reason.startswith("上次会议决议，已逾期")
    assert upcoming.agenda_items.filter(source=AgendaItem.Source.RAISED).count() == 2
    assert upcoming.agenda_items.filter(reason="超期 9 天").exists()
    assert RaisedItem.objects.filter(status=RaisedItem.Status.NEW).count() == 1
    assert build_demo_agenda(DemoContext(seed=1))["resolutions"] == 0  # type: ignore[index]  # once
