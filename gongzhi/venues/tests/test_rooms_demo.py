"""The rooms part's demo step (venues.rooms, order 80): venues at all three levels in both alliance communities and a
station in 锦华社区, rooms with varied rules, a closure ahead; the names the later steps look up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.venues import demo_rooms as names
from gongzhi.venues import permissions
from gongzhi.venues.models import RoomClosure, Venue
from gongzhi.venues.reg_rooms import rooms_card

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


def test_both_alliance_communities_have_all_three_levels(demo: str) -> None:
    for centre, station, point, town, community in ((names.FX_CENTRE, names.FX_STATION, names.FX_POINT, "枫溪镇",
                                                     "枫溪社区"),
                                                    (names.XT_CENTRE, names.XT_STATION, names.XT_POINT, "新塘镇",
                                                     "新塘社区")):
        c, s, p = (Venue.objects.select_related("area").get(name=n) for n in (centre, station, point))
        assert (c.level, c.area.name, c.area.level) == ("centre", town, "subdistrict")
        assert (s.level, s.area.name) == ("station", community)
        assert p.level == "point" and p.area.level == "estate" and p.area.path.startswith(s.area.path)
    jh = Venue.objects.get(name=names.JH_STATION)
    assert jh.area.name == "锦华社区" and jh.rooms.count() == 3
    assert "venues.rooms: 7 venues, 15 rooms, 1 closure" in demo


def test_the_rooms_rules_vary_and_the_names_are_found(demo: str) -> None:
    shared = names.demo_room(names.FX_STATION, names.FX_STATION_MEETING)
    assert (shared.who_may_book, shared.approver, shared.limit_count, shared.limit_hours) == ("alliance", "venue", 4, 8)
    hall = names.demo_room(names.FX_CENTRE, names.CENTRE_HALL)
    assert hall.approver == "subdistrict"
    assert names.demo_room(names.FX_POINT, names.POINT_READING).who_may_book == "anyone"
    for venue, room in ((names.FX_STATION, names.FX_STATION_PARTY), (names.FX_STATION, names.FX_STATION_HEALTH),
                        (names.FX_STATION, names.FX_STATION_MEDIATION), (names.XT_CENTRE, names.CENTRE_HALL),
                        (names.XT_STATION, names.XT_STATION_MEETING), (names.XT_STATION, names.XT_STATION_PARTY),
                        (names.XT_STATION, names.XT_STATION_MEDIATION), (names.XT_POINT, names.POINT_READING),
                        (names.JH_STATION, names.JH_STATION_HALL), (names.JH_STATION, names.JH_STATION_MEETING),
                        (names.JH_STATION, names.JH_STATION_HEALTH), (names.FX_CENTRE, names.CENTRE_MEETING)):
        assert names.demo_room(venue, room) is not None, (venue, room)
    # Across the border: 新塘's resident may book 枫溪's alliance room, not its own-community party room.
    xt_resident = User.objects.get(username="xt_resident")
    assert permissions.can(xt_resident, "book", shared)
    assert not permissions.can(xt_resident, "book", names.demo_room(names.FX_STATION, names.FX_STATION_PARTY))
    closure = RoomClosure.objects.get(room=names.demo_room(names.FX_STATION, names.FX_STATION_HEALTH))
    assert closure.reason == names.CLOSURE_REASON and closure.starts_on > timezone.localdate()


def test_the_hub_cards(demo: str) -> None:
    card = rooms_card(User.objects.get(username="fx_worker"))
    assert card is not None and str(card.title) == "阵地和功能室"
    assert dict((str(k), v) for k, v in card.lines)["管理的阵地"] == 2
    resident = rooms_card(User.objects.get(username="resident"))
    assert resident is not None and str(resident.title) == "预约功能室"
