"""The trees' counts: an estate counts the party members who live in it (their resident record's building), not
only those whose home area is the estate itself (home_area is always the community); both trees say whether a
count includes the levels below."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from gongzhi.core import actions, queries
from gongzhi.test import Cast


def _member_living_in_building_a(cast: Cast) -> None:
    actions.do_create_party_member(acting_user=None, home_area=cast.community_a, name="赵敏", phone="13700137001",
                                   resident=cast.resident_a)


def test_it_counts_party_members_at_the_estate_they_live_in(cast: Cast, client: Client) -> None:
    _member_living_in_building_a(cast)
    [row_community] = queries.area_rows(cast.worker_a, [cast.community_a])
    [row_estate] = queries.area_rows(cast.worker_a, [cast.estate_a])
    [row_building] = queries.area_rows(cast.worker_a, [cast.building_a])
    # 王红 has no resident record: counted at her home community only. 赵敏 lives in 1号楼.
    assert (row_community.party_members, row_estate.party_members, row_building.party_members) == (2, 1, 1)
    assert row_estate.residents == 1
    # The estate's member list shows who the estate counts.
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:party_member_list"), {"area": cast.estate_a.pk}).content.decode()
    assert "赵**" in html or "赵敏" in html
    assert "王红" not in html and "王*" not in html


def test_the_area_tree_says_its_counts_include_the_levels_below(cast: Cast, client: Client) -> None:
    _member_living_in_building_a(cast)
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:area_children", args=[cast.community_a.pk]),
                      headers={"HX-Request": "true"}).content.decode()
    assert "含下级" in html
    detail = client.get(reverse("core:area_detail", args=[cast.estate_a.pk]))
    assert detail.context["summary"].party_members == 1
    assert "党员（含下级）" in detail.content.decode()


def test_the_party_org_tree_says_its_counts_are_direct(cast: Cast, client: Client) -> None:
    client.force_login(cast.worker_a)
    html = client.get(reverse("core:party_org_tree")).content.decode()
    assert "直属党员 1 名（不含下级）" in html
