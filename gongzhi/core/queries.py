"""Read-side helpers for the organization pages: scoped lists with the counts they show, no N+1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.ttl import TtlMap

from . import pii
from .models import Area, AuditEvent, Link, Notification, PartyMember, PartyOrg, Resident, Role, Unit
from .paging import capped_count
from .permissions import (
    STAFF_ROLES,
    has_role,
    is_superuser,
    resident_policy,
    scope_paths,
    user_grants,
    visible_to,
)
from .registry import Task


def sees_people(user: Any) -> bool:
    """Does the user work with residents' and party members' records at all?"""
    return resident_policy.can_somewhere(user, "browse")


def top_areas(user: Any) -> list[Area]:
    """Where the user's area tree starts: the area of each grant (the highest ones), or the roots for a superuser."""
    if is_superuser(user):
        return list(Area.objects.filter(parent__isnull=True))
    paths = scope_paths(user)
    return list(Area.objects.filter(path__in=paths).order_by("path"))


@dataclass
class AreaRow:
    area: Area
    children: int = 0
    units: int = 0
    residents: int | None = None
    party_members: int | None = None


@dataclass
class AreaCounts:
    residents: int | None = None
    party_members: int | None = None
    units: int = 0
    by_level: list[tuple[str, int]] = field(default_factory=list)


def member_place_path() -> Coalesce:
    """Where a party member lives, as an area path: their resident record's building when they have one, else
    their home community. The area tree counts members there, so an estate counts the members living in it
    (home_area is the community they registered at, never an estate)."""
    return Coalesce(F("resident__area__path"), F("home_area__path"))


def _count_by_prefix(paths: Iterable[tuple[str, int]], prefixes: list[str]) -> dict[str, int]:
    totals = dict.fromkeys(prefixes, 0)
    for path, n in paths:
        for prefix in prefixes:
            if path.startswith(prefix):
                totals[prefix] += n
                break
    return totals


def area_rows(user: Any, areas: list[Area]) -> list[AreaRow]:
    """Each area with the number of visible sub-areas, units and (for people roles) residents and members.
    Units, residents and members are counted over the area's whole subtree (含下级); sub-areas are the direct ones.

    A constant number of queries whatever the number of areas: counts are grouped by area path and summed
    by prefix in Python.
    """
    if not areas:
        return []
    rows = [AreaRow(area=a) for a in areas]
    prefixes = [a.path for a in areas]
    prefix_q = Q()
    for prefix in prefixes:
        prefix_q |= Q(area__path__startswith=prefix)
    child_counts = dict(
        visible_to(user, Area)
        .filter(parent__in=areas)
        .values_list("parent")
        .annotate(n=Count("id"))
        .order_by()
    )
    unit_paths = (
        Unit.objects.filter(pk__in=visible_to(user, Unit).values("pk"))
        .filter(prefix_q)
        .values_list("area__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    units = _count_by_prefix(unit_paths, prefixes)
    residents = party_members = None
    if sees_people(user):
        resident_paths = (
            visible_to(user, Resident)
            .filter(prefix_q)
            .values_list("area__path")
            .annotate(n=Count("id"))
            .order_by()
        )
        residents = _count_by_prefix(resident_paths, prefixes)
        member_q = Q()
        for prefix in prefixes:
            member_q |= Q(place_path__startswith=prefix)
        member_paths = (
            visible_to(user, PartyMember)
            .annotate(place_path=member_place_path())
            .filter(member_q)
            .values_list("place_path")
            .annotate(n=Count("id"))
            .order_by()
        )
        party_members = _count_by_prefix(member_paths, prefixes)
    for row in rows:
        row.children = child_counts.get(row.area.pk, 0)
        row.units = units[row.area.path]
        if residents is not None and party_members is not None:
            row.residents = residents[row.area.path]
            row.party_members = party_members[row.area.path]
    return rows


def area_children(user: Any, area: Area) -> QuerySet[Area]:
    return visible_to(user, Area).filter(parent=area).order_by("name")


def home_counts(user: Any) -> dict[str, Any]:
    """What the user can see, counted: areas in scope by level, units, residents, party members."""
    if is_superuser(user):
        areas = Area.objects.all()
    else:
        in_scope = Q(pk__in=[])
        for path in scope_paths(user):
            in_scope |= Q(path__startswith=path)
        areas = Area.objects.filter(in_scope)
    level_counts = Counter(dict(areas.values_list("level").annotate(n=Count("id")).order_by()))
    by_level = [
        (label, level_counts.get(value, 0)) for value, label in Area.Level.choices if level_counts.get(value)
    ]
    counts: dict[str, Any] = {
        "by_level": by_level,
        "units": visible_to(user, Unit).count(),
        "party_orgs": visible_to(user, PartyOrg).count(),
        "residents": None,
        "party_members": None,
    }
    if sees_people(user):
        counts["residents"] = visible_to(user, Resident).count()
        counts["party_members"] = visible_to(user, PartyMember).count()
    return counts


def unread_notifications(user: Any) -> int:
    """How many of the user's notifications are unread (capped, `capped_count`): one indexed query, kept on the user
    object, so the header of every page and the home page's task ask once per request."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_gongzhi_unread", None)
    if cached is None:
        cached = capped_count(visible_to(user, Notification).filter(read_at__isnull=True))
        user._gongzhi_unread = cached
    return int(cached)


def notification_tasks(user: Any) -> list[Task]:
    """Core's task on the home page (`registry.task`): the unread notifications; for staff always (a 0 shows that
    nothing is waiting), for residents, party members and volunteers only when some are unread."""
    if not getattr(user, "is_authenticated", False):
        return []
    count = unread_notifications(user)
    if not count and not (is_superuser(user) or has_role(user, STAFF_ROLES | {Role.FOLLOW_UP_CALLER})):
        return []
    url = reverse("core:notifications") + "?unread=1"
    return [Task("core.unread_notifications", _("Unread notifications"), count, url)]


def grants_for_display(user: Any) -> list[Any]:
    return sorted(user_grants(user), key=lambda g: (g.area.path, g.role))


def breadcrumb(user: Any, area: Area) -> list[Area]:
    """The ancestors of `area` the user can see, top first (not including the area itself)."""
    ids = [pk for pk in area.ancestor_ids() if pk != area.pk]
    return list(visible_to(user, Area).filter(pk__in=ids).order_by("path"))


def party_org_rows(user: Any, orgs: QuerySet[PartyOrg]) -> QuerySet[PartyOrg]:
    """Party organizations with their member, sub-organization and party-member-household counts."""
    return (
        orgs.select_related("area")
        .annotate(
            member_count=Count("members", distinct=True),
            child_count=Count("children", distinct=True),
            household_count=Count("lead_households", distinct=True),
        )
        .order_by("area__path", "kind")
    )


def top_party_orgs(user: Any) -> QuerySet[PartyOrg]:
    visible = visible_to(user, PartyOrg)
    return visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible.values("pk")))


PERSON_SORTS = {"name": ("name", "pk"), "-name": ("-name", "-pk"), "-added": ("-pk",)}


def resident_list(user: Any, *, q: str = "", area: Area | None = None, sort: str = "") -> QuerySet[Resident]:
    """Residents the user sees under `area` matching `q`: by name, and by phone or ID number only where the user
    may reveal them (`pii.person_search_q`). A search by phone or ID number goes through
    `actions.do_search_people`, which audits and limits it."""
    qs = visible_to(user, Resident).select_related("area", "household")
    if area is not None:
        qs = qs.filter(area__path__startswith=pii.filter_area(user, area).path)
    q = q.strip()
    if q:
        qs = qs.filter(pii.person_search_q(user, q, area_field="area__path"))
    return qs.order_by(*PERSON_SORTS.get(sort, ("area__path", "name", "pk")))


def party_member_list(user: Any, *, q: str = "", area: Area | None = None, sort: str = "") -> QuerySet[PartyMember]:
    """Party members the user sees under `area` matching `q` (as `resident_list`)."""
    qs = visible_to(user, PartyMember).select_related("home_area", "party_org", "work_unit")
    if area is not None:
        # As the area tree counts them: by where they live (`member_place_path`).
        qs = qs.annotate(place_path=member_place_path()).filter(place_path__startswith=area.path)
    q = q.strip()
    if q:
        qs = qs.filter(pii.person_search_q(user, q, area_field="home_area__path"))
    return qs.order_by(*PERSON_SORTS.get(sort, ("home_area__path", "name", "pk")))


def unit_list(user: Any, *, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = Unit.objects.filter(pk__in=visible_to(user, Unit).values("pk")).select_related("area")
    q = q.strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if kind in Unit.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name")


def audit_list(
    user: Any, *, verb: str = "", day_from: Any = None, day_to: Any = None, who: str = "", object_type: str = "",
    object_id: str = "", area: Area | None = None,
) -> QuerySet[AuditEvent]:
    """The audit events the user sees, narrowed by action (a prefix: "appeals." is every appeals event), who
    (name or username), object (type and id), area (and below) and day."""
    qs = visible_to(user, AuditEvent).select_related("actor", "area")
    if verb:
        qs = qs.filter(verb__startswith=verb)
    who = who.strip()
    if who:
        qs = qs.filter(Q(actor__display_name__icontains=who) | Q(actor__username__iexact=who))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id.strip():
        qs = qs.filter(object_id=object_id.strip())
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    if day_from is not None:
        qs = qs.filter(created_at__date__gte=day_from)
    if day_to is not None:
        qs = qs.filter(created_at__date__lte=day_to)
    return qs.order_by("-created_at", "-id")


def audit_object_types(user: Any) -> list[tuple[str, str]]:
    """The kinds of object in the user's audit events, as (value, label): "appeals.case" → 工单."""
    from django.apps import apps

    out = []
    for value in visible_to(user, AuditEvent).values_list("object_type", flat=True).distinct().order_by():
        try:
            label = str(apps.get_model(value)._meta.verbose_name)
        except (LookupError, ValueError):
            label = value
        out.append((value, label))
    return sorted(set(out), key=lambda pair: pair[1])


# An area's place in the tree (its path and level) never changes once created (areas are renamed,
# never moved), so hot paths such as appeal intake may read areas through this per-process cache;
# a rename shows within AREA_CACHE_SECONDS.
AREA_CACHE_SECONDS = 60
_areas: TtlMap[int, Area | None] = TtlMap(seconds=AREA_CACHE_SECONDS, max_size=50_000)


def cached_area(pk: int) -> Area | None:
    """The area with this id (None when there is none), read at most once a minute per process."""
    area = _areas.get(pk, lambda: Area.objects.filter(pk=pk).first())
    if area is None:
        _areas.clear_key(pk)  # an id not there yet may be created any moment: never remember a miss
    return area


def common_area(area_ids: Iterable[int]) -> Area | None:
    """The lowest area containing all of these areas (None when there are none)."""
    areas = list(Area.objects.filter(pk__in=set(area_ids)).only("id", "path"))
    if not areas:
        return None
    chains = [a.ancestor_ids() for a in areas]
    common: list[int] = []
    for ids in zip(*chains, strict=False):
        if len(set(ids)) != 1:
            break
        common.append(ids[0])
    return Area.objects.filter(pk=common[-1]).first() if common else None


# ---------------------------------------------------------------------------------------------------
# links between records of different apps (`Link`, written by `actions.do_link`)
#
# Each end is one record or a queryset of records of one model (its ids are read in a subquery). The helpers do not
# check who may see the other end: the app that shows a link filters the other end through that app's policy
# (`visible_to`), so a viewer only sees the linked records they may see anyway.

LinkEnd = models.Model | QuerySet[Any]


def _end_q(prefix: str, end: LinkEnd | type[models.Model]) -> Q:
    if isinstance(end, QuerySet):
        return Q(**{f"{prefix}_type": ContentType.objects.get_for_model(end.model), f"{prefix}_id__in": end.values("pk")})
    if isinstance(end, type):
        return Q(**{f"{prefix}_type": ContentType.objects.get_for_model(end)})
    return Q(**{f"{prefix}_type": ContentType.objects.get_for_model(end), f"{prefix}_id": end.pk})


def links_from(obj: LinkEnd, *, kind: str | None = None, to: type[models.Model] | None = None) -> QuerySet[Link]:
    """The links going out of `obj` (optionally of one kind, or to records of one model)."""
    qs = Link.objects.filter(_end_q("from", obj))
    if to is not None:
        qs = qs.filter(_end_q("to", to))
    return qs.filter(kind=kind) if kind else qs


def links_to(obj: LinkEnd, *, kind: str | None = None, source: type[models.Model] | None = None) -> QuerySet[Link]:
    """The links coming into `obj` (optionally of one kind, or from records of one model)."""
    qs = Link.objects.filter(_end_q("to", obj))
    if source is not None:
        qs = qs.filter(_end_q("from", source))
    return qs.filter(kind=kind) if kind else qs


def linked_ids(obj: LinkEnd, model: type[models.Model], *, kind: str | None = None) -> list[int]:
    """The ids of the records of `model` linked with `obj`, either way, in the order the links were made."""
    out = links_from(obj, kind=kind, to=model).values_list("to_id", "id")
    into = links_to(obj, kind=kind, source=model).values_list("from_id", "id")
    ordered = sorted([*out, *into], key=lambda pair: pair[1])
    return list(dict.fromkeys(obj_id for obj_id, _link_id in ordered))
