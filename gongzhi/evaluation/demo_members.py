"""The members part's demo at 锦华街道 (order 72): three part-time members of 锦华社区's committee flagged as possibly
title-only (空挂), each in a different state, so a newcomer sees the whole review.

- Removed: the seat of `unit_liaison`'s unit (or, when it holds none, another unit's), flagged early in January
  2026 and removed by jd_staff on 2026-01-12 through the removal action: the membership ended with the date and the
  reason, the unit's liaisons told, the letter downloadable from the flag's page.
- Kept: another seat, flagged in September 2026 and kept by jd_staff with a note (not raised again this period).
- Open: a third seat, flagged three days ago and waiting for jd_staff's review.

The facts are what the record shows for each period (from the same counts the check uses)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, CommitteeMembership, Grant, Notification, PartyOrg, Role, User

from .actions import members as actions
from .members_check import assess, flag_url, months_before, period_months
from .models import TitleOnlyFlag

COMMUNITY = "锦华社区"
SUBDISTRICT = "锦华街道"
REMOVED_ON = date(2026, 1, 12)
REMOVED_FLAGGED = date(2026, 1, 5)
KEPT_FLAGGED, KEPT_ON = date(2026, 9, 7), date(2026, 9, 14)
REMOVE_REASON = "长期不参加大党委活动、不认领项目、不报告履职情况，经街道党工委研究决定免去"
KEEP_NOTE = "该委员因单位外派援疆半年，已于9月返岗并承诺参加下次联席会议，予以保留"
SEAT_START = date(2024, 3, 1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _flag(membership: CommitteeMembership, flagged: date) -> TitleOnlyFlag:
    start, end = months_before(flagged, period_months()), flagged
    finding = assess(membership, start, end)
    reasons = finding.reasons or [TitleOnlyFlag.Reason.NO_REPORT]
    return TitleOnlyFlag.objects.create(membership=membership, community=membership.party_org.area,
                                        period_start=start, period_end=end, reasons=reasons, facts=finding.facts,
                                        flagged_at=_at(flagged, 6))


def _liaison_unit_id() -> int | None:
    grant = Grant.objects.filter(user__username="unit_liaison", role=Role.UNIT_LIAISON).first()
    return grant.unit_id if grant else None


def build(ctx: Any) -> dict[str, int] | None:
    community = Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY).first()
    staff = User.objects.filter(username="jd_staff").first()
    org = PartyOrg.objects.filter(area=community, kind=PartyOrg.Kind.COMMUNITY_COMMITTEE).first() \
        if community else None
    if org is None or staff is None:
        return None
    seats = list(CommitteeMembership.objects.filter(party_org=org, active=True,
                                                    role=CommitteeMembership.Role.PART_TIME_MEMBER)
                 .select_related("party_org", "party_org__area", "unit").order_by("pk"))
    if len(seats) < 3:
        return None
    liaison_unit = _liaison_unit_id()
    removed = next((s for s in seats if s.unit_id == liaison_unit), seats[0])
    others = [s for s in seats if s.pk != removed.pk]
    kept, waiting = others[0], others[-1]
    for seat in (removed, kept, waiting):
        if seat.started_on is None:
            CommitteeMembership.objects.filter(pk=seat.pk).update(started_on=SEAT_START)
            seat.started_on = SEAT_START

    flag = _flag(removed, REMOVED_FLAGGED)
    actions.do_remove_member(flag, acting_user=staff, reason=REMOVE_REASON, ended_on=REMOVED_ON)
    TitleOnlyFlag.objects.filter(pk=flag.pk).update(reviewed_at=_at(REMOVED_ON, 15))
    Notification.objects.filter(verb="evaluation.member_removed", url=flag_url(flag)).update(
        created_at=_at(REMOVED_ON, 15))

    kept_flag = _flag(kept, KEPT_FLAGGED)
    actions.do_keep_member(kept_flag, acting_user=staff, note=KEEP_NOTE)
    TitleOnlyFlag.objects.filter(pk=kept_flag.pk).update(reviewed_at=_at(KEPT_ON, 11))

    _flag(waiting, timezone.localdate() - timedelta(days=3))
    ctx.say(f"  兼职委员：{removed.person_name}（{removed.unit.name if removed.unit else ''}）已免去，"
            f"{kept.person_name} 保留，{waiting.person_name} 待审核")
    return {"flags": 3, "removed": 1}
