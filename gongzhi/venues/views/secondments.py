"""The secondments part's pages (挂职), for a phone.

- /venues/secondments/: the secondments the user sees (both communities' staff, the person), filter by status.
- /venues/secondments/new/: propose one (a community worker of either community).
- /venues/secondments/<id>/: one secondment: both sides' agreement, agree, cancel before the start, the report.

A refused POST shows the page again with the message (400; a conflict: 409); out of scope is 404, not allowed 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Alliance, Area, Role, User
from gongzhi.core.policy import is_superuser, path_q, scope_paths

from ..actions import secondments as actions
from ..forms_secondments import CancelForm, ProposeForm, ReportForm, SecondmentFilterForm
from ..forms_services import first_error
from ..models import Secondment
from ..permissions import VENUE_MANAGERS, get_secondment_for_user, secondment_policy, secondment_side

signed_in = login_required(login_url="core:login")
LIST_LIMIT = 200
STAFF_ROLES = (Role.COMMUNITY_WORKER, Role.GRID_WORKER)


def _status_of(exc: ActionError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


@signed_in
@require_GET
def secondment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SecondmentFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    qs = secondment_policy.visible_to(user).select_related("person", "from_community", "to_community")
    if status:
        qs = qs.filter(status=status)
    return render(request, "venues/secondments/list.html", {
        "rows": list(qs[:LIST_LIMIT]), "statuses": Secondment.Status.choices, "f_status": status or "",
        "can_propose": secondment_policy.can_somewhere(user, "propose"),
    })


def _communities(user: Any) -> list[Area]:
    """The communities of the alliances of the communities the user works for."""
    alliances = Alliance.objects.all()
    if not is_superuser(user):
        own = Area.objects.filter(level=Area.Level.COMMUNITY).filter(path_q(scope_paths(user, VENUE_MANAGERS), "path"))
        alliances = alliances.filter(communities__in=own)
    return list(Area.objects.filter(level=Area.Level.COMMUNITY, alliances__in=alliances).distinct().order_by("path"))


def _people(communities: list[Area]) -> list[tuple[int, str]]:
    q = path_q([c.path for c in communities], "grants__area__path")
    users = User.objects.filter(q, is_active=True, grants__role__in=STAFF_ROLES).distinct().order_by("display_name")
    return [(u.pk, u.display_name or u.username) for u in users[:300]]


@signed_in
@require_http_methods(["GET", "POST"])
def secondment_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    secondment_policy.require_somewhere(user, "propose", _("Only community workers propose secondments."))
    communities = _communities(user)
    form = ProposeForm(request.POST or None, people=_people(communities),
                       communities=[(c.pk, c.name) for c in communities])
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                secondment = actions.do_propose_secondment(
                    acting_user=user, person=User.objects.filter(pk=data["person"]).first(),  # type: ignore[arg-type]
                    from_community=Area.objects.filter(pk=data["from_community"]).first(),
                    to_community=Area.objects.filter(pk=data["to_community"]).first(),
                    starts_on=data["starts_on"], ends_on=data["ends_on"], role_title=data["role_title"],
                    work=data["work"])
            except ActionError as exc:
                messages.error(request, exc.message)
                return render(request, "venues/secondments/form.html", {"form": form}, status=_status_of(exc))
            messages.success(request, _("The secondment is proposed; the other community is asked to agree."))
            return redirect("venues:secondment", pk=secondment.pk)
        messages.error(request, first_error(form))
        return render(request, "venues/secondments/form.html", {"form": form}, status=400)
    return render(request, "venues/secondments/form.html", {"form": form})


def _page(request: HttpRequest, secondment: Secondment, *, report_form: ReportForm | None = None,
          status: int = 200) -> HttpResponse:
    user = request.user
    return render(request, "venues/secondments/detail.html", {
        "s": secondment, "side": secondment_side(user, secondment),
        "can_agree": secondment_policy.can(user, "agree", secondment),
        "can_cancel": secondment_policy.can(user, "cancel", secondment),
        "can_report": secondment_policy.can(user, "report", secondment),
        "report_form": report_form or ReportForm(), "cancel_form": CancelForm(),
    }, status=status)


@signed_in
@require_GET
def secondment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_secondment_for_user(request.user, pk))


@signed_in
@require_POST
def secondment_agree(request: HttpRequest, pk: int) -> HttpResponse:
    secondment = get_secondment_for_user(request.user, pk)
    secondment_policy.require(request.user, "agree", secondment,
                              _("Only the workers of the two communities agree to a secondment."))
    try:
        actions.do_agree_secondment(secondment, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return _page(request, secondment, status=_status_of(exc))
    messages.success(request, _("Your community's agreement is recorded."))
    return redirect("venues:secondment", pk=secondment.pk)


@signed_in
@require_POST
def secondment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    secondment = get_secondment_for_user(request.user, pk)
    secondment_policy.require(request.user, "cancel", secondment,
                              _("Only the workers of the two communities cancel a secondment."))
    try:
        actions.do_cancel_secondment(secondment, acting_user=request.user,  # type: ignore[arg-type]
                                     reason=request.POST.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _page(request, secondment, status=_status_of(exc))
    messages.success(request, _("The secondment is cancelled."))
    return redirect("venues:secondment", pk=secondment.pk)


@signed_in
@require_POST
def secondment_report(request: HttpRequest, pk: int) -> HttpResponse:
    secondment = get_secondment_for_user(request.user, pk)
    secondment_policy.require(request.user, "report", secondment,
                              _("Only the seconded person files the report, once the secondment has started."))
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _page(request, secondment, report_form=form, status=400)
    try:
        actions.do_file_secondment_report(secondment, acting_user=request.user,  # type: ignore[arg-type]
                                          learned=form.cleaned_data["learned"],
                                          brought=form.cleaned_data["brought"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return _page(request, secondment, report_form=form, status=_status_of(exc))
    messages.success(request, _("Your report is filed. Thank you."))
    return redirect("venues:secondment", pk=secondment.pk)
