from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "gongzhi.lists"
    label = "lists"
    verbose_name = _("Three lists")

    def ready(self) -> None:
        from gongzhi.core.registry import registry

        from . import stats
        from .api import router
        from .panels import case_lists_panel, hot_issue_actions
        from .urls import NAV_ENTRIES

        stats.register()
        for entry in NAV_ENTRIES:
            registry.nav(entry, before="audit")
        registry.urls("lists/", "gongzhi.lists.urls")
        registry.api_router("/lists/", router, tags=["三张清单"])
        registry.panel("appeals.case", "lists.demands_and_themes", case_lists_panel, order=50)
        registry.panel("intelligence.hot_issue", "lists.turn_into", hot_issue_actions)
        registry.verbs({
            "lists.create_demand": _("Created a demand"),
            "lists.propose_monthly_theme": _("Proposed a monthly theme"),
        })

        # Public notice (公示), ratings and the quarterly refresh (每季度动态更新).
        from .views.public import project_ratings_panel
        from .views.quarters import area_lists_panel

        registry.panel("lists.project", "lists.public_ratings", project_ratings_panel, order=80)
        registry.panel("core.area", "lists.three_lists", area_lists_panel, order=40)
        registry.verbs({
            "lists.rate_project": _("A resident rated a project"),
            "lists.close_quarter": _("Closed a quarter of the lists"),
        })
        from .demo_public import build_demo_public

        registry.demo_builder("lists.public", build_demo_public, order=43)

        # Excel import and export of the three lists
        registry.verbs({
            "lists.import_projects": _("Changed a project by Excel import"),
        })

        # Demands and surveys (问需于民)
        from .demo_demands import build_demo_demands

        registry.verbs({
            "lists.update_demand": _("Edited a demand"),
            "lists.close_demand": _("Closed a demand"),
            "lists.reopen_demand": _("Reopened a demand"),
            "lists.create_survey": _("Created a survey"),
            "lists.update_survey": _("Edited a survey"),
            "lists.edit_survey_questions": _("Edited a survey's questions"),
            "lists.publish_survey": _("Published a survey"),
            "lists.close_survey": _("Closed a survey"),
            "lists.answer_survey": _("A resident answered a survey"),
            "lists.export_survey": _("Exported a survey's results"),
        })
        registry.demo_builder("lists.demands", build_demo_demands, order=40)

        # --- Projects (项目清单) and agreements ---------------------------------------------------------------
        from . import scheduled_projects  # noqa: F401  (registers the overdue milestones' reminder)
        from .demo_projects import build_demo_projects
        from .project_tasks import project_tasks

        registry.task("lists.projects", project_tasks, order=40)
        registry.demo_builder("lists.projects", build_demo_projects, order=42)
        registry.verbs({
            "lists.create_project": _("Created a project"),
            "lists.claim_project": _("Claimed a project"),
            "lists.add_partner_units": _("Added partner units to a project"),
            "lists.set_project_budget": _("Set a project's budget"),
            "lists.add_milestone": _("Added a milestone"),
            "lists.complete_milestone": _("Marked a milestone done"),
            "lists.add_subproject": _("Added a sub-project"),
            "lists.post_progress": _("Posted a project's progress"),
            "lists.finish_project": _("Finished a project"),
            "lists.cancel_project": _("Cancelled a project"),
            "lists.remind_milestone": _("Reminded of an overdue milestone"),
            "lists.add_agreement_item": _("Added an agreement item"),
            "lists.edit_agreement_item": _("Changed an agreement item"),
            "lists.remove_agreement_item": _("Removed an agreement item"),
            "lists.set_agreement_terms": _("Changed an agreement's terms"),
            "lists.send_agreement": _("Sent an agreement for signing"),
            "lists.sign_agreement": _("Signed an agreement"),
        })

        # Resources (资源清单) and matching (点对点匹配).
        from .demo_resources import build_demo_resources
        from .views.matching import demand_panel

        registry.panel("lists.demand", "lists.matching", demand_panel, order=50)
        registry.demo_builder("lists.resources", build_demo_resources, order=41)
        registry.verbs({
            "lists.create_resource": _("Added a resource"),
            "lists.update_resource": _("Edited a resource"),
            "lists.pause_resource": _("Paused a resource"),
            "lists.resume_resource": _("Resumed a resource"),
            "lists.withdraw_resource": _("Withdrew a resource"),
            "lists.propose_match_round": _("Proposed a matching round"),
            "lists.remove_match_pair": _("Removed a match from a round"),
            "lists.change_match_pair": _("Changed a match's resource"),
            "lists.confirm_match_round": _("Confirmed a matching round"),
            "lists.discard_match_round": _("Discarded a matching round"),
            "lists.confirm_match": _("Confirmed a match (a project waiting to be claimed)"),
        })
