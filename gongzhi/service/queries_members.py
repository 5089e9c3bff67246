"""Read-side helpers of the members part: a member's year (registrations, posts, pledges, hours, activities, stars),
the members registered at a community (and those who never served), a unit's report (双报告), and volunteers' hours
over a period. The other parts fill posts, pledges, sign-ups and stars; this only reads them.

Hours count once the organizer confirmed them: a confirmed sign-up with `hours_confirmed_at` and minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.core.models import Area, PartyMember, Registration, Role, Unit, User
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lib.masking import mask_id_number, mask_phone

from .models import Activity, Pledge, PostTerm, ServiceReport, SignUp, StarRating, VolunteerProfile
from .permissions import STAFF_ROLES, liaison_unit_ids, manages, own_member


def hours_of(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def served_q(prefix: str = "") -> Q:
    """Sign-ups whose hours count: confirmed, with hours the organizer confirmed."""
    return Q(**{f"{prefix}status": SignUp.Status.CONFIRMED, f"{prefix}hours_confirmed_at__isnull": False,
                f"{prefix}minutes__gt": 0})


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end` (both days included)."""
    return day_start(start), day_start(end + timedelta(days=1))


def served_signups(user_id: int | None, *, community: Area | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> QuerySet[SignUp]:
    if user_id is None:
        return SignUp.objects.none()
    qs = SignUp.objects.filter(served_q(), user_id=user_id).select_related("activity", "activity__community")
    if community is not None:
        qs = qs.filter(activity__community=community)
    if start is not None:
        qs = qs.filter(activity__starts_at__gte=start)
    if end is not None:
        qs = qs.filter(activity__starts_at__lt=end)
    return qs.order_by("activity__starts_at", "pk")


# --- a member's year ---------------------------------------------------------------------------------------------


@dataclass
class MemberYear:
    member: PartyMember
    year: int
    registrations: list[Registration]
    terms: list[PostTerm]
    pledges: list[Pledge]
    signups: list[SignUp]
    stars: list[StarRating]
    phone: str
    id_number: str
    hours: Decimal = Decimal(0)
    hours_by_community: dict[str, Decimal] = field(default_factory=dict)

    @property
    def activities(self) -> int:
        return len({s.activity_id for s in self.signups})


def member_year(member: PartyMember, year: int, *, community: Area | None = None) -> MemberYear:
    """What the member did in `year` (at `community` only, when given: a unit report's row)."""
    return member_years([member], year, community=community)[0]


def member_years(members: list[PartyMember], year: int, *, community: Area | None = None) -> list[MemberYear]:
    """`member_year` for several members at once, in a fixed number of queries (a unit report's rows)."""
    start, end = year_bounds(year)
    ids = [m.pk for m in members]
    registrations = (Registration.objects.filter(party_member_id__in=ids).select_related("community", "decided_by")
                     .order_by("registered_at", "pk"))
    terms = (PostTerm.objects.filter(party_member_id__in=ids, starts_on__lt=date(year + 1, 1, 1),
                                     ends_on__gte=date(year, 1, 1)).select_related("post", "post__community")
             .order_by("starts_on", "pk"))
    pledges = Pledge.objects.filter(party_member_id__in=ids, year=year).select_related("community").order_by("pk")
    stars = StarRating.objects.filter(party_member_id__in=ids, year=year).select_related("community")
    signups = SignUp.objects.filter(served_q(), user_id__in=[m.user_id for m in members if m.user_id],
                                    activity__starts_at__gte=start, activity__starts_at__lt=end)
    if community is not None:
        terms, pledges, stars = (terms.filter(post__community=community), pledges.filter(community=community),
                                 stars.filter(community=community))
        signups = signups.filter(activity__community=community)
    by: dict[str, dict[int, list[Any]]] = {"registrations": {}, "terms": {}, "pledges": {}, "stars": {},
                                           "signups": {}}
    for key, rows, attr in (("registrations", registrations, "party_member_id"), ("terms", terms, "party_member_id"),
                            ("pledges", pledges, "party_member_id"), ("stars", stars, "party_member_id"),
                            ("signups", signups.select_related("activity", "activity__community")
                             .order_by("activity__starts_at", "pk"), "user_id")):
        for row in rows:
            by[key].setdefault(getattr(row, attr), []).append(row)
    out = []
    for member in members:
        served = by["signups"].get(member.user_id, []) if member.user_id else []
        by_community: dict[str, Decimal] = {}
        for s in served:
            name = s.activity.community.name
            by_community[name] = by_community.get(name, Decimal(0)) + s.hours
        out.append(MemberYear(
            member=member, year=year, registrations=by["registrations"].get(member.pk, []),
            terms=by["terms"].get(member.pk, []), pledges=by["pledges"].get(member.pk, []), signups=served,
            stars=by["stars"].get(member.pk, []), phone=mask_phone(member.phone),
            id_number=mask_id_number(member.id_number), hours=hours_of(sum(s.minutes for s in served)),
            hours_by_community=by_community))
    return out


# --- members at a community ---------------------------------------------------------------------------------------


def member_registrations(community: Area, *, status: str = "", never_served: str = "",
                         year: int | None = None) -> QuerySet[Registration]:
    """The party members registered at `community`, with `hours` (minutes served there, `year` or ever) and
    `ever_minutes`. `never_served`: "ever" (confirmed, no hours there ever) or "year" (none in `year`)."""
    year = year or timezone.localdate().year
    start, end = year_bounds(year)
    at = SignUp.objects.filter(served_q(), user_id=OuterRef("party_member__user_id"), activity__community=community)
    qs = (Registration.objects.filter(community=community, kind=Registration.Kind.PARTY_MEMBER)
          .select_related("party_member", "party_member__work_unit", "decided_by")
          .annotate(served_ever=Exists(at),
                    served_year=Exists(at.filter(activity__starts_at__gte=start, activity__starts_at__lt=end))))
    if status:
        qs = qs.filter(status=status)
    if never_served in ("ever", "year"):
        qs = qs.filter(status=Registration.Status.CONFIRMED).filter(
            **{"served_ever" if never_served == "ever" else "served_year": False})
    return qs.order_by("party_member__name", "pk")


def minutes_by_user(user_ids: list[int], community: Area, start: datetime, end: datetime) -> dict[int, int]:
    rows = (SignUp.objects.filter(served_q(), user_id__in=user_ids, activity__community=community,
                                  activity__starts_at__gte=start, activity__starts_at__lt=end)
            .values("user_id").annotate(total=Sum("minutes")))
    return {r["user_id"]: int(r["total"] or 0) for r in rows}


# --- the communities a user works on ---------------------------------------------------------------------------


def staff_communities(user: Any) -> QuerySet[Area]:
    """The communities the user sees as staff (any area staff role covering them)."""
    qs = Area.objects.filter(level=Area.Level.COMMUNITY)
    if is_superuser(user):
        return qs.order_by("path")
    return qs.filter(path_q(scope_paths(user, STAFF_ROLES), "path")).order_by("path")


def managed_communities(user: Any) -> list[Area]:
    return [c for c in staff_communities(user) if manages(user, c)]


def sees_community(user: Any, community: Area) -> bool:
    return staff_communities(user).filter(pk=community.pk).exists()


def home_community(user: Any) -> Area | None:
    """Where a volunteer (or party member) serves: the community of their grant, else their member's home."""
    from gongzhi.core.policy import user_grants

    for g in user_grants(user):
        if g.role in (Role.VOLUNTEER, Role.PARTY_MEMBER, Role.RESIDENT):
            area = g.area
            if area.level == Area.Level.COMMUNITY:
                return area
            found = area.ancestor_of_level(Area.Level.COMMUNITY)
            if found is not None:
                return found
    member = own_member(user)
    return member.home_area if member is not None else None


# --- a unit's report (双报告) ------------------------------------------------------------------------------------


@dataclass
class UnitReport:
    community: Area
    unit: Unit
    year: int
    rows: list[MemberYear]
    sent: list[ServiceReport]

    @property
    def hours(self) -> Decimal:
        return sum((r.hours for r in self.rows), Decimal(0))


def report_units(community: Area) -> QuerySet[Unit]:
    """Units with members registered (confirmed) at the community, with `members` counted."""
    return (Unit.objects.filter(party_members__registrations__community=community,
                                party_members__registrations__status=Registration.Status.CONFIRMED)
            .annotate(members=Count("party_members", distinct=True)).order_by("name"))


def unit_report(community: Area, unit: Unit, year: int) -> UnitReport:
    members = (PartyMember.objects.filter(work_unit=unit, registrations__community=community,
                                          registrations__status=Registration.Status.CONFIRMED)
               .select_related("home_area", "work_unit").distinct().order_by("name", "pk"))
    rows = member_years(list(members), year, community=community)
    sent = list(ServiceReport.objects.filter(community=community, unit=unit, year=year)
                .select_related("sent_by").order_by("-sent_at"))
    return UnitReport(community=community, unit=unit, year=year, rows=rows, sent=sent)


def can_see_unit_report(user: Any, community: Area, unit: Unit) -> bool:
    """Staff who see the community; the unit's liaison once a report was sent to it."""
    if sees_community(user, community):
        return True
    return unit.pk in liaison_unit_ids(user) and ServiceReport.objects.filter(community=community, unit=unit).exists()


def reports_for_liaison(user: Any) -> QuerySet[ServiceReport]:
    units = liaison_unit_ids(user)
    return (ServiceReport.objects.filter(unit_id__in=units).select_related("community", "unit")
            .order_by("-year", "-sent_at"))


def liaisons_of(unit_ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, grants__role=Role.UNIT_LIAISON, grants__unit_id__in=unit_ids).distinct()


# --- volunteers ---------------------------------------------------------------------------------------------------


def volunteers_at(community: Area, start: datetime, end: datetime) -> list[VolunteerProfile]:
    profiles = list(VolunteerProfile.objects.filter(community=community).select_related("user")
                    .order_by("user__display_name", "pk"))
    minutes = minutes_by_user([p.user_id for p in profiles], community, start, end)
    for p in profiles:
        p.hours = hours_of(minutes.get(p.user_id, 0))  # type: ignore[attr-defined]
        p.masked_id = mask_id_number(p.id_number)  # type: ignore[attr-defined]
    return profiles


@dataclass
class HoursRow:
    user: User
    organisation: str
    activities: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)


def hours_rows(community: Area, start: datetime, end: datetime) -> list[HoursRow]:
    """Everyone with confirmed hours at the community's activities in the period (volunteers and members)."""
    rows = (SignUp.objects.filter(served_q(), activity__community=community, activity__starts_at__gte=start,
                                  activity__starts_at__lt=end)
            .values("user_id").annotate(total=Sum("minutes"), activities=Count("activity", distinct=True)))
    totals = {r["user_id"]: r for r in rows}
    users = {u.pk: u for u in User.objects.filter(pk__in=list(totals))}
    orgs = dict(VolunteerProfile.objects.filter(user_id__in=list(totals)).values_list("user_id", "organisation"))
    out = [HoursRow(user=users[uid], organisation=orgs.get(uid, ""), activities=int(r["activities"]),
                    minutes=int(r["total"] or 0)) for uid, r in totals.items() if uid in users]
    return sorted(out, key=lambda r: (r.user.display_name, r.user.pk))


def require_manage_service(user: Any, community: Area, message: str) -> None:
    """404 when the user has nothing at the community (no grant covering it), 403 when they may not run it."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from gongzhi.core.policy import covers

    from .permissions import area_policy

    if area_policy.can(user, "manage_service", community):
        return
    if not covers(user, community):
        raise Http404
    raise PermissionDenied(message)


# --- what a unit's members did, for the evaluation's evidence -------------------------------------------------


def unit_service_figures(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
    """Service by a unit's in-service party members (在职党员) at these communities' activities that started in
    [start, end) (one query): `members` (how many served) and `minutes` (served, as confirmed by the organizer:
    `served_q`)."""
    row = (SignUp.objects.filter(served_q(), user__party_member__work_unit_id=unit_id,
                                 user__party_member__in_service=True, activity__community_id__in=community_ids,
                                 activity__starts_at__gte=start, activity__starts_at__lt=end)
           .aggregate(members=Count("user_id", distinct=True), minutes=Sum("minutes")))
    return {"members": int(row["members"] or 0), "minutes": int(row["minutes"] or 0)}


def unit_service_examples(unit_id: int, *, community_ids: list[int], start: datetime, end: datetime,
                          limit: int = 3) -> list[Any]:
    """A few activities where the unit's in-service party members served in the period, latest first, each with
    `minutes` (their confirmed minutes there); one query."""
    served = SignUp.objects.filter(served_q(), user__party_member__work_unit_id=unit_id,
                                   user__party_member__in_service=True)
    return list(Activity.objects.filter(community_id__in=community_ids, starts_at__gte=start, starts_at__lt=end,
                                        pk__in=served.values("activity_id"))
                .annotate(minutes=Sum("signups__minutes", filter=served_q("signups__")
                                      & Q(signups__user__party_member__work_unit_id=unit_id,
                                          signups__user__party_member__in_service=True)))
                .order_by("-starts_at", "-pk")[:limit])


def community_service_figures(community_ids: list[int], *, start: datetime, end: datetime) -> dict[str, int]:
    """The service activities of these communities that started in [start, end) (two queries): `activities` (not
    cancelled), `people` (who served, hours confirmed) and `minutes` (served)."""
    activities = (Activity.objects.filter(community_id__in=community_ids, starts_at__gte=start, starts_at__lt=end)
                  .exclude(status=Activity.Status.CANCELLED).count())
    row = (SignUp.objects.filter(served_q(), activity__community_id__in=community_ids,
                                 activity__starts_at__gte=start, activity__starts_at__lt=end)
           .aggregate(people=Count("user_id", distinct=True), minutes=Sum("minutes")))
    return {"activities": activities, "people": int(row["people"] or 0), "minutes": int(row["minutes"] or 0)}
