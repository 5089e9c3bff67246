"""What the evaluation app registers with core; each part adds its own in its reg_<part>.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gongzhi.core.navigation import NavEntry
    from gongzhi.core.registry import registry

    from . import reg_campaigns, reg_members, reg_property, reg_results
    from .api import router
    from .permissions import shows_evaluation

    registry.urls("evaluation/", "gongzhi.evaluation.urls")
    registry.api_router("/evaluation/", router, tags=["双向评估"])
    registry.nav(NavEntry("evaluation", _("Evaluation"), "evaluation:home", shows_evaluation, priority=60),
                 before="audit")
    # The home page's tasks (each part wrote its own; they are registered here, where the query pins are kept).
    registry.task("evaluation.ratings_to_give", reg_campaigns.rating_tasks, order=60)
    registry.task("evaluation.objections", reg_results.objection_tasks, order=61)
    registry.task("evaluation.notice", reg_results.notice_tasks, order=62)
    registry.task("evaluation.flags_open", reg_members.flag_tasks, order=63)
    registry.task("evaluation.rectifications", reg_property.rectification_tasks, order=64)
    reg_campaigns.register()
    reg_results.register()
    reg_members.register()
    reg_property.register()
