"""The schedule of joint meetings: recurrence, the alliance's rotation across skipped and moved meetings, meetings
and invitations, sign-in by the QR code's token and by the short code, absences, the .ics download and the
personal feed (parsed back with icalendar), reminders with frozen time, the meeting page and its sections."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, CommitteeMembership, Notification
from gongzhi.meetings import scheduling
from gongzhi.meetings.actions import schedule as actions
from gongzhi.meetings.models import CalendarFeed, Invitation, Meeting, MeetingKind
from gongzhi.meetings.scheduling import Past
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# --- pure functions ------------------------------------------------------------------------------------------


def test_it_adds_months_keeping_the_day_or_the_months_last_day() -> None:
    assert scheduling.add_months(at(2026, 1, 31, 9), 1) == at(2026, 2, 28, 9)
    assert scheduling.add_months(at(2026, 11, 15, 14, 30), 3) == at(2027, 2, 15, 14, 30)
    assert scheduling.add_months(at(2024, 1, 31, 9), 1) == at(2024, 2, 29, 9)


def test_it_places_each_meeting_of_a_series_at_its_slot() -> None:
    quarterly = scheduling.slots(at(2026, 1, 10, 9), 3, 5)
    assert quarterly == [at(2026, 1, 10, 9), at(2026, 4, 10, 9), at(2026, 7, 10, 9), at(2026, 10, 10, 9),
                         at(2027, 1, 10, 9)]
    every_two = scheduling.slots(at(2026, 12, 31, 14), 2, 4)
    assert every_two == [at(2026, 12, 31, 14), at(2027, 2, 28, 14), at(2027, 4, 30, 14), at(2027, 6, 30, 14)]
    monthly = scheduling.slots(at(2026, 3, 5, 19), 1, 3, start=11)
    assert monthly == [at(2027, 1, 5, 19), at(2027, 2, 5, 19), at(2027, 3, 5, 19)]
    with pytest.raises(ValueError, match="numbered"):
        scheduling.slot_start(at(2026, 1, 1), 3, 0)


def test_it_rotates_the_host_and_a_skipped_meeting_keeps_its_turn() -> None:
    assert scheduling.next_rotation_index([], 3) == 0
    held = [Past(1, 0, "held"), Past(2, 1, "held")]
    assert scheduling.next_rotation_index(held, 3) == 2
    assert scheduling.next_rotation_index([*held, Past(3, 2, "held")], 3) == 0  # wraps around
    # Meeting 3 (turn 2) skipped: its host keeps the turn for meeting 4.
    skipped = [*held, Past(3, 2, "skipped")]
    assert scheduling.next_rotation_index(skipped, 3) == 2
    # Two skipped in a row, and a cancelled one: still the same turn.
    assert scheduling.next_rotation_index([*skipped, Past(4, 2, "skipped"), Past(5, 2, "cancelled")], 3) == 2
    # A scheduled (upcoming) meeting has taken its turn.
    assert scheduling.next_rotation_index([*skipped, Past(4, 2, "scheduled")], 3) == 0
    # The order of the history does not matter, and without a rotation every turn is 0.
    assert scheduling.next_rotation_index(list(reversed(held)), 3) == 2
    assert scheduling.next_rotation_index(held, 0) == 0
    assert scheduling.host_for([7, 8, 9], 4) == 8
    assert scheduling.host_for([], 1) is None


# --- fixtures --------------------------------------------------------------------------------------------------


@pytest.fixture
def alliance(cast: Cast):  # type: ignore[no-untyped-def]
    return core_actions.do_create_alliance(name="和平安定联盟", communities=[cast.community_a, cast.community_b],
                                           acting_user=None)


def soon(hours: float = 24 * 10) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def ad_hoc(cast: Cast, starts_at: datetime | None = None, **kw: object) -> Meeting:
    return actions.do_create_meeting(acting_user=cast.worker_a, area=cast.community_a, title="物业问题专题会",
                                     starts_at=starts_at or soon(), place="和平里社区党群服务中心", **kw)  # type: ignore[arg-type]


# --- series, schedule next and the rotation ------------------------------------------------------------------


def test_it_schedules_an_alliance_series_in_rotation_across_skipped_and_moved_meetings(cast: Cast,
                                                                                       alliance: object) -> None:
    series = actions.do_create_series(acting_user=cast.worker_a, kind=MeetingKind.ALLIANCE, area=cast.community_a,
                                      title="和平安定党建轮值联席会议", first_starts_at=at(2027, 1, 15, 14),
                                      alliance=alliance)
    assert series.every_months == 2
    assert series.rotation == [cast.community_a.pk, cast.community_b.pk]
    first = actions.do_schedule_next(series, acting_user=cast.worker_a)
    assert (first.number, first.rotation_index, first.area, first.starts_at) == (1, 0, cast.community_a,
                                                                                 at(2027, 1, 15, 14))
    assert first.alliance == alliance
    assert first.ends_at - first.starts_at == timedelta(minutes=90)
    second = actions.do_schedule_next(series, acting_user=cast.worker_a)
    assert (second.number, second.rotation_index, second.area, second.starts_at) == (2, 1, cast.community_b,
                                                                                    at(2027, 3, 15, 14))
    # B's meeting is skipped: B keeps its turn, meeting 3 is B's, at the next slot.
    actions.do_skip_meeting(second, acting_user=cast.worker_b, reason="安定门社区换届选举")
    third = actions.do_schedule_next(series, acting_user=cast.worker_a)
    assert (third.number, third.rotation_index, third.area, third.starts_at) == (3, 1, cast.community_b,
                                                                                at(2027, 5, 15, 14))
    # Meeting 3 moved: it keeps its turn and the next slot still follows the series.
    actions.do_move_meeting(third, acting_user=cast.worker_b, starts_at=at(2027, 5, 20, 9), reason="避开节假日")
    third.refresh_from_db()
    assert (third.rotation_index, third.area, third.starts_at, third.ends_at) == (
        1, cast.community_b, at(2027, 5, 20, 9), at(2027, 5, 20, 10, 30))
    fourth = actions.do_schedule_next(series, acting_user=cast.worker_b)
    assert (fourth.number, fourth.rotation_index, fourth.area, fourth.starts_at) == (4, 0, cast.community_a,
                                                                                    at(2027, 7, 15, 14))
    verbs = set(AuditEvent.objects.filter(verb__startswith="meetings.").values_list("verb", flat=True))
    assert {"meetings.create_series", "meetings.create_meeting", "meetings.skip_meeting",
            "meetings.move_meeting"} <= verbs


def test_it_schedules_a_quarterly_committee_series_and_invites_the_registered_units(cast: Cast) -> None:
    CommitteeMembership.objects.create(party_org=cast.committee_a, unit=cast.member_unit, person_name="赵兼职")
    series = actions.do_create_series(acting_user=cast.worker_a, kind=MeetingKind.COMMITTEE, area=cast.community_a,
                                      title="和平里社区大党委联席会议", first_starts_at=at(2027, 1, 8, 9))
    first = actions.do_schedule_next(series, acting_user=cast.worker_a)
    second = actions.do_schedule_next(series, acting_user=cast.worker_a)
    assert (first.rotation_index, second.rotation_index, second.area) == (0, 0, cast.community_a)
    assert second.starts_at == at(2027, 4, 8, 9)
    invited = {(i.role, i.name) for i in first.invitations.all()}
    assert invited == {("unit", "和平物业服务有限公司"), ("part_time_member", "赵兼职")}


def test_it_refuses_a_committee_series_less_often_than_quarterly_and_a_bad_rotation(cast: Cast,
                                                                                   alliance: object) -> None:
    with pytest.raises(ActionError) as exc:
        actions.do_create_series(acting_user=cast.worker_a, kind=MeetingKind.COMMITTEE, area=cast.community_a,
                                 title="联席会议", first_starts_at=soon(), every_months=6)
    assert exc.value.field == "every_months"
    with pytest.raises(ActionError) as exc:
        actions.do_create_series(acting_user=cast.worker_a, kind=MeetingKind.ALLIANCE, area=cast.community_a,
                                 title="轮值会", first_starts_at=soon(), alliance=alliance,
                                 rotation=[cast.community_a.pk, cast.community_a.pk])
    assert exc.value.field == "rotation"
    with pytest.raises(PermissionDenied):
        actions.do_create_series(acting_user=cast.worker_b, kind=MeetingKind.COMMITTEE, area=cast.community_a,
                                 title="联席会议", first_starts_at=soon())
    assert not Meeting.objects.exists()


# --- meetings ------------------------------------------------------------------------------------------------


def test_it_creates_updates_and_ends_a_meeting_with_checks(cast: Cast) -> None:
    meeting = ad_hoc(cast, link="https://meeting.example.cn/123")
    assert len(meeting.checkin_code) == 6 and meeting.checkin_code.isdigit()
    assert len(meeting.checkin_token) >= 20
    assert meeting.organizer == cast.worker_a and meeting.kind == MeetingKind.AD_HOC
    actions.do_update_meeting(meeting, acting_user=cast.worker_a, host_name="李书记", recorder_name="王干事",
                              place="会议室")
    meeting.refresh_from_db()
    assert (meeting.host_name, meeting.recorder_name, meeting.place) == ("李书记", "王干事", "会议室")
    with pytest.raises(ActionError) as exc:
        actions.do_update_meeting(meeting, acting_user=cast.worker_a, link="ftp://x")
    assert exc.value.field == "link"
    with pytest.raises(PermissionDenied):
        actions.do_update_meeting(meeting, acting_user=cast.worker_b, place="别处")
    with pytest.raises(PermissionDenied):
        actions.do_update_meeting(meeting, acting_user=cast.liaison, place="别处")
    with pytest.raises(ActionError):
        actions.do_skip_meeting(meeting, acting_user=cast.worker_a, reason=" ")
    with pytest.raises(InvalidTransition):
        actions.do_mark_held(meeting, acting_user=cast.worker_a)  # not started yet
    actions.do_cancel_meeting(meeting, acting_user=cast.worker_a, reason="台风")
    with pytest.raises(InvalidTransition):
        actions.do_move_meeting(meeting, acting_user=cast.worker_a, starts_at=soon(48))
    with pytest.raises(ActionError):
        ad_hoc(cast, starts_at=soon(), ends_at=soon() - timedelta(hours=1))
    with pytest.raises(ActionError):
        actions.do_create_meeting(acting_user=cast.worker_a, area=cast.grid_a, title="x", starts_at=soon())


def test_checkin_codes_are_unique_among_upcoming_meetings(cast: Cast) -> None:
    codes = {ad_hoc(cast).checkin_code for _ in range(30)}
    assert len(codes) == 30


def test_it_invites_units_part_time_members_and_people(cast: Cast) -> None:
    CommitteeMembership.objects.create(party_org=cast.committee_a, unit=cast.member_unit, person_name="赵兼职")
    meeting = ad_hoc(cast)
    created = actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit],
                                users=[cast.resident_user])
    assert {(i.role, i.name) for i in created} == {("unit", "和平物业服务有限公司"), ("part_time_member", "赵兼职"),
                                                  ("person", "张桂兰")}
    assert actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit]) == []  # once
    assert actions.do_invite_registered_units(meeting, acting_user=cast.worker_a) == []
    with pytest.raises(PermissionDenied):
        actions.do_invite(meeting, acting_user=cast.liaison, users=[cast.volunteer])
    assert AuditEvent.objects.filter(verb="meetings.invite", object_id=str(meeting.pk)).count() == 1


# --- sign-in and attendance ------------------------------------------------------------------------------------


def test_it_signs_in_by_token_page_and_by_code(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    meeting = ad_hoc(cast, starts_at=soon(0.5))
    actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit], users=[cast.resident_user])
    # The liaison scans the QR code: its unit's invitation is marked present.
    client.force_login(cast.liaison)
    url = reverse("meetings:checkin", args=[meeting.checkin_token])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200 and 'data-testid="checked-in"' in response.content.decode()
    unit_row = meeting.invitations.get(role=Invitation.Role.UNIT)
    assert unit_row.attendance == Invitation.Attendance.PRESENT and unit_row.checked_in_at is not None
    # The resident types the short code.
    client.force_login(cast.resident_user)
    bad = client.post(reverse("meetings:checkin_code"), {"code": "000000" if meeting.checkin_code != "000000"
                                                          else "111111"})
    assert bad.status_code == 400
    assert meeting.invitations.get(user=cast.resident_user).attendance == Invitation.Attendance.INVITED
    ok = client.post(reverse("meetings:checkin_code"), {"code": meeting.checkin_code})
    assert ok.status_code == 200
    assert meeting.invitations.get(user=cast.resident_user).attendance == Invitation.Attendance.PRESENT
    # Somebody not invited, and out of scope, cannot sign in with the code nor open the token's page.
    client.force_login(cast.worker_b)
    assert client.post(reverse("meetings:checkin_code"), {"code": meeting.checkin_code}).status_code == 400
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(verb="meetings.sign_in").count() == 2


def test_sign_in_is_refused_outside_its_window_and_staff_sign_in_as_a_person(cast: Cast) -> None:
    meeting = ad_hoc(cast, starts_at=soon(24 * 3))
    actions.do_invite(meeting, acting_user=cast.worker_a, users=[cast.resident_user])
    with pytest.raises(InvalidTransition):
        actions.do_sign_in(meeting, acting_user=cast.resident_user)
    with time_machine.travel(meeting.starts_at - timedelta(minutes=30)):
        actions.do_sign_in(meeting, acting_user=cast.resident_user)
        staff = actions.do_sign_in(meeting, acting_user=cast.subdistrict_staff_a)
        assert (staff.role, staff.attendance) == ("person", "present")
        with pytest.raises(PermissionDenied):
            actions.do_sign_in(meeting, acting_user=cast.volunteer)


def test_it_records_an_absence_with_a_reason_and_staff_mark_present(cast: Cast) -> None:
    meeting = ad_hoc(cast)
    unit_row, person = actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit],
                                         users=[cast.resident_user])
    with pytest.raises(ActionError):
        actions.do_record_absence(unit_row, acting_user=cast.worker_a, reason="")
    with pytest.raises(PermissionDenied):
        actions.do_record_absence(unit_row, acting_user=cast.liaison, reason="出差")
    actions.do_record_absence(unit_row, acting_user=cast.worker_a, reason="经理出差，已书面请假")
    unit_row.refresh_from_db()
    assert (unit_row.attendance, unit_row.absence_reason) == ("absent", "经理出差，已书面请假")
    actions.do_mark_present(person, acting_user=cast.worker_a)
    person.refresh_from_db()
    assert person.attendance == "present"
    assert AuditEvent.objects.filter(verb="meetings.record_absence").exists()


# --- iCalendar -------------------------------------------------------------------------------------------------


def test_the_ics_download_parses_back(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    meeting = ad_hoc(cast, starts_at=at(2027, 3, 2, 9, 30), link="https://meeting.example.cn/9")
    client.force_login(cast.worker_a)
    response = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == "物业问题专题会"
    assert event.decoded("dtstart") == at(2027, 3, 2, 9, 30)
    assert str(event.decoded("dtstart").tzinfo) == "Asia/Shanghai"
    assert event.decoded("dtend") == at(2027, 3, 2, 11)
    assert str(event["location"]) == "和平里社区党群服务中心"
    assert str(event["url"]).endswith(f"/meetings/{meeting.pk}/")
    assert "https://meeting.example.cn/9" in str(event["description"])
    assert cal.walk("VTIMEZONE")
    client.force_login(cast.worker_b)
    assert client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).status_code == 404


def test_the_feed_holds_only_the_users_meetings_and_renewal_ends_the_old_address(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    mine = ad_hoc(cast)
    actions.do_invite(mine, acting_user=cast.worker_a, units=[cast.member_unit])
    ad_hoc(cast, starts_at=soon(48))  # the liaison's unit is not invited
    client.force_login(cast.liaison)
    assert client.post(reverse("meetings:feed_renew")).status_code == 302
    token = CalendarFeed.objects.get(user=cast.liaison).token
    client.logout()
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"meeting-{mine.pk}@gongzhi"]
    client.force_login(cast.liaison)
    client.post(reverse("meetings:feed_renew"))
    client.logout()
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["nope"])).status_code == 404


# --- reminders -------------------------------------------------------------------------------------------------


def test_invitees_are_reminded_the_day_before_once(cast: Cast) -> None:
    with time_machine.travel(at(2027, 3, 1, 8), tick=False):
        meeting = ad_hoc(cast, starts_at=at(2027, 3, 5, 9))
        actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit], users=[cast.resident_user])
    with time_machine.travel(at(2027, 3, 3, 9), tick=False):
        assert actions.do_remind_meetings() == 0  # two days before: not yet
    with time_machine.travel(at(2027, 3, 4, 10), tick=False):
        assert actions.do_remind_meetings() == 2
        assert set(Notification.objects.filter(verb="meetings.remind").values_list("user__username", flat=True)) \
            == {"liaison", "resident_user"}
        assert actions.do_remind_meetings() == 0  # once
    meeting.refresh_from_db()
    assert meeting.reminded_at == at(2027, 3, 4, 10)
    assert not meeting.invitations.filter(reminded_at__isnull=True).exists()
    # Moved to a later day: reminded again the day before the new time.
    with time_machine.travel(at(2027, 3, 4, 11), tick=False):
        actions.do_move_meeting(meeting, acting_user=cast.worker_a, starts_at=at(2027, 3, 12, 9))
        assert actions.do_remind_meetings() == 0
    with time_machine.travel(at(2027, 3, 11, 12), tick=False):
        assert actions.do_remind_meetings() == 2


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_meeting_page_shows_the_header_and_the_attendance_section(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    meeting = ad_hoc(cast)
    actions.do_invite(meeting, acting_user=cast.worker_a, units=[cast.member_unit])
    client.force_login(cast.worker_a)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert "物业问题专题会" in page and 'data-testid="section-attendance"' in page
    assert meeting.checkin_code in page and "和平物业服务有限公司" in page
    client.force_login(cast.liaison)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert 'data-testid="section-attendance"' in page and meeting.checkin_code not in page
    assert client.get(reverse("meetings:meeting_qr", args=[meeting.pk])).status_code == 403


def test_my_meetings_lists_upcoming_and_past_from_what_the_user_sees(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    invited = ad_hoc(cast)
    actions.do_invite(invited, acting_user=cast.worker_a, units=[cast.member_unit])
    other = actions.do_create_meeting(acting_user=cast.worker_a, area=cast.community_a, title="不邀请物业的会",
                                      starts_at=soon(30))
    client.force_login(cast.worker_a)
    page = client.get(reverse("meetings:list")).content.decode()
    assert invited.title in page and other.title in page
    client.force_login(cast.liaison)
    page = client.get(reverse("meetings:list")).content.decode()
    assert invited.title in page and other.title not in page
    client.force_login(cast.worker_b)
    assert invited.title not in client.get(reverse("meetings:list")).content.decode()
    client.force_login(cast.resident_user)
    assert client.get(reverse("meetings:list")).status_code == 403


def test_the_new_meeting_and_new_series_forms(client, cast: Cast, alliance: object) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    assert client.get(reverse("meetings:meeting_new")).status_code == 200
    response = client.post(reverse("meetings:meeting_new"), {
        "kind": "ad_hoc", "area": cast.community_a.pk, "title": "加装电梯协调会", "starts_at": "2027-02-01T09:00",
        "ends_at": "2027-02-01T08:00", "invite_registered": "on"})
    assert response.status_code == 400 and not Meeting.objects.exists()
    response = client.post(reverse("meetings:meeting_new"), {
        "kind": "ad_hoc", "area": cast.community_a.pk, "title": "加装电梯协调会", "starts_at": "2027-02-01T09:00",
        "invite_registered": "on"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.invitations.filter(unit=cast.member_unit).exists()
    response = client.post(reverse("meetings:series_new"), {
        "kind": "alliance", "area": cast.community_a.pk, "alliance": alliance.pk, "title": "轮值联席会议",  # type: ignore[attr-defined]
        "first_starts_at": "2027-03-01T14:00", "duration_minutes": "120"})
    assert response.status_code == 302
    first = Meeting.objects.get(kind="alliance")
    assert first.area == cast.community_a and first.ends_at - first.starts_at == timedelta(hours=2)
    client.force_login(cast.liaison)
    assert client.get(reverse("meetings:meeting_new")).status_code == 403


def test_a_units_attendance_over_the_year(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(2027, 3, 1, 8), tick=False):
        m1 = ad_hoc(cast, starts_at=at(2027, 3, 1, 9))
        m2 = ad_hoc(cast, starts_at=at(2027, 3, 1, 9, 30))
        (i1,) = actions.do_invite(m1, acting_user=cast.worker_a, units=[cast.member_unit])
        (i2,) = actions.do_invite(m2, acting_user=cast.worker_a, units=[cast.member_unit])
    with time_machine.travel(at(2027, 3, 1, 10), tick=False):
        actions.do_mark_present(i1, acting_user=cast.worker_a)
        actions.do_record_absence(i2, acting_user=cast.worker_a, reason="请假")
        actions.do_mark_held(m1, acting_user=cast.worker_a)
        actions.do_mark_held(m2, acting_user=cast.worker_a)
        client.force_login(cast.liaison)
        response = client.get(reverse("meetings:attendance_year"), {"year": 2027})
        rows = response.context["rows"]
        assert [(r["name"], r["invited"], r["present"], r["absent"], r["excused"]) for r in rows] == [
            ("和平物业服务有限公司", 2, 1, 1, 1)]


# --- API -------------------------------------------------------------------------------------------------------


def test_the_api_schedules_an_alliance_series_invites_signs_in_and_reports_attendance(client, cast: Cast,  # type: ignore[no-untyped-def]
                                                                                      alliance: object) -> None:
    client.force_login(cast.worker_a)
    response = client.post("/api/meetings/series", {
        "area_id": cast.community_a.pk, "kind": "alliance", "title": "轮值联席会议", "alliance_id": alliance.pk,  # type: ignore[attr-defined]
        "first_starts_at": "2027-01-15T14:00:00+08:00", "rotation": [cast.community_a.pk]},
        content_type="application/json")
    assert response.status_code == 400  # B is missing from the rotation
    response = client.post("/api/meetings/series", {
        "area_id": cast.community_a.pk, "kind": "alliance", "title": "轮值联席会议", "alliance_id": alliance.pk,  # type: ignore[attr-defined]
        "first_starts_at": "2027-01-15T14:00:00+08:00"}, content_type="application/json")
    assert response.status_code == 201, response.content
    series = response.json()
    assert (series["next_number"], series["next_host_area_id"]) == (2, cast.community_b.pk)
    nxt = client.post(f"/api/meetings/series/{series['id']}/next")
    assert nxt.status_code == 201 and nxt.json()["area_id"] == cast.community_b.pk
    second = nxt.json()["id"]
    skipped = client.post(f"/api/meetings/{second}/skip", {"reason": "换届"}, content_type="application/json")
    assert skipped.json()["status"] == "skipped"
    assert client.get(f"/api/meetings/series/{series['id']}").json()["next_host_area_id"] == cast.community_b.pk
    assert client.post(f"/api/meetings/{second}/skip", {"reason": "x"}, content_type="application/json") \
        .status_code == 400
    # An ad hoc meeting now, with an invitation, a sign-in by code and the attendance.
    created = client.post("/api/meetings/", {
        "area_id": cast.community_a.pk, "title": "临时会议",
        "starts_at": (timezone.now() + timedelta(minutes=20)).isoformat()}, content_type="application/json")
    assert created.status_code == 201, created.content
    meeting = created.json()
    invited = client.post(f"/api/meetings/{meeting['id']}/invitations",
                          {"unit_ids": [cast.member_unit.pk], "user_ids": [cast.resident_user.pk]},
                          content_type="application/json")
    assert invited.status_code == 201 and len(invited.json()) == 2
    client.force_login(cast.resident_user)
    signed = client.post("/api/meetings/sign-in", {"code": meeting["checkin_code"]},
                         content_type="application/json")
    assert signed.status_code == 200 and signed.json()["attendance"] == "present"
    assert client.post("/api/meetings/sign-in", {"code": "12"}, content_type="application/json").status_code == 400
    att = client.get(f"/api/meetings/{meeting['id']}/attendance").json()
    assert (att["present"], att["not_signed_in"]) == (1, 1)
    ics = client.get(f"/api/meetings/{meeting['id']}/ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    client.force_login(cast.worker_b)
    assert client.get(f"/api/meetings/{meeting['id']}").status_code == 404
    assert client.post("/api/meetings/", {"area_id": cast.community_a.pk, "title": "x",
                                         "starts_at": "2027-01-01T09:00:00+08:00"},
                       content_type="application/json").status_code == 404
