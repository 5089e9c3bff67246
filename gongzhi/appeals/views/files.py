"""Photos of appeals and of progress notes, served only to whoever may see them (404 otherwise)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from gongzhi.core.files import file_response

from .. import permissions
from .public import SESSION_TRACKED

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def _content_type(value: str) -> str:
    return value if value in IMAGE_TYPES else "application/octet-stream"


@require_safe
def appeal_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    photo = permissions.get_appeal_photo_for_user(request.user, pk)
    return file_response(photo.file, content_type=_content_type(photo.content_type))


@require_safe
def event_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    photo = permissions.get_event_photo_for_user(request.user, pk)
    return file_response(photo.file, content_type=_content_type(photo.content_type))


@require_safe
def tracked_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo on the public tracking page: only of the appeal this session looked up."""
    photo = permissions.get_tracked_appeal_photo(request.session.get(SESSION_TRACKED), pk)
    return file_response(photo.file, content_type=_content_type(photo.content_type))
