"""The public notice (公示), for residents on a phone, without an account:

- /lists/public/ — choose a community (grouped by subdistrict; a search finds any community);
- /lists/public/<community>/ — its projects: status, progress, units, beneficiaries, satisfaction;
- /lists/public/<community>/projects/<project>/ — one project: milestones, progress notes and photos, the demands
  it meets, and, once finished, the residents' rating form (a code sent to the phone proves it; one per phone);
- /lists/public/<community>/qr.svg and /poster/ — the QR code of the community's page for the notice board.

Nothing personal is shown (see `lists.notice`). Every POST counts against a per-address limit
(LISTS_RATING_RATE: 20 per 10 minutes by default).
"""

from __future__ import annotations

import io
import mimetypes
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import ActionError
from gongzhi.core.files import file_response
from gongzhi.core.models import Area
from gongzhi.lib import ratelimit
from gongzhi.lib.masking import mask_phone
from gongzhi.lib.net import client_ip

from .. import notice, permissions, phone_codes
from ..actions import public as rating_actions
from ..models import Project, ProjectRating


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("How satisfied are you with this project?"), choices=ProjectRating.Satisfaction.choices,
        widget=forms.RadioSelect, required=False)
    comment = forms.CharField(label=gettext_lazy("Anything to add (not shown in public)"), required=False,
                              max_length=rating_actions.MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(
        label=gettext_lazy("Your mobile number"), max_length=20,
        error_messages={"required": gettext_lazy("Please enter your mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": gettext_lazy("11-digit mobile number")}))
    code = forms.CharField(
        label=gettext_lazy("Code sent to your phone"), max_length=6, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6, "autocomplete": "one-time-code"}))


def _limits() -> tuple[int, int]:
    value = getattr(settings, "LISTS_RATING_RATE", (20, 600))
    return int(value[0]), int(value[1])


def _over_limit(request: HttpRequest) -> bool:
    limit, window = _limits()
    return not ratelimit.hit(f"lists:rating:{client_ip(request)}", limit=limit, window_seconds=window)


def _community(community_id: int) -> Area:
    community = notice.get_community(community_id)
    if community is None:
        raise Http404(_("No such community."))
    return community


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:50]
    return render(request, "lists/public_index.html", {"groups": notice.communities(q), "q": q})


@require_GET
def public_community(request: HttpRequest, community_id: int) -> HttpResponse:
    community = _community(community_id)
    projects = notice.community_projects(community)
    return render(request, "lists/public_community.html", {
        "community": community, "projects": projects, "figures": notice.community_figures(projects),
    })


def _project(community_id: int, pk: int) -> tuple[Area, Project]:
    community = _community(community_id)
    project = notice.get_public_project(community, pk)
    if project is None:
        raise Http404(_("This project is not on the public notice."))
    return community, project


def _render_project(request: HttpRequest, community: Area, project: Project, form: RatingForm | None = None,
                    *, status: int = 200, code_sent_to: str = "") -> HttpResponse:
    return render(request, "lists/public_project.html", {
        "community": community, **notice.project_page(project), "form": form or RatingForm(),
        "code_sent_to": code_sent_to,
    }, status=status)


def _error(form: RatingForm, exc: ActionError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@require_http_methods(["GET", "POST"])
def public_project(request: HttpRequest, community_id: int, pk: int) -> HttpResponse:
    """GET: the project; POST `send`: a code to the phone; POST `rate`: the rating with that code."""
    community, project = _project(community_id, pk)
    if request.method != "POST":
        return _render_project(request, community, project)
    if not notice.can_be_rated(project):
        messages.error(request, _("Only finished projects on the public notice can be rated."))
        return redirect(request.path)
    if _over_limit(request):
        return render(request, "lists/public_too_many.html", {"community": community}, status=429)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_project(request, community, project, form, status=400)
    data = form.cleaned_data
    if "send" in request.POST:
        try:
            rating_actions.do_send_rating_code(project, phone=data["phone"])
        except ActionError as exc:
            _error(form, exc)
            return _render_project(request, community, project, form, status=400)
        return _render_project(request, community, project, RatingForm(initial=data),
                               code_sent_to=mask_phone(phone_codes.normalise_phone(data["phone"])))
    try:
        rating_actions.do_rate_project(project, phone=data["phone"], code=data["code"],
                                       satisfaction=data["satisfaction"], comment=data["comment"])
    except ActionError as exc:
        _error(form, exc)
        return _render_project(request, community, project, form, status=400)
    messages.success(request, _("Thank you. Your rating has been recorded."))
    return redirect(reverse("lists:public_project", args=[community.pk, project.pk]) + "#ratings")


@require_GET
def public_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    photo = notice.public_photo(pk)
    if photo is None:
        raise Http404(_("This photo is not on the public notice."))
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        raise Http404(_("This photo is not on the public notice."))
    return file_response(photo.image, content_type=content_type)


def community_url(request: HttpRequest, community: Area) -> str:
    return request.build_absolute_uri(reverse("lists:public_community", args=[community.pk]))


@require_GET
def public_qr(request: HttpRequest, community_id: int) -> HttpResponse:
    """The QR code of the community's notice, as SVG (prints sharp at any size)."""
    community = _community(community_id)
    out = io.BytesIO()
    segno.make(community_url(request, community), error="m").save(out, kind="svg", scale=8, border=2,
                                                                 title=community.name)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def public_poster(request: HttpRequest, community_id: int) -> HttpResponse:
    """A page to print for the notice board: the community's name, its figures and the QR code."""
    community = _community(community_id)
    projects = notice.community_projects(community)
    return render(request, "lists/public_poster.html", {
        "community": community, "figures": notice.community_figures(projects), "url": community_url(request, community),
    })


# --- the block on the staff project page (registered as the panel "lists.project") ------------------------------


def project_ratings_panel(request: HttpRequest, project: Any) -> str:
    """On the staff project page: the residents' ratings (counts, rate, the latest comments, never a phone) and the
    link to the project's public page."""
    if not permissions.can(request.user, "view", project):
        return ""
    shown = project.public and project.status in notice.SHOWN
    ratings = notice.satisfaction(project)
    comments = list(ProjectRating.objects.filter(project=project).exclude(comment="")
                    .only("satisfaction", "comment", "created_at").order_by("-created_at", "-pk")[:10])
    return render_to_string("lists/_project_ratings_panel.html", {
        "project": project, "shown": shown, "satisfaction": ratings, "comments": comments,
        "finished": project.status == Project.Status.FINISHED,
    }, request=request)
