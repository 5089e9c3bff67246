"""The lists side of matching (点对点匹配): which resources are candidates for a demand, their scores and reasons in
Chinese, and the pairs a matching round proposes (the arithmetic and the solver are in `gongzhi.lib.matching`).

A resource is a candidate for a demand when it is available (status active, within its validity period, something
left), serves the demand's area (the area it serves is the demand's area or one above it, or it serves an alliance
the demand's community belongs to), is of a kind the demand asks for (any kind when the demand names none), and has
at least what the demand needs left.

What a demand needs of a resource, in the resource's capacity unit (`need_of`): people → the number of people who
benefit (`beneficiary_count`), yuan → the cost estimate, hours, items or uses → the quantity needed
(`need_quantity`); each 1 when not given.

The kind part is whole for the demand's first kind and SECONDARY_KIND of it for its other kinds. Distances are between
the demand's area and the resource's location (`place`, else the provider unit's area, else the
area it serves); an area without coordinates uses its nearest ancestor that has them. A fund has no distance: money
reaches anywhere in the area it serves, so it earns the whole distance part. Text similarity is the cosine
of TF-IDF vectors of jieba words (`gongzhi.lib.text.classifier.word_text`) of titles and descriptions, fitted on the
texts compared; the words of each text are kept in a small cache (segmenting is most of the cost).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.core.models import Alliance, Area
from gongzhi.lib import matching as lib
from gongzhi.lib.text.classifier import word_text

from .models import CapacityUnit, Demand, Resource, ResourceKind

KINDS = list(ResourceKind.values)
UNITS = list(CapacityUnit.values)
LEVEL_INDEX = {level: i for i, level in enumerate(lib.LEVELS)}
# A matching round keeps each demand's best candidates (the solver's pairs); ranking one demand shows CANDIDATES.
ROUND_CANDIDATES = 8
# The kind part a resource earns when it is one of the demand's other kinds (its first kind earns all of it): a
# renovation that asks for funds first and a service second is met by a fund before an hour of service.
SECONDARY_KIND = 0.5
CANDIDATES = 20
# The round's solver: relative optimality gap and time limit (seconds). Within the gap the answer is optimal.
ROUND_GAP = 1e-4
ROUND_TIME_LIMIT = 8.0
CHUNK = 512


def need_of(demand: Any, unit: str) -> Decimal:
    """How much of a resource counted in `unit` the demand needs (see the module's doc)."""
    if unit == CapacityUnit.PEOPLE:
        value: Any = demand.beneficiary_count or 0
    elif unit == CapacityUnit.YUAN:
        value = demand.cost_estimate or 0
    else:
        value = demand.need_quantity or 0
    value = Decimal(value)
    return value if value > 0 else Decimal(1)


# --- Words of texts, cached ---------------------------------------------------------------------------------

_words: OrderedDict[tuple[str, int, str], str] = OrderedDict()
_words_lock = threading.Lock()
WORDS_CACHE = 60_000


def words(kind: str, pk: int, stamp: str, title: str, description: str) -> str:
    key = (kind, pk, stamp)
    with _words_lock:
        hit = _words.get(key)
        if hit is not None:
            _words.move_to_end(key)
            return hit
    text = word_text(f"{title} {title} {(description or '')[:500]}")
    with _words_lock:
        _words[key] = text
        while len(_words) > WORDS_CACHE:
            _words.popitem(last=False)
    return text


def _similarity_rows(demand_texts: list[str], resource_texts: list[str]) -> tuple[Any, Any]:
    """L2-normalised TF-IDF rows of demands and resources (one vocabulary, fitted on both)."""
    vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform([*demand_texts, *resource_texts]).tocsr()
    except ValueError:  # no words at all
        from scipy import sparse

        empty = sparse.csr_matrix((len(demand_texts) + len(resource_texts), 1), dtype=np.float32)
        return empty[: len(demand_texts)], empty[len(demand_texts):]
    return matrix[: len(demand_texts)], matrix[len(demand_texts):]


# --- Coordinates ----------------------------------------------------------------------------------------------


def area_points(area_ids: set[int]) -> dict[int, tuple[float, float] | None]:
    """Each area's coordinates, or its nearest ancestor's that has them (None when none has). Two queries."""
    rows = {pk: (path, lat, lon) for pk, path, lat, lon in
            Area.objects.filter(pk__in=area_ids).values_list("pk", "path", "latitude", "longitude")}
    missing_ancestors: set[int] = set()
    for path, lat, lon in rows.values():
        if lat is None or lon is None:
            missing_ancestors.update(int(p) for p in path.strip("/").split("/") if p)
    known: dict[int, tuple[float, float]] = {pk: (float(lat), float(lon)) for pk, (_p, lat, lon) in rows.items()
                                             if lat is not None and lon is not None}
    extra = missing_ancestors - set(known)
    if extra:
        known.update({pk: (float(lat or 0), float(lon or 0)) for pk, lat, lon in Area.objects.filter(
            pk__in=extra, latitude__isnull=False, longitude__isnull=False).values_list("pk", "latitude", "longitude")})
    points: dict[int, tuple[float, float] | None] = {}
    for pk, (path, _lat, _lon) in rows.items():
        chain = [int(p) for p in path.strip("/").split("/") if p]
        points[pk] = next((known[a] for a in reversed(chain) if a in known), None)
    return points


# --- The problem: demands × resources as arrays ---------------------------------------------------------------


@dataclass
class Problem:
    demands: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    # Demands (M): area id per level (-1 none), community column (-1), kinds bitmask, need per unit, point.
    d_levels: np.ndarray
    d_community: np.ndarray
    d_kinds: np.ndarray
    d_primary: np.ndarray
    d_need: np.ndarray
    d_lat: np.ndarray
    d_lon: np.ndarray
    # Resources (N).
    r_area: np.ndarray
    r_level: np.ndarray
    r_alliance: np.ndarray
    r_kind: np.ndarray
    r_unit: np.ndarray
    r_remaining: np.ndarray
    r_lat: np.ndarray
    r_lon: np.ndarray
    # alliance row × community column → member (the last row: no alliance).
    members: np.ndarray
    alliance_names: list[str]
    d_text: Any
    r_text: Any


RESOURCE_FIELDS = ("pk", "kind", "title", "description", "area_id", "area__level", "alliance_id", "place_id",
                   "provider_unit__area_id", "capacity_unit", "capacity", "promised", "valid_until", "updated_at",
                   "provider_unit__name")
DEMAND_FIELDS = ("pk", "title", "description", "area_id", "area__path", "area__level", "resource_kinds",
                 "beneficiary_count", "cost_estimate", "need_quantity", "updated_at")


def available_resources(today: date | None = None) -> Any:
    """Resources that can be promised now: active, within validity, something left."""
    today = today or timezone.localdate()
    return (Resource.objects.filter(status=Resource.Status.ACTIVE, capacity__gt=F("promised"))
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)))


def build_problem(demand_rows: list[dict[str, Any]], resource_rows: list[dict[str, Any]]) -> Problem:
    """Arrays for the demands and resources (rows as `values(*DEMAND_FIELDS)` / `values(*RESOURCE_FIELDS)`)."""
    m = len(demand_rows)
    # Areas by level for each demand (its path: the area and its ancestors).
    path_ids = [[int(p) for p in row["area__path"].strip("/").split("/") if p] for row in demand_rows]
    ancestor_ids = {a for ids in path_ids for a in ids}
    levels = dict(Area.objects.filter(pk__in=ancestor_ids).values_list("pk", "level")) if ancestor_ids else {}
    d_levels = np.full((m, len(lib.LEVELS)), -1, dtype=np.int64)
    communities: dict[int, int] = {}
    d_community = np.full(m, -1, dtype=np.int64)
    for i, ids in enumerate(path_ids):
        for a in ids:
            level = levels.get(a)
            if level is not None:
                d_levels[i, LEVEL_INDEX[level]] = a
        community = d_levels[i, LEVEL_INDEX["community"]]
        if community >= 0:
            d_community[i] = communities.setdefault(int(community), len(communities))
    d_kinds = np.zeros(m, dtype=np.int64)
    d_primary = np.full(m, -1, dtype=np.int64)
    d_need = np.ones((m, len(UNITS)), dtype=np.float64)
    for i, row in enumerate(demand_rows):
        for kind in row["resource_kinds"] or []:
            if kind in KINDS:
                d_kinds[i] |= 1 << KINDS.index(kind)
                if d_primary[i] < 0:
                    d_primary[i] = KINDS.index(kind)
        d_need[i] = [float(need_of(_Row(row), unit)) for unit in UNITS]
    # Resources.
    r_area = np.array([r["area_id"] for r in resource_rows], dtype=np.int64)
    r_level = np.array([LEVEL_INDEX[r["area__level"]] for r in resource_rows], dtype=np.int64)
    r_kind = np.array([KINDS.index(r["kind"]) for r in resource_rows], dtype=np.int64)
    r_unit = np.array([UNITS.index(r["capacity_unit"]) for r in resource_rows], dtype=np.int64)
    r_remaining = np.array([float(r["capacity"] - r["promised"]) for r in resource_rows], dtype=np.float64)
    alliance_ids = sorted({r["alliance_id"] for r in resource_rows if r["alliance_id"]})
    alliance_index = {a: i for i, a in enumerate(alliance_ids)}
    r_alliance = np.array([alliance_index.get(r["alliance_id"], len(alliance_ids)) for r in resource_rows],
                          dtype=np.int64)
    members = np.zeros((len(alliance_ids) + 1, len(communities) + 1), dtype=bool)
    names: list[str] = []
    if alliance_ids:
        names_by_id = dict(Alliance.objects.filter(pk__in=alliance_ids).values_list("pk", "name"))
        names = [names_by_id.get(a, "") for a in alliance_ids]
        through = Alliance.communities.through.objects.filter(alliance_id__in=alliance_ids,
                                                              area_id__in=list(communities))
        for alliance_id, area_id in through.values_list("alliance_id", "area_id"):
            members[alliance_index[alliance_id], communities[area_id]] = True
    # Points.
    location = [r["place_id"] or r["provider_unit__area_id"] or r["area_id"] for r in resource_rows]
    points = area_points({row["area_id"] for row in demand_rows} | set(location))
    d_lat, d_lon = _coords([points.get(row["area_id"]) for row in demand_rows])
    r_lat, r_lon = _coords([points.get(a) for a in location])
    # Texts.
    d_text, r_text = _similarity_rows(
        [words("d", row["pk"], str(row["updated_at"]), row["title"], row["description"]) for row in demand_rows],
        [words("r", row["pk"], str(row["updated_at"]), row["title"], row["description"]) for row in resource_rows])
    return Problem(demand_rows, resource_rows, d_levels, d_community, d_kinds, d_primary, d_need, d_lat, d_lon, r_area,
                   r_level, r_alliance, r_kind, r_unit, r_remaining, r_lat, r_lon, members, names, d_text, r_text)


class _Row:
    """A `values()` row read like a demand (for need_of)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.beneficiary_count = row["beneficiary_count"]
        self.cost_estimate = row["cost_estimate"]
        self.need_quantity = row["need_quantity"]


def _coords(points: list[tuple[float, float] | None]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.array([p[0] if p else np.nan for p in points], dtype=np.float64)
    lon = np.array([p[1] if p else np.nan for p in points], dtype=np.float64)
    return lat, lon


@dataclass
class Block:
    """Scores of some demands (rows) × some resources of the problem (`cols`, global column indices)."""

    rows: np.ndarray
    cols: np.ndarray
    eligible: np.ndarray
    parts: lib.Parts
    need: np.ndarray
    distance: np.ndarray
    similarity: np.ndarray
    by_level: np.ndarray
    by_alliance: np.ndarray


def score_block(problem: Problem, rows: np.ndarray, cols: np.ndarray | None = None,
                weights: lib.Weights = lib.WEIGHTS) -> Block:
    """Eligibility and scores of demands `rows` against resources `cols` (all when None), vectorised."""
    p = problem
    if cols is None:
        cols = np.arange(len(p.resources))
    n = len(cols)
    r_level, r_area, r_kind, r_unit = p.r_level[cols], p.r_area[cols], p.r_kind[cols], p.r_unit[cols]
    r_remaining = p.r_remaining[cols]
    # Serving: the demand's area at the resource's level is the resource's area, or its alliance has the community.
    by_level = p.d_levels[rows][:, r_level] == r_area[None, :]
    community = p.d_community[rows]
    community = np.where(community < 0, p.members.shape[1] - 1, community)
    by_alliance = p.members[p.r_alliance[cols][None, :], community[:, None]]
    kinds = p.d_kinds[rows]
    kind_bit = (1 << r_kind)[None, :]
    kind_match = (kinds[:, None] & kind_bit) != 0
    kind_ok = kind_match | (kinds[:, None] == 0)
    need = p.d_need[rows][:, r_unit] if n else np.zeros((len(rows), 0))
    enough = r_remaining[None, :] >= need - 1e-9
    eligible = (by_level | by_alliance) & kind_ok & enough
    area_weight = np.where(by_level, lib.level_weights(weights)[r_level][None, :], 0.0)
    area_weight = np.maximum(area_weight, np.where(by_alliance, weights.alliance, 0.0))
    distance = lib.haversine_km(p.d_lat[rows][:, None], p.d_lon[rows][:, None], p.r_lat[cols][None, :],
                                p.r_lon[cols][None, :])
    similarity = (np.asarray((p.d_text[rows] @ p.r_text[cols].T).toarray(), dtype=np.float64) if n
                  else np.zeros((len(rows), 0)))
    # Money reaches anywhere in the area a fund serves: its distance part is the full one (and no distance is said).
    funds = (r_kind == KINDS.index(ResourceKind.FUNDS))[None, :]
    distance = np.where(funds, np.nan, distance)
    kind_share = np.where(p.d_primary[rows][:, None] == r_kind[None, :], 1.0,
                          np.where(kind_match, SECONDARY_KIND, 0.0))
    parts = lib.score_matrix(kind_share, area_weight, np.where(funds, 0.0, distance), similarity,
                             r_remaining[None, :], need, weights)
    return Block(rows, cols, eligible, parts, need, distance, similarity, by_level, by_alliance)


# --- Candidates for one demand ------------------------------------------------------------------------------


@dataclass
class Candidate:
    resource_id: int
    title: str
    kind: str
    provider: str
    score: float
    amount: Decimal
    remaining: Decimal
    unit: str
    reasons: list[str]


def _number(value: Decimal | float) -> str:
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def reasons_for(problem: Problem, block: Block, i: int, jj: int) -> list[str]:
    """The Chinese reasons of cell (block row i, block column jj)."""
    p = problem
    j = int(block.cols[jj])
    resource = p.resources[j]
    out: list[str] = []
    if block.parts.kind[i, jj] > 0:
        out.append(_("Kind matches: %(kind)s") % {"kind": ResourceKind(resource["kind"]).label})
    if block.by_level[i, jj]:
        level = lib.LEVELS[p.r_level[j]]
        out.append({
            "city": _("Serves the whole city"), "district": _("Serves this district"),
            "subdistrict": _("Serves this subdistrict"), "community": _("Serves this community"),
        }.get(level, _("Serves this estate")))
    elif block.by_alliance[i, jj]:
        out.append(_("Serves the alliance %(name)s") % {"name": p.alliance_names[p.r_alliance[j]]})
    distance = block.distance[i, jj]
    if not np.isnan(distance):
        out.append(_("Distance %(km)s km") % {"km": f"{distance:.1f}"})
    unit = CapacityUnit(resource["capacity_unit"]).label
    out.append(_("Remaining capacity %(left)s %(unit)s") % {"left": _number(p.r_remaining[j]), "unit": unit})
    if block.similarity[i, jj] >= 0.005:
        out.append(_("Text similarity %(value)s") % {"value": f"{block.similarity[i, jj]:.2f}"})
    if resource["valid_until"]:
        out.append(_("Valid until %(date)s") % {"date": resource["valid_until"].isoformat()})
    return out


def demand_row(demand: Demand) -> dict[str, Any]:
    return {"pk": demand.pk, "title": demand.title, "description": demand.description, "area_id": demand.area_id,
            "area__path": demand.area.path, "area__level": demand.area.level, "resource_kinds": demand.resource_kinds,
            "beneficiary_count": demand.beneficiary_count, "cost_estimate": demand.cost_estimate,
            "need_quantity": demand.need_quantity, "updated_at": demand.updated_at}


def serving_q(area: Area) -> Q:
    """Resources serving `area` or an area below it: the area itself, its ancestors, its subtree, and alliances of
    communities in it or above it."""
    communities = Area.objects.filter(level=Area.Level.COMMUNITY).filter(
        Q(path__startswith=area.path) | Q(pk__in=area.ancestor_ids()))
    return (Q(area_id__in=area.ancestor_ids()) | Q(area__path__startswith=area.path)
            | Q(alliance__communities__in=communities))


def candidates_for(demand: Demand, *, limit: int = CANDIDATES, exclude: set[int] | None = None) -> list[Candidate]:
    """The demand's candidate resources, best first, with the reasons in Chinese."""
    ancestors = demand.area.ancestor_ids()
    community = next((a for a in ancestors if a in set(Area.objects.filter(
        pk__in=ancestors, level=Area.Level.COMMUNITY).values_list("pk", flat=True))), None)
    q = Q(area_id__in=ancestors)
    if community is not None:
        q |= Q(alliance__communities=community)
    rows = list(available_resources().filter(q).distinct().values(*RESOURCE_FIELDS))
    if exclude:
        rows = [r for r in rows if r["pk"] not in exclude]
    if not rows:
        return []
    problem = build_problem([demand_row(demand)], rows)
    block = score_block(problem, np.array([0]))
    score = np.where(block.eligible[0], block.parts.score[0], -np.inf)
    order = [j for j in np.argsort(-score, kind="stable")[:limit] if np.isfinite(score[j])]
    return [_candidate(problem, block, 0, int(j)) for j in order]


def _candidate(problem: Problem, block: Block, i: int, jj: int) -> Candidate:
    j = int(block.cols[jj])
    r = problem.resources[j]
    return Candidate(
        resource_id=r["pk"], title=r["title"], kind=r["kind"], provider=r["provider_unit__name"] or "",
        score=round(float(block.parts.score[i, jj]), 4), amount=Decimal(_number(block.need[i, jj])),
        remaining=Decimal(_number(problem.r_remaining[j])), unit=r["capacity_unit"],
        reasons=reasons_for(problem, block, i, jj))


# --- A matching round -------------------------------------------------------------------------------------


@dataclass
class Proposal:
    pairs: list[tuple[int, Candidate]]  # (demand id, its resource)
    assignment: lib.Assignment
    demands: int
    resources: int
    candidate_pairs: int


def round_problem(area: Area) -> tuple[Problem, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The open demands under `area`, the resources available to them, and each demand's best candidates as pairs
    (demand rows, resource columns, scores, amounts) — what the round's solver works on."""
    demand_rows = list(Demand.objects.filter(status=Demand.Status.OPEN, area__path__startswith=area.path)
                       .order_by("pk").values(*DEMAND_FIELDS))
    resource_rows = list(available_resources().filter(serving_q(area)).distinct().order_by("pk")
                         .values(*RESOURCE_FIELDS)) if demand_rows else []
    problem = build_problem(demand_rows, resource_rows)
    parts: list[tuple[np.ndarray, ...]] = []
    if demand_rows and resource_rows:
        for rows, cols in serving_groups(problem):
            if cols.size == 0:
                continue
            block = score_block(problem, rows, cols)
            score = np.where(block.eligible, block.parts.score, -np.inf)
            k = min(ROUND_CANDIDATES, score.shape[1])
            top = np.argpartition(-score, k - 1, axis=1)[:, :k] if k < score.shape[1] else \
                np.tile(np.arange(score.shape[1]), (len(rows), 1))
            local = np.repeat(np.arange(len(rows)), k)
            local_cols = top.ravel()
            cell = score[local, local_cols]
            ok = np.isfinite(cell)
            parts.append((rows[local[ok]], cols[local_cols[ok]], cell[ok], block.need[local[ok], local_cols[ok]]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return problem, empty, empty, np.zeros(0), np.zeros(0)
    return (problem, *(np.concatenate([p[i] for p in parts]) for i in range(4)))  # type: ignore[return-value]


def serving_groups(problem: Problem) -> list[tuple[np.ndarray, np.ndarray]]:
    """The demands grouped by community (demands above community level alone, by their area), each group with the
    columns of the resources that can serve at least one of its demands: those serving an area on a demand's path
    (its area and its ancestors), and those of alliances the community belongs to. Only these can be eligible, so
    scoring a group against its columns gives the same candidates as scoring it against every resource."""
    p = problem
    by_area: dict[int, list[int]] = {}
    for j, area in enumerate(p.r_area.tolist()):
        by_area.setdefault(area, []).append(j)
    by_alliance: dict[int, list[int]] = {}
    for j, alliance in enumerate(p.r_alliance.tolist()):
        if alliance < len(p.alliance_names):
            by_alliance.setdefault(alliance, []).append(j)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, community in enumerate(p.d_community.tolist()):
        key = (0, community) if community >= 0 else (1, int(p.d_levels[i][p.d_levels[i] >= 0][-1]))
        groups.setdefault(key, []).append(i)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for (_kind, community), members in groups.items():
        rows = np.array(members, dtype=np.int64)
        areas = set(np.unique(p.d_levels[rows]).tolist()) - {-1}
        cols_set: set[int] = set()
        for area in areas:
            cols_set.update(by_area.get(area, ()))
        if _kind == 0:
            for alliance in np.flatnonzero(p.members[:-1, community]).tolist():
                cols_set.update(by_alliance.get(alliance, ()))
        out.append((rows, np.array(sorted(cols_set), dtype=np.int64)))
    return out


def propose(area: Area, *, gap: float = ROUND_GAP, time_limit: float | None = ROUND_TIME_LIMIT) -> Proposal:
    """One assignment of resources to the open demands under `area`, maximising the total score."""
    problem, rows, cols, scores, amounts = round_problem(area)
    if rows.size == 0:
        return Proposal([], lib.Assignment(np.zeros(0, dtype=np.int64), 0.0, "empty", 0.0),
                        len(problem.demands), len(problem.resources), 0)
    assignment = lib.solve_assignment(rows, cols, scores, amounts, problem.r_remaining, gap=gap,
                                      time_limit=time_limit)
    chosen_rows = rows[assignment.chosen]
    chosen_cols = cols[assignment.chosen]
    order = np.argsort(chosen_rows, kind="stable")
    chosen_rows, chosen_cols = chosen_rows[order], chosen_cols[order]
    candidate_pairs = int(rows.size)
    pairs: list[tuple[int, Candidate]] = []
    for start in range(0, len(chosen_rows), CHUNK):
        rows = chosen_rows[start:start + CHUNK]
        block_cols = np.unique(chosen_cols[start:start + CHUNK])
        block = score_block(problem, rows, block_cols)
        at = {int(c): jj for jj, c in enumerate(block_cols)}
        for i, j in enumerate(chosen_cols[start:start + CHUNK].tolist()):
            pairs.append((problem.demands[int(rows[i])]["pk"], _candidate(problem, block, i, at[j])))
    return Proposal(pairs, assignment, len(problem.demands), len(problem.resources), candidate_pairs)
