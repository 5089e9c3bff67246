"""Hot issues (热点): group recent messages about the same problem at the same place, and score the groups.

Pure functions over plain records; nothing here touches the database (intelligence.hot_queries reads the appeals).

How it works:

1. Each record becomes a TF-IDF vector (plain TF for a small set, see SMALL_CORPUS) of character 2- and 3-grams of its title (counted twice) and the
   start of its body. Character n-grams need no word segmentation and tolerate the many ways residents
   write the same thing ("路灯不亮" / "路灯坏了不亮"). N-grams found in too many records ("小区", "反映",
   "A市") are dropped: they say nothing about which problem it is.
2. Pairs of records whose cosine similarity reaches `threshold` and whose places are compatible (the
   same place, or one inside the other: a community-level appeal may join an estate's group) are
   neighbours.
3. Star clustering: the record with the most neighbours leads a group of its neighbours that are not
   taken yet; repeat. Unlike plain connected components this does not chain unrelated messages
   together through a middle one. One refinement pass then moves each record to the group whose
   centroid it is closest to, if that is closer than its own.
4. Heat, per group: every appeal adds `decay × (0.5 + 0.5 / n_r + LIKE_WEIGHT × ln(1 + likes))`,
   where `decay = 0.5 ** (age_days / half_life_days)` and `n_r` is the number of the group's appeals
   from the same resident. So more appeals, more distinct residents, more likes and more recent
   appeals each raise the heat; one resident writing five times counts less than five residents.
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_THRESHOLD = 0.35
MERGE_THRESHOLD = 0.4
DEFAULT_HALF_LIFE_DAYS = 14.0
LIKE_WEIGHT = 0.25
BODY_CHARS = 160
CHUNK = 1024
# Below this many records, document frequencies say little (the same problem may be in every record): plain
# term frequencies instead.
SMALL_CORPUS = 100


@dataclass(frozen=True)
class HotRecord:
    """One message. `place_key` is None when the place is unknown (text-only grouping for it);
    area paths ("/1/4/17/") are compatible when one is a prefix of the other. `resident_key` is None
    when the author is unknown (then the record counts as its own resident)."""

    id: Hashable
    title: str
    body: str
    created_at: datetime
    place_key: str | None = None
    place_label: str = ""
    resident_key: str | None = None
    likes: int = 0


@dataclass
class HotGroup:
    """One hot issue: its members (most representative first), counts and heat."""

    title: str
    representative_id: Hashable
    member_ids: list[Hashable]
    place_key: str | None
    place_label: str
    count: int
    residents: int
    likes: int
    first_at: datetime
    last_at: datetime
    heat: float
    rank: int = 0
    members: list[HotRecord] = field(default_factory=list, repr=False)


def _text(record: HotRecord) -> str:
    title = (record.title or "").strip()
    return f"{title} {title} {(record.body or '')[:BODY_CHARS]}"


def vectorize(records: Sequence[HotRecord]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows of character 2-3-grams."""
    n = len(records)
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 2), sublinear_tf=True, min_df=2 if n >= 50 else 1,
        max_df=0.08 if n >= 200 else 1.0, use_idf=n >= SMALL_CORPUS, dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform([_text(r) for r in records])
    except ValueError:  # every n-gram was pruned (tiny or empty input)
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), dtype=np.float32)
        matrix = vectorizer.fit_transform([_text(r) or "-" for r in records])
    return sparse.csr_matrix(matrix)


def compatible(a: str | None, b: str | None) -> bool:
    """Places are compatible when unknown on either side, equal, or one contains the other."""
    if a is None or b is None:
        return True
    return a.startswith(b) or b.startswith(a)


def _narrower(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if len(a) >= len(b) else b


def neighbours(matrix: sparse.csr_matrix, records: Sequence[HotRecord], threshold: float) -> list[dict[int, float]]:
    """For each record, the other records at least `threshold` similar and at a compatible place."""
    n = matrix.shape[0]
    result: list[dict[int, float]] = [{} for _ in range(n)]
    places = [r.place_key for r in records]
    check_places = any(p is not None for p in places)
    transposed = matrix.T.tocsc()
    for start in range(0, n, CHUNK):
        block = (matrix[start:start + CHUNK] @ transposed).toarray()
        rows, cols = np.nonzero(block >= threshold)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            gi = start + i
            if gi == j:
                continue
            if check_places and not compatible(places[gi], places[j]):
                continue
            result[gi][j] = float(block[i, j])
    return result


def cluster(matrix: sparse.csr_matrix, records: Sequence[HotRecord], threshold: float) -> list[list[int]]:
    """Star clustering on the neighbour graph, then one pass that moves records to their closest centroid."""
    n = len(records)
    near = neighbours(matrix, records, threshold)
    order = sorted(range(n), key=lambda i: (-len(near[i]), -sum(near[i].values()), i))
    label = [-1] * n
    groups: list[list[int]] = []
    places: list[str | None] = []
    for leader in order:
        if label[leader] != -1:
            continue
        gid = len(groups)
        label[leader] = gid
        members = [leader]
        place = records[leader].place_key
        for other in sorted(near[leader], key=lambda j: -near[leader][j]):
            if label[other] == -1 and compatible(records[other].place_key, place):
                label[other] = gid
                members.append(other)
                place = _narrower(place, records[other].place_key)
        groups.append(members)
        places.append(place)

    groups = _merge_close_groups(matrix, records, groups, places)
    return _refine(matrix, records, groups, threshold)


def _centroids(matrix: sparse.csr_matrix, groups: list[list[int]]) -> sparse.csr_matrix:
    """One L2-normalised centroid row per group."""
    rows: list[int] = []
    cols: list[int] = []
    for k, members in enumerate(groups):
        rows.extend([k] * len(members))
        cols.extend(members)
    membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(len(groups), matrix.shape[0]))
    centroids = sparse.csr_matrix(membership @ matrix)
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ centroids)


def _merge_close_groups(matrix: sparse.csr_matrix, records: Sequence[HotRecord], groups: list[list[int]],
                        places: list[str | None]) -> list[list[int]]:
    """Star clustering can split one big issue into several stars: merge groups whose centroids are close."""
    multi = [g for g, members in enumerate(groups) if len(members) > 1]
    if len(multi) < 2:
        return groups
    centroids = _centroids(matrix, [groups[g] for g in multi])
    sims = (centroids @ centroids.T).toarray()
    parent = list(range(len(multi)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(*np.nonzero(np.triu(sims, k=1) >= MERGE_THRESHOLD), strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb and compatible(places[multi[ra]], places[multi[rb]]):
            parent[rb] = ra
            places[multi[ra]] = _narrower(places[multi[ra]], places[multi[rb]])
    merged: dict[int, list[int]] = defaultdict(list)
    for k, g in enumerate(multi):
        merged[find(k)].extend(groups[g])
    singles = [groups[g] for g, members in enumerate(groups) if len(members) == 1]
    return list(merged.values()) + singles


def _refine(matrix: sparse.csr_matrix, records: Sequence[HotRecord], groups: list[list[int]],
            threshold: float) -> list[list[int]]:
    """Members far from their group's centroid leave it; each record then joins the group (of two or more)
    whose centroid it resembles most, if that beats its own by a margin."""
    n = matrix.shape[0]
    multi = [members for members in groups if len(members) > 1]
    if not multi:
        return groups
    label = [-1] * n
    for k, members in enumerate(multi):
        for i in members:
            label[i] = k
    centroids = _centroids(matrix, multi)
    group_place: list[str | None] = []
    for members in multi:
        place: str | None = None
        for i in members:
            place = _narrower(place, records[i].place_key)
        group_place.append(place)
    for start in range(0, n, CHUNK):
        sims = (matrix[start:start + CHUNK] @ centroids.T).toarray()
        for i in range(sims.shape[0]):
            gi = start + i
            own = float(sims[i, label[gi]]) if label[gi] >= 0 else 0.0
            if label[gi] >= 0 and own < threshold:
                label[gi], own = -1, 0.0
            best = int(np.argmax(sims[i]))
            score = float(sims[i, best])
            if best != label[gi] and score >= max(threshold, own + 0.05) and compatible(
                records[gi].place_key, group_place[best]
            ):
                label[gi] = best
    regrouped: dict[int, list[int]] = defaultdict(list)
    singles: list[list[int]] = []
    for i, k in enumerate(label):
        if k >= 0:
            regrouped[k].append(i)
        else:
            singles.append([i])
    return list(regrouped.values()) + singles


def decay(created_at: datetime, now: datetime, half_life_days: float) -> float:
    age_days = max((now - created_at).total_seconds() / 86400.0, 0.0)
    return 0.5 ** (age_days / half_life_days)


def heat_of(members: Sequence[HotRecord], now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> float:
    """The heat of a group of records (see the module docstring)."""
    per_resident = Counter(r.resident_key for r in members if r.resident_key is not None)
    total = 0.0
    for r in members:
        same = per_resident[r.resident_key] if r.resident_key is not None else 1
        total += decay(r.created_at, now, half_life_days) * (
            0.5 + 0.5 / same + LIKE_WEIGHT * math.log1p(max(r.likes, 0))
        )
    return round(total * 10, 1)


def _representative(indices: list[int], matrix: sparse.csr_matrix, records: Sequence[HotRecord]) -> list[int]:
    """Members ordered by closeness to the group's centroid (ties: more likes, earlier)."""
    if len(indices) == 1:
        return indices
    sub = matrix[indices]
    centroid = np.asarray(sub.sum(axis=0)).ravel()
    scores = np.asarray(sub @ centroid).ravel()
    order = sorted(range(len(indices)), key=lambda k: (-round(float(scores[k]), 6), -records[indices[k]].likes,
                                                       records[indices[k]].created_at))
    return [indices[k] for k in order]


def group_hot_issues(
    records: Sequence[HotRecord],
    *,
    now: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    min_size: int = 2,
    limit: int | None = None,
) -> list[HotGroup]:
    """Group `records` into hot issues, hottest first. `now` defaults to the newest record's time."""
    if not records:
        return []
    now = now or max(r.created_at for r in records)
    matrix = vectorize(records)
    groups: list[HotGroup] = []
    for indices in cluster(matrix, records, threshold):
        if len(indices) < min_size:
            continue
        ordered = _representative(indices, matrix, records)
        members = [records[i] for i in ordered]
        head = members[0]
        place_key: str | None = None
        for m in members:
            place_key = _narrower(place_key, m.place_key)
        labels = Counter(m.place_label for m in members if m.place_label)
        residents = {m.resident_key for m in members if m.resident_key is not None}
        anonymous = sum(1 for m in members if m.resident_key is None)
        groups.append(HotGroup(
            title=head.title, representative_id=head.id, member_ids=[m.id for m in members],
            place_key=place_key, place_label=labels.most_common(1)[0][0] if labels else "",
            count=len(members), residents=len(residents) + anonymous, likes=sum(max(m.likes, 0) for m in members),
            first_at=min(m.created_at for m in members), last_at=max(m.created_at for m in members),
            heat=heat_of(members, now, half_life_days), members=members,
        ))
    groups.sort(key=lambda g: (-g.heat, -g.count, g.last_at.timestamp() * -1))
    if limit is not None:
        groups = groups[:limit]
    for rank, group in enumerate(groups, start=1):
        group.rank = rank
    return groups


def records_from_csv(path: str | os.PathLike[str]) -> list[HotRecord]:
    """Records from a messages file with columns id,title,body,created_at,likes (place unknown: text only)."""
    records = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            created = datetime.fromisoformat(row["created_at"])
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            records.append(HotRecord(id=row["id"], title=row.get("title") or "", body=row.get("body") or "",
                                     created_at=created, likes=int(row.get("likes") or 0)))
    return records
