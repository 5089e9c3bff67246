"""接诉即办 and 吹哨报到: appeals, cases, assignments, timelines, follow-ups, whistles and the three rates.

An `Appeal` is what one resident said (with its own public tracking code); a `Case` is the unit of
work. Every appeal starts in a case of its own (status pending_dispatch); the dispatcher may merge
appeals into one case. Cases move only through the functions in `actions.py`.

Fallback routing: when no `RoutingRule` matches, the case goes to the subdistrict of its area. A
subdistrict has no `Unit` of its own in core, so `SubdistrictOffice` links each subdistrict to a
`Unit(kind=institution)` named "<街道>办事处", made with the subdistrict by `actions.do_open_subdistrict_offices`.
Subdistrict staff covering that subdistrict act as handlers of that unit.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Resident, Unit

# Tracking codes avoid 0/O, 1/I/L so they can be read over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_CODE_LENGTH = 12


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


def mask_tracking_code(code: str) -> str:
    """What staff pages show of a tracking code: its first four characters (AB7K********). Only the resident
    sees the whole code, which with the phone's last four digits opens the public tracking page."""
    code = code or ""
    return code[:4] + "*" * max(0, len(code) - 4)


class TimeLimitKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    UTILITY = "utility", _("Water, power, gas or heating")
    ORDINARY = "ordinary", _("Ordinary")
    COMPLEX = "complex", _("Complex")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Category(models.Model):
    """One node of the three-level appeal category tree."""

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    code = models.CharField(_("code"), max_length=30, blank=True)
    time_limit_kind = models.CharField(
        _("time limit"), max_length=20, choices=TimeLimitKind.choices, default=TimeLimitKind.ORDINARY
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["level", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="appeals_category_unique_name"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="appeals_category_level_1_3"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        ids: list[int] = []
        node: Category | None = self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return list(reversed(ids))

    def full_name(self) -> str:
        names: list[str] = []
        node: Category | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class TimeLimitPolicy(models.Model):
    """How long a unit has to accept, first respond to and finish a case of one kind."""

    kind = models.CharField(_("kind"), max_length=20, choices=TimeLimitKind.choices, unique=True)
    accept_minutes = models.PositiveIntegerField(_("accept within (minutes)"))
    response_hours = models.PositiveIntegerField(_("contact the resident within (hours)"))
    handle_hours = models.PositiveIntegerField(_("finish within (hours)"))

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["handle_hours"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class RatesConfig(models.Model):
    """Weights of the composite score (one row; defaults 0.1 / 0.5 / 0.4)."""

    response_weight = models.DecimalField(_("response rate weight"), max_digits=4, decimal_places=2, default=0.1)
    resolution_weight = models.DecimalField(_("resolution rate weight"), max_digits=4, decimal_places=2, default=0.5)
    satisfaction_weight = models.DecimalField(
        _("satisfaction rate weight"), max_digits=4, decimal_places=2, default=0.4
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rates configuration")
        verbose_name_plural = _("rates configuration")

    def __str__(self) -> str:
        return f"{self.response_weight}/{self.resolution_weight}/{self.satisfaction_weight}"


class SubdistrictOffice(models.Model):
    """The unit standing for a subdistrict office when a case falls back to the subdistrict."""

    subdistrict = models.OneToOneField(
        Area, verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="appeals_office"
    )
    unit = models.OneToOneField(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="appeals_office")

    class Meta:
        verbose_name = _("subdistrict office")
        verbose_name_plural = _("subdistrict offices")

    def __str__(self) -> str:
        return str(self.unit)


class RoutingRule(models.Model):
    """(category, area) → lead unit and assisting units. The most specific matching rule wins."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules"
    )
    lead_unit = models.ForeignKey(Unit, verbose_name=_("lead unit"), on_delete=models.CASCADE, related_name="+")
    assist_units = models.ManyToManyField(Unit, verbose_name=_("assisting units"), blank=True, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.area or '*'} → {self.lead_unit}"


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=Case.OPEN_STATUSES)

    def running(self) -> CaseQuerySet:
        """Dispatched and not yet answered: the clock is running."""
        return self.filter(status__in=Case.RUNNING_STATUSES)

    def due_soon(self, now: datetime | None = None) -> CaseQuerySet:
        now = now or timezone.now()
        return self.running().filter(remind_at__lte=now, due_at__gt=now)

    def overdue(self, now: datetime | None = None) -> CaseQuerySet:
        now = now or timezone.now()
        return self.running().filter(due_at__lte=now)

    def accept_overdue(self, now: datetime | None = None) -> CaseQuerySet:
        now = now or timezone.now()
        return self.filter(status=Case.Status.DISPATCHED, accept_deadline__lte=now)

    def under(self, area: Area) -> CaseQuerySet:
        return self.filter(area_path__startswith=area.path)


class Case(models.Model):
    """工单: the unit of work. Holds one or more appeals."""

    class Status(models.TextChoices):
        PENDING_DISPATCH = "pending_dispatch", _("Waiting for dispatch")
        DISPATCHED = "dispatched", _("Waiting for acceptance")
        IN_PROGRESS = "in_progress", _("In progress")
        REPLIED = "replied", _("Waiting for follow-up")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another case")

    OPEN_STATUSES = ("pending_dispatch", "dispatched", "in_progress", "replied")
    RUNNING_STATUSES = ("dispatched", "in_progress")
    MAX_RETURNS = 3
    MAX_REOPENS = 1

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_DISPATCH, db_index=True
    )
    appeal_type = models.CharField(_("appeal type"), max_length=20, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeal_cases"
    )
    # Denormalized for fast subtree filters and rankings.
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    subdistrict = models.ForeignKey(
        Area, verbose_name=_("subdistrict"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The area whose staff dispatch and supervise the case (community or subdistrict).
    supervising_area = models.ForeignKey(
        Area, verbose_name=_("supervising area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervising_unit = models.ForeignKey(
        Unit, verbose_name=_("supervising unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="lead_cases"
    )
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    time_limit_kind = models.CharField(
        _("time limit"), max_length=20, choices=TimeLimitKind.choices, default=TimeLimitKind.ORDINARY
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accept_deadline = models.DateTimeField(_("accept by"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # When the case counts as "due soon" (computed at dispatch, see deadlines.py).
    remind_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    accept_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The latest follow-up, denormalized for the three rates.
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    contacted = models.BooleanField(_("contacted"), null=True, blank=True)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=30, choices=Satisfaction.choices, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="appeals_case_status_due"),
            models.Index(fields=["status", "remind_at"], name="appeals_case_status_remind"),
            models.Index(fields=["status", "area_path"], name="appeals_case_status_path"),
            models.Index(fields=["status", "created_at"], name="appeals_case_status_created"),
            models.Index(fields=["lead_unit", "status", "due_at"], name="appeals_case_unit_status_due"),
            models.Index(fields=["followed_up_at", "lead_unit"], name="appeals_case_followup_unit"),
            models.Index(fields=["followed_up_at", "subdistrict"], name="appeals_case_followup_sub"),
            # Worklists of running and answered cases are read in deadline / answer order, LIMIT a page.
            models.Index(
                fields=["due_at", "id"], name="appeals_case_running_due",
                condition=Q(status__in=["dispatched", "in_progress"]),
            ),
            models.Index(fields=["replied_at", "id"], name="appeals_case_replied", condition=Q(status="replied")),
            # Closed before the resident was reached: still waiting for the follow-up.
            models.Index(
                fields=["replied_at", "id"], name="appeals_case_closed_unrated",
                condition=Q(status="closed") & ~Q(contacted=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def awaits_follow_up(self) -> bool:
        """Answered, or closed (also without dispatch), while the resident was never reached: a follow-up (回访)
        may be recorded. Closing a case never spares it the resident's rating; once the resident has been reached
        the follow-up is done (and the case moved on by `actions.cases.after_follow_up`)."""
        return self.status in (self.Status.REPLIED, self.Status.CLOSED) and self.contacted is not True

    @property
    def may_be_reopened(self) -> bool:
        """Answered or closed, the resident reached and unsatisfied, and not reopened before (`do_reopen_case`)."""
        return (
            self.status in (self.Status.REPLIED, self.Status.CLOSED) and self.contacted is True
            and self.satisfaction == self.Satisfaction.UNSATISFIED and self.reopen_count < self.MAX_REOPENS
        )

    @property
    def shown_status(self) -> ShownStatus:
        """The one status every page shows (staff case page, worklists, the resident's tracking page and
        list, the API): see `shown_status`."""
        return shown_status(self)

    def is_overdue(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status in self.RUNNING_STATUSES and self.due_at is not None and self.due_at <= now

    def is_due_soon(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status in self.RUNNING_STATUSES and self.remind_at is not None and self.due_at is not None
            and self.remind_at <= now < self.due_at
        )


class ShownStatus(NamedTuple):
    key: str  # a Case.Status value, or one of the follow-up states below
    label: str


# The states a page tells apart beyond Case.status: answered or closed, and where the follow-up stands.
SHOWN_LABELS: dict[str, Any] = {
    "replied": _("Waiting for follow-up"),
    "rated_unsatisfied": _("Unsatisfied: reopening to be decided"),
    "rated_to_close": _("Followed up, waiting to be closed"),
    "closed_unrated": _("Closed, waiting for follow-up"),
    "closed": _("Closed"),
}


def shown_status(case: Case | None) -> ShownStatus:
    """The one status of a case that every page and the API show, staff and residents alike: the workflow status,
    told apart after the answer by the follow-up (waiting for it; unsatisfied and offered for reopening; followed
    up and waiting to be closed by hand; closed and still to be rated; closed). An appeal without a case yet reads
    as waiting for dispatch."""
    if case is None:
        return ShownStatus(Case.Status.PENDING_DISPATCH, str(Case.Status.PENDING_DISPATCH.label))
    if case.status not in (Case.Status.REPLIED, Case.Status.CLOSED):
        return ShownStatus(case.status, str(case.get_status_display()))
    if case.contacted is not True:
        key = "replied" if case.status == Case.Status.REPLIED else "closed_unrated"
    elif case.may_be_reopened:
        key = "rated_unsatisfied"
    else:
        key = "rated_to_close" if case.status == Case.Status.REPLIED else "closed"
    return ShownStatus(key, str(SHOWN_LABELS[key]))


class Appeal(models.Model):
    """诉求: what one person said, with its own public tracking code."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        HOTLINE = "hotline", _("Hotline")
        GRID_PATROL = "grid_patrol", _("Grid patrol")
        API = "api", _("API")
        IMPORT_12345 = "import_12345", _("12345 work order import")

    class Type(models.TextChoices):
        CONSULT = "consult", _("Consultation")
        HELP = "help", _("Request for help")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        REPORT = "report", _("Report")

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True, default=new_tracking_code)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    appeal_type = models.CharField(_("appeal type"), max_length=20, choices=Type.choices, default=Type.HELP)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    callback_name = models.CharField(_("contact name"), max_length=50, blank=True)
    callback_phone = models.CharField(_("callback phone"), max_length=20)
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="appeals",
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    source_ref = models.CharField(_("12345 work order number"), max_length=50, blank=True, db_index=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"], name="appeals_appeal_idempotent",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]

    # Not stored: True on the appeal handed back for a retried submission (same idempotency key).
    replayed = False

    def __str__(self) -> str:
        return f"{self.masked_code} {self.title}"

    @property
    def masked_code(self) -> str:
        return mask_tracking_code(self.tracking_code)

    @property
    def shown_status(self) -> ShownStatus:
        """Its case's one status (`shown_status`)."""
        return shown_status(self.case)


PHOTO_EXTENSIONS = ("jpg", "png", "webp")


def _photo_name(folder: str, filename: str) -> str:
    """A random name (uuid4) under `folder`/YYYY/MM; the extension is the one re-encoding wrote (never the
    uploader's: anything else becomes .bin and is served as a download)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext if ext in PHOTO_EXTENSIONS else 'bin'}"


def appeal_photo_path(instance: AppealPhoto, filename: str) -> str:
    return _photo_name("appeals", filename)


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=appeal_photo_path)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal photo")
        verbose_name_plural = _("appeal photos")

    def __str__(self) -> str:
        return self.file.name


class Assignment(models.Model):
    """派单: a case given to a unit, as lead (主办) or assisting (协办) unit."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        ASSIST = "assist", _("Assisting unit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Withdrawn")

    ACTIVE_STATUSES = ("pending", "accepted")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["role", "created_at", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="appeals_assign_unit_status")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class CaseEvent(models.Model):
    """One line of a case's timeline: every transition, who, when, and how long since the previous one."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    note = models.TextField(_("note"), blank=True)
    from_status = models.CharField(_("previous status"), max_length=20, blank=True)
    to_status = models.CharField(_("new status"), max_length=20, blank=True)
    duration = models.DurationField(_("time taken"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="appeals_event_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb}"


def event_photo_path(instance: EventPhoto, filename: str) -> str:
    return _photo_name("appeals/progress", filename)


class EventPhoto(models.Model):
    event = models.ForeignKey(CaseEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=event_photo_path)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return self.file.name


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        # Still waiting when the case left the requesting unit's hands (answered, returned, reassigned):
        # nobody has to decide it any more (actions.cases._lapse_extensions).
        LAPSED = "lapsed", _("Lapsed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    old_due_at = models.DateTimeField(_("current deadline"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.new_due_at:%Y-%m-%d %H:%M}"


class ReplyTemplate(models.Model):
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Reply(models.Model):
    """办结答复: the answer every appeal of the case shows to its resident."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("answer"))
    template = models.ForeignKey(
        ReplyTemplate, verbose_name=_("template"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class FollowUp(models.Model):
    """回访: was the resident contacted, is it solved, how satisfied are they. Valid when contacted.

    Only the resident's word counts (see `actions.ratings`): a follow-up caller who does not handle the case,
    the resident on the tracking page with a one-time code sent to the callback phone, or the resident signed
    in to the account that sent the appeal."""

    class Source(models.TextChoices):
        CALLER = "caller", _("Follow-up call")
        RESIDENT_CODE = "resident_code", _("The resident, with a code sent to the callback phone")
        RESIDENT_ACCOUNT = "resident_account", _("The resident, signed in")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_ups")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CALLER)
    contacted = models.BooleanField(_("contacted"))
    solved = models.BooleanField(_("solved"), default=False)
    satisfaction = models.CharField(_("satisfaction"), max_length=30, choices=Case.Satisfaction.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"


class RatingCode(models.Model):
    """A one-time code sent to an appeal's callback phone so the resident may rate it on the tracking page.
    Only a keyed hash of the code is stored; it expires, and a few wrong tries use it up."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="rating_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rating code")
        verbose_name_plural = _("rating codes")
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeals_ratingcode_appeal")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.created_at:%Y-%m-%d %H:%M}"


class Whistle(models.Model):
    """吹哨: a community or subdistrict summons departments to a case or a problem it found."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="whistles")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    whistler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("whistled by"), on_delete=models.PROTECT,
                                 related_name="+")
    whistler_area = models.ForeignKey(Area, verbose_name=_("whistling area"), on_delete=models.PROTECT,
                                      related_name="+")
    whistler_area_path = models.CharField(max_length=255, db_index=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    report_deadline = models.DateTimeField(_("report by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(_("whistled at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class WhistleReport(models.Model):
    """报到: one summoned department's attendance, what it did, and the whistler's rating of it."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        QUALIFIED = "qualified", _("Qualified")
        UNQUALIFIED = "unqualified", _("Unqualified")

    whistle = models.ForeignKey(Whistle, verbose_name=_("whistle"), on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("department"), on_delete=models.PROTECT,
                             related_name="whistle_reports")
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    action_taken = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("rating note"), max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("whistle report")
        verbose_name_plural = _("whistle reports")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="appeals_whistle_unit_once")]

    def __str__(self) -> str:
        return f"{self.whistle} · {self.unit}"

    @property
    def is_late(self) -> bool:
        deadline = self.whistle.report_deadline
        return (self.reported_at or timezone.now()) > deadline
