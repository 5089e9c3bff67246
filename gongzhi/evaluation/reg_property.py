"""What the property part registers (called from gongzhi.evaluation.registration): its hub card, audit verbs,
the overdue check, the coverage panel on an area's page and the demo step. Home-task functions are written here for
the lead to register (`rectification_tasks`)."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("gongzhi.evaluation.property")


def flag_overdue_rectifications() -> dict[str, int]:
    """Hourly: notices past their deadline and not closed are flagged once and the community is told."""
    from .actions.property import do_flag_overdue_rectifications

    flagged = do_flag_overdue_rectifications(timezone.localdate())
    if flagged:
        logger.info("overdue rectification notices flagged: %d", flagged)
    return {"flagged": flagged}


def rectification_tasks(user: Any) -> list[Any]:
    """The community's workers: the notices of their estates not closed yet (red when one is overdue); a property company's liaison: the notices waiting for its reply. Written for the lead to register
    (`registry.task("evaluation.rectifications", rectification_tasks, order=...)`); two bounded queries at most."""
    from gongzhi.core.models import Role
    from gongzhi.core.paging import capped_count
    from gongzhi.core.permissions import liaison_unit_ids, user_grants
    from gongzhi.core.policy import path_q, scope_paths
    from gongzhi.core.registry import Task

    from .models import RectificationNotice

    if not getattr(user, "is_authenticated", False):
        return []
    roles = {g.role for g in user_grants(user)}
    tasks: list[Task] = []
    url = reverse("evaluation:property_notices")
    today = timezone.localdate()
    if Role.COMMUNITY_WORKER in roles:
        paths = scope_paths(user, {Role.COMMUNITY_WORKER})
        qs = RectificationNotice.objects.filter(path_q(paths, "contract__estate__path")).exclude(
            status=RectificationNotice.Status.CLOSED)
        overdue = qs.filter(deadline__lt=today).exists()
        tasks.append(Task("evaluation.rectifications", _("Open rectification notices"), capped_count(qs),
                          url + "?status=active", "overdue" if overdue else ""))
    units = liaison_unit_ids(user)
    if Role.UNIT_LIAISON in roles and units:
        qs = RectificationNotice.objects.filter(contract__company_id__in=units,
                                                status=RectificationNotice.Status.OPEN)
        count = capped_count(qs)
        late = qs.filter(deadline__lt=today).exists() if count else False
        tasks.append(Task("evaluation.rectifications.reply", _("Rectification notices to reply to"), count,
                          url + "?status=open", "overdue" if late else ""))
    return tasks


def property_card(user: Any) -> Any:
    """The hub card: contracts, grades below the threshold in the latest quarter, notices open and overdue."""
    from gongzhi.core.policy import has_role, is_superuser

    from . import grading, permissions
    from .hub import Card
    from .models import PropertyContract, PropertyGrade, RectificationNotice

    if not (is_superuser(user) or has_role(user, permissions.STAFF_ROLES | permissions.LIAISON)):
        return None
    contracts = permissions.visible_to(user, PropertyContract)
    count = contracts.count()
    if not count and not permissions.area_policy.areas_where(user, "manage_property").exists():
        return None
    notices = permissions.visible_to(user, RectificationNotice).exclude(status=RectificationNotice.Status.CLOSED)
    overdue = notices.filter(deadline__lt=timezone.localdate()).count()
    latest = permissions.visible_to(user, PropertyGrade).order_by("-year", "-quarter").values_list(
        "year", "quarter").first()
    lines: list[tuple[Any, Any]] = [(_("Property contracts"), count),
                                    (_("Open rectification notices"), f"{notices.count()}"
                                     + (f"（{_('Overdue')} {overdue}）" if overdue else ""))]
    if latest:
        low = permissions.visible_to(user, PropertyGrade).filter(year=latest[0], quarter=latest[1],
                                                                 score__lt=grading.threshold()).count()
        lines.append((_("Below the threshold in %(quarter)s") % {"quarter": grading.quarter_label(*latest)}, low))
    links = [(_("Company ranking"), reverse("evaluation:property_ranking")),
             (_("Rectification notices"), reverse("evaluation:property_notices"))]
    if permissions.area_policy.can_somewhere(user, "see_coverage"):
        links.append((_("Coverage rates"), reverse("evaluation:coverage")))
    return Card(key="property", title=_("Property service evaluation"), url=reverse("evaluation:property_list"),
                lines=lines, links=links, order=40)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_property import build
    from .hub import add_card
    from .views.coverage import area_panel

    add_card(property_card)
    registry.scheduled(3600)(flag_overdue_rectifications)
    registry.panel("core.area", "evaluation.coverage", area_panel, order=60)
    registry.demo_builder("evaluation.property", build, order=73)
    registry.verbs({
        "evaluation.contract.create": _("Recorded a property contract"),
        "evaluation.contract.update": _("Changed a property contract"),
        "evaluation.inspection.record": _("Inspected the property service"),
        "evaluation.grade.compute": _("Computed a property company's quarterly grade"),
        "evaluation.rectification.issue": _("Issued a rectification notice"),
        "evaluation.rectification.reply": _("Replied to a rectification notice"),
        "evaluation.rectification.close": _("Closed a rectification notice"),
        "evaluation.rectification.reopen": _("Sent a rectification reply back"),
        "evaluation.rectification.overdue": _("A rectification notice passed its deadline"),
        "evaluation.estate_profile.update": _("Changed an estate's profile"),
    })
