"""Actions on the tree: validation in Chinese, atomic, audited, permission-checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import actions
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, AuditEvent, Unit
from gongzhi.lib.masking import mask_address, mask_id_number, mask_phone
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def test_it_creates_an_area_with_a_path_and_an_audit_row(cast: Cast) -> None:
    estate = actions.do_create_area(parent=cast.community_a, name="新建小区", level="estate", acting_user=cast.worker_a)
    assert estate.path == f"{cast.community_a.path}{estate.pk}/"
    event = AuditEvent.objects.get(verb="core.area.create", object_id=str(estate.pk))
    assert event.actor == cast.worker_a
    assert event.area_path == estate.path


def test_it_refuses_the_wrong_child_level_in_chinese(cast: Cast) -> None:
    with pytest.raises(ActionError) as excinfo:
        actions.do_create_area(parent=cast.community_a, name="错层", level="building", acting_user=cast.worker_a)
    assert "小区" in excinfo.value.message
    assert not Area.objects.filter(name="错层").exists()


def test_it_refuses_out_of_scope_writes(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_create_area(parent=cast.community_b, name="越权小区", level="estate", acting_user=cast.worker_a)
    with pytest.raises(PermissionDenied):
        actions.do_create_unit(acting_user=cast.handler, area=cast.community_a, name="越权单位", kind="enterprise")


def test_it_rejects_bad_phone_and_id_numbers(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError) as excinfo:
        actions.do_create_resident(acting_user=cast.worker_a, area=cast.building_a, name="甲", phone="12345")
    assert "手机" in excinfo.value.message or "电话" in excinfo.value.message
    with pytest.raises(ActionError):
        actions.do_create_resident(acting_user=cast.worker_a, area=cast.building_a, name="乙",
                                   id_number="110101195001011234")
    assert AuditEvent.objects.count() == before


def test_it_audits_updates_with_masked_before_and_after(cast: Cast) -> None:
    actions.do_update_resident(cast.resident_a, acting_user=cast.worker_a, phone="13911112222")
    event = AuditEvent.objects.filter(verb="core.resident.update").latest("id")
    assert event.before is not None and event.after is not None
    assert event.before["phone"] == "138****8000"
    assert event.after["phone"] == "139****2222"


def test_it_logs_each_reveal(cast: Cast) -> None:
    data = actions.do_reveal_personal_data(cast.resident_a, acting_user=cast.worker_a)
    assert data["phone"] == "13800138000"
    event = AuditEvent.objects.get(verb="core.pii.reveal")
    assert event.actor == cast.worker_a and event.object_id == str(cast.resident_a.pk)
    assert "13800138000" not in str(event.after)
    with pytest.raises(PermissionDenied):
        actions.do_reveal_personal_data(cast.resident_a, acting_user=cast.district_admin)


def test_it_keeps_audit_events_append_only(cast: Cast) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_it_registers_a_unit_once(cast: Cast) -> None:
    with pytest.raises(ActionError):
        actions.do_register_unit(cast.member_unit, community=cast.community_a, acting_user=cast.worker_a)


def test_it_requires_a_unit_for_unit_roles(cast: Cast) -> None:
    with pytest.raises(ActionError):
        actions.do_grant_role(cast.volunteer, role="department_handler", area=cast.district, acting_user=None)
    with pytest.raises(ActionError):
        actions.do_grant_role(cast.volunteer, role="department_handler", area=cast.district,
                              unit=Unit.objects.get(kind="property_company"), acting_user=None)


def test_it_masks_personal_data() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110101195001011239") == "110***********1239"
    # No part of the free text stays (it used to keep its first third, "和平小区1号…"): only the place the caller
    # names from the area tree (gongzhi/core/tests/test_address_masking.py).
    assert mask_address("和平小区1号楼2单元301") == "***"
    assert mask_address("和平小区1号楼2单元301", "和平里社区 和平小区") == "和平里社区 和平小区 ***"
    assert mask_address("") == ""


def test_it_creates_an_alliance_across_provinces(cast: Cast) -> None:
    alliance = actions.do_create_alliance(name="毗邻联盟", communities=[cast.community_a, cast.community_b],
                                          acting_user=cast.district_admin)
    assert alliance.communities.count() == 2
    with pytest.raises(ActionError):
        actions.do_create_alliance(name="单社区", communities=[cast.community_a], acting_user=cast.district_admin)
