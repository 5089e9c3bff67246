"""The standing title-only check (空挂): every active part-time member of a community party committee, over the
last EVALUATION_TITLE_ONLY_MONTHS months, is flagged as possibly holding only the title when in the period it
attended no meeting (or was never invited to one), claimed nothing, filed no duty report, or its latest final
campaign rated it 不合格.

- A membership that started (`started_on`, else `created_at`) less than the period ago is not checked.
- One open flag per membership: an open one is brought up to date (its reasons, facts and period), never doubled;
  a flag kept within the last period is not raised again until the next one.
- A new flag is audited ("evaluation.flag", by the system) and told once to those who review it (the subdistrict
  staff and up over the community).

`run_check(today=..., area=...)` runs it (daily from `gongzhi worker`, registered in reg_members.py; the "run the
check now" button of the subdistrict calls `actions.members.do_run_check`, which calls it for its area)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.models import Area, CommitteeMembership, PartyOrg
from gongzhi.core.notifications import notify

from .evidence import membership_record
from .models import Campaign, Grade, Ratee, TitleOnlyFlag
from .permissions import flag_policy
from .queries_members import reason_labels

Reason = TitleOnlyFlag.Reason
FACT_KEYS = ("meetings_invited", "meetings_attended", "projects_claimed", "duty_reports_filed")


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_months() -> int:
    return max(1, int(getattr(settings, "EVALUATION_TITLE_ONLY_MONTHS", 6)))


def period_for(today: date | None = None) -> tuple[date, date]:
    """The check's period ending today: (start, end), both days included."""
    end = today or timezone.localdate()
    return months_before(end, period_months()), end


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware datetimes from the start of `start` to the end of `end` (the local zone)."""
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=zone), datetime.combine(end, time.max, tzinfo=zone))


def started_on(membership: CommitteeMembership) -> date:
    if membership.started_on is not None:
        return membership.started_on
    return timezone.localdate(membership.created_at) if membership.created_at else timezone.localdate()


def record_counts(membership: CommitteeMembership, start: date, end: date) -> dict[str, int]:
    """The four counts of the member's record in the period, from the evidence part."""
    record: Any = membership_record(membership, start, end)
    get = record.get if isinstance(record, dict) else (lambda key, default=0: getattr(record, key, default))
    return {key: int(get(key, 0) or 0) for key in FACT_KEYS}


@dataclass
class Finding:
    reasons: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def latest_final_rating(membership: CommitteeMembership) -> Ratee | None:
    """The member's ratee in its latest final campaign (by the campaign's period end)."""
    return (Ratee.objects.filter(kind=Ratee.Kind.MEMBER, membership=membership,
                                 campaign__status=Campaign.Status.FINAL)
            .select_related("campaign").order_by("-campaign__period_end", "-campaign__finalized_at", "-pk").first())


def assess(membership: CommitteeMembership, start: date, end: date) -> Finding:
    """What the check finds for one membership over the period (reasons empty: nothing to flag)."""
    counts = record_counts(membership, start, end)
    facts: dict[str, Any] = {**counts, "period_start": start.isoformat(), "period_end": end.isoformat()}
    reasons: list[str] = []
    if counts["meetings_attended"] == 0:
        reasons.append(Reason.NO_MEETING)
        facts["never_invited"] = counts["meetings_invited"] == 0
    if counts["projects_claimed"] == 0:
        reasons.append(Reason.NO_CLAIM)
    if counts["duty_reports_filed"] == 0:
        reasons.append(Reason.NO_REPORT)
    ratee = latest_final_rating(membership)
    if ratee is not None:
        facts["campaign_id"] = ratee.campaign_id
        facts["campaign"] = ratee.campaign.title
        facts["outcome"] = ratee.outcome
        if ratee.outcome == Grade.UNQUALIFIED:
            reasons.append(Reason.UNQUALIFIED)
    return Finding(reasons=reasons, facts=facts)


def candidates(area: Area | None = None) -> Any:
    """Active part-time members of community party committees (under `area` when given)."""
    qs = (CommitteeMembership.objects.filter(active=True, role=CommitteeMembership.Role.PART_TIME_MEMBER,
                                             party_org__kind=PartyOrg.Kind.COMMUNITY_COMMITTEE)
          .select_related("party_org", "party_org__area", "unit").order_by("pk"))
    if area is not None:
        qs = qs.filter(party_org__area__path__startswith=area.path)
    return qs


def flag_url(flag: TitleOnlyFlag) -> str:
    return reverse("evaluation:flag", args=[flag.pk])


def _kept_recently(membership: CommitteeMembership, start: date) -> bool:
    since = day_bounds(start, start)[0]
    return TitleOnlyFlag.objects.filter(membership=membership, status=TitleOnlyFlag.Status.KEPT,
                                        reviewed_at__gte=since).exists()


@transaction.atomic
def check_membership(membership: CommitteeMembership, start: date, end: date) -> str:
    """Check one membership: "flagged" (a new flag), "updated" (its open flag brought up to date), "skipped" (too
    new, kept recently, or ended meanwhile) or "clear"."""
    membership = (CommitteeMembership.objects.select_for_update(of=("self",)).select_related("party_org", "party_org__area",
                                                                                   "unit")
                  .filter(pk=membership.pk).first())  # type: ignore[assignment]
    if membership is None or not membership.active:
        return "skipped"
    if started_on(membership) > start or _kept_recently(membership, start):
        return "skipped"
    finding = assess(membership, start, end)
    open_flag = TitleOnlyFlag.objects.select_for_update().filter(membership=membership,
                                                                 status=TitleOnlyFlag.Status.OPEN).first()
    if not finding.reasons:
        return "clear"
    if open_flag is not None:
        open_flag.reasons, open_flag.facts = finding.reasons, finding.facts
        open_flag.period_start, open_flag.period_end = start, end
        open_flag.save(update_fields=["reasons", "facts", "period_start", "period_end"])
        return "updated"
    community = membership.party_org.area
    try:
        with transaction.atomic():
            flag = TitleOnlyFlag.objects.create(membership=membership, community=community, period_start=start,
                                                period_end=end, reasons=finding.reasons, facts=finding.facts)
    except IntegrityError:  # another run flagged it first
        return "updated"
    log_event(None, "evaluation.flag", flag, area=community,
              after={"member": membership.person_name, "unit": membership.unit.name if membership.unit else "",
                     "reasons": finding.reasons, "facts": finding.facts})
    notify(flag_policy.users_who_can("review", flag), "evaluation.flag",
           _("%(name)s (%(unit)s), part-time member of %(committee)s, may hold only the title: %(reasons)s. "
             "Please review.") % {
               "name": membership.person_name, "unit": membership.unit.name if membership.unit else "",
               "committee": membership.party_org.name, "reasons": "、".join(reason_labels(finding.reasons))},
           flag_url(flag))
    return "flagged"


def run_check(*, today: date | None = None, area: Area | None = None) -> dict[str, int]:
    """The check over every candidate (under `area`): counts of what it did."""
    start, end = period_for(today)
    done = {"checked": 0, "flagged": 0, "updated": 0, "skipped": 0, "clear": 0}
    for membership in candidates(area):
        outcome = check_membership(membership, start, end)
        done[outcome] += 1
        if outcome != "skipped":
            done["checked"] += 1
    return done


def daily_check() -> dict[str, int]:
    """What `gongzhi worker` runs once a day (registered in reg_members.py)."""
    import logging

    done = run_check()
    if done["flagged"]:
        logging.getLogger("gongzhi.evaluation.scheduled").info(
            "title-only check: %(flagged)d flagged, %(updated)d updated of %(checked)d checked", done)
    return done
