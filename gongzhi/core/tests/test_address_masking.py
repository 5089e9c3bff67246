"""Finding 3 of issue 17: the masked address kept a third of the text, and the resident's page, list and masked
export showed the estate, the building and the room. Masked now means the community and estate at most: the
person's place from the area tree, never a part of the free text, and no grid, building or room."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions
from gongzhi.core.models import Resident
from gongzhi.test import Cast

from .test_exports import download
from .test_rosters import _media  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.django_db

# What only a reveal may show: the building, the grid, the staircase and room.
HIDDEN = ("1号楼", "第一网格", "2单元", "301")


@pytest.fixture
def housed(cast: Cast) -> Resident:
    household = actions.do_create_household(building=cast.building_a, number="2单元301",
                                            address="和平小区1号楼2单元301", acting_user=None)
    Resident.objects.filter(pk=cast.resident_a.pk).update(household=household)
    return Resident.objects.get(pk=cast.resident_a.pk)


def _shown(html: str) -> list[str]:
    return [text for text in HIDDEN if text in html]


@pytest.mark.parametrize("who", ["worker_a", "district_admin", "grid_worker_a"])
def test_it_shows_only_the_community_and_estate_on_the_page_and_in_the_list(
    cast: Cast, client: Client, housed: Resident, who: str
) -> None:
    client.force_login(getattr(cast, who))
    page = client.get(reverse("core:resident_detail", args=[housed.pk])).content.decode()
    listing = client.get(reverse("core:resident_list")).content.decode()
    assert "张桂兰" in page and "张桂兰" in listing
    assert _shown(page) == [] and _shown(listing) == []
    assert "和平里社区 和平小区" in page and "和平里社区 和平小区" in listing


def test_it_shows_the_whole_address_on_reveal(cast: Cast, client: Client, housed: Resident) -> None:
    client.force_login(cast.worker_a)
    html = client.post(reverse("core:resident_reveal", args=[housed.pk])).content.decode()
    assert "和平小区1号楼2单元301" in html


def test_it_masks_the_export_down_to_the_estate(cast: Cast, client: Client, housed: Resident) -> None:
    client.force_login(cast.district_admin)
    status, rows = download(client, "/rosters/residents/export/")
    assert status == 200
    zhang = next(r for r in rows if r[0] == "张桂兰")
    assert zhang[5:8] == ["示范市/东城区/和平街道/和平里社区/和平小区", "", "和平里社区 和平小区 ***"]


def test_it_masks_the_api_down_to_the_estate(cast: Cast, client: Client, housed: Resident) -> None:
    client.force_login(cast.district_admin)
    (item,) = [r for r in client.get("/api/core/residents").json()["items"] if r["name"] == "张桂兰"]
    one = client.get(f"/api/core/residents/{housed.pk}").json()
    for row in (item, one):
        assert row["address"] == "和平里社区 和平小区 ***"
        assert (row["area_id"], row["area_name"]) == (cast.estate_a.pk, "和平里社区 和平小区")
        assert "household_id" not in row
    assert _shown(str(item)) == [] and _shown(str(one)) == []


def test_it_does_not_filter_a_masked_list_below_the_estate(cast: Cast, client: Client, housed: Resident) -> None:
    # Filtering the list by building would tell an admin which building each listed person lives in.
    neighbour = actions.do_create_resident(acting_user=None, area=cast.estate_a, name="钱多多")
    client.force_login(cast.district_admin)
    names = {p.name for p in client.get(reverse("core:resident_list"), {"area": cast.building_a.pk})
             .context["page"].object_list}
    assert names == {"张桂兰", neighbour.name}
    client.force_login(cast.worker_a)  # who may reveal there filters by building
    names = {p.name for p in client.get(reverse("core:resident_list"), {"area": cast.building_a.pk})
             .context["page"].object_list}
    assert names == {"张桂兰"}


def test_it_names_places_of_a_page_in_one_query(cast: Cast, django_assert_num_queries: Any) -> None:
    from gongzhi.core.pii import Places  # new in the fix

    areas = [cast.building_a, cast.grid_a, cast.estate_a, cast.community_a, cast.building_b]
    places = Places()
    with django_assert_num_queries(1):
        places.preload(areas)
        names = [places.name(a) for a in areas]
    assert names == ["和平里社区 和平小区", "和平里社区 和平小区", "和平里社区 和平小区", "和平里社区",
                     "安定门社区 安定小区"]
    assert places.name(cast.subdistrict_a) == "和平街道"
