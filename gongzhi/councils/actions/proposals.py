"""Proposals (提案) and their public deliberation: submit (a serving councillor signed in; a resident without an
account with their name and a phone proven by a one-time code, purpose "council_proposal"; staff on behalf of a
resident who brought it on paper), comment (residents with a verified phone, purpose "council_comment"; councillors
and staff signed in), hide a comment with a reason (a councillor or staff; never deleted), withdraw.

A resident proposer's phone is not kept: only its keyed hash (`lists.phone_codes.phone_hash`). So a resident
without an account cannot be sent the outcome: the proposal's public page shows it (the page they were sent to
after submitting). The phone number and the code never reach the audit row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import User
from gongzhi.core.policy import is_active_user
from gongzhi.lists import phone_codes
from gongzhi.lists.models import PhoneCode

from ..models import Comment, Council, Councillor, Proposal
from ..permissions import council_policy, serving_terms
from ._common import clean_text

PROPOSAL_PURPOSE = PhoneCode.Purpose.COUNCIL_PROPOSAL
COMMENT_PURPOSE = PhoneCode.Purpose.COUNCIL_COMMENT
MAX_TITLE, MAX_BODY, MAX_COMMENT, MAX_NAME = 200, 5000, 1000, 50
OPEN_FOR_COMMENTS = (Proposal.Status.DELIBERATION, Proposal.Status.VOTING)


def serving_term(user: Any, council: Council) -> Councillor | None:
    """The user's councillor term serving today on this council, if any."""
    return next((t for t in serving_terms(user) if t.council_id == council.pk), None)


def _check_code(purpose: str, object_id: int, phone: str, code: str) -> str:
    """The phone's hash once the code is right (checked in its own transaction: a wrong try stays counted)."""
    number = phone_codes.normalise_phone(phone)
    if not (code or "").strip():
        raise ActionError(_("Please enter the 6-digit code sent to your phone."), field="code")
    if not phone_codes.use_code(purpose, object_id, number, code):
        raise ActionError(_("The code is wrong or has expired. Please check it, or ask for a new one."), field="code")
    return phone_codes.phone_hash(number)


def do_send_proposal_code(council: Council, *, phone: str) -> None:
    """A one-time code to the phone of a resident submitting a proposal to `council` (limits: lists.phone_codes)."""
    phone_codes.do_send_code(PROPOSAL_PURPOSE, council.pk, phone,
                             what=_("a proposal to %(council)s") % {"council": council.name[:30]})


def do_send_comment_code(proposal: Proposal, *, phone: str) -> None:
    """A one-time code to the phone of a resident commenting on `proposal`."""
    if proposal.status not in OPEN_FOR_COMMENTS:
        raise InvalidTransition(_("This proposal has been decided: comments are closed."))
    phone_codes.do_send_code(COMMENT_PURPOSE, proposal.pk, phone,
                             what=_("commenting on the proposal %(title)s") % {"title": proposal.title[:30]})


def do_submit_proposal(council: Council, *, acting_user: User | None = None, title: str, body: str,
                       name: str = "", phone: str = "", code: str = "") -> Proposal:
    """A proposal to the council. Signed in: a councillor serving today proposes as themselves, staff who run the
    council record a resident's proposal (`name`). Without an account (`acting_user` None): the resident's `name`,
    `phone` and the `code` sent to it."""
    title = clean_text(title, "title", MAX_TITLE, required=_("Please enter a title."))
    body = clean_text(body, "body", MAX_BODY, required=_("Please say what you propose."))
    name = clean_text(name, "name", MAX_NAME)
    fields: dict[str, Any] = {}
    if acting_user is not None and is_active_user(acting_user):
        term = serving_term(acting_user, council)
        if term is not None:
            fields = {"proposer_kind": Proposal.ProposerKind.COUNCILLOR, "proposer_councillor": term,
                      "proposer_name": term.resident.name, "proposer_user": acting_user}
        elif council_policy.can(acting_user, "manage", council):
            if not name:
                raise ActionError(_("Please enter the name of the resident who made the proposal."), field="name")
            fields = {"proposer_kind": Proposal.ProposerKind.RESIDENT, "proposer_name": name}
        else:
            raise PermissionDenied(_("Only a serving councillor or the community's staff propose here; residents "
                                     "use the public form."))
    else:
        if not name:
            raise ActionError(_("Please enter your name."), field="name")
        fields = {"proposer_kind": Proposal.ProposerKind.RESIDENT, "proposer_name": name,
                  "proposer_phone_hash": _check_code(PROPOSAL_PURPOSE, council.pk, phone, code)}
    return _create_proposal(council, acting_user, title, body, fields)


@transaction.atomic
def _create_proposal(council: Council, acting_user: User | None, title: str, body: str,
                     fields: dict[str, Any]) -> Proposal:
    council = Council.objects.select_related("area").get(pk=council.pk)
    now = timezone.now()
    proposal = Proposal.objects.create(council=council, title=title, body=body, created_at=now, updated_at=now,
                                       **fields)
    log_event(acting_user, "councils.submit_proposal", proposal, area=council.area,
              after=snapshot(proposal, ["title", "proposer_kind", "status"]))
    return proposal


def do_add_comment(proposal: Proposal, *, acting_user: User | None = None, body: str, name: str = "",
                   phone: str = "", code: str = "") -> Comment:
    """A comment in the deliberation: a councillor or staff signed in, or a resident with a verified phone."""
    body = clean_text(body, "body", MAX_COMMENT, required=_("Please write your comment."))
    name = clean_text(name, "name", MAX_NAME)
    council = proposal.council
    fields: dict[str, Any]
    if acting_user is not None and is_active_user(acting_user):
        term = serving_term(acting_user, council)
        if term is None and not council_policy.can(acting_user, "moderate", council):
            raise PermissionDenied(_("Only councillors and the community's staff comment here when signed in; "
                                     "residents use the public page."))
        fields = {"user": acting_user, "councillor": term,
                  "author_name": term.resident.name if term else (acting_user.display_name or acting_user.username)}
    else:
        if not name:
            raise ActionError(_("Please enter your name."), field="name")
        fields = {"author_name": name, "phone_hash": _check_code(COMMENT_PURPOSE, proposal.pk, phone, code)}
    return _create_comment(proposal, acting_user, body, fields)


@transaction.atomic
def _create_comment(proposal: Proposal, acting_user: User | None, body: str, fields: dict[str, Any]) -> Comment:
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area").get(pk=proposal.pk)
    if proposal.status not in OPEN_FOR_COMMENTS:
        raise InvalidTransition(_("This proposal has been decided: comments are closed."))
    comment = Comment.objects.create(proposal=proposal, body=body, **fields)
    log_event(acting_user, "councils.add_comment", comment, area=proposal.council.area,
              after={"proposal": proposal.pk, "councillor": comment.councillor_id, "resident": not comment.user_id})
    return comment


@transaction.atomic
def do_hide_comment(comment: Comment, *, acting_user: User | None, reason: str) -> Comment:
    """Hide a comment from the public page, with the reason (shown in its place). The text is kept."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("proposal__council__area").get(pk=comment.pk)
    council = comment.proposal.council
    council_policy.require(acting_user, "moderate", council, _("You may not moderate this council's comments."))
    reason = clean_text(reason, "reason", 200, required=_("Please say why the comment is hidden."))
    if comment.hidden:
        raise InvalidTransition(_("This comment is already hidden."))
    comment.hidden, comment.hidden_reason, comment.hidden_at = True, reason, timezone.now()
    comment.hidden_by = acting_user
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_at", "hidden_by"])
    log_event(acting_user, "councils.hide_comment", comment, area=council.area,
              after={"proposal": comment.proposal_id, "reason": reason})
    return comment


@transaction.atomic
def do_withdraw(proposal: Proposal, *, acting_user: User | None, reason: str = "") -> Proposal:
    """Withdraw a proposal in deliberation: the staff who run the council, or the councillor who proposed it."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("council__area", "proposer_councillor").get(
        pk=proposal.pk)
    council = proposal.council
    own = (acting_user is not None and proposal.proposer_user_id is not None
           and proposal.proposer_user_id == acting_user.pk)
    if not own:
        council_policy.require(acting_user, "manage", council, _("You may not withdraw this proposal."))
    if proposal.status != Proposal.Status.DELIBERATION:
        raise InvalidTransition(_("Only a proposal in deliberation can be withdrawn."))
    reason = clean_text(reason, "reason", 200)
    proposal.status, proposal.updated_at = Proposal.Status.WITHDRAWN, timezone.now()
    proposal.save(update_fields=["status", "updated_at"])
    log_event(acting_user, "councils.withdraw", proposal, area=council.area,
              after={"status": proposal.status, "reason": reason})
    return proposal
