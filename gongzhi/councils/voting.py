"""The count of a council's vote (表决计票): pure functions, no database.

`count(rules, electorate, votes)` gives the `Outcome` of a vote under the council's `Rules`:

- **Electorate.** The councillors serving when voting opened (`electorate`, a number). It is fixed when voting opens
  and is the base of the quorum. A councillor whose term ends while voting is open stays in that base (the council
  was that size when the question was put) but can no longer vote once their term is over: `do_cast_vote` refuses a
  vote from anyone not serving on the day they cast it (a vote cast while still serving counts). A councillor who
  starts a term after voting opened is not in the electorate and does not vote on that proposal.
- **Quorum.** At least `ceil(quorum × electorate)` councillors must vote (abstentions are votes cast: they count
  towards the quorum whatever the majority rule). A quorum of 0 still needs one vote. No councillors at all: no vote
  can pass.
- **Majority.** Over the denominator — votes for + against, plus abstentions when `abstentions_count` — a simple
  majority passes with more than half (`2 × for > denominator`), a two-thirds majority with at least two thirds
  (`3 × for ≥ 2 × denominator`: exactly two thirds passes). Exact integer arithmetic, no floats.
- **Ties.** For = against is never passed (平票未通过), whatever the rule.
- **Nothing to count.** Only abstentions while abstentions do not count: not passed (无有效的赞成或反对票).

Open and secret ballots are counted alike; the ballot only changes what is stored (see `actions.voting`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

YES, NO, ABSTAIN = "yes", "no", "abstain"
CHOICES = (YES, NO, ABSTAIN)
SIMPLE, TWO_THIRDS = "simple", "two_thirds"

# Why a vote ended as it did (kept in the outcome; the sentence is made from it when shown).
PASSED = "passed"
NO_COUNCILLORS = "no_councillors"
NO_QUORUM = "no_quorum"
NO_VALID_VOTES = "no_valid_votes"
TIE = "tie"
NO_MAJORITY = "no_majority"
NO_TWO_THIRDS = "no_two_thirds"
REASONS = (PASSED, NO_COUNCILLORS, NO_QUORUM, NO_VALID_VOTES, TIE, NO_MAJORITY, NO_TWO_THIRDS)


@dataclass(frozen=True)
class Rules:
    quorum: Decimal | Fraction | float | int = Decimal("0.5")
    majority: str = SIMPLE
    abstentions_count: bool = True
    ballot: str = "open"

    def __post_init__(self) -> None:
        if self.majority not in (SIMPLE, TWO_THIRDS):
            raise ValueError(f"unknown majority {self.majority!r}")
        if not 0 <= _fraction(self.quorum) <= 1:
            raise ValueError(f"quorum must lie between 0 and 1, not {self.quorum!r}")

    @classmethod
    def of(cls, council: Any) -> Rules:
        """The rules of a `Council` row."""
        return cls(quorum=council.quorum, majority=council.majority, abstentions_count=council.abstentions_count,
                   ballot=council.ballot)


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @classmethod
    def of(cls, choices: Iterable[str]) -> Tally:
        counts = dict.fromkeys(CHOICES, 0)
        for choice in choices:
            if choice not in counts:
                raise ValueError(f"unknown choice {choice!r}")
            counts[choice] += 1
        return cls(yes=counts[YES], no=counts[NO], abstain=counts[ABSTAIN])


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: str
    electorate: int
    quorum_needed: int
    quorum_met: bool
    yes: int
    no: int
    abstain: int
    denominator: int
    majority: str
    abstentions_count: bool
    yes_needed: int  # the fewest votes for that would have passed with this denominator (0 when nothing counts)

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def text(self) -> str:
        return describe(self.as_json())

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "cast": self.cast}


def _fraction(value: Decimal | Fraction | float | int) -> Fraction:
    return Fraction(str(value)) if isinstance(value, (Decimal, float)) else Fraction(value)


def quorum_needed(quorum: Decimal | Fraction | float | int, electorate: int) -> int:
    """How many councillors must vote: ceil(quorum × electorate), and at least one when there is anyone."""
    if electorate <= 0:
        return 0
    share = _fraction(quorum) * electorate
    needed = share.numerator // share.denominator + (1 if share.numerator % share.denominator else 0)
    return max(1, needed)


def yes_needed(majority: str, denominator: int) -> int:
    """The fewest votes for that pass over `denominator` counted votes."""
    if denominator <= 0:
        return 0
    if majority == TWO_THIRDS:
        return -(-2 * denominator // 3)  # ceil(2d/3): 3·yes ≥ 2·d
    return denominator // 2 + 1  # 2·yes > d


def count(rules: Rules, electorate: int, tally: Tally | Iterable[str]) -> Outcome:
    """The outcome of a vote: `electorate` councillors serving when voting opened, the votes cast (a Tally, or the
    choices "yes" / "no" / "abstain")."""
    if not isinstance(tally, Tally):
        tally = Tally.of(tally)
    if electorate < 0:
        raise ValueError("electorate must not be negative")
    if tally.cast > electorate:
        raise ValueError(f"{tally.cast} votes from an electorate of {electorate}")
    needed = quorum_needed(rules.quorum, electorate)
    quorum_met = electorate > 0 and tally.cast >= needed
    denominator = tally.yes + tally.no + (tally.abstain if rules.abstentions_count else 0)
    to_pass = yes_needed(rules.majority, denominator)
    if electorate == 0:
        reason = NO_COUNCILLORS
    elif not quorum_met:
        reason = NO_QUORUM
    elif denominator == 0 or tally.yes + tally.no == 0:
        reason = NO_VALID_VOTES
    elif tally.yes == tally.no:
        reason = TIE
    elif tally.yes >= to_pass:
        reason = PASSED
    else:
        reason = NO_TWO_THIRDS if rules.majority == TWO_THIRDS else NO_MAJORITY
    return Outcome(passed=reason == PASSED, reason=reason, electorate=electorate, quorum_needed=needed,
                   quorum_met=quorum_met, yes=tally.yes, no=tally.no, abstain=tally.abstain,
                   denominator=denominator, majority=rules.majority, abstentions_count=rules.abstentions_count,
                   yes_needed=to_pass)


def describe(outcome: dict[str, Any]) -> str:
    """The outcome in one Chinese sentence, from its JSON (what `Proposal.outcome` keeps)."""
    if not outcome or "reason" not in outcome:
        return ""
    n = {k: outcome.get(k, 0) for k in ("electorate", "quorum_needed", "yes", "no", "abstain", "denominator",
                                         "yes_needed", "cast")}
    reason = outcome["reason"]
    if reason == NO_COUNCILLORS:
        return _("Not passed: the council had no serving councillors when voting opened.")
    if reason == NO_QUORUM:
        return _("Not passed: quorum not reached (%(cast)d of %(electorate)d councillors voted, %(quorum_needed)d "
                 "needed).") % n
    counts = _("%(yes)d for, %(no)d against, %(abstain)d abstaining") % n
    if reason == NO_VALID_VOTES:
        return _("Not passed: no votes for or against (%(counts)s).") % {"counts": counts}
    if reason == TIE:
        return _("Not passed: a tied vote (%(counts)s).") % {"counts": counts}
    if reason == NO_MAJORITY:
        return _("Not passed: the votes for are not more than half (%(counts)s; %(yes_needed)d of %(denominator)d "
                 "needed).") % {**n, "counts": counts}
    if reason == NO_TWO_THIRDS:
        return _("Not passed: the votes for fall short of two thirds (%(counts)s; %(yes_needed)d of "
                 "%(denominator)d needed).") % {**n, "counts": counts}
    return _("Passed (%(counts)s; %(yes_needed)d of %(denominator)d needed).") % {**n, "counts": counts}
