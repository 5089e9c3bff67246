"""The members part's pages (兼职委员).

- /evaluation/flags/: the title-only flags the user sees (open first; filters by status and community); the
  subdistrict runs the check now from here.
- /evaluation/flags/<id>/: what the check found (the facts of the period), the member and its seat, the review
  (keep with a note; remove with a reason and the end date) for the subdistrict, and the removal letter (Word)
  for the subdistrict, the community and the unit's liaison once removed.

A refused POST shows the page again with the message (400; a review someone else made first: 409); out of scope
is 404, not allowed 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area

from .. import queries_members as queries
from ..actions import members as actions
from ..forms_members import CheckForm, FlagFilterForm, KeepForm, RemoveForm
from ..letter_docx import letter_response
from ..models import TitleOnlyFlag
from ..permissions import flag_policy, get_flag_for_user

signed_in = login_required(login_url="core:login")
LIST_LIMIT = 300


def _list_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    user = request.user
    form = FlagFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.flag_list(user, status=data.get("status") or "", community=data.get("community"))
    rows = list(qs[:LIST_LIMIT])
    return render(request, "evaluation/flag_list.html", {
        "rows": rows, "form": form, "f_status": data.get("status") or "", "f_community": data.get("community"),
        "statuses": TitleOnlyFlag.Status.choices, "communities": queries.flag_communities(user),
        "review_areas": queries.review_areas(user), "limited": len(rows) >= LIST_LIMIT,
        "open": sum(1 for r in rows if r.status == TitleOnlyFlag.Status.OPEN),
    }, status=status)


@signed_in
@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    flag_policy.require_somewhere(request.user, "browse")
    return _list_page(request)


@signed_in
@require_POST
def flag_check(request: HttpRequest) -> HttpResponse:
    flag_policy.require_somewhere(request.user, "review", _("Only the subdistrict runs the title-only check."))
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose the subdistrict to check."))
        return _list_page(request, status=400)
    area = get_object_or_404(Area, pk=form.cleaned_data["area"])
    try:
        done = actions.do_run_check(acting_user=request.user, area=area)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return _list_page(request, status=400)
    messages.success(request, _("The check looked at %(checked)d part-time members in %(area)s: %(flagged)d newly "
                                "flagged, %(updated)d open flags brought up to date.")
                     % {"checked": done["checked"], "area": area.name, "flagged": done["flagged"],
                        "updated": done["updated"]})
    return redirect("evaluation:flags")


def _flag_page(request: HttpRequest, flag: TitleOnlyFlag, *, keep_form: KeepForm | None = None,
               remove_form: RemoveForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_review = flag_policy.can(user, "review", flag)
    membership = flag.membership
    ratees = list(membership.evaluation_ratees.filter(campaign__status="final").select_related("campaign")
                  .order_by("-campaign__period_end")[:5])
    remove_form = remove_form or RemoveForm()
    today = timezone.localdate().isoformat()
    return render(request, "evaluation/flag_detail.html", {
        "today": today, "ended_value": str(remove_form.data.get("ended_on") or today)[:10],
        "flag": flag, "membership": membership, "evidence": queries.flag_evidence(flag),
        "reasons": queries.reason_labels(flag.reasons), "never_invited": (flag.facts or {}).get("never_invited"),
        "can_review": can_review, "keep_form": keep_form or KeepForm(), "remove_form": remove_form,
        "can_letter": flag.status == TitleOnlyFlag.Status.REMOVED, "ratees": ratees,
        "other_flags": list(TitleOnlyFlag.objects.filter(membership=membership).exclude(pk=flag.pk)
                            .filter(pk__in=flag_policy.visible_to(user).values("pk")).order_by("-flagged_at")[:10]),
    }, status=status)


@signed_in
@require_GET
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _flag_page(request, get_flag_for_user(request.user, pk))


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""


def _refused(request: HttpRequest, flag: TitleOnlyFlag, exc: ActionError, **forms: Any) -> HttpResponse:
    messages.error(request, exc.message)
    flag.refresh_from_db()
    return _flag_page(request, flag, status=409 if isinstance(exc, Conflict) else 400, **forms)


@signed_in
@require_POST
def flag_keep(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_flag_for_user(request.user, pk)
    if not flag_policy.can(request.user, "review", flag) and flag.status == TitleOnlyFlag.Status.OPEN:
        raise PermissionDenied(_("Only the subdistrict reviews title-only flags."))
    form = KeepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _flag_page(request, flag, keep_form=form, status=400)
    try:
        actions.do_keep_member(flag, acting_user=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
    except ActionError as exc:
        return _refused(request, flag, exc, keep_form=form)
    messages.success(request, _("%(name)s stays on the committee.") % {"name": flag.membership.person_name})
    return redirect("evaluation:flag", pk=flag.pk)


@signed_in
@require_POST
def flag_remove(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_flag_for_user(request.user, pk)
    if not flag_policy.can(request.user, "review", flag) and flag.status == TitleOnlyFlag.Status.OPEN:
        raise PermissionDenied(_("Only the subdistrict reviews title-only flags."))
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _flag_page(request, flag, remove_form=form, status=400)
    try:
        actions.do_remove_member(flag, acting_user=request.user,  # type: ignore[arg-type]
                                 reason=form.cleaned_data["reason"], ended_on=form.cleaned_data.get("ended_on"))
    except ActionError as exc:
        return _refused(request, flag, exc, remove_form=form)
    messages.success(request, _("%(name)s was removed from the committee; the unit was told.")
                     % {"name": flag.membership.person_name})
    return redirect("evaluation:flag", pk=flag.pk)


@signed_in
@require_GET
def flag_letter(request: HttpRequest, pk: int) -> HttpResponse:
    return letter_response(request.user, get_flag_for_user(request.user, pk))


def committee_panel(request: HttpRequest, org: Any) -> str:
    """On a community committee's page: its title-only flags and the members removed as title-only."""
    from django.template.loader import render_to_string

    if getattr(org, "kind", "") != "community_committee" or not flag_policy.can_somewhere(request.user, "browse"):
        return ""
    flags, removed = queries.committee_history(request.user, org)
    if not flags and not removed:
        return ""
    return render_to_string("evaluation/member_history_panel.html", {"flags": flags, "removed": removed},
                            request=request)
