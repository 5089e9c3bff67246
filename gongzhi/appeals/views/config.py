"""Settings of 接诉即办 for city and district admins: the category tree (and its Excel import), time
limits, the weights of the three rates, and routing rules.

Only users for whom `permissions.can_configure` is true get in (403 otherwise). Routing rules are
scoped: an admin lists and removes only the rules of areas they cover (404 for the others), and adds
rules only for those areas. Every write goes through an action in `actions.py`, which audits it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import permissions as core_permissions
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit

from .. import actions, category_import, permissions, routing
from ..models import (
    Appeal,
    Category,
    RatesConfig,
    RoutingRule,
    SubdistrictOffice,
    TimeLimitKind,
    TimeLimitPolicy,
)
from ..seed import TIME_LIMITS
from .common import acting, add_action_error, is_htmx, signed_in

RULE_AREA_LEVELS = (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.SUBDISTRICT, Area.Level.COMMUNITY)
ROUTING_UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.INSTITUTION)


def _require_config(request: HttpRequest) -> None:
    permissions.area_policy.require_somewhere(request.user, "configure", _("You do not have permission to do this here."))


# ---------------------------------------------------------------------------------------------------
# scoping helpers (routing rules carry an area; everything else here is city-wide)


def config_areas(user: Any) -> QuerySet[Area]:
    """Areas an admin may attach routing rules to: their subtree, down to communities."""
    return permissions.area_policy.areas_where(user, "configure").filter(level__in=RULE_AREA_LEVELS).order_by("path")


def routing_rules_visible_to(user: Any) -> QuerySet[RoutingRule]:
    """The policy's rules, with what the routing page shows."""
    return permissions.visible_to(user, RoutingRule).select_related(
        "category__parent__parent", "area", "lead_unit"
    ).prefetch_related("assist_units")


def routing_units(user: Any) -> QuerySet[Unit]:
    """Units a rule may send cases to: the departments and offices the admin can see."""
    return core_permissions.visible_to(user, Unit).filter(kind__in=ROUTING_UNIT_KINDS).order_by("kind", "name")


# ---------------------------------------------------------------------------------------------------
# the category tree


@dataclass
class Node:
    category: Category
    children: list[Node] = field(default_factory=list)
    own: int = 0
    total: int = 0

    @property
    def pk(self) -> int:
        return self.category.pk


def category_tree(user: Any) -> list[Node]:
    """Every category as a tree, with the number of appeals the user can see in each (children included)."""
    categories = list(Category.objects.order_by("level", "sort_order", "id"))
    counts = dict(
        permissions.visible_to(user, Appeal)
        .filter(category__isnull=False)
        .order_by()
        .values_list("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    nodes = {c.pk: Node(c, own=counts.get(c.pk, 0)) for c in categories}
    roots: list[Node] = []
    for c in categories:
        if c.parent_id is not None and c.parent_id in nodes:
            nodes[c.parent_id].children.append(nodes[c.pk])
        else:
            roots.append(nodes[c.pk])

    def add_up(node: Node) -> int:
        node.total = node.own + sum(add_up(child) for child in node.children)
        return node.total

    for root in roots:
        add_up(root)
    return roots


def ordered_categories(*, active_only: bool = True, leaves_only: bool = False) -> list[Category]:
    """Categories in tree order (parents before their children)."""
    qs = Category.objects.order_by("level", "sort_order", "id")
    if active_only:
        qs = qs.filter(active=True)
    by_parent: dict[int | None, list[Category]] = {}
    for c in qs:
        by_parent.setdefault(c.parent_id, []).append(c)
    out: list[Category] = []

    def walk(parent_id: int | None, prefix: str) -> None:
        for c in by_parent.get(parent_id, []):
            c.path_label = f"{prefix}{c.name}"  # type: ignore[attr-defined]
            if not leaves_only or c.level == 3:
                out.append(c)
            walk(c.pk, f"{prefix}{c.name} / ")

    walk(None, "")
    return out


def _category_choices(categories: list[Category], blank: str) -> list[tuple[Any, str]]:
    return [("", blank), *[(c.pk, c.path_label) for c in categories]]  # type: ignore[attr-defined]


class NewCategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Category name"), max_length=50)
    time_limit_kind = forms.ChoiceField(
        label=gettext_lazy("Time limit"), choices=TimeLimitKind.choices, initial=TimeLimitKind.ORDINARY,
        required=False,
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New name"), max_length=50)


class KindForm(forms.Form):
    time_limit_kind = forms.ChoiceField(label=gettext_lazy("Time limit"), choices=TimeLimitKind.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


def _find(roots: list[Node], pk: int) -> Node | None:
    for node in roots:
        if node.pk == pk:
            return node
        found = _find(node.children, pk)
        if found is not None:
            return found
    return None


def _panel_context(category: Category, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "cat": category,
        "url": reverse("appeals:config_category", args=[category.pk]),
        "top_pk": category.ancestor_ids()[0],
        "rename_form": RenameForm(initial={"name": category.name}, prefix=f"r{category.pk}"),
        "child_form": NewCategoryForm(prefix=f"c{category.pk}") if category.level < 3 else None,
        "kind_form": KindForm(initial={"time_limit_kind": category.time_limit_kind}, prefix=f"k{category.pk}"),
        "error": "",
        "notice": "",
    }
    context.update(extra)
    return context


@signed_in
@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    roots = category_tree(request.user)
    try:
        open_pk = int(request.GET.get("open") or 0)
    except ValueError:
        open_pk = 0
    opened = Category.objects.select_related("parent__parent").filter(pk=open_pk).first() if open_pk else None
    return render(
        request,
        "appeals/config/categories.html",
        {
            "roots": roots,
            "open_top": opened.ancestor_ids()[0] if opened is not None else None,
            "panel": _panel_context(opened) if opened is not None else None,
            "new_form": NewCategoryForm(),
            "total": sum(r.total for r in roots),
            "tab": "categories", "citywide": permissions.can_configure_citywide(request.user),
        },
    )


@signed_in
@require_POST
def category_new(request: HttpRequest) -> HttpResponse:
    """A new first-level category."""
    _require_config(request)
    form = NewCategoryForm(request.POST)
    if form.is_valid():
        try:
            category = actions.do_create_category(
                acting_user=acting(request), name=form.cleaned_data["name"], parent=None,
                code=f"{Category.objects.filter(parent=None).count() + 1:02d}",
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The category %(name)s has been added.") % {"name": category.name})
            return redirect(reverse("appeals:config_categories") + f"?open={category.pk}#node-{category.pk}")
    else:
        messages.error(request, _("Please enter the category's name."))
    return redirect("appeals:config_categories")


def _child_code(parent: Category) -> str:
    return f"{parent.code}{parent.children.count() + 1:02d}"[:30] if parent.code else ""


def _apply(request: HttpRequest, category: Category) -> tuple[str, str]:
    """Carry out one operation posted from a category's panel; returns (notice, error)."""
    op = request.POST.get("op", "")
    user = acting(request)
    try:
        if op == "rename":
            form: forms.Form = RenameForm(request.POST, prefix=f"r{category.pk}")
            if not form.is_valid():
                return "", _("Please enter the category's name.")
            old = category.name
            actions.do_update_category(category, acting_user=user, name=form.cleaned_data["name"])
            return _("Renamed %(old)s to %(new)s.") % {"old": old, "new": form.cleaned_data["name"]}, ""
        if op == "add_child":
            form = NewCategoryForm(request.POST, prefix=f"c{category.pk}")
            if not form.is_valid():
                return "", _("Please enter the category's name.")
            child = actions.do_create_category(
                acting_user=user, name=form.cleaned_data["name"], parent=category, code=_child_code(category),
                time_limit_kind=form.cleaned_data.get("time_limit_kind") or TimeLimitKind.ORDINARY,
            )
            return _("The category %(name)s has been added.") % {"name": child.name}, ""
        if op in ("deactivate", "activate"):
            actions.do_update_category(category, acting_user=user, active=(op == "activate"))
            return (_("The category is in use again.") if op == "activate"
                    else _("The category is no longer offered for new appeals.")), ""
        if op == "kind":
            form = KindForm(request.POST, prefix=f"k{category.pk}")
            if not form.is_valid():
                return "", _("Please choose a valid time limit.")
            actions.do_update_category(category, acting_user=user, time_limit_kind=form.cleaned_data["time_limit_kind"])
            return _("The time limit has been changed; it applies to cases dispatched from now on."), ""
    except ActionError as exc:
        return "", exc.message
    return "", _("Unknown operation.")


@signed_in
@require_http_methods(["GET", "POST"])
def category_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One category's panel: rename, add a child, (de)activate, time limit. htmx swaps its group in place."""
    _require_config(request)
    category = Category.objects.select_related("parent__parent").filter(pk=pk).first()
    if category is None:
        raise Http404
    notice = error = ""
    if request.method == "POST":
        notice, error = _apply(request, category)
        category.refresh_from_db()
        if not is_htmx(request):
            if error:
                messages.error(request, error)
            else:
                messages.success(request, notice)
            return redirect(reverse("appeals:config_categories") + f"?open={category.pk}#node-{category.pk}")
    if is_htmx(request):
        if request.method == "GET":
            return render(request, "appeals/config/_category_panel.html", _panel_context(category))
        # Re-render the whole first-level group, so new children, names and labels show at once.
        roots = category_tree(request.user)
        top_pk = category.ancestor_ids()[0]
        top = _find(roots, top_pk)
        if top is None:
            raise Http404
        return render(
            request,
            "appeals/config/_group.html",
            {"node": top, "expanded": True, "panel": _panel_context(category, notice=notice, error=error)},
        )
    return redirect(reverse("appeals:config_categories") + f"?open={category.pk}#node-{category.pk}")


@signed_in
@require_http_methods(["GET", "POST"])
def category_import_page(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    errors: list[str] = []
    form = ImportForm()
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = category_import.import_categories(
                    upload, acting_user=acting(request), source_name=upload.name or ""
                )
            except category_import.CategoryImportError as exc:
                errors = exc.errors
            except ActionError as exc:
                errors = [exc.message]
            else:
                messages.success(
                    request,
                    _("Imported %(rows)d rows: %(created)d categories created, %(reused)d reused, "
                      "%(updated)d time limits changed.") % summary,
                )
                return redirect("appeals:config_categories")
        else:
            errors = [_("Please choose the Excel file to import.")]
        status = 400
    return render(
        request,
        "appeals/config/import.html",
        {"form": form, "errors": errors, "columns": category_import.COLUMNS, "kinds": category_import.KIND_NAMES,
         "tab": "categories", "citywide": permissions.can_configure_citywide(request.user)},
        status=status,
    )


@signed_in
@require_GET
def category_template(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    return category_import.template_response()


# ---------------------------------------------------------------------------------------------------
# time limits


class TimeLimitForm(forms.Form):
    accept_minutes = forms.IntegerField(label=gettext_lazy("Accept within (minutes)"), min_value=1, max_value=7 * 24 * 60)
    response_hours = forms.IntegerField(
        label=gettext_lazy("Contact the resident within (hours)"), min_value=1, max_value=90 * 24
    )
    handle_hours = forms.IntegerField(label=gettext_lazy("Finish within (hours)"), min_value=1, max_value=365 * 24)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        accept, response, handle = data.get("accept_minutes"), data.get("response_hours"), data.get("handle_hours")
        if handle is not None and response is not None and response > handle:
            self.add_error("response_hours", _("The resident must be contacted before the case is due."))
        if handle is not None and accept is not None and accept > handle * 60:
            self.add_error("accept_minutes", _("A case must be accepted before it is due."))
        return data


def _duration_label(hours: int) -> str:
    if hours % 24 == 0 and hours >= 24:
        return _("%(days)d days") % {"days": hours // 24}
    return _("%(hours)d hours") % {"hours": hours}


@signed_in
@require_http_methods(["GET", "POST"])
def time_limits(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    policies = {p.kind: p for p in TimeLimitPolicy.objects.all()}
    kinds = [k for k in TimeLimitKind.values if k in policies]
    status = 200
    if request.method == "POST" and request.POST.get("restore") == "1":
        data = {}
        for kind in kinds:
            accept, response, handle = TIME_LIMITS[kind]
            data.update({f"{kind}-accept_minutes": accept, f"{kind}-response_hours": response,
                         f"{kind}-handle_hours": handle})
        forms_by_kind = {k: TimeLimitForm(data, prefix=k) for k in kinds}
    elif request.method == "POST":
        forms_by_kind = {k: TimeLimitForm(request.POST, prefix=k) for k in kinds}
    else:
        forms_by_kind = {
            k: TimeLimitForm(prefix=k, initial={"accept_minutes": policies[k].accept_minutes,
                                                "response_hours": policies[k].response_hours,
                                                "handle_hours": policies[k].handle_hours})
            for k in kinds
        }
    if request.method == "POST":
        if all(f.is_valid() for f in forms_by_kind.values()):
            changed = 0
            try:
                with transaction.atomic():
                    for kind, form in forms_by_kind.items():
                        policy, data = policies[kind], form.cleaned_data
                        if (policy.accept_minutes, policy.response_hours, policy.handle_hours) == (
                            data["accept_minutes"], data["response_hours"], data["handle_hours"]
                        ):
                            continue
                        actions.do_update_time_limit(policy, acting_user=acting(request), **data)
                        changed += 1
            except ActionError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                if changed:
                    messages.success(request, _("The time limits have been saved; they apply to cases dispatched "
                                                "from now on."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("appeals:config_time_limits")
        else:
            status = 400
    labels = dict(TimeLimitKind.choices)
    rows = []
    for kind in kinds:
        accept, response, handle = TIME_LIMITS[kind]
        rows.append({
            "kind": kind, "label": labels[kind], "form": forms_by_kind[kind],
            "default": _("Beijing standard: accept within %(accept)d minutes, contact within %(response)s, "
                         "finish within %(handle)s.") % {"accept": accept, "response": _duration_label(response),
                                                         "handle": _duration_label(handle)},
            "current": _duration_label(policies[kind].handle_hours),
        })
    return render(request, "appeals/config/time_limits.html", {"rows": rows, "tab": "time_limits",
                   "citywide": permissions.can_configure_citywide(request.user)}, status=status)


# ---------------------------------------------------------------------------------------------------
# weights of the three rates


class WeightsForm(forms.Form):
    response_weight = forms.DecimalField(label=gettext_lazy("Response rate weight"), min_value=0, max_value=1,
                                         max_digits=3, decimal_places=2)
    resolution_weight = forms.DecimalField(label=gettext_lazy("Resolution rate weight"), min_value=0, max_value=1,
                                           max_digits=3, decimal_places=2)
    satisfaction_weight = forms.DecimalField(label=gettext_lazy("Satisfaction rate weight"), min_value=0, max_value=1,
                                             max_digits=3, decimal_places=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = [data.get(k) for k in ("response_weight", "resolution_weight", "satisfaction_weight")]
        present = [v for v in values if v is not None]
        if len(present) == len(values):
            total = sum(present, Decimal(0))
            if total != 1:
                raise forms.ValidationError(
                    _("The three weights add up to %(sum)s; they must add up to 1.") % {"sum": f"{total:g}"}
                )
        return data


@signed_in
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    config = RatesConfig.objects.first()
    status = 200
    if request.method == "POST":
        form = WeightsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_update_rates_config(
                    acting_user=acting(request),
                    response_weight=float(data["response_weight"]),
                    resolution_weight=float(data["resolution_weight"]),
                    satisfaction_weight=float(data["satisfaction_weight"]),
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, _("The weights have been saved; rankings use them from now on."))
                return redirect("appeals:config_weights")
        status = 400
    else:
        initial = {"response_weight": Decimal("0.1"), "resolution_weight": Decimal("0.5"),
                   "satisfaction_weight": Decimal("0.4")}
        if config is not None:
            initial = {"response_weight": config.response_weight, "resolution_weight": config.resolution_weight,
                       "satisfaction_weight": config.satisfaction_weight}
        form = WeightsForm(initial=initial)
    return render(request, "appeals/config/weights.html", {"form": form, "config": config, "tab": "weights",
                   "citywide": permissions.can_configure_citywide(request.user)},
                  status=status)


# ---------------------------------------------------------------------------------------------------
# routing rules


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RoutingRuleForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none(),
                                      required=False)
    area = AreaChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())
    lead_unit = UnitChoiceField(label=gettext_lazy("Lead unit"), queryset=Unit.objects.none())
    assist_units = UnitsChoiceField(label=gettext_lazy("Assisting units"), queryset=Unit.objects.none(),
                                    required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cat_field = self.fields["category"]
        assert isinstance(cat_field, forms.ModelChoiceField)
        cat_field.queryset = Category.objects.filter(active=True)
        cat_field.choices = _category_choices(ordered_categories(), _("All categories"))
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = config_areas(user)
        units = routing_units(user)
        for name in ("lead_unit", "assist_units"):
            unit_field = self.fields[name]
            assert isinstance(unit_field, forms.ModelChoiceField)
            unit_field.queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, assists = data.get("lead_unit"), data.get("assist_units")
        if lead is not None and assists is not None:
            data["assist_units"] = [u for u in assists if u.pk != lead.pk]
        area = data.get("area")
        if area is not None and RoutingRule.objects.filter(
            category=data.get("category"), area=area, active=True
        ).exists():
            raise forms.ValidationError(
                _("A rule for this category and area already exists. Remove it first to replace it.")
            )
        return data


class SampleForm(forms.Form):
    sample_category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none())
    sample_area = AreaChoiceField(label=gettext_lazy("Area"), queryset=Area.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cat_field = self.fields["sample_category"]
        assert isinstance(cat_field, forms.ModelChoiceField)
        cat_field.queryset = Category.objects.filter(active=True)
        cat_field.choices = _category_choices(ordered_categories(leaves_only=True), _("Choose a category"))
        area_field = self.fields["sample_area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = config_areas(user)


@dataclass
class SampleAnswer:
    category: Category
    area: Area
    rule: RoutingRule | None
    lead: Unit | None
    assists: list[Unit]
    fallback: str  # "" when a rule decides; otherwise a sentence saying where the case goes


def answer_sample(category: Category, area: Area) -> SampleAnswer:
    """Which rule wins for (category, area), and the units a case would be suggested to. Writes nothing."""
    rule = routing.find_rule(category, area)
    if rule is not None:
        route = routing.suggest_route(category, area)
        return SampleAnswer(category, area, route.rule, route.lead, route.assists, "")
    subdistrict = area if area.level == Area.Level.SUBDISTRICT else area.ancestor_of_level(Area.Level.SUBDISTRICT)
    if subdistrict is None:
        return SampleAnswer(category, area, None, None, [], _(
            "No rule matches. The area is above subdistrict level, so the dispatcher must choose the units."
        ))
    office = SubdistrictOffice.objects.select_related("unit").filter(subdistrict=subdistrict).first()
    name = office.unit.name if office is not None else f"{subdistrict.name}办事处"
    return SampleAnswer(category, area, None, office.unit if office else None, [], _(
        "No rule matches: the case goes to the subdistrict office %(name)s."
    ) % {"name": name})


def _sample(request: HttpRequest) -> tuple[SampleForm, SampleAnswer | None]:
    if "sample_category" not in request.GET:
        return SampleForm(user=request.user), None
    form = SampleForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    return form, answer_sample(form.cleaned_data["sample_category"], form.cleaned_data["sample_area"])


@signed_in
@require_http_methods(["GET", "POST"])
def routing_rules(request: HttpRequest) -> HttpResponse:
    _require_config(request)
    status = 200
    if request.method == "POST":
        form = RoutingRuleForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_create_routing_rule(
                    acting_user=acting(request), lead_unit=data["lead_unit"], category=data["category"],
                    area=data["area"], assist_units=list(data["assist_units"]),
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                messages.success(request, _("The routing rule has been added."))
                return redirect("appeals:config_routing")
        status = 400
    else:
        form = RoutingRuleForm(user=request.user)
    sample_form, answer = _sample(request)
    rules = list(routing_rules_visible_to(request.user).order_by("area__path", "category_id", "id"))
    for rule in rules:
        rule.category_label = rule.category.full_name() if rule.category else _("All categories")  # type: ignore[attr-defined]
        rule.area_label = rule.area.name if rule.area else _("The whole city")  # type: ignore[attr-defined]
        rule.can_delete = permissions.can(request.user, "delete", rule)  # type: ignore[attr-defined]
    return render(
        request,
        "appeals/config/routing.html",
        {"form": form, "rules": rules, "sample_form": sample_form, "answer": answer, "tab": "routing"},
        status=status,
    )


@signed_in
@require_GET
def routing_sample(request: HttpRequest) -> HttpResponse:
    """The winning rule for a sample (category, area), as a fragment for htmx (or the whole page)."""
    _require_config(request)
    if not is_htmx(request):
        return routing_rules(request)
    sample_form, answer = _sample(request)
    return render(request, "appeals/config/_sample.html", {"sample_form": sample_form, "answer": answer})


@signed_in
@require_POST
def routing_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_config(request)
    rule = permissions.get_routing_rule_for_user(request.user, pk)
    try:
        actions.do_delete_routing_rule(rule, acting_user=acting(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The routing rule has been removed."))
    return redirect("appeals:config_routing")
