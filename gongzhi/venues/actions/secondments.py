"""Staff exchanges (挂职) between communities of an alliance.

- `do_propose_secondment`: a community worker of either community (or staff above it) proposes: the person (a
  user working in the sending community), from, to, the period, the role title and what they will work on. The
  proposer speaks for their own side: that side's agreement is recorded with the proposal (staff covering both
  communities agree for both at once).
- `do_agree_secondment`: the other side's worker agrees for their community; when both have agreed the status is
  "agreed", and the period starts at once if its first day has come.
- `do_run_secondments` (scheduled hourly, idempotent): on `starts_on` the person gets the host community's
  community-worker grant (`gongzhi.core.actions.do_grant_role`, kept in `secondment.grant`), status "active", the
  person told; after `ends_on` the grant is taken back (`do_revoke_role`), status "ended", the person asked to file
  the report.
- `do_file_secondment_report`: the person's report (what they learned, what they brought back).
- `do_cancel_secondment`: either side, before the period starts.

Every write is one transaction with the policy's check (`secondment_policy`) and an audit row
("venues.secondment.*"). System jobs pass acting_user=None.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actions import do_grant_role, do_revoke_role
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, Grant, Role, User
from gongzhi.core.notifications import notify
from gongzhi.core.policy import covers, users_with_roles_at
from gongzhi.lib.validators import clean_text

from ..models import Secondment
from ..permissions import COMMUNITY_WORKERS, secondment_policy, secondment_side

MAX_ROLE = 100
MAX_WORK = 2000
MAX_REPORT = 3000
MAX_REASON = 200
OPEN = (Secondment.Status.PROPOSED, Secondment.Status.AGREED, Secondment.Status.ACTIVE)


def secondment_url(secondment: Secondment) -> str:
    return reverse("venues:secondment", kwargs={"pk": secondment.pk})


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _workers(community: Area) -> list[User]:
    return list(users_with_roles_at(COMMUNITY_WORKERS, community).distinct())


def shared_alliance(a: Area, b: Area) -> Alliance | None:
    return Alliance.objects.filter(communities=a).filter(communities=b).order_by("pk").first()


def works_in(person: User, community: Area) -> bool:
    """Does one of the person's grants lie in the community (at it or below)?"""
    return Grant.objects.filter(user=person, area__path__startswith=community.path).exists()


def _date(value: Any, *, field: str, missing: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ActionError(missing, field=field)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ActionError(_("Please enter the date as a date, e.g. 2026-03-01."), field=field) from exc


@transaction.atomic
def do_propose_secondment(*, acting_user: User | None, person: User | None, from_community: Area | None,
                          to_community: Area | None, starts_on: Any, ends_on: Any, role_title: Any,
                          work: Any = "", today: date | None = None) -> Secondment:
    today = today or timezone.localdate()
    if person is None or not person.is_active:
        raise ActionError(_("Please choose the person to second."), field="person")
    if from_community is None or from_community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose the community the person comes from."), field="from_community")
    if to_community is None or to_community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose the host community."), field="to_community")
    if from_community.pk == to_community.pk:
        raise ActionError(_("A secondment is between two different communities."), field="to_community")
    alliance = shared_alliance(from_community, to_community)
    if alliance is None:
        raise ActionError(_("%(a)s and %(b)s are not in one alliance; secondments are between allied communities.")
                          % {"a": from_community.name, "b": to_community.name}, field="to_community")
    start = _date(starts_on, field="starts_on", missing=_("Please give the first day of the secondment."))
    end = _date(ends_on, field="ends_on", missing=_("Please give the last day of the secondment."))
    if end < start:
        raise ActionError(_("The secondment must end on or after its first day."), field="ends_on")
    if acting_user is not None and start < today:
        raise ActionError(_("The first day cannot be in the past."), field="starts_on")
    title = clean_text(role_title, field="role_title", limit=MAX_ROLE,
                       empty=_("Please give the role the person takes in the host community."))
    text = clean_text(work, field="work", limit=MAX_WORK)
    secondment = Secondment(person=person, alliance=alliance, from_community=from_community,
                            to_community=to_community, starts_on=start, ends_on=end, role_title=title, work=text,
                            created_by=acting_user)
    side = "both" if acting_user is None else secondment_side(acting_user, secondment)
    if acting_user is not None and not (side and secondment_policy.can(acting_user, "propose", secondment)):
        raise PermissionDenied(_("Only the workers of the two communities propose a secondment."))
    if not works_in(person, from_community):
        raise ActionError(_("%(name)s does not work in %(community)s.")
                          % {"name": _name(person), "community": from_community.name}, field="person")
    if covers(person, to_community, COMMUNITY_WORKERS):
        raise ActionError(_("%(name)s already holds a community-worker role in %(community)s.")
                          % {"name": _name(person), "community": to_community.name}, field="person")
    overlap = Secondment.objects.filter(person=person, status__in=OPEN, starts_on__lte=end, ends_on__gte=start)
    if overlap.exists():
        raise ActionError(_("%(name)s already has a secondment in this period.") % {"name": _name(person)},
                          field="starts_on")
    now = timezone.now()
    if side in ("from", "both"):
        secondment.from_agreed_by, secondment.from_agreed_at = acting_user, now
    if side in ("to", "both"):
        secondment.to_agreed_by, secondment.to_agreed_at = acting_user, now
    secondment.save()
    log_event(acting_user, "venues.secondment.propose", secondment, area=from_community,
              after={"person": person.username, "from": from_community.name, "to": to_community.name,
                     "starts_on": start.isoformat(), "ends_on": end.isoformat(), "role": title, "side": side})
    if side == "both":
        _agreed(secondment, acting_user, today)
    else:
        other = to_community if side == "from" else from_community
        notify(_workers(other), "venues.secondment.propose",
               _("%(from)s proposes to second %(name)s to %(to)s from %(start)s to %(end)s; please agree for "
                 "%(other)s.") % {"from": from_community.name, "name": _name(person), "to": to_community.name,
                                  "start": start.isoformat(), "end": end.isoformat(), "other": other.name},
               secondment_url(secondment))
    return secondment


def _locked(secondment: Secondment) -> Secondment:
    Secondment.objects.select_for_update().filter(pk=secondment.pk).first()
    return Secondment.objects.select_related("person", "from_community", "to_community", "grant").get(
        pk=secondment.pk)


@transaction.atomic
def do_agree_secondment(secondment: Secondment, *, acting_user: User | None,
                        today: date | None = None) -> Secondment:
    """A side agrees (a worker of that community; staff covering both agree for both)."""
    secondment = _locked(secondment)
    if secondment.status != Secondment.Status.PROPOSED:
        raise Conflict(_("This secondment is no longer waiting for agreement (%(status)s).")
                       % {"status": secondment.get_status_display()})
    side = "both" if acting_user is None else secondment_side(acting_user, secondment)
    if not side:
        raise PermissionDenied(_("Only the workers of the two communities agree to a secondment."))
    if acting_user is not None and not secondment_policy.can(acting_user, "agree", secondment):
        raise Conflict(_("Your community has already agreed; waiting for the other community."))
    now = timezone.now()
    fields = []
    if side in ("from", "both") and secondment.from_agreed_at is None:
        secondment.from_agreed_by, secondment.from_agreed_at = acting_user, now
        fields += ["from_agreed_by", "from_agreed_at"]
    if side in ("to", "both") and secondment.to_agreed_at is None:
        secondment.to_agreed_by, secondment.to_agreed_at = acting_user, now
        fields += ["to_agreed_by", "to_agreed_at"]
    secondment.save(update_fields=fields)
    log_event(acting_user, "venues.secondment.agree", secondment, area=secondment.from_community,
              after={"side": side})
    if secondment.from_agreed_at is not None and secondment.to_agreed_at is not None:
        _agreed(secondment, acting_user, today or timezone.localdate())
    return secondment


def _agreed(secondment: Secondment, acting_user: User | None, today: date) -> None:
    secondment.status = Secondment.Status.AGREED
    secondment.save(update_fields=["status"])
    notify([secondment.person, *_workers(secondment.from_community), *_workers(secondment.to_community)],
           "venues.secondment.agreed",
           _("Both communities agreed: %(name)s is seconded from %(from)s to %(to)s as %(role)s, %(start)s to "
             "%(end)s.") % {"name": _name(secondment.person), "from": secondment.from_community.name,
                            "to": secondment.to_community.name, "role": secondment.role_title,
                            "start": secondment.starts_on.isoformat(), "end": secondment.ends_on.isoformat()},
           secondment_url(secondment))
    if secondment.starts_on <= today:
        _advance(secondment, today)


@transaction.atomic
def do_cancel_secondment(secondment: Secondment, *, acting_user: User | None, reason: Any) -> Secondment:
    secondment = _locked(secondment)
    if secondment.status not in (Secondment.Status.PROPOSED, Secondment.Status.AGREED):
        raise Conflict(_("Only a secondment that has not started can be cancelled (%(status)s).")
                       % {"status": secondment.get_status_display()})
    secondment_policy.require(acting_user, "cancel", secondment,
                              _("Only the workers of the two communities cancel a secondment."))
    text = clean_text(reason, field="reason", limit=MAX_REASON, empty=_("Please say why it is cancelled."))
    before = secondment.status
    secondment.status = Secondment.Status.CANCELLED
    secondment.save(update_fields=["status"])
    log_event(acting_user, "venues.secondment.cancel", secondment, area=secondment.from_community,
              before={"status": before}, after={"status": secondment.status, "reason": text})
    notify([secondment.person], "venues.secondment.cancel",
           _("Your secondment to %(to)s was cancelled: %(reason)s") % {"to": secondment.to_community.name,
                                                                      "reason": text},
           secondment_url(secondment))
    return secondment


# --- the period: start and end -------------------------------------------------------------------------------


def _start(secondment: Secondment) -> None:
    to = secondment.to_community
    exists = Grant.objects.filter(user=secondment.person, role=Role.COMMUNITY_WORKER, area=to, unit=None).exists()
    grant = None if exists else do_grant_role(secondment.person, role=Role.COMMUNITY_WORKER, area=to,
                                              acting_user=None)
    secondment.status, secondment.grant = Secondment.Status.ACTIVE, grant
    secondment.save(update_fields=["status", "grant"])
    log_event(None, "venues.secondment.start", secondment, area=to, after={"status": secondment.status,
                                                                          "grant": grant.pk if grant else None})
    notify([secondment.person], "venues.secondment.start",
           _("Your secondment to %(to)s as %(role)s starts today; until %(end)s you work there as a community "
             "worker.") % {"to": to.name, "role": secondment.role_title, "end": secondment.ends_on.isoformat()},
           secondment_url(secondment))


def _end(secondment: Secondment) -> None:
    if secondment.grant_id is not None:
        do_revoke_role(Grant.objects.get(pk=secondment.grant_id), acting_user=None)
    secondment.status, secondment.grant = Secondment.Status.ENDED, None
    secondment.save(update_fields=["status", "grant"])
    log_event(None, "venues.secondment.end", secondment, area=secondment.to_community,
              after={"status": secondment.status})
    notify([secondment.person], "venues.secondment.end",
           _("Your secondment to %(to)s has ended. Please file a short report: what you learned and what you brought "
             "back.") % {"to": secondment.to_community.name}, secondment_url(secondment))


def _advance(secondment: Secondment, today: date) -> str:
    """Bring one locked secondment up to date with its period; "" when nothing changed."""
    if secondment.status == Secondment.Status.AGREED and secondment.starts_on <= today:
        _start(secondment)
        if secondment.ends_on < today:
            _end(secondment)
            return "ended"
        return "started"
    if secondment.status == Secondment.Status.ACTIVE and secondment.ends_on < today:
        _end(secondment)
        return "ended"
    return ""


def do_run_secondments(today: date | None = None) -> dict[str, int]:
    """The scheduled check: start the agreed secondments whose first day has come, end the active ones whose last
    day has passed. Each in its own transaction; safe to run any number of times."""
    today = today or timezone.localdate()
    due = Secondment.objects.filter(
        Q(status=Secondment.Status.AGREED, starts_on__lte=today)
        | Q(status=Secondment.Status.ACTIVE, ends_on__lt=today)).order_by("starts_on", "pk").values_list("pk",
                                                                                                        flat=True)
    done = {"started": 0, "ended": 0}
    for pk in list(due[:500]):
        with transaction.atomic():
            outcome = _advance(_locked(Secondment(pk=pk)), today)
            if outcome:
                done[outcome] += 1
    return done


@transaction.atomic
def do_file_secondment_report(secondment: Secondment, *, acting_user: User | None, learned: Any,
                              brought: Any) -> Secondment:
    """The seconded person's report: what they learned, what they brought back."""
    secondment = _locked(secondment)
    if secondment.report_filed_at is not None:
        raise Conflict(_("The report was already filed."))
    secondment_policy.require(acting_user, "report", secondment,
                              _("Only the seconded person files the report, once the secondment has started."))
    learned_text = clean_text(learned, field="report_learned", limit=MAX_REPORT,
                              empty=_("Please write what you learned."))
    brought_text = clean_text(brought, field="report_brought", limit=MAX_REPORT,
                              empty=_("Please write what you brought back."))
    secondment.report_learned, secondment.report_brought = learned_text, brought_text
    secondment.report_filed_at = timezone.now()
    secondment.save(update_fields=["report_learned", "report_brought", "report_filed_at"])
    log_event(acting_user, "venues.secondment.report", secondment, area=secondment.from_community,
              after={"learned": len(learned_text), "brought": len(brought_text)})
    notify([*_workers(secondment.from_community), *_workers(secondment.to_community)], "venues.secondment.report",
           _("%(name)s filed the report of the secondment to %(to)s.") % {"name": _name(secondment.person),
                                                                         "to": secondment.to_community.name},
           secondment_url(secondment))
    return secondment
