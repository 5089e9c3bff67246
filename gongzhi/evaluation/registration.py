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
    reg_campaigns.register()
    reg_results.register()
    reg_members.register()
    reg_property.register()
