"""The disputes hub (/disputes/): one card per part, each part adding its card in its reg_<part>.py (see gongzhi.core.hubs)."""

from __future__ import annotations

from gongzhi.core.hubs import Card, Hub

hub = Hub()
add_card = hub.add_card
cards_for = hub.cards_for

__all__ = ["Card", "add_card", "cards_for", "hub"]
