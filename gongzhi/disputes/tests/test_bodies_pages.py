"""Mediation bodies: a community's committee set up and staffed through the pages, an alliance's office, the list
and the rules (who may, one per community or alliance, members from the area) with their Chinese errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent
from gongzhi.disputes.actions import bodies as actions
from gongzhi.disputes.models import MediationBody

from .test_cases_scene import Scene, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_community_worker_sets_up_and_staffs_the_committee(client: Any, scene: Scene) -> None:
    s = scene.alliance
    client.force_login(s.worker_c)
    page = client.get("/disputes/bodies/new/").content.decode()
    assert f'value="community:{s.community_c.pk}"' in page
    assert f'value="alliance:{s.alliance.pk}"' not in page  # the alliance has its office already
    refused = client.post("/disputes/bodies/new/", {"target": f"community:{s.community_c.pk}", "name": ""})
    assert refused.status_code == 400 and "请填写调解组织名称。" in refused.content.decode()
    response = client.post("/disputes/bodies/new/", {"target": f"community:{s.community_c.pk}",
                                                     "name": "新塘社区人民调解委员会"})
    body = MediationBody.objects.get(name="新塘社区人民调解委员会")
    assert response.status_code == 302 and response["Location"] == f"/disputes/bodies/{body.pk}/"
    assert body.kind == "committee" and body.community == s.community_c and body.head == s.worker_c
    page = client.get(f"/disputes/bodies/{body.pk}/").content.decode()
    assert f'value="{s.resident_c_user.pk}"' in page  # a resident of C may sit on it
    assert f'value="{scene.cast.worker_b.pk}"' not in page
    response = client.post(f"/disputes/bodies/{body.pk}/", {"name": "新塘社区人调委", "head": s.worker_c.pk,
                                                           "members": [s.worker_c.pk, s.resident_c_user.pk]})
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name == "新塘社区人调委" and set(body.members.all()) == {s.worker_c, s.resident_c_user}
    refused = client.post(f"/disputes/bodies/{body.pk}/", {"name": "新塘社区人调委", "head": s.worker_c.pk,
                                                          "members": [scene.cast.worker_b.pk]})
    assert refused.status_code == 400 and "安定门社工在该调解组织覆盖的社区没有任职。" in refused.content.decode()
    listing = client.get("/disputes/bodies/").content.decode()
    assert "新塘社区人调委" in listing and "和平—新塘矛盾化解处" in listing
    assert {e.verb for e in AuditEvent.objects.filter(object_id=str(body.pk))} >= {"disputes.body.create",
                                                                                   "disputes.body.update"}


def test_who_may_set_up_and_change_bodies(client: Any, scene: Scene) -> None:
    c, s = scene.cast, scene.alliance
    with pytest.raises(PermissionDenied):
        actions.do_create_body(acting_user=c.worker_b, kind="committee", name="x", community=s.community_c,
                               head=c.worker_b)
    with pytest.raises(Conflict) as info:
        actions.do_create_body(acting_user=c.worker_a, kind="committee", name="x", community=c.community_a,
                               head=c.worker_a)
    assert info.value.message == "和平里社区已设有人民调解委员会。"
    with pytest.raises(Conflict):
        actions.do_create_body(acting_user=c.worker_a, kind="alliance_office", name="x", alliance=s.alliance,
                               head=c.worker_a)
    with pytest.raises(ActionError) as error:
        actions.do_create_body(acting_user=c.worker_a, kind="alliance_office", name="x", alliance=None)
    assert error.value.message == "请选择矛盾化解处所属的联盟。"
    with pytest.raises(ActionError) as error:
        actions.do_create_body(acting_user=c.worker_a, kind="court", name="x")
    assert error.value.message == "请选择调解组织类型。"
    with pytest.raises(ActionError) as error:
        actions.do_update_body(scene.committee_a, acting_user=c.worker_a, name="x", head=None, members=[])
    assert error.value.message == "请选择调解组织负责人。"
    # the office is managed by the staff of the alliance's communities, on either side of the border
    actions.do_update_body(scene.office, acting_user=c.worker_a, name="跨界矛盾化解处", head=s.worker_c,
                           members=[c.worker_a, s.worker_c, c.volunteer])
    with pytest.raises(PermissionDenied):
        actions.do_update_body(scene.office, acting_user=c.worker_b, name="x", head=c.worker_b, members=[])
    client.force_login(c.worker_b)
    assert client.get(f"/disputes/bodies/{scene.office.pk}/").status_code == 404
    assert client.post(f"/disputes/bodies/{scene.committee_b.pk}/", {"name": "x"}).status_code == 400
    client.force_login(c.volunteer)  # a member sees the body, may not change it
    assert client.post(f"/disputes/bodies/{scene.committee_a.pk}/", {"name": "x"}).status_code == 403
    assert client.get("/disputes/bodies/new/").status_code == 403
