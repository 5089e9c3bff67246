"""The three lists (三张清单). For now: the demand list (需求清单) and the month's theme (每月一题).

A `Demand` is something residents need, collected from appeals, hot issues, surveys or councils; the
three-lists work adds resources and projects that match it. A `MonthlyTheme` is one problem a
subdistrict or district takes on for a month, usually proposed from a hot issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area


class Demand(models.Model):
    """需求清单: one thing residents need, at an area."""

    class Source(models.TextChoices):
        APPEAL = "appeal", _("Appeal")
        HOT_ISSUE = "hot_issue", _("Hot issue")
        SURVEY = "survey", _("Survey")
        COUNCIL = "council", _("Residents' council")
        MANUAL = "manual", _("Entered by staff")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MATCHED = "matched", _("Matched with a resource")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="demands")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    # What it came from, in words (e.g. the hot issue's representative title); `appeal_ids` has the appeals.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    appeal_ids = models.JSONField(_("appeals"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MonthlyTheme(models.Model):
    """每月一题: the problem a subdistrict or district takes on in one month."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("proposing area"), on_delete=models.PROTECT,
                             related_name="monthly_themes")
    source_summary = models.TextField(_("hot issue summary"), blank=True)
    appeal_ids = models.JSONField(_("appeals"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("monthly theme")
        verbose_name_plural = _("monthly themes")
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"
