"""Writes to the lists, one module per part (each function one transaction, checked against the policy, with an
audit event). Callers use `from gongzhi.lists import actions` and `actions.do_...`."""

from .demands import MAX_APPEALS, do_create_demand, do_propose_monthly_theme

__all__ = ["MAX_APPEALS", "do_create_demand", "do_propose_monthly_theme"]

from .transfer import IMPORT_VERBS, ImportResult, do_import_list  # noqa: E402  (Excel import, one module per part)

__all__ += ["IMPORT_VERBS", "ImportResult", "do_import_list"]
