"""The classifier page (/intelligence/classifier/), for city and district administrators: the versions with
their cross-validated scores, rollback, retraining from the closed cases or from a labelled CSV file (run
by the worker, with the outcome on the page), the auto-dispatch threshold, and how often dispatchers
adopted the suggestions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.errors import ActionError

from . import actions
from .actions import MIN_AUTO_DISPATCH_THRESHOLD
from .models import AutoDispatchConfig, ClassifierVersion, TrainingJob
from .permissions import (
    get_classifier_version_for_user,
    require_manage_classifier,
    suggestion_feedback_policy,
)
from .tasks import run_training_job

signed_in = login_required(login_url="core:login")
FEEDBACK_DAYS = 30
JOBS_SHOWN = 10


def _feedback_summary(user: Any) -> dict[str, Any]:
    """How the suggestions fared on the appeals the user may see, over the last FEEDBACK_DAYS."""
    since = timezone.now() - timedelta(days=FEEDBACK_DAYS)
    feedback = suggestion_feedback_policy.visible_to(user).filter(created_at__gte=since)
    counts = feedback.aggregate(
        total=Count("pk"), adopted=Count("pk", filter=Q(suggested_label=F("final_label"))))
    total, adopted = counts["total"] or 0, counts["adopted"] or 0
    return {"days": FEEDBACK_DAYS, "total": total, "adopted": adopted, "corrected": total - adopted,
            "percent": round(100 * adopted / total) if total else None}


@signed_in
@require_GET
def classifier_page(request: HttpRequest) -> HttpResponse:
    require_manage_classifier(request.user)
    versions = list(ClassifierVersion.objects.select_related("created_by").order_by("-number"))
    jobs = list(TrainingJob.objects.select_related("created_by", "version").order_by("-created_at")[:JOBS_SHOWN])
    threshold = AutoDispatchConfig.current().threshold
    return render(request, "intelligence/classifier.html", {
        "versions": versions,
        "active": next((v for v in versions if v.is_active), None),
        "jobs": jobs,
        "waiting": any(j.status in (TrainingJob.Status.QUEUED, TrainingJob.Status.RUNNING) for j in jobs),
        "threshold": threshold,
        "threshold_percent": round(threshold * 100) if threshold is not None else None,
        "can_set_threshold": appeals_queries.can_configure_citywide(request.user),
        "feedback": _feedback_summary(request.user),
        "columns": ",".join(actions.clf.CSV_COLUMNS),
        "min_history": actions.MIN_HISTORY_SIZE,
    })


@signed_in
@require_POST
def classifier_train(request: HttpRequest) -> HttpResponse:
    require_manage_classifier(request.user)
    upload = request.FILES.get("file")
    source = ClassifierVersion.Source.FILE if request.POST.get("source") == "file" else ClassifierVersion.Source.HISTORY
    try:
        name, content, size = actions.read_upload(upload) if upload is not None else ("", b"", 0)
        job = actions.do_request_training(request.user, source=source, name=name, content=content,  # type: ignore[arg-type]
                                          size=size)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("intelligence:classifier")
    run_training_job.enqueue(job.pk)
    job.refresh_from_db()
    if job.status == TrainingJob.Status.FAILED:
        messages.error(request, job.message)
    elif job.status == TrainingJob.Status.SUCCEEDED:
        messages.success(request, job.message)
    else:
        messages.success(request, _("Training has started in the background; it takes a few minutes. The new "
                                    "version appears below and becomes active when it is done."))
    return redirect("intelligence:classifier")


@signed_in
@require_POST
def classifier_activate(request: HttpRequest, pk: int) -> HttpResponse:
    require_manage_classifier(request.user)
    version = get_classifier_version_for_user(request.user, pk)
    try:
        actions.do_activate_classifier_version(version, request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version %(number)d is now active.") % {"number": version.number})
    return redirect("intelligence:classifier")


@signed_in
@require_POST
def classifier_threshold(request: HttpRequest) -> HttpResponse:
    require_manage_classifier(request.user)
    raw = (request.POST.get("threshold") or "").strip().rstrip("%")
    try:
        if request.POST.get("off") or not raw:
            threshold = None
        else:
            try:
                percent = float(raw)
            except ValueError:
                percent = -1.0
            # Checked here too, to answer in percent as the form asks; the action enforces the same floor.
            if not 100 * MIN_AUTO_DISPATCH_THRESHOLD <= percent <= 100:
                raise ActionError(_("Enter the threshold as a percentage between %(min)d and 100, e.g. 90, or turn "
                                    "auto-dispatch off.") % {"min": round(100 * MIN_AUTO_DISPATCH_THRESHOLD)},
                                  field="threshold")
            threshold = round(percent / 100, 4)
        actions.do_configure_auto_dispatch(acting_user=request.user, threshold=threshold)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Auto-dispatch is off.") if threshold is None else
                         _("New appeals are now dispatched automatically when the top suggestion is at least "
                           "%(percent)s%% confident.") % {"percent": f"{threshold * 100:g}"})
    return redirect("intelligence:classifier")
