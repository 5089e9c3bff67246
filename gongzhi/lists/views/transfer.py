"""Excel import and export of the three lists: /lists/transfer/ (a card per list the user sees: the template, an
export, an upload), the export honouring the list page's filters (/lists/transfer/demands/export/?status=open), and
the upload's result: what was added and changed, or every wrong row (nothing is written then)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.policy import Policy
from gongzhi.lib.spreadsheets import xlsx_response

from .. import actions, permissions, transfer

signed_in = login_required(login_url="core:login")

POLICIES: dict[str, Policy[Any]] = {"demands": permissions.demand_policy, "resources": permissions.resource_policy,
            "projects": permissions.project_policy}


def can_transfer(user: Any, kind: str) -> bool:
    return POLICIES[kind].can_somewhere(user, "browse")


def can_transfer_any(user: Any) -> bool:
    return any(can_transfer(user, kind) for kind in POLICIES)


def _kind(user: Any, kind: str) -> transfer.ListSpec:
    if kind not in POLICIES:
        raise Http404
    if not can_transfer(user, kind):
        raise PermissionDenied(_("This list is not available to your role."))
    return transfer.get_spec(kind)


def _cards(user: Any) -> list[dict[str, Any]]:
    return [{"kind": kind, "spec": transfer.SPECS[kind], "can_create": transfer.SPECS[kind].can_create}
            for kind in POLICIES if can_transfer(user, kind)]


@signed_in
@require_GET
def transfer_home(request: HttpRequest) -> HttpResponse:
    if not can_transfer_any(request.user):
        raise PermissionDenied(_("This page is not available to your role."))
    return render(request, "lists/transfer_home.html", {"cards": _cards(request.user),
                                                        "max_rows": transfer.MAX_ROWS})


@signed_in
@require_GET
def transfer_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(request.user, kind)
    return xlsx_response(transfer.template_bytes(kind, request.user), f"{spec.title}导入模板.xlsx")


@signed_in
@require_GET
def transfer_export(request: HttpRequest, kind: str) -> HttpResponse:
    _kind(request.user, kind)
    export = transfer.export_list(kind, request.user, request.GET)
    return xlsx_response(export.content, export.filename)


@signed_in
@require_POST
def transfer_import(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(request.user, kind)
    upload = request.FILES.get("file")
    context: dict[str, Any] = {"spec": spec, "kind": kind, "cards": _cards(request.user),
                               "max_rows": transfer.MAX_ROWS}
    if upload is None:
        context["file_error"] = _("Please choose the Excel file (.xlsx) to upload.")
        return render(request, "lists/transfer_result.html", context, status=400)
    context["file_name"] = upload.name
    try:
        plan = transfer.read_plan(kind, upload, request.user, name=upload.name or "", size=upload.size)
        result = actions.do_import_list(plan, acting_user=request.user)  # type: ignore[arg-type]
    except actions.ImportRefused as exc:
        context["errors"] = exc.errors[:transfer.MAX_LISTED_ERRORS]
        context["more_errors"] = max(len(exc.errors) - transfer.MAX_LISTED_ERRORS, 0)
        context["bad_rows"] = len({e.row for e in exc.errors})
        return render(request, "lists/transfer_result.html", context, status=400)
    except ActionError as exc:
        context["file_error"] = exc.message
        return render(request, "lists/transfer_result.html", context, status=400)
    context["result"] = result
    return render(request, "lists/transfer_result.html", context)
