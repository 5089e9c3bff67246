"""The cases part's demo (order 85, "disputes.cases"): mediation bodies and disputes in every state.

- Bodies: the people's mediation committees of 枫溪社区 (head fx_worker), 新塘社区 (head xt_worker) and 锦华社区
  (head sq_worker), and the cross-border mediation office (矛盾化解处) of the alliance "枫溪—新塘跨省毗邻社区生活圈"
  (head xt_worker, members fx_worker and xt_worker).
- Disputes, all recorded through the actions: in 枫溪 one recorded (waiting for assignment) and one assigned to its
  committee; in 新塘 one in mediation and one with no agreement; in 锦华 one referred to the people's court, one
  closed and one turned from a resident's appeal (assigned to the committee); and **across the border**
  (`CROSS_BORDER_TITLE`): parties from 枫溪 and 新塘, assigned to the alliance office, two sessions held, waiting
  for the agreement the agreements part adds at order 86 (find it with `cross_border_dispute()`).

Timestamps are moved back after the fact so the list reads as weeks of work."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.models import Alliance, Area, Resident, User

from . import queries
from .actions import bodies as body_actions
from .actions import cases as actions
from .models import Dispute, MediationBody, MediationSession

ALLIANCE = "枫溪—新塘跨省毗邻社区生活圈"
FENGXI, XINTANG, JINHUA = "枫溪社区", "新塘社区", "锦华社区"
OFFICE_NAME = "枫溪—新塘跨界矛盾化解处"
CROSS_BORDER_TITLE = "枫溪新塘交界河道网箱养殖影响下游取水纠纷"


def cross_border_dispute() -> Dispute | None:
    """The demo's dispute across the border (parties of 枫溪 and 新塘, at the alliance office, sessions held)."""
    return Dispute.objects.filter(title=CROSS_BORDER_TITLE).order_by("pk").first()


def _community(name: str) -> Area | None:
    return Area.objects.filter(name=name, level=Area.Level.COMMUNITY).first()


def _residents(community: Area, n: int) -> list[Resident]:
    return list(Resident.objects.filter(area__path__startswith=community.path).exclude(name="")
                .order_by("pk")[:n])


def _party(resident: Resident | None, side: str, fallback: str, community: Area, **extra: Any) -> dict[str, Any]:
    if resident is not None:
        return {"kind": "resident", "side": side, "resident": resident.pk, **extra}
    return {"kind": "resident", "side": side, "name": fallback, "community": community.pk, **extra}


def office_time(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A moment `days_ago` days back at a working hour (local time), never later than now: the demo's sessions and
    visits happen in office hours whenever the city is built."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return min(timezone.make_aware(datetime.combine(day, time(hour, minute))), timezone.now())


def _back(dispute: Dispute, days: int) -> datetime:
    when = office_time(days, 9, 0)
    Dispute.objects.filter(pk=dispute.pk).update(created_at=when)
    dispute.created_at = when
    return when


def _session(dispute: Dispute, user: User, days_ago: int, place: str, attendees: str, notes: str) -> None:
    actions.do_record_session(dispute, acting_user=user, held_at=office_time(days_ago, 14, 30),
                              place=place, attendees=attendees, notes=notes)


def _bodies(fengxi: Area, xintang: Area, jinhua: Area | None, users: dict[str, User],
            alliance: Alliance | None) -> dict[str, MediationBody]:
    out: dict[str, MediationBody] = {}
    specs = [("fengxi", fengxi, "fx_worker", "枫溪社区人民调解委员会"),
             ("xintang", xintang, "xt_worker", "新塘社区人民调解委员会")]
    if jinhua is not None and "sq_worker" in users:
        specs.append(("jinhua", jinhua, "sq_worker", "锦华社区人民调解委员会"))
    for key, community, head, name in specs:
        body = MediationBody.objects.filter(kind=MediationBody.Kind.COMMITTEE, community=community).first()
        if body is None:
            body = body_actions.do_create_body(acting_user=None, kind=MediationBody.Kind.COMMITTEE, name=name,
                                               community=community, head=users[head], members=[users[head]])
        out[key] = body
    if alliance is not None:
        office = MediationBody.objects.filter(kind=MediationBody.Kind.ALLIANCE_OFFICE, alliance=alliance).first()
        if office is None:
            office = body_actions.do_create_body(
                acting_user=None, kind=MediationBody.Kind.ALLIANCE_OFFICE, name=OFFICE_NAME, alliance=alliance,
                head=users["xt_worker"], members=[users["fx_worker"], users["xt_worker"]])
        out["office"] = office
    return out


def build(ctx: Any) -> dict[str, int] | None:
    fengxi, xintang, jinhua = _community(FENGXI), _community(XINTANG), _community(JINHUA)
    users = {u.username: u for u in User.objects.filter(
        username__in=["fx_worker", "xt_worker", "sq_worker", "jd_staff"])}
    if fengxi is None or xintang is None or "fx_worker" not in users or "xt_worker" not in users:
        return None
    if Dispute.objects.filter(title=CROSS_BORDER_TITLE).exists():
        return None
    alliance = Alliance.objects.filter(name=ALLIANCE).first()
    bodies = _bodies(fengxi, xintang, jinhua, users, alliance)
    fx, xt = users["fx_worker"], users["xt_worker"]
    fr, xr = _residents(fengxi, 4), _residents(xintang, 4)
    made = 0

    def pick(rows: list[Resident], i: int) -> Resident | None:
        return rows[i] if len(rows) > i else None

    # 枫溪: recorded, waiting for assignment.
    d = actions.do_record_dispute(
        acting_user=fx, community=fengxi, title="楼上深夜广场舞音响扰民", kind=Dispute.Kind.NEIGHBOURS,
        stakes="3栋住户反映楼上住户每晚21点后在家中练习广场舞并外放音响，多次沟通未果，双方情绪对立。",
        urgency=Dispute.Urgency.NORMAL, risk=Dispute.Risk.MEDIUM, source=Dispute.Source.WALK_IN,
        parties=[_party(pick(fr, 0), "applicant", "周素梅", fengxi, phone="10057120031"),
                 _party(pick(fr, 1), "respondent", "吴国平", fengxi)])
    _back(d, 2)
    made += 1
    # 枫溪: assigned to the committee.
    d = actions.do_record_dispute(
        acting_user=fx, community=fengxi, title="卫生间渗漏致楼下天花板霉变", kind=Dispute.Kind.NEIGHBOURS,
        stakes="楼下住户天花板长期渗水霉变，要求楼上住户维修防水层并赔偿装修损失约6000元；楼上住户认为是公共管道问题。",
        urgency=Dispute.Urgency.NORMAL, risk=Dispute.Risk.LOW, source=Dispute.Source.GRID,
        parties=[_party(pick(fr, 2), "applicant", "钱丽华", fengxi),
                 _party(pick(fr, 3), "respondent", "孙建军", fengxi)])
    _back(d, 6)
    actions.do_assign(d, acting_user=fx, body=bodies["fengxi"])
    made += 1

    # 新塘: in mediation; and no agreement.
    d = actions.do_record_dispute(
        acting_user=xt, community=xintang, title="小区地面车位被长期占用", kind=Dispute.Kind.PROPERTY,
        stakes="业主反映购买的地面车位长期被外来车辆占用，物业未尽管理责任；物业称无执法权。",
        urgency=Dispute.Urgency.NORMAL, risk=Dispute.Risk.MEDIUM, source=Dispute.Source.WALK_IN,
        parties=[_party(pick(xr, 0), "applicant", "陈志强", xintang),
                 {"kind": "property_company", "side": "respondent", "name": "新塘物业服务中心",
                  "community": xintang.pk, "phone": "0512-57601234"}])
    _back(d, 12)
    actions.do_assign(d, acting_user=xt, body=bodies["xintang"])
    _session(d, xt, 8, "新塘社区党群服务站调解室", "业主陈志强、物业项目经理、社区调解员",
             "双方陈述意见，物业同意加装地锁并张贴告示，业主要求物业承担此前损失，约定下周再议。")
    made += 1
    d = actions.do_record_dispute(
        acting_user=xt, community=xintang, title="装修工程款结算纠纷", kind=Dispute.Kind.LABOUR,
        stakes="装修工人称尚有1.2万元工钱未结，房主认为工程质量不合格拒付尾款。",
        urgency=Dispute.Urgency.URGENT, risk=Dispute.Risk.HIGH, source=Dispute.Source.REFERRAL,
        parties=[_party(pick(xr, 1), "applicant", "刘长福", xintang, phone="10062011452"),
                 _party(pick(xr, 2), "respondent", "黄美玲", xintang)])
    _back(d, 30)
    actions.do_assign(d, acting_user=xt, body=bodies["xintang"])
    _session(d, xt, 25, "新塘社区党群服务站调解室", "刘长福、黄美玲、社区调解员",
             "双方对工程质量各执一词，调解员建议委托第三方鉴定，房主不同意承担鉴定费用。")
    actions.do_record_outcome(d, acting_user=xt, outcome=Dispute.Status.NOT_AGREED,
                              reason="双方对工程质量和鉴定费用分歧较大，经两次调解未达成一致，已告知当事人可向人民法院起诉。")
    made += 1

    # Across the border: parties of 枫溪 and 新塘, at the alliance office, two sessions held.
    if "office" in bodies:
        d = actions.do_record_dispute(
            acting_user=fx, community=fengxi, title=CROSS_BORDER_TITLE, kind=Dispute.Kind.CROSS_COMMUNITY,
            stakes="新塘一侧养殖户在交界河道设置网箱养鱼，投喂饲料致水质变差，枫溪一侧下游农户灌溉取水受影响，"
                   "要求拆除部分网箱并赔偿损失；养殖户称已取得承包手续。两地分属不同省份，需联合调解。",
            urgency=Dispute.Urgency.URGENT, risk=Dispute.Risk.HIGH, source=Dispute.Source.GRID,
            alliance=alliance,
            parties=[_party(pick(fr, 0), "applicant", "周素梅", fengxi, phone="10057120031"),
                     {"kind": "resident", "side": "respondent", "name": "何永生", "community": xintang.pk,
                      "phone": "10071055802", "address": "新塘社区河埠头8号"}])
        _back(d, 21)
        actions.do_assign(d, acting_user=fx, body=bodies["office"])
        _session(d, xt, 16, "枫溪社区党群服务中心（联合调解室）",
                 "枫溪、新塘两地调解员，下游农户代表，养殖户何永生，两地水利站工作人员",
                 "两地水利站现场取样，确认网箱附近水体氨氮偏高。养殖户同意减少投喂量，农户要求拆除靠近取水口的网箱。")
        _session(d, fx, 9, "新塘社区党群服务站",
                 "枫溪、新塘两地调解员，双方当事人",
                 "双方初步同意：养殖户拆除靠近取水口的6个网箱，一次性补偿下游农户灌溉损失，两地社区联合巡查。待签订协议。")
        made += 1

    if jinhua is not None and "sq_worker" in users and "jinhua" in bodies:
        sq = users["sq_worker"]
        jr = _residents(jinhua, 8)
        court = actions.do_record_dispute(
            acting_user=sq, community=jinhua, title="业委会换届选举程序争议", kind=Dispute.Kind.OWNERS_COMMITTEE,
            stakes="部分业主认为业委会换届选举投票程序不合规，要求重新选举；业委会坚持选举有效。",
            urgency=Dispute.Urgency.NORMAL, risk=Dispute.Risk.HIGH, source=Dispute.Source.WALK_IN,
            parties=[_party(pick(jr, 0), "applicant", "赵秀英", jinhua),
                     {"kind": "owners_committee", "side": "respondent", "name": "锦华苑业主委员会",
                      "community": jinhua.pk}])
        _back(court, 40)
        actions.do_assign(court, acting_user=sq, body=bodies["jinhua"])
        _session(court, sq, 35, "锦华社区党群服务中心", "业主代表3人、业委会主任、社区调解员、街道司法所",
                 "双方就选票统计方式分歧明显，业主方坚持通过诉讼确认选举效力。")
        actions.do_record_outcome(court, acting_user=sq, outcome=Dispute.Status.REFERRED,
                                  referred_to=Dispute.ReferredTo.COURT,
                                  reason="涉及业委会选举效力的确认，属人民法院受理范围，引导业主依法起诉。")
        made += 1
        closed = actions.do_record_dispute(
            acting_user=sq, community=jinhua, title="赡养老人费用分担纠纷", kind=Dispute.Kind.FAMILY,
            stakes="老人的三个子女对赡养费用和轮流照料安排有分歧。",
            urgency=Dispute.Urgency.NORMAL, risk=Dispute.Risk.LOW, source=Dispute.Source.WALK_IN,
            parties=[_party(pick(jr, 1), "applicant", "郑桂芳", jinhua),
                     _party(pick(jr, 2), "respondent", "郑建华", jinhua)])
        _back(closed, 60)
        actions.do_assign(closed, acting_user=sq, body=bodies["jinhua"])
        _session(closed, sq, 55, "锦华社区党群服务中心", "郑桂芳、郑建华、郑建明、社区调解员",
                 "子女各自说明经济情况，长子仍不同意分担方案。")
        actions.do_record_outcome(closed, acting_user=sq, outcome=Dispute.Status.NOT_AGREED,
                                  reason="长子拒绝任何分担方案，调解终止，告知可申请法律援助。")
        actions.do_close(closed, acting_user=sq)
        made += 1
        appeal = next((a for a in appeal_queries.visible_appeals(sq).filter(area__path__startswith=jinhua.path)
                       .select_related("area", "resident", "resident__area").order_by("pk")[:50]
                       if queries.dispute_of_appeal(a) is None and ("噪" in a.title or "邻" in a.title
                                                                    or "漏" in a.title)), None) or \
            appeal_queries.visible_appeals(sq).filter(area__path__startswith=jinhua.path).select_related(
                "area", "resident", "resident__area").order_by("pk").first()
        if appeal is not None:
            parties = [actions.appeal_party(appeal),
                       {"kind": "resident", "side": "respondent", "name": "楼上住户（待核实）", "community": jinhua.pk}]
            d = actions.do_record_from_appeal(appeal, acting_user=sq, community=jinhua, parties=parties,
                                              kind=Dispute.Kind.NEIGHBOURS, risk=Dispute.Risk.MEDIUM)
            _back(d, 3)
            mediators = queries.mediator_choices(d)
            helper = next((u for u in mediators if u.pk != sq.pk), None)
            if helper is not None:
                actions.do_assign(d, acting_user=sq, mediator=helper)
            else:
                actions.do_assign(d, acting_user=sq, body=bodies["jinhua"])
            made += 1
    MediationSession.objects.filter(held_at__gt=timezone.now()).update(held_at=timezone.now())
    return {"disputes": made, "bodies": len(bodies)}
