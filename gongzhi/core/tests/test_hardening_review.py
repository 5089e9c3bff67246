"""A second attacker's review of issue 17's fixes (core): the holes it found, each with the test that failed before.

- Finding 3/10 (masked means community and estate at most): the audit log's snapshots of a resident or party member
  kept their building and room ("1号楼 3-201") in clear, and the audit API shows them to city and district admins,
  who see people's records masked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.core import actions
from gongzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_snapshots_of_people_name_no_building_or_room(client: Any, cast: Any) -> None:
    household = actions.do_create_household(building=cast.building_a, number="3-201", address="和平小区1号楼3-201",
                                            acting_user=cast.worker_a)
    resident = actions.do_create_resident(acting_user=cast.worker_a, area=cast.building_a, name="王秀英",
                                          phone="13912345678", household=household, address="和平小区1号楼3-201")
    actions.do_update_resident(resident, acting_user=cast.worker_a, phone="13912345679")
    actions.do_create_party_member(acting_user=cast.worker_a, home_area=cast.building_a, name="赵党员",
                                   phone="13912345670")
    events = AuditEvent.objects.filter(verb__in=["core.resident.create", "core.resident.update",
                                                 "core.party_member.create"], object_repr__in=["王秀英", "赵党员"])
    assert events.count() == 3
    client.force_login(cast.district_admin)  # sees people's records masked
    answer = client.get("/api/core/audit", {"limit": 200})
    assert answer.status_code == 200, answer.content
    people = [e for e in answer.json()["items"] if e["object_repr"] in ("王秀英", "赵党员")]
    text = json.dumps(people, ensure_ascii=False)  # (the household's own event names its room: no person in it)
    assert "王秀英" in text and "赵党员" in text
    for stored in [str(e.before) + str(e.after) for e in events] + [text]:
        assert "3-201" not in stored and "1号楼" not in stored and "13912345678" not in stored
    listed = {e["object_repr"]: e["area_id"] for e in answer.json()["items"] if e["object_repr"] in ("王秀英", "赵党员")}
    assert listed and set(listed.values()) == {cast.estate_a.pk}  # not the building's id
    page = client.get("/audit/").content.decode()
    rows = [row for row in page.split("<tr>") if "王秀英" in row or "赵党员" in row]
    assert len(rows) == 3, page
    assert all("1号楼" not in row and "和平里社区 和平小区" in row for row in rows), rows
    after = events.get(verb="core.resident.create").after
    assert after is not None
    assert after["area"] == after["household"].removesuffix(" ***") == "和平里社区 和平小区"
