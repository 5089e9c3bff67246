"""Minutes (会议纪要): version 1 is a draft that is edited; signing off freezes it (later changes to the meeting's
records never change it, and it cannot be edited); a correction is a new version from the signed one; the Word
document holds the layout and the resolutions with their responsible units (parsed back with python-docx); a
meeting that ended three days ago without signed-off minutes reminds its organizer once (frozen time)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.meetings.actions import minutes as actions
from gongzhi.meetings.minutes import content_of
from gongzhi.meetings.minutes_docx import minutes_document, minutes_filename
from gongzhi.meetings.models import AgendaItem, Invitation, Minutes

from .test_duty_scene import invite, make_meeting, other_unit, two_meetings

pytestmark = pytest.mark.django_db


def _held(cast: Any) -> Any:
    m1, _m2, r = two_meetings(cast)
    school = other_unit(cast)
    invite(m1, school, attendance=Invitation.Attendance.ABSENT, absence_reason="外出培训")
    return m1, r


def _docx_text(data: bytes) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return paragraphs, rows


def test_it_starts_edits_and_signs_off_then_never_changes(cast: Any) -> None:
    m1, r = _held(cast)
    item = AgendaItem.objects.get(meeting=m1)
    minutes = actions.do_start_minutes(m1, acting_user=cast.worker_a)
    assert (minutes.version, minutes.status) == (1, Minutes.Status.DRAFT)
    with pytest.raises(actions.InvalidTransition):
        actions.do_start_minutes(m1, acting_user=cast.worker_a)
    actions.do_edit_minutes(minutes, acting_user=cast.worker_a, summary="会议研究了屋面漏水问题。",
                            discussions={item.pk: "物业同意出资维修，社区协调施工时间。"})
    actions.do_sign_off_minutes(minutes, acting_user=cast.worker_a)
    minutes.refresh_from_db()
    snap = minutes.snapshot
    assert minutes.status == Minutes.Status.SIGNED_OFF and minutes.signed_off_by == cast.worker_a
    assert snap["title"] == "第一次联席会议" and snap["host"] == "李书记" and snap["recorder"] == "王干事"
    assert snap["place"] == "社区党群服务中心三楼会议室"
    assert snap["attendees"] == ["和平物业服务有限公司"]
    assert snap["absentees"] == [{"name": "和平里小学", "reason": "外出培训"}]
    assert snap["items"][0]["discussion"] == "物业同意出资维修，社区协调施工时间。"
    assert snap["resolutions"][0]["task"] == "修复 3 号楼漏水屋面"
    assert snap["resolutions"][0]["units"] == ["和平物业服务有限公司"]
    assert snap["resolutions"][0]["due_on"] == f"{r.due_on:%Y-%m-%d}"
    frozen = dict(snap)

    # The records change afterwards: the signed version does not.
    m1.title, m1.host_name = "改过的标题", "别人"
    m1.save()
    r.task = "改过的任务"
    r.save()
    with pytest.raises(actions.InvalidTransition, match="已审定"):
        actions.do_edit_minutes(minutes, acting_user=cast.worker_a, summary="改")
    with pytest.raises(actions.InvalidTransition):
        actions.do_sign_off_minutes(minutes, acting_user=cast.worker_a)
    minutes.refresh_from_db()
    assert minutes.snapshot == frozen and content_of(minutes) == frozen
    paragraphs, rows = _docx_text(minutes_document(minutes))
    assert "第一次联席会议" in paragraphs and not any("改过" in p for p in paragraphs)
    assert AuditEvent.objects.filter(verb="meetings.sign_off_minutes").count() == 1


def test_a_correction_is_a_new_version(cast: Any) -> None:
    m1, r = _held(cast)
    v1 = actions.do_start_minutes(m1, acting_user=cast.worker_a)
    actions.do_edit_minutes(v1, acting_user=cast.worker_a, summary="第一版概要")
    with pytest.raises(actions.InvalidTransition):
        actions.do_correct_minutes(v1, acting_user=cast.worker_a, note="草稿不能更正")
    actions.do_sign_off_minutes(v1, acting_user=cast.worker_a)
    with pytest.raises(actions.ActionError):
        actions.do_correct_minutes(v1, acting_user=cast.worker_a, note=" ")
    v2 = actions.do_correct_minutes(v1, acting_user=cast.worker_a, note="完成时限写错")
    assert (v2.version, v2.status, v2.correction_note) == (2, Minutes.Status.DRAFT, "完成时限写错")
    assert v2.body["summary"] == "第一版概要"
    with pytest.raises(actions.InvalidTransition):
        actions.do_correct_minutes(v1, acting_user=cast.worker_a, note="再来一次")
    r.due_on = r.due_on + timedelta(days=10)
    r.save()
    actions.do_sign_off_minutes(v2, acting_user=cast.worker_a)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.snapshot["resolutions"][0]["due_on"] != v2.snapshot["resolutions"][0]["due_on"]
    assert v2.snapshot["correction_note"] == "完成时限写错"
    with pytest.raises(actions.InvalidTransition):
        actions.do_correct_minutes(v1, acting_user=cast.worker_a, note="旧版本")  # not the latest
    assert Minutes.objects.filter(meeting=m1).count() == 2


def test_only_organizers_write_minutes(cast: Any) -> None:
    m1, _r = _held(cast)
    for user in (cast.liaison, cast.worker_b, cast.grid_worker_a):
        with pytest.raises(PermissionDenied):
            actions.do_start_minutes(m1, acting_user=user)
    minutes = actions.do_start_minutes(m1, acting_user=cast.worker_a)
    with pytest.raises(PermissionDenied):
        actions.do_sign_off_minutes(minutes, acting_user=cast.liaison)
    other = AgendaItem.objects.create(meeting=make_meeting(cast, starts_at=timezone.now()), title="别的会议的议题")
    with pytest.raises(actions.ActionError):
        actions.do_edit_minutes(minutes, acting_user=cast.worker_a, discussions={other.pk: "x"})


def test_a_meeting_not_held_yet_cannot_be_signed_off(cast: Any) -> None:
    _m1, m2, _r = two_meetings(cast)
    minutes = actions.do_start_minutes(m2, acting_user=cast.worker_a)
    with pytest.raises(actions.InvalidTransition):
        actions.do_sign_off_minutes(minutes, acting_user=cast.worker_a)


def test_the_docx_has_the_chinese_layout_and_the_resolutions(cast: Any) -> None:
    m1, r = _held(cast)
    item = AgendaItem.objects.get(meeting=m1)
    minutes = actions.do_start_minutes(m1, acting_user=cast.worker_a)
    actions.do_edit_minutes(minutes, acting_user=cast.worker_a, discussions={item.pk: "物业同意出资维修。"})
    actions.do_sign_off_minutes(minutes, acting_user=cast.worker_a)
    data = minutes_document(Minutes.objects.get(pk=minutes.pk))
    paragraphs, rows = _docx_text(data)
    assert "会议纪要" in paragraphs
    for label in ("时间：", "地点：", "主持人：李书记", "记录人：王干事", "参会人员：和平物业服务有限公司",
                  "缺席人员：和平里小学（外出培训）"):
        assert any(p.startswith(label) for p in paragraphs), label
    assert "议题1：3 号楼屋面漏水" in paragraphs
    assert "讨论情况：物业同意出资维修。" in paragraphs
    assert "决议事项" in paragraphs
    assert rows[0] == ["序号", "决议", "责任单位", "完成时限"]
    assert rows[1][1].startswith("修复 3 号楼漏水屋面") and rows[1][2] == "和平物业服务有限公司"
    assert rows[1][3] == f"{r.due_on:%Y-%m-%d}"
    doc = Document(io.BytesIO(data))
    title_run = doc.paragraphs[1].runs[0]
    assert title_run.font.name == "黑体"
    fonts = title_run._element.rPr.rFonts  # type: ignore[union-attr]
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"  # type: ignore[union-attr]
    assert minutes_filename(minutes).endswith("第1版.docx")


def test_an_unsigned_meeting_reminds_its_organizer_once(cast: Any) -> None:
    ended = timezone.now().replace(microsecond=0)
    meeting = make_meeting(cast, starts_at=ended - timedelta(minutes=90), title="临时协调会", kind="ad_hoc")
    signed = make_meeting(cast, starts_at=ended - timedelta(minutes=90), title="已审定的会")
    actions.do_sign_off_minutes(actions.do_start_minutes(signed, acting_user=cast.worker_a), acting_user=cast.worker_a)
    with time_machine.travel(ended + timedelta(days=2, hours=23), tick=False):
        assert actions.do_remind_unsigned_minutes() == 0
    with time_machine.travel(ended + timedelta(days=3, minutes=1), tick=False):
        assert actions.do_remind_unsigned_minutes() == 1
        assert actions.do_remind_unsigned_minutes() == 0
    with time_machine.travel(ended + timedelta(days=5), tick=False):
        assert actions.do_remind_unsigned_minutes() == 0
    note = Notification.objects.get(user=cast.worker_a, verb="meetings.remind_minutes")
    assert "临时协调会" in note.text and "3 天" in note.text
    draft = Minutes.objects.get(meeting=meeting)
    assert draft.status == Minutes.Status.DRAFT and draft.reminded_at is not None
