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
__all__ += ["do_add_question", "do_close_survey", "do_create_survey", "do_delete_question", "do_publish_survey",
            "do_send_survey_code", "do_submit_survey_response", "do_update_question", "do_update_survey"]
