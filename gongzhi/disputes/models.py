"""Dispute mediation (矛盾纠纷调解), across communities and provinces of an alliance.

Issue 23's foundation (the data model only; actions, pages, API and demo come with the issue):

- `Dispute`: recorded from a walk-in, a grid worker's report, a referral, or an appeal (the appeal is linked through
  core's `Link`, kind "disputes.from_appeal"); its type, what is at stake, urgency, risk of escalation; the
  community that recorded it and, across a border, the alliance. Status: recorded → assigned → in mediation →
  agreed / not agreed / referred (people's court, arbitration, a department, with the reason) → closed.
- `DisputeParty`: residents, owners' committees, property companies, units — each with their community (parties may
  belong to different communities of the alliance) and their particulars (masked everywhere but for the assigned
  mediators, their body's head and the supervising subdistrict; every view of a dispute is audited).
- `MediationBody`: a community's people's mediation committee (人民调解委员会) or an alliance's cross-border mediation
  office (矛盾化解处), with its head and members; `MediationAssignment`: to a mediator (a person) or a body.
- `MediationSession` (date, place, who attended, notes), `Agreement` (人民调解协议书, generated as Word, signed),
  `FollowUp` (30 days after the agreement: does it hold?).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Alliance, Area, Resident, Unit


class MediationBody(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("People's mediation committee")
        ALLIANCE_OFFICE = "alliance_office", _("Cross-border mediation office")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(Area, verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("head"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("mediators"), blank=True,
                                     related_name="mediation_bodies")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation body")
        verbose_name_plural = _("mediation bodies")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="committee", community__isnull=False)
                           | Q(kind="alliance_office", alliance__isnull=False)),
                name="disputes_body_belongs_somewhere"),
        ]

    def __str__(self) -> str:
        return self.name


class Dispute(models.Model):
    class Source(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        GRID = "grid", _("Grid worker's report")
        REFERRAL = "referral", _("Referral")
        APPEAL = "appeal", _("From an appeal")

    class Kind(models.TextChoices):
        NEIGHBOURS = "neighbours", _("Between neighbours")
        PROPERTY = "property", _("Property management")
        OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
        FAMILY = "family", _("Family")
        LABOUR = "labour", _("Labour")
        CROSS_COMMUNITY = "cross_community", _("Across communities")
        OTHER = "other", pgettext_lazy("dispute kind", "Other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        ASSIGNED = "assigned", _("Assigned")
        IN_MEDIATION = "in_mediation", _("In mediation")
        AGREED = "agreed", _("Agreement reached")
        NOT_AGREED = "not_agreed", _("No agreement")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", pgettext_lazy("dispute status", "Closed")

    class ReferredTo(models.TextChoices):
        COURT = "court", _("People's court")
        ARBITRATION = "arbitration", _("Arbitration")
        DEPARTMENT = "department", _("A department")

    # A random reference shown to the parties (never the database id).
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    stakes = models.TextField(_("what is at stake"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    risk = models.CharField(_("risk of escalation"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECORDED,
                              db_index=True)
    referred_to = models.CharField(_("referred to"), max_length=20, choices=ReferredTo.choices, blank=True)
    referred_unit = models.ForeignKey(Unit, verbose_name=_("department"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    outcome_reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class DisputeParty(models.Model):
    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
        PROPERTY_COMPANY = "property_company", _("Property company")
        UNIT = "unit", _("Unit")
        COMMUNITY = "community", _("Community")

    class Side(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    name = models.CharField(_("name"), max_length=100)
    resident = models.ForeignKey(Resident, verbose_name=_("resident"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    community = models.ForeignKey(Area, verbose_name=_("community"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The particulars the agreement needs (masked everywhere but for those who handle the dispute).
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party to the dispute")
        verbose_name_plural = _("parties")
        ordering = ["dispute", "side", "id"]

    def __str__(self) -> str:
        return self.name


class MediationAssignment(models.Model):
    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="assignments")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mediator"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="mediation_assignments")
    body = models.ForeignKey(MediationBody, verbose_name=_("mediation body"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assignments")
    active = models.BooleanField(_("active"), default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation assignment")
        verbose_name_plural = _("mediation assignments")
        ordering = ["dispute", "-assigned_at"]
        constraints = [
            models.CheckConstraint(condition=Q(mediator__isnull=False) | Q(body__isnull=False),
                                   name="disputes_assignment_to_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} → {self.mediator_id or self.body_id}"


class MediationSession(models.Model):
    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    attendees = models.TextField(_("who attended"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["dispute", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """人民调解协议书: the terms agreed, signed by the parties on a date."""

    # Usually one per dispute. When a follow-up visit finds that a signed agreement does not hold and mediation is
    # reopened, that agreement is kept as it was and a new one may be written: at most one unsigned at a time.
    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="agreements")
    facts = models.TextField(_("facts and the dispute"))
    terms = models.TextField(_("what was agreed"))
    performance = models.CharField(_("how and by when it is carried out"), max_length=300, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        constraints = [models.UniqueConstraint(fields=["dispute"], condition=models.Q(signed_on__isnull=True),
                                               name="disputes_one_unsigned_agreement")]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.signed_on or ''}"


class FollowUp(models.Model):
    """A visit after the agreement (30 days by default): does it hold?"""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="follow_ups")
    # The agreement the visit checks (a dispute reopened after a failed agreement gets a new one, and new visits).
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("visit due on"))
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    holds = models.BooleanField(_("the agreement holds"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # When the assignees were told the visit is due (the scheduled check tells them once; moving the date resets it).
    notified_at = models.DateTimeField(_("due notice sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.due_on}"
