"""Every write of 接诉即办 and 吹哨报到: one function, one transaction, one timeline event, one audit row.

Transitions lock the case (`select_for_update`) and check its state first; from the wrong state they
raise `InvalidTransition` with a sentence saying why, and change nothing. When two people act on the
same case at once, the second waits for the first, then sees the new state and is refused.

Case lifecycle:
    pending_dispatch --dispatch--> dispatched --accept(lead)--> in_progress --reply--> replied
    replied --follow_up--> replied (recorded) --close--> closed
    pending_dispatch --close (answered at intake)--> closed       (still followed up: Case.awaits_follow_up)
    replied/closed --reopen (once, when unsatisfied)--> in_progress
    dispatched/in_progress --return(lead)--> pending_dispatch        (at most Case.MAX_RETURNS times)
    dispatched/in_progress --reassign--> dispatched
    pending_dispatch --merge into another case--> merged

The functions live by topic in this package — intake.py, cases.py (dispatch and handling),
whistles.py, config.py, ratings.py (the resident's own rating, with a code sent to the phone), with the shared helpers in _common.py — and are imported from here:
`from gongzhi.appeals import actions; actions.do_dispatch_case(...)`.
"""

from __future__ import annotations

from ._common import MAX_BODY, MAX_PHOTO_BYTES, MAX_PHOTOS, PLACE_LEVELS, check_spam, validate_photos
from .cases import (
    do_accept_assignment,
    do_add_progress_note,
    do_close_case,
    do_decide_extension,
    do_dispatch_case,
    do_follow_up_case,
    do_merge_appeals,
    do_reassign_case,
    do_reopen_case,
    do_reply_case,
    do_request_extension,
    do_return_assignment,
    do_reveal_appeal_contact,
    do_reveal_callback_phone,
    do_supervise_case,
)
from .config import (
    covers_config_area,
    do_create_category,
    do_create_routing_rule,
    do_delete_routing_rule,
    do_import_categories,
    do_update_category,
    do_update_rates_config,
    do_update_time_limit,
    due_window,
)
from .intake import do_submit_appeal
from .offices import do_open_subdistrict_offices
from .ratings import can_be_rated, do_rate_appeal, do_send_rating_code
from .whistles import do_complete_whistle_report, do_rate_whistle_report, do_report_whistle, do_whistle

__all__ = [
    "do_open_subdistrict_offices",
    "MAX_BODY",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "PLACE_LEVELS",
    "can_be_rated",
    "check_spam",
    "covers_config_area",
    "do_accept_assignment",
    "do_add_progress_note",
    "do_close_case",
    "do_complete_whistle_report",
    "do_create_category",
    "do_create_routing_rule",
    "do_decide_extension",
    "do_delete_routing_rule",
    "do_dispatch_case",
    "do_follow_up_case",
    "do_import_categories",
    "do_merge_appeals",
    "do_rate_appeal",
    "do_rate_whistle_report",
    "do_reassign_case",
    "do_reopen_case",
    "do_reply_case",
    "do_report_whistle",
    "do_request_extension",
    "do_return_assignment",
    "do_reveal_appeal_contact",
    "do_reveal_callback_phone",
    "do_send_rating_code",
    "do_submit_appeal",
    "do_supervise_case",
    "do_update_category",
    "do_update_rates_config",
    "do_update_time_limit",
    "do_whistle",
    "due_window",
    "validate_photos",
]
