"""Minutes pages (会议纪要): a meeting's minutes (/meetings/<id>/minutes/, the same block as the meeting page's
section: every version, the draft's form, sign off, correct), and the Word download of any version
(/meetings/minutes/<id>.docx). A refused POST shows the page again with the message (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError

from .. import permissions
from ..actions import minutes as actions
from ..minutes_docx import minutes_document, minutes_filename
from ..models import Meeting, Minutes
from ..sections_reports import minutes_context

signed_in = login_required(login_url="core:login")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _page(request: HttpRequest, meeting: Meeting, *, status: int = 200) -> HttpResponse:
    return render(request, "meetings/minutes_page.html", {"meeting": meeting, **minutes_context(request, meeting)},
                  status=status)


@signed_in
@require_GET
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, permissions.get_meeting_for_user(request.user, pk))


def _back(minutes: Minutes) -> str:
    return reverse("meetings:minutes", args=[minutes.meeting_id]) + f"#minutes-v{minutes.version}"


def _run(request: HttpRequest, meeting: Meeting, fn: Callable[[], Any], done: str) -> HttpResponse:
    try:
        result = fn()
    except ActionError as exc:
        messages.error(request, exc.message)
        return _page(request, permissions.get_meeting_for_user(request.user, meeting.pk), status=400)
    messages.success(request, done)
    return redirect(_back(result))


@signed_in
@require_POST
def minutes_start(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, pk)
    return _run(request, meeting, lambda: actions.do_start_minutes(meeting, acting_user=request.user),  # type: ignore[arg-type]
                _("The minutes were started (version 1, a draft)."))


def _minutes(request: HttpRequest, mid: int) -> Minutes:
    minutes = permissions.get_minutes_for_user(request.user, mid)
    permissions.require(request.user, "edit", minutes, _("Only the meeting's organizers write its minutes."))
    return minutes


@signed_in
@require_POST
def minutes_edit(request: HttpRequest, mid: int) -> HttpResponse:
    minutes = _minutes(request, mid)
    discussions = {key.removeprefix("item-"): value for key, value in request.POST.items()
                   if key.startswith("item-")}
    return _run(request, minutes.meeting, lambda: actions.do_edit_minutes(
        minutes, acting_user=request.user, summary=request.POST.get("summary"),  # type: ignore[arg-type]
        discussions=discussions), _("The minutes were saved."))


@signed_in
@require_POST
def minutes_sign_off(request: HttpRequest, mid: int) -> HttpResponse:
    minutes = _minutes(request, mid)
    return _run(request, minutes.meeting, lambda: actions.do_sign_off_minutes(minutes, acting_user=request.user),  # type: ignore[arg-type]
                _("The minutes were signed off; this version will not change."))


@signed_in
@require_POST
def minutes_correct(request: HttpRequest, mid: int) -> HttpResponse:
    minutes = _minutes(request, mid)
    return _run(request, minutes.meeting, lambda: actions.do_correct_minutes(
        minutes, acting_user=request.user, note=request.POST.get("note")),  # type: ignore[arg-type]
        _("A correction was started as a new version."))


@signed_in
@require_GET
def minutes_docx(request: HttpRequest, mid: int) -> HttpResponse:
    minutes = permissions.get_minutes_for_user(request.user, mid)
    if minutes is None:
        raise Http404
    response = HttpResponse(minutes_document(minutes), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, minutes_filename(minutes)) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
@require_GET
def minutes_waiting(request: HttpRequest) -> HttpResponse:
    """The meetings the user organised whose minutes wait to be signed off (the home page's task)."""
    from ..reg_reports import minutes_waiting as waiting

    return render(request, "meetings/minutes_waiting.html", {"meetings": list(waiting(request.user)[:200])})
