"""The cases part's writes: disputes and their mediation.

- `do_record_dispute`: a walk-in, a grid worker's report or a referral, with its parties (residents picked from
  core's roster in scope or typed in, owners' committees, property companies, units, communities); a random
  reference (TJ2026-483920), never the database id; across communities the alliance is derived (or chosen).
- `do_record_from_appeal`: the same from an appeal (source "appeal"): a core `Link` "disputes.from_appeal" from the
  dispute to the appeal, and the appeal's resident is told (their account, and an SMS to the callback phone).
- `do_save_parties`: the parties edited while the dispute is not closed, by those who see its content.
- `do_assign`: to a mediator (the community's 矛盾调解员 post holders, members of its committee) or a body (the
  community's committee, an office of its alliance); earlier assignments end; the assignees are told.
- `do_record_session` (→ in mediation), `do_record_outcome` (not agreed / referred, with the reason), `do_close`.
  "Agreement reached" is the agreements part's `do_record_agreement`.
- `tell_applicants`: a dispute turned from an appeal tells its applicants the outcome (agreed, not agreed,
  referred) on their account and by SMS, as the appeal promised them an answer; only the outcome, never the
  content, so a phone-only resident hears the end too.
- `do_reveal_party` (a party's particulars in full) and `do_record_view` (every view of a dispute): audited.

Audit events carry no personal data: never a name, phone, ID number, address, title or notes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actions import do_link
from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict, InvalidTransition
from gongzhi.core.models import Alliance, Area, Resident, Unit, User
from gongzhi.core.notifications import notify, send_sms
from gongzhi.core.permissions import visible_to as core_visible_to
from gongzhi.lib.validators import clean_text, validate_id_number, validate_phone

from .. import queries
from ..models import Dispute, DisputeParty, MediationAssignment, MediationBody, MediationSession
from ..permissions import OPEN_STATUSES, require, sees_content

FROM_APPEAL = "disputes.from_appeal"
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_NAME = 100
MAX_ADDRESS = 200
MAX_PARTIES = 20
# A party row counts when one of these is filled (a row with only its side, kind or community is empty).
SIGNIFICANT = ("name", "resident", "unit", "phone", "id_number", "address")


def new_reference(now: datetime | None = None) -> str:
    """A random reference, "TJ2026-483920": the year and six random digits, unique (never the database id)."""
    year = (now or timezone.now()).astimezone(timezone.get_current_timezone()).year
    for _attempt in range(20):
        ref = f"TJ{year}-{secrets.randbelow(10**6):06d}"
        if not Dispute.objects.filter(reference=ref).exists():
            return ref
    return f"TJ{year}-{secrets.token_hex(4).upper()}"  # pragma: no cover  (a million taken this year)


def _choice(value: Any, choices: Any, *, field: str, message: str, default: str | None = None) -> str:
    text = str(value or "").strip() or (default or "")
    if text not in choices.values:
        raise ActionError(message, field=field)
    return text


def community_of(area: Area | None) -> Area | None:
    """The community an area lies in (itself if it is one)."""
    if area is None:
        return None
    if area.level == Area.Level.COMMUNITY:
        return area
    return area.ancestor_of_level(Area.Level.COMMUNITY)


def _alliance_for(community: Area, others: set[int], chosen: Alliance | None) -> Alliance | None:
    """The alliance a dispute belongs to: the chosen one (it must hold the community and the parties'
    communities), else the first alliance holding them all when parties come from other communities."""
    candidates = Alliance.objects.filter(communities=community).order_by("pk")
    if chosen is not None:
        if not candidates.filter(pk=chosen.pk).exists():
            raise ActionError(_("The community %(community)s does not belong to the alliance %(alliance)s.")
                              % {"community": community.name, "alliance": chosen.name}, field="alliance")
        candidates = candidates.filter(pk=chosen.pk)
    if not others:
        return chosen
    for alliance in candidates:
        members = set(alliance.communities.values_list("pk", flat=True))
        if others <= members:
            return alliance
    raise ActionError(_("A party belongs to a community that is not in an alliance with %(community)s: record "
                        "the dispute in that community, or type the party in without a community.")
                      % {"community": community.name}, field="parties")


def _party_error(index: int, message: str, field: str) -> ActionError:
    return ActionError(_("Party %(n)d: %(error)s") % {"n": index, "error": message}, field=f"party-{index}-{field}")


def _clean_party(user: User | None, raw: Mapping[str, Any], index: int, community: Area) -> dict[str, Any]:
    """One party's fields checked (a Chinese error naming the party's row)."""
    kind = str(raw.get("kind") or DisputeParty.Kind.RESIDENT).strip()
    if kind not in DisputeParty.Kind.values:
        raise _party_error(index, _("Please choose what kind of party it is."), "kind")
    side = str(raw.get("side") or "").strip()
    if side not in DisputeParty.Side.values:
        raise _party_error(index, _("Please choose the side: applicant or respondent."), "side")
    resident: Resident | None = None
    unit: Unit | None = None
    party_community: Area | None = None
    resident_id, unit_id, community_id = raw.get("resident"), raw.get("unit"), raw.get("community")
    if isinstance(resident_id, Resident):
        resident_id = resident_id.pk
    if isinstance(unit_id, Unit):
        unit_id = unit_id.pk
    if isinstance(community_id, Area):
        community_id = community_id.pk
    if resident_id not in (None, "", 0):
        if kind != DisputeParty.Kind.RESIDENT:
            raise _party_error(index, _("Only a resident party can be picked from the residents."), "resident")
        qs = Resident.objects.select_related("area") if user is None else core_visible_to(user, Resident)
        resident = qs.select_related("area").filter(pk=_int(resident_id)).first()
        if resident is None:
            raise _party_error(index, _("This resident was not found among the residents you may see."), "resident")
        party_community = community_of(resident.area)
    if unit_id not in (None, "", 0):
        if kind == DisputeParty.Kind.RESIDENT:
            raise _party_error(index, _("A resident cannot be picked from the units."), "unit")
        qs_u = Unit.objects.select_related("area") if user is None else core_visible_to(user, Unit)
        unit = qs_u.select_related("area").filter(pk=_int(unit_id)).first()
        if unit is None:
            raise _party_error(index, _("This unit was not found among the units you may see."), "unit")
        party_community = party_community or community_of(unit.area)
    if community_id not in (None, "", 0):
        chosen = Area.objects.filter(pk=_int(community_id), level=Area.Level.COMMUNITY).first()
        if chosen is None:
            raise _party_error(index, _("Please choose the party's community from the list."), "community")
        party_community = chosen if resident is None and unit is None else party_community or chosen
    name = str(raw.get("name") or "").strip() or (resident.name if resident else unit.name if unit else "")
    if not name:
        raise _party_error(index, _("Please enter the party's name."), "name")
    if len(name) > MAX_NAME:
        raise _party_error(index, _("The name is too long (at most 100 characters)."), "name")
    phone = str(raw.get("phone") or "").strip().replace(" ", "")
    id_number = str(raw.get("id_number") or "").strip().upper()
    address = str(raw.get("address") or "").strip()
    if resident is not None:
        phone = phone or resident.phone
        id_number = id_number or resident.id_number
        address = address or resident.address
    elif unit is not None:
        phone = phone or unit.contact_phone
        address = address or unit.address
    if phone:
        try:
            validate_phone(phone)
        except ActionError as exc:
            raise _party_error(index, exc.message, "phone") from exc
    if id_number:
        if kind != DisputeParty.Kind.RESIDENT:
            raise _party_error(index, _("Only a person has an ID number: leave it empty for an organization."),
                               "id_number")
        try:
            validate_id_number(id_number)
        except ActionError as exc:
            raise _party_error(index, exc.message, "id_number") from exc
    if len(address) > MAX_ADDRESS:
        raise _party_error(index, _("The address is too long (at most 200 characters)."), "address")
    return {"kind": kind, "side": side, "name": name, "resident": resident, "unit": unit,
            "community": party_community or community, "phone": phone, "id_number": id_number, "address": address,
            "id": _int(raw.get("id")) if raw.get("id") not in (None, "") else None}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _clean_parties(user: User | None, parties: Iterable[Mapping[str, Any]], community: Area) -> list[dict[str, Any]]:
    rows = [p for p in parties if any(str(p.get(k) or "").strip() for k in SIGNIFICANT)]
    if len(rows) > MAX_PARTIES:
        raise ActionError(_("A dispute has at most 20 parties."), field="parties")
    cleaned = [_clean_party(user, raw, i, community) for i, raw in enumerate(rows, start=1)]
    sides = {p["side"] for p in cleaned}
    if DisputeParty.Side.APPLICANT not in sides:
        raise ActionError(_("Please enter at least one applicant (the party who brings the dispute)."),
                          field="parties")
    if DisputeParty.Side.RESPONDENT not in sides:
        raise ActionError(_("Please enter at least one respondent (the other party)."), field="parties")
    return cleaned


def _fields(title: Any, kind: Any, stakes: Any, urgency: Any, risk: Any) -> dict[str, str]:
    return {
        "title": clean_text(title, field="title", limit=MAX_TITLE, empty=_("Please give the dispute a short title.")),
        "kind": _choice(kind, Dispute.Kind, field="kind", message=_("Please choose the type of dispute.")),
        "stakes": clean_text(stakes, field="stakes", limit=MAX_TEXT,
                             empty=_("Please describe what is at stake between the parties.")),
        "urgency": _choice(urgency, Dispute.Urgency, field="urgency", message=_("Please choose the urgency."),
                           default=Dispute.Urgency.NORMAL),
        "risk": _choice(risk, Dispute.Risk, field="risk", message=_("Please choose the risk of escalation."),
                        default=Dispute.Risk.LOW),
    }


@transaction.atomic
def do_record_dispute(*, acting_user: User | None, community: Area | None, title: Any, kind: Any, stakes: Any,
                      parties: Iterable[Mapping[str, Any]], source: Any = Dispute.Source.WALK_IN,
                      urgency: Any = Dispute.Urgency.NORMAL, risk: Any = Dispute.Risk.LOW,
                      alliance: Alliance | None = None, created_at: datetime | None = None) -> Dispute:
    """Record a dispute in `community` with its parties (at least one applicant and one respondent)."""
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose the community where the dispute is recorded."), field="community")
    require(acting_user, "record", Dispute(community=community),
            _("You may record disputes only in your own community."))
    source = _choice(source, Dispute.Source, field="source", message=_("Please choose where the dispute came from."),
                     default=Dispute.Source.WALK_IN)
    fields = _fields(title, kind, stakes, urgency, risk)
    cleaned = _clean_parties(acting_user, parties, community)
    others = {p["community"].pk for p in cleaned if p["community"].pk != community.pk}
    alliance = _alliance_for(community, others, alliance)
    now = created_at or timezone.now()
    dispute = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(
                    reference=new_reference(now), source=source, community=community, alliance=alliance,
                    recorded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
                    created_at=now, **fields)
            break
        except IntegrityError:  # pragma: no cover  (the same random reference at the same moment)
            continue
    if dispute is None:  # pragma: no cover
        raise Conflict(_("Please try again: the reference could not be allocated."))
    DisputeParty.objects.bulk_create([DisputeParty(dispute=dispute, **{k: v for k, v in p.items() if k != "id"})
                                      for p in cleaned])
    log_event(acting_user, "disputes.record", dispute, area=community, after={
        "source": source, "kind": fields["kind"], "urgency": fields["urgency"], "risk": fields["risk"],
        "parties": len(cleaned), "alliance": alliance.pk if alliance else None})
    return dispute


def appeal_community(appeal: Any) -> Area | None:
    """The community an appeal lies in (its place, or its resident's)."""
    area = getattr(appeal, "area", None)
    if area is None and getattr(appeal, "resident", None) is not None:
        area = appeal.resident.area
    return community_of(area)


def appeal_party(appeal: Any) -> dict[str, Any]:
    """The appeal's resident as the applicant, with their particulars (from the roster, else the appeal)."""
    resident = getattr(appeal, "resident", None)
    community = appeal_community(appeal)
    return {
        "kind": DisputeParty.Kind.RESIDENT, "side": DisputeParty.Side.APPLICANT,
        "resident": resident.pk if resident is not None else None,
        "name": (resident.name if resident is not None else "") or appeal.callback_name,
        "phone": appeal.callback_phone if resident is None or not resident.phone else "",
        "address": appeal.address if resident is None or not resident.address else "",
        "community": community.pk if community is not None else None,
    }


@transaction.atomic
def do_record_from_appeal(appeal: Any, *, acting_user: User | None, community: Area | None = None,
                          title: Any = None, kind: Any = Dispute.Kind.NEIGHBOURS, stakes: Any = None,
                          parties: Iterable[Mapping[str, Any]] | None = None, urgency: Any = Dispute.Urgency.NORMAL,
                          risk: Any = Dispute.Risk.LOW, alliance: Alliance | None = None) -> Dispute:
    """Turn an appeal into a dispute: linked ("disputes.from_appeal"), the appeal's resident told."""
    existing = queries.dispute_of_appeal(appeal)
    if existing is not None:
        raise Conflict(_("This appeal was already turned into the dispute %(reference)s.")
                       % {"reference": existing.reference})
    community = community or appeal_community(appeal)
    rows = list(parties) if parties is not None else [appeal_party(appeal)]
    dispute = do_record_dispute(
        acting_user=acting_user, community=community, title=title if title is not None else appeal.title,
        kind=kind, stakes=stakes if stakes is not None else appeal.body, parties=rows,
        source=Dispute.Source.APPEAL, urgency=urgency, risk=risk, alliance=alliance)
    do_link(dispute, appeal, kind=FROM_APPEAL, acting_user=acting_user, area=dispute.community)
    text = _("Your appeal %(code)s is now handled as a dispute for people's mediation (reference %(reference)s); "
             "a mediator of %(community)s will contact you.") % {
        "code": appeal.tracking_code, "reference": dispute.reference, "community": dispute.community.name}
    resident = getattr(appeal, "resident", None)
    told = 0
    if resident is not None and resident.user_id is not None:
        told = notify([resident.user], "disputes.from_appeal", text)
    phone = appeal.callback_phone or (resident.phone if resident is not None else "")
    if phone:
        send_sms(phone, text)
    log_event(acting_user, "disputes.from_appeal", dispute, area=dispute.community, after={
        "appeal": appeal.pk, "resident_notified": bool(told), "sms": bool(phone)})
    return dispute


def outcome_text(dispute: Dispute) -> str:
    """What the applicants are told of the outcome: where it stands and what they can do, nothing of the content."""
    values = {"reference": dispute.reference, "community": dispute.community.name}
    if dispute.status == Dispute.Status.AGREED:
        return _("Your dispute %(reference)s was settled: the parties signed a mediation agreement. If it is not "
                 "carried out, contact the mediators of %(community)s.") % values
    if dispute.status == Dispute.Status.REFERRED:
        where = (dispute.referred_unit.name if dispute.referred_unit is not None
                 else str(dispute.get_referred_to_display()))
        return _("Your dispute %(reference)s was referred to %(where)s; they will handle it from now on.") % {
            **values, "where": where}
    return _("Mediation of your dispute %(reference)s ended without an agreement; the mediators of %(community)s "
             "will tell you the other ways open to you (such as a lawsuit or arbitration).") % values


def tell_applicants(dispute: Dispute) -> dict[str, int]:
    """A dispute from an appeal: its applicant residents learn the outcome (their account, an SMS to their phone).
    Returns how many accounts and phones were told (the audit keeps the counts, never who)."""
    if dispute.source != Dispute.Source.APPEAL:
        return {"accounts": 0, "sms": 0}
    users: list[User] = []
    phones: set[str] = set()
    for party in dispute.parties.filter(side=DisputeParty.Side.APPLICANT, kind=DisputeParty.Kind.RESIDENT
                                        ).select_related("resident", "resident__user"):
        resident = party.resident
        if resident is not None and resident.user is not None:
            users.append(resident.user)
        phone = party.phone or (resident.phone if resident is not None else "")
        if phone:
            phones.add(phone)
    text = outcome_text(dispute)
    told = notify(users, "disputes.outcome_told", text)
    for phone in sorted(phones):
        send_sms(phone, text)
    return {"accounts": told, "sms": len(phones)}


def _locked(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update(of=("self",)).select_related("community", "alliance").get(pk=dispute.pk)


@transaction.atomic
def do_save_parties(dispute: Dispute, *, acting_user: User | None,
                    parties: Iterable[Mapping[str, Any]]) -> list[DisputeParty]:
    """The parties as given: rows with an id are updated, rows without are added, missing ones removed."""
    dispute = _locked(dispute)
    if acting_user is not None and not sees_content(acting_user, dispute):
        raise PermissionDenied(_("Only those who handle the dispute may change its parties."))
    if dispute.status == Dispute.Status.CLOSED:
        raise InvalidTransition(_("The dispute is closed: its parties can no longer be changed."))
    cleaned = _clean_parties(acting_user, parties, dispute.community)
    others = {p["community"].pk for p in cleaned if p["community"].pk != dispute.community_id}
    alliance = _alliance_for(dispute.community, others, dispute.alliance)
    current = {p.pk: p for p in dispute.parties.all()}
    kept: list[DisputeParty] = []
    for row in cleaned:
        pk = row.pop("id")
        if pk is not None and pk in current:
            party = current.pop(pk)
            for key, value in row.items():
                setattr(party, key, value)
            party.save()
        else:
            party = DisputeParty.objects.create(dispute=dispute, **row)
        kept.append(party)
    removed = len(current)
    DisputeParty.objects.filter(pk__in=list(current)).delete()
    if alliance != dispute.alliance:
        dispute.alliance = alliance
        dispute.save(update_fields=["alliance"])
    log_event(acting_user, "disputes.parties", dispute, area=dispute.community,
              after={"parties": len(kept), "removed": removed})
    return kept


def _assignee_text(mediator: User | None, body: MediationBody | None) -> str:
    if body is not None:
        return body.name
    return (mediator.display_name or mediator.username) if mediator is not None else ""


@transaction.atomic
def do_assign(dispute: Dispute, *, acting_user: User | None, mediator: User | None = None,
              body: MediationBody | None = None) -> MediationAssignment:
    """Assign the dispute to one mediator or one body; earlier assignments end; the assignees are told."""
    dispute = _locked(dispute)
    if dispute.status not in OPEN_STATUSES:
        raise InvalidTransition(_("This dispute is no longer open: it cannot be assigned."))
    require(acting_user, "assign", dispute, _("Only the community desk or the head of a mediation body assigns "
                                              "disputes."))
    if (mediator is None) == (body is None):
        raise ActionError(_("Please choose one mediator or one mediation body."), field="assignee")
    if mediator is not None and mediator.pk not in {u.pk for u in queries.mediator_choices(dispute)}:
        raise ActionError(_("%(name)s does not hold the mediator post of %(community)s and is not a member of its "
                            "mediation committee.") % {"name": mediator.display_name or mediator.username,
                                                      "community": dispute.community.name}, field="mediator")
    if body is not None and body.pk not in {b.pk for b in queries.body_choices(dispute)}:
        raise ActionError(_("%(body)s does not cover this dispute: choose the community's mediation committee or "
                            "the mediation office of its alliance.") % {"body": body.name}, field="body")
    current = dispute.assignments.filter(active=True).first()
    if current is not None and current.mediator_id == (mediator.pk if mediator else None) and \
            current.body_id == (body.pk if body else None):
        raise Conflict(_("The dispute is already assigned to %(who)s.") % {"who": _assignee_text(mediator, body)})
    ended = dispute.assignments.filter(active=True).update(active=False)
    assignment = MediationAssignment.objects.create(
        dispute=dispute, mediator=mediator, body=body,
        assigned_by=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    before = dispute.status
    if dispute.status == Dispute.Status.RECORDED:
        dispute.status = Dispute.Status.ASSIGNED
        dispute.save(update_fields=["status"])
    users: list[User] = [mediator] if mediator is not None else queries.body_users(body)  # type: ignore[arg-type]
    notify(users, "disputes.assigned",
           _("The dispute %(reference)s (%(kind)s, %(community)s) was assigned to %(who)s for mediation.")
           % {"reference": dispute.reference, "kind": dispute.get_kind_display(), "community": dispute.community.name,
              "who": _assignee_text(mediator, body)}, queries.dispute_url(dispute))
    log_event(acting_user, "disputes.assign", dispute, area=dispute.community, before={"status": before},
              after={"status": dispute.status, "mediator": mediator.pk if mediator else None,
                     "body": body.pk if body else None, "ended": ended})
    return assignment


def parse_when(value: Any, *, field: str, message: str) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = str(value or "").strip()
    if not text:
        raise ActionError(message, field=field)
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ActionError(_("Please enter the date and time as 2026-03-01 14:30."), field=field) from exc
    return when if timezone.is_aware(when) else timezone.make_aware(when)


@transaction.atomic
def do_record_session(dispute: Dispute, *, acting_user: User | None, held_at: Any, place: Any, attendees: Any,
                      notes: Any) -> MediationSession:
    """A mediation session held (date, place, who attended, notes): the dispute is in mediation."""
    dispute = _locked(dispute)
    if dispute.status not in (Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION):
        raise InvalidTransition(_("A session is recorded only for a dispute assigned or in mediation."))
    require(acting_user, "mediate", dispute, _("Only the assigned mediators record the sessions."))
    when = parse_when(held_at, field="held_at", message=_("Please enter when the session was held."))
    if when > timezone.now() + timedelta(minutes=5):
        raise ActionError(_("Record a session after it was held: the time cannot be in the future."),
                          field="held_at")
    if when < dispute.created_at - timedelta(days=1):
        raise ActionError(_("The session cannot be before the dispute was recorded."), field="held_at")
    session = MediationSession.objects.create(
        dispute=dispute, held_at=when,
        place=clean_text(place, field="place", limit=200, empty=_("Please enter where the session was held.")),
        attendees=clean_text(attendees, field="attendees", limit=1000,
                             empty=_("Please enter who attended the session.")),
        notes=clean_text(notes, field="notes", limit=MAX_TEXT, empty=_("Please write the notes of the session.")),
        recorded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    before = dispute.status
    if dispute.status == Dispute.Status.ASSIGNED:
        dispute.status = Dispute.Status.IN_MEDIATION
        dispute.save(update_fields=["status"])
    log_event(acting_user, "disputes.session", dispute, area=dispute.community, before={"status": before},
              after={"status": dispute.status, "session": session.pk, "held_at": when.isoformat()})
    return session


OUTCOMES = (Dispute.Status.NOT_AGREED, Dispute.Status.REFERRED)


@transaction.atomic
def do_record_outcome(dispute: Dispute, *, acting_user: User | None, outcome: Any, reason: Any,
                      referred_to: Any = "", referred_unit: Unit | None = None) -> Dispute:
    """No agreement, or referred (people's court, arbitration, a department), with the reason."""
    dispute = _locked(dispute)
    if dispute.status not in (Dispute.Status.ASSIGNED, Dispute.Status.IN_MEDIATION):
        raise InvalidTransition(_("The outcome is recorded only for a dispute assigned or in mediation (now: "
                                  "%(status)s).") % {"status": dispute.get_status_display()})
    require(acting_user, "mediate", dispute, _("Only the assigned mediators record the outcome."))
    outcome = str(outcome or "").strip()
    if outcome not in OUTCOMES:
        raise ActionError(_("Please choose the outcome: no agreement, or referred."), field="outcome")
    reason = clean_text(reason, field="reason", limit=MAX_TEXT, empty=_("Please give the reason for the outcome."))
    to = ""
    unit = None
    if outcome == Dispute.Status.REFERRED:
        to = str(referred_to or "").strip()
        if to not in Dispute.ReferredTo.values:
            raise ActionError(_("Please choose where the dispute is referred to."), field="referred_to")
        if to == Dispute.ReferredTo.DEPARTMENT:
            if referred_unit is None:
                raise ActionError(_("Please choose the department the dispute is referred to."),
                                  field="referred_unit")
            if referred_unit.kind != Unit.Kind.DEPARTMENT:
                raise ActionError(_("%(unit)s is not a department.") % {"unit": referred_unit.name},
                                  field="referred_unit")
            unit = referred_unit
    before = dispute.status
    dispute.status, dispute.referred_to, dispute.referred_unit = outcome, to, unit
    dispute.outcome_reason, dispute.resolved_at = reason, timezone.now()
    dispute.save(update_fields=["status", "referred_to", "referred_unit", "outcome_reason", "resolved_at"])
    told = tell_applicants(dispute)
    log_event(acting_user, "disputes.outcome", dispute, area=dispute.community, before={"status": before},
              after={"status": outcome, "referred_to": to, "unit": unit.pk if unit else None, "told": told})
    return dispute


@transaction.atomic
def do_close(dispute: Dispute, *, acting_user: User | None) -> Dispute:
    """Close a dispute whose outcome is recorded (agreement reached, none, or referred)."""
    dispute = _locked(dispute)
    if dispute.status == Dispute.Status.CLOSED:
        raise Conflict(_("This dispute is already closed."))
    if dispute.status not in (Dispute.Status.AGREED, Dispute.Status.NOT_AGREED, Dispute.Status.REFERRED):
        raise InvalidTransition(_("Record the outcome before closing the dispute."))
    require(acting_user, "close", dispute, _("Only the mediators or the community desk close a dispute."))
    before = dispute.status
    dispute.status = Dispute.Status.CLOSED
    dispute.resolved_at = dispute.resolved_at or timezone.now()
    dispute.save(update_fields=["status", "resolved_at"])
    log_event(acting_user, "disputes.close", dispute, area=dispute.community, before={"status": before},
              after={"status": dispute.status})
    return dispute


def do_reveal_party(party: DisputeParty, *, acting_user: User) -> dict[str, str]:
    """A party's particulars in full, for those who see the content; each reveal is audited (no value in it)."""
    dispute = party.dispute
    require(acting_user, "view_content", dispute, _("Only those who handle the dispute see the parties."))
    fields = [f for f in ("phone", "id_number", "address") if getattr(party, f)]
    log_event(acting_user, "disputes.party.reveal", dispute, area=dispute.community,
              after={"party": party.pk, "fields": fields})
    return {"phone": party.phone, "id_number": party.id_number, "address": party.address}


def do_record_view(dispute: Dispute, *, acting_user: Any, via: str) -> None:
    """Every view of a dispute (its page, its API detail) is audited, whoever looks; no personal data."""
    log_event(acting_user if getattr(acting_user, "is_authenticated", False) else None, "disputes.view", dispute,
              area=dispute.community, after={"via": via, "content": sees_content(acting_user, dispute)})
