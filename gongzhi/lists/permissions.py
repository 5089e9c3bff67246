"""The lists policy: who sees and does what on the three lists (需求清单, 资源清单, 项目清单), surveys, matching
rounds, quarter snapshots and the month's theme.

- Area staff (city and district admins, subdistrict staff, community workers, grid workers) see the records of
  their subtree; community workers and up (`MANAGE_ROLES`) keep them there: add and edit demands, build
  surveys, enter resources for the community or a department, run and confirm matching rounds, manage projects,
  sign agreements for the community, close quarters. Subdistrict staff and district or city admins propose the
  month's theme.
- A member unit's liaison (驻区单位联络员) sees the demands of the communities where the unit is registered
  (双报到, core `Registration`, and the unit's own community), adds the unit's own needs there (双向需求征集),
  sees and edits the unit's own resources, sees the projects the unit leads or partners in and the projects
  waiting to be claimed in those communities, claims them, signs the agreement for the unit and posts progress.
- Resources are seen by the staff of the areas they serve: a resource serving a subdistrict or the city is seen by
  the community workers below it; one serving an alliance by the staff of its communities.
- Residents see only the public notice (公示) and the survey pages, without an account.

Declared on core's base policy (`gongzhi.core.policy`): one policy per model, plus the actions taken at an area.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, Registration, Role, Unit
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES, liaison_unit_ids, user_grants
from gongzhi.core.policy import (
    Policy,
    PolicySet,
    has_role,
    is_active_user,
    is_superuser,
    path_q,
    scope_paths,
)

from .models import Demand, MatchRound, MonthlyTheme, Project, QuarterSnapshot, Resource, Survey

LIAISON = frozenset({Role.UNIT_LIAISON})
VIEW_ROLES = AREA_STAFF_ROLES | LIAISON
STAFF_VIEW_ROLES = AREA_STAFF_ROLES
DEMAND_ROLES = MANAGE_ROLES
THEME_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_STAFF})
THEME_LEVELS = ("city", "district", "subdistrict")
# Surveys, projects and quarters belong to a community.
COMMUNITY_LEVELS = ("community",)
# Demands are added at a community or below it (estate, grid, building), or above it.
DEMAND_EXCLUDED_LEVELS: tuple[str, ...] = ()

ACTIONS = ("view", "create_demand", "propose_theme")


# --- Member-unit liaisons ----------------------------------------------------------------------------------


def liaison_units(user: Any) -> list[Unit]:
    """The units the user is liaison of."""
    return [g.unit for g in user_grants(user) if g.role == Role.UNIT_LIAISON and g.unit is not None]


def registered_communities(user: Any) -> list[Area]:
    """The communities where the user's units are registered (双报到), and the units' own communities; read once
    per request and cached on the user."""
    cached = getattr(user, "_gongzhi_registered_communities", None)
    if cached is not None:
        return list(cached)
    units = liaison_units(user)
    if not units:
        user_cache: list[Area] = []
    else:
        ids = set(Registration.objects.confirmed().filter(unit__in=units, kind=Registration.Kind.UNIT)
                  .values_list("community_id", flat=True))
        user_cache = list(Area.objects.filter(pk__in=ids))
        for unit in units:
            own = unit.area
            if own.level == Area.Level.COMMUNITY and own.pk not in ids:
                user_cache.append(own)
            elif own.level in ("estate", "grid", "building"):
                community = own.ancestor_of_level(Area.Level.COMMUNITY)
                if community is not None and community.pk not in ids:
                    user_cache.append(community)
    if getattr(user, "is_authenticated", False):
        user._gongzhi_registered_communities = user_cache
    return list(user_cache)


def registered_paths(user: Any) -> list[str]:
    return sorted({a.path for a in registered_communities(user)})


def is_registered_at(user: Any, area: Area | None) -> bool:
    """Is one of the user's units registered at the community `area` lies in (or at `area` itself)?"""
    if area is None:
        return False
    return any(area.path.startswith(p) for p in registered_paths(user))


def _staff_q(user: Any, field: str, roles: frozenset[str] = STAFF_VIEW_ROLES) -> Q:
    return path_q(scope_paths(user, roles), field)


# --- Policies ------------------------------------------------------------------------------------------------


class DemandPolicy(Policy[Demand]):
    """Demands of the subtree for area staff; of the registered communities for liaisons."""

    model = Demand
    noun = "demand"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ("view", "edit", "close")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": VIEW_ROLES, "edit": DEMAND_ROLES,
                                                     "close": DEMAND_ROLES}
    select_related = ("area", "category", "source_unit", "source_survey")

    def visible_q(self, user: Any) -> Q:
        return _staff_q(user, "area__path") | path_q(registered_paths(user), "area__path")

    def check_edit(self, user: Any, demand: Demand) -> bool:
        """Staff who keep the lists there; a liaison edits the unit's own open need."""
        if self.in_scope(user, demand, DEMAND_ROLES):
            return True
        return (demand.source_unit_id is not None and demand.source_unit_id in liaison_unit_ids(user)
                and demand.status == Demand.Status.OPEN)

    def check_close(self, user: Any, demand: Demand) -> bool:
        return self.check_edit(user, demand)


class MonthlyThemePolicy(Policy[MonthlyTheme]):
    """Themes of the subtree, and those proposed for the areas above one's grants."""

    model = MonthlyTheme
    noun = "monthly_theme"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ("view",)
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": VIEW_ROLES}
    select_related = ("area",)

    def visible_q(self, user: Any) -> Q:
        above = {aid for g in user_grants(user) if g.role in VIEW_ROLES for aid in g.area.ancestor_ids()}
        return super().visible_q(user) | Q(area_id__in=above)


class SurveyPolicy(Policy[Survey]):
    """Surveys of the subtree for area staff; community workers and up build, publish and close them."""

    model = Survey
    noun = "survey"
    area_path = "area__path"
    view_roles = STAFF_VIEW_ROLES
    actions = ("view", "manage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": MANAGE_ROLES}
    select_related = ("area",)


class ResourcePolicy(Policy[Resource]):
    """Resources serving the user's areas (their subtree, the areas above them, their communities' alliances) for
    area staff; the unit's own resources for its liaison."""

    model = Resource
    noun = "resource"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ("view", "edit")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": VIEW_ROLES, "edit": MANAGE_ROLES}
    select_related = ("area", "provider_unit", "alliance", "place")

    def visible_q(self, user: Any) -> Q:
        grants = [g for g in user_grants(user) if g.role in STAFF_VIEW_ROLES]
        above = {aid for g in grants for aid in g.area.ancestor_ids()}
        paths = scope_paths(user, STAFF_VIEW_ROLES)
        q = _staff_q(user, "area__path") | Q(area_id__in=above)
        if paths:
            alliance_q = Q()
            for path in paths:
                alliance_q |= Q(alliance__communities__path__startswith=path)
            q |= Q(alliance__isnull=False) & alliance_q
        return q | Q(provider_unit_id__in=liaison_unit_ids(user))

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_edit(self, user: Any, resource: Resource) -> bool:
        """The provider's liaison; staff who keep the lists over the area it serves."""
        if resource.provider_unit_id is not None and resource.provider_unit_id in liaison_unit_ids(user):
            return True
        return self.in_scope(user, resource, MANAGE_ROLES)


class MatchRoundPolicy(Policy[MatchRound]):
    model = MatchRound
    noun = "match_round"
    area_path = "area__path"
    view_roles = MANAGE_ROLES
    actions = ("view", "confirm")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"confirm": MANAGE_ROLES}
    select_related = ("area",)


class ProjectPolicy(Policy[Project]):
    """Projects of the subtree for area staff; for a liaison, the projects the unit leads or partners in, and those
    waiting to be claimed in the communities where it is registered."""

    model = Project
    noun = "project"
    area_path = "area__path"
    view_roles = VIEW_ROLES
    actions = ("view", "manage", "claim", "sign", "post_progress")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": VIEW_ROLES, "manage": MANAGE_ROLES}
    select_related = ("area", "lead_unit", "parent")

    def visible_q(self, user: Any) -> Q:
        units = liaison_unit_ids(user)
        q = _staff_q(user, "area__path")
        if units:
            q |= Q(lead_unit_id__in=units) | Q(partner_units__in=units)
            q |= Q(status=Project.Status.PROPOSED) & path_q(registered_paths(user), "area__path")
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def unit_ids_of(self, project: Project) -> set[int]:
        ids = set(project.partner_units.values_list("pk", flat=True))
        if project.lead_unit_id:
            ids.add(project.lead_unit_id)
        return ids

    def check_claim(self, user: Any, project: Project) -> bool:
        """A liaison of a unit registered at the project's community, while nobody leads it."""
        return (project.status == Project.Status.PROPOSED and project.lead_unit_id is None
                and bool(liaison_unit_ids(user)) and is_registered_at(user, project.area))

    def check_sign(self, user: Any, project: Project) -> bool:
        """For the community: staff who keep the lists there; for a unit: the liaison of a party to it."""
        return self.in_scope(user, project, MANAGE_ROLES) or bool(liaison_unit_ids(user) & self.unit_ids_of(project))

    def check_post_progress(self, user: Any, project: Project) -> bool:
        return self.check_sign(user, project)


class QuarterSnapshotPolicy(Policy[QuarterSnapshot]):
    model = QuarterSnapshot
    noun = "quarter_snapshot"
    area_path = "area__path"
    view_roles = STAFF_VIEW_ROLES
    actions = ("view",)
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}
    select_related = ("area",)


class ListsAreaPolicy(Policy[Area]):
    """What lists staff do at an area: add a demand there, propose the month's theme for it, build a survey, enter
    a resource, run a matching round, create a project, close its quarter."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    actions = ("create_demand", "propose_theme", "create_survey", "create_resource", "run_matching",
               "create_project", "close_quarter", "view_quarter")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {
        "create_demand": DEMAND_ROLES, "propose_theme": THEME_ROLES, "create_survey": MANAGE_ROLES,
        "create_resource": MANAGE_ROLES | LIAISON, "run_matching": MANAGE_ROLES, "create_project": MANAGE_ROLES,
        "close_quarter": MANAGE_ROLES, "view_quarter": STAFF_VIEW_ROLES,
    }

    def check_create_demand(self, user: Any, area: Area) -> bool:
        """Staff in their subtree; a liaison (the unit's own need) at a community where the unit is registered."""
        return self.in_scope(user, area, DEMAND_ROLES) or is_registered_at(user, area)

    def check_propose_theme(self, user: Any, area: Area) -> bool:
        return area.level in THEME_LEVELS and self.in_scope(user, area, THEME_ROLES)

    def check_create_survey(self, user: Any, area: Area) -> bool:
        return area.level in COMMUNITY_LEVELS and self.in_scope(user, area, MANAGE_ROLES)

    def check_create_resource(self, user: Any, area: Area) -> bool:
        """Staff in their subtree; a liaison (for the unit) at the communities where it is registered, or above
        them when it serves a wider area (the subdistrict, the city)."""
        if self.in_scope(user, area, MANAGE_ROLES):
            return True
        return bool(liaison_unit_ids(user)) and any(
            c.path.startswith(area.path) or area.path.startswith(c.path) for c in registered_communities(user))

    def check_create_project(self, user: Any, area: Area) -> bool:
        return area.level in COMMUNITY_LEVELS and self.in_scope(user, area, MANAGE_ROLES)

    def check_close_quarter(self, user: Any, area: Area) -> bool:
        return area.level in COMMUNITY_LEVELS and self.in_scope(user, area, MANAGE_ROLES)

    def can_somewhere(self, user: Any, action: str) -> bool:
        if action == "create_demand" and is_active_user(user) and bool(registered_paths(user)):
            return True
        return super().can_somewhere(user, action)


demand_policy = DemandPolicy()
monthly_theme_policy = MonthlyThemePolicy()
survey_policy = SurveyPolicy()
resource_policy = ResourcePolicy()
match_round_policy = MatchRoundPolicy()
project_policy = ProjectPolicy()
quarter_policy = QuarterSnapshotPolicy()
area_policy = ListsAreaPolicy()
policies = PolicySet(demand_policy, monthly_theme_policy, survey_policy, resource_policy, match_round_policy,
                     project_policy, quarter_policy, area_policy)

get_demand_for_user = demand_policy.get_for_user
get_monthly_theme_for_user = monthly_theme_policy.get_for_user
get_survey_for_user = survey_policy.get_for_user
get_resource_for_user = resource_policy.get_for_user
get_match_round_for_user = match_round_policy.get_for_user
get_project_for_user = project_policy.get_for_user
get_quarter_snapshot_for_user = quarter_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    """`view` (and the model's actions) on a lists record; the area actions (`create_demand`, `propose_theme`,
    `create_survey`, `create_resource`, `run_matching`, `create_project`, `close_quarter`) at an Area."""
    policy = policies.policy_for(type(obj))
    if action not in policy.all_actions() and action not in area_policy.all_actions() and action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if action not in policy.all_actions():
        return False
    return policy.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)


def can_view_lists(user: Any) -> bool:
    return demand_policy.can_somewhere(user, "browse")


def can_view_surveys(user: Any) -> bool:
    """Does the user see some community's surveys (area staff)?"""
    return is_superuser(user) or (is_active_user(user) and has_role(user, STAFF_VIEW_ROLES))

def can_view_projects(user: Any) -> bool:
    return project_policy.can_somewhere(user, "browse")


def can_create_demands(user: Any) -> bool:
    return area_policy.can_somewhere(user, "create_demand")


def can_propose_themes(user: Any) -> bool:
    return area_policy.can_somewhere(user, "propose_theme")


def can_manage_lists(user: Any) -> bool:
    """Does the user keep the lists somewhere (community worker and up)?"""
    return is_superuser(user) or (is_active_user(user) and has_role(user, MANAGE_ROLES))


def demand_areas(user: Any) -> models.QuerySet[Area]:
    """Areas where the user may add demands: the subtree for staff, the registered communities for a liaison."""
    staff = area_policy.areas_where(user, "create_demand")
    if is_superuser(user):
        return staff
    registered = [a.pk for a in registered_communities(user)]
    return Area.objects.filter(Q(pk__in=staff.values("pk")) | Q(pk__in=registered))


def theme_areas(user: Any) -> models.QuerySet[Area]:
    """Subdistricts, districts and cities for which the user may propose the month's theme."""
    return area_policy.areas_where(user, "propose_theme").filter(level__in=THEME_LEVELS)


def community_areas(user: Any, action: str = "create_project") -> models.QuerySet[Area]:
    """The communities where the user may do a community action (surveys, projects, quarters)."""
    return area_policy.areas_where(user, action).filter(level__in=COMMUNITY_LEVELS)


def users_who_can(action: str, obj: Any) -> models.QuerySet[Any]:
    return policies.policy_for(type(obj)).users_who_can(action, obj)
