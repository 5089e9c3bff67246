"""Ranking a demand's candidates (with reasons), matching by hand, and a matching round: propose, change, remove,
confirm (all or nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.audit import AuditEvent
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area
from gongzhi.lists import actions, matching
from gongzhi.lists.actions import ResourceData
from gongzhi.lists.models import Demand, MatchPair, MatchRound, Project, Resource
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def place(area: Area, lat: float, lon: float) -> None:
    Area.objects.filter(pk=area.pk).update(latitude=lat, longitude=lon)


def demand(cast: Cast, title: str = "老年活动场地不足", *, area: Area | None = None, kinds=("venue",),
           people: int = 20, description: str = "小区老年人缺少开展文体活动的场地") -> Demand:
    d = actions.do_create_demand(acting_user=cast.worker_a, title=title, area=area or cast.estate_a,
                                 description=description)
    Demand.objects.filter(pk=d.pk).update(resource_kinds=list(kinds), beneficiary_count=people)
    d.refresh_from_db()
    return d


def resource(cast: Cast, title: str = "社区活动室", *, kind: str = "venue", area: Area | None = None,
             capacity: int = 30, unit: str = "people", user=None, provider=None, place_=None,
             valid_until: date | None = None, description: str = "可供老年人开展文体活动") -> Resource:
    area = area or cast.community_a
    user = user or (cast.worker_a if area == cast.community_a else cast.district_admin)
    return actions.do_create_resource(acting_user=user, data=ResourceData(
        kind=kind, title=title, area=area, capacity_unit=unit, capacity=capacity,
        provider_unit=provider, place=place_, valid_until=valid_until, description=description))


@pytest.fixture
def mapped(cast: Cast) -> Cast:
    place(cast.city, 30.0, 120.0)
    place(cast.community_a, 30.0, 120.0)
    place(cast.estate_a, 30.0072, 120.0)  # ~0.8 km north of the community's centre
    place(cast.community_b, 30.05, 120.05)
    return cast


def test_it_ranks_candidates_with_reasons(mapped: Cast) -> None:
    cast = mapped
    d = demand(cast)
    until = timezone.localdate() + timedelta(days=400)
    best = resource(cast, "社区活动室", valid_until=until, user=cast.liaison, provider=cast.member_unit)
    resource(cast, "街道文体中心", area=cast.subdistrict_a, capacity=200)
    resource(cast, "共建资金", kind="funds", unit="yuan", capacity=50000)  # wrong kind
    resource(cast, "安定门会议室", area=cast.community_b, user=cast.worker_b)  # serves another community
    resource(cast, "小会议室", capacity=10)  # too small for 20 people
    got = matching.candidates_for(d)
    assert [c.title for c in got] == ["社区活动室", "街道文体中心"]
    reasons = got[0].reasons
    assert reasons[0] == "类型匹配：场地"
    assert "服务本社区" in reasons and "服务本街道" in got[1].reasons
    assert "距离 0.8 公里" in reasons  # estate A's point to the member unit's community A
    assert "剩余容量 30 人" in reasons
    assert any(r.startswith("文本相似度 0.") for r in reasons)
    assert f"有效期至 {until.isoformat()}" in reasons
    assert got[0].amount == 20
    assert best.pk == got[0].resource_id


def test_need_of_each_unit(cast: Cast) -> None:
    d = Demand(beneficiary_count=0, cost_estimate=Decimal("12000"), need_quantity=None)
    assert matching.need_of(d, "people") == 1 and matching.need_of(d, "yuan") == 12000
    assert matching.need_of(d, "hours") == 1


def test_an_alliance_resource_serves_its_communities(cast: Cast) -> None:
    from gongzhi.core.models import Alliance

    alliance = Alliance.objects.create(name="沿江联盟")
    alliance.communities.add(cast.community_a, cast.community_b)
    r = resource(cast, "安定门活动中心", area=cast.community_b, user=cast.worker_b)
    Resource.objects.filter(pk=r.pk).update(alliance=alliance)
    got = matching.candidates_for(demand(cast))
    assert [c.title for c in got] == ["安定门活动中心"] and "服务沿江联盟" in got[0].reasons[1]


def test_it_leaves_out_paused_expired_and_exhausted(cast: Cast) -> None:
    d = demand(cast)
    paused = resource(cast, "暂停的活动室")
    actions.do_set_resource_status(paused, "paused", acting_user=cast.worker_a)
    resource(cast, "过期的活动室", valid_until=timezone.localdate() - timedelta(days=1))
    assert matching.candidates_for(d) == []


def test_a_match_by_hand_reserves_and_makes_a_project(cast: Cast) -> None:
    d = demand(cast)
    r = resource(cast)
    project = actions.do_match_by_hand(d, r, acting_user=cast.worker_a)
    r.refresh_from_db()
    d.refresh_from_db()
    assert (r.promised, d.status, project.status) == (20, "matched", "proposed")
    assert project.area == cast.community_a and list(project.demands.all()) == [d]
    assert MatchPair.objects.get(demand=d).status == "confirmed"
    assert AuditEvent.objects.filter(verb="lists.confirm_match").count() == 1


def test_a_round_proposes_confirms_and_never_over_promises(cast: Cast) -> None:
    d1 = demand(cast, "活动场地一", people=20)
    d2 = demand(cast, "活动场地二", people=20)
    d3 = demand(cast, "活动场地三", people=15)
    small = resource(cast, "社区活动室", capacity=35)
    big = resource(cast, "街道文体中心", area=cast.subdistrict_a, capacity=20)
    match_round = actions.do_propose_match_round(acting_user=cast.worker_a, area=cast.community_a)
    pairs = list(match_round.pairs.all())
    used: dict[int, Decimal] = {}
    for p in pairs:
        used[p.resource_id] = used.get(p.resource_id, Decimal(0)) + p.amount
    assert used.get(small.pk, 0) <= 35 and used.get(big.pk, 0) <= 20
    # 20 + 15 in the room for 35, 20 in the centre for 20: all three fit exactly.
    assert len(pairs) == 3 and len({p.demand_id for p in pairs}) == 3
    assert used == {small.pk: 35, big.pk: 20}
    projects = actions.do_confirm_match_round(match_round, acting_user=cast.worker_a)
    assert len(projects) == 3 and all(p.status == Project.Status.PROPOSED for p in projects)
    assert Demand.objects.filter(pk__in=[d1.pk, d2.pk, d3.pk], status="matched").count() == 3
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.promised <= small.capacity and big.promised <= big.capacity
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.CONFIRMED


def test_confirming_is_all_or_nothing(cast: Cast) -> None:
    demand(cast, "活动场地一", people=20)
    demand(cast, "活动场地二", people=10)
    r = resource(cast, "社区活动室", capacity=30)
    match_round = actions.do_propose_match_round(acting_user=cast.worker_a, area=cast.community_a)
    assert match_round.pairs.count() == 2
    # Someone else promised part of it meanwhile.
    other = demand(cast, "别的需求", people=5)
    actions.do_match_by_hand(other, r, acting_user=cast.worker_a)
    with pytest.raises(ActionError) as err:
        actions.do_confirm_match_round(match_round, acting_user=cast.worker_a)
    assert "社区活动室" in err.value.message and "25" in err.value.message
    r.refresh_from_db()
    assert r.promised == 5 and Project.objects.count() == 1
    assert MatchRound.objects.get(pk=match_round.pk).status == "proposed"
    # Removing one pair makes it fit.
    pair = match_round.pairs.get(demand__title="活动场地一")
    actions.do_remove_match_pair(pair, acting_user=cast.worker_a)
    assert len(actions.do_confirm_match_round(match_round, acting_user=cast.worker_a)) == 1


def test_changing_a_pair_to_another_candidate(cast: Cast) -> None:
    d = demand(cast)
    resource(cast, "社区活动室", capacity=40)
    other = resource(cast, "街道文体中心", area=cast.subdistrict_a, capacity=200)
    wrong = resource(cast, "共建资金", kind="funds", unit="yuan", capacity=100)
    match_round = actions.do_propose_match_round(acting_user=cast.worker_a, area=cast.community_a)
    pair = match_round.pairs.get(demand=d)
    with pytest.raises(ActionError):
        actions.do_change_match_pair(pair, wrong, acting_user=cast.worker_a)
    pair = actions.do_change_match_pair(pair, other if pair.resource_id != other.pk else wrong, acting_user=cast.worker_a) \
        if pair.resource_id != other.pk else pair
    assert pair.resource_id == other.pk and "服务本街道" in pair.reasons


def test_the_pages(mapped: Cast) -> None:
    cast = mapped
    d = demand(cast)
    resource(cast)
    client = Client()
    client.force_login(cast.worker_a)
    html = client.get(reverse("lists:demand_candidates", args=[d.pk])).content.decode()
    assert "类型匹配：场地" in html and "距离" in html
    response = client.post(reverse("lists:match_rounds"), {"area": cast.community_a.pk})
    assert response.status_code == 302
    match_round = MatchRound.objects.get()
    html = client.get(reverse("lists:match_round", args=[match_round.pk])).content.decode()
    assert "社区活动室" in html
    client.post(reverse("lists:match_round_edit", args=[match_round.pk]), {"what": "confirm"})
    assert Project.objects.filter(status="proposed").count() == 1
    client.force_login(cast.liaison)
    assert client.get(reverse("lists:demand_candidates", args=[d.pk])).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("lists:demand_candidates", args=[d.pk])).status_code == 404
    assert client.get(reverse("lists:match_round", args=[match_round.pk])).status_code == 404
