"""Writes to the lists: each one transaction, checked against the policy, with an audit row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appeals.queries import appeals_visible_to
from gongzhi.core.actions import do_link
from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User

from .. import permissions
from ..models import DEMAND_APPEAL, THEME_APPEAL, Demand, MonthlyTheme

MAX_APPEALS = 1000


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ActionError(_("Please enter a title."), field="title")
    if len(title) > 200:
        raise ActionError(_("The title is too long: at most 200 characters."), field="title")
    return title


def _checked_appeals(user: User | None, appeal_ids: Sequence[int]) -> list[Any]:
    """The appeals, deduplicated and in id order; every one must exist and be visible to the user."""
    try:
        ids = sorted({int(i) for i in appeal_ids})
    except (TypeError, ValueError) as exc:
        raise ActionError(_("The list of appeals is not valid."), field="appeal_ids") from exc
    if len(ids) > MAX_APPEALS:
        raise ActionError(_("Too many appeals: at most 1000."), field="appeal_ids")
    if not ids:
        return []
    found = list(appeals_visible_to(user, ids).order_by("pk"))
    if len(found) != len(ids):
        raise ActionError(_("Some of these appeals do not exist or are outside your area."), field="appeal_ids")
    return found


@transaction.atomic
def do_create_demand(
    *,
    acting_user: User | None,
    title: str,
    area: Area,
    description: str = "",
    source: str = Demand.Source.MANUAL,
    source_ref: str = "",
    appeal_ids: Sequence[int] = (),
) -> Demand:
    """Add a demand to the demand list (from a hot issue, an appeal, a survey ...)."""
    if not permissions.can(acting_user, "create_demand", area):
        raise PermissionDenied(_("You may not add demands for this area."))
    if source not in Demand.Source.values:
        raise ActionError(_("Please choose a valid source."), field="source")
    title = _clean_title(title)
    appeals = _checked_appeals(acting_user, appeal_ids)
    demand = Demand.objects.create(
        title=title, description=(description or "").strip(), area=area, source=source,
        source_ref=(source_ref or "").strip()[:200], created_by=acting_user,
    )
    if appeals:
        do_link(demand, appeals, kind=DEMAND_APPEAL, acting_user=acting_user, area=area)
    log_event(acting_user, "lists.create_demand", demand, area=area,
              after=snapshot(demand, ["title", "source", "source_ref", "appeal_ids", "status"]))
    return demand


@transaction.atomic
def do_propose_monthly_theme(
    *,
    acting_user: User | None,
    month: date,
    title: str,
    area: Area,
    description: str = "",
    source_summary: str = "",
    appeal_ids: Sequence[int] = (),
) -> MonthlyTheme:
    """Propose a problem as the month's theme (每月一题) of a subdistrict or district."""
    if area.level not in permissions.THEME_LEVELS:
        raise ActionError(_("The month's theme is proposed by a subdistrict, a district or the city."), field="area")
    if not permissions.can(acting_user, "propose_theme", area):
        raise PermissionDenied(_("You may not propose the month's theme for this area."))
    title = _clean_title(title)
    appeals = _checked_appeals(acting_user, appeal_ids)
    theme = MonthlyTheme.objects.create(
        month=month.replace(day=1), title=title, description=(description or "").strip(), area=area,
        source_summary=(source_summary or "").strip(), proposed_by=acting_user,
    )
    if appeals:
        do_link(theme, appeals, kind=THEME_APPEAL, acting_user=acting_user, area=area)
    log_event(acting_user, "lists.propose_monthly_theme", theme, area=area,
              after=snapshot(theme, ["month", "title", "appeal_ids", "status"]))
    return theme
