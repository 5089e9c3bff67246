"""Public pages (no login): the appeal form, the place pickers, and tracking with the resident's rating."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.lib.masking import mask_phone

from .. import actions, permissions, queries, tracking
from ..forms import PlaceFields, PublicAppealForm, PublicRatingForm, TrackForm
from ..models import Appeal
from .common import PUBLIC_VERB_LABELS, add_action_error, hit_rate_limit, photos_dropped

SESSION_SUBMITTED = "appeals_submitted"
SESSION_TRACKED = "appeals_tracked"



def _limits(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = getattr(settings, name, default)
    return int(value[0]), int(value[1])


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/public/too_many.html", status=429)


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The public appeal form. 5 submissions per 10 minutes per address (APPEALS_SUBMIT_RATE)."""
    if request.method == "POST":
        limit, window = _limits("APPEALS_SUBMIT_RATE", (5, 600))
        if hit_rate_limit(request, "submit", limit, window):
            return _too_many(request)
        form = PublicAppealForm(request.POST, request.FILES)
        if (request.POST.get("website") or "").strip():
            # Honeypot filled in: a bot. Store nothing and say so plainly.
            return render(
                request, "appeals/public/submit.html", {"form": PublicAppealForm(), "spam": True}, status=400
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = actions.do_submit_appeal(
                    acting_user=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                    channel=Appeal.Channel.WEB,
                    appeal_type=data["appeal_type"],
                    title=data["title"],
                    body=data["body"],
                    callback_name=data["callback_name"],
                    callback_phone=data["callback_phone"],
                    area=form.place(),
                    address=data["address"],
                    photos=request.FILES.getlist("photos"),
                )
            except ActionError as exc:
                add_action_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                request.session[SESSION_SUBMITTED] = appeal.tracking_code
                return redirect("appeals:submitted")
        return render(request, "appeals/public/submit.html", {"form": form, "photos_dropped": photos_dropped(request)},
                      status=400)
    return render(request, "appeals/public/submit.html", {"form": PublicAppealForm(initial=_known_contact(request))})


def _known_contact(request: HttpRequest) -> dict[str, str]:
    """A signed-in resident's name and phone, offered in the form (they may change them)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"callback_name": getattr(user, "display_name", "") or "", "callback_phone": getattr(user, "phone", "") or ""}


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_SUBMITTED)
    if not code:
        return redirect("appeals:submit")
    return render(request, "appeals/public/submitted.html", {"code": code})


@require_GET
def submitted_code_file(request: HttpRequest) -> HttpResponse:
    """保存查询码: the tracking code just given, as a small text file the resident keeps (this session only)."""
    code = request.session.get(SESSION_SUBMITTED)
    if not code:
        return redirect("appeals:submit")
    text = _("Tracking code of your appeal: %(code)s\nLook it up at %(url)s with this code and the last 4 digits of "
             "the phone number you gave.\n") % {"code": code, "url": request.build_absolute_uri(reverse("appeals:track"))}
    response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("appeal-tracking-code-%(code)s.txt") % {"code": code}) or "attachment"
    return response

@require_GET
def place_options(request: HttpRequest) -> HttpResponse:
    """htmx: the estate and building selects for the chosen community (and estate)."""
    initial = {name: request.GET.get(name, "") for name in ("community", "estate")}
    form = PlaceFields(initial=initial)
    return render(request, "appeals/public/_place_children.html", {"form": form})


def _tracked_appeal(request: HttpRequest) -> Appeal | None:
    pk = request.session.get(SESSION_TRACKED)
    if not pk:
        return None
    return Appeal.objects.select_related("case").filter(pk=pk).first()


def _public_timeline(appeal: Appeal) -> list[dict[str, Any]]:
    if appeal.case_id is None:
        return []
    events = appeal.case.events.filter(verb__in=list(PUBLIC_VERB_LABELS)).order_by("created_at", "id")  # type: ignore[union-attr]
    return [{"at": e.created_at, "text": PUBLIC_VERB_LABELS[e.verb]} for e in events]


def track_context(request: HttpRequest, appeal: Appeal, rating_form: PublicRatingForm | None = None) -> dict[str, Any]:
    """What the tracking view shows of one appeal (the public page and 我的诉求)."""
    case = appeal.case
    need_code = not permissions.rates_as_resident(request.user, appeal)
    return {
        "appeal": appeal,
        "case": case,
        "status_label": appeal.shown_status.label,
        "timeline": _public_timeline(appeal),
        "answer": queries.answer_for_appeal(appeal),
        "can_rate": actions.can_be_rated(case) and (not need_code or permissions.rated_by_code(appeal)),
        "need_code": need_code,
        "phone_masked": mask_phone(appeal.callback_phone),
        "rating_form": rating_form or PublicRatingForm(need_code=need_code),
        "rated": case is not None and case.followed_up_at is not None and case.contacted,
    }


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look an appeal up with its tracking code and the last four digits of the callback phone (in the POST body,
    never in the address, which access logs keep). Wrong tries lock the code (tracking.lookup)."""
    if request.GET.get("new"):
        request.session.pop(SESSION_TRACKED, None)
        return redirect("appeals:track")
    if request.method == "POST":
        limit, window = _limits("APPEALS_TRACK_RATE", (30, 600))
        if hit_rate_limit(request, "track", limit, window):
            return _too_many(request)
        form = TrackForm(request.POST)
        if form.is_valid():
            found = tracking.lookup(form.cleaned_data["code"], form.cleaned_data["last4"])
            if found.appeal is not None:
                request.session.cycle_key()
                request.session[SESSION_TRACKED] = found.appeal.pk
                return redirect("appeals:track")
            if found.locked:
                # An unknown code is counted and locked the same way: this never tells whether a code exists.
                form.add_error(None, str(tracking.LOCKED_MESSAGE))
                return render(request, "appeals/public/track.html", {"form": form}, status=429)
            form.add_error(
                None, _("No appeal matches this tracking code and phone number. Please check both.")
            )
            return render(request, "appeals/public/track.html", {"form": form}, status=404)
        return render(request, "appeals/public/track.html", {"form": form}, status=400)
    appeal = _tracked_appeal(request)
    if appeal is None:
        return render(request, "appeals/public/track.html", {"form": TrackForm()})
    return render(request, "appeals/public/track.html", track_context(request, appeal))


def _back(request: HttpRequest, appeal: Appeal, anchor: str = "") -> HttpResponse:
    """After a rating action: back to the view it came from, 我的诉求 (signed in, own appeal) or the tracking page."""
    if request.POST.get("own") and permissions.own_appeals(request.user).filter(pk=appeal.pk).exists():
        return redirect(reverse("appeals:mine_detail", args=[appeal.pk]) + anchor)
    return redirect(reverse("appeals:track") + anchor)


@require_POST
def track_code(request: HttpRequest) -> HttpResponse:
    """Send a one-time rating code to the tracked appeal's callback phone."""
    appeal = _tracked_appeal(request)
    if appeal is None:
        messages.error(request, _("Please look your appeal up again."))
        return redirect("appeals:track")
    limit, window = _limits("APPEALS_TRACK_RATE", (30, 600))
    if hit_rate_limit(request, "track", limit, window):
        return _too_many(request)
    try:
        actions.do_send_rating_code(appeal)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A code has been sent to the phone %(phone)s. Enter it below with your rating.")
                         % {"phone": mask_phone(appeal.callback_phone)})
    return _back(request, appeal, "#rate")


@require_POST
def track_rate(request: HttpRequest) -> HttpResponse:
    """The resident's own follow-up (回访) on an answered appeal: solved or not, and how satisfied. It counts in the
    three rates, so it needs the one-time code sent to the callback phone (or the sender signed in)."""
    appeal = _tracked_appeal(request)
    if appeal is None:
        messages.error(request, _("Please look your appeal up again."))
        return redirect("appeals:track")
    case = appeal.case
    if not actions.can_be_rated(case):
        messages.error(request, _("This appeal cannot be rated now."))
        return _back(request, appeal)
    limit, window = _limits("APPEALS_TRACK_RATE", (30, 600))
    if hit_rate_limit(request, "track", limit, window):
        return _too_many(request)
    form = PublicRatingForm(request.POST, need_code=not permissions.rates_as_resident(request.user, appeal))
    if not form.is_valid():
        return render(request, "appeals/public/track.html",
                      {**track_context(request, appeal, form), "own": bool(request.POST.get("own"))}, status=400)
    try:
        actions.do_rate_appeal(
            appeal,
            acting_user=request.user,
            code=form.cleaned_data.get("code", ""),
            solved=form.cleaned_data["solved"],
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
    except ActionError as exc:
        add_action_error(form, exc)
        return render(request, "appeals/public/track.html",
                      {**track_context(request, appeal, form), "own": bool(request.POST.get("own"))}, status=400)
    messages.success(request, _("Thank you. Your rating has been recorded."))
    return _back(request, appeal)
