"""Background work: retrain the classifier from closed cases, on demand and on a schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from gongzhi.core.errors import ActionError
from gongzhi.core.registry import registry

from .models import ClassifierVersion, TrainingJob

logger = logging.getLogger("gongzhi.intelligence")

# Retrain from history at most this often (the check itself runs hourly).
RETRAIN_EVERY = timedelta(days=7)


@task()
def retrain_classifier() -> int | None:
    """Train a new version from closed cases and activate it; returns its number, or None if skipped."""
    from .actions import do_train_classifier_from_history

    try:
        version = do_train_classifier_from_history(acting_user=None)
    except ActionError as exc:
        logger.warning("classifier retraining failed: %s", exc.message)
        return None
    return version.number if version is not None else None


@task()
def run_training_job(job_id: int) -> str:
    """A retraining an administrator asked for (actions.do_request_training); the job records the outcome."""
    from django.conf import settings
    from django.utils import translation

    from . import actions

    job = TrainingJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):  # messages stored on the job are read in Chinese
        return str(actions.run_training_job(job).status)


@registry.scheduled(3600)
def retrain_classifier_when_due() -> None:
    """Queue a retraining when the newest history-trained version is older than RETRAIN_EVERY."""
    latest = ClassifierVersion.objects.filter(source=ClassifierVersion.Source.HISTORY).order_by("-created_at").first()
    if latest is not None and timezone.now() - latest.created_at < RETRAIN_EVERY:
        return
    retrain_classifier.enqueue()
