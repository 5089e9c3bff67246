"""Pages of the organization tree: login, home, areas, party organizations, units, people, audit log.

Every list starts from `visible_to`; objects are fetched with `get_<noun>_for_user` (404 when missing or out
of scope); a visible object with a forbidden action gives 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.lib.masking import mask_id_number, mask_phone

from . import queries
from .actions import do_reveal_personal_data, do_search_people
from .audit import verb_label
from .errors import RateLimited
from .forms import AuditFilterForm, LoginForm, PersonSearchForm, SearchForm, UnitFilterForm
from .models import (
    Area,
    AuditEvent,
    CommitteeMembership,
    LeadHousehold,
    PartyMember,
    PartyOrg,
    Registration,
    Resident,
    Unit,
)
from .permissions import (
    audit_event_policy,
    can,
    get_area_for_user,
    get_party_member_for_user,
    get_party_org_for_user,
    get_resident_for_user,
    get_unit_for_user,
    party_org_policy,
    unit_policy,
    visible_to,
)
from .pii import Places, filter_area
from .registry import registry, render_panels

PAGE_SIZE = 30

# Works whether or not settings.LOGIN_URL names the namespaced URL.
signed_in = login_required(login_url="core:login")

def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(request: HttpRequest, qs: QuerySet[Any], size: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _mask_person(person: Resident | PartyMember, places: Places | None = None) -> Resident | PartyMember:
    """Masked values for display (`gongzhi.core.pii`): a resident's place is their community and estate only."""
    person.phone_masked = mask_phone(person.phone)  # type: ignore[union-attr]
    person.id_number_masked = mask_id_number(person.id_number)  # type: ignore[union-attr]
    if isinstance(person, Resident):
        places = places or Places()
        person.place = places.area(person.area)  # type: ignore[attr-defined]
        person.place_name = places.name(person.area)  # type: ignore[attr-defined]
        person.address_masked = places.address(person.address, person.area)  # type: ignore[attr-defined]
    return person


# --- Login, logout, home -----------------------------------------------------------------------------------


class GongzhiLoginView(LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        if self.next_page:
            return super().get_default_redirect_url()
        return reverse("core:home")


login_view = GongzhiLoginView.as_view()
logout_view = LogoutView.as_view(next_page="core:login")


@signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "tasks": registry.tasks(user),
        "grants": queries.grants_for_display(user),
        "counts": queries.home_counts(user),
        "top_areas": queries.top_areas(user),
        "sees_people": queries.sees_people(user),
        "is_staff_role": unit_policy.can_somewhere(user, "browse"),
    }
    return render(request, "core/home.html", context)


# --- Areas -------------------------------------------------------------------------------------------------


def _labelled_paths(request: HttpRequest, areas: list[Area]) -> dict[int, str]:
    """For search results: each area's visible ancestors' names, in one query."""
    ids = {pk for a in areas for pk in a.ancestor_ids() if pk != a.pk}
    names = dict(visible_to(request.user, Area).filter(pk__in=ids).values_list("pk", "name"))
    return {
        a.pk: " / ".join(names[pk] for pk in a.ancestor_ids() if pk in names and pk != a.pk) for a in areas
    }


@signed_in
@require_GET
def area_tree(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results: list[Any] = []
    if q:
        found = list(visible_to(request.user, Area).filter(name__icontains=q).order_by("path")[:50])
        labels = _labelled_paths(request, found)
        results = queries.area_rows(request.user, found)
        for row in results:
            row.path_label = labels[row.area.pk]  # type: ignore[attr-defined]
        rows = []
    else:
        rows = queries.area_rows(request.user, queries.top_areas(request.user))
    context = {
        "form": form,
        "q": q,
        "rows": rows,
        "results": results,
        "sees_people": queries.sees_people(request.user),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "area-tree":
        return render(request, "core/_area_tree_body.html", context)
    return render(request, "core/area_tree.html", context)


@signed_in
@require_GET
def area_children(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_area_for_user(request.user, pk)
    rows = queries.area_rows(request.user, list(queries.area_children(request.user, area)))
    return render(
        request,
        "core/_area_rows.html",
        {"rows": rows, "parent": area, "sees_people": queries.sees_people(request.user)},
    )


@signed_in
@require_GET
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    area = get_area_for_user(request.user, pk)
    sees_people = can(user, "view_people", area)
    (summary,) = queries.area_rows(user, [area])
    context = {
        "area": area,
        "breadcrumb": queries.breadcrumb(user, area),
        "summary": summary,
        "children": queries.area_rows(user, list(queries.area_children(user, area))),
        "party_orgs": queries.party_org_rows(user, visible_to(user, PartyOrg).filter(area=area)),
        "units": Unit.objects.filter(pk__in=visible_to(user, Unit).values("pk"), area=area).order_by(
            "kind", "name"
        ),
        "sees_people": sees_people,
        "child_level": Area.Level(Area.CHILD_LEVEL[area.level]).label
        if area.level in Area.CHILD_LEVEL
        else None,
        # Blocks other apps add to an area's page (registry.panel("core.area", ...)), e.g. the lists' figures.
        "panels": render_panels("core.area", request, area),
    }
    return render(request, "core/area_detail.html", context)


# --- Party organizations -----------------------------------------------------------------------------------


@signed_in
@require_GET
def party_org_tree(request: HttpRequest) -> HttpResponse:
    party_org_policy.require_somewhere(request.user, "browse")
    orgs = queries.party_org_rows(request.user, queries.top_party_orgs(request.user))
    return render(request, "core/party_org_tree.html", {"orgs": _page(request, orgs, 50)})


@signed_in
@require_GET
def party_org_children(request: HttpRequest, pk: int) -> HttpResponse:
    party_org_policy.require_somewhere(request.user, "browse")
    org = get_party_org_for_user(request.user, pk)
    children = queries.party_org_rows(request.user, visible_to(request.user, PartyOrg).filter(parent=org))
    households = _lead_households(request.user, org)
    return render(
        request, "core/_party_org_rows.html", {"orgs": children, "households": households, "parent": org}
    )


def _lead_households(user: Any, org: PartyOrg) -> list[LeadHousehold]:
    """A party organization's party-member households, for those who work with people's records there only
    (others see how many there are), each shown by its place and member, never its building and room."""
    if not can(user, "view_people", org.area):
        return []
    households = list(LeadHousehold.objects.filter(party_org=org).select_related("household__building", "party_member"))
    places = Places().preload(lead.household.building for lead in households)
    for lead in households:
        lead.place_name = places.name(lead.household.building)  # type: ignore[attr-defined]
    return households


@signed_in
@require_GET
def party_org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    party_org_policy.require_somewhere(request.user, "browse")
    user = request.user
    org = get_party_org_for_user(request.user, pk)
    visible_orgs = visible_to(user, PartyOrg)
    ancestors: list[PartyOrg] = []
    parent = org.parent
    while parent is not None and len(ancestors) < 6:
        if visible_orgs.filter(pk=parent.pk).exists():
            ancestors.insert(0, parent)
        parent = parent.parent
    members = None
    if queries.sees_people(user):
        members = [
            _mask_person(m)
            for m in visible_to(user, PartyMember).filter(party_org=org).select_related("work_unit")[:200]
        ]
    context = {
        "org": org,
        "ancestors": ancestors,
        "memberships": CommitteeMembership.objects.filter(party_org=org)
        .select_related("unit")
        .order_by("-active", "role", "person_name"),
        "children": queries.party_org_rows(user, visible_orgs.filter(parent=org)),
        "households": _lead_households(user, org),
        "household_count": LeadHousehold.objects.filter(party_org=org).count(),
        "member_count": PartyMember.objects.filter(party_org=org).count(),
        "members": members,
        # Blocks other apps add (registry.panel("core.party_org", ...)), e.g. the title-only reviews.
        "panels": render_panels("core.party_org", request, org),
    }
    return render(request, "core/party_org_detail.html", context)


# --- Units -------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    unit_policy.require_somewhere(request.user, "browse")
    form = UnitFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    units = queries.unit_list(request.user, q=data.get("q", ""), kind=data.get("kind", ""))
    context = {"form": form, "page": _page(request, units), "query": _query_without_page(request)}
    if is_htmx(request) and request.headers.get("HX-Target") == "unit-results":
        return render(request, "core/_unit_results.html", context)
    return render(request, "core/unit_list.html", context)


@signed_in
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(request.user, pk)
    members = [
        _mask_person(m)
        for m in visible_to(user, PartyMember).filter(work_unit=unit).select_related("home_area")[:200]
    ]
    context = {
        "unit": unit,
        "contact_phone_masked": mask_phone(unit.contact_phone),
        "registrations": Registration.objects.filter(unit=unit)
        .select_related("community")
        .order_by("-registered_at"),
        "memberships": CommitteeMembership.objects.filter(unit=unit).select_related("party_org"),
        "members": members,
        "member_total": PartyMember.objects.filter(work_unit=unit).count(),
        # Blocks other apps add to a unit's page (registry.panel("core.unit", ...)), e.g. its evaluation results.
        "panels": render_panels("core.unit", request, unit),
    }
    return render(request, "core/unit_detail.html", context)


# --- Residents and party members ---------------------------------------------------------------------------


def _filter_area(request: HttpRequest, form: PersonSearchForm) -> Area | None:
    """The area the list is limited to; below an estate only for those who may reveal there (`pii.filter_area`)."""
    if form.is_valid() and form.cleaned_data.get("area"):
        return filter_area(request.user, get_area_for_user(request.user, form.cleaned_data["area"]))
    return None


def _person_list(request: HttpRequest, kind: str, template: str, partial: str) -> HttpResponse:
    if not queries.sees_people(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    form = PersonSearchForm(request.GET or None)
    area = _filter_area(request, form)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    status, limited = (200, "") if form.is_valid() or not form.is_bound else (400, "")
    try:
        people = do_search_people(kind, acting_user=request.user, q=q, area=area, sort=sort)  # type: ignore[arg-type]
    except RateLimited as exc:
        status, limited = 429, exc.message
        people = do_search_people(kind, acting_user=request.user, area=area).none()  # type: ignore[arg-type]
    page = _page(request, people)
    places = Places().preload(p.area for p in page.object_list if isinstance(p, Resident))
    for person in page.object_list:
        _mask_person(person, places)
    export = request.GET.copy()
    export.pop("page", None)
    context = {"form": form, "page": page, "area": area, "query": _query_without_page(request), "q": q,
               "limited": limited, "kind": kind, "export_query": export.urlencode(),
               "areas": list(visible_to(request.user, Area).filter(
                   level__in=("district", "subdistrict", "community", "estate")).order_by("path").only(
                   "id", "name", "level", "path")[:1500])}
    if is_htmx(request) and request.headers.get("HX-Target") == "person-results":
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


@signed_in
@require_GET
def resident_list(request: HttpRequest) -> HttpResponse:
    return _person_list(request, "residents", "core/resident_list.html", "core/_resident_results.html")


@signed_in
@require_GET
def party_member_list(request: HttpRequest) -> HttpResponse:
    return _person_list(request, "party_members", "core/party_member_list.html", "core/_party_member_results.html")


@signed_in
@require_GET
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _mask_person(get_resident_for_user(request.user, pk))
    assert isinstance(resident, Resident)
    place = resident.place  # type: ignore[attr-defined]
    context = {
        "person": resident,
        # Down to the resident's estate (or community) only: a grid or building is part of the address.
        "breadcrumb": (queries.breadcrumb(request.user, place) + [place]) if place is not None else [],
        "party_member": PartyMember.objects.filter(resident=resident).first(),
        "can_reveal": can(request.user, "reveal", resident),
        "reveal_url": reverse("core:resident_reveal", args=[resident.pk]),
        "is_resident": True,
    }
    return render(request, "core/resident_detail.html", context)


@signed_in
@require_GET
def party_member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _mask_person(get_party_member_for_user(request.user, pk))
    assert isinstance(member, PartyMember)
    context = {
        "person": member,
        "breadcrumb": queries.breadcrumb(request.user, member.home_area) + [member.home_area],
        "registrations": Registration.objects.filter(party_member=member).select_related("community"),
        "lead_households": _places_of(LeadHousehold.objects.filter(party_member=member).select_related(
            "household__building"
        )),
        "can_reveal": can(request.user, "reveal", member),
        "reveal_url": reverse("core:party_member_reveal", args=[member.pk]),
        "is_resident": False,
    }
    return render(request, "core/party_member_detail.html", context)


def _places_of(leads: QuerySet[LeadHousehold]) -> list[LeadHousehold]:
    rows = list(leads)
    places = Places().preload(lead.household.building for lead in rows)
    for lead in rows:
        lead.place_name = places.name(lead.household.building)  # type: ignore[attr-defined]
    return rows


def _reveal(request: HttpRequest, person: Resident | PartyMember) -> HttpResponse:
    values = do_reveal_personal_data(person, acting_user=request.user)  # type: ignore[arg-type]
    context = {
        "person": person,
        "revealed": True,
        "phone": values.get("phone", ""),
        "id_number": values.get("id_number", ""),
        "address": values.get("address", ""),
        "is_resident": isinstance(person, Resident),
    }
    return render(request, "core/_pii.html", context)


@signed_in
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal(request, get_resident_for_user(request.user, pk))


@signed_in
@require_POST
def party_member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal(request, get_party_member_for_user(request.user, pk))


# --- Audit log ---------------------------------------------------------------------------------------------


@signed_in
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    audit_event_policy.require_somewhere(request.user, "browse")
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    area = None
    if data.get("area"):
        area = visible_to(request.user, Area).filter(pk=data["area"]).first()
        if area is None:
            form.add_error("area", _("The chosen area does not exist or is outside your area; choose another."))
    events = queries.audit_list(
        request.user, verb=data.get("verb", ""), day_from=data.get("date_from"), day_to=data.get("date_to"),
        who=data.get("who", ""), object_type=data.get("object_type", ""), object_id=data.get("object_id", ""),
        area=area,
    )
    page = _page(request, events, 50)
    places = Places().preload(event.area for event in page.object_list)
    for event in page.object_list:
        event.verb_label = verb_label(event.verb)
        # An event on a person's record names their community and estate, never their grid or building.
        event.place_label = places.name(event.area)
    verbs = sorted(
        set(visible_to(request.user, AuditEvent).values_list("verb", flat=True).distinct().order_by())
    )
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "verbs": [(v, verb_label(v)) for v in verbs],
        "object_types": queries.audit_object_types(request.user),
        "areas": list(visible_to(request.user, Area).filter(
            level__in=("city", "district", "subdistrict", "community")).order_by("path").only(
            "id", "name", "level", "path")[:1500]),
    }
    return render(request, "core/audit_log.html", context, status=400 if form.errors else 200)
