"""Background tasks of the core app (django-tasks): roster imports too large to run in a request."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from .models import ImportJob
from .registry import registry
from .roster_import import discard_stale_import_files, run_import


@task()
def run_import_job(job_id: int) -> str:
    """Validate and import one uploaded roster; progress and errors are written to the ImportJob."""
    job = ImportJob.objects.select_related("created_by", "scope_area").get(pk=job_id)
    if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
        return str(job.status)
    with translation.override(settings.LANGUAGE_CODE):  # messages stored on the job are read in Chinese
        return str(run_import(job).status)


@registry.scheduled(3600)
def discard_stale_imports() -> None:
    """Delete the uploaded files of imports that never finished (roster_import.discard_stale_import_files)."""
    with translation.override(settings.LANGUAGE_CODE):
        discard_stale_import_files()
