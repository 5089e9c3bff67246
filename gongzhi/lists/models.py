"""The three lists (三张清单) and the month's theme (每月一题).

- `Demand` (需求清单): something residents (or a member unit) need, at an area, from a source that is linked back
  (appeals and hot issues through core `Link`s, a `Survey`, a council proposal, a unit, staff entry).
- `Survey` (问需于民) with `SurveyQuestion`s and `SurveyOption`s; residents answer without an account, one
  `SurveyResponse` per phone (only a keyed hash of the phone is kept), proven with a `PhoneCode`.
- `Resource` (资源清单): what a member unit, a department, a social organization or the community offers, with a
  capacity in its own unit and what is already promised.
- `MatchRound` / `MatchPair` (点对点匹配): a proposed assignment of resources to demands; confirming a pair reserves
  capacity and makes a `Project`.
- `Project` (项目清单) with its `ProjectResource` reservations, `Milestone`s, `ProgressUpdate`s (with
  `ProgressPhoto`s), sub-projects, a `ServiceAgreement` (双向服务协议: `AgreementItem`s and versioned
  `AgreementSignature`s) and residents' `ProjectRating`s from the public notice (公示).
- `QuarterSnapshot` (每季度动态更新): the three lists of a community as they stood when a quarter was closed.
- `MonthlyTheme`: one problem a subdistrict or district takes on for a month, usually proposed from a hot issue.

The appeals a demand or theme came from are core `Link`s (kinds `DEMAND_APPEAL`, `THEME_APPEAL`, from the demand or
theme to each appeal), so an appeal's case page can list its demands too; `appeal_ids` reads them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Alliance, Area, Link, Unit

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


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    FUNDS = "funds", _("Funds")
    SERVICE = "service", _("Professional service")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer hours")
    EQUIPMENT = "equipment", _("Equipment and goods")


class CapacityUnit(models.TextChoices):
    PEOPLE = "people", _("people")
    HOURS = "hours", _("hours")
    YUAN = "yuan", _("yuan")
    ITEMS = "items", _("items")
    USES = "uses", _("uses")




class Demand(_LinksToAppeals):
    """需求清单: one thing residents (or a member unit) need, at an area (a community, an estate, a building)."""

    APPEAL_LINK_KIND = DEMAND_APPEAL

    class Source(models.TextChoices):
        APPEAL = "appeal", _("Appeal")
        HOT_ISSUE = "hot_issue", _("Hot issue")
        SURVEY = "survey", _("Survey")
        COUNCIL = "council", _("Residents' council")
        UNIT = "unit", _("Member unit's own need")
        MANUAL = "manual", _("Entered by staff")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("demand status", "Open")
        MATCHED = "matched", _("Matched with a resource")
        IN_PROJECT = "in_project", _("In a project")
        MET = "met", _("Met")
        CLOSED = "closed", pgettext_lazy("demand status", "Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The appeals category tree (appeals' model, referred to by name: lists never imports appeals' models).
    category = models.ForeignKey("appeals.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="demands")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    # What it came from, in words (e.g. the hot issue's representative title); its links name the appeals.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    # The survey it came from (source survey), and the count of residents behind it there.
    source_survey = models.ForeignKey("Survey", verbose_name=_("survey"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="demands")
    # The member unit that asked (source unit: 双向需求征集).
    source_unit = models.ForeignKey(Unit, verbose_name=_("requesting unit"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # A later app's record it came from (a council proposal: "app_label.model:pk"); the source kind is ready.
    source_key = models.CharField(_("source record"), max_length=80, blank=True)
    beneficiaries = models.CharField(_("who benefits"), max_length=200, blank=True)
    beneficiary_count = models.PositiveIntegerField(_("people who benefit"), default=0)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    # The kinds of resource it needs: a list of ResourceKind values.
    resource_kinds = models.JSONField(_("resource kinds needed"), default=list, blank=True)
    cost_estimate = models.DecimalField(_("cost estimate (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2)
    # How much it needs of a resource counted in hours, items or uses (people: beneficiary_count; yuan:
    # cost_estimate); empty: 1.
    need_quantity = models.PositiveIntegerField(_("quantity needed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # Last change by anyone (an edit, a match, a project): a demand untouched for 90 days is stale.
    updated_at = models.DateTimeField(_("last change"), default=timezone.now, db_index=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


# --- Surveys (问需于民) -------------------------------------------------------------------------------------


class Survey(models.Model):
    """A short questionnaire a community publishes with a link and a QR code; residents answer on a phone."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", pgettext_lazy("survey status", "Closed")

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    # The public link's key (/lists/s/<token>/): random, not the id.
    token = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def past_closing(self) -> bool:
        """Published, but its closing time has passed: it takes no more answers."""
        return self.status == self.Status.PUBLISHED and self.closes_at is not None and self.closes_at <= timezone.now()

    def state_display(self) -> str:
        """Its status as the lists show it: a published survey past its closing time reads 已截止."""
        if self.past_closing:
            return str(pgettext_lazy("survey status", "Past its closing time"))
        return str(self.get_status_display())


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")
        PRIORITY = "priority", _("Which of these should we do first")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyOption(models.Model):
    question = models.ForeignKey(SurveyQuestion, verbose_name=_("question"), on_delete=models.CASCADE,
                                 related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("survey option")
        verbose_name_plural = _("survey options")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One resident's answers: one per phone number per survey (only a keyed hash of the phone is kept)."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    phone_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["survey", "phone_hash"], name="lists_survey_one_per_phone")]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class SurveyAnswer(models.Model):
    """One chosen option (a multiple-choice question has several rows; `rank` orders a priority question's
    choices, 1 first) or one free-text answer."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(SurveyOption, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove a phone before answering a survey or rating a project. Only keyed hashes
    of the phone and of the code are stored; it expires, and a few wrong tries use it up."""

    class Purpose(models.TextChoices):
        SURVEY = "survey", _("Survey answer")
        PROJECT_RATING = "project_rating", _("Project rating")
        # Used by the apps above the lists (meetings, councils) through gongzhi.lists.phone_codes.
        MEETING_ITEM = "meeting_item", _("Item raised for a meeting")
        COUNCIL_PROPOSAL = "council_proposal", _("Council proposal")
        COUNCIL_COMMENT = "council_comment", _("Comment on a council proposal")
        ACTIVITY_FEEDBACK = "activity_feedback", _("Feedback on a service activity")
        # Used by venues (issue 23): a resident books a room or a place at a shared service.
        VENUE_BOOKING = "venue_booking", _("Room booking")
        SERVICE_PLACE = "service_place", _("Place at a shared service")

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    object_id = models.PositiveBigIntegerField()
    phone_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [models.Index(fields=["purpose", "object_id", "phone_hash", "created_at"], name="lists_phonecode_key")]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.object_id}"


# --- Resources (资源清单) -----------------------------------------------------------------------------------


class Resource(models.Model):
    """资源清单: what a member unit, a department, a social organization or the community itself can give."""

    Kind = ResourceKind

    class Status(models.TextChoices):
        ACTIVE = "active", _("Available")
        PAUSED = "paused", _("Paused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Who offers it: a unit (member unit, department, social organization), or, with no unit, the community.
    provider_unit = models.ForeignKey(Unit, verbose_name=_("offered by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="resources")
    # The area it serves (a community, a subdistrict, the city) and the alliance, when it serves one.
    area = models.ForeignKey(Area, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="resources")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance served"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="resources")
    # Where it is (a venue's estate or building; else the provider's place), for distances.
    place = models.ForeignKey(Area, verbose_name=_("location"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    capacity_unit = models.CharField(_("capacity unit"), max_length=20, choices=CapacityUnit.choices)
    capacity = models.DecimalField(_("capacity"), max_digits=14, decimal_places=2)
    # What confirmed matches have reserved and not released (kept under a row lock with ProjectResource).
    promised = models.DecimalField(_("promised"), default=0, max_digits=14, decimal_places=2)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=0), name="lists_resource_capacity_positive"),
            models.CheckConstraint(condition=models.Q(promised__gte=0), name="lists_resource_promised_positive"),
            models.CheckConstraint(condition=models.Q(promised__lte=models.F("capacity")),
                                   name="lists_resource_never_over_promised"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining(self) -> Any:
        return self.capacity - self.promised


# --- Matching (点对点匹配) ----------------------------------------------------------------------------------


class MatchRound(models.Model):
    """A proposed assignment of resources to many demands of an area at once, reviewed then confirmed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="match_rounds")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    total_score = models.FloatField(_("total score"), default=0)
    # The solver's figures (method, status, time, demands and resources considered).
    solver = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area} {self.created_at:%Y-%m-%d}"


class MatchPair(models.Model):
    """One demand ← one resource in a round (or matched by hand, without one), with its score and reasons."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        REMOVED = "removed", _("Removed")
        CONFIRMED = "confirmed", _("Confirmed")

    round = models.ForeignKey(MatchRound, verbose_name=_("round"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="pairs")
    demand = models.ForeignKey(Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="match_pairs")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE,
                                 related_name="match_pairs")
    score = models.FloatField(_("score"), default=0)
    # The reasons in Chinese, as shown beside the candidate ("类型匹配：场地", "距离 0.8 公里" ...).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # How much of the resource the demand takes, in the resource's capacity unit.
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    project = models.ForeignKey("Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="match_pairs")

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.demand_id} ← {self.resource_id}"


# --- Projects (项目清单) ------------------------------------------------------------------------------------


class Project(models.Model):
    """项目清单: demands met with resources, claimed by a lead unit, under a two-way service agreement."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting to be claimed")
        CLAIMED = "claimed", _("Claimed")
        AGREED = "agreed", _("Agreement signed")
        IN_PROGRESS = "in_progress", pgettext_lazy("project status", "In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="projects")
    # A sub-project's parent; a parent's progress is its sub-projects' average weighted by `weight`.
    parent = models.ForeignKey("self", verbose_name=_("parent project"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=1)
    demands = models.ManyToManyField(Demand, verbose_name=_("demands"), blank=True, related_name="projects")
    lead_unit = models.ForeignKey(Unit, verbose_name=_("lead unit"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="led_projects")
    partner_units = models.ManyToManyField(Unit, verbose_name=_("partner units"), blank=True,
                                           related_name="partner_projects")
    budget = models.DecimalField(_("budget (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Shown on the public notice (公示); a cancelled project leaves it.
    public = models.BooleanField(_("shown in public"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="lists_project_progress_0_100"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectResource(models.Model):
    """A resource's capacity reserved for a project; finishing the project releases what it did not use."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="reservations")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT,
                                 related_name="reservations")
    amount = models.DecimalField(_("reserved"), max_digits=14, decimal_places=2)
    used = models.DecimalField(_("used"), null=True, blank=True, max_digits=14, decimal_places=2)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reserved resource")
        verbose_name_plural = _("reserved resources")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="lists_reservation_positive")]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.resource_id} {self.amount}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due_on", "order", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="updates")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(percent__lte=100), name="lists_update_0_100")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.percent}%"


def progress_photo_path(instance: Any, filename: str) -> str:
    return f"lists/progress/{timezone.now():%Y/%m}/{filename}"


class ProgressPhoto(models.Model):
    """A photo posted with a progress update (re-encoded on upload, as appeals' photos)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=progress_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return self.image.name


class ServiceAgreement(models.Model):
    """双向服务协议 of a project: items (who does what by when), signed by the community and by each unit. A change
    to a signed agreement raises `version`; only signatures of the current version count."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNING = "signing", _("Waiting for signatures")
        SIGNED = "signed", _("Signed")

    project = models.OneToOneField(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                   related_name="agreement")
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    terms = models.TextField(_("other terms"), blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"


class AgreementItem(models.Model):
    """One item: who (the community, or a unit) does what by when."""

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Empty: the community (its party committee).
    unit = models.ForeignKey(Unit, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    text = models.CharField(_("what"), max_length=300)
    due_on = models.DateField(_("by"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement item")
        verbose_name_plural = _("agreement items")
        ordering = ["agreement", "order", "id"]

    def __str__(self) -> str:
        return self.text


class AgreementSignature(models.Model):
    """A party's signature on one version of an agreement: the community (unit empty) or a unit."""

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.CASCADE, related_name="signatures")
    version = models.PositiveIntegerField()
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  related_name="+")
    signer_name = models.CharField(_("signer"), max_length=50)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version", "unit"], name="lists_signature_once"),
            models.UniqueConstraint(fields=["agreement", "version"], condition=models.Q(unit__isnull=True),
                                    name="lists_community_signature_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.version} {self.unit_id or 'community'}"


class ProjectRating(models.Model):
    """A resident's rating of a finished project from the public notice: one per phone (kept as a keyed hash)."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically_satisfied", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="ratings")
    phone_hash = models.CharField(max_length=64)
    satisfaction = models.CharField(_("satisfaction"), max_length=30, choices=Satisfaction.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("project rating")
        verbose_name_plural = _("project ratings")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "phone_hash"], name="lists_rating_one_per_phone")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.satisfaction}"


# --- Quarterly refresh (每季度动态更新) ----------------------------------------------------------------------


class QuarterSnapshot(models.Model):
    """A community's three lists as they stood when the quarter was closed: rows (id, title, status and the
    figures shown) per list, and counts, so past quarters can be compared side by side."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT,
                             related_name="quarter_snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    data = models.JSONField(default=dict)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)

    class Meta:
        verbose_name = _("quarter snapshot")
        verbose_name_plural = _("quarter snapshots")
        ordering = ["area", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "quarter"], name="lists_quarter_once"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="lists_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year}Q{self.quarter}"


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
