"""The mediation agreement's rules: who writes it, when, what it needs, editing until signed, signing (status,
resolution, the 30-day follow-up, the assignees told), fixed once signed, and the Chinese errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.disputes.actions.agreements import do_record_agreement
from gongzhi.disputes.models import Agreement, Dispute, DisputeParty, FollowUp

from .agreements_scene import FACTS, PERFORMANCE, TERMS, make_scene, sign


@pytest.fixture
def scene(cast: Any) -> Any:
    return make_scene(cast)


def _write(dispute: Dispute, user: Any, **kw: Any) -> Agreement:
    data = {"facts": FACTS, "terms": TERMS, "performance": PERFORMANCE, "signed_on": None, **kw}
    return do_record_agreement(dispute, acting_user=user, **data)


def test_it_saves_a_draft_then_edits_it_then_signs(scene: Any) -> None:
    d, worker = scene.dispute_a, scene.c.worker_a
    draft = _write(d, worker, terms="一、赔偿维修费")
    assert draft.signed_on is None
    d.refresh_from_db()
    assert d.status == Dispute.Status.IN_MEDIATION and d.resolved_at is None
    assert not FollowUp.objects.filter(dispute=d).exists()
    edited = _write(d, worker)
    assert edited.pk == draft.pk and edited.terms == TERMS
    signed = sign(d, worker)
    d.refresh_from_db()
    assert signed.pk == draft.pk and signed.signed_on == timezone.localdate()
    assert d.status == Dispute.Status.AGREED and d.resolved_at is not None
    visit = FollowUp.objects.get(dispute=d)
    assert visit.due_on == timezone.localdate() + timedelta(days=30) and visit.done_at is None
    verbs = list(AuditEvent.objects.filter(object_type="disputes.agreement").values_list("verb", flat=True))
    assert verbs.count("disputes.agreement.save") == 3 and "disputes.agreement.sign" in verbs
    # the audit row never holds what was agreed
    assert not any(TERMS[:6] in str(e.after) for e in AuditEvent.objects.filter(verb__startswith="disputes."))


def test_the_follow_up_days_come_from_the_setting(scene: Any, settings: Any) -> None:
    settings.DISPUTES_FOLLOW_UP_DAYS = 14
    sign(scene.dispute_a, scene.c.worker_a, days_ago=2)
    visit = FollowUp.objects.get(dispute=scene.dispute_a)
    assert visit.due_on == timezone.localdate() + timedelta(days=12)


def test_signing_an_earlier_day_resolves_the_dispute_that_day(scene: Any) -> None:
    sign(scene.dispute_a, scene.c.worker_a, days_ago=3)
    d = Dispute.objects.get(pk=scene.dispute_a.pk)
    assert timezone.localdate(d.resolved_at) == timezone.localdate() - timedelta(days=3)


def test_signing_tells_the_assignees_but_the_signer(scene: Any) -> None:
    d = scene.dispute_b
    sign(d, scene.mediator_b)
    assert not Notification.objects.filter(user=scene.mediator_b).exists()
    scene.committee_b.members.add(scene.c.worker_b)
    d2 = Dispute.objects.get(pk=d.pk)
    assert d2.status == Dispute.Status.AGREED
    # the other member of the body is told of a signing
    d3 = type(d).objects.create(reference="TJ-B-0002", title="t", source="walk_in", kind="family", stakes="s",
                                community=d.community, status=Dispute.Status.ASSIGNED)
    for side in DisputeParty.Side.values:
        DisputeParty.objects.create(dispute=d3, kind="resident", side=side, name=f"当事人{side}")
    d3.assignments.create(body=scene.committee_b)
    sign(d3, scene.mediator_b)
    note = Notification.objects.get(user=scene.c.worker_b, verb="disputes.agreement_signed")
    assert "TJ-B-0002" in note.text and "回访" in note.text


def test_a_signed_agreement_is_fixed(scene: Any) -> None:
    sign(scene.dispute_a, scene.c.worker_a)
    with pytest.raises(ActionError) as e:
        _write(scene.dispute_a, scene.c.worker_a, terms="改了")
    assert "签署" in e.value.message and "不能再修改" in e.value.message
    assert Agreement.objects.get(dispute=scene.dispute_a).terms == TERMS


@pytest.mark.parametrize(("status", "ok"), [
    (Dispute.Status.RECORDED, False), (Dispute.Status.ASSIGNED, True), (Dispute.Status.IN_MEDIATION, True),
    (Dispute.Status.NOT_AGREED, False), (Dispute.Status.REFERRED, False), (Dispute.Status.CLOSED, False)])
def test_it_is_written_while_assigned_or_in_mediation(scene: Any, status: str, ok: bool) -> None:
    Dispute.objects.filter(pk=scene.dispute_a.pk).update(status=status)
    d = Dispute.objects.get(pk=scene.dispute_a.pk)
    if ok:
        assert _write(d, scene.c.worker_a).pk
        return
    with pytest.raises((ActionError, PermissionDenied)) as e:
        _write(d, scene.c.worker_a)
    if isinstance(e.value, ActionError):
        assert "调解中" in e.value.message or "已分派" in e.value.message


def test_it_needs_a_party_on_each_side(scene: Any) -> None:
    scene.dispute_a.parties.filter(side=DisputeParty.Side.RESPONDENT).delete()
    with pytest.raises(ActionError) as e:
        _write(scene.dispute_a, scene.c.worker_a)
    assert "申请人" in e.value.message and "被申请人" in e.value.message


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"facts": "  "}, "facts", "事实"),
    ({"terms": ""}, "terms", "协议"),
    ({"facts": "长" * 4001}, "facts", "4000"),
    ({"terms": "长" * 4001}, "terms", "4000"),
    ({"performance": "长" * 301}, "performance", "300"),
    ({"signed_on": "2026-13-01"}, "signed_on", "YYYY-MM-DD"),
    ({"performance": "", "signed_on": "today"}, "performance", "履行"),
    ({"signed_on": "future"}, "signed_on", "将来"),
    ({"signed_on": "before"}, "signed_on", "登记"),
])
def test_it_refuses_bad_input_in_chinese(scene: Any, changes: dict[str, Any], field: str, words: str) -> None:
    today = timezone.localdate()
    days = {"today": today, "future": today + timedelta(days=1), "before": today - timedelta(days=41)}
    if changes.get("signed_on") in days:
        changes = {**changes, "signed_on": days[changes["signed_on"]]}
    with pytest.raises(ActionError) as e:
        _write(scene.dispute_a, scene.c.worker_a, **changes)
    assert e.value.field == field and words in e.value.message, e.value.message
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("who", ["subdistrict_staff_a", "grid_worker_a", "worker_b", "city_admin", "resident_user"])
def test_only_the_mediators_write_it(scene: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _write(scene.dispute_a, getattr(scene.c, who))
    assert not Agreement.objects.exists()


def test_the_alliance_office_members_write_it_when_the_office_is_assigned(scene: Any) -> None:
    from gongzhi.disputes.models import MediationBody

    office = MediationBody.objects.create(name="和平—新塘矛盾化解处", kind=MediationBody.Kind.ALLIANCE_OFFICE,
                                          alliance=scene.alliance.alliance)
    office.members.add(scene.alliance.worker_c)
    with pytest.raises(PermissionDenied):
        _write(scene.dispute_a, scene.alliance.worker_c)
    scene.dispute_a.assignments.update(active=False)
    scene.dispute_a.assignments.create(body=office)
    from gongzhi.core.models import User

    assert _write(scene.dispute_a, User.objects.get(pk=scene.alliance.worker_c.pk)).pk  # a new request
