"""Point-to-point matching (点对点匹配) without models: scoring arrays and the assignment solver.

    score = score_matrix(kind_match, area_weight, distance_km, similarity, remaining, need)   # numpy, any shape
    result = solve_assignment(demand_of, resource_of, scores, amounts, remaining)               # SciPy milp (HiGHS)
    result.chosen    # indices of the chosen pairs

A score is a weighted sum of parts, each in [0, 1] (WEIGHTS): the kind of resource the demand asks for, how close
the area the resource serves is to the demand (its own community first, then the subdistrict, the district, the
city; an alliance of communities counts as its community's neighbour), the walking distance (the 15-minute life
circle is about 1 km: a resource 1 km away gets half the distance part, one at the door all of it), the text
similarity of titles and descriptions, and a little for capacity to spare. The parts are returned too, so the caller
can say in words why a candidate ranks where it does.

The assignment ("a matching round") picks at most one resource per demand and never more of a resource than it has
left, maximising the total score: a 0-1 integer programme over the candidate pairs,

    max Σ s_p x_p   subject to   Σ_{p of demand d} x_p ≤ 1,   Σ_{p of resource r} a_p x_p ≤ remaining_r,   x ∈ {0, 1},

after an exact reduction (a demand whose best pair is on a resource that cannot run out takes it: see
`_fix_free_choices`), solved exactly by HiGHS through `scipy.optimize.milp` (branch and bound; `gap` 0 proves the optimum, the default
1e-6 relative gap is the same to the sixth digit). The pairs left after the reduction fall apart into independent
problems (demands linked only through resources that can run out: `_components`), each solved on its own, several
at once on threads. It is a generalised assignment problem, so no greedy loop: a
greedy pick of the best pair first can block two pairs whose sum is larger (the tests compare with brute force).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

EARTH_RADIUS_KM = 6371.0088
# The 15-minute life circle: about 1 km on foot.
WALK_KM = 1.0


@dataclass(frozen=True)
class Weights:
    kind: float = 0.30
    # The area the resource serves, seen from the demand: its community (or the estate, building), subdistrict,
    # district, city; an alliance the demand's community belongs to.
    community: float = 0.20
    subdistrict: float = 0.14
    district: float = 0.09
    city: float = 0.05
    alliance: float = 0.15
    distance: float = 0.20
    text: float = 0.20
    capacity: float = 0.05

    def total(self) -> float:
        return self.kind + self.community + self.distance + self.text + self.capacity


WEIGHTS = Weights()
# Index of the level an area serving a demand sits at, and the weight it earns (LEVELS[i] ↔ level_weights()[i]).
LEVELS = ("city", "district", "subdistrict", "community", "estate", "grid", "building")


def level_weights(weights: Weights = WEIGHTS) -> np.ndarray:
    """The area part for a resource serving each level of LEVELS (the estate and below count as the community)."""
    return np.array([weights.city, weights.district, weights.subdistrict, weights.community, weights.community,
                     weights.community, weights.community])


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float,
                 lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in km between points in degrees (numpy broadcasting; NaN where a point is unknown)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def proximity(distance_km: np.ndarray, walk_km: float = WALK_KM) -> np.ndarray:
    """1 at the door, 0.5 at one walk (1 km), towards 0 far away; 0 where the distance is unknown (NaN)."""
    d = np.asarray(distance_km, dtype=np.float64)
    return np.where(np.isnan(d), 0.0, 1.0 / (1.0 + np.nan_to_num(d) / walk_km))


def capacity_fit(remaining: np.ndarray, need: np.ndarray) -> np.ndarray:
    """0 when the resource has just enough left, 1 when it has five times what the demand needs or more."""
    need = np.maximum(np.asarray(need, dtype=np.float64), 1e-9)
    ratio = np.asarray(remaining, dtype=np.float64) / need
    return np.clip((ratio - 1.0) / 4.0, 0.0, 1.0)


@dataclass
class Parts:
    """A score and its weighted parts, arrays of one shape (a demand × its candidates, or pairs)."""

    score: np.ndarray
    kind: np.ndarray
    area: np.ndarray
    distance: np.ndarray
    text: np.ndarray
    capacity: np.ndarray


def score_matrix(
    kind_match: np.ndarray,
    area_weight: np.ndarray,
    distance_km: np.ndarray,
    similarity: np.ndarray,
    remaining: np.ndarray,
    need: np.ndarray,
    weights: Weights = WEIGHTS,
) -> Parts:
    """The score of each (demand, resource) cell. `kind_match` bool, or the share of the kind part in [0, 1] (a
    demand's first kind earns all of it, the others less); `area_weight` the area part already weighted
    (level_weights, or weights.alliance); `distance_km` NaN where unknown; `similarity` cosine in [0, 1]."""
    kind = weights.kind * np.clip(np.asarray(kind_match, dtype=np.float64), 0.0, 1.0)
    area = np.asarray(area_weight, dtype=np.float64)
    dist = weights.distance * proximity(distance_km)
    text = weights.text * np.clip(np.asarray(similarity, dtype=np.float64), 0.0, 1.0)
    cap = weights.capacity * capacity_fit(remaining, need)
    return Parts(score=kind + area + dist + text + cap, kind=kind, area=area, distance=dist, text=text,
                 capacity=cap)


# --- The assignment ------------------------------------------------------------------------------------------


@dataclass
class Assignment:
    chosen: np.ndarray  # indices of the chosen pairs
    objective: float
    status: str  # "optimal", "time_limit" (best found), "empty"
    seconds: float
    method: str = "scipy.optimize.milp (HiGHS)"
    pairs: int = 0
    details: dict[str, float] = field(default_factory=dict)


def solve_assignment(
    demand_of: np.ndarray,
    resource_of: np.ndarray,
    scores: np.ndarray,
    amounts: np.ndarray,
    remaining: np.ndarray,
    *,
    gap: float = 1e-6,
    time_limit: float | None = None,
    threads: int | None = None,
) -> Assignment:
    """Choose pairs (demand_of[p], resource_of[p]) maximising Σ scores, each demand at most once, and per resource
    Σ amounts ≤ remaining[resource] (`remaining` indexed by resource index). Pairs that could never fit (amount
    above what is left) or score ≤ 0 are left out before solving. The independent parts are solved on `threads`
    threads (default: one per CPU)."""
    started = time.perf_counter()
    demand_of = np.asarray(demand_of, dtype=np.int64)
    resource_of = np.asarray(resource_of, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    amounts = np.asarray(amounts, dtype=np.float64)
    remaining = np.asarray(remaining, dtype=np.float64)
    usable = np.flatnonzero((scores > 0) & (amounts > 0) & (amounts <= remaining[resource_of] + 1e-9))
    if usable.size == 0:
        return Assignment(np.zeros(0, dtype=np.int64), 0.0, "empty", time.perf_counter() - started)
    fixed, usable, remaining = _fix_free_choices(demand_of, resource_of, scores, amounts, remaining, usable)
    details = {"fixed_before_solving": float(fixed.size), "binding_resources": 0.0, "mip_gap": 0.0}
    if usable.size == 0:
        return Assignment(fixed, float(scores[fixed].sum()), "optimal", time.perf_counter() - started,
                          pairs=int(fixed.size), details=details)
    deadline = None if time_limit is None else started + time_limit
    parts = _components(demand_of, resource_of, amounts, remaining, usable)
    picked_parts = [fixed]
    status, worst_gap, binding_total = "optimal", 0.0, 0
    parts.sort(key=len, reverse=True)  # the largest first, so the threads finish together

    def solve(part: np.ndarray) -> tuple[np.ndarray, str, float, int]:
        return _solve_part(demand_of, resource_of, scores, amounts, remaining, part, gap=gap, deadline=deadline)

    workers = max(1, min(threads or os.cpu_count() or 1, len(parts)))
    if workers > 1:  # HiGHS lets go of the GIL while it solves
        with ThreadPoolExecutor(max_workers=workers) as pool:
            solved = list(pool.map(solve, parts))
    else:
        solved = [solve(part) for part in parts]
    for chosen, part_status, part_gap, binding in solved:
        picked_parts.append(chosen)
        binding_total += binding
        worst_gap = max(worst_gap, part_gap)
        if part_status != "optimal":
            status = "time_limit"
    picked = np.sort(np.concatenate(picked_parts))
    details.update({"binding_resources": float(binding_total), "mip_gap": worst_gap, "components": float(len(parts))})
    return Assignment(picked, float(scores[picked].sum()), status, time.perf_counter() - started,
                      pairs=int(usable.size + fixed.size), details=details)


def _components(demand_of: np.ndarray, resource_of: np.ndarray, amounts: np.ndarray, remaining: np.ndarray,
                usable: np.ndarray) -> list[np.ndarray]:
    """The pairs split into independent problems: demands linked through resources that can bind (the pairs of a
    resource that cannot run out constrain nothing). Solving each alone is the same as solving them together."""
    from scipy.sparse.csgraph import connected_components

    d, r, a = demand_of[usable], resource_of[usable], amounts[usable]
    load = np.bincount(r, weights=a, minlength=remaining.size)
    binding = (load > remaining + 1e-9)[r]
    n_demands = int(demand_of.max()) + 1
    graph = sparse.coo_array((np.ones(int(binding.sum())), (d[binding], n_demands + r[binding])),
                             shape=(n_demands + remaining.size,) * 2)
    _count, labels = connected_components(graph, directed=False)
    part_of = labels[d]
    order = np.argsort(part_of, kind="stable")
    bounds = np.flatnonzero(np.diff(part_of[order])) + 1
    return [usable[chunk] for chunk in np.split(order, bounds)]


def _solve_part(demand_of: np.ndarray, resource_of: np.ndarray, scores: np.ndarray, amounts: np.ndarray,
                remaining: np.ndarray, usable: np.ndarray, *, gap: float, deadline: float | None,
                ) -> tuple[np.ndarray, str, float, int]:
    """One independent problem by HiGHS: the chosen pairs, the status, the gap, the number of resource rows."""
    d = demand_of[usable]
    r = resource_of[usable]
    a = amounts[usable]
    n = usable.size
    columns = np.arange(n)
    # One row per demand with a candidate: at most one resource.
    d_codes, d_rows = np.unique(d, return_inverse=True)
    demand_rows = sparse.csr_array((np.ones(n), (d_rows, columns)), shape=(d_codes.size, n))
    constraints = [LinearConstraint(demand_rows, -np.inf, np.ones(d_codes.size))]
    # One row per resource whose candidates could together take more than it has left (others cannot bind).
    r_codes, r_rows = np.unique(r, return_inverse=True)
    asked = np.bincount(r_rows, weights=a)
    left = remaining[r_codes]
    binding = asked > left + 1e-9
    if binding.any():
        keep = binding[r_rows]
        row_index = np.cumsum(binding) - 1
        resource_rows = sparse.csr_array((a[keep], (row_index[r_rows[keep]], columns[keep])),
                                         shape=(int(binding.sum()), n))
        constraints.append(LinearConstraint(resource_rows, -np.inf, left[binding]))
    options: dict[str, float | bool] = {"mip_rel_gap": gap, "disp": False}
    if deadline is not None:
        options["time_limit"] = max(0.2, deadline - time.perf_counter())
    result = milp(-scores[usable], integrality=np.ones(n), bounds=Bounds(0, 1), constraints=constraints,
                  options=options)
    if result.x is None:
        # Out of time before any assignment was found for this part: its demands stay unmatched (feasible).
        return np.zeros(0, dtype=np.int64), "time_limit", 1.0, int(binding.sum())
    status = "optimal" if result.status == 0 else "time_limit"
    return (usable[np.flatnonzero(result.x > 0.5)], status, float(getattr(result, "mip_gap", 0.0) or 0.0),
            int(binding.sum()))


def _fix_free_choices(demand_of: np.ndarray, resource_of: np.ndarray, scores: np.ndarray, amounts: np.ndarray,
                      remaining: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An exact reduction before the solver: a demand whose best pair is on a resource that can serve every pair
    still asking for it (it cannot bind) takes that pair. Some optimal assignment has it — moving the demand there
    from any other pair, or from none, loses no score and fits, since all of that resource's pairs fit together —
    and the resource stays unable to bind for the others, its remaining capacity less the pair's amount. Repeated
    until nothing changes. Returns the fixed pairs, the pairs left for the solver and the capacity left."""
    remaining = remaining.copy()
    active = np.zeros(demand_of.size, dtype=bool)
    active[usable] = True
    # Best first within each demand: by demand, then score descending, then index.
    order = usable[np.lexsort((usable, -scores[usable], demand_of[usable]))]
    fixed: list[np.ndarray] = []
    while True:
        live = order[active[order]]
        if live.size == 0:
            break
        load = np.bincount(resource_of[live], weights=amounts[live], minlength=remaining.size)
        free = load <= remaining + 1e-9
        first = np.ones(live.size, dtype=bool)
        first[1:] = demand_of[live[1:]] != demand_of[live[:-1]]
        best = live[first]
        take = best[free[resource_of[best]]]
        if take.size == 0:
            break
        fixed.append(take)
        np.subtract.at(remaining, resource_of[take], amounts[take])
        done = np.zeros(int(demand_of.max()) + 1, dtype=bool)
        done[demand_of[take]] = True
        active &= ~done[demand_of]
    chosen = np.concatenate(fixed) if fixed else np.zeros(0, dtype=np.int64)
    return np.sort(chosen), np.sort(order[active[order]]), remaining


def is_feasible(demand_of: np.ndarray, resource_of: np.ndarray, amounts: np.ndarray, remaining: np.ndarray,
                chosen: np.ndarray) -> bool:
    """Does the choice take each demand at most once and no resource beyond what it has left?"""
    chosen = np.asarray(chosen, dtype=np.int64)
    if chosen.size == 0:
        return True
    d = np.asarray(demand_of)[chosen]
    if np.unique(d).size != d.size:
        return False
    r = np.asarray(resource_of)[chosen]
    used = np.bincount(r, weights=np.asarray(amounts, dtype=np.float64)[chosen], minlength=len(remaining))
    return bool(np.all(used <= np.asarray(remaining, dtype=np.float64) + 1e-9))
