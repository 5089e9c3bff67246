"""The appeals policy: who sees which cases, appeals and whistles, and who may do what to them.

- Dispatchers (community workers, subdistrict staff, district and city admins) see and act on the
  cases whose area lies in their subtree; the city's admins also see cases that have no area yet.
- An appeal's callback phone and address are personal data: `contact_fields` (the one rule of
  `gongzhi.core.pii`).
- Department handlers see the cases assigned to their unit and the whistles summoning it, and act
  on their unit's assignments. Subdistrict staff act as handlers of their subdistrict's office unit.
- Grid workers submit patrol reports and see the cases in their grid.
- Follow-up callers (回访员) see the cases in their subtree and record follow-ups (回访) of those they take no
  part in: none of its units is theirs, and they hold no other staff grant over its area.
- Residents see their own appeals (the appeal, through the public tracking page), never the staff case page.

One policy per model, declared on core's base policy (`gongzhi.core.policy`). `visible_to` builds every list;
out of scope → 404 (`get_case_for_user`), visible but not allowed → 403 (`require`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.models import Area, Resident, Role, Unit, User
from gongzhi.core.permissions import ADMIN_ROLES, AREA_STAFF_ROLES, STAFF_ROLES
from gongzhi.core.pii import can_reveal_at
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    covers,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
    user_grants,
    users_with_roles_at,
)

from .models import (
    Appeal,
    AppealPhoto,
    Assignment,
    Case,
    CaseEvent,
    EventPhoto,
    RoutingRule,
    SubdistrictOffice,
    Whistle,
    WhistleReport,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

DISPATCH_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER})
WHISTLE_ROLES = frozenset({Role.SUBDISTRICT_STAFF, Role.COMMUNITY_WORKER, Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
CONFIG_ROLES = ADMIN_ROLES
HOTLINE_ROLES = DISPATCH_ROLES
PATROL_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SUBDISTRICT_STAFF})
RATES_ROLES = DISPATCH_ROLES | {Role.DEPARTMENT_HANDLER}
FOLLOW_UP_ROLES = frozenset({Role.FOLLOW_UP_CALLER})

CASE_ACTIONS = (
    "view",
    "dispatch",  # dispatch, reassign, merge, close, decide extensions
    "supervise",  # 督办
    "follow_up",  # 回访, reopen
    "handle",  # accept/return an assignment, progress notes, reply, request an extension
    "note",  # add a progress note (handlers and dispatchers)
    "whistle",
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def handler_unit_ids(user: Any) -> set[int]:
    """Units the user handles cases for: their department grants, plus their subdistricts' offices."""
    if not _authenticated(user):
        return set()
    cached = getattr(user, "_appeals_units", None)
    if cached is not None:
        return set(cached)
    grants = user_grants(user)
    ids = {g.unit_id for g in grants if g.role == Role.DEPARTMENT_HANDLER and g.unit_id}
    sub_paths = scope_paths(user, {Role.SUBDISTRICT_STAFF})
    if sub_paths:
        ids |= set(
            SubdistrictOffice.objects.filter(path_q(sub_paths, "subdistrict__path")).values_list("unit_id", flat=True)
        )
    user._appeals_units = frozenset(ids)
    return ids


def covers_placeless_cases(user: Any) -> bool:
    """A case without a place (an address only, from the web form or the hotline system) belongs to no district:
    the admins of the whole city (granted at a root area) dispatch it, not every district's admin."""
    return any(g.role in ADMIN_ROLES and g.area.parent_id is None for g in user_grants(user))


def _staff_case_q(user: Any, roles: frozenset[str] | set[str]) -> Q:
    paths = scope_paths(user, roles)
    q = path_q(paths, "area_path")
    if covers_placeless_cases(user):
        q |= Q(area_path="")
    return q


def _case_q(user: Any) -> Q:
    q = _staff_case_q(user, AREA_STAFF_ROLES | FOLLOW_UP_ROLES)
    units = handler_unit_ids(user)
    if units:
        q |= Q(pk__in=Assignment.objects.filter(unit_id__in=units).values("case_id"))
    return q


def _own_appeals(user: Any) -> list[models.QuerySet[Appeal]]:
    """The appeals the user sent, and those filed for them as a resident: two querysets, each an index scan
    when used as a subquery (one `OR` over a join would make PostgreSQL read every appeal)."""
    residents = Resident.objects.filter(user=user).values("pk")
    return [Appeal.objects.filter(submitted_by=user), Appeal.objects.filter(resident__in=residents)]


class CasePolicy(Policy[Case]):
    """Dispatchers act on the cases of their subtree (admins also on cases without an area yet); handlers on
    their units' cases; follow-up callers follow up the cases of their subtree they take no part in. A case is
    staff work: one's own appeals are seen as appeals (`AppealPolicy`), not through their case."""

    model = Case
    noun = "case"
    area_path = "area_path"
    actions = CASE_ACTIONS
    rules: ClassVar[Mapping[str, frozenset[str]]] = {
        "dispatch": DISPATCH_ROLES,
        "supervise": DISPATCH_ROLES,
        "follow_up": FOLLOW_UP_ROLES,  # and `check_follow_up`: not a party to the case
        "whistle": WHISTLE_ROLES,
        "browse": STAFF_ROLES | FOLLOW_UP_ROLES,  # open the worklists and whistles at all (`can_somewhere`)
    }
    select_related = ("category", "area", "lead_unit")

    def visible_q(self, user: Any) -> Q:
        return _case_q(user)

    def in_scope(self, user: Any, obj: Any, roles: Iterable[str]) -> bool:
        return _covers_case(user, obj, frozenset(roles))

    def check_handle(self, user: Any, case: Case) -> bool:
        return is_superuser(user) or handles_case(user, case)

    def check_follow_up(self, user: Any, case: Case) -> bool:
        """A follow-up counts in the three rates, so it comes from a caller independent of the case."""
        if is_superuser(user):
            return True
        return _covers_case(user, case, FOLLOW_UP_ROLES) and not takes_part_in(user, case)

    def check_note(self, user: Any, case: Case) -> bool:
        return _covers_case(user, case, DISPATCH_ROLES) or handles_case(user, case)

    def grantees(self, action: str, case: Any) -> models.QuerySet[User]:
        if action not in ("dispatch", "supervise"):
            raise ValueError(f"Unknown action {action!r} for {type(case).__name__}")
        area = case.supervising_area or case.area
        if area is None:
            return User.objects.filter(is_active=True, grants__role__in=list(ADMIN_ROLES),
                                       grants__area__parent__isnull=True).distinct()
        return users_with_roles_at(DISPATCH_ROLES, area)


class AppealPolicy(Policy[Appeal]):
    """The appeals of the cases one sees, and one's own (sent, or filed for one as a resident)."""

    model = Appeal
    noun = "appeal"
    actions = ("view",)
    select_related = ("case", "category", "area")

    def visible_q(self, user: Any) -> Q:
        q = Q(case__in=Case.objects.filter(_case_q(user)).values("pk"))
        for own in _own_appeals(user):
            q |= Q(pk__in=own.values("pk"))
        return q


class AssignmentPolicy(Policy[Assignment]):
    """Assignments of the cases one sees; a unit's handlers handle its assignments."""

    model = Assignment
    noun = "assignment"
    actions = ("handle",)
    select_related = ("case", "unit")

    def visible_q(self, user: Any) -> Q:
        return Q(case__in=case_policy.visible_to(user).values("pk"))

    def check_handle(self, user: Any, assignment: Assignment) -> bool:
        return is_superuser(user) or assignment.unit_id in handler_unit_ids(user)

    def grantees(self, action: str, obj: Any) -> models.QuerySet[User]:
        """`handle` on a Unit (or an assignment to it): its department handlers, and for a subdistrict's office
        unit the staff granted at that subdistrict."""
        unit = obj.unit if isinstance(obj, Assignment) else obj
        if action != "handle" or not isinstance(unit, Unit):
            raise ValueError(f"Unknown action {action!r} for {type(obj).__name__}")
        q = Q(grants__role=Role.DEPARTMENT_HANDLER, grants__unit=unit)
        office = SubdistrictOffice.objects.filter(unit=unit).select_related("subdistrict").first()
        if office is not None:
            q |= Q(grants__role=Role.SUBDISTRICT_STAFF, grants__area_id__in=office.subdistrict.ancestor_ids()[-1:])
        return User.objects.filter(q, is_active=True).distinct()


class CaseEventPolicy(Policy[CaseEvent]):
    model = CaseEvent
    noun = "case_event"
    actions = ("view",)

    def visible_q(self, user: Any) -> Q:
        return Q(case__in=case_policy.visible_to(user).values("pk"))


class WhistlePolicy(Policy[Whistle]):
    """Area staff see the whistles blown in their subtree, whistlers their own, handlers those summoning
    their unit; the whistler and the whistle staff over the whistler's area rate the departments."""

    model = Whistle
    noun = "whistle"
    area_path = "whistler_area_path"
    area_attr = "whistler_area"
    view_roles = AREA_STAFF_ROLES
    actions = ("view", "rate")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"rate": WHISTLE_ROLES}
    select_related = ("area", "whistler_area", "case")

    def visible_q(self, user: Any) -> Q:
        q = super().visible_q(user) | Q(whistler=user)
        units = handler_unit_ids(user)
        if units:
            q |= Q(pk__in=WhistleReport.objects.filter(unit_id__in=units).values("whistle_id"))
        return q

    def check_rate(self, user: Any, whistle: Whistle) -> bool:
        return whistle.whistler_id == user.pk or covers(user, whistle.whistler_area, WHISTLE_ROLES)

    def rater_q(self, user: Any) -> Q:
        """The whistles `check_rate` allows, as a filter (the whistler's own, and those of their subtree)."""
        if is_superuser(user):
            return Q()
        return Q(whistler=user) | path_q(scope_paths(user, WHISTLE_ROLES), "whistler_area_path")

    def grantees(self, action: str, whistle: Any) -> models.QuerySet[User]:
        if action != "whistle":
            raise ValueError(f"Unknown action {action!r} for {type(whistle).__name__}")
        return User.objects.filter(pk=whistle.whistler_id, is_active=True)


class WhistleReportPolicy(Policy[WhistleReport]):
    """Reports of the whistles one sees; the summoned unit's handlers report on them."""

    model = WhistleReport
    noun = "whistle_report"
    actions = ("report",)
    select_related = ("whistle", "unit")

    def visible_q(self, user: Any) -> Q:
        return Q(whistle__in=whistle_policy.visible_to(user).values("pk"))

    def check_report(self, user: Any, report: WhistleReport) -> bool:
        return is_superuser(user) or report.unit_id in handler_unit_ids(user)


class RoutingRulePolicy(Policy[RoutingRule]):
    """Rules of the areas an admin covers; rules without an area (city-wide) for city admins only."""

    model = RoutingRule
    noun = "routing_rule"
    area_path = "area__path"
    view_roles = CONFIG_ROLES
    actions = ("view", "delete")

    def scope(self, qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        if not can_configure(user):
            return qs.none()
        q = self.visible_q(user)
        if has_citywide_config_grant(user):
            q |= Q(area__isnull=True)
        return qs.filter(q)

    def check_delete(self, user: Any, rule: RoutingRule) -> bool:
        return can_configure_at(user, rule.area)


class AppealsAreaPolicy(Policy[Area]):
    """What is done *at* an area: dispatch cases there, whistle there, take hotline calls, patrol, configure, read the three rates."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    rules: ClassVar[Mapping[str, frozenset[str]]] = {
        "dispatch": DISPATCH_ROLES,  # e.g. move a case to a place there
        "whistle": WHISTLE_ROLES,
        "hotline": HOTLINE_ROLES,
        "patrol": PATROL_ROLES,
        "configure": CONFIG_ROLES,
        "view_rates": RATES_ROLES,
    }
    actions = tuple(rules)

    def can_somewhere(self, user: Any, action: str) -> bool:
        if action == "patrol":  # patrol reports come from people on the ground: no superuser shortcut
            return is_active_user(user) and has_role(user, PATROL_ROLES)
        return super().can_somewhere(user, action)


case_policy = CasePolicy()
appeal_policy = AppealPolicy()
assignment_policy = AssignmentPolicy()
case_event_policy = CaseEventPolicy()
whistle_policy = WhistlePolicy()
whistle_report_policy = WhistleReportPolicy()
routing_rule_policy = RoutingRulePolicy()
area_policy = AppealsAreaPolicy()
policies = PolicySet(
    case_policy, appeal_policy, assignment_policy, case_event_policy, whistle_policy, whistle_report_policy,
    routing_rule_policy, area_policy,
)

get_case_for_user = case_policy.get_for_user
get_appeal_for_user = appeal_policy.get_for_user
get_assignment_for_user = assignment_policy.get_for_user
get_case_event_for_user = case_event_policy.get_for_user
get_whistle_for_user = whistle_policy.get_for_user
get_whistle_report_for_user = whistle_report_policy.get_for_user
get_routing_rule_for_user = routing_rule_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    """Every object of `model` the user may see. All lists start here."""
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` on `obj` (a Case, Assignment, Whistle, WhistleReport or Area)?"""
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `action` on `obj`. System jobs pass user=None."""
    policies.require(user, action, obj, message)


def users_who_can(action: str, obj: Any) -> models.QuerySet[User]:
    """Active users to notify: `dispatch` on a case → dispatchers over its area; `handle` on a Unit → its handlers;
    `whistle` on a whistle → its whistler."""
    if isinstance(obj, Unit):
        return assignment_policy.users_who_can(action, obj)
    if isinstance(obj, (Case, Whistle)):
        return policies.policy_for(type(obj)).users_who_can(action, obj)
    raise ValueError(f"Unknown action {action!r} for {type(obj).__name__}")


def has_citywide_config_grant(user: Any) -> bool:
    """An admin role granted at a root area (a city): things that hold for the whole city are theirs."""
    return is_superuser(user) or (
        _authenticated(user)
        and any(g.role in CONFIG_ROLES and g.area.parent_id is None for g in user_grants(user))
    )


def can_configure_at(user: Any, area: Area | None) -> bool:
    """May this admin configure things attached to `area` (a routing rule's)? No area: city-wide."""
    if is_superuser(user):
        return True
    if area is None:
        return has_citywide_config_grant(user)
    return covers(user, area, CONFIG_ROLES)


def _covers_case(user: Any, case: Case, roles: frozenset[str] | set[str]) -> bool:
    if is_superuser(user):
        return True
    if case.area_path == "":
        return covers_placeless_cases(user)
    return any(case.area_path.startswith(p) for p in scope_paths(user, roles))


def contact_fields(user: Any, case: Case) -> tuple[str, ...]:
    """Which personal data of the case's appeals (callback phone, address) `user` may see in full, each time
    audited. The one rule of `gongzhi.core.pii`, as for residents: the roles that may reveal personal data over
    the case's place (subdistrict staff, community and grid workers), and the superuser; besides them the units
    that handle the case (an active assignment: they call the resident back), and the follow-up callers who may
    give its follow-up (the phone only). City and district admins do not — except that the city's admins who must
    place a case without a place may read its address (not the phone)."""
    if not is_active_user(user):
        return ()
    if is_superuser(user) or can_reveal_at(user, case.area) or handles_case(user, case):
        return ("phone", "address")
    if case.area_id is None and _covers_case(user, case, DISPATCH_ROLES):
        return ("address",)
    if case_policy.can(user, "follow_up", case):  # a follow-up caller taking no part: calls, needs no address
        return ("phone",)
    return ()


def takes_part_in(user: Any, case: Case) -> bool:
    """Is the user on the handling side of the case: a handler of one of its units (lead, assisting, past or
    present), or holding any other staff grant over its area? Such a user may not give its follow-up."""
    units = handler_unit_ids(user)
    if units and (case.lead_unit_id in units or case.assignments.filter(unit_id__in=units).exists()):
        return True
    return _covers_case(user, case, STAFF_ROLES)


def rates_as_resident(user: Any, appeal: Appeal) -> bool:
    """May a signed-in user rate the appeal as its resident, without a code sent to the phone? Only the account
    that sent it themselves (web or API), holding no staff role: a hotline operator enters appeals for others."""
    return (
        is_active_user(user) and appeal.submitted_by_id == user.pk
        and appeal.channel in (Appeal.Channel.WEB, Appeal.Channel.API)
        and not has_role(user, STAFF_ROLES | FOLLOW_UP_ROLES)
    )


def rated_by_code(appeal: Appeal) -> bool:
    """May the appeal be rated with a one-time code sent to its callback phone? Not a finding a grid worker filed
    on patrol (its callback phone is often the worker's own), nor an appeal sent on the web or through the API by
    an account with a staff role: whoever holds that phone may work on the case. A follow-up caller reaches those.
    Hotline and 12345 appeals are entered by staff for the caller, whose phone it is: they keep the code."""
    if appeal.channel == Appeal.Channel.GRID_PATROL:
        return False
    if appeal.channel in (Appeal.Channel.WEB, Appeal.Channel.API) and appeal.submitted_by_id is not None:
        return not has_role(appeal.submitted_by, STAFF_ROLES | FOLLOW_UP_ROLES)
    return True


def sees_tracking_code(request: Any, appeal: Appeal) -> bool:
    """May the caller see the appeal's whole tracking code (which, with the phone's last digits, opens the tracking
    page)? The resident who sent it, holding no staff role; and an API-key integration (the 12345 system) that
    passes the codes on. Staff see it masked even for the appeals they filed (hotline, patrol) themselves."""
    if getattr(request, "api_key", None) is not None:
        return True
    user: Any = getattr(request, "user", None)
    return (
        is_active_user(user) and appeal.submitted_by_id == user.pk
        and not has_role(user, STAFF_ROLES | FOLLOW_UP_ROLES)
    )


def has_own_appeals_pages(user: Any) -> bool:
    """Residents, party members and volunteers signed in (any active account without a staff role): the menu
    offers them 提交诉求 and 我的诉求. Staff enter appeals through the hotline and patrol forms instead."""
    return (
        is_active_user(user) and not is_superuser(user) and not has_role(user, STAFF_ROLES | FOLLOW_UP_ROLES)
    )


def own_appeals(user: Any) -> QuerySet[Appeal]:
    """The appeals a signed-in person sees as their own, whole tracking code included: those they sent themselves
    (web or API; a hotline operator's entries are the caller's, not theirs), and those filed for them as a
    resident."""
    if not is_active_user(user):
        return Appeal.objects.none()
    residents = Resident.objects.filter(user=user).values("pk")
    return Appeal.objects.filter(
        Q(submitted_by=user, channel__in=(Appeal.Channel.WEB, Appeal.Channel.API)) | Q(resident__in=residents)
    )


def get_own_appeal_for_user(user: Any, pk: Any) -> Appeal:
    """One of the user's own appeals (`own_appeals`); 404 for anyone else's, as for one that does not exist."""
    appeal = own_appeals(user).select_related("case").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    return appeal


def handles_case(user: Any, case: Case) -> bool:
    units = handler_unit_ids(user)
    return bool(units) and case.assignments.filter(
        unit_id__in=units, status__in=Assignment.ACTIVE_STATUSES
    ).exists()


def can_configure(user: Any) -> bool:
    """City or district admins configure categories, time limits, routing and weights."""
    return area_policy.can_somewhere(user, "configure")


def can_configure_citywide(user: Any) -> bool:
    """City admins (granted at a root area) change what holds for the whole city."""
    return is_superuser(user) or (
        _authenticated(user)
        and any(g.role == Role.CITY_ADMIN and g.area.parent_id is None for g in user_grants(user))
    )


def can_take_hotline(user: Any) -> bool:
    return area_policy.can_somewhere(user, "hotline")


def can_patrol(user: Any) -> bool:
    return area_policy.can_somewhere(user, "patrol")


def can_view_rates(user: Any) -> bool:
    return area_policy.can_somewhere(user, "view_rates")


def can_whistle(user: Any) -> bool:
    return area_policy.can_somewhere(user, "whistle")


def whistle_rater_q(user: Any) -> Q:
    """A filter of the whistles whose departments `user` may rate."""
    return whistle_policy.rater_q(user)


# --- Photos: shown to whoever may see the page they belong to --------------------------------------------


def _staff_cases(user: Any) -> QuerySet[Case]:
    """The cases a user sees as staff (not the cases of their own appeals)."""
    if is_superuser(user):
        return Case.objects.all()
    if not is_active_user(user):
        return Case.objects.none()
    return Case.objects.filter(_case_q(user))


def _photo_pk(pk: Any) -> int:
    text = str(pk)
    if not (text.isdigit() and int(text) < 2**63):
        raise Http404(_("Not found, or outside your area."))
    return int(text)


def get_appeal_photo_for_user(user: Any, pk: Any) -> AppealPhoto:
    """A photo sent with an appeal: for whoever sees the appeal (the staff of its case, and the resident who
    sent it or for whom it was filed). Http404 otherwise."""
    photo = AppealPhoto.objects.filter(
        pk=_photo_pk(pk), appeal__in=appeal_policy.visible_to(user).values("pk")
    ).first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    return photo


def get_tracked_appeal_photo(tracked_appeal_id: Any, pk: Any) -> AppealPhoto:
    """A photo of the appeal this browser looked up on the public tracking page (code and phone digits, the
    proof the page itself asks for): the sender sees their own photos there, and nothing else. Http404
    otherwise."""
    photo = None
    if tracked_appeal_id:
        photo = AppealPhoto.objects.filter(pk=_photo_pk(pk), appeal_id=_photo_pk(tracked_appeal_id)).first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    return photo


def get_event_photo_for_user(user: Any, pk: Any) -> EventPhoto:
    """A photo of a progress note: for the staff who see the case (progress notes are internal). Http404
    otherwise."""
    photo = EventPhoto.objects.filter(
        pk=_photo_pk(pk), event__case__in=_staff_cases(user).values("pk")
    ).first()
    if photo is None:
        raise Http404(_("Not found, or outside your area."))
    return photo


__all__ = [
    "CASE_ACTIONS", "CONFIG_ROLES", "DISPATCH_ROLES", "FOLLOW_UP_ROLES", "HOTLINE_ROLES", "PATROL_ROLES", "RATES_ROLES",
    "WHISTLE_ROLES",
    "can", "can_configure", "can_configure_citywide", "can_patrol", "can_take_hotline", "can_view_rates",
    "can_whistle", "contact_fields", "covers_placeless_cases", "get_appeal_photo_for_user",
    "get_event_photo_for_user", "get_tracked_appeal_photo", "handler_unit_ids", "handles_case",
    "has_citywide_config_grant", "policies", "rates_as_resident", "require", "sees_tracking_code", "takes_part_in",
    "users_who_can", "visible_to",
]
