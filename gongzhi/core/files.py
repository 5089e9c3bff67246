"""Stored files (photos) go out only through a view that has checked the policy, never from a public /media/.

`file_response` answers with the file itself (Django streams it, `FILES_SENDFILE = ""`), or hands the sending
to the web server in front: nginx's `X-Accel-Redirect` to an `internal` location
(`FILES_SENDFILE = "x-accel-redirect"`, `FILES_ACCEL_REDIRECT_PREFIX` names the location), or Apache's /
lighttpd's `X-Sendfile` with the absolute path (`FILES_SENDFILE = "x-sendfile"`). docs/deployment.md shows the
nginx configuration.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

SENDFILE_MODES = ("", "x-accel-redirect", "x-sendfile")


def file_response(file: FieldFile, *, content_type: str, filename: str = "", max_age: int = 3600
                  ) -> HttpResponseBase:
    """The response that sends a stored file, once the caller has checked that the user may see it."""
    name = file.name or ""
    if not name or not file.storage.exists(name):
        raise Http404(_("Not found, or outside your area."))
    mode = settings.FILES_SENDFILE
    response: HttpResponseBase
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILES_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + quote(name)
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = file.path
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(filename)}" if filename else disposition
    )
    response["Cache-Control"] = f"private, max-age={max_age}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
