"""Duplicate appeals: earlier open appeals about the same problem at the same place.

    find_duplicates(appeal)              # [DuplicateCandidate, ...] most similar first
    duplicates_for_case(case, user=...)  # for the dispatch screen and the API, scoped to the user

Precision comes first: a dispatcher merging two residents' appeals by mistake is worse than missing a
duplicate (the dispatcher can still merge by tracking code). A candidate must pass all three tests:

- open: its case is waiting for dispatch, dispatched, in progress or waiting for follow-up (not closed,
  not merged), and it is not in the same case already;
- recent: submitted at most WINDOW_DAYS (30) days before the new appeal, and not after it;
- same problem at the same place: the cosine similarity of character 2–3-gram TF-IDF vectors of
  title + body (fitted on the candidates and the new appeal together, `gongzhi.lib.text.similarity`) is at least
  * SAME_PLACE_MIN_SIMILARITY (0.5) when both are in the same building or the same estate (小区), or
    their free-text addresses are identical once spaces and punctuation are removed;
  * SAME_COMMUNITY_MIN_SIMILARITY (0.8) when they only share the community.
  Appeals in other communities are never candidates, however similar the text (the same complaint about
  two estates is two problems).

The reason is a Chinese sentence such as "同一楼栋，内容相似度 82%，3 天前提交".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.models import Area
from gongzhi.lib.text.similarity import message_text, normalize_address, similarities

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal, Case

__all__ = ["DuplicateCandidate", "duplicate_rows", "duplicates_for_case", "find_duplicates", "normalize_address",
           "similarities"]

WINDOW_DAYS = 30
SAME_PLACE_MIN_SIMILARITY = 0.5
SAME_COMMUNITY_MIN_SIMILARITY = 0.8
# At most this many recent candidates are compared (newest first); a community rarely has more open
# appeals in a month, and the comparison stays a few milliseconds.
MAX_CANDIDATES = 500


@dataclass
class DuplicateCandidate:
    appeal: Appeal
    case: Case
    similarity: float
    place: str  # building / estate / address / community
    days: int
    # The merges the viewing dispatcher may do (set by the case page's panel, panels.py).
    can_merge_here: bool = False
    can_merge_there: bool = False

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


def _place_paths(appeal: Appeal) -> dict[str, str]:
    """Paths of the appeal's building, estate and community (those it has)."""
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
    submitted = appeal.created_at or now or timezone.now()
    paths = _place_paths(appeal)
    address = normalize_address(appeal.address)
    if not paths and not address:
        return []
    # Same address written differently (spaces, full-width digits) is compared normalised below, among the
    # appeals of the same community, which the query fetches as well.
    candidates = appeals_queries.open_appeals_near(
        appeal, community_path=paths.get("community"), same_address=bool(address), since=submitted - timedelta(days=window_days),
        until=submitted, user=user, limit=MAX_CANDIDATES,
    )
    if not candidates:
        return []
    scores = similarities(message_text(appeal.title, appeal.body),
                          [message_text(c.title, c.body) for c in candidates])
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
    for appeal in appeals_queries.latest_appeals(case, 5):
        for d in find_duplicates(appeal, user=user, limit=limit):
            if d.case.pk not in rows or rows[d.case.pk].similarity < d.similarity:
                rows[d.case.pk] = d
    return sorted(rows.values(), key=lambda d: (-d.similarity, d.days))[:limit]


def duplicate_rows(candidates: list[DuplicateCandidate]) -> list[dict[str, Any]]:
    return [
        {"case_id": d.case.pk, "case_status": d.case.status, "case_status_label": d.case.shown_status.label,
         "appeal_id": d.appeal.pk, "tracking_code": d.appeal.masked_code, "title": d.appeal.title,
         "similarity": d.similarity, "place": d.place, "days": d.days, "reason": d.reason,
         "submitted_at": d.appeal.created_at}
        for d in candidates
    ]
