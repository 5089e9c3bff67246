"""Utilisation of venues and rooms over a period, and how much of it served other communities and the alliance
(the figure of the Shanghai–Jiangsu text: a full network lends its rooms across the border).

Per room, over the days first..last (inclusive, local dates):

- **open hours**: every day of the week the room opens (`Room.open_days`) times its daily hours
  (`closes_at - opens_at`), less the days it is closed (`RoomClosure`);
- **booked hours**: approved bookings (checked in or not; pending, refused, cancelled and released ones do not
  count), clipped to the period;
- **utilisation**: booked / open hours;
- **who it served**: the booked hours split by the booker's community (`Booking.booker_community`): the venue's own
  community (for a centre on a subdistrict: any community of that subdistrict), another community, and of those an
  alliance community (a community allied with the venue's community, `permissions.alliance_community_ids`); hours
  whose booker named no community (staff above the communities) are "not stated".

A venue's figures are the sums of its rooms'. Everything is computed in a few queries for all the venues at once.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook

from gongzhi.core.models import Alliance, Area
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lib.spreadsheets import append_row

from .models import Booking, Room, RoomClosure, Venue
from .permissions import VENUE_MANAGERS, community_of_area, subdistrict_of_area
from .queries import day_start

MAX_DAYS = 400


@dataclass
class Figures:
    open_hours: float = 0.0
    booked_hours: float = 0.0
    own_hours: float = 0.0
    other_hours: float = 0.0
    alliance_hours: float = 0.0  # part of other_hours
    unknown_hours: float = 0.0
    bookings: int = 0

    def add(self, other: Figures) -> None:
        for name in ("open_hours", "booked_hours", "own_hours", "other_hours", "alliance_hours", "unknown_hours",
                     "bookings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _pct(part: float, whole: float) -> float | None:
        return round(100 * part / whole, 1) if whole > 0 else None

    @property
    def rate(self) -> float | None:
        """Booked hours as a percentage of the open hours."""
        return self._pct(self.booked_hours, self.open_hours)

    @property
    def other_share(self) -> float | None:
        """The share of the booked hours that served other communities."""
        return self._pct(self.other_hours, self.booked_hours)

    @property
    def alliance_share(self) -> float | None:
        """The share of the booked hours that served alliance communities (part of the other communities')."""
        return self._pct(self.alliance_hours, self.booked_hours)

    @property
    def own_share(self) -> float | None:
        return self._pct(self.own_hours, self.booked_hours)

    def as_dict(self) -> dict[str, Any]:
        return {"open_hours": round(self.open_hours, 2), "booked_hours": round(self.booked_hours, 2),
                "own_hours": round(self.own_hours, 2), "other_hours": round(self.other_hours, 2),
                "alliance_hours": round(self.alliance_hours, 2), "unknown_hours": round(self.unknown_hours, 2),
                "bookings": self.bookings, "rate": self.rate, "other_share": self.other_share,
                "alliance_share": self.alliance_share}


@dataclass
class RoomRow:
    room: Room
    figures: Figures


@dataclass
class VenueRow:
    venue: Venue
    figures: Figures = field(default_factory=Figures)
    rooms: list[RoomRow] = field(default_factory=list)


@dataclass
class Report:
    first: date
    last: date
    venues: list[VenueRow]
    total: Figures
    # whom each approved booking in the period served: booking id -> "own", "alliance", "other" or "unknown"
    served: dict[int, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


# --- periods ---------------------------------------------------------------------------------------------------


def last_days(n: int = 30, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=n - 1), today


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first, _last = month_bounds(year, 3 * quarter - 2)
    _first, last = month_bounds(year, 3 * quarter)
    return first, last


def period_from(params: Any, today: date | None = None) -> tuple[str, date, date]:
    """The period a page or API call asks for: ("30d" | "month" | "quarter" | "custom", first, last). Bad input
    falls back to the last 30 days; a custom period is at most MAX_DAYS long."""
    today = today or timezone.localdate()
    kind = str(params.get("period") or "30d")
    try:
        if kind == "month":
            year, month = (int(x) for x in str(params.get("month") or f"{today:%Y-%m}").split("-"))
            return kind, *month_bounds(year, month)
        if kind == "quarter":
            year, quarter = (int(x) for x in str(params.get("quarter") or
                                                 f"{today.year}-{(today.month - 1) // 3 + 1}").split("-"))
            if not 1 <= quarter <= 4:
                raise ValueError
            return kind, *quarter_bounds(year, quarter)
        if kind == "custom":
            first = date.fromisoformat(str(params.get("from")))
            last = date.fromisoformat(str(params.get("to")))
            if last < first:
                first, last = last, first
            last = min(last, first + timedelta(days=MAX_DAYS - 1))
            return kind, first, last
    except (TypeError, ValueError):
        pass
    return "30d", *last_days(30, today)


# --- which venues --------------------------------------------------------------------------------------------


def managed_venues(user: Any) -> QuerySet[Venue]:
    """The venues whose utilisation the user sees: those they manage (area staff over the venue)."""
    qs = Venue.objects.select_related("area")
    if is_superuser(user):
        return qs
    if not getattr(user, "is_active", False):
        return qs.none()
    return qs.filter(path_q(scope_paths(user, VENUE_MANAGERS), "area__path"))


# --- the computation -------------------------------------------------------------------------------------------


def open_hours(room: Room, first: date, last: date, closed: set[date]) -> float:
    hours = (datetime.combine(first, room.closes_at) - datetime.combine(first, room.opens_at)).total_seconds() / 3600
    days = 0
    day = first
    while day <= last:
        if str(day.isoweekday()) in room.open_days and day not in closed:
            days += 1
        day += timedelta(days=1)
    return days * hours


def _own_and_allied(venue: Venue, allied_by_community: dict[int, set[int]],
                    sub_communities: dict[int, set[int]]) -> tuple[str, set[int]]:
    """The path under which a booker's community counts as the venue's own, and the alliance communities."""
    own = community_of_area(venue.area)
    if own is not None:
        return own.path, allied_by_community.get(own.pk, set()) - {own.pk}
    sub = subdistrict_of_area(venue.area) or venue.area
    allied: set[int] = set()
    for community_id, ids in allied_by_community.items():
        if community_id in sub_communities.get(sub.pk, set()):
            allied |= ids
    return sub.path, allied - sub_communities.get(sub.pk, set())


def compute(venues: QuerySet[Venue] | list[Venue], first: date, last: date) -> Report:
    venues = list(venues)
    if last < first:
        first, last = last, first
    start, end = day_start(first), day_start(last + timedelta(days=1))
    venue_ids = [v.pk for v in venues]
    rooms = list(Room.objects.filter(venue_id__in=venue_ids).filter(
        Q(active=True) | Q(bookings__status=Booking.Status.APPROVED, bookings__starts_at__lt=end,
                           bookings__ends_at__gt=start)).distinct().order_by("venue_id", "name", "pk"))
    room_ids = [r.pk for r in rooms]
    closed: dict[int, set[date]] = defaultdict(set)
    for c in RoomClosure.objects.filter(room_id__in=room_ids, starts_on__lte=last, ends_on__gte=first):
        day = max(c.starts_on, first)
        while day <= min(c.ends_on, last):
            closed[c.room_id].add(day)
            day += timedelta(days=1)
    bookings = list(Booking.objects.filter(room_id__in=room_ids, status=Booking.Status.APPROVED,
                                           starts_at__lt=end, ends_at__gt=start).values_list(
        "room_id", "starts_at", "ends_at", "booker_community_id", "pk"))
    # The communities concerned: the bookers' (their paths) and the venues' own (their alliances).
    community_ids = {b[3] for b in bookings if b[3] is not None}
    paths = dict(Area.objects.filter(pk__in=community_ids).values_list("pk", "path"))
    own_communities = {c.pk: c for c in (community_of_area(v.area) for v in venues) if c is not None}
    centre_subs = {s.pk: s for s in (subdistrict_of_area(v.area) or v.area for v in venues
                                     if community_of_area(v.area) is None)}
    sub_communities: dict[int, set[int]] = {
        sub.pk: set(Area.objects.filter(path__startswith=sub.path, level=Area.Level.COMMUNITY).values_list(
            "pk", flat=True)) for sub in centre_subs.values()}
    wanted = set(own_communities).union(*sub_communities.values())
    allied_by_community: dict[int, set[int]] = defaultdict(set)
    through = Alliance.communities.through
    memberships = list(through.objects.filter(alliance__communities__in=list(wanted)).values_list(
        "alliance_id", "area_id")) if wanted else []
    members_of: dict[int, set[int]] = defaultdict(set)
    for alliance_id, area_id in memberships:
        members_of[alliance_id].add(area_id)
    for members in members_of.values():
        for community_id in members:
            if community_id in wanted:
                allied_by_community[community_id] |= members
    by_room: dict[int, Figures] = {r.pk: Figures() for r in rooms}
    venue_by_id = {v.pk: v for v in venues}
    room_venue = {r.pk: venue_by_id[r.venue_id] for r in rooms}
    rules = {v.pk: _own_and_allied(v, allied_by_community, sub_communities) for v in venues}
    served: dict[int, str] = {}
    for room_id, starts_at, ends_at, community_id, booking_id in bookings:
        hours = (min(ends_at, end) - max(starts_at, start)).total_seconds() / 3600
        figures = by_room[room_id]
        figures.booked_hours += hours
        figures.bookings += 1
        own_path, allied = rules[room_venue[room_id].pk]
        if community_id is None:
            figures.unknown_hours += hours
            served[booking_id] = "unknown"
        elif paths.get(community_id, "").startswith(own_path):
            figures.own_hours += hours
            served[booking_id] = "own"
        else:
            figures.other_hours += hours
            served[booking_id] = "other"
            if community_id in allied:
                figures.alliance_hours += hours
                served[booking_id] = "alliance"
    rows: dict[int, VenueRow] = {v.pk: VenueRow(venue=v) for v in venues}
    for room in rooms:
        figures = by_room[room.pk]
        figures.open_hours = open_hours(room, first, last, closed.get(room.pk, set()))
        row = rows[room.venue_id]
        row.rooms.append(RoomRow(room=room, figures=figures))
        row.figures.add(figures)
    total = Figures()
    for row in rows.values():
        total.add(row.figures)
    return Report(first=first, last=last, venues=list(rows.values()), total=total, served=served)


def share_sentence(figures: Figures) -> str:
    """"其中 38% 服务其他社区，其中联盟社区 30%" (empty without booked hours)."""
    if not figures.booked_hours:
        return ""
    return _("Of this, %(other)s%% served other communities, of which alliance communities %(alliance)s%%.") % {
        "other": _num(figures.other_share), "alliance": _num(figures.alliance_share)}


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def chart_data(report: Report) -> dict[str, Any]:
    """The bar chart's series (ECharts, venues/static/venues/utilisation.js): per venue, hours by whom they served."""
    return {
        "names": [r.venue.name for r in report.venues],
        "series": [
            {"name": _("Own community"), "data": [round(r.figures.own_hours, 1) for r in report.venues]},
            {"name": _("Alliance communities"), "data": [round(r.figures.alliance_hours, 1) for r in report.venues]},
            {"name": _("Other communities (not allied)"),
             "data": [round(r.figures.other_hours - r.figures.alliance_hours, 1) for r in report.venues]},
            {"name": _("Not stated"), "data": [round(r.figures.unknown_hours, 1) for r in report.venues]},
        ],
        "open": [round(r.figures.open_hours, 1) for r in report.venues],
        "unit": _("hours"),
    }


SERVED = {"own": _lazy("Own community"), "alliance": _lazy("Alliance community"),
          "other": _lazy("Other community (not allied)"), "unknown": _lazy("Not stated")}


def _bookings_sheet(ws: Any, report: Report) -> None:
    """Each approved booking counted in the figures, with whom it served; no person's name or phone (the booker is
    given by kind, community and unit)."""
    append_row(ws, [_("Party-mass venue"), _("Function room"), _("Starts at"), _("Ends at"), _("Hours in the period"),
                    _("Booked as"), _("The booker's community"), _("Unit"), _("Whom it served"), _("Purpose"),
                    _("Number of attendees"), _("Checked in (yes/no)")])
    start, end = day_start(report.first), day_start(report.last + timedelta(days=1))
    rows = (Booking.objects.filter(pk__in=list(report.served)).select_related(
        "room", "room__venue", "booker_community", "unit").order_by("starts_at", "pk"))
    for b in rows.iterator(chunk_size=500):
        hours = (min(b.ends_at, end) - max(b.starts_at, start)).total_seconds() / 3600
        append_row(ws, [b.room.venue.name, b.room.name, timezone.localtime(b.starts_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(b.ends_at).strftime("%Y-%m-%d %H:%M"), round(hours, 2),
                        b.get_booker_kind_display(), b.booker_community.name if b.booker_community else "",
                        b.unit.name if b.unit else "", str(SERVED[report.served[b.pk]]), b.purpose, b.attendees,
                        _("Yes") if b.checked_in_at else _("No")])


def workbook(report: Report) -> bytes:
    """The report as an .xlsx: one row per venue, then its rooms; numbers are numbers, no text is a formula."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Utilisation"))
    append_row(ws, [_("Period"), f"{report.first.isoformat()} — {report.last.isoformat()}"])
    append_row(ws, [_("Party-mass venue"), _("Level"), _("Area"), _("Function room"), _("Open hours"), _("Booked hours"),
                    _("Utilisation (%)"), _("Own community (hours)"), _("Other communities (hours)"),
                    _("Of which alliance communities (hours)"), _("Not stated (hours)"),
                    _("Served other communities (%)"), _("Served alliance communities (%)"), _("Bookings")])

    def values(venue: Venue, room: str, f: Figures) -> list[Any]:
        return [venue.name, venue.get_level_display(), venue.area.name, room, round(f.open_hours, 2),
                round(f.booked_hours, 2), f.rate if f.rate is not None else "", round(f.own_hours, 2),
                round(f.other_hours, 2), round(f.alliance_hours, 2), round(f.unknown_hours, 2),
                f.other_share if f.other_share is not None else "",
                f.alliance_share if f.alliance_share is not None else "", f.bookings]

    for row in report.venues:
        append_row(ws, values(row.venue, _("All rooms"), row.figures))
        for r in row.rooms:
            append_row(ws, values(row.venue, r.room.name, r.figures))
    _bookings_sheet(wb.create_sheet(_("Bookings behind the figures")), report)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
