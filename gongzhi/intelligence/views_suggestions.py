"""采用: dispatch a case with one of the classifier's suggestions, in one click from the case page's panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.errors import ActionError

from .suggestions import suggestions_for_case

signed_in = login_required(login_url="core:login")


@signed_in
@require_POST
def adopt_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion is recomputed here from its rank, never taken from the form; then the appeals' dispatch
    action does the rest (its checks, its timeline event, the CASE_DISPATCHED hook and so the feedback)."""
    case = appeals_queries.get_case_for_user(request.user, pk)
    if not appeals_queries.can(request.user, "dispatch", case):
        raise PermissionDenied(_("You do not have permission to do this here."))
    try:
        rank = int(request.POST.get("rank", ""))
        expected = int(request.POST["version"]) if request.POST.get("version") else None
    except ValueError as exc:
        raise Http404 from exc
    options = suggestions_for_case(case)
    if not 0 <= rank < len(options):
        raise Http404
    chosen = options[rank]
    try:
        if chosen.dispatch_category is None or chosen.lead_unit is None:
            raise ActionError(_("This suggestion has no category or lead unit; please dispatch by hand."))
        appeals_actions.do_dispatch_case(
            case, acting_user=request.user,  # type: ignore[arg-type]
            lead_unit=chosen.lead_unit, assist_units=chosen.assist_units, category=chosen.dispatch_category,
            expected_version=expected,
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The case has been dispatched."))
    return redirect(reverse("appeals:case", args=[case.pk]) + "#actions")
