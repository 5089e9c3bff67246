"""The councils API (/api/councils/): councils and their councillors, proposals with comments, votes and the
outcome, and turning a passed proposal into a demand. Signed-in staff and councillors, scoped as the pages are.
Errors: 400 invalid (a Chinese message), 403 not allowed, 404 out of scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.api_schemas import Id
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Resident

from .. import actions, queries, voting
from ..models import Comment, Council, Councillor, Proposal
from ..permissions import council_policy, get_council_for_user, get_proposal_for_user, visible_to

router = Router()


class CouncilOut(Schema):
    id: int
    name: str
    area_id: int
    area_name: str
    quorum: str
    majority: str
    abstentions_count: bool
    ballot: str


class CouncillorOut(Schema):
    id: int
    resident_id: int
    name: str
    how: str
    term_start: date
    term_end: date
    ended_early_on: date | None
    renews_id: int | None
    serving: bool


class CouncillorIn(Schema):
    resident_id: Id
    term_start: date
    term_end: date
    how: str = Field("elected", pattern="^(elected|appointed)$")


class RenewIn(Schema):
    term_end: date


class CouncilProposalOut(Schema):
    id: int
    council_id: int
    title: str
    body: str
    proposer_kind: str
    proposer_name: str
    status: str
    voting_opened_at: datetime | None
    voting_closes_at: datetime | None
    decided_at: datetime | None
    outcome: dict[str, Any]
    outcome_text: str
    demand_id: int | None
    project_id: int | None
    created_at: datetime


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=5000)
    name: str = Field("", max_length=50, description="由社区工作人员代居民提交时，居民的姓名")


class CommentOut(Schema):
    id: int
    author_name: str
    body: str
    councillor_id: int | None
    hidden: bool
    hidden_reason: str
    created_at: datetime


class CommentIn(Schema):
    body: str = Field(..., max_length=1000)


class HideIn(Schema):
    reason: str = Field(..., max_length=200)


class OpenIn(Schema):
    closes_at: datetime


class VoteIn(Schema):
    choice: str = Field(..., pattern="^(yes|no|abstain)$")


class VoteOut(Schema):
    councillor_id: int
    name: str
    choice: str
    cast_at: datetime


class CouncilDemandOut(Schema):
    demand_id: int
    title: str


class CouncilProjectOut(Schema):
    project_id: int
    demand_id: int | None
    title: str


def council_out(c: Council) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "area_id": c.area_id, "area_name": c.area.name, "quorum": str(c.quorum),
            "majority": c.majority, "abstentions_count": c.abstentions_count, "ballot": c.ballot}


def councillor_out(t: Councillor) -> dict[str, Any]:
    return {"id": t.pk, "resident_id": t.resident_id, "name": t.resident.name, "how": t.how,
            "term_start": t.term_start, "term_end": t.term_end, "ended_early_on": t.ended_early_on,
            "renews_id": t.renews_id, "serving": t.serving_on()}


def proposal_out(p: Proposal) -> dict[str, Any]:
    outcome = {k: v for k, v in p.outcome.items() if k not in ("electorate", "electorate_ids")}
    return {"id": p.pk, "council_id": p.council_id, "title": p.title, "body": p.body,
            "proposer_kind": p.proposer_kind, "proposer_name": p.proposer_name, "status": p.status,
            "voting_opened_at": p.voting_opened_at, "voting_closes_at": p.voting_closes_at,
            "decided_at": p.decided_at, "outcome": outcome, "outcome_text": voting.describe(p.outcome),
            "demand_id": p.demand_id, "project_id": p.project_id, "created_at": p.created_at}


def comment_out(c: Comment) -> dict[str, Any]:
    return {"id": c.pk, "author_name": c.author_name, "body": c.body, "councillor_id": c.councillor_id,
            "hidden": c.hidden, "hidden_reason": c.hidden_reason, "created_at": c.created_at}


@router.get("/councils", response=list[CouncilOut], summary="居民议事会（本人可见范围）")
def list_councils(request: HttpRequest) -> list[dict[str, Any]]:
    council_policy.require_somewhere(request.user, "browse")
    return [council_out(c) for c in visible_to(request.user, Council).select_related("area").order_by("area__path")[:500]]


@router.get("/councils/{council_id}", response=CouncilOut, summary="一个议事会及其表决规则")
def get_council(request: HttpRequest, council_id: Id) -> dict[str, Any]:
    return council_out(get_council_for_user(request.user, council_id))


@router.get("/councils/{council_id}/councillors", response=list[CouncillorOut], summary="议事员及其任期")
def list_councillors(request: HttpRequest, council_id: Id) -> list[dict[str, Any]]:
    council = get_council_for_user(request.user, council_id)
    return [councillor_out(t) for t in queries.councillors_of(council)]


@router.post("/councils/{council_id}/councillors", response={201: CouncillorOut}, summary="选举或任命议事员")
def appoint(request: HttpRequest, council_id: Id, payload: CouncillorIn) -> Status:
    council = get_council_for_user(request.user, council_id)
    council_policy.require(request.user, "manage", council)
    resident = Resident.objects.filter(pk=payload.resident_id, area__path__startswith=council.area.path).first()
    if resident is None:
        raise ActionError(_("Please choose a resident of the community."), field="resident_id")
    term = actions.do_appoint_councillor(council, acting_user=request.user, resident=resident,  # type: ignore[arg-type]
                                         term_start=payload.term_start, term_end=payload.term_end, how=payload.how)
    return Status(201, councillor_out(term))


def _term(request: HttpRequest, councillor_id: int) -> Councillor:
    term = Councillor.objects.select_related("resident", "council").filter(pk=councillor_id).first()
    if term is None:
        raise Http404
    get_council_for_user(request.user, term.council_id)
    return term


@router.post("/councillors/{councillor_id}/renew", response={201: CouncillorOut}, summary="续任（新的任期）")
def renew(request: HttpRequest, councillor_id: Id, payload: RenewIn) -> Status:
    term = actions.do_renew_term(_term(request, councillor_id), acting_user=request.user,  # type: ignore[arg-type]
                                 term_end=payload.term_end)
    return Status(201, councillor_out(term))


@router.post("/councillors/{councillor_id}/end", response=CouncillorOut, summary="提前结束任期")
def end_term(request: HttpRequest, councillor_id: Id) -> dict[str, Any]:
    term = actions.do_end_term_early(_term(request, councillor_id), acting_user=request.user)  # type: ignore[arg-type]
    return councillor_out(Councillor.objects.select_related("resident").get(pk=term.pk))


@router.get("/councils/{council_id}/proposals", response=list[CouncilProposalOut], summary="议事会的提案")
def list_proposals(request: HttpRequest, council_id: Id, status: str = "") -> list[dict[str, Any]]:
    council = get_council_for_user(request.user, council_id)
    return [proposal_out(p) for p in queries.proposals_of(council, status if status in Proposal.Status.values else "")[:500]]


@router.post("/councils/{council_id}/proposals", response={201: CouncilProposalOut}, summary="提交提案（议事员，或工作人员代居民）")
def submit(request: HttpRequest, council_id: Id, payload: ProposalIn) -> Status:
    council = get_council_for_user(request.user, council_id)
    proposal = actions.do_submit_proposal(council, acting_user=request.user, title=payload.title,  # type: ignore[arg-type]
                                          body=payload.body, name=payload.name)
    return Status(201, proposal_out(proposal))


@router.get("/proposals/{proposal_id}", response=CouncilProposalOut, summary="一条提案及其表决结果")
def get_proposal(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    return proposal_out(get_proposal_for_user(request.user, proposal_id))


@router.get("/proposals/{proposal_id}/outcome", response=dict[str, Any], summary="表决结果（计票）")
def get_outcome(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    return {**proposal_out(proposal)["outcome"], "text": voting.describe(proposal.outcome), "status": proposal.status}


@router.get("/proposals/{proposal_id}/comments", response=list[CommentOut], summary="议事评论（含已隐藏的及原因）")
def list_comments(request: HttpRequest, proposal_id: Id) -> list[dict[str, Any]]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    return [comment_out(c) for c in queries.comments_of(proposal, public=False)]


@router.post("/proposals/{proposal_id}/comments", response={201: CommentOut}, summary="发表评论（议事员或工作人员）")
def add_comment(request: HttpRequest, proposal_id: Id, payload: CommentIn) -> Status:
    proposal = get_proposal_for_user(request.user, proposal_id)
    comment = actions.do_add_comment(proposal, acting_user=request.user, body=payload.body)  # type: ignore[arg-type]
    return Status(201, comment_out(comment))


@router.post("/proposals/{proposal_id}/comments/{comment_id}/hide", response=CommentOut, summary="隐藏评论（须说明原因）")
def hide_comment(request: HttpRequest, proposal_id: Id, comment_id: Id, payload: HideIn) -> dict[str, Any]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    comment = Comment.objects.filter(proposal=proposal, pk=comment_id).first()
    if comment is None:
        raise Http404
    return comment_out(actions.do_hide_comment(comment, acting_user=request.user,  # type: ignore[arg-type]
                                               reason=payload.reason))


@router.post("/proposals/{proposal_id}/open", response=CouncilProposalOut, summary="开始表决")
def open_voting(request: HttpRequest, proposal_id: Id, payload: OpenIn) -> dict[str, Any]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    return proposal_out(actions.do_open_voting(proposal, acting_user=request.user,  # type: ignore[arg-type]
                                               closes_at=payload.closes_at))


@router.get("/proposals/{proposal_id}/votes", response=list[VoteOut], summary="已投票的议事员（无记名表决不含选择）")
def list_votes(request: HttpRequest, proposal_id: Id) -> list[dict[str, Any]]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    return [{"councillor_id": v.councillor_id, "name": v.councillor.resident.name, "choice": v.choice,
             "cast_at": v.cast_at} for v in queries.votes_of(proposal)]


@router.post("/proposals/{proposal_id}/votes", response={201: dict[str, Any]}, summary="投票（在任议事员，每人一次）")
def cast_vote(request: HttpRequest, proposal_id: Id, payload: VoteIn) -> Status:
    proposal = get_proposal_for_user(request.user, proposal_id)
    actions.do_cast_vote(proposal, acting_user=request.user, choice=payload.choice)  # type: ignore[arg-type]
    return Status(201, {"ok": True})


@router.post("/proposals/{proposal_id}/close", response=CouncilProposalOut, summary="结束表决并计票")
def close_voting(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    proposal = get_proposal_for_user(request.user, proposal_id)
    return proposal_out(actions.do_close_voting(proposal, acting_user=request.user))  # type: ignore[arg-type]


@router.post("/proposals/{proposal_id}/demand", response={201: CouncilDemandOut}, summary="通过的提案转为需求")
def turn_into_demand(request: HttpRequest, proposal_id: Id) -> Status:
    proposal = get_proposal_for_user(request.user, proposal_id)
    demand = actions.do_turn_into_demand(proposal, acting_user=request.user)  # type: ignore[arg-type]
    return Status(201, {"demand_id": demand.pk, "title": demand.title})


@router.post("/proposals/{proposal_id}/project", response={201: CouncilProjectOut},
             summary="通过的提案转为项目（待认领；其需求一并生成）")
def turn_into_project(request: HttpRequest, proposal_id: Id) -> Status:
    proposal = get_proposal_for_user(request.user, proposal_id)
    project: Any = actions.do_turn_into_project(proposal, acting_user=request.user)  # type: ignore[arg-type]
    proposal.refresh_from_db()
    return Status(201, {"project_id": project.pk, "demand_id": proposal.demand_id, "title": project.title})
