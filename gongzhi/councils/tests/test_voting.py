"""The count of a council's vote (gongzhi.councils.voting): quorum, majorities, ties, abstentions both ways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.councils import voting
from gongzhi.councils.voting import Rules, Tally, count

SIMPLE = Rules(quorum=Decimal("0.5"), majority="simple", abstentions_count=True)
SIMPLE_NO_ABSTAIN = Rules(quorum=Decimal("0.5"), majority="simple", abstentions_count=False)
TWO_THIRDS = Rules(quorum=Decimal("0.5"), majority="two_thirds", abstentions_count=True)


def test_it_passes_a_simple_majority() -> None:
    outcome = count(SIMPLE, 7, Tally(yes=3, no=1))
    assert outcome.passed and outcome.reason == "passed"
    assert outcome.quorum_needed == 4 and outcome.quorum_met and outcome.yes_needed == 3
    assert "通过" in outcome.text and "赞成3票" in outcome.text


def test_it_fails_without_quorum() -> None:
    outcome = count(SIMPLE, 7, Tally(yes=3))
    assert not outcome.passed and outcome.reason == "no_quorum" and not outcome.quorum_met
    assert "未达法定人数" in outcome.text and "7" in outcome.text and "4" in outcome.text


def test_quorum_is_rounded_up() -> None:
    assert voting.quorum_needed(Decimal("0.5"), 7) == 4
    assert voting.quorum_needed(Decimal("0.5"), 8) == 4
    assert voting.quorum_needed(Decimal("0.67"), 3) == 3
    assert voting.quorum_needed(Decimal("0"), 5) == 1
    assert voting.quorum_needed(Decimal("1"), 5) == 5
    assert voting.quorum_needed(Decimal("0.5"), 0) == 0


def test_quorum_exactly_met_counts() -> None:
    assert count(SIMPLE, 8, Tally(yes=3, no=1)).quorum_met


def test_a_tie_never_passes() -> None:
    for rules in (SIMPLE, SIMPLE_NO_ABSTAIN, TWO_THIRDS):
        outcome = count(rules, 6, Tally(yes=2, no=2))
        assert not outcome.passed and outcome.reason == "tie"
        assert "平票未通过" in outcome.text


def test_a_tie_with_abstentions_not_counted_is_still_a_tie() -> None:
    outcome = count(SIMPLE_NO_ABSTAIN, 7, Tally(yes=2, no=2, abstain=3))
    assert outcome.reason == "tie" and outcome.denominator == 4


def test_abstentions_counted_can_sink_a_proposal() -> None:
    tally = Tally(yes=3, no=2, abstain=2)
    counted = count(SIMPLE, 7, tally)
    assert not counted.passed and counted.reason == "no_majority" and counted.denominator == 7
    assert "赞成票未过半数" in counted.text
    not_counted = count(SIMPLE_NO_ABSTAIN, 7, tally)
    assert not_counted.passed and not_counted.denominator == 5


def test_abstentions_count_towards_the_quorum_either_way() -> None:
    tally = Tally(yes=1, abstain=3)
    assert count(SIMPLE_NO_ABSTAIN, 7, tally).quorum_met
    assert count(SIMPLE_NO_ABSTAIN, 7, tally).passed  # 1 for, 0 against among counted votes
    assert not count(SIMPLE, 7, tally).passed


def test_only_abstentions_is_not_passed() -> None:
    for rules in (SIMPLE, SIMPLE_NO_ABSTAIN):
        outcome = count(rules, 5, Tally(abstain=4))
        assert not outcome.passed and outcome.reason == "no_valid_votes"
        assert "没有赞成或反对票" in outcome.text


def test_two_thirds_exactly_passes() -> None:
    outcome = count(TWO_THIRDS, 6, Tally(yes=4, no=2))
    assert outcome.passed and outcome.yes_needed == 4


def test_just_under_two_thirds_fails() -> None:
    outcome = count(TWO_THIRDS, 9, Tally(yes=5, no=3))
    assert not outcome.passed and outcome.reason == "no_two_thirds" and outcome.yes_needed == 6
    assert "三分之二" in outcome.text


def test_two_thirds_with_abstentions_counted_or_not() -> None:
    tally = Tally(yes=4, no=2, abstain=1)
    assert not count(TWO_THIRDS, 7, tally).passed
    assert count(Rules(quorum=Decimal("0.5"), majority="two_thirds", abstentions_count=False), 7, tally).passed


def test_zero_councillors() -> None:
    outcome = count(SIMPLE, 0, Tally())
    assert not outcome.passed and outcome.reason == "no_councillors" and outcome.quorum_needed == 0
    assert "没有在任议事员" in outcome.text


def test_no_votes_at_all() -> None:
    outcome = count(Rules(quorum=Decimal("0")), 5, Tally())
    assert outcome.reason == "no_quorum"


def test_more_votes_than_councillors_is_a_bug() -> None:
    with pytest.raises(ValueError):
        count(SIMPLE, 2, Tally(yes=3))


def test_wrong_rules_and_choices_are_refused() -> None:
    with pytest.raises(ValueError):
        Rules(majority="most")
    with pytest.raises(ValueError):
        Rules(quorum=Decimal("1.5"))
    with pytest.raises(ValueError):
        Tally.of(["yes", "maybe"])


def test_it_counts_a_list_of_choices() -> None:
    outcome = count(SIMPLE, 3, ["yes", "yes", "no"])
    assert outcome.passed and (outcome.yes, outcome.no, outcome.abstain) == (2, 1, 0)


def test_the_json_keeps_the_count_and_describes_itself() -> None:
    data = count(SIMPLE, 7, Tally(yes=2, no=3)).as_json()
    assert data["reason"] == "no_majority" and data["cast"] == 5 and data["electorate"] == 7
    assert "未通过" in voting.describe(data)
    assert voting.describe({}) == ""


tallies = st.builds(Tally, yes=st.integers(0, 40), no=st.integers(0, 40), abstain=st.integers(0, 40))
rules_st = st.builds(Rules, quorum=st.sampled_from([Decimal("0"), Decimal("0.33"), Decimal("0.5"), Decimal("0.67"),
                                                    Decimal("1")]),
                     majority=st.sampled_from(["simple", "two_thirds"]), abstentions_count=st.booleans())


@given(rules=rules_st, tally=tallies, extra=st.integers(0, 20))
def test_property_passing_needs_quorum_and_more_for_than_against(rules: Rules, tally: Tally, extra: int) -> None:
    electorate = tally.cast + extra
    outcome = count(rules, electorate, tally)
    if outcome.passed:
        assert outcome.quorum_met and tally.yes > tally.no
        assert 2 * tally.yes > outcome.denominator
        if rules.majority == "two_thirds":
            assert 3 * tally.yes >= 2 * outcome.denominator
    assert outcome.reason in voting.REASONS
    assert outcome.passed == (outcome.reason == "passed")


@given(rules=rules_st, tally=tallies, extra=st.integers(0, 20))
def test_property_one_more_yes_never_hurts(rules: Rules, tally: Tally, extra: int) -> None:
    electorate = tally.cast + extra + 1
    before = count(rules, electorate, tally)
    after = count(rules, electorate, Tally(yes=tally.yes + 1, no=tally.no, abstain=tally.abstain))
    assert not before.passed or after.passed


@given(tally=tallies, extra=st.integers(0, 20))
def test_property_two_thirds_is_stricter_than_simple(tally: Tally, extra: int) -> None:
    electorate = tally.cast + extra
    for abstentions in (True, False):
        strict = count(Rules(majority="two_thirds", abstentions_count=abstentions), electorate, tally)
        loose = count(Rules(majority="simple", abstentions_count=abstentions), electorate, tally)
        assert not strict.passed or loose.passed
