"""Shared services: setting up services and sessions, taking a place (signed in and by phone), capacity, cancel,
check-in, ratings, reminders, attendance; every rule and its Chinese message, and the audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.lists.models import PhoneCode
from gongzhi.test import make_alliance
from gongzhi.venues.actions import services as actions
from gongzhi.venues.models import ServiceBooking, ServiceRating, ServiceSession, SharedService, Venue

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    venue_a: Venue
    venue_b: Venue
    service_a: SharedService
    service_b: SharedService
    session_a: ServiceSession
    session_b: ServiceSession


def scene(cast: Any, *, capacity: int = 20, days: int = 3) -> Scene:
    """A station in community A with a health-check service of A for the alliance's residents, and the same in B."""
    venue_a = Venue.objects.create(name="和平里社区党群服务站", level=Venue.Level.STATION, area=cast.community_a)
    venue_b = Venue.objects.create(name="安定门社区党群服务站", level=Venue.Level.STATION, area=cast.community_b)
    service_a = actions.do_create_service(acting_user=cast.worker_a, venue=venue_a, title="健康小屋免费体检",
                                          kind="health", who_may_use="alliance", provider_community=cast.community_a)
    service_b = actions.do_create_service(acting_user=cast.worker_b, venue=venue_b, title="长者食堂",
                                          kind="dining", who_may_use="alliance", provider_community=cast.community_b)
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    session_a = actions.do_create_session(service_a, acting_user=cast.worker_a, starts_at=start,
                                          ends_at=start + timedelta(hours=2), capacity=capacity)
    session_b = actions.do_create_session(service_b, acting_user=cast.worker_b, starts_at=start,
                                          ends_at=start + timedelta(hours=2), capacity=capacity)
    return Scene(venue_a, venue_b, service_a, service_b, session_a, session_b)


def _digits(outbox: list[tuple[str, str]], phone: str) -> str:
    import re

    text = next(text for number, text in reversed(outbox) if number == phone)
    return re.search(r"\d{6}", text).group(0)  # type: ignore[union-attr]


@pytest.fixture
def sms(settings: Any) -> list[tuple[str, str]]:
    from gongzhi.core.notifications import MemorySmsBackend

    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def test_it_sets_up_a_service_and_audits_it(cast: Any) -> None:
    s = scene(cast)
    assert s.service_a.alliance is None  # the cast's community A is in no alliance without make_alliance
    event = AuditEvent.objects.get(verb="venues.service.create", object_id=str(s.service_a.pk))
    assert event.actor == cast.worker_a and event.area == cast.community_a
    assert AuditEvent.objects.filter(verb="venues.session.create", object_id=str(s.session_a.pk)).exists()


def test_setting_up_refuses_what_is_missing_or_not_allowed(cast: Any) -> None:
    venue = Venue.objects.create(name="站", level=Venue.Level.STATION, area=cast.community_a)
    make = actions.do_create_service
    with pytest.raises(ActionError, match="请给服务起个名称"):
        make(acting_user=cast.worker_a, venue=venue, title=" ", kind="health", who_may_use="alliance",
             provider_community=cast.community_a)
    with pytest.raises(ActionError, match="服务类别"):
        make(acting_user=cast.worker_a, venue=venue, title="体检", kind="x", who_may_use="alliance",
             provider_community=cast.community_a)
    with pytest.raises(ActionError, match="谁可以使用"):
        make(acting_user=cast.worker_a, venue=venue, title="体检", kind="health", who_may_use="x",
             provider_community=cast.community_a)
    with pytest.raises(ActionError, match="由谁提供"):
        make(acting_user=cast.worker_a, venue=venue, title="体检", kind="health", who_may_use="alliance")
    with pytest.raises(ActionError, match="必须是社区"):
        make(acting_user=cast.worker_a, venue=venue, title="体检", kind="health", who_may_use="alliance",
             provider_community=cast.subdistrict_a)
    with pytest.raises(PermissionDenied):
        make(acting_user=cast.resident_user, venue=venue, title="体检", kind="health", who_may_use="alliance",
             provider_community=cast.community_a)
    with pytest.raises(PermissionDenied):  # worker_b does not run community A's service
        make(acting_user=cast.worker_b, venue=venue, title="体检", kind="health", who_may_use="alliance",
             provider_community=cast.community_a)
    with pytest.raises(ActionError, match="结盟"):  # B's worker at A's venue: A and B are not allied
        make(acting_user=cast.worker_b, venue=venue, title="体检", kind="health", who_may_use="alliance",
             provider_community=cast.community_b)
    Venue.objects.filter(pk=venue.pk).update(active=False)
    venue.refresh_from_db()
    with pytest.raises(ActionError, match="阵地已停用"):
        make(acting_user=cast.worker_a, venue=venue, title="体检", kind="health", who_may_use="alliance",
             provider_community=cast.community_a)


def test_a_unit_liaison_sets_up_its_units_service(cast: Any) -> None:
    venue = Venue.objects.create(name="站", level=Venue.Level.STATION, area=cast.community_a)
    service = actions.do_create_service(acting_user=cast.liaison, venue=venue, title="物业咨询", kind="other",
                                        who_may_use="community", provider_unit=cast.member_unit)
    assert service.provider_unit == cast.member_unit
    with pytest.raises(PermissionDenied):  # another unit's service
        actions.do_create_service(acting_user=cast.liaison, venue=venue, title="法律咨询", kind="other",
                                  who_may_use="community", provider_unit=cast.department)


def test_an_allied_community_offers_a_service_at_the_other_side_s_venue(cast: Any) -> None:
    scene_c = make_alliance(cast)
    venue = Venue.objects.create(name="站", level=Venue.Level.STATION, area=cast.community_a)
    service = actions.do_create_service(acting_user=scene_c.worker_c, venue=venue, title="创业指导",
                                        kind="business", who_may_use="alliance",
                                        provider_community=scene_c.community_c)
    assert service.alliance == scene_c.alliance


def test_it_changes_deactivates_and_brings_back_a_service(cast: Any) -> None:
    s = scene(cast)
    actions.do_update_service(s.service_a, acting_user=cast.worker_a, title="健康小屋体检", description="每周二")
    s.service_a.refresh_from_db()
    assert s.service_a.title == "健康小屋体检"
    with pytest.raises(PermissionDenied):
        actions.do_update_service(s.service_a, acting_user=cast.worker_b, title="x")
    actions.do_set_service_active(s.service_a, acting_user=cast.worker_a, active=False)
    with pytest.raises(Conflict, match="已停止提供"):
        actions.do_set_service_active(s.service_a, acting_user=cast.worker_a, active=False)
    with pytest.raises(PermissionDenied):  # an inactive service takes no places
        actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    actions.do_set_service_active(s.service_a, acting_user=cast.worker_a, active=True)
    with pytest.raises(Conflict, match="已在提供"):
        actions.do_set_service_active(s.service_a, acting_user=cast.worker_a, active=True)
    verbs = set(AuditEvent.objects.filter(object_id=str(s.service_a.pk)).values_list("verb", flat=True))
    assert {"venues.service.update", "venues.service.deactivate", "venues.service.activate"} <= verbs


def test_sessions_refuse_bad_times_and_places(cast: Any) -> None:
    s = scene(cast)
    now = timezone.now()
    make = actions.do_create_session
    with pytest.raises(ActionError, match="开始时间"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=None, ends_at=now, capacity=5)
    with pytest.raises(ActionError, match="结束时间"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now, ends_at=None, capacity=5)
    with pytest.raises(ActionError, match="结束时间须晚于开始时间"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now + timedelta(days=1), ends_at=now, capacity=5)
    with pytest.raises(ActionError, match="12 小时"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now + timedelta(days=1),
             ends_at=now + timedelta(days=2), capacity=5)
    with pytest.raises(ActionError, match="开始时间须在将来"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now - timedelta(hours=2),
             ends_at=now - timedelta(hours=1), capacity=5)
    with pytest.raises(ActionError, match="名额"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now + timedelta(days=1),
             ends_at=now + timedelta(days=1, hours=1), capacity=0)
    with pytest.raises(PermissionDenied):
        make(s.service_a, acting_user=cast.resident_user, starts_at=now + timedelta(days=1),
             ends_at=now + timedelta(days=1, hours=1), capacity=5)
    actions.do_set_service_active(s.service_a, acting_user=cast.worker_a, active=False)
    with pytest.raises(ActionError, match="已停用"):
        make(s.service_a, acting_user=cast.worker_a, starts_at=now + timedelta(days=1),
             ends_at=now + timedelta(days=1, hours=1), capacity=5)


def test_a_resident_takes_a_place_once_and_the_capacity_holds(cast: Any) -> None:
    s = scene(cast, capacity=2)
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    assert place.community == cast.community_a and place.name == "张桂兰"
    with pytest.raises(ActionError, match="已预约了这一场"):
        actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    actions.do_take_place(s.session_a, acting_user=cast.volunteer)
    with pytest.raises(ActionError, match="名额已满"):
        actions.do_take_place(s.session_a, acting_user=cast.party_member_user)
    actions.do_cancel_place(place, acting_user=cast.resident_user)
    actions.do_take_place(s.session_a, acting_user=cast.party_member_user)  # the freed place
    assert AuditEvent.objects.filter(verb="venues.place.take").count() == 3
    assert AuditEvent.objects.filter(verb="venues.place.cancel", object_id=str(place.pk)).exists()


def test_who_may_use_decides_who_takes_a_place(cast: Any) -> None:
    s = scene(cast)
    with pytest.raises(PermissionDenied):  # B's resident? worker_b is of community B, not allied with A
        actions.do_take_place(s.session_a, acting_user=cast.worker_b)
    scene_c = make_alliance(cast)
    service = SharedService.objects.get(pk=s.service_a.pk)
    assert actions.do_take_place(s.session_a, acting_user=scene_c.resident_c_user).community == scene_c.community_c
    SharedService.objects.filter(pk=service.pk).update(who_may_use="community")
    with pytest.raises(PermissionDenied):
        actions.do_take_place(s.session_a, acting_user=scene_c.worker_c)
    SharedService.objects.filter(pk=service.pk).update(who_may_use="anyone")
    actions.do_take_place(s.session_a, acting_user=cast.worker_b)


def test_places_cannot_be_taken_in_a_cancelled_or_started_session(cast: Any) -> None:
    s = scene(cast)
    actions.do_cancel_session(s.session_a, acting_user=cast.worker_a, reason="医生临时出诊")
    with pytest.raises(ActionError, match="已取消"):
        actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    ServiceSession.objects.filter(pk=s.session_b.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(ActionError, match="已经开始"):
        actions.do_take_place(s.session_b, acting_user=cast.worker_b)


def test_cancelling_a_session_releases_the_places_and_tells_the_people(cast: Any, sms: Any) -> None:
    s = scene(cast)
    cast.resident_user.phone = "13800138001"
    cast.resident_user.save(update_fields=["phone"])
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    with pytest.raises(ActionError, match="取消的原因"):
        actions.do_cancel_session(s.session_a, acting_user=cast.worker_a, reason="")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_session(s.session_a, acting_user=cast.resident_user, reason="x")
    with pytest.raises(PermissionDenied):
        actions.do_cancel_session(s.session_a, acting_user=cast.worker_b, reason="x")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.do_cancel_session(s.session_a, acting_user=cast.worker_a, reason="医生临时出诊")
    place.refresh_from_db()
    assert place.status == ServiceBooking.Status.CANCELLED
    note = Notification.objects.get(user=cast.resident_user, verb="venues.session.cancel")
    assert "医生临时出诊" in note.text
    assert any(number == "13800138001" and "医生临时出诊" in text for number, text in sms)
    with pytest.raises(Conflict, match="已经取消"):
        actions.do_cancel_session(s.session_a, acting_user=cast.worker_a, reason="再取消")


def test_a_resident_without_an_account_books_with_a_phone_code(cast: Any, sms: Any) -> None:
    from django.test import TestCase

    scene_c = make_alliance(cast)
    s = scene(cast)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.do_send_place_code(s.session_a, phone="13700137000")
    code = _digits(sms, "13700137000")
    with pytest.raises(ActionError, match="姓名"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code=code, name="",
                                       community=scene_c.community_c)
    with pytest.raises(ActionError, match="居住的社区"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code=code, name="陈阿姨", community=None)
    with pytest.raises(ActionError, match="不能预约"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code=code, name="陈阿姨",
                                       community=cast.community_b)
    with pytest.raises(ActionError, match="验证码"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code="", name="陈阿姨",
                                       community=scene_c.community_c)
    with pytest.raises(ActionError, match="验证码不正确或已过期"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code="000000" if code != "000000"
                                       else "111111", name="陈阿姨", community=scene_c.community_c)
    with TestCase.captureOnCommitCallbacks(execute=True):
        place = actions.do_take_place_by_phone(s.session_a, phone="13700137000", code=code, name="陈阿姨",
                                               community=scene_c.community_c)
    assert place.user is None and place.phone_masked == "137****7000" and len(place.phone_hash) == 64
    assert not ServiceBooking.objects.filter(phone_masked="13700137000").exists()
    reminder = sms[-1]
    assert reminder[0] == "13700137000" and f"{place.pk}" in reminder[1] and "健康小屋免费体检" in reminder[1]
    # One place per phone per session.
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.do_send_place_code(s.session_a, phone="137 0013 7000")
    with pytest.raises(ActionError, match="已预约了这一场"):
        actions.do_take_place_by_phone(s.session_a, phone="13700137000", code=_digits(sms, "13700137000"),
                                       name="陈阿姨", community=scene_c.community_c)
    event = AuditEvent.objects.get(verb="venues.place.take", object_id=str(place.pk))
    assert "13700137000" not in str(event.after) and event.actor is None
    assert PhoneCode.objects.filter(purpose=PhoneCode.Purpose.SERVICE_PLACE, object_id=s.session_a.pk).exists()


def test_a_phone_resident_cancels_and_rates_with_a_new_code(cast: Any, sms: Any, settings: Any) -> None:
    from django.test import TestCase

    settings.LISTS_PHONE_CODE_SENDS = 10

    s = scene(cast)
    phone = "13700137001"
    place = actions.do_take_place_for_demo(s.session_a, phone=phone, name="李大爷", community=cast.community_a)

    def code() -> str:
        with TestCase.captureOnCommitCallbacks(execute=True):
            actions.do_send_place_code(s.session_a, phone=phone)
        return _digits(sms, phone)

    with pytest.raises(ActionError, match="没有可评价"):
        actions.do_rate_place_by_phone(s.session_a, phone=phone, code=code(), score=5)
    actions.do_cancel_place_by_phone(s.session_a, phone=phone, code=code())
    place.refresh_from_db()
    assert place.status == ServiceBooking.Status.CANCELLED
    with pytest.raises(ActionError, match="没有预约"):
        actions.do_cancel_place_by_phone(s.session_a, phone=phone, code=code())
    again = actions.do_take_place_for_demo(s.session_a, phone=phone, name="李大爷", community=cast.community_a)
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() - timedelta(minutes=30),
                                                            ends_at=timezone.now() + timedelta(minutes=30))
    actions.do_check_in_place(again, acting_user=cast.worker_a)
    with pytest.raises(ActionError, match="1 到 5"):
        actions.do_rate_place_by_phone(s.session_a, phone=phone, code="123456", score=9)
    actions.do_rate_place_by_phone(s.session_a, phone=phone, code=code(), score=4, comment="医生很耐心")
    assert ServiceRating.objects.get(place=again).score == 4
    with pytest.raises(Conflict, match="已经评价"):
        actions.do_rate_place_by_phone(s.session_a, phone=phone, code=code(), score=5)


def test_check_in_by_the_provider_only_in_its_window(cast: Any) -> None:
    s = scene(cast)
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    with pytest.raises(ActionError, match="开始前两小时"):
        actions.do_check_in_place(place, acting_user=cast.worker_a)
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() + timedelta(minutes=30),
                                                            ends_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(PermissionDenied):
        actions.do_check_in_place(place, acting_user=cast.resident_user)
    with pytest.raises(PermissionDenied):
        actions.do_check_in_place(place, acting_user=cast.worker_b)
    actions.do_check_in_place(place, acting_user=cast.worker_a)
    place.refresh_from_db()
    assert place.status == ServiceBooking.Status.ATTENDED and place.checked_in_at is not None
    with pytest.raises(Conflict, match="已签到"):
        actions.do_check_in_place(place, acting_user=cast.worker_a)
    with pytest.raises(Conflict, match="不再是已预约"):
        actions.do_cancel_place(place, acting_user=cast.resident_user)
    assert AuditEvent.objects.filter(verb="venues.place.check_in", actor=cast.worker_a).exists()


def test_a_cancelled_place_is_not_checked_in_and_others_cannot_cancel_it(cast: Any) -> None:
    s = scene(cast)
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    with pytest.raises(PermissionDenied):
        actions.do_cancel_place(place, acting_user=cast.volunteer)
    actions.do_cancel_place(place, acting_user=cast.worker_a)  # the provider may
    with pytest.raises(ActionError, match="已取消"):
        actions.do_check_in_place(place, acting_user=cast.worker_a)


def test_the_signed_in_resident_rates_after_attending_once(cast: Any) -> None:
    s = scene(cast)
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    with pytest.raises(ActionError, match="到场后"):
        actions.do_rate_place(place, acting_user=cast.resident_user, score=5)
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                            ends_at=timezone.now())
    actions.do_check_in_place(place, acting_user=cast.worker_a)
    with pytest.raises(ActionError, match="1 到 5"):
        actions.do_rate_place(place, acting_user=cast.resident_user, score="x")
    with pytest.raises(ActionError, match="最多 300"):
        actions.do_rate_place(place, acting_user=cast.resident_user, score=5, comment="好" * 301)
    with pytest.raises(PermissionDenied):
        actions.do_rate_place(place, acting_user=cast.worker_a, score=5)
    actions.do_rate_place(place, acting_user=cast.resident_user, score=5, comment="很方便")
    with pytest.raises(Conflict, match="已经评价"):
        actions.do_rate_place(place, acting_user=cast.resident_user, score=4)
    assert actions.service_rating(s.service_a) == (5.0, 1)
    assert AuditEvent.objects.filter(verb="venues.place.rate", actor=cast.resident_user).exists()


def test_attendance_counts_places_and_other_communities(cast: Any) -> None:
    scene_c = make_alliance(cast)
    s = scene(cast)
    mine = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    theirs = actions.do_take_place(s.session_a, acting_user=scene_c.resident_c_user)
    gone = actions.do_take_place(s.session_a, acting_user=cast.volunteer)
    actions.do_cancel_place(gone, acting_user=cast.volunteer)
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                            ends_at=timezone.now())
    actions.do_check_in_place(theirs, acting_user=cast.worker_a)
    figures = actions.session_attendance(ServiceSession.objects.get(pk=s.session_a.pk))
    assert (figures.attended, figures.booked, figures.cancelled, figures.other_communities) == (1, 1, 1, 1)
    assert figures.rate == 50
    assert actions.service_attendance(s.service_a).attended == 1
    assert mine.status == ServiceBooking.Status.BOOKED


def test_the_reminder_goes_once_the_day_before(cast: Any, sms: Any, settings: Any) -> None:
    from django.test import TestCase

    s = scene(cast, days=3)
    cast.resident_user.phone = "13800138002"
    cast.resident_user.save(update_fields=["phone"])
    place = actions.do_take_place(s.session_a, acting_user=cast.resident_user)
    assert actions.do_remind_sessions() == 0  # three days ahead: not yet
    ServiceSession.objects.filter(pk=s.session_a.pk).update(starts_at=timezone.now() + timedelta(hours=20),
                                                            ends_at=timezone.now() + timedelta(hours=22))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert actions.do_remind_sessions() == 1
    note = Notification.objects.get(user=cast.resident_user, verb="venues.session.remind")
    assert f"{place.pk}" in note.text and note.url == f"/venues/services/places/{place.pk}/"
    assert any(number == "13800138002" and "提醒" in text for number, text in sms)
    assert ServiceSession.objects.get(pk=s.session_a.pk).reminded_at is not None
    assert actions.do_remind_sessions() == 0
    assert AuditEvent.objects.filter(verb="venues.session.remind", object_id=str(s.session_a.pk)).count() == 1
    settings.VENUES_REMINDER_HOURS = 100
    assert actions.reminder_hours() == 100
    assert actions.do_remind_sessions() == 0  # session B: nobody booked, marked reminded, nobody told
    assert ServiceSession.objects.get(pk=s.session_b.pk).reminded_at is not None
