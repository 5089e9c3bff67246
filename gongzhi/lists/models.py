"""The three lists (三张清单). For now: the demand list (需求清单) and the month's theme (每月一题).

A `Demand` is something residents need, collected from appeals, hot issues, surveys or councils; the
three-lists work adds resources and projects that match it. A `MonthlyTheme` is one problem a
subdistrict or district takes on for a month, usually proposed from a hot issue.

The appeals a demand or theme came from are core `Link`s (kinds `DEMAND_APPEAL`, `THEME_APPEAL`, from the demand or
theme to each appeal), so an appeal's case page can list its demands too; `appeal_ids` reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Link

DEMAND_APPEAL = "lists.demand_appeal"  # a demand → an appeal it was collected from
THEME_APPEAL = "lists.theme_appeal"  # a monthly theme → an appeal it answers


class _LinksToAppeals(models.Model):
    APPEAL_LINK_KIND = ""
    # Links going out of this record (deleted with it).
    links = GenericRelation(Link, content_type_field="from_type", object_id_field="from_id")

    class Meta:
        abstract = True

    @property
    def appeal_ids(self) -> list[int]:
        """The ids of the appeals this record came from, in the order they were linked (uses a prefetch of
        `links` when there is one)."""
        return [link.to_id for link in self.links.all() if link.kind == self.APPEAL_LINK_KIND]


class Demand(_LinksToAppeals):
    """需求清单: one thing residents need, at an area."""

    APPEAL_LINK_KIND = DEMAND_APPEAL

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
    # What it came from, in words (e.g. the hot issue's representative title); its links name the appeals.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
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


class MonthlyTheme(_LinksToAppeals):
    """每月一题: the problem a subdistrict or district takes on in one month."""

    APPEAL_LINK_KIND = THEME_APPEAL

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("proposing area"), on_delete=models.PROTECT,
                             related_name="monthly_themes")
    source_summary = models.TextField(_("hot issue summary"), blank=True)
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
