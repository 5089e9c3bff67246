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

solved exactly by HiGHS through `scipy.optimize.milp` (branch and bound; `gap` 0 proves the optimum, the default
1e-6 relative gap is the same to the sixth digit). It is a generalised assignment problem, so no greedy loop: a
greedy pick of the best pair first can block two pairs whose sum is larger (the tests compare with brute force).
"""

from __future__ import annotations

import time
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
) -> Assignment:
    """Choose pairs (demand_of[p], resource_of[p]) maximising Σ scores, each demand at most once, and per resource
    Σ amounts ≤ remaining[resource] (`remaining` indexed by resource index). Pairs that could never fit (amount
    above what is left) or score ≤ 0 are left out before solving."""
    started = time.perf_counter()
    demand_of = np.asarray(demand_of, dtype=np.int64)
    resource_of = np.asarray(resource_of, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    amounts = np.asarray(amounts, dtype=np.float64)
    remaining = np.asarray(remaining, dtype=np.float64)
    usable = np.flatnonzero((scores > 0) & (amounts > 0) & (amounts <= remaining[resource_of] + 1e-9))
    if usable.size == 0:
        return Assignment(np.zeros(0, dtype=np.int64), 0.0, "empty", time.perf_counter() - started)
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
    if time_limit is not None:
        options["time_limit"] = time_limit
    result = milp(-scores[usable], integrality=np.ones(n), bounds=Bounds(0, 1), constraints=constraints,
                  options=options)
    if result.x is None:
        raise RuntimeError(f"the solver found no assignment: {result.message}")
    picked = usable[np.flatnonzero(result.x > 0.5)]
    status = "optimal" if result.status == 0 else "time_limit"
    details = {"binding_resources": float(binding.sum()), "mip_gap": float(getattr(result, "mip_gap", 0.0) or 0.0)}
    return Assignment(picked, float(scores[picked].sum()), status, time.perf_counter() - started, pairs=int(n),
                      details=details)


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
