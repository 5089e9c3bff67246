"""The hub's campaign card counts campaigns, not campaign-and-rater rows (the visibility filter joins the raters)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.evaluation.reg_campaigns import campaigns_card

from .test_campaigns_scene import open_a

pytestmark = pytest.mark.django_db


def test_the_organizers_card_counts_each_open_campaign_once(cast: Any) -> None:
    open_a(cast)  # three raters
    card = campaigns_card(cast.subdistrict_staff_a)
    assert card is not None
    lines = {str(label): value for label, value in card.lines}
    assert lines["评议中"] == 1 and lines["草稿"] == 0
