"""Utilisation, computed by hand: a station on community A (allied with C across the border) over the week of
2 to 8 November 2026, its meeting room open Monday to Friday 08:00-18:00 (10 hours a day) and closed on the
Wednesday, its reading room open on Saturdays 09:00-12:00."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.test import Cast, formula_cells, make_alliance
from gongzhi.venues import utilisation
from gongzhi.venues.models import RoomClosure, Venue

from .rooms_scene import at, book, room, station

pytestmark = pytest.mark.django_db

MON = date(2026, 11, 2)


def week(cast: Cast) -> tuple[Any, Any, Any]:
    alliance = make_alliance(cast)
    venue = station(cast.community_a)
    meeting = room(venue, "会议室")
    reading = room(venue, "共享书屋", open_days="6", opens_at="09:00", closes_at="12:00", min_minutes=30,
                   max_minutes=120, who_may_book="anyone", approver="none")
    RoomClosure.objects.create(room=meeting, starts_on=date(2026, 11, 4), ends_on=date(2026, 11, 4), reason="设备检修")
    book(meeting, at(MON, 9), 4, community=cast.community_a)                      # own: 4 h
    book(meeting, at(date(2026, 11, 3), 9), 2, community=alliance.community_c)   # alliance: 2 h
    checked = book(meeting, at(date(2026, 11, 5), 14), 2, community=cast.community_b)  # other: 2 h, checked in
    checked.checked_in_at = checked.starts_at
    checked.save(update_fields=["checked_in_at"])
    book(meeting, at(date(2026, 11, 6), 9), 2, community=None)                   # not stated: 2 h
    for status in ("pending", "refused", "cancelled", "released"):               # none of these count
        book(meeting, at(date(2026, 11, 6), 14), 1, status=status, community=alliance.community_c)
    book(meeting, at(date(2026, 11, 9), 9), 3, community=cast.community_a)        # the next week: outside
    return venue, meeting, reading


def test_it_computes_open_and_booked_hours_and_the_shares(cast: Cast) -> None:
    venue, meeting, reading = week(cast)
    report = utilisation.compute(Venue.objects.filter(pk=venue.pk), MON, date(2026, 11, 8))
    [row] = report.venues
    by_room = {r.room.pk: r.figures for r in row.rooms}
    m = by_room[meeting.pk]
    assert m.open_hours == 40  # 5 days × 10 h, less the closed Wednesday
    assert (m.booked_hours, m.own_hours, m.other_hours, m.alliance_hours, m.unknown_hours) == (10, 4, 4, 2, 2)
    assert m.bookings == 4
    assert (m.rate, m.other_share, m.alliance_share) == (25.0, 40.0, 20.0)
    r = by_room[reading.pk]
    assert (r.open_hours, r.booked_hours, r.rate, r.other_share) == (3, 0, 0.0, None)
    assert row.figures.open_hours == 43 and row.figures.booked_hours == 10
    assert row.figures.rate == 23.3  # 10 / 43
    assert report.total.other_share == 40.0
    assert utilisation.share_sentence(report.total) == "其中 40% 服务其他社区，其中联盟社区 20%。"


def test_a_booking_across_the_period_counts_only_inside_it(cast: Cast) -> None:
    venue = station(cast.community_a)
    meeting = room(venue, "会议室", open_days="1234567", opens_at="00:00", closes_at="23:59", max_minutes=1440)
    book(meeting, at(date(2026, 11, 8), 22), 4, community=cast.community_a)  # 22:00 Sunday to 02:00 Monday
    report = utilisation.compute([venue], MON, date(2026, 11, 8))
    assert report.total.booked_hours == 2


def test_a_centre_counts_its_subdistricts_communities_as_its_own(cast: Cast) -> None:
    alliance = make_alliance(cast)
    from gongzhi.venues.actions import rooms as actions

    centre = actions.do_create_venue(acting_user=None, area=cast.subdistrict_a, name="和平街道党群服务中心",
                                     level="centre")
    hall = room(centre, "多功能活动室", who_may_book="subdistrict")
    book(hall, at(MON, 9), 3, community=cast.community_a)          # own (under the subdistrict)
    book(hall, at(MON, 13), 2, community=alliance.community_c)     # allied with community A
    book(hall, at(MON, 15), 1, community=cast.community_b)         # another subdistrict's community
    f = utilisation.compute([centre], MON, date(2026, 11, 8)).total
    assert (f.own_hours, f.other_hours, f.alliance_hours) == (3, 3, 2)


def test_the_periods(cast: Cast) -> None:
    today = date(2026, 12, 5)
    assert utilisation.period_from({}, today) == ("30d", date(2026, 11, 6), today)
    assert utilisation.period_from({"period": "month", "month": "2026-02"}, today)[1:] == (
        date(2026, 2, 1), date(2026, 2, 28))
    assert utilisation.period_from({"period": "quarter", "quarter": "2026-4"}, today)[1:] == (
        date(2026, 10, 1), date(2026, 12, 31))
    assert utilisation.period_from({"period": "custom", "from": "2026-11-08", "to": "2026-11-02"}, today)[1:] == (
        MON, date(2026, 11, 8))
    assert utilisation.period_from({"period": "quarter", "quarter": "2026-9"}, today)[0] == "30d"


def test_the_page_shows_the_cross_community_share_to_the_managers_only(client: Any, cast: Cast) -> None:
    venue, _meeting, _reading = week(cast)
    url = reverse("venues:utilisation") + "?period=custom&from=2026-11-02&to=2026-11-08"
    client.force_login(cast.worker_a)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "其中 40% 服务其他社区，其中联盟社区 20%。" in html and "utilisation-data" in html
    assert "23.3%" in html
    client.force_login(cast.worker_b)  # manages a community without venues
    assert client.get(url).status_code == 403
    client.force_login(cast.resident_user)
    assert client.get(url).status_code == 403
    client.force_login(cast.worker_a)
    assert client.get(reverse("venues:utilisation") + "?venue=999999").status_code == 404


def test_the_export_is_numbers_and_no_formula(client: Any, cast: Cast) -> None:
    venue, _meeting, _reading = week(cast)
    venue.name = '=HYPERLINK("http://example.com","点我")'
    venue.save(update_fields=["name"])
    client.force_login(cast.worker_a)
    response = client.get(reverse("venues:utilisation_export") + "?period=custom&from=2026-11-02&to=2026-11-08")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert formula_cells(io.BytesIO(content)) == []
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][0] == venue.name and rows[2][3] == "全部功能室"
    assert rows[2][4] == 43 and rows[2][5] == 10 and rows[2][11] == 40.0
    assert {r[3] for r in rows[3:]} == {"会议室", "共享书屋"}


def test_the_export_lists_the_bookings_behind_the_figures_without_names(client: Any, cast: Cast) -> None:
    _venue, meeting, _reading = week(cast)
    client.force_login(cast.worker_a)
    response = client.get(reverse("venues:utilisation_export") + "?period=custom&from=2026-11-02&to=2026-11-08")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).worksheets[1]
    assert sheet.title == "利用率背后的预约"
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("阵地", "功能室", "开始时间") and "服务对象" in header
    # the four approved bookings of the week, in order; whom each served adds up to the figures above
    assert [(r[1], r[2], r[4], r[8]) for r in rows] == [
        ("会议室", "2026-11-02 09:00", 4, "本社区"), ("会议室", "2026-11-03 09:00", 2, "联盟社区"),
        ("会议室", "2026-11-05 14:00", 2, "其他社区（非联盟）"), ("会议室", "2026-11-06 09:00", 2, "未注明社区")]
    assert [r[11] for r in rows] == ["否", "否", "是", "否"]
    assert [r[6] for r in rows] == [cast.community_a.name, "新塘社区", cast.community_b.name, None]
    header0 = next(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))
    assert header0[0] == "阵地" and header0[3] == "功能室"  # not the roster's 房号 (a resident's room number)
