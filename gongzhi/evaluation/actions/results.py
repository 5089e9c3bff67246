"""The results part's writes: closing the rating (results computed, the public notice 公示 starts), objections and
their answers, and making the results final.

- `do_close_rating(campaign)`: open → notice, by the organizer at any time or by the system (acting_user None) once
  the deadline has passed (the scheduled check `close_due`). The results are computed (gongzhi.evaluation.results),
  the notice runs `notice_days` from now, and every ratee's side is told with the link to its result.
- `do_object(ratee, reason)`: the ratee's side during the notice; one open objection per ratee at a time.
- `do_answer_objection(objection, upheld, answer, new_outcome)`: the organizer; upheld may set the outcome (kept on
  the objection as before/after and in the ratee's breakdown as an adjustment with the answer as its reason); the
  objector is told.
- `do_finalize_campaign(campaign)`: notice → final, once the notice has ended and no objection waits; the ratees'
  sides are told.

The campaign's row is locked by each transition (and the ratee's by an objection), so two organizers acting at once
do it once: the second is told it was already done.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict, InvalidTransition
from gongzhi.core.models import Grant, Role, User
from gongzhi.core.notifications import notify

from .. import permissions
from ..models import Campaign, Grade, Objection, Ratee
from ..results import compute_results

MAX_REASON = 1000
MAX_ANSWER = 1000


def result_url(ratee: Ratee) -> str:
    return reverse("evaluation:result", args=[ratee.pk])


def campaign_results_url(campaign: Campaign) -> str:
    return reverse("evaluation:results", args=[campaign.pk])


def side_users(ratees: list[Ratee]) -> dict[int, list[User]]:
    """Each ratee's side, who see its result and may object: a unit's liaisons (a part-time member: their unit's),
    a community party organization: the community's workers. Two queries whatever the number of ratees."""
    unit_of: dict[int, int] = {}
    community_of: dict[int, int] = {}
    for r in ratees:
        if r.kind == Ratee.Kind.UNIT and r.unit_id:
            unit_of[r.pk] = r.unit_id
        elif r.kind == Ratee.Kind.MEMBER and r.membership_id and r.membership and r.membership.unit_id:
            unit_of[r.pk] = r.membership.unit_id
        elif r.kind == Ratee.Kind.COMMUNITY:
            community_of[r.pk] = r.community_id
    by_unit: dict[int, list[User]] = {}
    by_community: dict[int, list[User]] = {}
    if unit_of:
        for g in Grant.objects.filter(role=Role.UNIT_LIAISON, unit_id__in=set(unit_of.values()),
                                      user__is_active=True).select_related("user"):
            by_unit.setdefault(g.unit_id or 0, []).append(g.user)
    if community_of:
        for g in Grant.objects.filter(role=Role.COMMUNITY_WORKER, area_id__in=set(community_of.values()),
                                      user__is_active=True).select_related("user"):
            by_community.setdefault(g.area_id, []).append(g.user)
    out: dict[int, list[User]] = {}
    for r in ratees:
        if r.pk in unit_of:
            out[r.pk] = by_unit.get(unit_of[r.pk], [])
        elif r.pk in community_of:
            out[r.pk] = by_community.get(community_of[r.pk], [])
        else:
            out[r.pk] = []
    return out


def organizers_of(campaign: Campaign) -> list[User]:
    """Whom an objection is told to: the organizers granted at the campaign's area, and whoever set it up."""
    users = list(User.objects.filter(is_active=True, grants__role__in=permissions.ORGANIZER_ROLES,
                                     grants__area_id=campaign.area_id).distinct())
    if campaign.created_by is not None and campaign.created_by.is_active:
        users.append(campaign.created_by)
    return users


def _lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("area").get(pk=campaign.pk)


def _tell_sides(campaign: Campaign, verb: str, text_for: Any) -> int:
    ratees = list(Ratee.objects.filter(campaign=campaign).select_related("membership"))
    sides = side_users(ratees)
    sent = 0
    for ratee in ratees:
        sent += notify(sides[ratee.pk], verb, text_for(ratee), result_url(ratee))
    return sent


@transaction.atomic
def do_close_rating(campaign: Campaign, *, acting_user: User | None) -> Campaign:
    """Close the rating: results computed, the notice period starts, every ratee's side told. The organizer may
    close early; the system (acting_user None) only once the deadline has passed."""
    campaign = _lock_campaign(campaign)
    permissions.campaign_policy.require(acting_user, "manage", campaign)
    if campaign.status != Campaign.Status.OPEN:
        if campaign.status in (Campaign.Status.NOTICE, Campaign.Status.FINAL):
            raise Conflict(_("The rating of this campaign has already been closed."))
        raise InvalidTransition(_("Only a campaign that is open for rating can be closed."))
    now = timezone.now()
    if acting_user is None and now < campaign.deadline:
        raise InvalidTransition(_("The rating deadline has not passed yet."))
    ratees = compute_results(campaign)
    campaign.status = Campaign.Status.NOTICE
    campaign.notice_starts_at = now
    campaign.notice_ends_at = now + timedelta(days=campaign.notice_days)
    campaign.save(update_fields=["status", "notice_starts_at", "notice_ends_at"])
    log_event(acting_user, "evaluation.close", campaign, area=campaign.area,
              before={"status": Campaign.Status.OPEN},
              after={"status": campaign.status, "ratees": len(ratees),
                     "notice_ends_at": campaign.notice_ends_at.isoformat()})
    until = timezone.localtime(campaign.notice_ends_at).strftime("%Y-%m-%d %H:%M")
    _tell_sides(campaign, "evaluation.notice", lambda r: _(
        "The results of %(campaign)s are on public notice until %(until)s: see the result of %(name)s; you may "
        "object during the notice.") % {"campaign": campaign.title, "until": until, "name": r.name})
    return campaign


@transaction.atomic
def do_object(ratee: Ratee, *, reason: str, acting_user: User) -> Objection:
    """The ratee's side objects to its result during the notice period (one open objection at a time)."""
    ratee = Ratee.objects.select_for_update(of=("self",)).select_related(
        "campaign", "campaign__area", "membership", "community").get(pk=ratee.pk)
    reason = str(reason or "").strip()
    if not ratee.campaign.in_notice:
        raise InvalidTransition(_("Objections are taken only during the public notice period."))
    permissions.ratee_policy.require(acting_user, "object", ratee,
                                     _("Only the rated unit, member or community itself may object to its result."))
    if not reason:
        raise ActionError(_("Please give the reason for the objection."), field="reason")
    if len(reason) > MAX_REASON:
        raise ActionError(_("The reason is too long (at most 1000 characters)."), field="reason")
    if ratee.objections.filter(status=Objection.Status.OPEN).exists():
        raise Conflict(_("An objection to this result is already waiting for the organizer's answer."))
    objection = Objection.objects.create(ratee=ratee, raised_by=acting_user, reason=reason)
    log_event(acting_user, "evaluation.object", objection, area=ratee.campaign.area,
              after={"ratee": ratee.name, "reason": reason, "outcome": ratee.outcome})
    notify(organizers_of(ratee.campaign), "evaluation.objection",
           _("%(name)s objected to its result in %(campaign)s.") % {"name": ratee.name,
                                                                   "campaign": ratee.campaign.title},
           reverse("evaluation:objections", args=[ratee.campaign_id]))
    return objection


@transaction.atomic
def do_answer_objection(objection: Objection, *, upheld: bool, answer: str, new_outcome: str | None = None,
                        acting_user: User) -> Objection:
    """The organizer answers an objection; an upheld one may set the ratee's outcome."""
    objection = Objection.objects.select_for_update(of=("self",)).select_related(
        "ratee", "ratee__campaign", "ratee__campaign__area", "raised_by").get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise Conflict(_("This objection has already been answered."))
    campaign = Campaign.objects.select_for_update().get(pk=objection.ratee.campaign_id)
    if campaign.status != Campaign.Status.NOTICE:
        raise InvalidTransition(_("Objections are answered only while the results are on public notice."))
    permissions.objection_policy.require(acting_user, "answer", objection)
    answer = str(answer or "").strip()
    if not answer:
        raise ActionError(_("Please write the answer to the objection."), field="answer")
    if len(answer) > MAX_ANSWER:
        raise ActionError(_("The answer is too long (at most 1000 characters)."), field="answer")
    new_outcome = (new_outcome or "").strip() or None
    if new_outcome is not None and new_outcome not in Grade.values:
        raise ActionError(_("Choose the new outcome: excellent, qualified or unqualified."), field="new_outcome")
    if new_outcome is not None and not upheld:
        raise ActionError(_("Only an upheld objection changes the outcome."), field="new_outcome")
    ratee = Ratee.objects.select_for_update().get(pk=objection.ratee_id)
    now = timezone.now()
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.answer, objection.answered_by, objection.answered_at = answer, acting_user, now
    fields = ["status", "answer", "answered_by", "answered_at"]
    changed = new_outcome is not None and new_outcome != ratee.outcome
    if changed:
        objection.outcome_before, objection.outcome_after = ratee.outcome, new_outcome or ""
        fields += ["outcome_before", "outcome_after"]
        breakdown = dict(ratee.breakdown or {})
        breakdown["adjustments"] = [*breakdown.get("adjustments", []), {
            "objection": objection.pk, "before": ratee.outcome, "after": new_outcome, "reason": answer,
            "at": now.isoformat(), "by": acting_user.display_name or acting_user.username}]
        ratee.breakdown = breakdown
        ratee.outcome = new_outcome or ""
        ratee.save(update_fields=["outcome", "breakdown"])
    objection.save(update_fields=fields)
    log_event(acting_user, "evaluation.answer_objection", objection, area=campaign.area,
              before={"status": Objection.Status.OPEN, "outcome": objection.outcome_before or ratee.outcome},
              after={"status": objection.status, "answer": answer, "outcome": ratee.outcome})
    text = (_("Your objection to the result of %(name)s was upheld: %(answer)s") if upheld
            else _("Your objection to the result of %(name)s was dismissed: %(answer)s"))
    notify([objection.raised_by], "evaluation.objection_answered", text % {"name": ratee.name, "answer": answer},
           result_url(ratee))
    return objection


@transaction.atomic
def do_finalize_campaign(campaign: Campaign, *, acting_user: User | None) -> Campaign:
    """Make the results final once the notice period is over and every objection is answered."""
    campaign = _lock_campaign(campaign)
    permissions.campaign_policy.require(acting_user, "manage", campaign)
    if campaign.status == Campaign.Status.FINAL:
        raise Conflict(_("The results of this campaign are already final."))
    if campaign.status != Campaign.Status.NOTICE:
        raise InvalidTransition(_("Only results on public notice can be made final: close the rating first."))
    now = timezone.now()
    if campaign.notice_ends_at is not None and now <= campaign.notice_ends_at:
        until = timezone.localtime(campaign.notice_ends_at).strftime("%Y-%m-%d %H:%M")
        raise InvalidTransition(_("The public notice runs until %(until)s; the results can be made final after "
                                  "it ends.") % {"until": until})
    waiting = Objection.objects.filter(ratee__campaign=campaign, status=Objection.Status.OPEN).count()
    if waiting:
        raise InvalidTransition(_("%(count)d objection(s) still wait for an answer; answer them before making the "
                                  "results final.") % {"count": waiting})
    campaign.status = Campaign.Status.FINAL
    campaign.finalized_at, campaign.finalized_by = now, acting_user
    campaign.save(update_fields=["status", "finalized_at", "finalized_by"])
    log_event(acting_user, "evaluation.finalize", campaign, area=campaign.area,
              before={"status": Campaign.Status.NOTICE}, after={"status": campaign.status})
    _tell_sides(campaign, "evaluation.final", lambda r: _(
        "The results of %(campaign)s are final: see the result of %(name)s.") % {"campaign": campaign.title,
                                                                                 "name": r.name})
    return campaign


def close_due(now: Any = None) -> dict[str, int]:
    """The scheduled check: close every open campaign whose deadline has passed (each in its own transaction)."""
    now = now or timezone.now()
    closed = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN, deadline__lt=now).order_by("pk"):
        try:
            do_close_rating(campaign, acting_user=None)
            closed += 1
        except ActionError:
            continue
    return {"closed": closed}
