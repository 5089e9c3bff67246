"""In-app notifications (any app's): the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import actions, queries
from .models import Notification
from .paging import page_of, query_without_page
from .permissions import visible_to

signed_in = login_required(login_url="core:login")


def unread_count(user: object) -> int:
    return queries.unread_notifications(user)


@signed_in
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = visible_to(request.user, Notification).order_by("-created_at", "-id")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return render(
        request,
        "core/notifications.html",
        {
            "page": page_of(request, qs),
            "query": query_without_page(request),
            "unread": unread_count(request.user),
            "unread_only": unread_only,
        },
    )


@signed_in
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = visible_to(request.user, Notification).filter(pk=pk).first()
    if notification is None:
        return redirect("core:notifications")
    if notification.read_at is None:
        actions.do_mark_notifications_read(request.user, notification_ids=[notification.pk])  # type: ignore[arg-type]
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("core:notifications")


@signed_in
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    actions.do_mark_notifications_read(request.user)  # type: ignore[arg-type]
    return redirect("core:notifications")
