"""The service policy: who sees and does what on registrations, members' service records, posts, pledges,
activities and sign-ups, the time bank, rewards, star ratings, volunteers' profiles and certificates.

- Area staff (city and district admins, subdistrict staff, community workers, grid workers) see what belongs to the
  communities of their subtree; community workers and up (`MANAGE_ROLES`) run it: confirm registrations, define
  posts, assess pledges, organise activities and confirm hours, offer rewards, configure and adjust stars, issue
  certificates, send the yearly reports to the units.
- A party member, volunteer or resident sees their own record, sign-ups, account, redemptions, stars and
  certificates, and the posts, activities and rewards of their community (a grant there, or a confirmed
  registration of their party-member record).
- A member unit's liaison sees its own members' service (party members whose work unit it is: their registrations,
  pledges, stars), its own account and the redemptions of its rewards, whose delivery it confirms.
- Another community's member, activity or account is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from gongzhi.core.models import Area, PartyMember, Registration, Role
from gongzhi.core.permissions import AREA_STAFF_ROLES, MANAGE_ROLES, liaison_unit_ids, user_grants
from gongzhi.core.policy import Policy, PolicySet, has_role, is_active_user, is_superuser, path_q, scope_paths

from .models import (
    Activity,
    Certificate,
    Pledge,
    Post,
    Redemption,
    Reward,
    SignUp,
    StarRating,
    TimeBankAccount,
    VolunteerProfile,
)

STAFF_ROLES = AREA_STAFF_ROLES
LIAISON = frozenset({Role.UNIT_LIAISON})
PARTICIPANT_ROLES = frozenset({Role.PARTY_MEMBER, Role.VOLUNTEER, Role.RESIDENT})
COMMUNITY_ROLES = STAFF_ROLES | PARTICIPANT_ROLES | LIAISON


def own_member(user: Any) -> PartyMember | None:
    """The user's party-member record (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_service_member"):
        user._service_member = PartyMember.objects.filter(user=user).select_related("home_area", "work_unit").first()
    member: PartyMember | None = user._service_member
    return member


def registered_community_ids(user: Any) -> set[int]:
    """Communities where the user's party-member record is confirmed (双报到), cached for the request."""
    cached = getattr(user, "_service_registered", None)
    if cached is None:
        member = own_member(user)
        cached = set() if member is None else set(
            Registration.objects.confirmed().filter(party_member=member).values_list("community_id", flat=True))
        user._service_registered = cached
    return cached


def community_q(user: Any, field: str, roles: frozenset[str] = COMMUNITY_ROLES) -> Q:
    """The communities `field` (a lookup to an Area) the user belongs to: a grant of `roles` covering it, or a
    confirmed registration of the user's party-member record there."""
    q = path_q(scope_paths(user, roles), f"{field}__path")
    registered = registered_community_ids(user)
    if registered:
        q |= Q(**{f"{field}_id__in": registered})
    return q


def manages(user: Any, area: Area | None) -> bool:
    """Community workers and up whose grant covers `area`."""
    if area is None:
        return False
    return is_superuser(user) or any(area.path.startswith(p) for p in scope_paths(user, MANAGE_ROLES))


class ServiceRegistrationPolicy(Policy[Registration]):
    """Registrations (双报到) as the service app shows them: staff see those at their communities and decide them;
    a member sees their own; a liaison sees its unit's and its members'."""

    model = Registration
    noun = "registration"
    area_path = "community__path"
    area_attr = "community"
    view_roles = STAFF_ROLES
    actions = ("view", "decide")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON | PARTICIPANT_ROLES,
                                                     "decide": MANAGE_ROLES}
    select_related = ("community", "unit", "party_member", "party_member__work_unit")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "community__path") | Q(party_member__user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(unit_id__in=units) | Q(party_member__work_unit_id__in=units)
        return q

    def check_decide(self, user: Any, registration: Registration) -> bool:
        return manages(user, registration.community)


class MemberPolicy(Policy[PartyMember]):
    """A party member's service record (their year): the member; staff of the home community or of a community
    where they are registered; the liaison of their work unit."""

    model = PartyMember
    noun = "member"
    area_path = "home_area__path"
    area_attr = "home_area"
    view_roles = STAFF_ROLES
    actions = ("view", "manage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON, "manage": MANAGE_ROLES}
    select_related = ("home_area", "work_unit", "party_org")

    def visible_q(self, user: Any) -> Q:
        paths = scope_paths(user, STAFF_ROLES)
        q = path_q(paths, "home_area__path") | path_q(paths, "registrations__community__path") | Q(user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(work_unit_id__in=units)
        return q

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, member: PartyMember) -> bool:
        if manages(user, member.home_area):
            return True
        paths = scope_paths(user, MANAGE_ROLES)
        return bool(paths) and Registration.objects.filter(party_member=member).filter(
            path_q(paths, "community__path")).exists()


class PostPolicy(Policy[Post]):
    model = Post
    noun = "post"
    area_path = "community__path"
    area_attr = "community"
    view_roles = COMMUNITY_ROLES
    actions = ("view", "manage")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": COMMUNITY_ROLES, "manage": MANAGE_ROLES}
    select_related = ("community", "area")

    def visible_q(self, user: Any) -> Q:
        return community_q(user, "community")


class PledgePolicy(Policy[Pledge]):
    """Pledges: staff of the community, the member, the liaison of the member's unit (the public page shows the
    community's pledges to anyone, without this policy). The member edits an open pledge; staff assess."""

    model = Pledge
    noun = "pledge"
    area_path = "community__path"
    area_attr = "community"
    view_roles = STAFF_ROLES
    actions = ("view", "edit", "assess")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON | PARTICIPANT_ROLES,
                                                     "assess": MANAGE_ROLES}
    select_related = ("community", "party_member")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "community__path") | Q(party_member__user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(party_member__work_unit_id__in=units)
        return q

    def check_edit(self, user: Any, pledge: Pledge) -> bool:
        return pledge.status == Pledge.Status.OPEN and pledge.party_member.user_id == getattr(user, "pk", None)

    def check_assess(self, user: Any, pledge: Pledge) -> bool:
        return manages(user, pledge.community)


class ActivityPolicy(Policy[Activity]):
    """Activities of the user's community; organised by community workers and up, or by the organizer named."""

    model = Activity
    noun = "activity"
    area_path = "community__path"
    area_attr = "community"
    view_roles = COMMUNITY_ROLES
    actions = ("view", "manage", "sign_up")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": COMMUNITY_ROLES, "manage": MANAGE_ROLES}
    select_related = ("community", "series", "organizer")

    def visible_q(self, user: Any) -> Q:
        return community_q(user, "community") | Q(organizer=user) | Q(signups__user=user)

    def scope(self, qs: Any, user: Any) -> Any:
        return qs.filter(self.visible_q(user)).distinct()

    def check_manage(self, user: Any, activity: Activity) -> bool:
        return manages(user, activity.community) or (
            activity.organizer_id is not None and activity.organizer_id == getattr(user, "pk", None))

    def check_sign_up(self, user: Any, activity: Activity) -> bool:
        """Who may join: a party member (a party-member record), a volunteer (a volunteer grant) or a resident
        (any account), as the activity allows; it must be visible to them."""
        if not self.visible_to(user).filter(pk=activity.pk).exists():
            return False
        return any(who_may_join(user, activity).values())


def who_may_join(user: Any, activity: Activity) -> dict[str, bool]:
    roles = {g.role for g in user_grants(user)}
    return {
        "party_member": activity.open_to_party_members and (own_member(user) is not None
                                                           or Role.PARTY_MEMBER in roles),
        "volunteer": activity.open_to_volunteers and Role.VOLUNTEER in roles,
        "resident": activity.open_to_residents and bool(roles & PARTICIPANT_ROLES),
    }


class SignUpPolicy(Policy[SignUp]):
    """A sign-up: its person, and whoever manages the activity (who confirms and corrects the hours)."""

    model = SignUp
    noun = "signup"
    area_path = "activity__community__path"
    view_roles = STAFF_ROLES
    actions = ("view", "cancel", "confirm_hours")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"confirm_hours": MANAGE_ROLES}
    select_related = ("activity", "activity__community", "user")

    def area_of(self, obj: Any) -> Area | None:
        return obj.activity.community if isinstance(obj, SignUp) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "activity__community__path") | Q(user=user) | \
            Q(activity__organizer=user)

    def check_cancel(self, user: Any, signup: SignUp) -> bool:
        return signup.user_id == getattr(user, "pk", None) or activity_policy.check_manage(user, signup.activity)

    def check_confirm_hours(self, user: Any, signup: SignUp) -> bool:
        return activity_policy.check_manage(user, signup.activity)


class AccountPolicy(Policy[TimeBankAccount]):
    """Time bank accounts: one's own; staff see the accounts of their communities; a liaison its unit's."""

    model = TimeBankAccount
    noun = "account"
    area_path = "area__path"
    view_roles = STAFF_ROLES
    actions = ("view", "transfer")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": COMMUNITY_ROLES}
    select_related = ("area", "user", "unit")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "area__path") | Q(user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(unit_id__in=units)
        return q

    def check_transfer(self, user: Any, account: TimeBankAccount) -> bool:
        return account.kind == TimeBankAccount.Kind.PERSON and account.user_id == getattr(user, "pk", None)


class RewardPolicy(Policy[Reward]):
    """Rewards of the user's community (and the ones a liaison's unit offers); staff of the community or the
    provider unit's liaison manage them."""

    model = Reward
    noun = "reward"
    area_path = "community__path"
    area_attr = "community"
    view_roles = COMMUNITY_ROLES
    actions = ("view", "manage", "redeem")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": COMMUNITY_ROLES}
    select_related = ("community", "unit")

    def visible_q(self, user: Any) -> Q:
        q = community_q(user, "community")
        units = liaison_unit_ids(user)
        if units:
            q |= Q(unit_id__in=units)
        return q

    def check_manage(self, user: Any, reward: Reward) -> bool:
        return manages(user, reward.community) or (reward.unit_id is not None
                                                   and reward.unit_id in liaison_unit_ids(user))

    def check_redeem(self, user: Any, reward: Reward) -> bool:
        return reward.active and self.visible_to(user).filter(pk=reward.pk).exists()


class RedemptionPolicy(Policy[Redemption]):
    """A redemption: the person; the provider (the community's staff, or the unit's liaison) confirms delivery."""

    model = Redemption
    noun = "redemption"
    area_path = "reward__community__path"
    view_roles = STAFF_ROLES
    actions = ("view", "deliver", "cancel")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": COMMUNITY_ROLES}
    select_related = ("reward", "reward__community", "reward__unit", "user")

    def area_of(self, obj: Any) -> Area | None:
        return obj.reward.community if isinstance(obj, Redemption) else super().area_of(obj)

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "reward__community__path") | Q(user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(reward__unit_id__in=units)
        return q

    def check_deliver(self, user: Any, redemption: Redemption) -> bool:
        return reward_policy.check_manage(user, redemption.reward)

    def check_cancel(self, user: Any, redemption: Redemption) -> bool:
        return redemption.user_id == getattr(user, "pk", None) or self.check_deliver(user, redemption)


class StarRatingPolicy(Policy[StarRating]):
    model = StarRating
    noun = "star_rating"
    area_path = "community__path"
    area_attr = "community"
    view_roles = STAFF_ROLES
    actions = ("view", "adjust")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES | LIAISON, "adjust": MANAGE_ROLES}
    select_related = ("community", "party_member")

    def visible_q(self, user: Any) -> Q:
        q = path_q(scope_paths(user, STAFF_ROLES), "community__path") | Q(party_member__user=user)
        units = liaison_unit_ids(user)
        if units:
            q |= Q(party_member__work_unit_id__in=units)
        return q

    def check_adjust(self, user: Any, rating: StarRating) -> bool:
        return manages(user, rating.community)


class VolunteerProfilePolicy(Policy[VolunteerProfile]):
    model = VolunteerProfile
    noun = "volunteer_profile"
    area_path = "community__path"
    area_attr = "community"
    view_roles = STAFF_ROLES
    actions = ("view", "edit")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES}
    select_related = ("community", "user")

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "community__path") | Q(user=user)

    def check_edit(self, user: Any, profile: VolunteerProfile) -> bool:
        return profile.user_id == getattr(user, "pk", None) or manages(user, profile.community)


class CertificatePolicy(Policy[Certificate]):
    """Certificates in the app (anyone checks one by its code on the public page)."""

    model = Certificate
    noun = "certificate"
    area_path = "community__path"
    area_attr = "community"
    view_roles = STAFF_ROLES
    actions = ("view",)
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"browse": STAFF_ROLES}
    select_related = ("community", "user")

    def visible_q(self, user: Any) -> Q:
        return path_q(scope_paths(user, STAFF_ROLES), "community__path") | Q(user=user)


class ServiceAreaPolicy(Policy[Area]):
    """What is done at a community: define posts, organise activities, assess pledges, offer rewards, set the star
    rules, issue certificates, send the yearly reports; a party member registers there."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    actions = ("manage_service", "offer_reward", "register")
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage_service": MANAGE_ROLES,
                                                     "offer_reward": MANAGE_ROLES | LIAISON,
                                                     "register": PARTICIPANT_ROLES | LIAISON}

    def check_manage_service(self, user: Any, area: Area) -> bool:
        return area.level == Area.Level.COMMUNITY and manages(user, area)

    def check_offer_reward(self, user: Any, area: Area) -> bool:
        """Staff of the community; a liaison of a unit registered there (confirmed)."""
        if area.level != Area.Level.COMMUNITY:
            return False
        if manages(user, area):
            return True
        units = liaison_unit_ids(user)
        return bool(units) and Registration.objects.confirmed().filter(unit_id__in=units, community=area).exists()

    def check_register(self, user: Any, area: Area) -> bool:
        """A party member registers themself at a community; a liaison registers its unit (any community: the
        community confirms)."""
        if area.level != Area.Level.COMMUNITY or not is_active_user(user):
            return False
        return own_member(user) is not None or bool(liaison_unit_ids(user))

    def can_somewhere(self, user: Any, action: str) -> bool:
        if action == "register":
            return is_active_user(user) and (own_member(user) is not None or bool(liaison_unit_ids(user)))
        return super().can_somewhere(user, action)


registration_policy = ServiceRegistrationPolicy()
member_policy = MemberPolicy()
post_policy = PostPolicy()
pledge_policy = PledgePolicy()
activity_policy = ActivityPolicy()
signup_policy = SignUpPolicy()
account_policy = AccountPolicy()
reward_policy = RewardPolicy()
redemption_policy = RedemptionPolicy()
star_rating_policy = StarRatingPolicy()
volunteer_profile_policy = VolunteerProfilePolicy()
certificate_policy = CertificatePolicy()
area_policy = ServiceAreaPolicy()
policies = PolicySet(registration_policy, member_policy, post_policy, pledge_policy, activity_policy,
                     signup_policy, account_policy, reward_policy, redemption_policy, star_rating_policy,
                     volunteer_profile_policy, certificate_policy, area_policy)

get_registration_for_user = registration_policy.get_for_user
get_member_for_user = member_policy.get_for_user
get_post_for_user = post_policy.get_for_user
get_pledge_for_user = pledge_policy.get_for_user
get_activity_for_user = activity_policy.get_for_user
get_signup_for_user = signup_policy.get_for_user
get_account_for_user = account_policy.get_for_user
get_reward_for_user = reward_policy.get_for_user
get_redemption_for_user = redemption_policy.get_for_user
get_star_rating_for_user = star_rating_policy.get_for_user
get_volunteer_profile_for_user = volunteer_profile_policy.get_for_user
get_certificate_for_user = certificate_policy.get_for_user


def shows_service(user: Any) -> bool:
    """The nav entry: anyone with a role at a community; an account with no role at all but a party-member record
    (no query for the other roles: their grants are cached)."""
    if is_superuser(user) or has_role(user, COMMUNITY_ROLES):
        return True
    return is_active_user(user) and not user_grants(user) and own_member(user) is not None


def service_priority(user: Any) -> int:
    """On a phone's bar, service comes first for party members and volunteers (it is their main work here)."""
    roles = {g.role for g in user_grants(user)}
    return 10 if roles & {Role.PARTY_MEMBER, Role.VOLUNTEER} and not roles & STAFF_ROLES else 55


def visible_to(user: Any, model: type[models.Model]) -> models.QuerySet[Any]:
    return policies.visible_to(user, model)


def can(user: Any, action: str, obj: Any) -> bool:
    return policies.can(user, action, obj)


def require(user: Any, action: str, obj: Any, message: str | None = None) -> None:
    policies.require(user, action, obj, message)



