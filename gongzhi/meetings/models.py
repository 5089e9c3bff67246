"""Joint meetings that decide and follow up (联席会议、议事定事、述职).

- `MeetingSeries`: a schedule that recurs (every N months from a first meeting); an alliance's series rotates the
  host among its communities in `rotation` order (党建轮值联席会议). `Meeting.rotation_index` records whose turn a
  meeting was, so a skipped or moved meeting keeps the order right.
- `Meeting`: one meeting of a kind (community committee joint meeting, alliance meeting, residents' council meeting,
  ad hoc) at its host community; sign-in by a QR code (`checkin_token`) or a short code (`checkin_code`).
- `Invitation`: a member unit (its liaison and part-time committee member) or a person, with attendance.
- `AgendaItem`: an item, proposed automatically from what waits in the community (with the reason) or added by
  the organizer; `RaisedItem`: what a member unit or a resident raised for the next meeting (a form each).
- `Resolution` (决议): how the problem is solved, the task, the responsible units, the deadline, and links to the
  case, demand or project it concerns; tracked with `ResolutionUpdate`s to completion with evidence.
- `DutyReport` (述职): a member unit's report before a meeting, prefilled with what it claimed or was assigned
  since the last one (`DutyReportItem`s).
- `Minutes` (会议纪要): versions; a signed-off version never changes, a correction is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Alliance, Area, Unit


class MeetingKind(models.TextChoices):
    COMMITTEE = "committee", _("Community committee joint meeting")
    ALLIANCE = "alliance", _("Alliance rotating joint meeting")
    COUNCIL = "council", _("Residents' council meeting")
    AD_HOC = "ad_hoc", _("Ad hoc meeting")


class MeetingSeries(models.Model):
    """A recurring schedule: every `every_months` months from `first_starts_at`, at the host community."""

    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # The community whose meetings these are (for an alliance: the community that set the series up).
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="meeting_series")
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    first_starts_at = models.DateTimeField(_("first meeting starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # An alliance's host order: community ids, the first hosts the first meeting.
    rotation = models.JSONField(_("rotation"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
        HELD = "held", pgettext_lazy("meeting status", "Held")
        SKIPPED = "skipped", pgettext_lazy("meeting status", "Skipped")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")

    series = models.ForeignKey(MeetingSeries, verbose_name=_("series"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="meetings")
    # The n-th meeting of its series (1, 2, ...), and for an alliance the index into the rotation whose turn it is.
    number = models.PositiveIntegerField(_("number"), default=1)
    rotation_index = models.PositiveIntegerField(_("rotation index"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    # The host community (for an alliance meeting: whose turn it is).
    area = models.ForeignKey(Area, verbose_name=_("host community"), on_delete=models.PROTECT,
                             related_name="meetings")
    alliance = models.ForeignKey(Alliance, verbose_name=_("alliance"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("online link"), max_length=300, blank=True)
    host_name = models.CharField(_("host"), max_length=50, blank=True)
    recorder_name = models.CharField(_("recorder"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED,
                              db_index=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("organizer"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # Sign-in: the QR code's link carries the token; the short code is typed on a phone.
    checkin_token = models.CharField(max_length=32, unique=True, editable=False)
    checkin_code = models.CharField(_("sign-in code"), max_length=8, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")),
                                              name="meeting_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    class Attendance(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    class Role(models.TextChoices):
        UNIT = "unit", _("Member unit")
        PART_TIME_MEMBER = "part_time_member", _("Part-time committee member")
        PERSON = "person", _("Person")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="invitations")
    role = models.CharField(_("invited as"), max_length=20, choices=Role.choices, default=Role.UNIT)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="meeting_invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="meeting_invitations")
    name = models.CharField(_("name"), max_length=100)
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices,
                                  default=Attendance.INVITED)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "role", "name", "id"]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    class Source(models.TextChoices):
        DEMAND = "demand", _("Open demand")
        OVERDUE_CASE = "overdue_case", _("Overdue case")
        REOPENED_CASE = "reopened_case", _("Repeatedly reopened case")
        HOT_ISSUE = "hot_issue", _("Hot issue")
        RESOLUTION = "resolution", _("Unfinished resolution")
        PROJECT = "project", _("Project behind schedule")
        RAISED = "raised", _("Raised by a member unit or a resident")
        MANUAL = "manual", _("Added by the organizer")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    # What it came from, as "app.model:id" (e.g. "lists.demand:12", "appeals.case:7", "meetings.resolution:3").
    source_key = models.CharField(max_length=60, blank=True, db_index=True)
    # Why it was proposed, in Chinese ("32 位居民反映", "超期 12 天", ...).
    reason = models.CharField(_("why it was proposed"), max_length=300, blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class RaisedItem(models.Model):
    """A matter a member unit or a resident raised for the next meeting of a community."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("raised item status", "New")
        ON_AGENDA = "on_agenda", _("On an agenda")
        DECLINED = "declined", _("Declined")

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT,
                             related_name="raised_items")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    raised_by_unit = models.ForeignKey(Unit, verbose_name=_("raised by unit"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    raised_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    # A resident without an account: a name and the hash of the verified phone (never the number).
    raised_by_name = models.CharField(_("raised by"), max_length=50, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="raised_items")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("raised item")
        verbose_name_plural = _("raised items")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("resolution status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("resolution status", "In progress")
        DONE = "done", pgettext_lazy("resolution status", "Done")
        CANCELLED = "cancelled", pgettext_lazy("resolution status", "Cancelled")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="resolutions")
    agenda_item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="resolutions")
    # The community it is tracked in (the meeting's host, or the community of what it concerns).
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    approach = models.TextField(_("how it will be solved"))
    task = models.CharField(_("task"), max_length=300)
    units = models.ManyToManyField(Unit, verbose_name=_("responsible units"), related_name="meeting_resolutions")
    due_on = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # What it concerns (a resolution can also create a demand or a project).
    case = models.ForeignKey("appeals.Case", verbose_name=_("case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    demand = models.ForeignKey("lists.Demand", verbose_name=_("demand"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("lists.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    evidence = models.TextField(_("evidence of completion"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.task

    @property
    def overdue(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS) and self.due_on < timezone.localdate()


class ResolutionUpdate(models.Model):
    resolution = models.ForeignKey(Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE,
                                   related_name="updates")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    note = models.TextField(_("note"))
    completes = models.BooleanField(_("marks it done"), default=False)
    photo = models.ImageField(_("photo"), upload_to="meetings/evidence/%Y/%m/", null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("resolution update")
        verbose_name_plural = _("resolution updates")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.note[:30]


class DutyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("duty report status", "Not submitted")
        SUBMITTED = "submitted", pgettext_lazy("duty report status", "Submitted")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="duty_reports")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="duty_reports")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    # The period it covers: since the last meeting of the series (or 90 days), to this one.
    period_start = models.DateTimeField(_("since"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")
        ordering = ["meeting", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="one_duty_report_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.meeting}"


class DutyReportItem(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        PROJECT = "project", _("Project")
        WHISTLE = "whistle", _("Whistle answered")
        CASE = "case", _("Case handled")
        SERVICE = "service", _("Service by party members")
        OTHER = "other", _("Other")

    report = models.ForeignKey(DutyReport, verbose_name=_("duty report"), on_delete=models.CASCADE,
                               related_name="items")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_key = models.CharField(max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    # What the prefill said (status, progress, deadline), in Chinese.
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    progress_note = models.TextField(_("progress and notes"), blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("duty report item")
        verbose_name_plural = _("duty report items")
        ordering = ["report", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("minutes status", "Draft")
        SIGNED_OFF = "signed_off", pgettext_lazy("minutes status", "Signed off")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="minutes")
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the document says besides the meeting's own records: a summary and the discussion of each item
    # ({"summary": "...", "items": {"<agenda item id>": "..."}}); attendees, resolutions come from the records,
    # frozen into `snapshot` when signed off.
    body = models.JSONField(_("content"), default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    correction_note = models.CharField(_("what this version corrects"), max_length=300, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting", "-version"]
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="one_minutes_per_version")]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"


class CalendarFeed(models.Model):
    """A user's personal calendar feed (/meetings/feed/<token>.ics): the meetings they are invited to. The token is
    the only key (calendar apps send no cookie); it can be renewed, which ends the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed")
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
