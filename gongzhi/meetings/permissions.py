"""The meetings policy: who sees and does what on joint meetings, their agendas, resolutions, duty reports and
minutes.

- Area staff (city and district admins, subdistrict staff, community workers, grid workers) see the meetings hosted
  in their subtree, and every meeting of an alliance one of their communities belongs to (an alliance meeting is
  visible to all its communities). Community workers and up (`MANAGE_ROLES`) organise them: schedule, invite, set
  the agenda, record attendance, resolutions and minutes, sign off.
- A member unit's liaison sees only the meetings the unit (or the liaison in person) is invited to, the unit's own
  resolutions and duty reports; posts progress on the unit's resolutions and fills the unit's reports.
- Anyone invited in person sees that meeting and signs in to it.
- Another community's meetings are 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, Registration, Role, Unit
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES, liaison_unit_ids
from gongzhi.core.policy import Policy, PolicySet, is_superuser, path_q, scope_paths

from .models import DutyReport, Invitation, Meeting, Minutes, RaisedItem, Resolution

LIAISON = frozenset({Role.UNIT_LIAISON})
STAFF_ROLES = AREA_STAFF_ROLES


def _alliance_q(user: Any, roles: frozenset[str], prefix: str = "") -> Q:
    """Meetings of alliances that have a community in the user's scope."""
    paths = scope_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    inner = Q()
    for path in paths:
        inner |= Q(**{f"{prefix}alliance__communities__path__startswith": path})
    return Q(**{f"{prefix}alliance__isnull": False}) & inner


def _invited_q(user: Any, prefix: str = "") -> Q:
    units = liaison_unit_ids(user)
    q = Q(**{f"{prefix}invitations__user": user}) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    if units:
        q |= Q(**{f"{prefix}invitations__unit_id__in": units})
    return q


def staff_covers_meeting(user: Any, meeting: Meeting, roles: frozenset[str]) -> bool:
    """A grant of `roles` covers the host community, or (alliance meeting) one of the alliance's communities."""
    paths = scope_paths(user, roles)
    if any(meeting.area.path.startswith(p) for p in paths):
        return True
    if meeting.alliance_id is None or not paths:
        return False
    return Area.objects.filter(alliances=meeting.alliance_id).filter(path_q(paths, "path")).exists()


class MeetingPolicy(Policy[Meeting]):
    model = Meeting
    noun = "meeting"
    area_path = "area__path"
    view_roles = STAFF_ROLES | LIAISON
    actions = ("view", "manage", "sign_in")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON, "manage": MANAGE_ROLES}
    select_related = ("area", "alliance", "series")

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "area__path") | _alliance_q(user, STAFF_ROLES) | \
            _invited_q(user)

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def can_somewhere(self, user: Any, action: str) -> bool:
        if action == "browse" and getattr(user, "is_authenticated", False) and \
                Invitation.objects.filter(user=user).exists():
            return True
        return super().can_somewhere(user, action)

    def check_manage(self, user: Any, meeting: Meeting) -> bool:
        return is_superuser(user) or staff_covers_meeting(user, meeting, MANAGE_ROLES)

    def check_sign_in(self, user: Any, meeting: Meeting) -> bool:
        """Invited in person or through one's unit; staff may sign themselves in too."""
        return self.visible_to(user).filter(pk=meeting.pk).exists()


class ResolutionPolicy(Policy[Resolution]):
    """Resolutions of the subtree (and of alliance meetings) for staff; a unit's own for its liaison."""

    model = Resolution
    noun = "resolution"
    area_path = "area__path"
    view_roles = STAFF_ROLES | LIAISON
    actions = ("view", "manage", "update")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON, "manage": MANAGE_ROLES}
    select_related = ("area", "meeting")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "area__path") | _alliance_q(user, STAFF_ROLES, "meeting__")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(units__in=units)
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, resolution: Resolution) -> bool:
        return meeting_policy.check_manage(user, resolution.meeting)

    def check_update(self, user: Any, resolution: Resolution) -> bool:
        """The liaison of a responsible unit, or staff who manage the meeting."""
        units = liaison_unit_ids(user)
        if units and resolution.units.filter(pk__in=units).exists():
            return True
        return self.check_manage(user, resolution)


class DutyReportPolicy(Policy[DutyReport]):
    model = DutyReport
    noun = "duty_report"
    area_path = "meeting__area__path"
    view_roles = STAFF_ROLES | LIAISON
    actions = ("view", "fill")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON}
    select_related = ("meeting__area", "unit")

    def area_of(self, obj: Any) -> Area | None:
        return obj.meeting.area if isinstance(obj, DutyReport) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "meeting__area__path") | \
            _alliance_q(user, STAFF_ROLES, "meeting__")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(unit_id__in=units)
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_fill(self, user: Any, report: DutyReport) -> bool:
        """The unit's liaison, or staff who manage the meeting (filling in for a unit on paper)."""
        return report.unit_id in liaison_unit_ids(user) or meeting_policy.check_manage(user, report.meeting)


class MinutesPolicy(Policy[Minutes]):
    model = Minutes
    noun = "minutes"
    area_path = "meeting__area__path"
    view_roles = STAFF_ROLES | LIAISON
    actions = ("view", "edit")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}
    select_related = ("meeting__area",)

    def area_of(self, obj: Any) -> Area | None:
        return obj.meeting.area if isinstance(obj, Minutes) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "meeting__area__path") | \
            _alliance_q(user, STAFF_ROLES, "meeting__") | _invited_q(user, "meeting__")

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_edit(self, user: Any, minutes: Minutes) -> bool:
        return meeting_policy.check_manage(user, minutes.meeting)


class RaisedItemPolicy(Policy[RaisedItem]):
    """Raised items of the subtree for staff; a liaison sees what its unit raised."""

    model = RaisedItem
    noun = "raised_item"
    area_path = "area__path"
    view_roles = STAFF_ROLES | LIAISON
    actions = ("view", "manage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": MANAGE_ROLES}
    select_related = ("area", "raised_by_unit")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "area__path")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(raised_by_unit_id__in=units)
        return q


class MeetingsAreaPolicy(Policy[Area]):
    """What is done at a community: schedule a meeting there, raise an item for its next meeting."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    actions = ("schedule_meeting", "raise_item")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"schedule_meeting": MANAGE_ROLES,
                                                     "raise_item": STAFF_ROLES | LIAISON}

    def check_schedule_meeting(self, user: Any, area: Area) -> bool:
        return area.level == Area.Level.COMMUNITY and self.in_scope(user, area, MANAGE_ROLES)

    def check_raise_item(self, user: Any, area: Area) -> bool:
        """Staff of the community; a liaison of a unit registered there (or whose own community it is)."""
        if area.level != Area.Level.COMMUNITY:
            return False
        if self.in_scope(user, area, STAFF_ROLES):
            return True
        units = liaison_unit_ids(user)
        if not units:
            return False
        return Registration.objects.confirmed().filter(unit_id__in=units, community=area).exists() or \
            Unit.objects.filter(pk__in=units, area__path__startswith=area.path).exists()


meeting_policy = MeetingPolicy()
resolution_policy = ResolutionPolicy()
duty_report_policy = DutyReportPolicy()
minutes_policy = MinutesPolicy()
raised_item_policy = RaisedItemPolicy()
area_policy = MeetingsAreaPolicy()
policies = PolicySet(meeting_policy, resolution_policy, duty_report_policy, minutes_policy, raised_item_policy,
                     area_policy)

get_meeting_for_user = meeting_policy.get_for_user
get_resolution_for_user = resolution_policy.get_for_user
get_duty_report_for_user = duty_report_policy.get_for_user
get_minutes_for_user = minutes_policy.get_for_user
get_raised_item_for_user = raised_item_policy.get_for_user


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)
