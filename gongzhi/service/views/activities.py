"""The activities pages: the list (upcoming and past, by kind, my sign-ups), new and edit forms, the activity page
(sign-up and the waitlist, the organizer's list of people with their check-in, check-out and hours to confirm or
correct), the organizer's check-in board (the rotating QR code and the read-out code, refreshed by htmx), the phone
check-in page (the QR code's link, or the code typed), recurring activities, the attendance record (a person's
year; a community's people for its staff), and the residents' public feedback page (no sign-in, the phone proven
with a code).

Each POST goes to one action; a refused one shows the message (400 on a form page)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User
from gongzhi.lib import ratelimit, rotating_codes
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.net import client_ip
from gongzhi.lists import phone_codes

from .. import permissions
from ..actions import activities as actions
from ..forms_activities import (
    ActivityEditForm,
    ActivityForm,
    CheckinCodeForm,
    CorrectHoursForm,
    FeedbackForm,
    ReasonForm,
    SeriesForm,
)
from ..models import Activity, ActivityFeedback, ActivityKind, ActivitySeries, SignUp

signed_in = login_required(login_url="core:login")


def _gate(user: Any) -> None:
    if not permissions.shows_service(user):
        raise PermissionDenied(_("This page is not available to your role."))


def _activity(request: HttpRequest, pk: int, action: str = "view") -> Activity:
    activity = permissions.get_activity_for_user(request.user, pk)
    if action != "view":
        permissions.require(request.user, action, activity, _("Only the activity's organizers may do this."))
    return activity


def managed_communities(user: Any) -> Any:
    return permissions.area_policy.areas_where(user, "manage_service").filter(level=Area.Level.COMMUNITY)


def _back(activity: Activity, anchor: str = "") -> HttpResponse:
    return redirect(reverse("service:activity", args=[activity.pk]) + anchor)


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def checkin_link(request: HttpRequest, activity: Activity, at: float | None = None) -> str:
    token = rotating_codes.qr_token(activity.checkin_secret, at)
    return request.build_absolute_uri(reverse("service:activity_checkin", args=[activity.pk, token]))


# --- the list --------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    _gate(request.user)
    now = timezone.now()
    qs = permissions.visible_to(request.user, Activity).select_related("community")
    kind = request.GET.get("kind") or ""
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    mine = request.GET.get("mine") == "1"
    mine_qs = SignUp.objects.filter(user_id=request.user.pk)  # type: ignore[misc]
    my_status = dict(mine_qs.exclude(status=SignUp.Status.CANCELLED).values_list("activity_id", "status"))
    if mine:
        qs = qs.filter(pk__in=list(my_status))
    qs = qs.annotate(taken=Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED), distinct=True),
                     waiting=Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED), distinct=True))
    upcoming = list(qs.filter(actions.upcoming_q(now)).order_by("starts_at", "id")[:50])
    past = list(qs.exclude(pk__in=[a.pk for a in upcoming]).order_by("-starts_at", "-id")[:50])
    for activity in [*upcoming, *past]:
        activity.my_status = my_status.get(activity.pk, "")  # type: ignore[attr-defined]
    communities = managed_communities(request.user)
    can_organise = communities.exists()
    series = list(ActivitySeries.objects.filter(active=True, community__in=communities)
                  .select_related("community").order_by("title")[:30]) if can_organise else []
    return render(request, "service/activity_list.html", {
        "upcoming": upcoming, "past": past, "kind": kind, "kinds": ActivityKind.choices, "mine": mine,
        "can_organise": can_organise, "series": series,
    })


# --- new, edit, cancel -----------------------------------------------------------------------------------------


def _community_form(request: HttpRequest, form_class: Any) -> Any:
    communities = managed_communities(request.user).order_by("path")
    if not communities.exists():
        raise PermissionDenied(_("You may not organise activities."))
    form = form_class(request.POST if request.method == "POST" else None)
    form.fields["community"].queryset = communities
    if communities.count() == 1:
        form.fields["community"].initial = communities.first()
    return form


ACTIVITY_KEYS = ["kind", "title", "description", "place", "starts_at", "ends_at", "capacity",
                 "open_to_party_members", "open_to_volunteers", "open_to_residents", "skills"]


@signed_in
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    form = _community_form(request, ActivityForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = actions.do_create_activity(acting_user=request.user, community=data["community"],  # type: ignore[arg-type]
                                                  **{k: data[k] for k in ACTIVITY_KEYS})
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The activity was published."))
            return _back(activity)
    return render(request, "service/activity_form.html", {"form": form, "new": True},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk, "manage")
    if request.method == "POST":
        form = ActivityEditForm(request.POST)
        if form.is_valid():
            try:
                actions.do_update_activity(activity, acting_user=request.user,  # type: ignore[arg-type]
                                           **{k: form.cleaned_data[k] for k in ACTIVITY_KEYS})
            except ActionError as exc:
                _error(form, exc)
            else:
                messages.success(request, _("The activity was saved."))
                return _back(activity)
    else:
        form = ActivityEditForm(initial={
            **{k: getattr(activity, k) for k in ACTIVITY_KEYS},
            "starts_at": timezone.localtime(activity.starts_at), "ends_at": timezone.localtime(activity.ends_at)})
    return render(request, "service/activity_form.html", {"form": form, "activity": activity},
                  status=400 if form.errors else 200)


@signed_in
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk, "manage")
    form = ReasonForm(request.POST)
    try:
        actions.do_cancel_activity(activity, acting_user=request.user,  # type: ignore[arg-type]
                                   reason=form.data.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The activity was cancelled and the people signed up were told."))
    return _back(activity)


# --- the activity page -----------------------------------------------------------------------------------------


@signed_in
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    can_manage = permissions.can(request.user, "manage", activity)
    signups = list(activity.signups.select_related("user").order_by("status", "position", "created_at", "pk"))
    confirmed = [s for s in signups if s.status == SignUp.Status.CONFIRMED]
    waitlist = [s for s in signups if s.status == SignUp.Status.WAITLISTED]
    mine = next((s for s in signups if s.user_id == request.user.pk and s.status != SignUp.Status.CANCELLED), None)
    now = timezone.now()
    context: dict[str, Any] = {
        "activity": activity, "can_manage": can_manage, "mine": mine, "now": now,
        "taken": len(confirmed), "waiting": len(waitlist), "seats_left": max(0, activity.capacity - len(confirmed)),
        "can_sign_up": mine is None and activity.status == Activity.Status.PUBLISHED and activity.ends_at > now
        and permissions.can(request.user, "sign_up", activity),
        "who": actions.open_to_text(activity), "checkin_open": actions.checkin_open(activity, now),
        "ended": activity.ends_at <= now,
    }
    if mine is not None and mine.status == SignUp.Status.WAITLISTED:
        context["my_place"] = 1 + sum(1 for s in waitlist if s.position < mine.position)
    if can_manage:
        context.update({
            "confirmed": confirmed, "waitlist": waitlist,
            "cancelled": [s for s in signups if s.status == SignUp.Status.CANCELLED],
            "to_confirm": [s for s in confirmed if s.hours_confirmed_at is None],
            "feedback_url": request.build_absolute_uri(reverse("service:activity_feedback",
                                                               args=[activity.public_code]))
            if activity.public_code else "",
            "feedback": list(ActivityFeedback.objects.filter(activity=activity).order_by("-created_at")[:20]),
        })
    return render(request, "service/activity_detail.html", context)


@signed_in
@require_POST
def activity_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    try:
        signup = actions.do_sign_up(activity, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if signup.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.info(request, _("The activity is full: you are on the waitlist, no. %(n)d. You will be told "
                                     "when a seat comes free.") % {"n": signup.position})
    return _back(activity)


@signed_in
@require_POST
def signup_cancel(request: HttpRequest, sid: int) -> HttpResponse:
    signup = permissions.get_signup_for_user(request.user, sid)
    try:
        actions.do_cancel_signup(signup, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The sign-up was cancelled."))
    return _back(signup.activity)


# --- hours -----------------------------------------------------------------------------------------------------


@signed_in
@require_POST
def confirm_hours(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk, "manage")
    chosen = None
    if request.POST.get("signup", "").isdigit():
        chosen = list(activity.signups.filter(pk=int(request.POST["signup"])))
    try:
        done = actions.do_confirm_hours(activity, acting_user=request.user, signups=chosen)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hours confirmed for %(n)d people and credited to their time bank.") % {
            "n": len(done)})
    return _back(activity, "#people")


@signed_in
@require_POST
def correct_hours(request: HttpRequest, sid: int) -> HttpResponse:
    signup = permissions.get_signup_for_user(request.user, sid)
    permissions.require(request.user, "confirm_hours", signup, _("Only the activity's organizers may correct hours."))
    form = CorrectHoursForm(request.POST)
    try:
        actions.do_correct_hours(signup, acting_user=request.user,  # type: ignore[arg-type]
                                 minutes=form.data.get("minutes"), reason=form.data.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The hours were corrected."))
    return _back(signup.activity, "#people")


# --- check-in --------------------------------------------------------------------------------------------------


def _board_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    now = timezone.now().timestamp()
    link = checkin_link(request, activity, now)
    svg = segno.make(link, error="m").svg_inline(scale=6, border=2, omitsize=True, title=_("QR code to check in"))
    confirmed = activity.signups.filter(status=SignUp.Status.CONFIRMED)
    return {
        "activity": activity, "link": link, "qr_svg": mark_safe(svg),  # noqa: S308 - segno's own SVG of our link
        "code": rotating_codes.spoken_code(activity.checkin_secret, now),
        "qr_seconds": rotating_codes.seconds_left(now),
        "code_seconds": rotating_codes.seconds_left(now, rotating_codes.SPOKEN_SECONDS),
        "checked_in": confirmed.filter(checked_in_at__isnull=False).count(),
        "checked_out": confirmed.filter(checked_out_at__isnull=False).count(), "confirmed": confirmed.count(),
        "open": actions.checkin_open(activity),
    }


@signed_in
@require_GET
def checkin_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's phone or screen at the place: the QR code (its link rotates every minute) and the code to
    read out, refreshed by htmx every 10 seconds."""
    activity = _activity(request, pk, "manage")
    return render(request, "service/activity_checkin_board.html", _board_context(request, activity))


@signed_in
@require_GET
def checkin_board_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk, "manage")
    response = render(request, "service/_activity_checkin_qr.html", _board_context(request, activity))
    response["Cache-Control"] = "no-store"
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def activity_checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The QR code's link: the page asks to confirm (so an opened link alone changes nothing), then checks in, or
    out the second time. A token of an earlier minute is refused with a message."""
    activity = _activity(request, pk)
    mine = actions.my_signup(request.user, activity)
    error, result = "", None
    if request.method == "POST":
        try:
            result = actions.do_check_in(activity, acting_user=request.user, token=token)  # type: ignore[arg-type]
            mine = result.signup
        except ActionError as exc:
            error = exc.message
    elif not rotating_codes.check_qr_token(activity.checkin_secret, token):
        error = actions._expired_qr_message()
    return render(request, "service/activity_checkin.html", {
        "activity": activity, "mine": mine, "error": error, "result": result, "token": token,
        "expired": bool(error) and request.method == "GET",
    }, status=400 if error else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def checkin_code(request: HttpRequest) -> HttpResponse:
    _gate(request.user)
    form = CheckinCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.do_check_in_with_code(form.cleaned_data["code"], acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            return render(request, "service/activity_checkin.html", {
                "activity": result.signup.activity, "mine": result.signup, "result": result, "error": ""})
    return render(request, "service/activity_checkin_code.html", {"form": form}, status=400 if form.errors else 200)


# --- recurring activities --------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    form = _community_form(request, SeriesForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = actions.do_create_series(
                acting_user=request.user, community=data["community"], kind=data["kind"], title=data["title"],  # type: ignore[arg-type]
                description=data["description"], place=data["place"], first_starts_at=data["first_starts_at"],
                every_months=data["every_months"], duration_minutes=data["duration_minutes"],
                capacity=data["capacity"])
            activity = actions.do_create_next(series, acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The recurring activity was created with its first activity."))
            return _back(activity)
    return render(request, "service/activity_series_form.html", {"form": form}, status=400 if form.errors else 200)


@signed_in
@require_POST
def series_next(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(ActivitySeries.objects.select_related("community"), pk=pk)
    if not permissions.area_policy.can(request.user, "manage_service", series.community):
        raise Http404(_("Not found, or outside your area."))
    try:
        activity = actions.do_create_next(series, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("service:activities")
    messages.success(request, _("The next activity was created."))
    return _back(activity)


# --- attendance ------------------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return max(2000, min(year, today.year + 1))


def record_totals(rows: list[SignUp]) -> dict[str, Any]:
    served = [s for s in rows if s.status == SignUp.Status.CONFIRMED and s.checked_in_at is not None]
    confirmed_minutes = sum(s.minutes for s in rows if s.hours_confirmed_at is not None)
    return {"signed_up": sum(1 for s in rows if s.status != SignUp.Status.CANCELLED), "attended": len(served),
            "hours": round(confirmed_minutes / 60, 2)}


@signed_in
@require_GET
def attendance(request: HttpRequest) -> HttpResponse:
    """My attendance record: my sign-ups of the year with their status, check-in and check-out, hours."""
    _gate(request.user)
    year = _year(request)
    rows = list(actions.signups_of(request.user, year))  # type: ignore[arg-type]
    today = timezone.localdate()
    return render(request, "service/activity_attendance.html", {
        "rows": rows, "year": year, "years": list(range(today.year, today.year - 4, -1)),
        "totals": record_totals(rows), "person": request.user,
    })


@signed_in
@require_GET
def attendance_community(request: HttpRequest) -> HttpResponse:
    """Staff: the people who signed up for the community's activities of the year, with what they attended and the
    hours confirmed; one person's record at this community."""
    communities = list(managed_communities(request.user).order_by("path")[:50])
    if not communities:
        raise PermissionDenied(_("This page is not available to your role."))
    year = _year(request)
    chosen = communities[0]
    if (request.GET.get("community") or "").isdigit():
        chosen = next((c for c in communities if c.pk == int(request.GET["community"])), None)  # type: ignore[assignment]
        if chosen is None:
            raise Http404(_("Not found, or outside your area."))
    qs = SignUp.objects.filter(activity__community=chosen, activity__starts_at__year=year).exclude(
        activity__status=Activity.Status.CANCELLED)
    people = list(qs.exclude(status=SignUp.Status.CANCELLED).values("user_id", "user__display_name", "user__username")
                  .annotate(signed_up=Count("pk"),
                            attended=Count("pk", filter=Q(status=SignUp.Status.CONFIRMED,
                                                          checked_in_at__isnull=False)),
                            minutes=Sum("minutes", filter=Q(hours_confirmed_at__isnull=False)))
                  .order_by("-minutes", "user__display_name")[:300])
    for p in people:
        p["hours"] = round((p["minutes"] or 0) / 60, 2)
    person, rows = None, []
    if (request.GET.get("person") or "").isdigit():
        person = User.objects.filter(pk=int(request.GET["person"]), pk__in=qs.values("user_id")).first()
        if person is None:
            raise Http404(_("Not found, or outside your area."))
        rows = list(qs.filter(user=person).select_related("activity", "activity__community")
                    .order_by("-activity__starts_at"))
    today = timezone.localdate()
    return render(request, "service/activity_attendance_community.html", {
        "communities": communities, "community": chosen, "year": year, "people": people, "person": person,
        "rows": rows, "totals": record_totals(rows) if person else None,
        "years": list(range(today.year, today.year - 4, -1)),
    })


# --- residents' feedback (public) ------------------------------------------------------------------------------


def _over_limit(request: HttpRequest) -> bool:
    value = getattr(settings, "SERVICE_FEEDBACK_RATE", (20, 600))
    return not ratelimit.hit(f"service:feedback:{client_ip(request)}", limit=int(value[0]),
                             window_seconds=int(value[1]))


@require_http_methods(["GET", "POST"])
def activity_feedback(request: HttpRequest, code: str) -> HttpResponse:
    """No sign-in: GET the form; POST `send`: a code to the phone; POST `submit`: the feedback with that code."""
    activity = actions.activity_for_public_code(code)
    if activity is None:
        raise Http404(_("No such activity."))
    context: dict[str, Any] = {"activity": activity, "open": actions.feedback_open(activity)}
    if request.method != "POST":
        return render(request, "service/activity_feedback.html", {**context, "form": FeedbackForm()})
    if _over_limit(request):
        return render(request, "service/activity_feedback.html", {**context, "form": FeedbackForm(request.POST),
                                                                   "too_many": True}, status=429)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(request, "service/activity_feedback.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    try:
        if "send" in request.POST:
            actions.do_send_feedback_code(activity, phone=data["phone"])
            sent = mask_phone(phone_codes.normalise_phone(data["phone"]))
            return render(request, "service/activity_feedback.html", {
                **context, "form": FeedbackForm(initial=data), "code_sent_to": sent})
        actions.do_leave_feedback(activity, phone=data["phone"], code=data["code"], score=data["score"],
                                  comment=data["comment"])
    except ActionError as exc:
        _error(form, exc)
        return render(request, "service/activity_feedback.html", {**context, "form": form}, status=400)
    return render(request, "service/activity_feedback.html", {**context, "done": True})
