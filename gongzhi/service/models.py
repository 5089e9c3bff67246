"""Service by party members and volunteers where they live (双报到、设岗定责、服务承诺、时间银行、星级管理).

- Registrations are core's `Registration` (双报到), which carries their status (pending → confirmed / declined);
  `ServiceReport` records the community's yearly report of a unit's members' service back to the unit (双报告).
- `Post` (岗位) with duties, defined by the community; `PostTerm`: a party member holds a post for a term.
- `Pledge` (服务承诺): a member's pledge for a year at a community, public on the community's page, assessed at
  year end (kept / partly / not kept) with evidence.
- `ActivitySeries` (the quarterly party day) makes `Activity`s; `SignUp`s are confirmed or waitlisted (in
  `position` order) and promoted when someone cancels; check-in and check-out give the minutes served, capped at
  the activity's length, which count once the organizer confirms them (`hours_confirmed_at`).
- The time bank (时间银行、公益反哺): `TimeBankAccount` per person (and one per community and per member unit:
  the community's issues credits for verified hours, a provider's receives redeemed credits); every
  `TimeBankTransaction` is two or more `TimeBankEntry`s summing to zero; an account's `balance` is the sum of its
  entries, kept in the same transaction (for locking) and checked (`ledger.check_balances`, the nightly check);
  a person's account never goes below zero (a check constraint); nothing is deleted: a correction is a reversing
  transaction. `Reward`s (services or goods, stock, a credit price) and their `Redemption`s.
- `StarRule` (a community's rules) and `StarRating` (a member's stars for a year, with the breakdown and an
  adjustment with a reason).
- `VolunteerProfile`, `Certificate` (志愿服务记录证明, checked on a public page by its code; superseded when the hours
  it states are corrected) and `ActivityFeedback` (residents' feedback on an activity, phone-verified).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Area, PartyMember, Unit

CREDIT_DIGITS, CREDIT_PLACES = 10, 2


class ServiceReport(models.Model):
    """双报告: the community's report of a unit's registered members' service for a year, sent to the unit."""

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="service_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    members = models.PositiveIntegerField(_("members"), default=0)
    hours = models.DecimalField(_("hours"), default=Decimal(0), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["-year", "unit__name"]

    def __str__(self) -> str:
        return f"{self.community} · {self.unit} · {self.year}"


class Post(models.Model):
    """设岗定责: a post at the community (楼栋长, 政策宣传员, 矛盾调解员, 文明引导员, …) with its duties."""

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    # Where the post serves, down to a building (the community itself when blank).
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("post"), max_length=50)
    duties = models.TextField(_("duties"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PostTerm(models.Model):
    """A party member holds a post from `starts_on` to `ends_on`; `ended_on` when they leave it early."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="terms")
    party_member = models.ForeignKey(PartyMember, verbose_name=_("party member"), on_delete=models.PROTECT,
                                     related_name="post_terms")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("post term")
        verbose_name_plural = _("post terms")
        ordering = ["-starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="post_term_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.post} · {self.party_member}"


class Pledge(models.Model):
    """服务承诺: what a member pledges to do for the year; assessed at year end with evidence."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("pledge", "In progress")
        KEPT = "kept", pgettext_lazy("pledge", "Kept")
        PARTLY = "partly", pgettext_lazy("pledge", "Partly kept")
        NOT_KEPT = "not_kept", pgettext_lazy("pledge", "Not kept")

    party_member = models.ForeignKey(PartyMember, verbose_name=_("party member"), on_delete=models.PROTECT,
                                     related_name="pledges")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.CharField(_("pledge"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(_("evidence"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-year", "party_member__name", "id"]
        indexes = [models.Index(fields=["community", "year"], name="pledge_community_year")]

    def __str__(self) -> str:
        return self.text


class ActivityKind(models.TextChoices):
    PARTY_DAY = "party_day", _("Party day service")
    VOLUNTEER = "volunteer", _("Volunteer event")
    CLEAN_UP = "clean_up", _("Clean-up")
    ELDERLY_VISIT = "elderly_visit", _("Visit to elderly residents")
    OTHER = "other", _("Other activity")


class ActivitySeries(models.Model):
    """A recurring activity (the quarterly party day): every `every_months` months from `first_starts_at`."""

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.PARTY_DAY)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200)
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    first_starts_at = models.DateTimeField(_("first activity starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recurring activity")
        verbose_name_plural = _("recurring activities")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """One activity with time, place, capacity, who may join and the skills it needs."""

    class Status(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("activity", "Open for sign-up")
        CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")
        CLOSED = "closed", pgettext_lazy("activity", "Hours confirmed")

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(ActivitySeries, verbose_name=_("recurring activity"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.VOLUNTEER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # A venue's name or an address (the venues app links its rooms here when it comes).
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    open_to_party_members = models.BooleanField(_("party members may join"), default=True)
    open_to_volunteers = models.BooleanField(_("volunteers may join"), default=True)
    open_to_residents = models.BooleanField(_("residents may join"), default=False)
    skills = models.CharField(_("skills needed"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("organizer"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="organized_activities")
    # The secret the rotating check-in codes are made from (lib.rotating_codes); never shown.
    checkin_secret = models.CharField(max_length=64)
    # The random code of the residents' public feedback page (/service/feedback/<code>/): no database id in it.
    public_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="activity_ends_after_start")]
        indexes = [models.Index(fields=["community", "starts_at"], name="activity_community_starts")]

    def __str__(self) -> str:
        return self.title

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUp(models.Model):
    """A person's place on an activity: confirmed, waitlisted (in `position` order) or cancelled; check-in and
    check-out; the minutes served (capped at the activity's length), counted once confirmed."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("signup", "Signed up")
        WAITLISTED = "waitlisted", pgettext_lazy("signup", "On the waitlist")
        CANCELLED = "cancelled", pgettext_lazy("signup", "Cancelled")

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="activity_signups")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # The waitlist order (the lowest is promoted first); 0 once confirmed.
    position = models.PositiveIntegerField(_("waitlist position"), default=0)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes served"), default=0)
    hours_confirmed_at = models.DateTimeField(_("hours confirmed at"), null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    correction_reason = models.CharField(_("correction reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "status", "position", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], condition=~Q(status="cancelled"),
                                    name="signup_once_per_activity"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="signup_user_status")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.user}"

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


class TimeBankAccount(models.Model):
    """An account: a person's, a community's (it issues the credits of verified hours, and receives what its own
    rewards cost), or a member unit's (it receives what its rewards cost)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Personal account")
        COMMUNITY = "community", _("Community account")
        UNIT = "unit", _("Member unit account")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account holder"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="time_bank_account")
    unit = models.OneToOneField(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="time_bank_account")
    # A person's home community (scoping and alliance transfers); the community of a community's account; the
    # unit's community for a unit's.
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    # The sum of the account's entries, kept by ledger.post() in the same transaction (the row is what two
    # racing movements lock) and checked against the entries by ledger.check_balances().
    balance = models.DecimalField(_("balance"), default=Decimal(0), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("time bank account")
        verbose_name_plural = _("time bank accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0) | Q(kind="community"),
                                   name="time_bank_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="person", user__isnull=False, unit__isnull=True)
                           | Q(kind="community", user__isnull=True, unit__isnull=True)
                           | Q(kind="unit", user__isnull=True, unit__isnull=False)),
                name="time_bank_account_owner_matches"),
            models.UniqueConstraint(fields=["area"], condition=Q(kind="community"),
                                    name="time_bank_one_community_account"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.PERSON and self.user is not None:
            return str(self.user)
        if self.kind == self.Kind.UNIT and self.unit is not None:
            return str(self.unit)
        return str(self.area)


class TimeBankTransaction(models.Model):
    """One movement: its entries sum to zero. A reversal points at what it reverses (once)."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("Credits for verified hours")
        TRANSFER = "transfer", _("Transfer")
        REDEMPTION = "redemption", _("Redemption")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    memo = models.CharField(_("memo"), max_length=200)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    signup = models.ForeignKey(SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("time bank transaction")
        verbose_name_plural = _("time bank transactions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.memo


class TimeBankEntry(models.Model):
    """One side of a movement: a signed amount of credits (hours) on one account. Never updated or deleted."""

    transaction = models.ForeignKey(TimeBankTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(TimeBankAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("amount"), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("time bank entry")
        verbose_name_plural = _("time bank entries")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="time_bank_entry_not_zero")]
        indexes = [models.Index(fields=["account", "created_at"], name="entry_account_created")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class Reward(models.Model):
    """公益反哺: a service or goods the community or a member unit offers for credits, with stock."""

    class Kind(models.TextChoices):
        SERVICE = "service", pgettext_lazy("reward kind", "Service")
        GOODS = "goods", pgettext_lazy("reward kind", "Goods")

    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    # The provider: a member unit, or (blank) the community itself.
    unit = models.ForeignKey(Unit, verbose_name=_("provider"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rewards")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    title = models.CharField(_("reward"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price (credits)"), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    stock = models.PositiveIntegerField(_("stock"))
    active = models.BooleanField(_("on offer"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-active", "price", "id"]
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="reward_price_positive")]

    def __str__(self) -> str:
        return self.title


class Redemption(models.Model):
    """A person redeems a reward: the credits move to the provider at once; the provider confirms delivery, or the
    redemption is cancelled (a reversal gives the credits back and the item returns to stock)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("redemption", "Awaiting delivery")
        DELIVERED = "delivered", pgettext_lazy("redemption", "Delivered")
        CANCELLED = "cancelled", pgettext_lazy("redemption", "Cancelled")

    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="redemptions")
    price = models.DecimalField(_("price (credits)"), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    transaction = models.OneToOneField(TimeBankTransaction, on_delete=models.PROTECT, related_name="redemption")
    created_at = models.DateTimeField(_("redeemed at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reward} · {self.user}"


class StarRule(models.Model):
    """A community's star rules: points per measure, and the points each number of stars needs."""

    community = models.OneToOneField(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    points_per_hour = models.DecimalField(_("points per hour served"), max_digits=6, decimal_places=2,
                                          default=Decimal(2))
    points_per_party_day = models.DecimalField(_("points per party day attended"), max_digits=6, decimal_places=2,
                                               default=Decimal(10))
    points_per_pledge_kept = models.DecimalField(_("points per pledge kept"), max_digits=6, decimal_places=2,
                                                 default=Decimal(10))
    points_per_post = models.DecimalField(_("points per post held"), max_digits=6, decimal_places=2,
                                          default=Decimal(10))
    points_per_feedback = models.DecimalField(_("points per point of residents' feedback above 3"), max_digits=6,
                                              decimal_places=2, default=Decimal(5))
    two_stars = models.PositiveSmallIntegerField(_("points for 2 stars"), default=20)
    three_stars = models.PositiveSmallIntegerField(_("points for 3 stars"), default=40)
    four_stars = models.PositiveSmallIntegerField(_("points for 4 stars"), default=60)
    five_stars = models.PositiveSmallIntegerField(_("points for 5 stars"), default=80)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("star rules")
        verbose_name_plural = _("star rules")
        constraints = [models.CheckConstraint(
            condition=Q(two_stars__lte=models.F("three_stars"), three_stars__lte=models.F("four_stars"),
                        four_stars__lte=models.F("five_stars")),
            name="star_rule_thresholds_ordered")]

    def __str__(self) -> str:
        return str(self.community)


class StarRating(models.Model):
    """A party member's stars for a year at a community: computed from the rules (with the breakdown), adjusted by
    the community with a reason."""

    party_member = models.ForeignKey(PartyMember, verbose_name=_("party member"), on_delete=models.PROTECT,
                                     related_name="star_ratings")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, default=Decimal(0))
    computed_stars = models.PositiveSmallIntegerField(_("computed stars"), default=1)
    # {"hours": {"value": .., "points": ..}, "party_days": …, "pledges_kept": …, "posts": …, "feedback": …}
    breakdown = models.JSONField(_("breakdown"), default=dict)
    adjusted_stars = models.PositiveSmallIntegerField(_("adjusted stars"), null=True, blank=True)
    adjust_reason = models.CharField(_("reason"), max_length=200, blank=True)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    adjusted_at = models.DateTimeField(_("adjusted at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["-year", "party_member__name"]
        constraints = [
            models.UniqueConstraint(fields=["party_member", "community", "year"], name="star_rating_once"),
            models.CheckConstraint(condition=Q(computed_stars__gte=1, computed_stars__lte=5),
                                   name="star_rating_computed_1_to_5"),
            models.CheckConstraint(condition=Q(adjusted_stars__isnull=True)
                                   | Q(adjusted_stars__gte=1, adjusted_stars__lte=5),
                                   name="star_rating_adjusted_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.party_member} · {self.year}"

    @property
    def stars(self) -> int:
        return self.adjusted_stars if self.adjusted_stars is not None else self.computed_stars


class VolunteerProfile(models.Model):
    """A volunteer's profile: skills, availability, the organisation they serve with; the ID number is personal
    data (masked by default; the certificate shows it masked)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("volunteer"), on_delete=models.CASCADE,
                                related_name="volunteer_profile")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")

    def __str__(self) -> str:
        return str(self.user)


class Certificate(models.Model):
    """志愿服务记录证明: what it stated when issued (name, masked ID, organisation, period, content, hours), checked
    by anyone at /service/certificates/<code>/; superseded when an hour it counts is corrected."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                             related_name="service_certificates")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    masked_id = models.CharField(_("ID number"), max_length=18, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    content = models.TextField(_("service content"))
    hours = models.DecimalField(_("hours"), max_digits=CREDIT_DIGITS, decimal_places=CREDIT_PLACES)
    # The sign-ups counted, so a correction of one of them supersedes the certificate.
    signups = models.ManyToManyField(SignUp, related_name="certificates", blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.code


class ActivityFeedback(models.Model):
    """A resident's feedback on an activity (1–5), once per verified phone: feeds the members' stars."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="feedback")
    phone_hash = models.CharField(max_length=64)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity feedback")
        verbose_name_plural = _("activity feedback")
        constraints = [
            models.UniqueConstraint(fields=["activity", "phone_hash"], name="activity_feedback_once_per_phone"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="activity_feedback_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.score}"

