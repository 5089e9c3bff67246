"""The estates' three coverage rates (三率) on fixed data at community, subdistrict and district level: the figures,
the links to the estates behind them, what each estate lacks, the child areas' table, the panel on an area's page,
the estate profile page; a pinned query count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongzhi.core import actions as core_actions
from gongzhi.core.models import AuditEvent, Unit
from gongzhi.evaluation import coverage
from gongzhi.evaluation.actions import property as actions
from gongzhi.evaluation.models import EstateProfile
from gongzhi.test import Cast

from .test_property_scene import TODAY, contract

pytestmark = pytest.mark.django_db


def scene(cast: Cast) -> dict[str, Any]:
    """Community A: 和平小区 has all three (a contract, an owners' committee, a party group in its grid); 和平二区 a
    property management committee only; 和平三区 an expired contract and nothing else. Community B: 安定小区 a
    contract and a party-building instructor."""
    a2 = core_actions.do_create_area(parent=cast.community_a, name="和平二区", level="estate", acting_user=None)
    a3 = core_actions.do_create_area(parent=cast.community_a, name="和平三区", level="estate", acting_user=None)
    contract(cast)
    contract(cast, estate=cast.estate_b)
    actions.do_create_contract(acting_user=None, estate=a3, company=cast.member_unit, starts_on=date(2020, 1, 1),
                               ends_on=TODAY - timedelta(days=1))
    owners = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平小区业主委员会",
                                         kind=Unit.Kind.OWNERS_COMMITTEE)
    actions.do_update_estate_profile(cast.estate_a, acting_user=None, owners_committee=owners,
                                     management_committee=False)
    actions.do_update_estate_profile(a2, acting_user=None, owners_committee=None, management_committee=True)
    actions.do_update_estate_profile(cast.estate_b, acting_user=None, owners_committee=None,
                                     management_committee=False, party_instructor="陈建华")
    core_actions.do_create_party_org(area=cast.building_a, name="1号楼党小组", acting_user=None)
    return {"a2": a2, "a3": a3, "owners": owners}


def rates(area: Any) -> tuple[int, list[float | None]]:
    total, _children = coverage.area_coverage(area)
    return total.estates, [total.rate(f) for f in coverage.FIGURES]


def test_the_three_rates_at_each_level(cast: Cast) -> None:
    scene(cast)
    assert rates(cast.community_a) == (3, [66.7, 33.3, 33.3])
    assert rates(cast.subdistrict_a) == (3, [66.7, 33.3, 33.3])
    assert rates(cast.community_b) == (1, [0.0, 100.0, 100.0])
    assert rates(cast.district) == (4, [50.0, 50.0, 50.0])
    total, children = coverage.area_coverage(cast.district)
    assert [(c.area.name, c.estates, c.committee, c.service, c.party) for c in children] == [
        ("和平街道", 3, 2, 1, 1), ("安定街道", 1, 0, 1, 1)]
    assert coverage.area_coverage(cast.community_a)[1] == []  # a community lists its estates instead


def test_what_each_estate_lacks_and_the_estates_behind_a_figure(cast: Cast) -> None:
    s = scene(cast)
    rows = {r.estate.name: [str(x) for x in r.lacks] for r in coverage.estate_rows(cast.community_a)}
    assert rows == {"和平小区": [], "和平二区": ["无物业服务", "无党组织、无党建指导员"],
                    "和平三区": ["未成立业委会或物管会", "无物业服务", "无党组织、无党建指导员"]}
    assert {r.estate for r in coverage.behind(cast.community_a, "service", False)} == {s["a2"], s["a3"]}
    assert {r.estate for r in coverage.behind(cast.community_a, "committee", True)} == {cast.estate_a, s["a2"]}
    with pytest.raises(ValueError):
        coverage.behind(cast.community_a, "nothing", True)


def test_few_queries(cast: Cast, django_assert_num_queries: Any) -> None:
    scene(cast)
    for i in range(5):
        core_actions.do_create_area(parent=cast.community_b, name=f"安定{i}区", level="estate", acting_user=None)
    with django_assert_num_queries(2):
        total, children = coverage.area_coverage(cast.district)
        assert total.estates == 9 and len(children) == 2
    with django_assert_num_queries(1):
        assert coverage.area_coverage(cast.community_b)[0].estates == 6


def test_the_pages_link_the_figures_to_the_estates(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    s = scene(cast)
    client.force_login(cast.subdistrict_staff_a)
    page = client.get(reverse("evaluation:coverage_area", args=[cast.subdistrict_a.pk])).content.decode()
    assert "66.7%" in page and 'data-testid="child-row"' in page and "和平里社区" in page
    behind = reverse("evaluation:coverage_estates", args=[cast.subdistrict_a.pk])
    assert f"{behind}?figure=service&amp;covered=0" in page
    listing = client.get(behind + "?figure=service&covered=0").content.decode()
    assert listing.count('data-testid="estate-row"') == 2 and "和平二区" in listing and "和平小区</strong>" not in listing
    assert "无物业服务" in listing
    assert client.get(behind + "?figure=bogus").status_code == 404
    community = client.get(reverse("evaluation:coverage_area", args=[cast.community_a.pk])).content.decode()
    assert community.count('data-testid="estate-row"') == 3
    assert client.get(reverse("evaluation:coverage_area", args=[cast.subdistrict_b.pk])).status_code == 404
    assert client.get(reverse("evaluation:coverage_area", args=[cast.estate_a.pk])).status_code == 403
    assert client.get(reverse("evaluation:coverage")).status_code == 302
    # The panel on the area's page.
    area_page = client.get(reverse("core:area_detail", args=[cast.subdistrict_a.pk])).content.decode()
    assert 'data-testid="coverage-panel"' in area_page and "66.7%" in area_page
    client.force_login(cast.resident_user)
    assert client.get(reverse("evaluation:coverage_area", args=[cast.community_a.pk])).status_code == 404
    assert s


def test_the_estate_profile_is_kept_by_the_community(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    owners = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平小区业主委员会",
                                         kind=Unit.Kind.OWNERS_COMMITTEE)
    url = reverse("evaluation:estate_profile", args=[cast.estate_a.pk])
    client.force_login(cast.worker_a)
    page = client.get(url).content.decode()
    assert "和平小区业主委员会" in page
    assert client.post(url, {"owners_committee": cast.member_unit.pk}).status_code == 400
    assert client.post(url, {"owners_committee": owners.pk, "management_committee": "on",
                             "party_instructor": "陈建华"}).status_code == 302
    profile = EstateProfile.objects.get(estate=cast.estate_a)
    assert (profile.owners_committee, profile.management_committee, profile.party_instructor) == (owners, True,
                                                                                                   "陈建华")
    assert AuditEvent.objects.get(verb="evaluation.estate_profile.update").actor == cast.worker_a
    client.force_login(cast.subdistrict_staff_a)
    assert client.get(url).status_code == 200
    client.force_login(cast.grid_worker_a)  # their grid lies below the estate
    assert client.get(url).status_code == 404
    client.force_login(cast.worker_b)
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.do_update_estate_profile(cast.estate_a, acting_user=cast.worker_b, owners_committee=None,
                                         management_committee=False)
