"""The rooms part's actions: venues and rooms with their rules (every refusal in Chinese), photos, closed dates
(the bookings a closure hits, cancelled with notice or kept), and the audit rows."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.test import Cast
from gongzhi.venues import queries
from gongzhi.venues.actions import rooms as actions
from gongzhi.venues.models import Booking, RoomClosure, RoomPhoto, Venue

from .rooms_scene import RULES, at, book, room, station

pytestmark = pytest.mark.django_db


def refused(fn: Any, *args: Any, **kwargs: Any) -> ActionError:
    with pytest.raises(ActionError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_it_sets_up_a_venue_at_each_level_and_audits_it(cast: Cast) -> None:
    centre = actions.do_create_venue(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a,
                                     name="和平街道党群服务中心", level="centre", phone="010-64001234")
    st = actions.do_create_venue(acting_user=cast.worker_a, area=cast.community_a, name="和平里社区党群服务站",
                                 level="station")
    point = actions.do_create_venue(acting_user=cast.worker_a, area=cast.estate_a, name="和平小区党群服务点",
                                    level="point")
    grid_point = actions.do_create_venue(acting_user=cast.worker_a, area=cast.grid_a, name="第一网格党群服务点",
                                         level="point")
    assert {v.level for v in (centre, st, point, grid_point)} == {"centre", "station", "point"}
    event = AuditEvent.objects.get(verb="venues.venue.create", object_id=str(st.pk))
    assert event.actor == cast.worker_a and event.area == cast.community_a


@pytest.mark.parametrize(("level", "area", "message"), [
    ("centre", "community_a", "党群服务中心服务街道（镇），请选择一个街道（镇）。"),
    ("station", "estate_a", "党群服务站服务社区，请选择一个社区。"),
    ("point", "community_a", "党群服务点服务小区或网格，请选择一个小区或网格。"),
])
def test_a_venues_level_must_match_its_area(cast: Cast, level: str, area: str, message: str) -> None:
    error = refused(actions.do_create_venue, acting_user=cast.worker_a, area=getattr(cast, area), name="某阵地",
                    level=level)
    assert (error.message, error.field) == (message, "area")


def test_the_venues_other_refusals(cast: Cast) -> None:
    kw = {"acting_user": cast.worker_a, "area": cast.community_a, "level": "station"}
    assert refused(actions.do_create_venue, name=" ", **kw).message == "请填写阵地名称。"
    assert refused(actions.do_create_venue, name="站", level="hall", acting_user=cast.worker_a,
                   area=cast.community_a).message == "请选择阵地层级：中心、站或点。"
    assert refused(actions.do_create_venue, name="站", level="station", acting_user=cast.worker_a,
                   area=None).message == "请选择阵地服务的区域。"
    assert refused(actions.do_create_venue, name="站", phone="12", **kw).field == "phone"
    station(cast.community_a, "和平里社区党群服务站")
    assert refused(actions.do_create_venue, name="和平里社区党群服务站", **kw).message == \
        "和平里社区已有名为“和平里社区党群服务站”的阵地。"
    with pytest.raises(PermissionDenied):
        actions.do_create_venue(acting_user=cast.worker_a, area=cast.community_b, name="安定门站", level="station")
    with pytest.raises(PermissionDenied):
        actions.do_create_venue(acting_user=cast.resident_user, area=cast.community_a, name="站2", level="station")


def test_it_updates_and_deactivates_a_venue_unless_bookings_are_to_come(cast: Cast) -> None:
    venue = station(cast.community_a)
    r = room(venue)
    venue = actions.do_update_venue(venue, acting_user=cast.worker_a, area=cast.community_a, name="和平里党群服务站",
                                    level="station", address="和平路2号")
    assert venue.name == "和平里党群服务站"
    with pytest.raises(PermissionDenied):
        actions.do_update_venue(venue, acting_user=cast.worker_b, area=cast.community_a, name="x", level="station")
    tomorrow = timezone.localdate() + timedelta(days=1)
    b = book(r, at(tomorrow, 9), 2, user=cast.resident_user, community=cast.community_a)
    error = refused(actions.do_set_venue_active, venue, acting_user=cast.worker_a, active=False)
    assert error.message == "和平里党群服务站还有1个待使用的预约。请先在这些日期闭馆（并取消这些预约）。"
    assert refused(actions.do_set_room_active, r, acting_user=cast.worker_a, active=False).field == "active"
    b.status = Booking.Status.CANCELLED
    b.save(update_fields=["status"])
    actions.do_set_venue_active(venue, acting_user=cast.worker_a, active=False)
    venue.refresh_from_db()
    assert not venue.active
    assert AuditEvent.objects.filter(verb="venues.venue.deactivate").count() == 1
    assert refused(actions.do_create_room, venue, acting_user=cast.worker_a, **{**RULES, "name": "新室"}).message == \
        "该阵地已停用，请先重新启用再新增功能室。"
    actions.do_set_venue_active(venue, acting_user=cast.worker_a, active=True)
    assert AuditEvent.objects.filter(verb="venues.venue.reactivate").count() == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "请填写功能室名称。"),
    ({"capacity": 0}, "capacity", "容纳人数为1至2000人。"),
    ({"open_days": ""}, "open_days", "请选择功能室每周开放的日子。"),
    ({"open_days": "189"}, "open_days", "请选择功能室每周开放的日子。"),
    ({"opens_at": "8点"}, "opens_at", "请按“时:分”填写时间，例如 08:30。"),
    ({"opens_at": "18:00", "closes_at": "08:00"}, "closes_at", "关闭时间必须晚于开放时间。"),
    ({"who_may_book": "everyone"}, "who_may_book", "请选择谁可以预约该功能室。"),
    ({"approver": "mayor"}, "approver", "请选择预约是否需要审批，以及由谁审批。"),
    ({"min_minutes": 5}, "min_minutes", "最短预约为15分钟至一天（1440分钟）。"),
    ({"max_minutes": 2000}, "max_minutes", "最长预约为15分钟至一天（1440分钟）。"),
    ({"min_minutes": 120, "max_minutes": 60}, "max_minutes", "最长预约不能短于最短预约。"),
    ({"opens_at": "09:00", "closes_at": "10:00", "min_minutes": 90, "max_minutes": 120}, "min_minutes",
     "最短预约超过了功能室每日的开放时长。"),
    ({"max_days_ahead": 0}, "max_days_ahead", "最早提前时间为1至365天。"),
    ({"min_hours_ahead": 800}, "min_hours_ahead", "最晚提前时间为0至720小时。"),
    ({"max_days_ahead": 1, "min_hours_ahead": 24}, "min_hours_ahead", "最晚提前时间必须少于最早提前时间。"),
    ({"buffer_minutes": 300}, "buffer_minutes", "预约间隔为0至240分钟。"),
    ({"limit_period": "year"}, "limit_period", "请选择限额周期：每周或每月。"),
    ({"limit_count": 0}, "limit_count", "每人预约次数上限须为不小于1的整数，留空为不限。"),
    ({"limit_hours": "很多"}, "limit_hours", "每人预约小时上限须为不小于1的整数，留空为不限。"),
    ({"min_minutes": 120, "limit_hours": 1}, "limit_hours", "每人预约小时上限少于最短预约时长。"),
])
def test_every_room_rule_is_checked_in_chinese(cast: Cast, change: dict[str, Any], field: str, message: str) -> None:
    venue = station(cast.community_a)
    error = refused(actions.do_create_room, venue, acting_user=cast.worker_a, **{**RULES, "name": "会议室", **change})
    assert (error.field, error.message) == (field, message)


def test_a_room_keeps_its_rules_and_says_them_in_plain_chinese(cast: Cast) -> None:
    venue = station(cast.community_a)
    r = actions.do_create_room(venue, acting_user=cast.worker_a, **{
        **RULES, "name": "会议室", "open_days": ["1", "2", "3", "4", "5"], "who_may_book": "alliance",
        "approver": "venue", "max_minutes": 240, "limit_count": 4, "limit_hours": 8, "buffer_minutes": 15})
    assert r.open_days == "12345"
    assert refused(actions.do_create_room, venue, acting_user=cast.worker_a, **{**RULES, "name": "会议室"}).message == \
        "和平里社区党群服务站已有名为“会议室”的功能室。"
    assert queries.rules_summary(r) == (
        "可预约对象：和平里社区及其联盟社区；需审批：由社区审批；时长：每次30分钟至4小时；"
        "预约时间：最早提前30天、最晚提前2小时；预约间隔：两次预约之间留出15分钟；限额：每月每人最多4次/8小时；"
        "开放时间：周一至周五 08:00–18:00")
    r = actions.do_update_room(r, acting_user=cast.worker_a, **{
        **RULES, "name": "会议室", "approver": "subdistrict", "min_minutes": 90, "limit_period": "week",
        "limit_hours": 6, "open_days": "67", "who_may_book": "anyone"})
    text = queries.rules_summary(r)
    assert "需审批：由街道审批" in text and "每次1小时30分钟至4小时" in text and "每周每人最多6小时" in text
    assert "周六、周日" in text and "所有居民" in text
    assert (AuditEvent.objects.get(verb="venues.room.update").before or {})["approver"] == "venue"
    with pytest.raises(PermissionDenied):
        actions.do_update_room(r, acting_user=cast.party_member_user, **{**RULES, "name": "x"})


def _jpeg(size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(out, format=fmt)
    return out.getvalue()


def test_photos_are_checked_reencoded_and_deleted(cast: Cast, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    r = room(station(cast.community_a))
    photo = actions.do_add_room_photo(r, SimpleUploadedFile("会议室.jpg", _jpeg()), acting_user=cast.worker_a)
    assert photo.image.name.endswith(".jpg") and "会议室" not in photo.image.name
    png = actions.do_add_room_photo(r, SimpleUploadedFile("a.png", _jpeg(fmt="PNG")), acting_user=cast.worker_a)
    assert png.image.name.endswith(".png")
    assert refused(actions.do_add_room_photo, r, SimpleUploadedFile("a.webp", _jpeg(fmt="WEBP")),
                   acting_user=cast.worker_a).message == "照片a.webp不是JPEG或PNG图片。"
    assert refused(actions.do_add_room_photo, r, SimpleUploadedFile("a.gif", _jpeg(fmt="GIF")),
                   acting_user=cast.worker_a).field == "photo"
    assert refused(actions.do_add_room_photo, r, SimpleUploadedFile("a.jpg", b"not a picture"),
                   acting_user=cast.worker_a).message == "照片a.jpg不是JPEG或PNG图片。"
    big = SimpleUploadedFile("big.jpg", b"0" * (5 * 1024 * 1024 + 1))
    assert refused(actions.do_add_room_photo, r, big, acting_user=cast.worker_a).field == "photo"
    with pytest.raises(PermissionDenied):
        actions.do_add_room_photo(r, SimpleUploadedFile("x.jpg", _jpeg()), acting_user=cast.resident_user)
    for _n in range(4):
        actions.do_add_room_photo(r, SimpleUploadedFile("x.jpg", _jpeg()), acting_user=cast.worker_a)
    assert refused(actions.do_add_room_photo, r, SimpleUploadedFile("x.jpg", _jpeg()),
                   acting_user=cast.worker_a).message == "每个功能室最多6张照片，请先删除一张。"
    actions.do_delete_room_photo(photo, acting_user=cast.worker_a)
    assert RoomPhoto.objects.filter(room=r).count() == 5
    assert AuditEvent.objects.filter(verb="venues.photo.add").count() == 6
    assert AuditEvent.objects.filter(verb="venues.photo.delete").count() == 1


def test_closing_a_room_shows_its_hits_then_cancels_them_with_notice(cast: Cast) -> None:
    r = room(station(cast.community_a))
    day = timezone.localdate() + timedelta(days=3)
    mine = book(r, at(day, 9), 2, user=cast.resident_user, community=cast.community_a)
    pending = book(r, at(day + timedelta(days=1), 14), 1, status="pending", user=cast.party_member_user,
                   community=cast.community_a)
    walk_in = book(r, at(day, 14), 1, contact="陈阿姨", phone_masked="136****6000", community=cast.community_a)
    book(r, at(day, 16), 1, status="cancelled", user=cast.volunteer)           # not holding: not hit
    outside = book(r, at(day + timedelta(days=2), 9), 1, user=cast.volunteer)  # after the closure
    assert actions.closure_hits(r, day, day + timedelta(days=1)) == [mine, walk_in, pending]
    result = actions.do_close_room(r, day, day + timedelta(days=1), "设备检修", True, cast.worker_a)
    assert [b.pk for b in result.cancelled] == [mine.pk, walk_in.pk, pending.pk]
    assert result.to_phone == [walk_in] and result.kept == []
    for b in (mine, pending, walk_in):
        b.refresh_from_db()
        assert (b.status, b.reason) == ("cancelled", "设备检修")
    outside.refresh_from_db()
    assert outside.status == "approved"
    notice = Notification.objects.get(user=cast.resident_user)
    assert "已取消" in notice.text and "设备检修" in notice.text
    assert notice.url == reverse("venues:room", args=[r.pk])
    assert Notification.objects.filter(user=cast.party_member_user).count() == 1
    event = AuditEvent.objects.get(verb="venues.closure.create")
    assert event.after is not None and event.after["hits"] == 3 and event.after["cancelled"] == 3
    assert AuditEvent.objects.filter(verb="venues.booking.closure_cancel").count() == 3
    assert queries.closure_on(r, day) == result.closure
    assert queries.closure_on(r, day + timedelta(days=2)) is None
    assert set(queries.closed_days(r, day - timedelta(days=1), day + timedelta(days=5))) == {
        day, day + timedelta(days=1)}
    assert queries.closure_between(r, at(day + timedelta(days=1), 23), at(day + timedelta(days=2), 1)) == \
        result.closure


def test_closing_a_room_may_keep_its_bookings(cast: Cast) -> None:
    r = room(station(cast.community_a))
    day = timezone.localdate() + timedelta(days=3)
    b = book(r, at(day, 9), 2, user=cast.resident_user, community=cast.community_a)
    result = actions.do_close_room(r, day, day, "社区活动", False, cast.worker_a)
    assert result.kept == [b] and result.cancelled == []
    b.refresh_from_db()
    assert b.status == "approved"
    assert not Notification.objects.filter(user=cast.resident_user).exists()


def test_the_closures_refusals(cast: Cast) -> None:
    r = room(station(cast.community_a))
    today = timezone.localdate()
    assert refused(actions.do_close_room, r, None, today, "x", False, cast.worker_a).message == "请填写闭馆开始日期。"
    assert refused(actions.do_close_room, r, today, None, "x", False, cast.worker_a).message == "请填写闭馆结束日期。"
    assert refused(actions.do_close_room, r, today, today - timedelta(days=1), "x", False,
                   cast.worker_a).message == "闭馆结束日期不能早于开始日期。"
    assert refused(actions.do_close_room, r, today - timedelta(days=1), today, "x", False,
                   cast.worker_a).message == "不能对已经过去的日期闭馆。"
    assert refused(actions.do_close_room, r, today, today + timedelta(days=400), "x", False,
                   cast.worker_a).message == "闭馆最长366天；更长时间请停用该功能室。"
    assert refused(actions.do_close_room, r, today, today, " ", False, cast.worker_a).message == \
        "请填写闭馆原因（预约人会看到）。"
    actions.do_close_room(r, today + timedelta(days=2), today + timedelta(days=4), "设备检修", False, cast.worker_a)
    error = refused(actions.do_close_room, r, today + timedelta(days=4), today + timedelta(days=6), "x", False,
                    cast.worker_a)
    assert error.message.startswith("该功能室已在") and "设备检修" in error.message
    with pytest.raises(PermissionDenied):
        actions.do_close_room(r, today, today, "x", False, cast.worker_b)
    closure = RoomClosure.objects.get()
    with pytest.raises(PermissionDenied):
        actions.do_remove_closure(closure, acting_user=cast.resident_user)
    actions.do_remove_closure(closure, acting_user=cast.worker_a)
    assert not RoomClosure.objects.exists()
    assert AuditEvent.objects.filter(verb="venues.closure.remove").count() == 1


def test_the_pages_close_a_room_in_two_steps(client: Any, cast: Cast) -> None:
    r = room(station(cast.community_a))
    day = timezone.localdate() + timedelta(days=3)
    b = book(r, at(day, 9), 2, user=cast.resident_user, community=cast.community_a, purpose="楼栋议事会")
    walk_in = book(r, at(day, 14), 1, contact="陈阿姨", phone_masked="136****6000", community=cast.community_a)
    client.force_login(cast.worker_a)
    url = reverse("venues:room_close", args=[r.pk])
    data = {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "设备检修"}
    preview = client.post(url, data)
    assert preview.status_code == 200 and "楼栋议事会" in preview.content.decode()
    assert not RoomClosure.objects.exists()
    done = client.post(url, {**data, "decision": "cancel"})
    assert done.status_code == 200 and "136****6000" in done.content.decode()  # walk-ins to phone
    b.refresh_from_db()
    walk_in.refresh_from_db()
    assert b.status == walk_in.status == "cancelled"
    again = client.post(url, {**data, "decision": "keep"})
    assert again.status_code == 400 and "该功能室已在" in again.content.decode()
    bad = client.post(url, {**data, "starts_on": (day - timedelta(days=10)).isoformat()})
    assert bad.status_code == 400 and "不能对已经过去的日期闭馆" in bad.content.decode()


def test_the_room_form_page_saves_a_room_and_shows_errors(client: Any, cast: Cast) -> None:
    venue = station(cast.community_a)
    client.force_login(cast.worker_a)
    url = reverse("venues:room_new", args=[venue.pk])
    data = {**{k: ("" if v is None else v) for k, v in RULES.items()}, "name": "调解室", "open_days": ["1", "3", "5"]}
    bad = client.post(url, {**data, "max_minutes": 10, "min_minutes": 30})
    assert bad.status_code == 400 and "最长预约为15分钟至一天" in bad.content.decode()
    ok = client.post(url, data)
    assert ok.status_code == 302
    r = venue.rooms.get(name="调解室")
    assert r.open_days == "135"
    page = client.get(reverse("venues:room", args=[r.pk])).content.decode()
    assert "<dt>需审批</dt><dd>由社区审批</dd>" in page and "周一、周三、周五" in page


def test_the_venue_pages(client: Any, cast: Cast) -> None:
    client.force_login(cast.worker_a)
    response = client.post(reverse("venues:venue_new"), {"name": "和平里社区党群服务站", "level": "station",
                                                         "area": cast.community_a.pk})
    assert response.status_code == 302
    venue = Venue.objects.get()
    room(venue)
    listing = client.get(reverse("venues:venues") + f"?level=station&community={cast.community_a.pk}")
    assert "和平里社区党群服务站" in listing.content.decode()
    assert "和平里社区党群服务站" not in client.get(reverse("venues:venues") + "?level=point").content.decode()
    bad = client.post(reverse("venues:venue_new"), {"name": "站", "level": "centre", "area": cast.community_a.pk})
    assert bad.status_code == 400 and "党群服务中心服务街道" in bad.content.decode()
    client.force_login(cast.resident_user)
    assert client.get(reverse("venues:venue_new")).status_code == 403
    assert "和平里社区党群服务站" in client.get(reverse("venues:venues")).content.decode()
    assert client.get(reverse("venues:venue", args=[venue.pk])).status_code == 200


def test_the_photo_pages(client: Any, cast: Cast, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    r = room(station(cast.community_a))
    client.force_login(cast.worker_a)
    url = reverse("venues:room_photo_add", args=[r.pk])
    assert client.post(url, {"photo": SimpleUploadedFile("a.jpg", _jpeg())}).status_code == 302
    photo = RoomPhoto.objects.get()
    response = client.post(url, {"photo": SimpleUploadedFile("a.txt", b"hello")}, follow=True)
    assert "照片a.txt不是JPEG或PNG图片。" in response.content.decode()
    assert RoomPhoto.objects.count() == 1
    client.force_login(cast.resident_user)  # a booker of the room sees its photos, may not add any
    shown = client.get(reverse("venues:room_photo", args=[photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert client.post(url, {"photo": SimpleUploadedFile("b.jpg", _jpeg())}).status_code == 403
    assert client.post(reverse("venues:room_photo_delete", args=[photo.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("venues:room_photo", args=[photo.pk])).status_code == 404
    client.force_login(cast.worker_a)
    assert client.post(reverse("venues:room_photo_delete", args=[photo.pk])).status_code == 302
    assert not RoomPhoto.objects.exists()
