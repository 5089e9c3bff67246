"""The sections of a meeting's page, each from the part of the app that owns it (agenda, resolutions, duty
reports, minutes, attendance), so that no part edits another's template:

    @section("agenda", order=20)
    def agenda_section(request, meeting) -> Section | None: ...

`meeting_detail` renders every section that returns one, in order: `{% include section.template %}` with the
section's context merged into the page's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SectionFn = Callable[[Any, Any], "Section | None"]


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    title: str = ""


_SECTIONS: list[tuple[int, str, SectionFn]] = []


def section(name: str, *, order: int) -> Callable[[SectionFn], SectionFn]:
    def register(fn: SectionFn) -> SectionFn:
        if all(n != name for _o, n, _f in _SECTIONS):
            _SECTIONS.append((order, name, fn))
            _SECTIONS.sort(key=lambda s: (s[0], s[1]))
        return fn
    return register


def sections_for(request: Any, meeting: Any) -> list[Section]:
    out = []
    for _order, _name, fn in _SECTIONS:
        result = fn(request, meeting)
        if result is not None:
            out.append(result)
    return out
