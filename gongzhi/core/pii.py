"""Personal data (phone, ID number, address): one rule for residents, party members and appeals.

- Shown masked everywhere: a phone or ID number keeps its first three and last four characters, an address
  shows only the community and estate the person lives in (never a part of the free text).
- Shown in full ("revealed", each time written to the audit log) only to the roles in `REVEAL_ROLES` —
  subdistrict staff, community workers and grid workers — over their subtree, and to the superuser. City and
  district admins manage; they see everything masked. Appeals add the unit that handles the case (it must call
  back); see `gongzhi.appeals.permissions.can_reveal_contact`.
- Searching by phone or ID number is a reveal too: only the same roles in the same scope find anyone by it,
  each such search is audited with the term masked, and it is limited per user (`settings.PII_SEARCH_RATE`).
  For everyone else a search matches names only.

docs/architecture.md ("Hardening: personal data") has the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from gongzhi.lib.errors import ActionError
from gongzhi.lib.masking import mask_address, mask_id_number, mask_phone
from gongzhi.lib.validators import validate_id_number, validate_phone

from .models import Area
from .permissions import REVEAL_ROLES, is_superuser, path_q, scope_paths

# The lowest levels a masked address names: the person's community and estate.
MASKED_LEVELS = (Area.Level.COMMUNITY, Area.Level.ESTATE)
_BELOW_ESTATE = frozenset({Area.Level.GRID, Area.Level.BUILDING})
_DIGIT = re.compile(r"\d")


def is_pii_term(term: str) -> bool:
    """Is this search term a phone or ID number (the only values stored, so the only ones that can match)?
    Anything else, a part of a number typed so far included, is searched as a name."""
    term = (term or "").strip()
    if not _DIGIT.search(term):
        return False
    for validate, value in ((validate_phone, term), (validate_id_number, term.upper())):
        try:
            validate(value)
        except ActionError:
            continue
        return True
    return False


def mask_term(term: str) -> str:
    """A search term as the audit log keeps it: masked like the number it looks for."""
    term = (term or "").strip()
    return mask_id_number(term) if len(term) >= 15 else mask_phone(term)


def reveal_paths(user: Any) -> list[str] | None:
    """The subtrees where `user` may see personal data in full; None means everywhere (the superuser)."""
    if is_superuser(user):
        return None
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return []
    return scope_paths(user, REVEAL_ROLES)


def can_reveal_at(user: Any, area: Area | None) -> bool:
    """May `user` see in full the personal data of people (and appeals) at `area`?"""
    if area is None:
        return False
    paths = reveal_paths(user)
    return paths is None or any(area.path.startswith(p) for p in paths)


def searches_pii(user: Any, term: str) -> bool:
    """Would this search look people up by phone or ID number (audited and rate-limited)?"""
    paths = reveal_paths(user)
    return is_pii_term(term) and (paths is None or bool(paths))


def person_search_q(user: Any, term: str, *, area_field: str) -> Q:
    """What a search term matches for `user`: names anywhere in the list; phone and ID number exactly, and only
    where the user may reveal personal data (elsewhere, and for other roles, nothing by those fields)."""
    term = (term or "").strip()
    q = Q(name__icontains=term)
    if not is_pii_term(term):
        return q
    paths = reveal_paths(user)
    if paths is not None and not paths:
        return q
    by_pii = Q(phone=term) | Q(id_number=term.upper())
    if paths is not None:
        by_pii &= path_q(paths, area_field)
    return q | by_pii


def filter_area(user: Any, area: Area) -> Area:
    """The area a masked list may be filtered by: one below an estate (a grid, a building) would show where each
    person lives, so for those who may not reveal there it is lifted to its estate."""
    if area.level not in _BELOW_ESTATE or can_reveal_at(user, area):
        return area
    estate = Area.objects.filter(pk__in=area.ancestor_ids(), level=Area.Level.ESTATE).first()
    return estate or area


class Places:
    """The masked place (community and estate) of areas. The tree has one level per depth (city → district →
    subdistrict → community → estate → grid → building), so an area's community and estate are the ancestors at
    those depths in its path: one query loads them for a whole page of people, and each is loaded once."""

    _DEPTHS = tuple(Area.Level.values.index(level) for level in MASKED_LEVELS)

    def __init__(self) -> None:
        self._areas: dict[int, Area | None] = {}

    def _wanted(self, area: Area) -> list[int]:
        ids = area.ancestor_ids()
        return [ids[d] for d in self._DEPTHS if d < len(ids)]

    def preload(self, areas: Iterable[Area | None]) -> Places:
        missing = {pk for a in areas if a is not None for pk in self._wanted(a)} - set(self._areas)
        if missing:
            found = {a.pk: a for a in Area.objects.filter(pk__in=missing, level__in=MASKED_LEVELS)
                     .only("id", "name", "level", "path")}
            for pk in missing:
                self._areas[pk] = found.get(pk)
        return self

    def _chain(self, area: Area) -> list[Area]:
        self.preload([area])
        return [a for a in (self._areas.get(pk) for pk in self._wanted(area)) if a is not None]

    def area(self, area: Area | None) -> Area | None:
        """The lowest community or estate at or above `area` (the area itself when it lies above communities)."""
        if area is None:
            return None
        chain = self._chain(area)
        if chain:
            return chain[-1]
        return area if area.level not in _BELOW_ESTATE else None

    def name(self, area: Area | None) -> str:
        """The community and estate names ("和平里社区 和平小区"), or the area's own name above communities."""
        if area is None:
            return ""
        chain = self._chain(area)
        if chain:
            return " ".join(a.name for a in chain)
        return area.name if area.level not in _BELOW_ESTATE else ""

    def address(self, address: str, area: Area | None) -> str:
        """A masked address: the place's names, the rest hidden."""
        return mask_address(address, self.name(area))


__all__ = [
    "MASKED_LEVELS", "Places", "can_reveal_at", "filter_area", "is_pii_term", "mask_term", "person_search_q",
    "reveal_paths", "searches_pii",
]
