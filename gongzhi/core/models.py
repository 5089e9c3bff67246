"""The organization tree: areas, party organizations, units, people, roles and the audit log; and the services every
app shares: in-app notifications, API keys for machine clients, links between records of different apps."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    """A login. What the user may see and do comes from their `Grant`s."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class AreaQuerySet(models.QuerySet["Area"]):
    def subtree_of(self, area: Area) -> AreaQuerySet:
        return self.filter(path__startswith=area.path)

    def of_level(self, level: str) -> AreaQuerySet:
        return self.filter(level=level)


class Area(models.Model):
    """One node of the single area tree: city → district → subdistrict → community → estate → grid → building."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        COMMUNITY = "community", _("Community")
        ESTATE = "estate", _("Estate")
        GRID = "grid", _("Grid")
        BUILDING = "building", _("Building")

    # The level each level's children must have.
    CHILD_LEVEL: dict[str, str] = {
        "city": "district",
        "district": "subdistrict",
        "subdistrict": "community",
        "community": "estate",
        "estate": "grid",
        "grid": "building",
    }

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialized path of primary keys, "/1/4/17/": a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    code = models.CharField(_("code"), max_length=30, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    # WGS-84 degrees of the area's centre (an estate's gate, a building), for distances (the 15-minute life
    # circle is about 1 km on foot); empty where unknown.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> models.QuerySet[Area]:
        return Area.objects.filter(pk__in=self.ancestor_ids()).order_by("path")

    def full_name(self) -> str:
        return " / ".join(a.name for a in self.ancestors())

    def ancestor_of_level(self, level: str) -> Area | None:
        return self.ancestors().filter(level=level).first()


class Alliance(models.Model):
    """Communities across district or provincial borders that govern together (跨省毗邻社区生活圈)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    communities = models.ManyToManyField(Area, verbose_name=_("communities"), related_name="alliances")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A department or a member unit stationed in the area."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Government department")
        ENTERPRISE = "enterprise", _("Enterprise")
        INSTITUTION = "institution", _("Public institution")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        PROPERTY_COMPANY = "property_company", _("Property management company")
        OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
        SOCIAL_ORG = "social_org", _("Social organization")
        RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Where the unit sits: for a department, the area it serves; for a member unit, its location.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="units")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class PartyOrg(models.Model):
    """A party organization linked to its area: community committee, estate branch, building group."""

    class Kind(models.TextChoices):
        COMMUNITY_COMMITTEE = "community_committee", _("Community party committee")
        BRANCH = "branch", _("Estate party branch")
        BUILDING_GROUP = "building_group", _("Building party group")

    KIND_FOR_LEVEL: dict[str, str] = {
        "community": "community_committee",
        "estate": "branch",
        "building": "building_group",
    }

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="party_orgs")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organization"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        ordering = ["area__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["area", "kind"], name="partyorg_one_kind_per_area")]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household living in a building."""

    building = models.ForeignKey(
        Area, verbose_name=_("building"), on_delete=models.PROTECT, related_name="households"
    )
    number = models.CharField(_("room number"), max_length=30)
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building__path", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="household_unique_number")]

    def __str__(self) -> str:
        return f"{self.building.name} {self.number}"


class Resident(models.Model):
    """A person living in the area. Phone, ID number and address are personal data: masked by default."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The lowest area known for the resident (usually a building); scoping uses its path.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="residents",
    )
    is_household_head = models.BooleanField(_("household head"), default=False)
    user = models.OneToOneField(
        User, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="resident"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    """A party member, registered at the community where they live (在职党员双报到 for in-service members)."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Resident.Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    joined_on = models.DateField(_("date joined the party"), null=True, blank=True)
    home_area = models.ForeignKey(
        Area, verbose_name=_("home community"), on_delete=models.PROTECT, related_name="party_members"
    )
    party_org = models.ForeignKey(
        PartyOrg, verbose_name=_("party organization"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )
    in_service = models.BooleanField(_("in service"), default=False)
    work_unit = models.ForeignKey(
        Unit, verbose_name=_("work unit"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="party_members",
    )
    resident = models.OneToOneField(
        Resident, verbose_name=_("resident record"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="party_member",
    )
    user = models.OneToOneField(
        User, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="party_member",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["home_area__path", "name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMembership(models.Model):
    """A seat on a community party committee held by someone from a member unit (兼职委员)."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
        MEMBER = "member", _("Committee member")
        PART_TIME_MEMBER = "part_time_member", _("Part-time committee member")

    party_org = models.ForeignKey(
        PartyOrg, verbose_name=_("party organization"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    person_name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.PART_TIME_MEMBER)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the seat was taken and when it ended (with why: a term ended, or removed as title-only, 空挂).
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")

    def __str__(self) -> str:
        return f"{self.party_org} · {self.person_name}"


class LeadHousehold(models.Model):
    """A party-member household (党员中心户), the fourth level under a building group."""

    party_org = models.ForeignKey(
        PartyOrg, verbose_name=_("party organization"), on_delete=models.CASCADE, related_name="lead_households"
    )
    household = models.OneToOneField(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="lead_household"
    )
    party_member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="lead_households"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party-member household")
        verbose_name_plural = _("party-member households")

    def __str__(self) -> str:
        return str(self.household)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def confirmed(self) -> RegistrationQuerySet:
        """What counts: a registration the community confirmed (pending and declined ones give no scope)."""
        return self.filter(status="confirmed")


class Registration(models.Model):
    """双报到: a unit or an in-service party member registers at a community."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("registration", "Awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("registration", "Confirmed")
        DECLINED = "declined", pgettext_lazy("registration", "Declined")

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        PARTY_MEMBER = "party_member", _("Party member")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="registrations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="registrations"
    )
    party_member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="registrations",
    )
    registered_at = models.DateTimeField(_("registered at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A registration made by staff is confirmed at once; one a member or a unit makes itself waits for the
    # community (the service app's registration page), which confirms or declines it with a reason.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(_("reason declined"), max_length=200, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["community", "unit"], name="registration_unit_once"),
            models.UniqueConstraint(fields=["community", "party_member"], name="registration_member_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="unit", unit__isnull=False, party_member__isnull=True)
                    | models.Q(kind="party_member", unit__isnull=True, party_member__isnull=False)
                ),
                name="registration_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        who = self.unit or self.party_member
        return f"{who} → {self.community}"


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("Subdistrict staff")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    UNIT_LIAISON = "unit_liaison", _("Member unit liaison")
    # 回访员: calls residents back about answered cases; handles none (see appeals' follow-up rule).
    FOLLOW_UP_CALLER = "follow_up_caller", _("Follow-up caller")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")


class Grant(models.Model):
    """A role granted at a node of the tree; it covers the node's whole subtree.

    Department handlers and unit liaisons are granted on their unit; the unit's area gives the scope.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="grants")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area", "unit"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.area}"


class AuditEvent(models.Model):
    """Append-only record of every write: who did what, when, and what changed."""

    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    # The area the event belongs to, so admins see the events of their scope.
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, db_index=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


def import_file_path(instance: ImportJob, filename: str) -> str:
    """A random name: an uploaded roster (full personal data) is kept only until its import has run."""
    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """An Excel roster import running in the background, with progress and row-level errors. The uploaded
    file is deleted when the import has run, whatever its outcome (`file` is then empty)."""

    class Kind(models.TextChoices):
        AREAS = "areas", _("Areas")
        UNITS = "units", _("Units")
        PARTY_MEMBERS = "party_members", _("Party members")
        RESIDENTS = "residents", _("Residents")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to=import_file_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    scope_area = models.ForeignKey(Area, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="+")
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.PENDING, self.Status.RUNNING) else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))


class Notification(models.Model):
    """An in-app notification for one user (`gongzhi.core.notifications.notify` creates them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    verb = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notif_user_read")]

    def __str__(self) -> str:
        return self.text


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A key for machine clients (header X-API-Key); only its SHA-256 hash is stored."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.CASCADE,
                             related_name="api_keys")
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user: models.Model, name: str) -> tuple[ApiKey, str]:
        """Create a key; the raw key is returned once and never stored."""
        raw = "gz_" + secrets.token_urlsafe(32)
        key = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_api_key(raw))
        return key, raw


class Link(models.Model):
    """A typed link from one record to another, across apps (a demand came from these appeals, a project answers
    this demand, a resolution settles this dispute). `kind` names the relation, namespaced by the app that makes it
    (`"lists.demand_appeal"`); read both ways with `gongzhi.core.queries.links_from` / `links_to` / `linked`."""

    kind = models.CharField(_("kind"), max_length=50)
    from_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    from_id = models.PositiveBigIntegerField()
    from_object = GenericForeignKey("from_type", "from_id")
    to_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    to_id = models.PositiveBigIntegerField()
    to_object = GenericForeignKey("to_type", "to_id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "from_type", "from_id", "to_type", "to_id"], name="core_link_once"),
        ]
        indexes = [
            models.Index(fields=["from_type", "from_id"], name="core_link_from"),
            models.Index(fields=["to_type", "to_id"], name="core_link_to"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_type_id}/{self.from_id} → {self.to_type_id}/{self.to_id}"
