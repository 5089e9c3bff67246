"""我的诉求: a signed-in resident's (party member's, volunteer's) own appeals, each opening the same tracking view
as the public page, without the tracking code: they are signed in and it is theirs (`permissions.own_appeals`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import permissions
from .common import page_of, signed_in
from .public import SESSION_TRACKED, track_context


@signed_in
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    appeals = permissions.own_appeals(request.user).select_related("case").order_by("-created_at", "-id")
    page = page_of(request, appeals)
    return render(request, "appeals/public/mine.html", {"page": page, "appeals": list(page.object_list)})


@signed_in
@require_GET
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The tracking view of one own appeal (404 for anyone else's). Its rating forms post to the tracking page's
    actions, which act on the appeal this view puts in the session, and come back here."""
    appeal = permissions.get_own_appeal_for_user(request.user, pk)
    request.session[SESSION_TRACKED] = appeal.pk
    return render(request, "appeals/public/track.html", {**track_context(request, appeal), "own": True})
