"""Staff intake: the hotline operator's entry form and the grid worker's patrol report (社区发现)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area

from .. import actions, permissions
from ..forms import HotlineAppealForm, PatrolReportForm
from ..models import Appeal, Case
from .common import acting, add_action_error, photos_dropped, require_allowed, signed_in

MAX_PATROL_PLACES = 400


def _scoped_areas(user: object, action: str, levels: tuple[str, ...]) -> QuerySet[Area]:
    return permissions.area_policy.areas_where(user, action).filter(level__in=levels).order_by("path")


def _after_intake(request: HttpRequest, appeal: Appeal) -> HttpResponse:
    # Staff never see a whole tracking code: the caller gets it by SMS (actions.do_submit_appeal).
    messages.success(request, _("Appeal recorded (%(code)s). The tracking code has been sent to the caller's phone.")
                     % {"code": appeal.masked_code})
    if appeal.case_id and permissions.visible_to(request.user, Case).filter(pk=appeal.case_id).exists():
        return redirect("appeals:case", pk=appeal.case_id)
    return redirect("appeals:worklists")


@signed_in
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    require_allowed(permissions.can_take_hotline(request.user))
    communities = _scoped_areas(request.user, "hotline", (Area.Level.COMMUNITY,))
    if request.method == "POST":
        form = HotlineAppealForm(request.POST, request.FILES, communities=communities)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = actions.do_submit_appeal(
                    acting_user=acting(request),
                    channel=Appeal.Channel.HOTLINE,
                    appeal_type=data["appeal_type"],
                    urgency=data["urgency"],
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    callback_name=data["callback_name"],
                    callback_phone=data["callback_phone"],
                    area=form.place(),
                    address=data["address"],
                    photos=request.FILES.getlist("photos"),
                    source_ref=data["source_ref"],
                )
            except ActionError as exc:
                add_action_error(form, exc)
            else:
                return _after_intake(request, appeal)
        return render(request, "appeals/intake/hotline.html", {"form": form, "photos_dropped": photos_dropped(request)},
                      status=400)
    return render(
        request, "appeals/intake/hotline.html", {"form": HotlineAppealForm(communities=communities)}
    )


def _patrol_places(user: object) -> QuerySet[Area]:
    places = _scoped_areas(
        user,
        "patrol",
        (Area.Level.COMMUNITY, Area.Level.ESTATE, Area.Level.GRID, Area.Level.BUILDING),
    )
    if places.count() > MAX_PATROL_PLACES:
        places = places.exclude(level=Area.Level.BUILDING)
    return places


@signed_in
@require_http_methods(["GET", "POST"])
def patrol(request: HttpRequest) -> HttpResponse:
    require_allowed(permissions.can_patrol(request.user))
    places = _patrol_places(request.user)
    phone = getattr(request.user, "phone", "") or ""
    if request.method == "POST":
        form = PatrolReportForm(request.POST, request.FILES, places=places)
        form.label_place()
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = actions.do_submit_appeal(
                    acting_user=acting(request),
                    channel=Appeal.Channel.GRID_PATROL,
                    appeal_type=data["appeal_type"],
                    urgency=data["urgency"],
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    callback_name=str(request.user),
                    callback_phone=data["callback_phone"],
                    area=data["place"],
                    photos=request.FILES.getlist("photos"),
                )
            except ActionError as exc:
                add_action_error(form, exc)
            except PermissionDenied:
                raise
            else:
                return _after_intake(request, appeal)
        return render(request, "appeals/intake/patrol.html", {"form": form, "photos_dropped": photos_dropped(request)},
                      status=400)
    form = PatrolReportForm(places=places, initial={"callback_phone": phone})
    form.label_place()
    return render(request, "appeals/intake/patrol.html", {"form": form})
