"""Writes to the lists, one module per part (each function one transaction, checked against the policy, with an
audit event). Callers use `from gongzhi.lists import actions` and `actions.do_...`."""

from .demands import (
    MAX_APPEALS,
    do_close_demand,
    do_create_demand,
    do_propose_monthly_theme,
    do_reopen_demand,
    do_update_demand,
)
from .surveys import (
    do_add_question,
    do_close_survey,
    do_create_survey,
    do_delete_question,
    do_move_question,
    do_publish_survey,
    do_send_survey_code,
    do_submit_survey_response,
    do_update_question,
    do_update_survey,
)

__all__ = ["MAX_APPEALS", "do_create_demand", "do_propose_monthly_theme"]

from .transfer import IMPORT_VERBS, ImportRefused, ImportResult, do_import_list  # noqa: E402  (Excel import, one module per part)

__all__ += ["IMPORT_VERBS", "ImportRefused", "ImportResult", "do_import_list"]
__all__ += ["do_close_demand", "do_reopen_demand", "do_update_demand"]
__all__ += ["do_add_question", "do_close_survey", "do_create_survey", "do_delete_question", "do_move_question",
            "do_publish_survey",
            "do_send_survey_code", "do_submit_survey_response", "do_update_question", "do_update_survey"]

# --- Projects (项目清单) and agreements ---------------------------------------------------------------------
from .agreements import (  # noqa: E402
    do_add_agreement_item,
    do_edit_agreement_item,
    do_remove_agreement_item,
    do_send_agreement,
    do_set_agreement_terms,
    do_sign_agreement,
)
from .projects import (  # noqa: E402
    Reservation,
    do_add_milestone,
    do_add_partner_units,
    do_add_subproject,
    do_cancel_project,
    do_claim_project,
    do_complete_milestone,
    do_create_project,
    do_finish_project,
    do_post_progress,
    do_remind_overdue_milestones,
    do_set_project_budget,
)

__all__ += [
    "Reservation", "do_add_agreement_item", "do_add_milestone", "do_add_partner_units", "do_add_subproject",
    "do_cancel_project", "do_claim_project", "do_complete_milestone", "do_create_project",
    "do_edit_agreement_item", "do_finish_project", "do_post_progress", "do_remind_overdue_milestones",
    "do_remove_agreement_item", "do_send_agreement", "do_set_agreement_terms", "do_set_project_budget",
    "do_sign_agreement",
]


# Resources (资源清单) and matching (点对点匹配).
from .matching import (  # noqa: E402
    do_change_match_pair,
    do_confirm_match_round,
    do_discard_match_round,
    do_match_by_hand,
    do_propose_match_round,
    do_remove_match_pair,
)
from .resources import ResourceData, do_create_resource, do_set_resource_status, do_update_resource  # noqa: E402

__all__ += ["ResourceData", "do_change_match_pair", "do_confirm_match_round", "do_create_resource",
            "do_discard_match_round", "do_match_by_hand", "do_propose_match_round", "do_remove_match_pair",
            "do_set_resource_status", "do_update_resource"]
