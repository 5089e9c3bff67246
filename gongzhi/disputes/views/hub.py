"""The disputes hub (/disputes/): what the app has for the signed-in person, one card per part."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..hub import cards_for
from ..permissions import shows_disputes

signed_in = login_required(login_url="core:login")


@signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not shows_disputes(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    return render(request, "disputes/home.html", {"cards": cards_for(request.user)})
