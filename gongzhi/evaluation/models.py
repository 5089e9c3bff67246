"""Two-way evaluation (双向评估), part-time committee members (兼职委员), property companies (物业履约评价) and the
estates' coverage (三率).

Campaigns
- `Campaign`: set up by a subdistrict or a district for a period (annual or quarterly) with a rating deadline and a
  notice period (公示). Status: draft → open (raters rate until the deadline) → notice (results computed and shown to
  the ratees, who may object) → final (results fixed, exported, marked on the records).
- `Criterion`: optional scores per criterion (each with a maximum); a rating then carries the scores and its grade.
- `RaterGroup`: the groups who rate and their weights (subdistrict, community and estate party organizations,
  resident representatives, the units); which kind of ratee each group rates follows from its kind.
- `Rater`: a person in a group for the campaign, with the community they rate in (none: the whole campaign area).
- `Ratee`: a member unit, a part-time committee member (a `CommitteeMembership`) or a community party organization
  (rated by the units: 双向评价). The computed result is kept on it: score, outcome, rank, breakdown per group.
- `Rating`: one per rater per ratee; a change before the deadline replaces it (the audit keeps the earlier one).
- `Objection`: a ratee's objection during the notice period, with the organizer's answer.

Part-time committee members
- `TitleOnlyFlag`: the standing check's flag on a membership that did nothing in the period (空挂), reviewed by the
  subdistrict: kept, or removed (the membership ends with the date and reason; the unit is told, with a letter).

Property companies
- `PropertyContract`: an estate's contract with a property company, with its `ServiceItem`s and standards.
- `Inspection` (with an `InspectionScore` per item and `InspectionPhoto`s): the community, the estate's party branch
  or the owners' committee scores the items.
- `PropertyGrade`: the quarterly score and grade per contract (inspections, residents' satisfaction from a survey of
  the three lists, the estate's property appeals and their three rates).
- `RectificationNotice` (整改通知) with its items and deadline, tracked until closed.

Coverage
- `EstateProfile`: what an estate has (owners' committee or property management committee, party instructor); the
  property service and the party organization come from contracts and party orgs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Area, CommitteeMembership, PartyOrg, Unit


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Campaign(models.Model):
    class Period(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        QUARTERLY = "quarterly", _("Quarterly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("campaign status", "Rating")
        NOTICE = "notice", pgettext_lazy("campaign status", "Public notice")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=200)
    # The subdistrict or district that runs it; ratees and raters come from its communities.
    area = models.ForeignKey(Area, verbose_name=_("organized by"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period kind"), max_length=20, choices=Period.choices, default=Period.ANNUAL)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateTimeField(_("rating deadline"))
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=5,
                                                   validators=[MinValueValidator(1), MaxValueValidator(30)])
    rates_units = models.BooleanField(_("rate member units"), default=True)
    rates_members = models.BooleanField(_("rate part-time committee members"), default=True)
    rates_communities = models.BooleanField(_("units rate the community party organizations"), default=False)
    uses_scores = models.BooleanField(_("score each criterion"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    notice_starts_at = models.DateTimeField(_("notice from"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("notice until"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("final at"), null=True, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="evaluation_campaign_period_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_for_rating(self) -> bool:
        return self.status == self.Status.OPEN and timezone.now() <= self.deadline

    @property
    def in_notice(self) -> bool:
        return self.status == self.Status.NOTICE and (self.notice_ends_at is None or timezone.now() <= self.notice_ends_at)


class Criterion(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("criterion"), max_length=100)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["campaign", "order", "id"]

    def __str__(self) -> str:
        return self.name


class RaterGroup(models.Model):
    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("Subdistrict party working committee")
        COMMUNITY = "community", _("Community party organizations")
        ESTATE = "estate", _("Estate party branches")
        RESIDENTS = "residents", _("Resident representatives")
        UNITS = "units", _("Member units")

    # Which ratees a group rates: the units rate the community party organizations (两向评价), the others rate the
    # member units and the part-time committee members.
    RATES: dict[str, tuple[str, ...]] = {
        "subdistrict": ("unit", "member"),
        "community": ("unit", "member"),
        "estate": ("unit", "member"),
        "residents": ("unit", "member"),
        "units": ("community",),
    }

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="groups")
    kind = models.CharField(_("rater group"), max_length=20, choices=Kind.choices)
    # Percent; the weights of the groups rating one kind of ratee add up to 100.
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("rater group")
        verbose_name_plural = _("rater groups")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="evaluation_group_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}%"

    @property
    def ratee_kinds(self) -> tuple[str, ...]:
        return self.RATES.get(self.kind, ())


class Rater(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="raters")
    group = models.ForeignKey(RaterGroup, verbose_name=_("rater group"), on_delete=models.CASCADE,
                              related_name="raters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT,
                             related_name="evaluation_raters")
    # The community whose ratees they rate; none: every ratee of the campaign (the subdistrict's raters).
    community = models.ForeignKey(Area, verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # Whom they speak for: a party organization, or (the units' group) a unit.
    party_org = models.ForeignKey(PartyOrg, verbose_name=_("party organization"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("rater")
        verbose_name_plural = _("raters")
        ordering = ["campaign", "group", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="evaluation_rater_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.group.get_kind_display()}"


class Ratee(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Member unit")
        MEMBER = "member", _("Part-time committee member")
        COMMUNITY = "community", _("Community party organization")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="ratees")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The community it is rated in (where the unit is registered, whose committee the member sits on, or itself).
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="evaluation_ratees")
    membership = models.ForeignKey(CommitteeMembership, verbose_name=_("committee membership"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="evaluation_ratees")
    party_org = models.ForeignKey(PartyOrg, verbose_name=_("party organization"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    # The result, computed when the rating closes (and again when an objection changes it).
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ratee")
        verbose_name_plural = _("ratees")
        ordering = ["campaign", "kind", "rank", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "community"], condition=Q(kind="unit"),
                                    name="evaluation_ratee_unit_once"),
            models.UniqueConstraint(fields=["campaign", "membership"], condition=Q(kind="member"),
                                    name="evaluation_ratee_member_once"),
            models.UniqueConstraint(fields=["campaign", "community"], condition=Q(kind="community"),
                                    name="evaluation_ratee_community_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="ratings")
    rater = models.ForeignKey(Rater, verbose_name=_("rater"), on_delete=models.CASCADE, related_name="ratings")
    ratee = models.ForeignKey(Ratee, verbose_name=_("ratee"), on_delete=models.CASCADE, related_name="ratings")
    grade = models.CharField(_("rating"), max_length=20, choices=Grade.choices)
    # {criterion id: score} when the campaign scores criteria.
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["ratee", "id"]
        constraints = [models.UniqueConstraint(fields=["rater", "ratee"], name="evaluation_rating_once")]

    def __str__(self) -> str:
        return f"{self.rater_id} → {self.ratee_id}: {self.grade}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    ratee = models.ForeignKey(Ratee, verbose_name=_("ratee"), on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    # When upheld, the organizer may set the outcome (with the answer as its reason).
    outcome_before = models.CharField(_("outcome before"), max_length=20, choices=Grade.choices, blank=True)
    outcome_after = models.CharField(_("outcome after"), max_length=20, choices=Grade.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ratee} · {self.get_status_display()}"


class TitleOnlyFlag(models.Model):
    """The standing check flagged a part-time member as possibly holding only the title (空挂)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        KEPT = "kept", _("Kept on the committee")
        REMOVED = "removed", _("Removed from the committee")

    class Reason(models.TextChoices):
        NO_MEETING = "no_meeting", _("Attended no meeting")
        NO_CLAIM = "no_claim", _("Claimed nothing")
        NO_REPORT = "no_report", _("Filed no duty report")
        UNQUALIFIED = "unqualified", _("Rated unqualified")

    membership = models.ForeignKey(CommitteeMembership, verbose_name=_("committee membership"),
                                   on_delete=models.PROTECT, related_name="title_only_flags")
    # The subdistrict that reviews it (the committee's community's subdistrict).
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    reasons = models.JSONField(_("reasons"), default=list)
    # What the check found, for the review page: {"meetings_invited": 3, "meetings_attended": 0, ...}.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review"), blank=True)

    class Meta:
        verbose_name = _("title-only flag")
        verbose_name_plural = _("title-only flags")
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=Q(status="open"),
                                    name="evaluation_flag_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.get_status_display()}"


# --- Property companies ---------------------------------------------------------------------------------------


class PropertyContract(models.Model):
    estate = models.ForeignKey(Area, verbose_name=_("estate"), on_delete=models.PROTECT,
                               related_name="property_contracts")
    company = models.ForeignKey(Unit, verbose_name=_("property company"), on_delete=models.PROTECT,
                                related_name="property_contracts")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("property contract")
        verbose_name_plural = _("property contracts")
        ordering = ["estate__path", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="evaluation_contract_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} · {self.company.name}"


class ServiceItem(models.Model):
    class Kind(models.TextChoices):
        CLEANING = "cleaning", _("Cleaning")
        SECURITY = "security", _("Security")
        GREENING = "greening", _("Greening")
        REPAIRS = "repairs", _("Repairs and maintenance")
        FACILITIES = "facilities", _("Facilities")
        COMPLAINTS = "complaints", _("Complaint handling")
        OTHER = "other", pgettext_lazy("service item kind", "Other")

    contract = models.ForeignKey(PropertyContract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="items")
    kind = models.CharField(_("item"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    standard = models.TextField(_("standard"))
    # The points the item carries in an inspection (the items' points add up to the inspection's full score).
    points = models.PositiveSmallIntegerField(_("points"), default=10,
                                              validators=[MinValueValidator(1), MaxValueValidator(100)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["contract", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class By(models.TextChoices):
        COMMUNITY = "community", _("Community party organization")
        BRANCH = "branch", _("Estate party branch")
        OWNERS = "owners", _("Owners' committee")

    contract = models.ForeignKey(PropertyContract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    by = models.CharField(_("inspected by"), max_length=20, choices=By.choices)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # Percent of the full score (the sum of the items' points), kept when the scores are saved.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contract} · {self.inspected_on}"


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="scores")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT,
                             related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    remark = models.CharField(_("remark"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["inspection", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="evaluation_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="evaluation_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.score}"


def inspection_photo_path(photo: InspectionPhoto, filename: str) -> str:
    return f"inspections/{timezone.now():%Y/%m}/{filename}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE,
                                   related_name="photos")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    image = models.ImageField(_("photo"), upload_to=inspection_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id} · {self.pk}"


class PropertyGrade(models.Model):
    class Level(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    contract = models.ForeignKey(PropertyContract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="grades")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1),
                                                                       MaxValueValidator(4)])
    # Residents' satisfaction: a survey of the three lists (its first single-choice question), when there is one.
    survey_id = models.PositiveIntegerField(_("survey"), null=True, blank=True)
    inspection_score = models.DecimalField(_("inspections"), max_digits=5, decimal_places=2, null=True, blank=True)
    satisfaction_score = models.DecimalField(_("residents' satisfaction"), max_digits=5, decimal_places=2,
                                             null=True, blank=True)
    appeals_score = models.DecimalField(_("property appeals"), max_digits=5, decimal_places=2, null=True,
                                        blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    level = models.CharField(_("grade"), max_length=20, choices=Level.choices)
    # What went in: inspections counted, respondents, appeals and their three rates, the weights used.
    details = models.JSONField(_("details"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("property grade")
        verbose_name_plural = _("property grades")
        ordering = ["-year", "-quarter", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year", "quarter"], name="evaluation_grade_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · {self.year}Q{self.quarter}: {self.score}"


class RectificationNotice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Rectifying")
        REPLIED = "replied", _("Reported rectified")
        CLOSED = "closed", pgettext_lazy("rectification status", "Closed")

    contract = models.ForeignKey(PropertyContract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="rectifications")
    grade = models.ForeignKey(PropertyGrade, verbose_name=_("grade"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="rectifications")
    # [{"item": "保洁", "requirement": "..."}]
    items = models.JSONField(_("items"), default=list)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    reply = models.TextField(_("the company's reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contract} · {self.deadline}"

    @property
    def overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.deadline < timezone.localdate()


class EstateProfile(models.Model):
    """What an estate has, for the three coverage rates (三率)."""

    estate = models.OneToOneField(Area, verbose_name=_("estate"), on_delete=models.CASCADE,
                                  related_name="evaluation_profile")
    owners_committee = models.ForeignKey(Unit, verbose_name=_("owners' committee"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    management_committee = models.BooleanField(_("property management committee formed"), default=False)
    # Party work without a branch of its own: a party-building instructor (党建指导员) covers it.
    party_instructor = models.CharField(_("party-building instructor"), max_length=50, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("estate profile")
        verbose_name_plural = _("estate profiles")

    def __str__(self) -> str:
        return self.estate.name
