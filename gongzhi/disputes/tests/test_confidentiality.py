# mypy: disable-error-code="union-attr,dict-item,arg-type"
"""Confidentiality stricter than appeals: a community worker who does not handle the dispute sees its record (the
reference, type, status, dates, community) but never its title, stakes or parties — in the list, on the page and
in the API, and the search never matches its content; the supervising subdistrict and the assigned mediator see
the content, with the particulars masked until an audited "show"; a mediator of another community gets 404."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.core.actions import do_grant_role
from gongzhi.core.models import AuditEvent, Role
from gongzhi.disputes.models import DisputeParty
from gongzhi.test import make_user

from .test_cases_scene import ID_A, PHONE_A, RESPONDENT_A, STAKES_A, TITLE_A, Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(scene: Scene) -> Any:
    """A second community worker of A: not the committee's head, not the recorder, not assigned."""
    user = make_user("worker_a2", "和平里社工二")
    do_grant_role(user, role=Role.COMMUNITY_WORKER, area=scene.cast.community_a, acting_user=None)
    return user


def _text(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_a_community_worker_sees_the_record_but_not_the_content(client: Any, scene: Scene, desk: Any) -> None:
    d = scene.dispute_a
    client.force_login(desk)
    status, page = _text(client, "/disputes/cases/")
    assert status == 200 and d.reference in page
    assert TITLE_A not in page and "张桂兰" not in page
    assert "邻里纠纷" in page  # the type stands in for the title
    status, page = _text(client, f"/disputes/cases/{d.pk}/")
    assert status == 200 and d.reference in page and "和平里社区" in page
    for secret in (TITLE_A, STAKES_A, "张桂兰", RESPONDENT_A, PHONE_A[-4:], "和平小区1号楼"):
        assert secret not in page, secret
    assert 'data-testid="record-only"' in page
    assert "申请人1方，被申请人1方" in page
    listed = client.get("/api/disputes/cases").json()
    assert [row["reference"] for row in listed] == [d.reference]
    assert listed[0]["title"] == "" and listed[0]["sees_content"] is False
    detail = client.get(f"/api/disputes/cases/{d.pk}").json()
    assert detail["stakes"] == "" and detail["parties"] == [] and detail["title"] == ""
    assert detail["applicants"] == 1 and detail["respondents"] == 1
    assert TITLE_A not in json.dumps(detail, ensure_ascii=False)
    # nor can they show a party's particulars or edit the parties
    party = d.parties.first()
    assert client.post(f"/disputes/cases/{d.pk}/parties/{party.pk}/reveal/").status_code == 403
    assert client.post(f"/api/disputes/cases/{d.pk}/parties/{party.pk}/reveal").status_code == 403
    assert client.get(f"/disputes/cases/{d.pk}/parties/").status_code == 403


def test_the_search_never_matches_content_the_user_cannot_see(client: Any, scene: Scene, desk: Any) -> None:
    d = scene.dispute_a
    client.force_login(desk)
    for term in ("楼道", "张桂兰", RESPONDENT_A):
        assert d.reference not in client.get("/disputes/cases/", {"q": term}).content.decode(), term
        assert client.get("/api/disputes/cases", {"q": term}).json() == [], term
    assert d.reference in client.get("/disputes/cases/", {"q": d.reference[-6:]}).content.decode()
    client.force_login(scene.cast.subdistrict_staff_a)
    for term in ("楼道", RESPONDENT_A):
        assert [r["reference"] for r in client.get("/api/disputes/cases", {"q": term}).json()] == [d.reference]


@pytest.mark.parametrize("who", ["subdistrict_staff_a", "party_member_user", "worker_a"])
def test_the_subdistrict_the_mediator_and_the_committee_head_see_the_content_masked(
        client: Any, scene: Scene, who: str) -> None:
    d = scene.dispute_a
    client.force_login(getattr(scene.cast, who))
    status, page = _text(client, f"/disputes/cases/{d.pk}/")
    assert status == 200 and TITLE_A in page and STAKES_A in page and "张桂兰" in page and RESPONDENT_A in page
    assert PHONE_A not in page and ID_A not in page and "2单元301" not in page
    assert "138****5678" in page and "110***********1239" in page and "和平里社区 ***" in page
    assert TITLE_A in client.get("/disputes/cases/").content.decode()
    detail = client.get(f"/api/disputes/cases/{d.pk}").json()
    applicant = next(p for p in detail["parties"] if p["side"] == "applicant")
    assert applicant["phone"] == "138****5678" and applicant["name"] == "张桂兰"
    assert PHONE_A not in json.dumps(detail)


def test_show_reveals_one_party_and_is_audited_without_the_values(client: Any, scene: Scene) -> None:
    d = scene.dispute_a
    party = d.parties.get(side=DisputeParty.Side.APPLICANT)
    client.force_login(scene.cast.party_member_user)
    response = client.post(f"/disputes/cases/{d.pk}/parties/{party.pk}/reveal/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and PHONE_A in html and ID_A in html and "2单元301" in html
    assert 'data-testid="party-revealed"' in html
    api = client.post(f"/api/disputes/cases/{d.pk}/parties/{party.pk}/reveal").json()
    assert api == {"phone": PHONE_A, "id_number": ID_A, "address": "和平小区1号楼2单元301"}
    events = list(AuditEvent.objects.filter(verb="disputes.party.reveal"))
    assert len(events) == 2 and all(e.actor == scene.cast.party_member_user for e in events)
    assert events[0].after == {"party": party.pk, "fields": ["phone", "id_number", "address"]}
    stored = json.dumps([e.after for e in events] + [e.object_repr for e in events], ensure_ascii=False)
    assert PHONE_A not in stored and ID_A not in stored and "张桂兰" not in stored
    # a party of another dispute is not reachable through this one
    other = scene.dispute_b.parties.first()
    assert client.post(f"/disputes/cases/{d.pk}/parties/{other.pk}/reveal/").status_code == 404


def test_a_mediator_of_another_community_gets_404_everywhere(client: Any, scene: Scene) -> None:
    d = scene.dispute_a
    client.force_login(scene.cast.worker_b)
    party = d.parties.first()
    for url in (f"/disputes/cases/{d.pk}/", f"/disputes/cases/{d.pk}/parties/",
                f"/api/disputes/cases/{d.pk}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/disputes/cases/{d.pk}/parties/{party.pk}/reveal/").status_code == 404
    assert client.post(f"/api/disputes/cases/{d.pk}/sessions", {"held_at": "2026-01-01T10:00:00",
                                                                "place": "x", "attendees": "x", "notes": "x"},
                       content_type="application/json").status_code == 404
    assert f'data-reference="{d.reference}"' not in client.get("/disputes/cases/", {"q": d.reference}).content.decode()
    # the volunteer sits on A's committee: B's dispute does not exist for them
    client.force_login(scene.cast.volunteer)
    assert client.get(f"/disputes/cases/{scene.dispute_b.pk}/").status_code == 404
    assert client.get(f"/api/disputes/cases/{scene.dispute_b.pk}").status_code == 404
    assert AuditEvent.objects.filter(verb="disputes.view", object_id=str(scene.dispute_b.pk)).count() == 0
