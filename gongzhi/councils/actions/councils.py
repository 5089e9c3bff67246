"""Councils and their councillors' terms: create a council with its rules, change the rules, appoint or elect a
councillor (a resident of the community, for a term, with an optional account), renew a term (a new row that
`renews` the old one) and end a term early. Each function is one transaction with a policy check and an audit row.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Resident, User

from ..models import Council, Councillor
from ..permissions import council_policy
from ._common import clean_text

RULES = ["quorum", "majority", "abstentions_count", "ballot"]
TERM = ["resident", "user", "how", "term_start", "term_end", "renews", "ended_early_on"]
MAX_TERM_DAYS = 366 * 10


def _quorum(value: Any) -> Decimal:
    try:
        quorum = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(_("The quorum must be a share from 0 to 1, e.g. 0.5 for half."), field="quorum") from exc
    if not quorum.is_finite() or not Decimal("0") <= quorum <= Decimal("1"):
        raise ActionError(_("The quorum must be a share from 0 to 1, e.g. 0.5 for half."), field="quorum")
    return quorum.quantize(Decimal("0.01"))


def _rules(quorum: Any, majority: str, abstentions_count: bool, ballot: str) -> dict[str, Any]:
    if majority not in Council.Majority.values:
        raise ActionError(_("Please choose the majority: simple or two thirds."), field="majority")
    if ballot not in Council.Ballot.values:
        raise ActionError(_("Please choose an open or a secret ballot."), field="ballot")
    return {"quorum": _quorum(quorum), "majority": majority, "abstentions_count": bool(abstentions_count),
            "ballot": ballot}


@transaction.atomic
def do_create_council(*, acting_user: User | None, area: Area, name: str = "", quorum: Any = "0.5",
                      majority: str = Council.Majority.SIMPLE, abstentions_count: bool = True,
                      ballot: str = Council.Ballot.OPEN) -> Council:
    """The residents' council of a community (one per community), with its voting rules."""
    if area.level != Area.Level.COMMUNITY:
        raise ActionError(_("A residents' council belongs to a community: please choose one."), field="area")
    council_policy.require(acting_user, "manage", area, _("You may not set up a council for this community."))
    if Council.objects.filter(area=area).exists():
        raise ActionError(_("This community already has a residents' council."), field="area")
    name = clean_text(name, "name", 100) or _("%(community)s residents' council") % {"community": area.name}
    council = Council.objects.create(area=area, name=name, **_rules(quorum, majority, abstentions_count, ballot))
    log_event(acting_user, "councils.create_council", council, area=area, after=snapshot(council, ["name", *RULES]))
    return council


@transaction.atomic
def do_update_rules(council: Council, *, acting_user: User | None, **changes: Any) -> Council:
    """Change the council's name or rules (quorum, majority, abstentions_count, ballot). A vote already open keeps
    the rules it was opened with for its electorate; the count uses the rules when it closes, so change the rules
    between votes."""
    council = Council.objects.select_for_update(of=("self",)).select_related("area").get(pk=council.pk)
    council_policy.require(acting_user, "manage", council, _("You may not change this council's rules."))
    unknown = set(changes) - {"name", *RULES}
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if council.proposals.filter(status="voting").exists() and set(changes) & set(RULES):
        raise InvalidTransition(_("A vote is open: change the rules once it has closed."))
    before = snapshot(council, ["name", *RULES])
    merged = {name: changes.get(name, getattr(council, name)) for name in RULES}
    for name, value in _rules(**merged).items():
        setattr(council, name, value)
    if "name" in changes:
        council.name = clean_text(changes["name"], "name", 100, required=_("Please enter the council's name."))
    council.save(update_fields=["name", *RULES])
    log_event(acting_user, "councils.update_rules", council, area=council.area, before=before,
              after=snapshot(council, ["name", *RULES]))
    return council


def _term(start: date, end: date) -> None:
    if end < start:
        raise ActionError(_("The term must end after it starts."), field="term_end")
    if (end - start).days > MAX_TERM_DAYS:
        raise ActionError(_("A term lasts at most ten years."), field="term_end")


def _check_resident(council: Council, resident: Resident) -> None:
    if not resident.area.path.startswith(council.area.path):
        raise ActionError(_("A councillor must be a resident of the council's community."), field="resident")


def _check_overlap(council: Council, resident: Resident, start: date, end: date, exclude: int | None = None) -> None:
    clash = Councillor.objects.filter(council=council, resident=resident, term_start__lte=end, term_end__gte=start)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    for term in clash:
        if term.ended_early_on is None or term.ended_early_on > start:
            raise ActionError(_("This resident already has a term on the council at that time."), field="term_start")


def _check_user(resident: Resident, user: User | None) -> User | None:
    if user is None:
        return resident.user
    if resident.user_id is not None and resident.user_id != user.pk:
        raise ActionError(_("This resident has another account."), field="user")
    return user


@transaction.atomic
def do_appoint_councillor(council: Council, *, acting_user: User | None, resident: Resident, term_start: date,
                          term_end: date, user: User | None = None,
                          how: str = Councillor.How.APPOINTED) -> Councillor:
    """A councillor for a term: a resident of the community, elected or appointed; `user` is the account they sign
    in with (the resident's own account when not given)."""
    council = Council.objects.select_for_update(of=("self",)).select_related("area").get(pk=council.pk)
    council_policy.require(acting_user, "manage", council, _("You may not appoint councillors here."))
    if how not in Councillor.How.values:
        raise ActionError(_("Please say whether the councillor was elected or appointed."), field="how")
    resident = Resident.objects.select_related("area").get(pk=resident.pk)
    _check_resident(council, resident)
    _term(term_start, term_end)
    _check_overlap(council, resident, term_start, term_end)
    councillor = Councillor.objects.create(council=council, resident=resident, user=_check_user(resident, user),
                                           how=how, term_start=term_start, term_end=term_end)
    log_event(acting_user, "councils.appoint_councillor", councillor, area=council.area,
              after=snapshot(councillor, TERM))
    return councillor


def do_elect(council: Council, **kwargs: Any) -> Councillor:
    """A councillor elected for a term (as `do_appoint_councillor`)."""
    return do_appoint_councillor(council, how=Councillor.How.ELECTED, **kwargs)


@transaction.atomic
def do_renew_term(councillor: Councillor, *, acting_user: User | None, term_end: date,
                  term_start: date | None = None, how: str | None = None) -> Councillor:
    """A new term for the same resident, following the old one (starting the day after it ends unless told): a new
    row with `renews` = the old term, which keeps its dates."""
    old = Councillor.objects.select_for_update(of=("self",)).select_related("council__area", "resident__area").get(
        pk=councillor.pk)
    council = old.council
    council_policy.require(acting_user, "manage", council, _("You may not renew councillors' terms here."))
    if old.ended_early_on is not None:
        raise InvalidTransition(_("This councillor left early: appoint them again instead of renewing."))
    if old.renewals.exists():
        raise InvalidTransition(_("This term has already been renewed."))
    start = term_start or old.term_end + timedelta(days=1)
    if start <= old.term_start:
        raise ActionError(_("The new term must start after the old one started."), field="term_start")
    _check_resident(council, old.resident)
    _term(start, term_end)
    _check_overlap(council, old.resident, start, term_end, exclude=old.pk)
    new = Councillor.objects.create(council=council, resident=old.resident, user=old.user, how=how or old.how,
                                    term_start=start, term_end=term_end, renews=old)
    if start <= old.term_end:  # the new term starts early: the old one ends the day before
        old.term_end = max(old.term_start, start - timedelta(days=1))
        old.save(update_fields=["term_end"])
    log_event(acting_user, "councils.renew_term", new, area=council.area, after=snapshot(new, TERM))
    return new


@transaction.atomic
def do_end_term_early(councillor: Councillor, *, acting_user: User | None, on: date | None = None,
                      reason: str = "") -> Councillor:
    """The councillor leaves before the term ends (moved away, resigned ...): from `on` (today) they no longer
    serve. The row stays (their past votes keep their councillor)."""
    councillor = Councillor.objects.select_for_update(of=("self",)).select_related("council__area").get(pk=councillor.pk)
    council_policy.require(acting_user, "manage", councillor.council, _("You may not end councillors' terms here."))
    day = on or timezone.localdate()
    reason = clean_text(reason, "reason", 200)
    if councillor.ended_early_on is not None:
        raise InvalidTransition(_("This councillor has already left."))
    if day > councillor.term_end:
        raise InvalidTransition(_("This term is already over."))
    if day < councillor.term_start:
        day = councillor.term_start
    before = snapshot(councillor, ["ended_early_on"])
    councillor.ended_early_on = day
    councillor.save(update_fields=["ended_early_on"])
    log_event(acting_user, "councils.end_term_early", councillor, area=councillor.council.area, before=before,
              after={**snapshot(councillor, ["ended_early_on"]), "reason": reason})
    return councillor
