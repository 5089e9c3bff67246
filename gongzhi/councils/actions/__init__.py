"""Writes to the councils, one module per part (each function one transaction, checked against
`gongzhi.councils.permissions`, with an audit event "councils.*"). Callers use `from gongzhi.councils import
actions` and `actions.do_...`."""

from .councils import (
    do_appoint_councillor,
    do_create_council,
    do_elect,
    do_end_term_early,
    do_renew_term,
    do_update_rules,
)
from .proposals import (
    do_add_comment,
    do_hide_comment,
    do_send_comment_code,
    do_send_proposal_code,
    do_submit_proposal,
    do_withdraw,
)
from .turn_into import do_turn_into_demand, do_turn_into_project
from .votes import do_cast_vote, do_close_due_votes, do_close_voting, do_open_voting

__all__ = [
    "do_add_comment", "do_appoint_councillor", "do_cast_vote", "do_close_due_votes", "do_close_voting",
    "do_create_council", "do_elect", "do_end_term_early", "do_hide_comment", "do_open_voting", "do_renew_term",
    "do_send_comment_code", "do_send_proposal_code", "do_submit_proposal", "do_turn_into_demand",
    "do_turn_into_project", "do_update_rules", "do_withdraw",
]
