"""The members part's writes: the subdistrict's review of a title-only flag (空挂) and the check run by hand.

- `do_run_check(acting_user, area)`: "run the check now" for a subdistrict (or larger area) the user reviews at;
  the flags it raises are the system's, as the daily run's ("evaluation.flag"); the run itself is audited
  ("evaluation.check").
- `do_keep_member(flag, acting_user, note)`: the member stays (a note is required: why), "evaluation.keep_member".
- `do_remove_member(flag, acting_user, reason, ended_on)`: in one transaction the flag is removed, the committee
  membership ends (inactive, the date, "因履职不到位（空挂）免去兼职委员：<reason>"), the unit's liaisons are told (with
  the flag's page, where the letter downloads), "evaluation.remove_member".

The flag row is locked: of two reviewers acting at once one wins, the other is told who decided (Conflict, 409)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area, CommitteeMembership, User
from gongzhi.core.notifications import notify

from .. import members_check
from ..models import TitleOnlyFlag
from ..permissions import flag_policy
from ..queries_members import END_PREFIX, unit_liaisons

MAX_NOTE = 200


def _text(value: Any, *, field: str, missing: str, too_long: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ActionError(missing, field=field)
    if len(text) > MAX_NOTE:
        raise ActionError(too_long, field=field)
    return text


def _locked_open(flag: TitleOnlyFlag, acting_user: User | None) -> TitleOnlyFlag:
    TitleOnlyFlag.objects.select_for_update().filter(pk=flag.pk).first()
    flag = TitleOnlyFlag.objects.select_related("membership", "membership__unit", "membership__party_org",
                                                "community", "reviewed_by").get(pk=flag.pk)
    if flag.status != TitleOnlyFlag.Status.OPEN:
        by = flag.reviewed_by.display_name or flag.reviewed_by.username if flag.reviewed_by else _("someone else")
        raise Conflict(_("This flag was already reviewed (%(status)s) by %(by)s; nothing was changed.")
                       % {"status": flag.get_status_display(), "by": by})
    flag_policy.require(acting_user, "review", flag, _("Only the subdistrict reviews title-only flags."))
    return flag


@transaction.atomic
def do_keep_member(flag: TitleOnlyFlag, *, acting_user: User | None, note: Any) -> TitleOnlyFlag:
    """The member stays on the committee; the note says why."""
    flag = _locked_open(flag, acting_user)
    note = _text(note, field="note", missing=_("Please say why the member stays on the committee."),
                 too_long=_("The note is too long (at most 200 characters)."))
    flag.status, flag.reviewed_by, flag.reviewed_at, flag.review_note = (
        TitleOnlyFlag.Status.KEPT, acting_user, timezone.now(), note)
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    log_event(acting_user, "evaluation.keep_member", flag, area=flag.community, before={"status": "open"},
              after={"status": flag.status, "note": note, "member": flag.membership.person_name})
    return flag


def parse_end_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ActionError(_("Please enter the end date as a date, e.g. 2026-01-15."), field="ended_on") from exc


@transaction.atomic
def do_remove_member(flag: TitleOnlyFlag, *, acting_user: User | None, reason: Any,
                     ended_on: Any = None) -> TitleOnlyFlag:
    """Remove the part-time member: the flag removed, the membership ended, the unit's liaisons told."""
    flag = _locked_open(flag, acting_user)
    reason = _text(reason, field="reason", missing=_("Please give the reason for the removal."),
                   too_long=_("The reason is too long (at most 200 characters)."))
    ended = parse_end_date(ended_on)
    if ended > timezone.localdate():
        raise ActionError(_("The end date cannot be in the future."), field="ended_on")
    membership = CommitteeMembership.objects.select_for_update().get(pk=flag.membership_id)
    if membership.started_on is not None and ended < membership.started_on:
        raise ActionError(_("The end date cannot be before the member took the seat (%(day)s).")
                          % {"day": membership.started_on.isoformat()}, field="ended_on")
    if not membership.active:
        raise Conflict(_("This membership has already ended; nothing was changed."))
    now = timezone.now()
    flag.status, flag.reviewed_by, flag.reviewed_at, flag.review_note = (
        TitleOnlyFlag.Status.REMOVED, acting_user, now, reason)
    flag.facts = {**(flag.facts or {}), "ended_on": ended.isoformat()}
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "facts"])
    membership.active, membership.ended_on = False, ended
    membership.end_reason = f"{END_PREFIX}{reason}"[:300]
    membership.save(update_fields=["active", "ended_on", "end_reason"])
    unit = membership.unit
    log_event(acting_user, "evaluation.remove_member", flag, area=flag.community, before={"status": "open",
                                                                                         "active": True},
              after={"status": flag.status, "reason": reason, "ended_on": ended.isoformat(),
                     "member": membership.person_name, "unit": unit.name if unit else ""})
    notify(unit_liaisons(membership.unit_id), "evaluation.member_removed",
           _("%(name)s of your unit was removed from %(committee)s as a part-time member on %(day)s (title only): "
             "%(reason)s. The notice letter can be downloaded from the page.") % {
               "name": membership.person_name, "committee": flag.membership.party_org.name,
               "day": ended.isoformat(), "reason": reason},
           members_check.flag_url(flag))
    return flag


@transaction.atomic
def do_run_check(*, acting_user: User | None, area: Area) -> dict[str, int]:
    """Run the title-only check now over a subdistrict (or a larger area) the user reviews at."""
    if area.level not in (Area.Level.SUBDISTRICT, Area.Level.DISTRICT, Area.Level.CITY):
        raise ActionError(_("The check runs over a subdistrict."), field="area")
    if acting_user is not None and not flag_policy.in_scope(acting_user, area, flag_policy.rules["review"]):
        raise PermissionDenied(_("Only the subdistrict runs the title-only check."))
    done = members_check.run_check(area=area)
    log_event(acting_user, "evaluation.check", area, area=area, after=done)
    return done
