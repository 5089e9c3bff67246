"""Hot issues from the appeals a user may see: builds `HotRecord`s from recent appeals and groups them.

Place: the estate the appeal's area lies in (an appeal at a building or grid counts for its estate), or
the area itself when it is a community; the address text when there is no area. Resident: the linked
resident, else a hash of the callback phone (never the phone itself). Appeals carry no likes (0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.models import Area
from gongzhi.lib.text.grouping import HotGroup, HotRecord, group_hot_issues

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
MAX_APPEALS = 5000
PLACE_LEVELS_UP_TO_ESTATE = ("estate", "grid", "building")


@dataclass(frozen=True)
class AppealRef:
    id: int
    case_id: int | None
    tracking_code: str
    title: str
    created_at: datetime
    area_id: int | None


@dataclass
class HotIssues:
    groups: list[HotGroup]
    appeals: dict[int, AppealRef] = field(default_factory=dict)
    truncated: bool = False
    window_days: int = DEFAULT_WINDOW

    def refs(self, group: HotGroup) -> list[AppealRef]:
        return [self.appeals[i] for i in group.member_ids if isinstance(i, int) and i in self.appeals]


def _places(appeals: list[Appeal]) -> dict[int, tuple[str, str]]:
    """area id → (place key, place label) for every area the appeals name, with one query for ancestors."""
    areas = {a.area_id: a.area for a in appeals if a.area_id and a.area is not None}
    ancestor_ids = {aid for area in areas.values() for aid in area.ancestor_ids()}
    by_id = {a.pk: a for a in Area.objects.filter(pk__in=ancestor_ids).only("id", "name", "level", "path")}
    result: dict[int, tuple[str, str]] = {}
    for area_id, area in areas.items():
        chain = [by_id.get(aid) for aid in area.ancestor_ids()]
        place = area
        if area.level in PLACE_LEVELS_UP_TO_ESTATE:
            place = next((a for a in chain if a is not None and a.level == Area.Level.ESTATE), area)
        community = next((a for a in chain if a is not None and a.level == Area.Level.COMMUNITY), None)
        label = place.name if community is None or community.pk == place.pk else f"{community.name} {place.name}"
        result[area_id] = (place.path, label)
    return result


def recent_appeals(user: Any, *, days: int, area: Area | None = None, now: datetime | None = None) -> list[Appeal]:
    now = now or timezone.now()
    return appeals_queries.recent_appeals(user, since=now - timedelta(days=days), area=area, limit=MAX_APPEALS + 1)


def records_for(appeals: list[Appeal]) -> list[HotRecord]:
    places = _places(appeals)
    records = []
    for a in appeals:
        if a.area_id and a.area_id in places:
            key: str | None
            key, label = places[a.area_id]
        else:
            address = " ".join((a.address or "").split())
            key, label = (f"addr:{address}", address) if address else (None, "")
        records.append(HotRecord(id=a.pk, title=a.title, body=a.body, created_at=a.created_at, place_key=key,
                                 place_label=label, resident_key=appeals_queries.resident_key(a), likes=0))
    return records


def hot_issues_for(
    user: Any, *, days: int = DEFAULT_WINDOW, area: Area | None = None, now: datetime | None = None,
    min_size: int = 2,
) -> HotIssues:
    """The hot issues among the appeals `user` may see from the last `days` days. Cached on the user object
    for the rest of the request (the page and its export ask twice at most)."""
    cache: dict[tuple[Any, ...], HotIssues] = user.__dict__.setdefault("_gongzhi_hot_cache", {})
    key = (days, area.pk if area else None, now, min_size)
    if key in cache:
        return cache[key]
    now = now or timezone.now()
    appeals = recent_appeals(user, days=days, area=area, now=now)
    truncated = len(appeals) > MAX_APPEALS
    appeals = appeals[:MAX_APPEALS]
    groups = group_hot_issues(records_for(appeals), now=now, min_size=min_size,
                              half_life_days=max(days / 4, 3.0))
    refs = {a.pk: AppealRef(id=a.pk, case_id=a.case_id, tracking_code=a.masked_code, title=a.title,
                            created_at=a.created_at, area_id=a.area_id) for a in appeals}
    result = HotIssues(groups=groups, appeals=refs, truncated=truncated, window_days=days)
    cache[key] = result
    return result

