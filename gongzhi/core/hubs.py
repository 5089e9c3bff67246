"""An app's hub page (/service/, /evaluation/): one card per part, each part adding its card when the app registers.

A card function takes the user and returns a `Card` (or None when the part has nothing for them); `Hub.cards_for`
calls them all and orders the cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Card:
    key: str
    title: Any
    url: str
    # Lines of (label, value) shown on the card, and links (label, url) under them.
    lines: list[tuple[Any, Any]] = field(default_factory=list)
    links: list[tuple[Any, str]] = field(default_factory=list)
    order: int = 100


class Hub:
    def __init__(self) -> None:
        self.card_functions: list[Callable[[Any], Card | None]] = []

    def add_card(self, fn: Callable[[Any], Card | None]) -> None:
        if fn not in self.card_functions:
            self.card_functions.append(fn)

    def cards_for(self, user: Any) -> list[Card]:
        cards = [c for c in (fn(user) for fn in self.card_functions) if c is not None]
        return sorted(cards, key=lambda c: c.order)
