"""The demo city's residents' council, step 53 of `gongzhi demo`: the council of 锦华社区 (the community of the
demo's community worker `sq_worker`), simple majority, quorum 0.5, open ballot, with 7 councillors who are residents
of the community — the demo account `resident` among them (serving, so it can vote); one whose term ended last month
and was renewed, one whose term ended last month without renewal — and proposals in every state:

- passed (5 for, 1 against of 7) and turned into a demand of the demand list (source 居民议事会);
- failed, with its reason (votes for not more than half);
- open for voting, with some votes cast (the account `resident` has not voted: a task on its home page);
- in deliberation with comments, one hidden with a reason;
- one a resident sent through the public form (name and verified phone; only the phone's hash is kept).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from gongzhi.core.models import Area, Grant, Resident, Role, User
from gongzhi.core.registry import DemoContext
from gongzhi.lists import phone_codes

from . import actions
from .actions.votes import do_cast_vote_for_demo
from .models import Comment, Council, Councillor, Proposal

PROPOSALS = [
    ("在锦华小区增设电动自行车集中充电棚", "小区电动车飞线充电、楼道停放问题突出，建议在3号楼东侧空地建设集中充电棚，"
     "配备智能充电桩和消防设施。"),
    ("将小区中心广场改建为收费停车场", "建议将中心广场改建为收费停车场，缓解停车难。"),
    ("为独居老人安装智能烟感和紧急呼叫器", "社区独居老人较多，建议为其安装智能烟感报警器和一键紧急呼叫器。"),
    ("设立周末儿童托管点", "双职工家庭周末带娃困难，建议利用党群服务中心活动室设立周末儿童托管点。"),
]


def _community() -> tuple[Area, User | None]:
    grant = Grant.objects.select_related("area", "user").filter(user__username="sq_worker",
                                                                 role=Role.COMMUNITY_WORKER).first()
    if grant is None:
        raise RuntimeError("the demo city has no sq_worker")
    return grant.area, grant.user


def _months_ago(day: date, months: int) -> date:
    return day - timedelta(days=30 * months)


def build_demo_councils(ctx: DemoContext) -> dict[str, int]:
    community, worker = _community()
    if Council.objects.filter(area=community).exists():
        return {"councils": 0}
    today = timezone.localdate()
    now = timezone.now()
    council = actions.do_create_council(acting_user=None, area=community, name="锦华社区居民议事会",  # type: ignore[arg-type]
                                        quorum="0.5", majority="simple", abstentions_count=True, ballot="open")
    own = Resident.objects.filter(user__username="resident").first()
    others = list(Resident.objects.filter(area__path__startswith=community.path, user__isnull=True)
                  .order_by("pk")[:7])
    residents = ([own] if own else []) + others
    residents = residents[:7]
    start, last_month = _months_ago(today, 24), today - timedelta(days=20)
    serving: list[Councillor] = []
    for i, resident in enumerate(residents[:5]):
        ends = last_month if i in (1, 2) else today + timedelta(days=700)
        term = actions.do_elect(council, acting_user=None, resident=resident, term_start=start, term_end=ends)
        if i == 1:  # ended last month and renewed
            term = actions.do_renew_term(term, acting_user=None, term_end=today + timedelta(days=1000))
        if i != 2:  # i == 2 ended without renewal
            serving.append(term)
    for resident in residents[5:7]:
        serving.append(actions.do_appoint_councillor(council, acting_user=None, resident=resident,
                                                     term_start=_months_ago(today, 6),
                                                     term_end=today + timedelta(days=900)))
    councillor_user = next((t.user for t in serving if t.user_id), None)

    def propose(index: int, days_ago: int, proposer: Councillor | None = None) -> Proposal:
        title, body = PROPOSALS[index] if index < len(PROPOSALS) else ("", "")
        proposal = actions.do_submit_proposal(council, acting_user=worker, title=title, body=body,
                                              name=proposer.resident.name if proposer else "居民")
        Proposal.objects.filter(pk=proposal.pk).update(created_at=now - timedelta(days=days_ago))
        return proposal

    voters = [r for r in residents if own is None or r.pk != own.pk]

    def cast(proposal: Proposal, at: datetime, choices: list[str]) -> None:
        """Votes of the councillors without an account, each with the term serving that day."""
        day = timezone.localdate(at)
        for resident, choice in zip(voters, choices, strict=False):
            term = next((t for t in Councillor.objects.filter(council=council, resident=resident)
                         if t.serving_on(day)), None)
            if term is not None:
                do_cast_vote_for_demo(proposal, councillor=term, choice=choice, at=at)

    def vote(proposal: Proposal, days_ago: int, choices: list[str]) -> None:
        opened = now - timedelta(days=days_ago)
        actions.do_open_voting(proposal, acting_user=None, closes_at=opened + timedelta(days=7), now=opened)
        cast(proposal, opened + timedelta(hours=5), choices)

    passed = propose(0, 40, serving[1])
    vote(passed, 30, ["yes", "yes", "yes", "yes", "no", "yes"])  # 5 for, 1 against of 7
    actions.do_close_voting(passed, acting_user=None, now=now - timedelta(days=23))
    actions.do_turn_into_demand(passed, acting_user=worker)

    failed = propose(1, 35)
    vote(failed, 25, ["yes", "no", "no", "yes", "abstain", "no"])  # 2 for, 3 against (the one who left voted)
    actions.do_close_voting(failed, acting_user=None, now=now - timedelta(days=18))

    open_vote = propose(2, 10, serving[2])
    opened = now - timedelta(days=1)
    actions.do_open_voting(open_vote, acting_user=None, closes_at=now + timedelta(days=5), now=opened)
    cast(open_vote, opened + timedelta(hours=3), ["yes", "no", "abstain"])

    talk = propose(3, 5)
    comments: list[tuple[Councillor | None, str]] = [
        (serving[3], "活动室周末本来就空着，这个提议很好，建议先试点三个月。"),
        (None, "支持！我家孩子周末没人带，希望尽快落实。"),
        (None, "这种事情就是浪费钱，谁提的谁出钱，广告：代办证件请加微信xxxx"),
        (serving[4], "需要考虑托管人员的资质和安全责任，建议和共建单位合作。"),
    ]
    made = []
    author: Councillor | None
    for author, text in comments:
        comment = Comment.objects.create(proposal=talk, body=text, councillor=author,
                                         author_name=author.resident.name if author else "刘女士",
                                         phone_hash="" if author else phone_codes.phone_hash("13912345678"))
        made.append(comment)
    actions.do_hide_comment(made[2], acting_user=worker, reason="含广告和人身攻击内容")

    # A resident's proposal through the public form (the code round skipped: demo phones receive no SMS).
    public = Proposal.objects.create(
        council=council, title="在社区公园增设健身器材和休息座椅", body="公园里老人多，座椅太少，健身器材也旧了，"
        "希望增设一些适合老年人的健身器材和带靠背的座椅。", proposer_kind=Proposal.ProposerKind.RESIDENT,
        proposer_name="陈秀英", proposer_phone_hash=phone_codes.phone_hash("13698765432"),
        created_at=now - timedelta(days=2), updated_at=now - timedelta(days=2))
    actions.do_add_comment(public, acting_user=councillor_user, body="感谢建议，议事会下次会议讨论。") \
        if councillor_user else None
    ctx.say(f"  residents' council: {len(serving)} serving councillors, 5 proposals")
    return {"councils": 1, "councillors": Councillor.objects.filter(council=council).count(),
            "proposals": Proposal.objects.filter(council=council).count()}
