"""Finding 10 of issue 17, the residents' side: party-member households (党员中心户: a party member's name and
home, building and room) were listed on the party organization pages to every staff role, department handlers
and unit liaisons too, who have no right to people's records. Now only the roles that work with people's
records there see them, and masked like any address: by the community and estate, not the building and room."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.models import LeadHousehold
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(cast: Cast) -> LeadHousehold:
    household = actions.do_create_household(building=cast.building_a, number="2单元301",
                                            address="和平小区1号楼2单元301", acting_user=None)
    return LeadHousehold.objects.create(party_org=cast.committee_a, household=household,
                                        party_member=cast.party_member_a)


def _pages(client: Client, cast: Cast) -> list[str]:
    return [client.get(reverse(name, args=[cast.committee_a.pk])).content.decode()
            for name in ("core:party_org_detail", "core:party_org_children")]


@pytest.mark.parametrize("who", ["handler", "liaison"])
def test_it_lists_no_party_member_households_to_roles_without_people_rights(
    cast: Cast, client: Client, lead: LeadHousehold, who: str
) -> None:
    user = getattr(cast, who)
    client.force_login(user)
    for html in _pages(client, cast):
        assert "王红" not in html and "1号楼" not in html and "301" not in html
    detail = client.get(reverse("core:party_org_detail", args=[cast.committee_a.pk]))
    assert detail.context["household_count"] == 1  # how many, not who


@pytest.mark.parametrize("who", ["worker_a", "district_admin"])
def test_it_shows_party_member_households_masked_to_people_roles(
    cast: Cast, client: Client, lead: LeadHousehold, who: str
) -> None:
    client.force_login(getattr(cast, who))
    for html in _pages(client, cast):
        assert "王红" in html and "和平里社区 和平小区" in html
        assert "1号楼" not in html and "301" not in html
    html = client.get(reverse("core:party_member_detail", args=[cast.party_member_a.pk])).content.decode()
    assert "和平里社区 和平小区" in html and "1号楼" not in html and "301" not in html


def test_it_shows_no_household_out_of_scope(cast: Cast, client: Client,
                                                                         lead: LeadHousehold) -> None:
    client.force_login(cast.worker_b)
    assert client.get(reverse("core:party_org_detail", args=[cast.committee_a.pk])).status_code == 404
