"""Residents' councils that deliberate and vote (居民议事会).

- `Council`: one per community, with its voting rules: a quorum (the share of serving councillors who must vote),
  the majority (simple or two thirds), whether abstentions count in the denominator, open or secret ballot.
- `Councillor` (议事员): a resident elected or appointed for a term; a renewed term is a new row (`renews`).
- `Proposal` (提案): from a resident (phone form, verified phone) or a councillor; deliberated in public with
  `Comment`s (moderated: hidden with a reason, never deleted), then voted on; the outcome is kept on the proposal and
  a passed proposal can become a demand or a project.
- `Vote`: one per councillor and proposal (who voted, and for an open ballot how); a secret ballot's choices are
  `SecretChoice` rows with no councillor on them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Area, Resident


class Council(models.Model):
    class Majority(models.TextChoices):
        SIMPLE = "simple", _("Simple majority (more than half)")
        TWO_THIRDS = "two_thirds", _("Two-thirds majority")

    class Ballot(models.TextChoices):
        OPEN = "open", _("Open ballot")
        SECRET = "secret", _("Secret ballot")

    area = models.OneToOneField(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="council")
    name = models.CharField(_("name"), max_length=100)
    # Share of the councillors serving when voting opens who must vote for the vote to count (0.5 → half).
    quorum = models.DecimalField(_("quorum"), max_digits=3, decimal_places=2, default=Decimal("0.50"))
    majority = models.CharField(_("majority"), max_length=20, choices=Majority.choices, default=Majority.SIMPLE)
    abstentions_count = models.BooleanField(_("abstentions count in the denominator"), default=True)
    ballot = models.CharField(_("ballot"), max_length=20, choices=Ballot.choices, default=Ballot.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("residents' council")
        verbose_name_plural = _("residents' councils")

    def __str__(self) -> str:
        return self.name

    @property
    def quorum_display(self) -> str:
        """The quorum as people read it: 0.50 → 50%."""
        percent = (self.quorum * 100).normalize()
        return f"{percent:f}%"


class Councillor(models.Model):
    class How(models.TextChoices):
        ELECTED = "elected", _("Elected")
        APPOINTED = "appointed", _("Appointed")

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.CASCADE,
                                related_name="councillors")
    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT,
                                 related_name="councillor_terms")
    # The account the councillor signs in with (votes, moderation), if they have one.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="councillor_terms")
    how = models.CharField(_("how"), max_length=20, choices=How.choices, default=How.ELECTED)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    renews = models.ForeignKey("self", verbose_name=_("renews"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="renewals")
    ended_early_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("councillor")
        verbose_name_plural = _("councillors")
        ordering = ["council", "-term_end", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(term_end__gte=models.F("term_start")),
                                              name="councillor_term_ends_after_start")]

    def __str__(self) -> str:
        return self.resident.name

    def serving_on(self, day: object = None) -> bool:
        """Serving that day (today when None): within the term and not left early."""
        day = day or timezone.localdate()
        if self.ended_early_on is not None and self.ended_early_on <= day:  # type: ignore[operator]
            return False
        return self.term_start <= day <= self.term_end  # type: ignore[operator]


class Proposal(models.Model):
    class Status(models.TextChoices):
        DELIBERATION = "deliberation", _("In deliberation")
        VOTING = "voting", _("Open for voting")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")

    class ProposerKind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        COUNCILLOR = "councillor", _("Councillor")

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.PROTECT,
                                related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"))
    proposer_kind = models.CharField(_("proposed by"), max_length=20, choices=ProposerKind.choices)
    proposer_councillor = models.ForeignKey(Councillor, null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="proposals")
    # A resident without an account: the name they gave (shown) and the hash of the verified phone (never the number).
    proposer_name = models.CharField(_("proposer's name"), max_length=50)
    proposer_phone_hash = models.CharField(max_length=64, blank=True)
    proposer_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DELIBERATION,
                              db_index=True)
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes at"), null=True, blank=True)
    # The count when voting closed: {"serving": n, "yes": a, "no": b, "abstain": c, "quorum_met": bool, ...}.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    demand = models.ForeignKey("lists.Demand", verbose_name=_("demand"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("lists.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
                                 related_name="comments")
    body = models.TextField(_("comment"))
    author_name = models.CharField(_("name"), max_length=50)
    phone_hash = models.CharField(max_length=64, blank=True)
    councillor = models.ForeignKey(Councillor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("why it was hidden"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["proposal", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]


class Vote(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("For")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
                                 related_name="votes")
    councillor = models.ForeignKey(Councillor, verbose_name=_("councillor"), on_delete=models.PROTECT,
                                   related_name="votes")
    # Empty for a secret ballot (the choice is a SecretChoice row with no councillor).
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices, blank=True)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["proposal", "councillor"], name="one_vote_per_councillor")]

    def __str__(self) -> str:
        return f"{self.councillor_id}→{self.proposal_id}"


class SecretChoice(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="secret_choices")
    choice = models.CharField(max_length=10, choices=Vote.Choice.choices)

    class Meta:
        verbose_name = _("secret ballot")
        verbose_name_plural = _("secret ballots")

    def __str__(self) -> str:
        return str(self.get_choice_display())
