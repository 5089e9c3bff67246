"""Web pages for Excel rosters: templates, uploads (run as background jobs), job progress, exports."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .errors import ActionError
from .exports import export_roster, get_export_area_for_user
from .models import Area, ImportJob, User
from .permissions import area_policy, get_import_job_for_user, visible_to
from .queries import PERSON_SORTS
from .roster_import import do_create_import_job
from .rosters import XLSX_CONTENT_TYPE, build_template, get_spec
from .tasks import run_import_job

SCOPE_LEVELS = ("city", "district", "subdistrict", "community")


def _kind_or_404(kind: str) -> str:
    if kind not in ImportJob.Kind.values:
        raise Http404
    return kind


def manageable_areas(user: User) -> QuerySet[Area]:
    """Areas the user may choose as an import scope (down to communities)."""
    return area_policy.areas_where(user, "import").filter(level__in=SCOPE_LEVELS).order_by("path")


def xlsx_response(content: Any, filename: str) -> FileResponse:
    response = FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    return response


def _home_context(user: User) -> dict[str, Any]:
    return {
        "kinds": [{"value": value, "label": label, "title": get_spec(value).title}
                  for value, label in ImportJob.Kind.choices],
        "scope_areas": list(manageable_areas(user)[:500]),
        "export_areas": list(visible_to(user, Area).filter(level__in=SCOPE_LEVELS).order_by("path")[:500]),
        "jobs": list(visible_to(user, ImportJob).select_related("scope_area", "created_by")[:20]),
    }


@login_required
@require_GET
def roster_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/rosters/home.html", _home_context(request.user))  # type: ignore[arg-type]


@login_required
@require_GET
def roster_template(request: HttpRequest, kind: str) -> FileResponse:
    spec = get_spec(_kind_or_404(kind))
    return xlsx_response(io.BytesIO(build_template(kind)), f"{spec.title}模板.xlsx")


@login_required
@require_POST
def roster_import(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user: User = request.user  # type: ignore[assignment]
    upload = request.FILES.get("file")
    error = None
    scope_id = request.POST.get("scope_area") or ""
    scope = visible_to(user, Area).filter(pk=int(scope_id)).first() if scope_id.isdigit() else None
    if upload is None:
        error = ActionError(_("Please choose the Excel file to upload."))
    elif scope is None:
        error = ActionError(_("Please choose the scope of the import."))
    else:
        try:
            job = do_create_import_job(acting_user=user, kind=kind, scope_area=scope, upload=upload,
                                       name=upload.name or "", size=upload.size)
        except ActionError as exc:
            error = exc
        else:
            run_import_job.enqueue(job.pk)
            return redirect("core:import_job", job_id=job.pk)
    context = _home_context(user) | {"upload_error": error.message, "upload_kind": kind}
    return render(request, "core/rosters/home.html", context, status=400)


@login_required
@require_GET
def roster_export(request: HttpRequest, kind: str) -> FileResponse:
    kind = _kind_or_404(kind)
    user: User = request.user  # type: ignore[assignment]
    area = get_export_area_for_user(user, request.GET.get("area"))
    sort = request.GET.get("sort", "")
    export = export_roster(user, kind, area=area, full=request.GET.get("full") == "1",
                           q=(request.GET.get("q") or "")[:50], sort=sort if sort in PERSON_SORTS else "")
    return xlsx_response(export.file, export.filename)


@login_required
@require_GET
def import_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_import_job_for_user(request.user, job_id)  # type: ignore[arg-type]
    return render(request, "core/rosters/job.html", {"job": job})


@login_required
@require_GET
def import_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_import_job_for_user(request.user, job_id)  # type: ignore[arg-type]
    return render(request, "core/rosters/_job_progress.html", {"job": job})


urlpatterns = [
    path("rosters/", roster_home, name="roster_home"),
    path("rosters/jobs/<int:job_id>/", import_job_detail, name="import_job"),
    path("rosters/jobs/<int:job_id>/progress/", import_job_progress, name="import_job_progress"),
    path("rosters/<str:kind>/template/", roster_template, name="roster_template"),
    path("rosters/<str:kind>/import/", roster_import, name="roster_import"),
    path("rosters/<str:kind>/export/", roster_export, name="roster_export"),
]
