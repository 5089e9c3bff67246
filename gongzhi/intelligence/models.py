"""Routing intelligence: trained classifier versions, the suggestion stored for each appeal, what dispatchers did
with the suggestions, and the auto-dispatch threshold."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def classifier_path(instance: ClassifierVersion, filename: str) -> str:
    return f"classifiers/{filename}"


class ClassifierVersion(models.Model):
    """One trained category classifier. Exactly one version is active; rollback = activate an older one."""

    class Source(models.TextChoices):
        FILE = "file", _("Labelled file")
        HISTORY = "history", _("Closed cases")

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FILE)
    source_name = models.CharField(_("source name"), max_length=200, blank=True)
    training_size = models.PositiveIntegerField(_("training size"), default=0)
    cv_macro_f1 = models.FloatField(_("cross-validated macro F1"), null=True, blank=True)
    cv_accuracy = models.FloatField(_("cross-validated accuracy"), null=True, blank=True)
    # [{"label", "precision", "recall", "f1", "support"}] per category, from the same cross-validation.
    cv_per_class = models.JSONField(_("cross-validated figures per category"), default=list, blank=True)
    training_seconds = models.FloatField(_("training seconds"), default=0)
    labels = models.JSONField(_("categories"), default=list)
    is_active = models.BooleanField(_("active"), default=False)
    # A joblib pickle of our own TrainedClassifier; never load files from elsewhere.
    model_file = models.FileField(_("model file"), upload_to=classifier_path, max_length=200)

    class Meta:
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="intelligence_one_active_classifier"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class SuggestionFeedback(models.Model):
    """What the classifier suggested for an appeal and the category the dispatcher settled on.

    Corrections (suggested != final) are the most valuable training rows when retraining from history.
    """

    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="suggestion_feedback",
    )
    version = models.ForeignKey(
        ClassifierVersion, verbose_name=_("classifier version"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="feedback",
    )
    suggested_label = models.CharField(_("suggested category"), max_length=50)
    final_label = models.CharField(_("final category"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("suggestion feedback")
        verbose_name_plural = _("suggestion feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.suggested_label} → {self.final_label}"

    @property
    def corrected(self) -> bool:
        return self.suggested_label != self.final_label


class AppealSuggestion(models.Model):
    """The classifier's category suggestion for one appeal, computed once when it was submitted.

    One row per appeal that got a suggestion (none when no version was active); written by the subscriber of
    the appeals' APPEAL_SUBMITTED hook (`suggestions.store_suggestion`)."""

    appeal = models.OneToOneField(
        "appeals.Appeal", verbose_name=_("appeal"), primary_key=True, on_delete=models.CASCADE,
        related_name="category_suggestion",
    )
    # [{"label": ..., "confidence": ...}, ...] best first.
    suggestions = models.JSONField(_("category suggestions"), default=list, blank=True)
    # The top label's appeals category (any level), None when the label maps to none.
    category = models.ForeignKey(
        "appeals.Category", verbose_name=_("suggested category"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    confidence = models.FloatField(_("suggestion confidence"), null=True, blank=True)
    version = models.PositiveIntegerField(_("classifier version"), null=True, blank=True)  # its number

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.suggestions[0]['label'] if self.suggestions else '-'}"

    @property
    def top_label(self) -> str | None:
        return str(self.suggestions[0]["label"]) if self.suggestions else None


class AutoDispatchConfig(models.Model):
    """Auto-dispatch above a confidence threshold (one row). No threshold means off, the default."""

    threshold = models.FloatField(_("confidence threshold"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("auto-dispatch configuration")
        verbose_name_plural = _("auto-dispatch configuration")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=0, threshold__lte=1),
                name="intelligence_autodispatch_threshold_0_1",
            ),
        ]

    def __str__(self) -> str:
        return "off" if self.threshold is None else f"{self.threshold:.2f}"

    @classmethod
    def current(cls) -> AutoDispatchConfig:
        """The configuration row (an unsaved default, threshold off, when none was saved yet)."""
        return cls.objects.order_by("pk").first() or cls()


def training_file_path(instance: TrainingJob, filename: str) -> str:
    """A random name; the uploaded file is deleted when its training job has run."""
    return f"classifier-training/{uuid.uuid4().hex}.csv"


class TrainingJob(models.Model):
    """A retraining asked for by an administrator (from the closed cases or from a labelled CSV file), run by
    the background worker; the page shows its state and, when it fails, why."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Training")
        SUCCEEDED = "succeeded", _("Trained")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=20, choices=ClassifierVersion.Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to=training_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    version = models.ForeignKey(ClassifierVersion, verbose_name=_("classifier version"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training job")
        verbose_name_plural = _("training jobs")
        ordering = ["-created_at"]
        constraints = [
            # One training waits at a time: a second request while one waits is refused (do_request_training).
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="queued"),
                                    name="one_waiting_training_job"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.original_name}".strip()
