"""The evaluation policy: campaigns, ratees and their ratings, objections; title-only flags; property contracts,
inspections, grades and rectification notices; estates' profiles.

- Organizers (subdistrict staff, district and city admins whose grant covers the campaign's subdistrict or
  district) set a campaign up, run it, answer objections and finalize it; they see everything in it.
- A rater sees the campaigns they rate in (once open) and the ratees they must rate (their group's kinds, in their
  community), with the evidence, and rates while the campaign is open and before the deadline.
- A ratee sees its own result once the notice period starts (公示): a unit's liaison for the unit and for the
  unit's part-time committee members, the community's workers for the community party organization (rated by the
  units). During the notice it may object. Another subdistrict's campaign is 404.
- Title-only flags: the subdistrict (subdistrict staff and up over the committee's community) reviews; the
  community's workers see them; the member's unit's liaison sees a removal.
- Property: area staff over the estate see its contracts, inspections, grades and notices; community workers and
  up run them (contracts and items, inspections, grades, notices); the liaison of the estate's owners' committee
  inspects too; the company's liaison sees its own contracts and grades and replies to a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, Role
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES, liaison_unit_ids
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    covers,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
)

from .models import (
    Campaign,
    EstateProfile,
    Inspection,
    Objection,
    PropertyContract,
    PropertyGrade,
    Ratee,
    Rater,
    RectificationNotice,
    TitleOnlyFlag,
)

ORGANIZER_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF})
STAFF_ROLES = AREA_STAFF_ROLES
LIAISON = frozenset({Role.UNIT_LIAISON})
COMMUNITY_WORKERS = frozenset({Role.COMMUNITY_WORKER})
# Residents, party members and volunteers: the nav entry shows to them when they rate in a campaign.
PEOPLE_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER, Role.VOLUNTEER})
RESULT_STATUSES = (Campaign.Status.NOTICE, Campaign.Status.FINAL)


def organizes(user: Any, area: Area | None) -> bool:
    return covers(user, area, ORGANIZER_ROLES)


def rater_for(user: Any, campaign: Campaign) -> Rater | None:
    """The user's place among the campaign's raters (cached on the user for the request)."""
    if not is_active_user(user):
        return None
    cache: dict[int, Rater | None] = user.__dict__.setdefault("_evaluation_raters", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = Rater.objects.filter(campaign=campaign, user=user).select_related(
            "group", "community").first()
    return cache[campaign.pk]


def rater_covers(rater: Rater, ratee: Ratee) -> bool:
    """Does the rater rate this ratee: their group rates its kind, and it lies in the area they rate in (their
    community; a subdistrict for a subdistrict's rater in a district's campaign; none: the whole campaign)?"""
    if ratee.kind not in rater.group.ratee_kinds:
        return False
    if rater.community_id is None or rater.community_id == ratee.community_id:
        return True
    return rater.community is not None and ratee.community.path.startswith(rater.community.path)


def rater_area_q(rater: Rater, field: str = "community") -> Q:
    """The ratees (through `field`, a lookup to their community) in the area the rater rates in."""
    if rater.community_id is None or rater.community is None:
        return Q()
    return Q(**{f"{field}__path__startswith": rater.community.path})


def rater_ratee_q(user: Any) -> Q:
    """Ratees the user rates, across campaigns (open ones): one Q per rater row (a user rates in a few)."""
    q = Q(pk__in=[])
    for rater in Rater.objects.filter(user=user, campaign__status=Campaign.Status.OPEN).select_related(
            "group", "community"):
        q |= Q(campaign_id=rater.campaign_id, kind__in=rater.group.ratee_kinds) & rater_area_q(rater)
    return q


def own_ratee_q(user: Any) -> Q:
    """Ratees that are the user's side: its unit (and the unit's part-time members) for a liaison; the community
    party organization for the community's workers."""
    q = Q(pk__in=[])
    units = liaison_unit_ids(user)
    if units:
        q |= Q(kind=Ratee.Kind.UNIT, unit_id__in=units) | Q(kind=Ratee.Kind.MEMBER, membership__unit_id__in=units)
    paths = scope_paths(user, COMMUNITY_WORKERS)
    if paths:
        q |= Q(kind=Ratee.Kind.COMMUNITY) & path_q(paths, "community__path")
    return q


def is_own_ratee(user: Any, ratee: Ratee) -> bool:
    units = liaison_unit_ids(user)
    if ratee.kind == Ratee.Kind.UNIT and ratee.unit_id in units:
        return True
    if ratee.kind == Ratee.Kind.MEMBER and ratee.membership is not None and ratee.membership.unit_id in units:
        return True
    return ratee.kind == Ratee.Kind.COMMUNITY and covers(user, ratee.community, COMMUNITY_WORKERS)


class CampaignPolicy(Policy[Campaign]):
    model = Campaign
    noun = "campaign"
    area_path = "area__path"
    view_roles = ORGANIZER_ROLES
    actions = ("view", "manage", "rate")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": frozenset(Role.values), "manage": ORGANIZER_ROLES}
    select_related = ("area", "created_by")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, ORGANIZER_ROLES), "area__path")
        q |= Q(raters__user=user) & ~Q(status=Campaign.Status.DRAFT)
        own = own_ratee_q(user)
        q |= Q(status__in=RESULT_STATUSES, pk__in=Ratee.objects.filter(own).values("campaign_id"))
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, campaign: Campaign) -> bool:
        return organizes(user, campaign.area)

    def check_rate(self, user: Any, campaign: Campaign) -> bool:
        return campaign.is_open_for_rating and rater_for(user, campaign) is not None


class RateePolicy(Policy[Ratee]):
    """A ratee in a campaign: organizers; its raters while the campaign is open; its own side once the results are
    out."""

    model = Ratee
    noun = "ratee"
    area_path = "campaign__area__path"
    view_roles = ORGANIZER_ROLES
    actions = ("view", "rate", "see_evidence", "see_result", "object")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}
    select_related = ("campaign", "campaign__area", "community", "unit", "membership", "membership__unit",
                      "party_org")

    def area_of(self, obj: Any) -> Area | None:
        return obj.campaign.area if isinstance(obj, Ratee) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, ORGANIZER_ROLES), "campaign__area__path") | rater_ratee_q(user)
        q |= own_ratee_q(user) & Q(campaign__status__in=RESULT_STATUSES)
        return q

    def check_rate(self, user: Any, ratee: Ratee) -> bool:
        campaign = ratee.campaign
        if not campaign.is_open_for_rating:
            return False
        rater = rater_for(user, campaign)
        return rater is not None and rater_covers(rater, ratee)

    def check_see_evidence(self, user: Any, ratee: Ratee) -> bool:
        if organizes(user, ratee.campaign.area):
            return True
        rater = rater_for(user, ratee.campaign)
        return rater is not None and rater_covers(rater, ratee) and ratee.campaign.status != Campaign.Status.DRAFT

    def check_see_result(self, user: Any, ratee: Ratee) -> bool:
        if organizes(user, ratee.campaign.area):
            return ratee.campaign.status != Campaign.Status.DRAFT
        return ratee.campaign.status in RESULT_STATUSES and is_own_ratee(user, ratee)

    def check_object(self, user: Any, ratee: Ratee) -> bool:
        return ratee.campaign.in_notice and is_own_ratee(user, ratee)


class ObjectionPolicy(Policy[Objection]):
    model = Objection
    noun = "objection"
    area_path = "ratee__campaign__area__path"
    view_roles = ORGANIZER_ROLES
    actions = ("view", "answer")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}
    select_related = ("ratee", "ratee__campaign", "ratee__campaign__area", "raised_by")

    def area_of(self, obj: Any) -> Area | None:
        return obj.ratee.campaign.area if isinstance(obj, Objection) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, ORGANIZER_ROLES), "ratee__campaign__area__path") | Q(raised_by=user) | (
            Q(ratee__in=Ratee.objects.filter(own_ratee_q(user))))

    def check_answer(self, user: Any, objection: Objection) -> bool:
        return objection.status == Objection.Status.OPEN and organizes(user, objection.ratee.campaign.area) and (
            objection.ratee.campaign.status == Campaign.Status.NOTICE)


class TitleOnlyFlagPolicy(Policy[TitleOnlyFlag]):
    model = TitleOnlyFlag
    noun = "flag"
    area_path = "community__path"
    area_attr = "community"
    view_roles = ORGANIZER_ROLES | COMMUNITY_WORKERS
    actions = ("view", "review")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": ORGANIZER_ROLES | COMMUNITY_WORKERS | LIAISON,
                                                     "review": ORGANIZER_ROLES}
    select_related = ("membership", "membership__unit", "membership__party_org", "community", "reviewed_by")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, ORGANIZER_ROLES | COMMUNITY_WORKERS), "community__path")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(status=TitleOnlyFlag.Status.REMOVED, membership__unit_id__in=units)
        return q

    def check_review(self, user: Any, flag: TitleOnlyFlag) -> bool:
        return flag.status == TitleOnlyFlag.Status.OPEN and covers(user, flag.community, ORGANIZER_ROLES)


def owners_committee_estate_ids(user: Any) -> set[int]:
    """Estates whose owners' committee the user is the liaison of."""
    units = liaison_unit_ids(user)
    if not units:
        return set()
    cached = getattr(user, "_evaluation_owner_estates", None)
    if cached is None:
        cached = set(EstateProfile.objects.filter(owners_committee_id__in=units).values_list("estate_id", flat=True))
        user._evaluation_owner_estates = cached
    return cached


class ContractPolicy(Policy[PropertyContract]):
    model = PropertyContract
    noun = "contract"
    area_path = "estate__path"
    area_attr = "estate"
    view_roles = STAFF_ROLES
    actions = ("view", "manage", "inspect")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON, "manage": MANAGE_ROLES}
    select_related = ("estate", "company")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "estate__path")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(company_id__in=units)
        estates = owners_committee_estate_ids(user)
        if estates:
            q |= Q(estate_id__in=estates)
        return q

    def check_inspect(self, user: Any, contract: PropertyContract) -> bool:
        return covers(user, contract.estate, MANAGE_ROLES) or contract.estate_id in owners_committee_estate_ids(user)


class InspectionPolicy(Policy[Inspection]):
    model = Inspection
    noun = "inspection"
    area_path = "contract__estate__path"
    view_roles = STAFF_ROLES
    actions = ("view",)
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}
    select_related = ("contract", "contract__estate", "contract__company", "inspector")

    def area_of(self, obj: Any) -> Area | None:
        return obj.contract.estate if isinstance(obj, Inspection) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return Q(contract__in=contract_policy.visible_to(user))


class GradePolicy(Policy[PropertyGrade]):
    model = PropertyGrade
    noun = "grade"
    area_path = "contract__estate__path"
    view_roles = STAFF_ROLES
    actions = ("view", "rectify")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"rectify": MANAGE_ROLES}
    select_related = ("contract", "contract__estate", "contract__company")

    def area_of(self, obj: Any) -> Area | None:
        return obj.contract.estate if isinstance(obj, PropertyGrade) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return Q(contract__in=contract_policy.visible_to(user))


class RectificationPolicy(Policy[RectificationNotice]):
    model = RectificationNotice
    noun = "rectification"
    area_path = "contract__estate__path"
    view_roles = STAFF_ROLES
    actions = ("view", "reply", "close")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"close": MANAGE_ROLES}
    select_related = ("contract", "contract__estate", "contract__company", "grade", "issued_by")

    def area_of(self, obj: Any) -> Area | None:
        return obj.contract.estate if isinstance(obj, RectificationNotice) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return Q(contract__in=contract_policy.visible_to(user))

    def check_reply(self, user: Any, notice: RectificationNotice) -> bool:
        return notice.status == RectificationNotice.Status.OPEN and (
            notice.contract.company_id in liaison_unit_ids(user))

    def check_close(self, user: Any, notice: RectificationNotice) -> bool:
        return notice.status != RectificationNotice.Status.CLOSED and covers(user, notice.contract.estate,
                                                                             MANAGE_ROLES)


class EvaluationAreaPolicy(Policy[Area]):
    """What is done at an area: organize a campaign (a subdistrict or district), keep an estate's contracts and
    profile, see the coverage rates."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    actions = ("organize", "manage_property", "see_coverage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"organize": ORGANIZER_ROLES, "manage_property": MANAGE_ROLES,
                                                     "see_coverage": STAFF_ROLES}

    def check_organize(self, user: Any, area: Area) -> bool:
        return area.level in (Area.Level.SUBDISTRICT, Area.Level.DISTRICT) and organizes(user, area)

    def check_manage_property(self, user: Any, area: Area) -> bool:
        return area.level == Area.Level.ESTATE and covers(user, area, MANAGE_ROLES)

    def check_see_coverage(self, user: Any, area: Area) -> bool:
        return area.level in (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.SUBDISTRICT,
                              Area.Level.COMMUNITY) and covers(user, area, STAFF_ROLES)


campaign_policy = CampaignPolicy()
ratee_policy = RateePolicy()
objection_policy = ObjectionPolicy()
flag_policy = TitleOnlyFlagPolicy()
contract_policy = ContractPolicy()
inspection_policy = InspectionPolicy()
grade_policy = GradePolicy()
rectification_policy = RectificationPolicy()
area_policy = EvaluationAreaPolicy()
policies = PolicySet(campaign_policy, ratee_policy, objection_policy, flag_policy, contract_policy,
                     inspection_policy, grade_policy, rectification_policy, area_policy)

get_campaign_for_user = campaign_policy.get_for_user
get_ratee_for_user = ratee_policy.get_for_user
get_objection_for_user = objection_policy.get_for_user
get_flag_for_user = flag_policy.get_for_user
get_contract_for_user = contract_policy.get_for_user
get_inspection_for_user = inspection_policy.get_for_user
get_grade_for_user = grade_policy.get_for_user
get_rectification_for_user = rectification_policy.get_for_user


def shows_evaluation(user: Any) -> bool:
    """The nav entry: area staff and liaisons, and anyone who rates in a campaign."""
    if is_superuser(user) or has_role(user, STAFF_ROLES | LIAISON):
        return True
    if not is_active_user(user) or not has_role(user, PEOPLE_ROLES):
        return False  # a department handler or a follow-up caller: no query
    cached = getattr(user, "_evaluation_rates", None)
    if cached is None:
        cached = Rater.objects.filter(user=user).exclude(campaign__status=Campaign.Status.DRAFT).exists()
        user._evaluation_rates = cached
    return bool(cached)


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)
