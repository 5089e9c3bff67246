"""Duplicate appeals: earlier open appeals about the same problem at the same place.

    find_duplicates(appeal)              # [DuplicateCandidate, ...] most similar first
    duplicates_for_case(case, user=...)  # for the dispatch screen and the API, scoped to the user

Precision comes first: a dispatcher merging two residents' appeals by mistake is worse than missing a
duplicate (the dispatcher can still merge by tracking code). A candidate must pass all three tests:

- open: its case is waiting for dispatch, dispatched, in progress or waiting for follow-up (not closed,
  not merged), and it is not in the same case already;
- recent: submitted at most WINDOW_DAYS (30) days before the new appeal, and not after it;
- same problem at the same place: the cosine similarity of character 2–3-gram TF-IDF vectors of
  title + body (fitted on the candidates and the new appeal together) is at least
  * SAME_PLACE_MIN_SIMILARITY (0.5) when both are in the same building or the same estate (小区), or
    their free-text addresses are identical once spaces and punctuation are removed;
  * SAME_COMMUNITY_MIN_SIMILARITY (0.8) when they only share the community.
  Appeals in other communities are never candidates, however similar the text (the same complaint about
  two estates is two problems).

The reason is a Chinese sentence such as "同一楼栋，内容相似度 82%，3 天前提交".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from sklearn.feature_extraction.text import TfidfVectorizer

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal, Case

WINDOW_DAYS = 30
SAME_PLACE_MIN_SIMILARITY = 0.5
SAME_COMMUNITY_MIN_SIMILARITY = 0.8
# At most this many recent candidates are compared (newest first); a community rarely has more open
# appeals in a month, and the comparison stays a few milliseconds.
MAX_CANDIDATES = 500
MAX_TEXT_CHARS = 1000


@dataclass
class DuplicateCandidate:
    appeal: Appeal
    case: Case
    similarity: float
    place: str  # building / estate / address / community
    days: int

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def reason(self) -> str:
        place = {
            "building": _("Same building"),
            "estate": _("Same estate"),
            "address": _("Same address"),
            "community": _("Same community"),
        }[self.place]
        if self.days == 0:
            return _("%(place)s, text %(percent)d%% similar, submitted the same day") % {
                "place": place, "percent": self.percent}
        return ngettext(
            "%(place)s, text %(percent)d%% similar, submitted %(days)d day earlier",
            "%(place)s, text %(percent)d%% similar, submitted %(days)d days earlier",
            self.days,
        ) % {"place": place, "percent": self.percent, "days": self.days}


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_address(address: str) -> str:
    """Full-width to half-width, lower case, without spaces and punctuation: "1号楼 2单元" == "1号楼2单元"."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", address or "").lower())


def appeal_text(title: str, body: str) -> str:
    return f"{(title or '').strip()} {(body or '').strip()[:MAX_TEXT_CHARS]}"


def similarities(text: str, others: list[str]) -> np.ndarray:
    """Cosine similarity of `text` to each of `others` (char 2–3-gram TF-IDF fitted on all of them)."""
    if not others:
        return np.zeros(0)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([text, *others])
    except ValueError:  # nothing but one-character texts: no 2-grams at all
        return np.zeros(len(others))
    return np.asarray((matrix[1:] @ matrix[0].T).toarray()).ravel()  # rows are L2-normalised


def _place_paths(appeal: Appeal) -> dict[str, str]:
    """Paths of the appeal's building, estate and community (those it has)."""
    from gongzhi.core.models import Area

    area = appeal.area
    if area is None:
        return {}
    ancestors = {a.level: a.path for a in Area.objects.filter(pk__in=area.ancestor_ids()).only("level", "path")}
    return {key: ancestors[level] for key, level in (("building", Area.Level.BUILDING),
                                                      ("estate", Area.Level.ESTATE),
                                                      ("community", Area.Level.COMMUNITY)) if level in ancestors}


def _shared_place(paths: dict[str, str], other_path: str, same_address: bool) -> str | None:
    for key in ("building", "estate"):
        if key in paths and other_path.startswith(paths[key]):
            return key
    if same_address:
        return "address"
    if "community" in paths and other_path.startswith(paths["community"]):
        return "community"
    return None


def find_duplicates(
    appeal: Appeal, *, user: Any = None, window_days: int = WINDOW_DAYS, limit: int = 5,
    now: datetime | None = None,
) -> list[DuplicateCandidate]:
    """Earlier open appeals that look like the same problem at the same place, most similar first.

    With `user`, only appeals the user may see are considered.
    """
    from gongzhi.appeals.models import Appeal, Case
    from gongzhi.appeals.permissions import visible_to

    submitted = appeal.created_at or now or timezone.now()
    paths = _place_paths(appeal)
    address = normalize_address(appeal.address)
    place_q = Q(area__path__startswith=paths["community"]) if "community" in paths else Q(pk__in=[])
    if address:
        place_q |= Q(address__iexact=(appeal.address or "").strip())
        # Same address written differently (spaces, full-width digits): compare normalised in Python
        # among the appeals of the same community, which place_q already fetches.
    if not paths and not address:
        return []
    qs = Appeal.objects.filter(
        place_q, case__status__in=Case.OPEN_STATUSES, created_at__gte=submitted - timedelta(days=window_days),
        created_at__lte=submitted,
    ).exclude(pk=appeal.pk)
    if appeal.case_id is not None:
        qs = qs.exclude(case_id=appeal.case_id)
    if user is not None:
        qs = qs.filter(case__in=visible_to(user, Case).values("pk"))
    candidates = list(
        qs.select_related("case", "area").only(
            "id", "title", "body", "address", "created_at", "tracking_code", "case__id", "case__title",
            "case__status", "case__created_at", "area__path",
        ).order_by("-created_at", "-id")[:MAX_CANDIDATES]
    )
    if not candidates:
        return []
    scores = similarities(appeal_text(appeal.title, appeal.body),
                          [appeal_text(c.title, c.body) for c in candidates])
    found: list[DuplicateCandidate] = []
    for candidate, score in zip(candidates, scores, strict=True):
        same_address = bool(address) and normalize_address(candidate.address) == address
        place = _shared_place(paths, candidate.area.path if candidate.area else "", same_address)
        if place is None:
            continue
        needed = SAME_COMMUNITY_MIN_SIMILARITY if place == "community" else SAME_PLACE_MIN_SIMILARITY
        if score < needed:
            continue
        days = (submitted - candidate.created_at).days
        assert candidate.case is not None
        found.append(DuplicateCandidate(appeal=candidate, case=candidate.case, similarity=round(float(score), 4),
                                        place=place, days=days))
    found.sort(key=lambda d: (-d.similarity, d.days))
    # One row per case: the most similar appeal of it.
    seen: set[int] = set()
    unique = []
    for d in found:
        if d.case.pk not in seen:
            seen.add(d.case.pk)
            unique.append(d)
    return unique[:limit]


def duplicates_for_case(case: Case, *, user: Any = None, limit: int = 5) -> list[DuplicateCandidate]:
    """Duplicate candidates of the case's appeals (the newest appeal first), one row per other case."""
    rows: dict[int, DuplicateCandidate] = {}
    for appeal in case.appeals.select_related("area").order_by("-created_at", "-id")[:5]:
        for d in find_duplicates(appeal, user=user, limit=limit):
            if d.case.pk not in rows or rows[d.case.pk].similarity < d.similarity:
                rows[d.case.pk] = d
    return sorted(rows.values(), key=lambda d: (-d.similarity, d.days))[:limit]


def duplicate_rows(candidates: list[DuplicateCandidate]) -> list[dict[str, Any]]:
    return [
        {"case_id": d.case.pk, "case_status": d.case.status, "case_status_label": str(d.case.get_status_display()),
         "appeal_id": d.appeal.pk, "tracking_code": d.appeal.tracking_code, "title": d.appeal.title,
         "similarity": d.similarity, "place": d.place, "days": d.days, "reason": d.reason,
         "submitted_at": d.appeal.created_at}
        for d in candidates
    ]
