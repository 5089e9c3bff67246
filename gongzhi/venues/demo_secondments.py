"""The secondments part's demo (order 83), in the alliance 枫溪—新塘, through the part's actions:

- Under way: 林晓燕 (xt_secondee), a 新塘 community worker, seconded to 枫溪 as 社区党委副书记（挂职） since a month
  ago, for three months: proposed by xt_worker, agreed by fx_worker; she holds 枫溪's community-worker role for the
  period (xt_worker keeps only their own role).
- Ended with its report: 周建华 (fx_secondee), a 枫溪 worker, seconded to 新塘 for three months ending a month ago:
  the role was granted on the first day and taken back after the last, and his report is filed.
- Proposed, waiting for 枫溪: 陈思远 (xt_trainee) from 新塘 to 枫溪 next month, agreed by 新塘 (xt_worker proposed it),
  so fx_worker sees "secondments to agree" on the home page.

The three people are demo accounts with the demo password, each a community worker of their own community."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.actions import do_grant_role
from gongzhi.core.demo.write import demo_password
from gongzhi.core.models import Area, Role, User

from .actions import secondments as actions

FENGXI, XINTANG = "枫溪社区", "新塘社区"
PEOPLE = {
    "xt_secondee": ("林晓燕", "10075861102", XINTANG),
    "fx_secondee": ("周建华", "10075711203", FENGXI),
    "xt_trainee": ("陈思远", "10075861304", XINTANG),
}


def _person(username: str, communities: dict[str, Area]) -> User:
    name, phone, home = PEOPLE[username]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=demo_password(), display_name=name, phone=phone)
    do_grant_role(user, role=Role.COMMUNITY_WORKER, area=communities[home], acting_user=None)
    return user


def build(ctx: Any) -> dict[str, int] | None:
    fengxi = Area.objects.filter(name=FENGXI, level=Area.Level.COMMUNITY).first()
    xintang = Area.objects.filter(name=XINTANG, level=Area.Level.COMMUNITY).first()
    fx_worker = User.objects.filter(username="fx_worker").first()
    xt_worker = User.objects.filter(username="xt_worker").first()
    if fengxi is None or xintang is None or fx_worker is None or xt_worker is None:
        return None
    if actions.shared_alliance(fengxi, xintang) is None:
        return None
    communities = {FENGXI: fengxi, XINTANG: xintang}
    today = timezone.localdate()

    # Under way.
    start = today - timedelta(days=30)
    lin = _person("xt_secondee", communities)
    active = actions.do_propose_secondment(
        acting_user=xt_worker, person=lin, from_community=xintang, to_community=fengxi, starts_on=start,
        ends_on=start + timedelta(days=91), role_title="社区党委副书记（挂职）",
        work="协助枫溪社区推进网格化治理和“邻里议事会”，参与跨省矛盾化解处的接待，"
             "牵头整理两地居民共享服务清单。", today=start - timedelta(days=10))
    actions.do_agree_secondment(active, acting_user=fx_worker, today=start - timedelta(days=7))
    actions.do_run_secondments(today=start)

    # Ended, with the report.
    start2 = today - timedelta(days=122)
    zhou = _person("fx_secondee", communities)
    ended = actions.do_propose_secondment(
        acting_user=fx_worker, person=zhou, from_community=fengxi, to_community=xintang, starts_on=start2,
        ends_on=start2 + timedelta(days=91), role_title="社区居委会主任助理（挂职）",
        work="在新塘社区学习产业园就业服务和“红色物业”做法，参与新塘花园加装电梯协调。",
        today=start2 - timedelta(days=14))
    actions.do_agree_secondment(ended, acting_user=xt_worker, today=start2 - timedelta(days=10))
    actions.do_run_secondments(today=start2)
    actions.do_run_secondments(today=start2 + timedelta(days=92))
    actions.do_file_secondment_report(
        ended, acting_user=zhou,
        learned="新塘把产业园的招聘岗位每周推到网格群里，失业人员登记后三天内有人上门；"
                "加装电梯按“一梯一议”开协调会，低层住户的补偿方案事先公示，阻力小了很多。",
        brought="回枫溪后建立了“岗位信息周推送”，和新塘人社所共享岗位库；"
                "把“一梯一议”的协调会流程写进了枫溪社区的议事规则，已用于两个单元。")

    # Proposed, waiting for 枫溪.
    chen = _person("xt_trainee", communities)
    start3 = today + timedelta(days=24)
    actions.do_propose_secondment(
        acting_user=xt_worker, person=chen, from_community=xintang, to_community=fengxi, starts_on=start3,
        ends_on=start3 + timedelta(days=60), role_title="网格服务站副站长（挂职）",
        work="到枫溪社区学习党群服务站的“15分钟生活圈”运营和健康小屋的预约服务。")
    ctx.say("  挂职：林晓燕（新塘→枫溪，进行中）、周建华（枫溪→新塘，已结束、已提交报告）、"
            "陈思远（新塘→枫溪，待枫溪同意）")
    return {"secondments": 3}
