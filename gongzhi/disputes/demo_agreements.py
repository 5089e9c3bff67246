"""The agreements part's demo (order 86, "disputes.agreements"), after the cases part's disputes (order 85):

- the dispute across the border (`demo_cases.cross_border_dispute()`, at the alliance office) gets its signed
  agreement (网箱拆除与灌溉损失补偿), its 30-day follow-up visit due within the week (the dispute's timeline is moved
  back so the signing was 27 days ago, after its two sessions);
- in 锦华社区, an older dispute agreed, followed up (the agreement holds) and closed;
- in 锦华社区, one agreed whose follow-up visit found that the agreement does not hold (mediation may be reopened).

Everything goes through the actions (the cases part's for recording, assigning, sessions and closing)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from gongzhi.core.models import Area, Resident, User

from .actions import agreements as actions
from .actions import cases as case_actions
from .demo_cases import JINHUA, cross_border_dispute, office_time
from .models import Agreement, Dispute, FollowUp, MediationAssignment, MediationBody, MediationSession

CROSS_FACTS = (
    "新塘社区养殖户何永生在枫溪、新塘两社区交界河道设置网箱养鱼，投喂饲料致下游水质变差，枫溪社区农户周素梅等灌溉取水"
    "受到影响，双方就拆除网箱和赔偿损失发生争执。经两地水利站现场取样，网箱附近水体氨氮偏高。枫溪—新塘跨界矛盾化解处"
    "两次组织联合调解。")
CROSS_TERMS = (
    "何永生自协议签订之日起十五日内拆除靠近枫溪一侧取水口的6个网箱，其余网箱投喂量减少三分之一。\n"
    "何永生一次性补偿周素梅等下游农户灌溉损失人民币捌仟元整（8000元）。\n"
    "枫溪、新塘两社区每月联合巡查交界河道一次，发现水质异常由两地水利站共同处置。\n"
    "双方就本纠纷不再另行主张其他权利。")
CROSS_PERFORMANCE = "补偿款于协议签订后十日内经枫溪社区人民调解委员会转交；网箱拆除由两地调解员现场见证。"
SIGNED_DAYS_AGO = 27


def _move_back(dispute: Dispute, days: int) -> None:
    """The cross-border dispute's timeline moved back (recorded, assigned, sessions) so its signing can be 27 days ago."""
    when = timedelta(days=days)
    Dispute.objects.filter(pk=dispute.pk).update(created_at=F("created_at") - when)
    MediationSession.objects.filter(dispute=dispute).update(held_at=F("held_at") - when,
                                                             created_at=F("created_at") - when)
    MediationAssignment.objects.filter(dispute=dispute).update(assigned_at=F("assigned_at") - when)
    dispute.refresh_from_db()


def _residents(community: Area, n: int) -> list[Resident]:
    return list(Resident.objects.filter(area__path__startswith=community.path).exclude(name="").order_by("-pk")[:n])


def _jinhua_dispute(sq: User, body: MediationBody, community: Area, *, title: str, kind: str, stakes: str,
                    parties: list[dict[str, Any]], days_ago: int, session: tuple[str, str, str]) -> Dispute:
    d = case_actions.do_record_dispute(acting_user=sq, community=community, title=title, kind=kind, stakes=stakes,
                                       parties=parties, created_at=office_time(days_ago, 9, 0))
    case_actions.do_assign(d, acting_user=sq, body=body)
    place, attendees, notes = session
    case_actions.do_record_session(d, acting_user=sq, held_at=office_time(days_ago - 3, 15, 0),
                                   place=place, attendees=attendees, notes=notes)
    return d


def build(ctx: Any) -> dict[str, int] | None:
    cross = cross_border_dispute()
    if cross is None or Agreement.objects.filter(dispute=cross).exists():
        ctx.say("disputes.agreements: skipped (no cross-border dispute from the cases step, or already built)")
        return None
    office = (MediationBody.objects.filter(assignments__dispute=cross, assignments__active=True)
              .select_related("head").first())
    mediator = (office.head if office and office.head else User.objects.filter(username="fx_worker").first())
    today = timezone.localdate()
    made = {"agreements": 0, "follow_ups": 0}
    _move_back(cross, 20)
    actions.do_record_agreement(cross, facts=CROSS_FACTS, terms=CROSS_TERMS, performance=CROSS_PERFORMANCE,
                                signed_on=today - timedelta(days=SIGNED_DAYS_AGO), acting_user=mediator)  # type: ignore[arg-type]
    made["agreements"] += 1
    made["follow_ups"] += 1

    jinhua = Area.objects.filter(name=JINHUA, level=Area.Level.COMMUNITY).first()
    sq = User.objects.filter(username="sq_worker").first()
    committee = MediationBody.objects.filter(kind=MediationBody.Kind.COMMITTEE, community=jinhua).first()
    if jinhua is None or sq is None or committee is None:
        ctx.say("disputes.agreements: the cross-border agreement signed (no 锦华社区 committee for the others)")
        return made
    people = _residents(jinhua, 4)

    def party(i: int, side: str, name: str) -> dict[str, Any]:
        if len(people) > i:
            return {"kind": "resident", "side": side, "resident": people[i].pk}
        return {"kind": "resident", "side": side, "name": name, "community": jinhua.pk}

    # An older one: agreed, followed up (it holds), closed.
    held = _jinhua_dispute(
        sq, committee, jinhua, title="空调外机噪音及冷凝水滴落纠纷", kind=Dispute.Kind.NEIGHBOURS,
        stakes="楼下住户反映楼上空调外机夜间噪音大、冷凝水滴落在自家阳台，要求移机；楼上住户认为安装位置符合规定。",
        parties=[party(0, "applicant", "林淑珍"), party(1, "respondent", "马志远")], days_ago=95,
        session=("锦华社区党群服务中心调解室", "林淑珍、马志远、社区调解员、物业工程人员",
                 "物业工程人员现场测量噪音，建议加装减震垫并接冷凝水管，双方基本同意。"))
    actions.do_record_agreement(
        held, facts="楼上住户马志远家空调外机夜间运行噪音较大，冷凝水滴落至楼下林淑珍家阳台，双方多次争执。",
        terms="马志远于七日内为空调外机加装减震垫，并接冷凝水管引至排水管。\n相关费用由马志远承担，物业协助施工。\n"
              "双方今后遇事先行沟通，不再争吵。",
        performance="七日内完成施工，由物业工程人员验收，社区调解员回访确认。",
        signed_on=today - timedelta(days=88), acting_user=sq)
    visit = FollowUp.objects.get(dispute=held)
    actions.do_record_follow_up(visit, visited_at=office_time(57, 10, 30), holds=True,
                                note="减震垫和冷凝水管均已安装，楼下住户表示噪音明显减小，阳台不再滴水，双方关系缓和。",
                                acting_user=sq)
    case_actions.do_close(held, acting_user=sq)
    made["agreements"] += 1
    made["follow_ups"] += 1

    # One whose follow-up found it does not hold.
    broken = _jinhua_dispute(
        sq, committee, jinhua, title="共用楼道堆放杂物纠纷", kind=Dispute.Kind.NEIGHBOURS,
        stakes="同楼层住户在共用楼道长期堆放纸箱、旧家具，对门住户认为存在消防隐患并影响通行，双方多次争吵。",
        parties=[party(2, "applicant", "徐海燕"), party(3, "respondent", "邓国强")], days_ago=70,
        session=("锦华社区党群服务中心调解室", "徐海燕、邓国强、社区调解员、网格员",
                 "调解员讲解消防规定，邓国强同意清理楼道杂物。"))
    actions.do_record_agreement(
        broken, facts="邓国强在共用楼道长期堆放纸箱、旧家具，对门住户徐海燕认为存在消防隐患并影响通行。",
        terms="邓国强于三日内清理楼道内全部杂物。\n今后双方均不在共用楼道堆放物品。",
        performance="三日内清理完毕，由网格员现场确认。", signed_on=today - timedelta(days=64), acting_user=sq)
    visit = FollowUp.objects.get(dispute=broken)
    actions.do_record_follow_up(visit, visited_at=office_time(33, 16, 0), holds=False,
                                note="回访发现楼道内又堆放了旧家具和纸箱，徐海燕再次投诉，协议未得到履行，需重新调解。",
                                acting_user=sq)
    made["agreements"] += 1
    made["follow_ups"] += 1
    ctx.say(f"disputes.agreements: {made['agreements']} agreements signed (the cross-border one's visit due "
            f"{(today + timedelta(days=30 - SIGNED_DAYS_AGO)).isoformat()}), one followed up and closed, one that did "
            "not hold")
    return made
