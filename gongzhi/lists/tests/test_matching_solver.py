"""The round's solver against brute force on small random instances, and the scoring arithmetic."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.lib import matching as lib


def brute_force(demand_of, resource_of, scores, amounts, remaining) -> float:
    """The best total over every choice of at most one pair per demand (pairs grouped by demand)."""
    by_demand: dict[int, list[int]] = {}
    for p, d in enumerate(demand_of):
        by_demand.setdefault(int(d), []).append(p)
    options = [[None, *ps] for ps in by_demand.values()]
    best = 0.0
    for choice in itertools.product(*options):
        picked = [p for p in choice if p is not None]
        used = np.zeros(len(remaining))
        for p in picked:
            used[resource_of[p]] += amounts[p]
        if np.all(used <= remaining + 1e-9):
            best = max(best, float(sum(scores[p] for p in picked)))
    return best


@st.composite
def instances(draw):
    demands = draw(st.integers(1, 5))
    resources = draw(st.integers(1, 4))
    pairs = sorted(draw(st.sets(st.tuples(st.integers(0, demands - 1), st.integers(0, resources - 1)),
                                min_size=1, max_size=12)))
    demand_of = np.array([d for d, _ in pairs])
    resource_of = np.array([r for _, r in pairs])
    scores = np.array(draw(st.lists(st.integers(1, 100), min_size=len(pairs), max_size=len(pairs)))) / 100
    amounts = np.array(draw(st.lists(st.integers(1, 10), min_size=len(pairs), max_size=len(pairs))), dtype=float)
    remaining = np.array(draw(st.lists(st.integers(0, 15), min_size=resources, max_size=resources)), dtype=float)
    return demand_of, resource_of, scores, amounts, remaining


@settings(max_examples=400, deadline=None)
@given(instances())
def test_the_round_equals_brute_force(instance) -> None:
    demand_of, resource_of, scores, amounts, remaining = instance
    result = lib.solve_assignment(demand_of, resource_of, scores, amounts, remaining, gap=0)
    assert lib.is_feasible(demand_of, resource_of, amounts, remaining, result.chosen)
    assert abs(result.objective - brute_force(demand_of, resource_of, scores, amounts, remaining)) < 1e-6


def test_a_greedy_pick_would_lose() -> None:
    """The best single pair (0.9) blocks two others worth 1.2 together: the solver takes the two."""
    demand_of = np.array([0, 0, 1])
    resource_of = np.array([0, 1, 0])
    scores = np.array([0.9, 0.6, 0.6])
    amounts = np.array([1.0, 1.0, 1.0])
    remaining = np.array([1.0, 1.0])
    result = lib.solve_assignment(demand_of, resource_of, scores, amounts, remaining, gap=0)
    assert sorted(result.chosen.tolist()) == [1, 2] and abs(result.objective - 1.2) < 1e-9


def test_it_never_takes_more_than_is_left() -> None:
    result = lib.solve_assignment(np.array([0, 1, 2]), np.array([0, 0, 0]), np.array([0.5, 0.5, 0.5]),
                                  np.array([30.0, 30.0, 30.0]), np.array([70.0]), gap=0)
    assert len(result.chosen) == 2
    empty = lib.solve_assignment(np.array([0]), np.array([0]), np.array([0.5]), np.array([80.0]), np.array([70.0]))
    assert empty.status == "empty" and empty.chosen.size == 0


def test_distances_and_parts() -> None:
    # Two points 0.01° of latitude apart are about 1.11 km apart.
    assert abs(float(lib.haversine_km(30.0, 120.0, 30.01, 120.0)) - 1.112) < 0.01
    assert np.isnan(lib.haversine_km(np.nan, 120.0, 30.0, 120.0))
    assert lib.proximity(np.array([0.0, 1.0, np.nan])).tolist() == [1.0, 0.5, 0.0]
    parts = lib.score_matrix(np.array([True, False]), np.array([0.2, 0.2]), np.array([0.0, 0.0]),
                             np.array([1.0, 1.0]), np.array([10.0, 10.0]), np.array([2.0, 2.0]))
    w = lib.WEIGHTS
    assert abs(parts.score[0] - (w.kind + 0.2 + w.distance + w.text + w.capacity)) < 1e-9
    assert abs(parts.score[0] - parts.score[1] - w.kind) < 1e-9


def test_the_reduction_fixes_free_choices_and_leaves_the_rest_to_the_solver() -> None:
    """Demand 0's best pair is on resource 1, which can serve all its pairs: fixed before solving. Demands 1 and 2
    compete for resource 0 (room for one): left to the solver, which takes the better total."""
    demand_of = np.array([0, 0, 1, 2, 2])
    resource_of = np.array([1, 0, 0, 0, 1])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    amounts = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    remaining = np.array([1.0, 5.0])
    result = lib.solve_assignment(demand_of, resource_of, scores, amounts, remaining, gap=0)
    assert result.details["fixed_before_solving"] >= 1
    assert abs(result.objective - brute_force(demand_of, resource_of, scores, amounts, remaining)) < 1e-9
    assert lib.is_feasible(demand_of, resource_of, amounts, remaining, result.chosen)
