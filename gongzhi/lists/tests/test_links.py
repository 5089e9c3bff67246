"""A demand's and a theme's appeals are core links: read both ways, shown on both pages, scoped to the viewer."""

from __future__ import annotations

import re
from datetime import date

import pytest

from gongzhi.appeals import actions as appeal_actions
from gongzhi.appeals.models import Appeal
from gongzhi.core.actions import do_link
from gongzhi.core.models import Area, AuditEvent, Link
from gongzhi.core.queries import linked_ids, links_from, links_to
from gongzhi.lists import actions, queries
from gongzhi.lists.models import DEMAND_APPEAL, THEME_APPEAL, Demand, MonthlyTheme


def submit(title: str, area: Area, phone: str) -> Appeal:
    return appeal_actions.do_submit_appeal(acting_user=None, title=title, body=f"{title}，请尽快处理。",
                                           callback_phone=phone, area=area, system=True)


@pytest.fixture
def lamps(cast):  # type: ignore[no-untyped-def]
    return [submit("和平小区路灯坏了", cast.building_a, "13800000001"),
            submit("小区路灯不亮", cast.estate_a, "13800000002")]


def test_it_links_a_demand_to_its_appeals_both_ways(cast, lamps) -> None:  # type: ignore[no-untyped-def]
    demand = actions.do_create_demand(acting_user=cast.worker_a, title="路灯维修", area=cast.community_a,
                                      source=Demand.Source.HOT_ISSUE, appeal_ids=[a.pk for a in reversed(lamps)])
    assert demand.appeal_ids == sorted(a.pk for a in lamps)
    assert Link.objects.filter(kind=DEMAND_APPEAL).count() == 2
    assert list(links_from(demand).values_list("to_id", flat=True)) == sorted(a.pk for a in lamps)
    assert list(links_to(lamps[0]).values_list("from_id", flat=True)) == [demand.pk]
    assert linked_ids(lamps[0], Demand) == [demand.pk] and linked_ids(demand, Appeal) == sorted(a.pk for a in lamps)
    assert list(links_to(Appeal.objects.filter(pk__in=[a.pk for a in lamps]), source=Demand)
                .order_by().values_list("from_id", flat=True).distinct()) == [demand.pk]
    event = AuditEvent.objects.get(verb="core.link")
    assert event.object_id == str(demand.pk) and event.area_path == cast.community_a.path and event.after is not None
    assert event.after["kind"] == DEMAND_APPEAL and event.after["to"] == [f"appeals.appeal:{a.pk}" for a in
                                                                         sorted(lamps, key=lambda a: a.pk)]
    # Linking again changes nothing; deleting the demand takes its links with it.
    assert do_link(demand, lamps, kind=DEMAND_APPEAL, acting_user=cast.worker_a) == 0
    assert AuditEvent.objects.filter(verb="core.link").count() == 1
    demand.delete()
    assert not Link.objects.exists()


def test_it_shows_a_cases_demands_and_themes_on_the_case_page(client, cast, lamps) -> None:  # type: ignore[no-untyped-def]
    demand = actions.do_create_demand(acting_user=cast.worker_a, title="路灯维修需求", area=cast.community_a,
                                      appeal_ids=[lamps[0].pk])
    theme = actions.do_propose_monthly_theme(acting_user=cast.subdistrict_staff_a, month=date(2026, 4, 1),
                                             title="路灯每月一题", area=cast.subdistrict_a, appeal_ids=[lamps[0].pk])
    assert theme.appeal_ids == [lamps[0].pk] and Link.objects.filter(kind=THEME_APPEAL).count() == 1
    client.force_login(cast.worker_a)
    html = client.get(f"/appeals/cases/{lamps[0].case_id}/").content.decode()
    assert 'data-testid="case-lists"' in html and "相关需求和每月一题" in html
    assert f'href="/lists/demands/{demand.pk}/"' in html and f'href="/lists/themes/{theme.pk}/"' in html
    # The other appeal's case has no demand: no panel.
    other = client.get(f"/appeals/cases/{lamps[1].case_id}/").content.decode()
    assert 'data-testid="case-lists"' not in other
    # The district admin sees the case and the demand; a handler who sees no lists gets no panel.
    client.force_login(cast.district_admin)
    assert "路灯维修需求" in client.get(f"/appeals/cases/{lamps[0].case_id}/").content.decode()


def test_it_lists_a_demands_appeals_the_viewer_may_see(client, cast, lamps) -> None:  # type: ignore[no-untyped-def]
    far = submit("安定路路灯不亮", cast.building_b, "13800000009")
    demand = actions.do_create_demand(acting_user=cast.district_admin, title="全区路灯", area=cast.district,
                                      appeal_ids=[lamps[0].pk, far.pk])
    client.force_login(cast.district_admin)
    html = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert "全区路灯" in html and lamps[0].masked_code in html and far.masked_code in html
    assert f'href="/appeals/cases/{lamps[0].case_id}/"' in html
    # A community worker sees neither a district's demand nor another community's appeals.
    client.force_login(cast.worker_a)
    assert client.get(f"/lists/demands/{demand.pk}/").status_code == 404
    mine = actions.do_create_demand(acting_user=cast.district_admin, title="和平里路灯", area=cast.community_a,
                                    appeal_ids=[lamps[0].pk, far.pk])
    html = client.get(f"/lists/demands/{mine.pk}/").content.decode()
    assert lamps[0].masked_code in html and far.masked_code not in html and "另有1件诉求不在您的范围内" in html
    listing = client.get("/lists/demands/").content.decode()
    assert f'href="/lists/demands/{mine.pk}/"' in listing
    client.force_login(cast.resident_user)
    assert client.get(f"/lists/demands/{mine.pk}/").status_code == 403


def test_it_shows_a_themes_page(client, cast, lamps) -> None:  # type: ignore[no-untyped-def]
    theme = actions.do_propose_monthly_theme(acting_user=cast.subdistrict_staff_a, month=date(2026, 4, 1),
                                             title="路灯不亮", area=cast.subdistrict_a, source_summary="2件诉求",
                                             appeal_ids=[a.pk for a in lamps])
    client.force_login(cast.worker_a)  # the community below sees its subdistrict's theme and its appeals
    html = client.get(f"/lists/themes/{theme.pk}/").content.decode()
    assert "路灯不亮" in html and all(a.masked_code in html for a in lamps)
    client.force_login(cast.worker_b)
    assert client.get(f"/lists/themes/{theme.pk}/").status_code == 404


def test_it_counts_the_demand_list_in_a_fixed_number_of_queries(client, cast, lamps,  # type: ignore[no-untyped-def]
                                                               django_assert_max_num_queries) -> None:
    for i in range(5):
        actions.do_create_demand(acting_user=cast.worker_a, title=f"需求{i}", area=cast.community_a,
                                 appeal_ids=[a.pk for a in lamps[: i % 2 + 1]])
    client.force_login(cast.worker_a)
    with django_assert_max_num_queries(8):
        html = client.get("/lists/demands/").content.decode()
    assert len(re.findall(r'href="/lists/demands/\d+/"', html)) == 5
    counts = [d.appeal_count for d in queries.demand_list(cast.worker_a)]  # type: ignore[attr-defined]
    assert counts == [1, 2, 1, 2, 1]
    with django_assert_max_num_queries(8):
        assert client.get("/lists/themes/").status_code == 200


def test_it_keeps_the_source_and_the_way_back_on_the_form(client, cast, lamps) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    ids = ",".join(str(a.pk) for a in lamps)
    html = client.get(f"/lists/demands/new/?source=hot_issue&appeals={ids}&back=/intelligence/hot/%3Fdays%3D7")
    text = html.content.decode()
    assert 'name="source" value="hot_issue"' in text and f'name="appeals" value="{ids}"' in text
    assert 'href="/intelligence/hot/?days=7"' in text
    assert "https://evil.example" not in client.get(
        f"/lists/demands/new/?source=hot_issue&appeals={ids}&back=https://evil.example/").content.decode()
    assert client.get(f"/lists/demands/new/?source=survey&appeals={ids}").status_code == 404
    assert client.get("/lists/demands/new/?source=hot_issue").status_code == 404
    response = client.post("/lists/demands/new/", {"source": "hot_issue", "appeals": ids, "title": "",
                                                   "area": cast.community_a.pk})
    assert response.status_code == 200 and not Demand.objects.exists() and not MonthlyTheme.objects.exists()


def test_it_offers_its_form_on_the_hot_issue_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    for i, area in enumerate([cast.building_a, cast.estate_a, cast.grid_a]):
        appeal_actions.do_submit_appeal(
            acting_user=None, title="和平小区路灯坏了", body=f"和平小区1号楼前的路灯坏了好几天，晚上很黑，请尽快修理路灯。{i}",
            callback_phone=f"1380000000{i}", area=area, system=True)
    client.force_login(cast.worker_a)  # adds demands, proposes no themes
    html = client.get("/intelligence/hot/?days=30").content.decode()
    assert 'action="/lists/demands/new/"' in html and 'name="source" value="hot_issue"' in html
    assert 'action="/lists/themes/new/"' not in html
    client.force_login(cast.subdistrict_staff_a)
    html = client.get("/intelligence/hot/?days=30").content.decode()
    assert 'action="/lists/themes/new/"' in html and 'name="back" value="/intelligence/hot/?days=30"' in html
