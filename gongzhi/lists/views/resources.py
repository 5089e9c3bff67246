"""The resource list (资源清单): the list with filters in the URL, a resource's page (with its reservations), the
form that adds or edits one, and pause / resume / withdraw."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Area, Unit
from gongzhi.core.policy import is_superuser

from .. import actions, permissions
from ..actions.resources import PLACE_LEVELS, SERVED_LEVELS, ResourceData
from ..models import CapacityUnit, Project, Resource, ResourceKind
from ..resource_filters import STATUS_FILTERS, resource_list_qs

signed_in = login_required(login_url="core:login")


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ResourceKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    provider_unit = forms.ModelChoiceField(label=gettext_lazy("Offered by"), queryset=Unit.objects.none(),
                                           required=False, empty_label=gettext_lazy("The community itself"))
    area = forms.ModelChoiceField(label=gettext_lazy("Area served"), queryset=Area.objects.none())
    alliance = forms.ModelChoiceField(label=gettext_lazy("Alliance served"), queryset=Alliance.objects.none(),
                                      required=False)
    place = forms.ModelChoiceField(label=gettext_lazy("Location"), queryset=Area.objects.none(), required=False,
                                   help_text=gettext_lazy("Where it is, for distances; empty: the provider's place."))
    capacity_unit = forms.ChoiceField(label=gettext_lazy("Capacity unit"), choices=CapacityUnit.choices)
    capacity = forms.DecimalField(label=gettext_lazy("Capacity"), max_digits=14, decimal_places=2, min_value=0)
    opening_hours = forms.CharField(label=gettext_lazy("Opening hours"), max_length=100, required=False)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20, required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["area"].queryset = served_areas(user)
        fields["place"].queryset = place_areas(user)
        fields["provider_unit"].queryset = provider_units(user)
        fields["alliance"].queryset = Alliance.objects.order_by("name")
        if not permissions.can_manage_lists(user):
            fields["provider_unit"].required = True
            fields["provider_unit"].empty_label = None

    def data_object(self) -> ResourceData:
        d = self.cleaned_data
        return ResourceData(kind=d["kind"], title=d["title"], description=d["description"],
                            provider_unit=d["provider_unit"], area=d["area"], alliance=d["alliance"],
                            place=d["place"], capacity_unit=d["capacity_unit"], capacity=d["capacity"],
                            opening_hours=d["opening_hours"], valid_from=d["valid_from"],
                            valid_until=d["valid_until"], contact_name=d["contact_name"],
                            contact_phone=d["contact_phone"])


def served_areas(user: Any) -> QuerySet[Area]:
    """Areas the user may offer resources for: a community, subdistrict, district or the city."""
    staff = permissions.area_policy.areas_where(user, "create_resource").filter(level__in=SERVED_LEVELS)
    if is_superuser(user):
        return staff.order_by("path")
    ids = set(staff.values_list("pk", flat=True)[:2000])
    for community in permissions.registered_communities(user):
        ids.update(community.ancestor_ids())
    return Area.objects.filter(pk__in=ids, level__in=SERVED_LEVELS).order_by("path")


def place_areas(user: Any) -> QuerySet[Area]:
    """Where a resource may be located: communities and estates of the user's areas (or registered communities)."""
    paths = [a.path for a in permissions.area_policy.areas_where(user, "create_resource")
             .filter(level__in=SERVED_LEVELS)[:200]] if not is_superuser(user) else [""]
    paths += [c.path for c in permissions.registered_communities(user)]
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__in=PLACE_LEVELS[:2]).order_by("path")


def provider_units(user: Any) -> QuerySet[Unit]:
    """A liaison's own units; for staff, the units of their areas (member units, departments, organizations)."""
    if not permissions.can_manage_lists(user):
        return Unit.objects.filter(pk__in=permissions.liaison_unit_ids(user)).order_by("name")
    if is_superuser(user):
        return Unit.objects.order_by("kind", "name")
    q = Q(pk__in=[])
    for area in permissions.area_policy.areas_where(user, "create_resource")[:200]:
        q |= Q(area__path__startswith=area.path)
    above = {a for area in permissions.area_policy.areas_where(user, "create_resource")[:200]
             for a in area.ancestor_ids()}
    return Unit.objects.filter(q | Q(area_id__in=above)).order_by("kind", "name")


def _require_resources(user: Any) -> None:
    permissions.resource_policy.require_somewhere(user, "browse", message="")


@signed_in
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    _require_resources(request.user)
    qs, chosen = resource_list_qs(request.user, request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for r in page.object_list:
        r.expired = bool(r.valid_until and r.valid_until < today)  # type: ignore[attr-defined]
    providers = Unit.objects.filter(pk__in=permissions.visible_to(request.user, Resource)
                                    .filter(provider_unit__isnull=False).values("provider_unit_id")).order_by("name")
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "lists/resource_list.html", {
        "page": page, "chosen": chosen, "kinds": ResourceKind.choices, "statuses": STATUS_FILTERS,
        "providers": providers, "query": query,
        "can_add": permissions.area_policy.can_somewhere(request.user, "create_resource"),
    })


@signed_in
@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_resources(request.user)
    resource = permissions.get_resource_for_user(request.user, pk)
    reservations = list(resource.reservations.select_related("project").order_by("-created_at"))
    visible_projects = set(permissions.visible_to(request.user, Project)
                           .filter(pk__in=[r.project_id for r in reservations]).values_list("pk", flat=True))
    today = timezone.localdate()
    return render(request, "lists/resource_detail.html", {
        "resource": resource, "reservations": reservations, "visible_projects": visible_projects,
        "expired": bool(resource.valid_until and resource.valid_until < today),
        "can_edit": permissions.can(request.user, "edit", resource), "left": resource.capacity - resource.promised,
    })


@signed_in
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    if not permissions.area_policy.can_somewhere(request.user, "create_resource"):
        raise PermissionDenied(_("You may not add resources."))
    form = ResourceForm(request.user, request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            resource = actions.do_create_resource(acting_user=request.user, data=form.data_object())  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The resource was added to the resource list."))
            return redirect("lists:resource", pk=resource.pk)
    return render(request, "lists/resource_form.html", {"form": form, "resource": None})


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    units = list(provider_units(request.user)[:2]) if not permissions.can_manage_lists(request.user) else []
    if units:
        initial["provider_unit"] = units[0].pk
        initial["contact_name"] = units[0].contact_name
        initial["contact_phone"] = units[0].contact_phone
        community = next(iter(permissions.registered_communities(request.user)), None)
        if community is not None:
            initial["area"] = community.pk
    return initial


@signed_in
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = permissions.get_resource_for_user(request.user, pk)
    permissions.require(request.user, "edit", resource, _("You may not edit this resource."))
    initial = {name: getattr(resource, name) for name in (
        "kind", "title", "description", "provider_unit", "area", "alliance", "place", "capacity_unit", "capacity",
        "opening_hours", "valid_from", "valid_until", "contact_name", "contact_phone")}
    form = ResourceForm(request.user, request.POST or None, initial=initial)
    # The resource's own values stay choosable even when outside the user's usual choices.
    fields: Any = form.fields
    fields["area"].queryset = (fields["area"].queryset | Area.objects.filter(pk=resource.area_id)).distinct()
    if resource.provider_unit_id:
        fields["provider_unit"].queryset = (fields["provider_unit"].queryset
                                            | Unit.objects.filter(pk=resource.provider_unit_id)).distinct()
    if resource.place_id:
        fields["place"].queryset = (fields["place"].queryset | Area.objects.filter(pk=resource.place_id)).distinct()
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_resource(resource, acting_user=request.user, data=form.data_object())  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The resource was saved."))
            return redirect("lists:resource", pk=resource.pk)
    return render(request, "lists/resource_form.html", {"form": form, "resource": resource})


@signed_in
@require_POST
def resource_status(request: HttpRequest, pk: int) -> HttpResponse:
    resource = permissions.get_resource_for_user(request.user, pk)
    permissions.require(request.user, "edit", resource, _("You may not edit this resource."))
    try:
        actions.do_set_resource_status(resource, request.POST.get("status", ""), acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The resource's status was changed."))
    return redirect("lists:resource", pk=resource.pk)
