"""Helpers shared by the appeals pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.models import User
from gongzhi.core.paging import PAGE_SIZE, CappedPaginator, page_of, query_without_page  # noqa: F401

from .. import ratelimit

signed_in = login_required(login_url="core:login")

# Timeline labels, for staff.
VERB_LABELS: dict[str, Any] = {
    "submit": gettext_lazy("Appeal received"),
    "dispatch": gettext_lazy("Dispatched"),
    "accept": gettext_lazy("Accepted"),
    "return": gettext_lazy("Returned"),
    "reassign": gettext_lazy("Reassigned"),
    "request_extension": gettext_lazy("Extension requested"),
    "approve_extension": gettext_lazy("Extension approved"),
    "reject_extension": gettext_lazy("Extension rejected"),
    "supervise": gettext_lazy("Supervision note"),
    "progress": gettext_lazy("Progress note"),
    "reply": gettext_lazy("Answered"),
    "follow_up": gettext_lazy("Follow-up recorded"),
    "reopen": gettext_lazy("Reopened"),
    "close": gettext_lazy("Closed"),
    "merge": gettext_lazy("Appeals merged in"),
    "merged": gettext_lazy("Merged into another case"),
    "whistle": gettext_lazy("Whistled departments"),
    "escalate": gettext_lazy("Escalated for being overdue"),
    "remind": gettext_lazy("Reminder sent"),
}

# What a resident may read about each step: no staff names, no internal notes.
PUBLIC_VERB_LABELS: dict[str, Any] = {
    "submit": gettext_lazy("Your appeal was received."),
    "dispatch": gettext_lazy("Your appeal was passed to the responsible unit."),
    "reassign": gettext_lazy("Your appeal was passed to another unit."),
    "accept": gettext_lazy("The responsible unit took on your appeal."),
    "reply": gettext_lazy("The responsible unit answered your appeal."),
    "follow_up": gettext_lazy("A follow-up was recorded."),
    "reopen": gettext_lazy("Your appeal is being handled again."),
    "close": gettext_lazy("Your appeal was closed."),
}


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"




def first_form_error(form: Form) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return _("Please check what you entered.")


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    messages.error(request, first_form_error(form))


def human_duration(value: timedelta | None) -> str:
    """ "2 天 3 小时" / "5 分钟": how long a step took, for the timeline."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


def hit_rate_limit(request: HttpRequest, bucket: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for this client; True once it is over `limit` in the current window (default cache)."""
    return not ratelimit.hit(
        f"appeals:{bucket}:{ratelimit.client_ip(request)}", limit=limit, window_seconds=window_seconds
    )


def require_allowed(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this here."))


FIELD_ALIASES: dict[str, tuple[str, ...]] = {"area": ("community", "place", "area")}


def add_action_error(form: Form, exc: Any) -> None:
    """Attach an ActionError to its field (or to the whole form when the field is not on this form)."""
    field = getattr(exc, "field", None) or ""
    candidates = (field, *FIELD_ALIASES.get(field, ()))
    target = next((name for name in candidates if name in form.fields), None)
    form.add_error(target, getattr(exc, "message", str(exc)))


def photos_dropped(request: HttpRequest) -> int:
    """How many photos came with a form sent back with errors: a browser cannot be given them back, so the page
    says plainly that they must be chosen again (appeals/_photos_dropped.html)."""
    return len([f for f in request.FILES.getlist("photos") if getattr(f, "size", 0)])


def acting(request: HttpRequest) -> User:
    """The signed-in user, typed for the actions (views that call actions are behind `signed_in`)."""
    return cast(User, request.user)
