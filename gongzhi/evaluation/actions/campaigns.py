"""Evaluation campaigns: set-up (the campaign, its criteria and rater groups, the ratees drawn from the area, the
raters), opening, and rating. Every write is one transaction with a policy check (`..permissions`) and an audit row
("evaluation.campaign.*", "evaluation.ratee.*", "evaluation.rater.*", "evaluation.rate", "evaluation.rate_changed",
named in reg_campaigns.py). Refusals raise ActionError (400 in the API) and change nothing.

- A campaign is set up by an organizer (subdistrict staff, district or city admins) at a subdistrict or district
  (EvaluationAreaPolicy "organize") and edited while it is a draft.
- Its ratees come from the area: the member units with a confirmed unit registration at each community, the
  part-time members of the community party committees, and (two-way) the community party organizations, rated by
  the units.
- Its raters belong to one group each; a user rates once per campaign. The organizer adds the suggested raters of a
  group (or one account by username) and removes raters who have not rated yet.
- Opening checks that there is something to rate, that every weighted group has raters and that the deadline lies
  ahead; the raters are told.
- `do_rate`: a rater's one rating of a ratee, replaced by a later one before the deadline (audited with the earlier
  grade).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, CommitteeMembership, Grant, PartyOrg, Registration, Role, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.lib.validators import clean_text as _text

from .. import permissions
from ..models import Campaign, Criterion, Grade, Ratee, Rater, RaterGroup, Rating

CAMPAIGN_FIELDS = ["title", "area", "period", "period_start", "period_end", "deadline", "notice_days", "rates_units",
                   "rates_members", "rates_communities", "uses_scores", "status"]
MAX_CRITERIA = 20
MAX_NOTICE_DAYS = 30
# Groups that rate the member units and the part-time members (their weights add up to 100); the units' group rates
# the community party organizations alone (weight 100).
UNIT_MEMBER_GROUPS = ("subdistrict", "community", "estate", "residents")
UNITS_GROUP = "units"
DEFAULT_WEIGHTS = {"subdistrict": 30, "community": 30, "estate": 10, "residents": 30}
# Where a rater of each group rates: the whole campaign (None) or their community.
NEEDS_COMMUNITY = frozenset({"community", "estate", "residents", "units"})


# --- small helpers ---------------------------------------------------------------------------------------------


def default_period(kind: str, today: date | None = None) -> tuple[date, date]:
    """The period a new campaign rates by default: last year (annual) or last quarter (quarterly)."""
    today = today or timezone.localdate()
    if kind == Campaign.Period.QUARTERLY:
        quarter = (today.month - 1) // 3  # this quarter, 0-based; the last one is quarter - 1
        year, last = (today.year, quarter - 1) if quarter else (today.year - 1, 3)
        start = date(year, last * 3 + 1, 1)
        end = (date(year + 1, 1, 1) if last == 3 else date(year, last * 3 + 4, 1)) - timedelta(days=1)
        return start, end
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def default_deadline(now: datetime | None = None) -> datetime:
    """Two weeks from now, at 18:00 local time."""
    now = timezone.localtime(now or timezone.now())
    return (now + timedelta(days=14)).replace(hour=18, minute=0, second=0, microsecond=0)


def communities_of(area: Area) -> Any:
    """The communities a campaign at `area` covers."""
    return Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=area.path).order_by("path")


def _community_of(area: Area | None) -> Area | None:
    if area is None:
        return None
    if area.level == Area.Level.COMMUNITY:
        return area
    return area.ancestor_of_level(Area.Level.COMMUNITY)


def _require_organize(user: User | None, area: Area | None) -> Area:
    if area is None or area.level not in (Area.Level.SUBDISTRICT, Area.Level.DISTRICT):
        raise ActionError(_("A campaign is organized by a subdistrict or a district: please choose one."),
                          field="area")
    if user is not None and not permissions.area_policy.can(user, "organize", area):
        raise PermissionDenied(_("Only the subdistrict or district that organizes the campaign may do this."))
    return area


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("area").get(pk=campaign.pk)


def _require_manage(user: User | None, campaign: Campaign) -> None:
    permissions.campaign_policy.require(
        user, "manage", campaign, _("Only the subdistrict or district that organizes the campaign may do this."))


def _require_draft(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.DRAFT:
        raise InvalidTransition(_("The campaign has been opened: its set-up can no longer change."))


# --- the campaign ----------------------------------------------------------------------------------------------


@dataclass
class CampaignData:
    title: str
    period: str
    period_start: date
    period_end: date
    deadline: datetime
    notice_days: int
    rates_units: bool
    rates_members: bool
    rates_communities: bool
    uses_scores: bool
    criteria: list[tuple[str, int]]
    groups: dict[str, int]


def _int(value: Any, *, field: str, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ActionError(message, field=field) from None


def clean_campaign(*, title: Any, period: Any, period_start: date | None, period_end: date | None,
                   deadline: datetime | None, notice_days: Any, rates_units: bool, rates_members: bool,
                   rates_communities: bool, uses_scores: bool, criteria: Iterable[tuple[Any, Any]] | None,
                   groups: Mapping[str, Any]) -> CampaignData:
    """Check a campaign's set-up; every refusal says what to fix."""
    title = _text(title, field="title", limit=200, empty=_("Please give the campaign a title."))
    period = str(period or Campaign.Period.ANNUAL)
    if period not in Campaign.Period.values:
        raise ActionError(_("Choose an annual or a quarterly campaign."), field="period")
    if period_start is None or period_end is None:
        default_start, default_end = default_period(period)
        period_start, period_end = period_start or default_start, period_end or default_end
    if period_end < period_start:
        raise ActionError(_("The period cannot end before it starts."), field="period_end")
    if deadline is None:
        raise ActionError(_("Please set the rating deadline."), field="deadline")
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if timezone.localtime(deadline).date() < period_start:
        raise ActionError(_("The rating deadline must come after the period starts."), field="deadline")
    days = _int(notice_days, field="notice_days",
                message=_("The notice period is 1 to %(max)d days.") % {"max": MAX_NOTICE_DAYS})
    if not 1 <= days <= MAX_NOTICE_DAYS:
        raise ActionError(_("The notice period is 1 to %(max)d days.") % {"max": MAX_NOTICE_DAYS},
                          field="notice_days")
    rates_units, rates_members, rates_communities = bool(rates_units), bool(rates_members), bool(rates_communities)
    if not (rates_units or rates_members or rates_communities):
        raise ActionError(_("Choose whom the campaign rates: the member units, the part-time committee members, or "
                            "the community party organizations."), field="rates_units")
    rows: list[tuple[str, int]] = []
    if uses_scores:
        for name, max_score in criteria or ():
            name = _text(name, field="criteria", limit=100)
            if not name and not str(max_score or "").strip():
                continue
            if not name:
                raise ActionError(_("Every criterion needs a name."), field="criteria")
            top = _int(max_score, field="criteria",
                       message=_("The maximum score of %(name)s must be a whole number from 1 to 100.") % {
                           "name": name})
            if not 1 <= top <= 100:
                raise ActionError(_("The maximum score of %(name)s must be a whole number from 1 to 100.") % {
                    "name": name}, field="criteria")
            if any(n == name for n, _m in rows):
                raise ActionError(_("The criterion %(name)s is listed twice.") % {"name": name}, field="criteria")
            rows.append((name, top))
        if not rows:
            raise ActionError(_("Scoring each criterion needs at least one criterion (a name and its maximum "
                                "score)."), field="criteria")
        if len(rows) > MAX_CRITERIA:
            raise ActionError(_("At most %(n)d criteria.") % {"n": MAX_CRITERIA}, field="criteria")
    weights: dict[str, int] = {}
    for kind, raw in groups.items():
        if kind not in RaterGroup.Kind.values:
            raise ActionError(_("Unknown rater group."), field="groups")
        if raw is None or str(raw).strip() == "":
            continue
        label = RaterGroup.Kind(kind).label
        weight = _int(raw, field=f"weight_{kind}",
                      message=_("The weight of %(group)s must be a whole number from 0 to 100.") % {"group": label})
        if not 0 <= weight <= 100:
            raise ActionError(_("The weight of %(group)s must be a whole number from 0 to 100.") % {"group": label},
                              field=f"weight_{kind}")
        weights[kind] = weight
    rating = [k for k in UNIT_MEMBER_GROUPS if k in weights]
    if rates_units or rates_members:
        if not rating:
            raise ActionError(_("Choose who rates the member units and part-time members: at least one rater "
                                "group with its weight."), field="groups")
        total = sum(weights[k] for k in rating)
        if total != 100:
            raise ActionError(_("The weights of the groups that rate the member units and part-time members add "
                                "up to %(total)d%%: they must add up to 100%%.") % {"total": total}, field="groups")
    elif rating:
        raise ActionError(_("These groups rate the member units and part-time members, which this campaign does "
                            "not rate: leave their weights empty."), field="groups")
    if rates_communities:
        if weights.get(UNITS_GROUP) != 100:
            raise ActionError(_("The member units alone rate the community party organizations: give their group "
                                "the weight 100%."), field="weight_units")
    elif UNITS_GROUP in weights:
        raise ActionError(_("The member units' group rates the community party organizations: turn on rating the "
                            "community party organizations, or leave its weight empty."), field="weight_units")
    return CampaignData(title=title, period=period, period_start=period_start, period_end=period_end,
                        deadline=deadline, notice_days=days, rates_units=rates_units, rates_members=rates_members,
                        rates_communities=rates_communities, uses_scores=bool(uses_scores), criteria=rows,
                        groups=weights)


def _write_criteria(campaign: Campaign, rows: list[tuple[str, int]]) -> None:
    existing = {c.name: c for c in campaign.criteria.all()}
    keep: set[int] = set()
    for order, (name, top) in enumerate(rows):
        c = existing.get(name)
        if c is None:
            c = Criterion.objects.create(campaign=campaign, order=order, name=name, max_score=top)
        elif (c.order, c.max_score) != (order, top):
            c.order, c.max_score = order, top
            c.save(update_fields=["order", "max_score"])
        keep.add(c.pk)
    campaign.criteria.exclude(pk__in=keep).delete()


def _write_groups(campaign: Campaign, weights: dict[str, int]) -> None:
    existing = {g.kind: g for g in campaign.groups.all()}
    for kind, weight in weights.items():
        g = existing.get(kind)
        if g is None:
            RaterGroup.objects.create(campaign=campaign, kind=kind, weight=weight)
        elif g.weight != weight:
            g.weight = weight
            g.save(update_fields=["weight"])
    # A group dropped from the set-up takes its raters with it (a draft: nobody has rated).
    campaign.groups.exclude(kind__in=list(weights)).delete()


def _setup(campaign: Campaign) -> dict[str, Any]:
    data = snapshot(campaign, CAMPAIGN_FIELDS)
    data["criteria"] = [[c.name, c.max_score] for c in campaign.criteria.all()]
    data["groups"] = {g.kind: g.weight for g in campaign.groups.all()}
    return data


@transaction.atomic
def do_create_campaign(*, acting_user: User | None, area: Area, title: str, period: str = Campaign.Period.ANNUAL,
                       period_start: date | None = None, period_end: date | None = None,
                       deadline: datetime | None = None, notice_days: int = 5, rates_units: bool = True,
                       rates_members: bool = True, rates_communities: bool = False, uses_scores: bool = False,
                       criteria: Iterable[tuple[Any, Any]] | None = None,
                       groups: Mapping[str, Any] | None = None) -> Campaign:
    """A draft campaign at a subdistrict or district, with its criteria, groups and the ratees of its area."""
    area = _require_organize(acting_user, area)
    d = clean_campaign(title=title, period=period, period_start=period_start, period_end=period_end,
                       deadline=deadline, notice_days=notice_days, rates_units=rates_units,
                       rates_members=rates_members, rates_communities=rates_communities, uses_scores=uses_scores,
                       criteria=criteria, groups=DEFAULT_WEIGHTS if groups is None else groups)
    campaign = Campaign.objects.create(
        title=d.title, area=area, period=d.period, period_start=d.period_start, period_end=d.period_end,
        deadline=d.deadline, notice_days=d.notice_days, rates_units=d.rates_units, rates_members=d.rates_members,
        rates_communities=d.rates_communities, uses_scores=d.uses_scores, created_by=acting_user)
    _write_criteria(campaign, d.criteria)
    _write_groups(campaign, d.groups)
    added, _removed = _sync_ratees(campaign, prune=False)
    after = _setup(campaign)
    after["ratees"] = added
    log_event(acting_user, "evaluation.campaign.create", campaign, area=area, after=after)
    return campaign


@transaction.atomic
def do_update_campaign(campaign: Campaign, *, acting_user: User | None, **changes: Any) -> Campaign:
    """Change a draft's set-up (any of do_create_campaign's fields but the area). When whom it rates changes, the
    ratees of kinds no longer rated go and those of newly rated kinds come from the area."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    _require_draft(campaign)
    unknown = set(changes) - {"title", "period", "period_start", "period_end", "deadline", "notice_days",
                              "rates_units", "rates_members", "rates_communities", "uses_scores", "criteria",
                              "groups"}
    if unknown:
        raise ActionError(_("Unknown field: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    before = _setup(campaign)
    current: dict[str, Any] = {name: getattr(campaign, name) for name in (
        "title", "period", "period_start", "period_end", "deadline", "notice_days", "rates_units", "rates_members",
        "rates_communities", "uses_scores")}
    current["criteria"] = [(c.name, c.max_score) for c in campaign.criteria.all()]
    current["groups"] = {g.kind: g.weight for g in campaign.groups.all()}
    current.update({k: v for k, v in changes.items() if v is not None or k in ("period_start", "period_end")})
    if "period" in changes and changes["period"] != campaign.period and "period_start" not in changes:
        current["period_start"] = current["period_end"] = None  # a new kind: its default period
    d = clean_campaign(**current)
    kinds_before = (campaign.rates_units, campaign.rates_members, campaign.rates_communities)
    for name in ("title", "period", "period_start", "period_end", "deadline", "notice_days", "rates_units",
                 "rates_members", "rates_communities", "uses_scores"):
        setattr(campaign, name, getattr(d, name))
    campaign.save(update_fields=["title", "period", "period_start", "period_end", "deadline", "notice_days",
                                 "rates_units", "rates_members", "rates_communities", "uses_scores"])
    _write_criteria(campaign, d.criteria if d.uses_scores else [])
    _write_groups(campaign, d.groups)
    if kinds_before != (campaign.rates_units, campaign.rates_members, campaign.rates_communities):
        _drop_unrated_kinds(campaign)
        _sync_ratees(campaign, prune=False, only_new_kinds=kinds_before)
    log_event(acting_user, "evaluation.campaign.update", campaign, area=campaign.area, before=before,
              after=_setup(campaign))
    return campaign


# --- ratees ----------------------------------------------------------------------------------------------------


def ratee_key(r: Ratee) -> str:
    if r.kind == Ratee.Kind.UNIT:
        return f"unit:{r.unit_id}:{r.community_id}"
    if r.kind == Ratee.Kind.MEMBER:
        return f"member:{r.membership_id}"
    return f"community:{r.community_id}"


def rated_kinds(campaign: Campaign) -> list[str]:
    kinds: list[str] = []
    if campaign.rates_units:
        kinds.append(Ratee.Kind.UNIT)
    if campaign.rates_members:
        kinds.append(Ratee.Kind.MEMBER)
    if campaign.rates_communities:
        kinds.append(Ratee.Kind.COMMUNITY)
    return kinds


def candidate_ratees(campaign: Campaign, kinds: Iterable[str] | None = None) -> list[Ratee]:
    """The ratees the campaign's area gives (unsaved): member units with a confirmed registration at a community of
    the area (one per unit per community), the active part-time members of its community party committees, and
    (two-way) its community party organizations."""
    kinds = set(rated_kinds(campaign) if kinds is None else kinds)
    communities = communities_of(campaign.area)
    out: list[Ratee] = []
    if Ratee.Kind.UNIT in kinds:
        regs = (Registration.objects.confirmed().filter(kind=Registration.Kind.UNIT, community__in=communities)
                .select_related("unit", "community").order_by("community__path", "unit__name", "pk"))
        for reg in regs:
            out.append(Ratee(campaign=campaign, kind=Ratee.Kind.UNIT, unit=reg.unit, community=reg.community,
                             name=reg.unit.name[:150]))  # type: ignore[union-attr]
    if Ratee.Kind.MEMBER in kinds:
        seats = (CommitteeMembership.objects.filter(
            active=True, role=CommitteeMembership.Role.PART_TIME_MEMBER,
            party_org__kind=PartyOrg.Kind.COMMUNITY_COMMITTEE, party_org__area__in=communities)
            .select_related("party_org", "party_org__area", "unit").order_by("party_org__area__path", "person_name",
                                                                             "pk"))
        for m in seats:
            name = f"{m.person_name}（{m.unit.name}）" if m.unit is not None else m.person_name
            out.append(Ratee(campaign=campaign, kind=Ratee.Kind.MEMBER, membership=m, unit=m.unit,
                             community=m.party_org.area, party_org=m.party_org, name=name[:150]))
    if Ratee.Kind.COMMUNITY in kinds:
        orgs = (PartyOrg.objects.filter(kind=PartyOrg.Kind.COMMUNITY_COMMITTEE, area__in=communities)
                .select_related("area").order_by("area__path"))
        for org in orgs:
            out.append(Ratee(campaign=campaign, kind=Ratee.Kind.COMMUNITY, community=org.area, party_org=org,
                             name=org.name[:150]))
    return out


def _sync_ratees(campaign: Campaign, *, prune: bool, only_new_kinds: tuple[bool, bool, bool] | None = None
                 ) -> tuple[int, int]:
    """Add the area's ratees that are missing; with `prune`, remove those the area no longer gives."""
    kinds = rated_kinds(campaign)
    if only_new_kinds is not None:
        was = {k for k, on in zip((Ratee.Kind.UNIT, Ratee.Kind.MEMBER, Ratee.Kind.COMMUNITY), only_new_kinds,
                                  strict=True) if on}
        kinds = [k for k in kinds if k not in was]
    wanted = {ratee_key(r): r for r in candidate_ratees(campaign, kinds)}
    existing = {ratee_key(r): r for r in campaign.ratees.filter(kind__in=kinds)}
    new = [r for key, r in wanted.items() if key not in existing]
    Ratee.objects.bulk_create(new)
    removed = 0
    if prune:
        gone = [r.pk for key, r in existing.items() if key not in wanted]
        removed = Ratee.objects.filter(pk__in=gone).delete()[0] if gone else 0
    return len(new), removed


def _drop_unrated_kinds(campaign: Campaign) -> int:
    return campaign.ratees.exclude(kind__in=rated_kinds(campaign)).delete()[0]


@transaction.atomic
def do_refresh_ratees(campaign: Campaign, *, acting_user: User | None) -> tuple[int, int]:
    """Draw the ratees from the area again (a draft): new registrations and seats come in, ended ones go; ratees
    removed by hand come back. Returns (added, removed)."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    _require_draft(campaign)
    dropped = _drop_unrated_kinds(campaign)
    added, removed = _sync_ratees(campaign, prune=True)
    log_event(acting_user, "evaluation.campaign.refresh", campaign, area=campaign.area,
              after={"added": added, "removed": removed + dropped, "ratees": campaign.ratees.count()})
    return added, removed + dropped


@transaction.atomic
def do_remove_ratee(ratee: Ratee, *, acting_user: User | None) -> None:
    """Leave a ratee out of a draft campaign (it comes back with "add back" or a refresh)."""
    campaign = _lock(ratee.campaign)
    _require_manage(acting_user, campaign)
    _require_draft(campaign)
    ratee = Ratee.objects.get(pk=ratee.pk, campaign=campaign)
    log_event(acting_user, "evaluation.ratee.remove", ratee, area=campaign.area,
              before={"kind": ratee.kind, "name": ratee.name, "community": ratee.community.name})
    ratee.delete()


@transaction.atomic
def do_add_ratee(campaign: Campaign, *, acting_user: User | None, key: str) -> Ratee:
    """Put back one of the area's ratees (by its key, as `candidate_ratees` gives it) in a draft."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    _require_draft(campaign)
    existing = {ratee_key(r) for r in campaign.ratees.all()}
    if key in existing:
        raise ActionError(_("This ratee is already in the campaign."), field="key")
    found = next((r for r in candidate_ratees(campaign) if ratee_key(r) == key), None)
    if found is None:
        raise ActionError(_("Only the area's member units, part-time members and community party organizations can "
                            "be rated in this campaign."), field="key")
    found.save()
    log_event(acting_user, "evaluation.ratee.add", found, area=campaign.area,
              after={"kind": found.kind, "name": found.name, "community": found.community.name})
    return found


# --- raters ----------------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    user: User
    community: Area | None
    party_org: PartyOrg | None = None
    unit: Unit | None = None


def _grants_under(campaign: Campaign, roles: Iterable[str]) -> Any:
    return (Grant.objects.filter(role__in=list(roles), area__path__startswith=campaign.area.path, user__is_active=True)
            .select_related("user", "area", "unit").order_by("area__path", "user__username", "pk"))


def _committees(campaign: Campaign) -> dict[int, PartyOrg]:
    return {o.area_id: o for o in PartyOrg.objects.filter(kind=PartyOrg.Kind.COMMUNITY_COMMITTEE,
                                                          area__path__startswith=campaign.area.path)}


def suggested_raters(campaign: Campaign, kind: str) -> list[Suggestion]:
    """Who the group is made of, from the grants over the campaign's area:

    - subdistrict: subdistrict staff granted at the campaign's subdistrict(s) (they rate every ratee of a
      subdistrict's campaign; in a district's campaign, those of their subdistrict);
    - community: the community workers of each community (for its community party committee);
    - estate: community workers, grid workers and party members granted at an estate (for its party branch);
    - residents: accounts with a resident grant at a community of the area (the organizer picks among them);
    - units: the liaisons of the ratee units (each rates its unit's community).
    """
    out: list[Suggestion] = []
    if kind == "subdistrict":
        district = campaign.area.level == Area.Level.DISTRICT
        for g in _grants_under(campaign, [Role.SUBDISTRICT_STAFF]).filter(area__level=Area.Level.SUBDISTRICT):
            out.append(Suggestion(g.user, g.area if district else None))
    elif kind == "community":
        committees = _committees(campaign)
        for g in _grants_under(campaign, [Role.COMMUNITY_WORKER]).filter(area__level=Area.Level.COMMUNITY):
            out.append(Suggestion(g.user, g.area, committees.get(g.area_id)))
    elif kind == "estate":
        grants = list(_grants_under(campaign, [Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.PARTY_MEMBER])
                      .filter(area__level=Area.Level.ESTATE))
        branches = {o.area_id: o for o in PartyOrg.objects.filter(
            kind=PartyOrg.Kind.BRANCH, area_id__in={g.area_id for g in grants})}
        for g in grants:
            out.append(Suggestion(g.user, _community_of(g.area), branches.get(g.area_id)))
    elif kind == "residents":
        for g in _grants_under(campaign, [Role.RESIDENT]):
            community = _community_of(g.area)
            if community is not None:
                out.append(Suggestion(g.user, community))
    elif kind == UNITS_GROUP:
        communities: dict[int | None, Area] = {}
        for r in campaign.ratees.filter(kind=Ratee.Kind.UNIT).select_related("community").order_by("community__path"):
            communities.setdefault(r.unit_id, r.community)
        for g in (Grant.objects.filter(role=Role.UNIT_LIAISON, unit_id__in=list(communities), user__is_active=True)
                  .select_related("user", "unit").order_by("unit__name", "user__username", "pk")):
            out.append(Suggestion(g.user, communities[g.unit_id], unit=g.unit))
    seen: set[int] = set()
    unique = []
    for s in out:
        if s.user.pk not in seen:
            seen.add(s.user.pk)
            unique.append(s)
    return unique


def _lock_group(campaign: Campaign, kind: str) -> RaterGroup:
    group = RaterGroup.objects.filter(campaign=campaign, kind=kind).first()
    if group is None:
        raise ActionError(_("This campaign has no such rater group: add it with its weight first."), field="group")
    return group


def _require_raters_open(campaign: Campaign) -> None:
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.OPEN):
        raise InvalidTransition(_("The rating has closed: the raters can no longer change."))


def _rater_place(campaign: Campaign, group: RaterGroup, user: User, community: Area | None,
                 party_org: PartyOrg | None, unit: Unit | None) -> Suggestion:
    """Where the rater rates: checked against the campaign's area and the group's kind; missing parts are taken from
    the suggestions (the user's grants)."""
    if not user.is_active:
        raise ActionError(_("This account is disabled."), field="username")
    suggestion = next((s for s in suggested_raters(campaign, group.kind) if s.user.pk == user.pk), None)
    if party_org is not None:
        if not party_org.area.path.startswith(campaign.area.path):
            raise ActionError(_("The party organization must lie in the campaign's area."), field="party_org")
        community = community or _community_of(party_org.area)
    if group.kind == "subdistrict":
        # A subdistrict's rater in a district's campaign rates their own subdistrict's ratees (from their grant).
        return Suggestion(user, suggestion.community if suggestion is not None else None, party_org, None)
    if community is None and suggestion is not None:
        community = suggestion.community
        party_org = party_org or suggestion.party_org
        unit = unit or suggestion.unit
    if community is None:
        raise ActionError(_("Choose the community this rater rates in."), field="community")
    if community.level != Area.Level.COMMUNITY or not community.path.startswith(campaign.area.path):
        raise ActionError(_("The community must lie in the campaign's area."), field="community")
    if group.kind == "community" and party_org is None:
        party_org = _committees(campaign).get(community.pk)
    if group.kind == UNITS_GROUP:
        if unit is None and suggestion is not None:
            unit = suggestion.unit
        if unit is None:
            raise ActionError(_("A rater of the member units speaks for a unit: add the liaison of a ratee unit."),
                              field="username")
    return Suggestion(user, community, party_org, unit)


def _create_rater(campaign: Campaign, group: RaterGroup, place: Suggestion) -> Rater:
    taken = Rater.objects.filter(campaign=campaign, user=place.user).select_related("group").first()
    if taken is not None:
        raise ActionError(_("%(name)s already rates in this campaign (%(group)s): a person rates once per "
                            "campaign.") % {"name": str(place.user), "group": taken.group.get_kind_display()},
                          field="username")
    try:
        with transaction.atomic():
            return Rater.objects.create(campaign=campaign, group=group, user=place.user, community=place.community,
                                        party_org=place.party_org, unit=place.unit)
    except IntegrityError:
        raise ActionError(_("%(name)s already rates in this campaign: a person rates once per campaign.") % {
            "name": str(place.user)}, field="username") from None


def _tell_raters(campaign: Campaign, users: list[User]) -> None:
    if campaign.status == Campaign.Status.OPEN and users:
        deadline = timezone.localtime(campaign.deadline)
        notify(users, "evaluation.rating_open",
               _("Please rate in %(title)s by %(deadline)s.") % {"title": campaign.title,
                                                                 "deadline": f"{deadline:%Y-%m-%d %H:%M}"},
               url=reverse("evaluation:rating_tasks"))


def _rater_after(rater: Rater) -> dict[str, Any]:
    return {"user": rater.user.username, "group": rater.group.kind,
            "community": rater.community.name if rater.community else None,
            "party_org": rater.party_org.name if rater.party_org else None,
            "unit": rater.unit.name if rater.unit else None}


@transaction.atomic
def do_add_rater(campaign: Campaign, *, acting_user: User | None, kind: str, user: User | None,
                 community: Area | None = None, party_org: PartyOrg | None = None, unit: Unit | None = None) -> Rater:
    """One account joins a group (in a draft or while the rating is open: then they are told at once)."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    _require_raters_open(campaign)
    group = _lock_group(campaign, kind)
    if user is None:
        raise ActionError(_("No account with this username."), field="username")
    place = _rater_place(campaign, group, user, community, party_org, unit)
    rater = _create_rater(campaign, group, place)
    log_event(acting_user, "evaluation.rater.add", rater, area=campaign.area, after=_rater_after(rater))
    _tell_raters(campaign, [user])
    return rater


@transaction.atomic
def do_add_suggested_raters(campaign: Campaign, *, acting_user: User | None, kind: str) -> int:
    """Every suggested account of the group who does not rate in the campaign yet joins it; returns how many."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    _require_raters_open(campaign)
    group = _lock_group(campaign, kind)
    taken = set(Rater.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    added: list[Rater] = []
    for s in suggested_raters(campaign, kind):
        if s.user.pk in taken:
            continue
        added.append(Rater.objects.create(campaign=campaign, group=group, user=s.user, community=s.community,
                                          party_org=s.party_org, unit=s.unit))
        taken.add(s.user.pk)
    if added:
        log_event(acting_user, "evaluation.rater.suggested", group, area=campaign.area,
                  after={"group": kind, "added": [r.user.username for r in added]})
        _tell_raters(campaign, [r.user for r in added])
    return len(added)


@transaction.atomic
def do_remove_rater(rater: Rater, *, acting_user: User | None) -> None:
    """Take a rater out (only one who has not rated: ratings are never deleted)."""
    campaign = _lock(rater.campaign)
    _require_manage(acting_user, campaign)
    _require_raters_open(campaign)
    rater = Rater.objects.select_for_update(of=("self",)).select_related("group", "user", "community", "party_org",
                                                                         "unit").get(pk=rater.pk, campaign=campaign)
    if rater.ratings.exists():
        raise InvalidTransition(_("%(name)s has already rated: a rater who has rated stays in the campaign.") % {
            "name": str(rater.user)})
    log_event(acting_user, "evaluation.rater.remove", rater, area=campaign.area, before=_rater_after(rater))
    rater.delete()


# --- opening ---------------------------------------------------------------------------------------------------


def open_problems(campaign: Campaign, now: datetime | None = None) -> list[str]:
    """What stops the campaign from opening (empty: it may open)."""
    now = now or timezone.now()
    problems = []
    if not campaign.ratees.exists():
        problems.append(_("There is nobody to rate: refresh the ratees from the area."))
    counts = {g.kind: (g.weight, g.raters.count(), g.get_kind_display()) for g in campaign.groups.all()}
    for _kind, (weight, raters, label) in counts.items():
        if weight > 0 and raters == 0:
            problems.append(_("%(group)s has no raters yet: add them, or set its weight to 0.") % {"group": label})
    kinds = set(campaign.ratees.values_list("kind", flat=True))
    if Ratee.Kind.COMMUNITY in kinds and UNITS_GROUP not in counts:
        problems.append(_("The community party organizations are rated by the member units: add their group."))
    if campaign.deadline <= now:
        problems.append(_("The rating deadline has passed: set a deadline in the future."))
    return problems


@transaction.atomic
def do_open_campaign(campaign: Campaign, *, acting_user: User | None) -> Campaign:
    """Draft → open: the raters rate until the deadline; each is told, with a link to their list."""
    campaign = _lock(campaign)
    _require_manage(acting_user, campaign)
    if campaign.status != Campaign.Status.DRAFT:
        raise InvalidTransition(_("The campaign is already open."))
    problems = open_problems(campaign)
    if problems:
        raise ActionError(" ".join(problems))
    campaign.status, campaign.opened_at = Campaign.Status.OPEN, timezone.now()
    campaign.save(update_fields=["status", "opened_at"])
    users = list(User.objects.filter(evaluation_raters__campaign=campaign, is_active=True))
    log_event(acting_user, "evaluation.campaign.open", campaign, area=campaign.area,
              before={"status": Campaign.Status.DRAFT},
              after={"status": campaign.status, "raters": len(users), "ratees": campaign.ratees.count()})
    _tell_raters(campaign, users)
    return campaign


# --- rating ----------------------------------------------------------------------------------------------------


def _clean_scores(campaign: Campaign, scores: Mapping[Any, Any] | None) -> dict[str, int]:
    if not campaign.uses_scores:
        return {}
    scores = {str(k): v for k, v in (scores or {}).items()}
    out: dict[str, int] = {}
    for c in campaign.criteria.all():
        raw = scores.get(str(c.pk))
        if raw is None or str(raw).strip() == "":
            raise ActionError(_("Please score %(name)s (0 to %(max)d).") % {"name": c.name, "max": c.max_score},
                              field=f"score_{c.pk}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= c.max_score:
            raise ActionError(_("The score of %(name)s is 0 to %(max)d.") % {"name": c.name, "max": c.max_score},
                              field=f"score_{c.pk}")
        out[str(c.pk)] = value
    unknown = set(scores) - set(out)
    if unknown:
        raise ActionError(_("Score only this campaign's criteria."), field="scores")
    return out


def _require_can_rate(campaign: Campaign, now: datetime) -> None:
    if campaign.status == Campaign.Status.DRAFT:
        raise InvalidTransition(_("The rating has not opened yet."))
    if campaign.status != Campaign.Status.OPEN:
        raise InvalidTransition(_("The rating has closed: ratings can no longer be given or changed."))
    if now > campaign.deadline:
        deadline = timezone.localtime(campaign.deadline)
        raise InvalidTransition(_("The rating deadline (%(deadline)s) has passed: ratings can no longer be given or "
                                  "changed.") % {"deadline": f"{deadline:%Y-%m-%d %H:%M}"})


RATING_FIELDS = ["grade", "scores", "comment"]


@transaction.atomic
def do_rate(ratee: Ratee, *, grade: str, scores: Mapping[Any, Any] | None = None, comment: str = "",
            acting_user: User) -> Rating:
    """The rater's one rating of the ratee: created, or replacing the earlier one (audited with it). The rater's row
    is locked, so a double submit gives one rating."""
    campaign = Campaign.objects.select_related("area").get(pk=ratee.campaign_id)
    rater = (Rater.objects.select_for_update(of=("self",)).select_related("group", "community")
             .filter(campaign=campaign, user=acting_user).first())
    if rater is None:
        raise PermissionDenied(_("You do not rate in this campaign."))
    ratee = Ratee.objects.select_related("community").get(pk=ratee.pk)
    if not permissions.rater_covers(rater, ratee):
        raise PermissionDenied(_("You do not rate this one: you rate only your community's ratees of your group."))
    now = timezone.now()
    _require_can_rate(campaign, now)
    if grade not in Grade.values:
        raise ActionError(_("Choose 优秀, 合格 or 不合格."), field="grade")
    clean = _clean_scores(campaign, scores)
    comment = _text(comment, field="comment", limit=300)
    rating = Rating.objects.filter(rater=rater, ratee=ratee).first()
    if rating is None:
        try:
            with transaction.atomic():
                rating = Rating.objects.create(campaign=campaign, rater=rater, ratee=ratee, grade=grade,
                                               scores=clean, comment=comment, created_at=now, updated_at=now)
        except IntegrityError:
            rating = Rating.objects.get(rater=rater, ratee=ratee)
        else:
            log_event(acting_user, "evaluation.rate", rating, area=ratee.community,
                      after={"ratee": ratee.name, **snapshot(rating, RATING_FIELDS)})
            return rating
    before = snapshot(rating, RATING_FIELDS)
    rating.grade, rating.scores, rating.comment, rating.updated_at = grade, clean, comment, now
    rating.save(update_fields=["grade", "scores", "comment", "updated_at"])
    log_event(acting_user, "evaluation.rate_changed", rating, area=ratee.community, before=before,
              after={"ratee": ratee.name, **snapshot(rating, RATING_FIELDS)})
    return rating
