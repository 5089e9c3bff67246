"""The schedule's pages: 我的会议 (upcoming and past), new meeting and new series forms, the meeting page (header and
every part's sections, `sections_for`), changes (edit, move, skip, cancel, held), invitations and attendance, the
phone sign-in (the QR code's link /meetings/checkin/<token>/ and the short code form), the .ics download, the
personal calendar feed, and a unit's attendance over the year."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Area, Unit, User
from gongzhi.core.policy import is_superuser, scope_paths

from .. import ics, permissions
from ..actions import schedule as actions
from ..forms_schedule import CodeForm, MeetingEditForm, MeetingForm, MoveForm, ReasonForm, SeriesForm
from ..models import CalendarFeed, Invitation, Meeting, MeetingKind, MeetingSeries
from ..sections import Section, section, sections_for

signed_in = login_required(login_url="core:login")


def _gate(user: Any) -> None:
    permissions.meeting_policy.require_somewhere(user, "browse")


def _meeting(request: HttpRequest, pk: int, action: str = "view") -> Meeting:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    if action != "view":
        permissions.require(request.user, action, meeting, _("You may not organise this meeting."))
    return meeting


def schedulable_areas(user: Any) -> Any:
    return permissions.area_policy.areas_where(user, "schedule_meeting").filter(level=Area.Level.COMMUNITY)


def checkin_url(request: HttpRequest, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.checkin_token]))


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("meetings:meeting", args=[meeting.pk]) + anchor)


# --- 我的会议 ----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    if not permissions.meeting_policy.can_somewhere(request.user, "browse"):
        raise PermissionDenied(_("This page is not available to your role."))
    now = timezone.now()
    qs = permissions.visible_to(request.user, Meeting).select_related("area", "alliance")
    kind = request.GET.get("kind") or ""
    if kind in MeetingKind.values:
        qs = qs.filter(kind=kind)
    upcoming = list(qs.filter(ends_at__gte=now, status=Meeting.Status.SCHEDULED).order_by("starts_at", "id")[:50])
    past = list(qs.exclude(pk__in=[m.pk for m in upcoming]).order_by("-starts_at", "-id")[:50])
    series = []
    can_schedule = schedulable_areas(request.user).exists()
    if can_schedule:
        series = list(MeetingSeries.objects.filter(active=True, area__in=schedulable_areas(request.user))
                      .select_related("area", "alliance").order_by("title")[:30])
    feed = CalendarFeed.objects.filter(user=request.user).first()  # type: ignore[misc]
    return render(request, "meetings/meeting_list.html", {
        "upcoming": upcoming, "past": past, "kind": kind, "kinds": MeetingKind.choices, "series": series,
        "can_schedule": can_schedule, "feed_url": _feed_url(request, feed),
    })


def _feed_url(request: HttpRequest, feed: CalendarFeed | None) -> str:
    return request.build_absolute_uri(reverse("meetings:feed", args=[feed.token])) if feed else ""


def _alliances_for(user: Any) -> Any:
    return Alliance.objects.filter(communities__in=schedulable_areas(user)).distinct().order_by("name")


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _scheduling_form(request: HttpRequest, form_class: Any) -> Any:
    """The new-meeting or new-series form, its communities and alliances those the user may schedule for (403 when
    none)."""
    areas = schedulable_areas(request.user).order_by("path")
    if not areas.exists():
        raise PermissionDenied(_("You may not schedule meetings."))
    form = form_class(request.POST if request.method == "POST" else None)
    form.fields["area"].queryset = areas
    form.fields["alliance"].queryset = _alliances_for(request.user)
    if areas.count() == 1:
        form.fields["area"].initial = areas.first()
    return form


@signed_in
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = _scheduling_form(request, MeetingForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = actions.do_create_meeting(
                acting_user=request.user, area=data["area"], title=data["title"], kind=data["kind"],  # type: ignore[arg-type]
                starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"], link=data["link"],
                host_name=data["host_name"], recorder_name=data["recorder_name"],
                alliance=data["alliance"] if data["kind"] == MeetingKind.ALLIANCE else None)
            if data["invite_registered"]:
                actions.do_invite_registered_units(meeting, acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The meeting was scheduled."))
            return _back(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    form = _scheduling_form(request, SeriesForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = actions.do_create_series(
                acting_user=request.user, kind=data["kind"], area=data["area"], title=data["title"],  # type: ignore[arg-type]
                first_starts_at=data["first_starts_at"], every_months=data["every_months"],
                duration_minutes=data["duration_minutes"] or 90, place=data["place"],
                alliance=data["alliance"] if data["kind"] == MeetingKind.ALLIANCE else None)
            meeting = actions.do_schedule_next(series, acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The series was created and its first meeting scheduled."))
            return _back(meeting)
    return render(request, "meetings/series_form.html", {"form": form}, status=400 if form.errors else 200)


@signed_in
@require_POST
def series_next(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(MeetingSeries.objects.select_related("area", "alliance"), pk=pk)
    if not actions.can_manage_series(request.user, series):  # type: ignore[arg-type]
        raise Http404(_("Not found, or outside your area."))
    try:
        meeting = actions.do_schedule_next(series, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:list")
    messages.success(request, _("The next meeting was scheduled, hosted by %(host)s.") % {"host": meeting.area.name})
    return _back(meeting)


# --- the meeting page ------------------------------------------------------------------------------------------


@signed_in
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_manage = permissions.can(request.user, "manage", meeting)
    context: dict[str, Any] = {"meeting": meeting, "can_manage": can_manage, "now": timezone.now()}
    blocks = []
    for part in sections_for(request, meeting):
        blocks.append(render_to_string(part.template, {**context, **part.context, "section": part}, request))
    context["sections"] = [mark_safe(b) for b in blocks]  # noqa: S308 - rendered by our own templates
    if meeting.series_id and meeting.series and meeting.series.rotation:
        names = dict(Area.objects.filter(pk__in=meeting.series.rotation).values_list("pk", "name"))
        context["rotation"] = [{"name": names.get(int(i), "?"), "current": n == meeting.rotation_index}
                               for n, i in enumerate(meeting.series.rotation)]
    context["edit_form"] = MeetingEditForm(initial={
        "title": meeting.title, "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at), "place": meeting.place, "link": meeting.link,
        "host_name": meeting.host_name, "recorder_name": meeting.recorder_name}) if can_manage else None
    return render(request, "meetings/meeting_detail.html", context)


@section("attendance", order=10)
def attendance_section(request: HttpRequest, meeting: Meeting) -> Section:
    invitations = list(meeting.invitations.select_related("unit", "user").order_by("role", "name", "id"))
    can_manage = permissions.can(request.user, "manage", meeting)
    mine = [i.pk for i in actions.invitations_of(request.user, meeting)] if request.user.is_authenticated else []  # type: ignore[arg-type]
    counts = {a: sum(1 for i in invitations if i.attendance == a) for a in Invitation.Attendance.values}
    return Section("meetings/_section_attendance.html", title=_("Attendance"), context={
        "invitations": invitations, "att_counts": counts, "mine": mine,
        "can_sign_in": bool(mine) or permissions.can(request.user, "sign_in", meeting),
        "sign_in_open": actions.sign_in_open(meeting),
        "checkin_url": checkin_url(request, meeting) if can_manage else "",
        "invitable_units": list(actions.registered_units(meeting).exclude(
            pk__in=[i.unit_id for i in invitations if i.unit_id])) if can_manage else [],
    })


def _post_action(request: HttpRequest, pk: int, fn: Any, done: str, form_cls: Any = None) -> HttpResponse:
    meeting = _meeting(request, pk, "manage")
    kwargs: dict[str, Any] = {}
    if form_cls is not None:
        form = form_cls(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
            return _back(meeting)
        kwargs = form.cleaned_data
    try:
        fn(meeting, acting_user=request.user, **kwargs)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(meeting)


@signed_in
@require_POST
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.do_update_meeting, _("The meeting was saved."), MeetingEditForm)


@signed_in
@require_POST
def meeting_move(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.do_move_meeting, _("The meeting was moved."), MoveForm)


@signed_in
@require_POST
def meeting_skip(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.do_skip_meeting, _("The meeting was skipped."), ReasonForm)


@signed_in
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.do_cancel_meeting, _("The meeting was cancelled."), ReasonForm)


@signed_in
@require_POST
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, actions.do_mark_held, _("The meeting was marked as held."))


@signed_in
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, "manage")
    try:
        if request.POST.get("registered"):
            created = actions.do_invite_registered_units(meeting, acting_user=request.user)  # type: ignore[arg-type]
        else:
            unit_ids = [int(u) for u in request.POST.getlist("unit") if u.isdigit()]
            usernames = [u.strip() for u in (request.POST.get("usernames") or "").replace("，", ",").split(",")
                         if u.strip()]
            users = list(User.objects.filter(username__in=usernames, is_active=True))
            missing = set(usernames) - {u.username for u in users}
            if missing:
                raise ActionError(_("No account is named %(names)s.") % {"names": "、".join(sorted(missing))})
            created = actions.do_invite(meeting, acting_user=request.user,  # type: ignore[arg-type]
                                        units=Unit.objects.filter(pk__in=unit_ids), users=users)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d invited.") % {"n": len(created)})
    return _back(meeting, "#attendance")


def _invitation(request: HttpRequest, pk: int, iid: int) -> Invitation:
    meeting = _meeting(request, pk, "manage")
    return get_object_or_404(Invitation.objects.select_related("meeting"), pk=iid, meeting=meeting)


@signed_in
@require_POST
def invitation_present(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    invitation = _invitation(request, pk, iid)
    try:
        actions.do_mark_present(invitation, acting_user=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    return _back(invitation.meeting, "#attendance")


@signed_in
@require_POST
def invitation_absent(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    invitation = _invitation(request, pk, iid)
    try:
        actions.do_record_absence(invitation, acting_user=request.user,  # type: ignore[arg-type]
                                  reason=request.POST.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    return _back(invitation.meeting, "#attendance")


@signed_in
@require_GET
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in QR code, made here (no outside service), for the organizer to show in the room."""
    meeting = _meeting(request, pk, "manage")
    buffer = io.BytesIO()
    segno.make(checkin_url(request, meeting), error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@signed_in
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    body = ics.calendar_bytes([meeting], lambda m: request.build_absolute_uri(reverse("meetings:meeting",
                                                                                     args=[m.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# --- sign-in on a phone ----------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    meeting = Meeting.objects.select_related("area").filter(checkin_token=token).first()
    if meeting is None or not permissions.can(request.user, "sign_in", meeting):
        raise Http404(_("Not found, or outside your area."))
    invitation = actions.invitations_of(request.user, meeting).first()  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            invitation = actions.do_sign_in(meeting, acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            error = exc.message
    return render(request, "meetings/checkin.html", {
        "meeting": meeting, "invitation": invitation, "error": error, "open": actions.sign_in_open(meeting),
    }, status=400 if error else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def checkin_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.do_sign_in_with_code(form.cleaned_data["code"], acting_user=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            return render(request, "meetings/checkin.html", {
                "meeting": invitation.meeting, "invitation": invitation, "open": True, "error": ""})
    return render(request, "meetings/checkin_code.html", {"form": form}, status=400 if form.errors else 200)


# --- the personal calendar feed --------------------------------------------------------------------------------


def invited_meetings(user: User) -> Any:
    """Only the meetings the user is invited to (in person or through a unit they are the liaison of)."""
    units = permissions.liaison_unit_ids(user)
    q = Q(invitations__user=user)
    if units:
        q |= Q(invitations__unit_id__in=units)
    return Meeting.objects.filter(q).distinct().select_related("area")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """No session: the token is the key (calendar apps send no cookie)."""
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404
    since = timezone.now() - timedelta(days=180)
    meetings = invited_meetings(found.user).filter(starts_at__gte=since).order_by("starts_at")[:500]
    body = ics.calendar_bytes(meetings, lambda m: request.build_absolute_uri(reverse("meetings:meeting",
                                                                                    args=[m.pk])),
                              name=_("My meetings"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@signed_in
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    actions.do_renew_feed(acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Your calendar address is ready. Add it to your phone's calendar as a "
                                "subscription; a new address ends the old one."))
    return redirect(reverse("meetings:list") + "#feed")


# --- a unit's attendance over the year -------------------------------------------------------------------------


def attendance_rows(user: Any, year: int) -> list[dict[str, Any]]:
    """Per member unit: the held meetings of the year it was invited to (among those the user sees), present and
    absent (not signed in counts as absent)."""
    meetings = permissions.visible_to(user, Meeting).filter(status=Meeting.Status.HELD, starts_at__year=year)
    units = permissions.liaison_unit_ids(user)
    qs = Invitation.objects.filter(meeting__in=meetings.values("pk"), role=Invitation.Role.UNIT,
                                   unit__isnull=False)
    if not is_superuser(user) and not scope_paths(user, permissions.STAFF_ROLES):
        qs = qs.filter(unit_id__in=units)  # a liaison: its own units only
    rows = (qs.values("unit_id", "unit__name")
            .annotate(invited=Count("id"), present=Count("id", filter=Q(attendance=Invitation.Attendance.PRESENT)),
                      excused=Count("id", filter=Q(attendance=Invitation.Attendance.ABSENT)))
            .order_by("unit__name"))
    out = []
    for r in rows:
        out.append({"unit_id": r["unit_id"], "name": r["unit__name"], "invited": r["invited"],
                    "present": r["present"], "absent": r["invited"] - r["present"], "excused": r["excused"],
                    "rate": round(100 * r["present"] / r["invited"]) if r["invited"] else 0})
    return out


@signed_in
@require_GET
def attendance_year(request: HttpRequest) -> HttpResponse:
    _gate(request.user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = max(2000, min(year, today.year + 1))
    rows = attendance_rows(request.user, year)
    unit_id = request.GET.get("unit")
    detail: list[Invitation] = []
    if unit_id and unit_id.isdigit() and any(r["unit_id"] == int(unit_id) for r in rows):
        meetings = permissions.visible_to(request.user, Meeting).filter(status=Meeting.Status.HELD,
                                                                        starts_at__year=year)
        detail = list(Invitation.objects.filter(meeting__in=meetings.values("pk"), unit_id=int(unit_id),
                                                role=Invitation.Role.UNIT)
                      .select_related("meeting__area").order_by("meeting__starts_at"))
    return render(request, "meetings/attendance_year.html", {
        "rows": rows, "year": year, "years": list(range(today.year, today.year - 4, -1)), "detail": detail,
        "unit_id": int(unit_id) if unit_id and unit_id.isdigit() else None,
    })
