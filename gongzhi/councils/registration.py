"""What the councils app registers with core: pages, API, navigation, audit verbs, the councillor's home task,
the scheduled close of votes and the demo step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

VERBS = {
    "councils.create_council": _("Set up a residents' council"),
    "councils.update_rules": _("Changed a council's rules"),
    "councils.appoint_councillor": _("Appointed a councillor"),
    "councils.renew_term": _("Renewed a councillor's term"),
    "councils.end_term_early": _("Ended a councillor's term early"),
    "councils.submit_proposal": _("Submitted a council proposal"),
    "councils.add_comment": _("Commented on a council proposal"),
    "councils.hide_comment": _("Hid a comment on a council proposal"),
    "councils.withdraw": _("Withdrew a council proposal"),
    "councils.open_voting": _("Opened voting on a council proposal"),
    "councils.cast_vote": _("Voted on a council proposal"),
    "councils.close_voting": _("Closed voting on a council proposal"),
    "councils.turn_into_demand": _("Turned a council proposal into a demand"),
    "councils.turn_into_project": _("Turned a council proposal into a project"),
}


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import scheduled  # noqa: F401  (registers the close of votes past their time)
    from .api import router
    from .demo import build_demo_councils
    from .permissions import council_policy
    from .tasks import councillor_tasks

    registry.urls("councils/", "gongzhi.councils.urls")
    registry.api_router("/councils/", router, tags=["居民议事会"])
    registry.nav(NavEntry("councils", _("Residents' councils"), "councils:index",
                          lambda user: council_policy.can_somewhere(user, "browse"),
                          priority_for=lambda user: 20 if _only_councillor(user) else 100), before="audit")
    registry.verbs(VERBS)
    registry.task("councils.vote", councillor_tasks, order=45)
    registry.demo_builder("councils", build_demo_councils, order=53)


def _only_councillor(user: object) -> bool:
    from gongzhi.core.permissions import AREA_STAFF_ROLES
    from gongzhi.core.policy import has_role

    from .permissions import councillor_council_ids

    return bool(councillor_council_ids(user)) and not has_role(user, AREA_STAFF_ROLES)
