"""The case page: appeals, timeline, assignments, and the action forms the user may use.

Each action posts to `appeals:case_action`; the policy decides 403, `actions.py` decides the state
(a refused transition comes back as a Chinese message on the case page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Unit
from gongzhi.core.pii import Places
from gongzhi.core.registry import render_panels
from gongzhi.lib.masking import mask_phone

from .. import actions, permissions, queries, routing
from ..forms import (
    AssignmentForm,
    DispatchForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FollowUpForm,
    MergeForm,
    NoteForm,
    OptionalNoteForm,
    ProgressForm,
    ReassignForm,
    ReplyForm,
    ReturnForm,
    WhistleForm,
)
from ..models import Appeal, Assignment, Case, Category, ExtensionRequest, ReplyTemplate, Whistle
from ..replies import prepare_reply
from .common import VERB_LABELS, acting, flash_form_errors, human_duration, require_allowed, signed_in

RUNNING = Case.RUNNING_STATUSES
ACTIVE = (*Case.RUNNING_STATUSES, Case.Status.REPLIED)

# The policy action each case action needs (accept and return are checked on the assignment).
POLICY: dict[str, str] = {
    "dispatch": "dispatch",
    "reassign": "dispatch",
    "decide_extension": "dispatch",
    "close": "dispatch",
    "merge": "dispatch",
    "merge_duplicate": "dispatch",
    "supervise": "supervise",
    "follow_up": "follow_up",
    "reopen": "dispatch",
    "progress": "note",
    "request_extension": "handle",
    "reply": "handle",
    "whistle": "whistle",
}


def dispatch_units(case: Case) -> QuerySet[Unit]:
    """Units a case can go to: departments, subdistrict offices, and units located in the case's subdistrict."""
    q = Q(kind=Unit.Kind.DEPARTMENT) | Q(appeals_office__isnull=False)
    base = case.subdistrict or case.supervising_area or case.area
    if base is not None:
        q |= Q(area__path__startswith=base.path)
    return Unit.objects.filter(q).distinct().order_by("kind", "name")


def unit_groups(units: Iterable[Unit], usual: Iterable[Unit]) -> list[dict[str, Any]]:
    """The units of a picker grouped for a person: the usual ones for the case's category first, then by kind and
    district ("职能部门 · 东城区"), each group by name. One query for the districts' names."""
    units = list(units)
    usual = [u for u in dict.fromkeys(usual) if u is not None]
    district_depth = Area.Level.values.index(Area.Level.DISTRICT)
    paths = {u.pk: u.area.ancestor_ids() if u.area_id else [] for u in units}
    district_ids = {ids[district_depth] for ids in paths.values() if len(ids) > district_depth}
    names = dict(Area.objects.filter(pk__in=district_ids).values_list("pk", "name")) if district_ids else {}
    groups: dict[tuple[int, str, str], list[Unit]] = {}
    kinds = list(Unit.Kind.values)
    for unit in units:
        ids = paths[unit.pk]
        district = names.get(ids[district_depth], "") if len(ids) > district_depth else ""
        label = " · ".join(part for part in (str(unit.get_kind_display()), district) if part)
        key = (kinds.index(unit.kind) if unit.kind in kinds else len(kinds), district, label)
        groups.setdefault(key, []).append(unit)
    out: list[dict[str, Any]] = []
    offered = {u.pk for u in units}
    usual = [u for u in usual if u.pk in offered]
    if usual:
        out.append({"label": _("Usual for this category"), "units": usual, "usual": True})
    first = {u.pk for u in usual}
    for key in sorted(groups):
        rest = sorted((u for u in groups[key] if u.pk not in first), key=lambda u: u.name)
        if rest:
            out.append({"label": key[2], "units": rest, "usual": False})
    return out


def usual_units(case: Case, category: Category | None) -> list[Unit]:
    """The units a case of this category usually goes to: the routing rule's, then the most frequent lead units of
    earlier cases of the category."""
    route = routing.suggest_route(category, case.area or case.supervising_area)
    found: list[Unit] = [u for u in (route.lead, *route.assists) if u is not None]
    if category is not None:
        frequent = (Case.objects.filter(category=category, lead_unit__isnull=False).exclude(pk=case.pk)
                    .values("lead_unit").annotate(n=Count("id")).order_by("-n", "lead_unit")[:5])
        ids = [row["lead_unit"] for row in frequent]
        by_id = Unit.objects.in_bulk(ids)
        found += [by_id[pk] for pk in ids if pk in by_id]
    return list(dict.fromkeys(found))


def _with_groups(form: Any, case: Case, category: Category | None) -> Any:
    units = form.fields["lead_unit"].queryset.select_related("area")
    form.unit_groups = unit_groups(units, usual_units(case, category))
    values = form["assist_units"].value() or []
    form.assist_values = {int(v) for v in values if str(v).isdigit()}
    return form


def whistle_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("name")


def _my_assignments(user: Any, case: Case) -> list[Assignment]:
    return [a for a in case.assignments.all() if a.is_active and permissions.can(user, "handle", a)]


def available_actions(user: Any, case: Case) -> dict[str, Any]:
    can = {
        name: permissions.can(user, name, case)
        for name in ("dispatch", "handle", "supervise", "follow_up", "note", "whistle")
    }
    mine = _my_assignments(user, case)
    pending_ext = [e for e in case.extensions.all() if e.status == ExtensionRequest.Status.PENDING]
    status = case.status
    return {
        "dispatch": can["dispatch"] and status == Case.Status.PENDING_DISPATCH,
        "accept": [a for a in mine if a.status == Assignment.Status.PENDING] if status in RUNNING else [],
        "return": mine if status in RUNNING else [],
        "reassign": can["dispatch"] and status in RUNNING,
        "request_extension": can["handle"] and status in RUNNING and not pending_ext,
        "decide_extension": pending_ext if can["dispatch"] else [],
        "supervise": can["supervise"] and status in ACTIVE,
        "progress": can["note"] and status in ACTIVE,
        "reply": status == Case.Status.IN_PROGRESS
        and any(a.role == Assignment.Role.LEAD and a.status == Assignment.Status.ACCEPTED for a in mine),
        "follow_up": can["follow_up"] and case.awaits_follow_up,
        "reopen": can["dispatch"]
        and status in (Case.Status.REPLIED, Case.Status.CLOSED)
        and case.satisfaction == Case.Satisfaction.UNSATISFIED
        and case.reopen_count < Case.MAX_REOPENS,
        "close": can["dispatch"] and status in (Case.Status.REPLIED, Case.Status.PENDING_DISPATCH),
        "merge": can["dispatch"] and status in Case.OPEN_STATUSES,
        "whistle": can["whistle"] and status in Case.OPEN_STATUSES and (case.area or case.supervising_area),
        "reveal": bool(permissions.contact_fields(user, case)),
    }


def _dispatch_form(case: Case, category: Category | None = None) -> DispatchForm:
    category = category or case.category
    route = routing.suggest_route(category, case.area or case.supervising_area)
    return _with_groups(DispatchForm(
        units=dispatch_units(case),
        initial={
            "category": category,
            "lead_unit": route.lead,
            "assist_units": route.assists,
            "urgency": case.urgency,
            "version": case.version,
        },
    ), case, category)


def _timeline(case: Case) -> list[dict[str, Any]]:
    rows = []
    for event in case.events.all():
        rows.append(
            {
                "event": event,
                "label": VERB_LABELS.get(event.verb, event.verb),
                "actor": str(event.actor) if event.actor else "",
                "resident": event.actor_id is None and event.verb == "follow_up",
                "since": human_duration(event.duration),
                "photos": list(event.photos.all()),
            }
        )
    return rows


def _mask_appeals(appeals: list[Appeal], case: Case) -> None:
    """Masked contact data (gongzhi.core.pii): the phone's first three and last four digits, the address as the
    community and estate of the appeal's (or the case's) place."""
    places = Places().preload(a.area or case.area for a in appeals)
    for appeal in appeals:
        appeal.phone_masked = mask_phone(appeal.callback_phone)  # type: ignore[attr-defined]
        appeal.address_masked = places.address(appeal.address, appeal.area or case.area)  # type: ignore[attr-defined]


@signed_in
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.case_detail(request.user, pk)
    available = available_actions(request.user, case)
    appeals = list(case.appeals.all())
    _mask_appeals(appeals, case)
    units = dispatch_units(case)
    templates = list(ReplyTemplate.objects.filter(active=True))
    for template in templates:  # the template as the handler starts from it: what the platform knows filled in
        template.prefilled = prepare_reply(template.body, case, unit=case.lead_unit).body  # type: ignore[attr-defined]
    reply_draft = request.session.pop(_draft_key(case), "") if available["reply"] else ""
    context = {
        "case": case,
        "appeals": appeals,
        "timeline": _timeline(case),
        "assignments": list(case.assignments.all()),
        "extensions": list(case.extensions.all()),
        "replies": list(case.replies.all()),
        "follow_ups": list(case.follow_ups.all()),
        "whistles": list(Whistle.objects.filter(case=case).prefetch_related("reports__unit")),
        "available": available,
        "any_action": any(v for k, v in available.items() if k != "reveal"),
        "overdue": case.is_overdue(),
        "due_soon": case.is_due_soon(),
        "dispatch_form": _dispatch_form(case) if available["dispatch"] else None,
        # Blocks other apps add (registry.panel): below the appeals, and beside the dispatch form.
        "panels": render_panels("appeals.case", request, case),
        "dispatch_panels": render_panels("appeals.case.dispatch", request, case) if available["dispatch"] else [],
        "reassign_form": _with_groups(ReassignForm(units=units, initial={"lead_unit": case.lead_unit}), case,
                                      case.category)
        if available["reassign"]
        else None,
        "extension_form": ExtensionRequestForm(initial={"new_due_at": case.due_at}),
        "reply_form": ReplyForm(initial={"version": case.version}),
        "reply_templates": templates,
        "reply_draft": reply_draft,
        "follow_up_form": FollowUpForm(),
        "progress_form": ProgressForm(),
        "note_form": NoteForm(),
        "optional_note_form": OptionalNoteForm(),
        "merge_form": MergeForm(),
        "whistle_form": WhistleForm(units=whistle_units(), initial={"title": case.title}),
    }
    return render(request, "appeals/case_detail.html", context)


@signed_in
@require_GET
def case_route(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the routing rule's suggestion for the category chosen in the dispatch form."""
    case = permissions.get_case_for_user(request.user, pk)
    require_allowed(permissions.can(request.user, "dispatch", case))
    category = Category.objects.filter(pk=request.GET.get("category") or 0).first()
    return render(request, "appeals/_dispatch_units.html", {"dispatch_form": _dispatch_form(case, category)})


@signed_in
@require_POST
def reveal_phone(request: HttpRequest, pk: int, appeal_pk: int) -> HttpResponse:
    """Show one appeal's callback phone and address in full to those the one rule allows
    (`permissions.contact_fields`); each reveal is audited."""
    case = permissions.get_case_for_user(request.user, pk)
    appeal = case.appeals.filter(pk=appeal_pk).first()
    if appeal is None:
        raise Http404
    require_allowed(available_actions(request.user, case)["reveal"])
    contact = actions.do_reveal_appeal_contact(appeal, acting_user=request.user)  # type: ignore[arg-type]
    _mask_appeals([appeal], case)
    return render(request, "appeals/_phone.html", {"appeal": appeal, "contact": contact, "case": case})


# --- Actions ------------------------------------------------------------------------------------------------


def _assignment(request: HttpRequest, case: Case, form: AssignmentForm) -> Assignment:
    assignment = (
        case.assignments.select_related("unit", "case").filter(pk=form.cleaned_data["assignment"]).first()
    )
    if assignment is None:
        raise Http404
    require_allowed(permissions.can(request.user, "handle", assignment))
    return assignment


def _act_dispatch(request: HttpRequest, case: Case) -> str | None:
    form = DispatchForm(request.POST, units=dispatch_units(case))
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    data = form.cleaned_data
    actions.do_dispatch_case(
        case,
        acting_user=acting(request),
        lead_unit=data["lead_unit"],
        assist_units=list(data["assist_units"]),
        category=data["category"],
        urgency=data["urgency"],
        note=data["note"],
        expected_version=data["version"],
    )
    return _("The case has been dispatched.")


def _act_merge_duplicate(request: HttpRequest, case: Case) -> str | None:
    """Merge with another case (a duplicate candidate intelligence's panel shows): this case's appeals into the
    other case ("there"), or the other case's appeals into this one ("here")."""
    other = permissions.get_case_for_user(request.user, int(request.POST.get("other") or 0))
    if other.pk == case.pk:
        raise Http404
    require_allowed(permissions.can(request.user, "dispatch", other))
    if request.POST.get("direction") == "here":
        actions.do_merge_appeals(case, appeals=list(other.appeals.all()), acting_user=acting(request))
        return _("The appeals have been merged into this case.")
    actions.do_merge_appeals(other, appeals=list(case.appeals.all()), acting_user=acting(request))
    request.appeals_redirect_case = other.pk  # type: ignore[attr-defined]
    return _("This case's appeals have been merged into case #%(number)d.") % {"number": other.pk}


def _act_accept(request: HttpRequest, case: Case) -> str | None:
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        raise Http404
    actions.do_accept_assignment(_assignment(request, case, form), acting_user=acting(request))
    return _("You have accepted the case.")


def _act_return(request: HttpRequest, case: Case) -> str | None:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if "assignment" in form.errors:
            raise Http404
        flash_form_errors(request, form)
        return None
    actions.do_return_assignment(
        _assignment(request, case, form),
        acting_user=acting(request),
        reason=form.cleaned_data["reason"],
    )
    return _("The case has been returned.")


def _act_reassign(request: HttpRequest, case: Case) -> str | None:
    form = ReassignForm(request.POST, units=dispatch_units(case))
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    data = form.cleaned_data
    actions.do_reassign_case(
        case,
        acting_user=acting(request),
        lead_unit=data["lead_unit"],
        assist_units=list(data["assist_units"]),
        reason=data["reason"],
    )
    return _("The case has been reassigned.")


def _act_request_extension(request: HttpRequest, case: Case) -> str | None:
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    actions.do_request_extension(
        case,
        acting_user=acting(request),
        new_due_at=form.cleaned_data["new_due_at"],
        reason=form.cleaned_data["reason"],
    )
    return _("The extension request has been sent.")


def _act_decide_extension(request: HttpRequest, case: Case) -> str | None:
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    extension = case.extensions.filter(pk=form.cleaned_data["extension"]).first()
    if extension is None:
        raise Http404
    approve = form.cleaned_data["decision"] == "approve"
    actions.do_decide_extension(
        extension,
        acting_user=acting(request),
        approve=approve,
        note=form.cleaned_data["note"],
    )
    return _("The extension has been approved.") if approve else _("The extension has been rejected.")


def _act_supervise(request: HttpRequest, case: Case) -> str | None:
    form = NoteForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    actions.do_supervise_case(case, acting_user=acting(request), note=form.cleaned_data["note"])
    return _("The supervision note has been sent to the lead unit.")


def _act_progress(request: HttpRequest, case: Case) -> str | None:
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    actions.do_add_progress_note(
        case,
        acting_user=acting(request),
        note=form.cleaned_data["note"],
        photos=request.FILES.getlist("photos"),
    )
    return _("The progress note has been recorded.")


def _act_reply(request: HttpRequest, case: Case) -> str | None:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    data = form.cleaned_data
    try:
        actions.do_reply_case(
            case,
            acting_user=acting(request),
            body=data["body"],
            template=data["template"],
            expected_version=data["version"],
        )
    except ActionError:
        # Refused (e.g. a placeholder left in it): the handler's text comes back in the form, not lost.
        draft = data["body"] or (data["template"].body if data["template"] else "")
        request.session[_draft_key(case)] = prepare_reply(draft, case, unit=case.lead_unit).body
        raise
    return _("The answer has been sent to the resident.")


def _draft_key(case: Case) -> str:
    return f"appeals_reply_draft:{case.pk}"


def _act_follow_up(request: HttpRequest, case: Case) -> str | None:
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    data = form.cleaned_data
    actions.do_follow_up_case(
        case,
        acting_user=acting(request),
        contacted=data["contacted"],
        solved=data["solved"],
        satisfaction=data["satisfaction"],
        note=data["note"],
    )
    return _("The follow-up has been recorded.")


def _act_reopen(request: HttpRequest, case: Case) -> str | None:
    form = OptionalNoteForm(request.POST)
    form.is_valid()
    actions.do_reopen_case(
        case,
        acting_user=acting(request),
        note=form.cleaned_data.get("note", ""),
    )
    return _("The case has been reopened and sent back to the lead unit.")


def _act_close(request: HttpRequest, case: Case) -> str | None:
    form = OptionalNoteForm(request.POST)
    form.is_valid()
    actions.do_close_case(case, acting_user=acting(request), note=form.cleaned_data.get("note", ""))
    return _("The case has been closed.")


def _act_merge(request: HttpRequest, case: Case) -> str | None:
    form = MergeForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    codes = form.cleaned_data["codes"]
    found = list(permissions.visible_to(request.user, Appeal).filter(tracking_code__in=codes))
    missing = sorted(set(codes) - {a.tracking_code for a in found})
    if missing:
        raise ActionError(
            _("No appeal with these tracking codes in your area: %(codes)s.") % {"codes": "、".join(missing)}
        )
    actions.do_merge_appeals(
        case,
        appeals=found,
        acting_user=acting(request),
        note=form.cleaned_data["note"],
    )
    return _("The appeals have been merged into this case.")


def _act_whistle(request: HttpRequest, case: Case) -> str | None:
    form = WhistleForm(request.POST, units=whistle_units())
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    data = form.cleaned_data
    area: Area = case.area or case.supervising_area  # type: ignore[assignment]
    whistle = actions.do_whistle(
        acting_user=acting(request),
        title=data["title"],
        area=area,
        units=list(data["units"]),
        description=data["description"],
        urgent=data["urgent"],
        case=case,
    )
    request.session["appeals_last_whistle"] = whistle.pk
    return _("The departments have been summoned.")


HANDLERS: dict[str, Callable[[HttpRequest, Case], str | None]] = {
    "dispatch": _act_dispatch,
    "accept": _act_accept,
    "return": _act_return,
    "reassign": _act_reassign,
    "request_extension": _act_request_extension,
    "decide_extension": _act_decide_extension,
    "supervise": _act_supervise,
    "progress": _act_progress,
    "reply": _act_reply,
    "follow_up": _act_follow_up,
    "reopen": _act_reopen,
    "close": _act_close,
    "merge": _act_merge,
    "merge_duplicate": _act_merge_duplicate,
    "whistle": _act_whistle,
}


@signed_in
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404
    case = permissions.get_case_for_user(request.user, pk)
    if action in POLICY:
        permissions.require(request.user, POLICY[action], case)
    if action in ("accept", "return") and not _my_assignments(request.user, case):
        raise PermissionDenied(_("You do not have permission to do this here."))
    try:
        done = handler(request, case)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    merged_into = getattr(request, "appeals_redirect_case", None)
    if merged_into:
        return redirect(reverse("appeals:case", args=[merged_into]))
    return redirect(reverse("appeals:case", args=[case.pk]) + "#actions")
