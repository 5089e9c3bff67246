"""The evidence beside every rating, drawn from what the platform recorded for the period (helper E fills this in).

`evidence_for(ratee)` → an `Evidence`: one `EvidenceItem` per fact (projects claimed, finished and overdue;
resolutions assigned, done and late; duty reports filed and missed; meetings attended and missed; whistles
answered and how fast; cases handled and their three rates; service hours of the unit's in-service party
members; residents' ratings of the unit's projects), each with a few `Example`s linking to the records.
The template `evaluation/_evidence.html` shows it (on the rating page and on the result page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Example:
    text: str
    url: str = ""


@dataclass
class EvidenceItem:
    key: str
    label: Any
    value: str
    # "good", "bad" or "" (how the fact reads for the ratee; the template colours it)
    tone: str = ""
    examples: list[Example] = field(default_factory=list)


@dataclass
class Evidence:
    name: str
    period_start: date
    period_end: date
    items: list[EvidenceItem] = field(default_factory=list)


def evidence_for(ratee: Any) -> Evidence:
    """The evidence for a ratee over its campaign's period (a stub until the evidence part lands)."""
    campaign = ratee.campaign
    return Evidence(name=ratee.name, period_start=campaign.period_start, period_end=campaign.period_end)
