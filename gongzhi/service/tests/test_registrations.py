"""Registrations (双报到) through the pages and the actions: a member registers (pending), the community confirms
(the member and the unit's liaisons are told) or declines with a reason (required), re-registering reopens it, a
unit's liaison registers its unit; out of scope is 404, not allowed 403; two staff deciding at once: one wins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent, Grant, Notification, Registration, Role
from gongzhi.service.actions import members as actions
from gongzhi.test import Cast, make_user, race, require_postgresql

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _pending(cast: Cast) -> Registration:
    return actions.do_register_member(acting_user=cast.party_member_user, community=cast.community_a)


def test_it_registers_a_member_and_the_community_confirms(cast: Cast) -> None:
    member = _client(cast.party_member_user)
    page = member.get(reverse("service:registrations"))
    assert page.status_code == 200 and b'data-testid="register-form"' in page.content
    response = member.post(reverse("service:registration_new"), {"community": cast.community_a.pk, "unit": "0"})
    assert response.status_code == 302
    registration = Registration.objects.get(party_member=cast.party_member_a, community=cast.community_a)
    assert registration.status == Registration.Status.PENDING
    assert AuditEvent.objects.filter(verb="service.registration.register", object_id=str(registration.pk)).exists()
    assert Notification.objects.filter(user=cast.worker_a, verb="service.registration.pending").exists()

    worker = _client(cast.worker_a)
    listing = worker.get(reverse("service:registrations") + "?status=pending")
    assert listing.status_code == 200
    assert f'data-id="{registration.pk}"'.encode() in listing.content
    assert b'data-testid="confirm-registration"' in listing.content
    done = worker.post(reverse("service:registration_decide", args=[registration.pk]), {"do": "confirm"})
    assert done.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.decided_by == cast.worker_a
    assert Notification.objects.filter(user=cast.party_member_user, verb="service.registration.confirmed").exists()
    # 双报告: the member's work unit's liaison is told.
    assert Notification.objects.filter(user=cast.liaison, verb="service.registration.unit_told").exists()
    assert AuditEvent.objects.filter(verb="service.registration.confirm", actor=cast.worker_a).exists()


def test_pending_registrations_come_first(cast: Cast) -> None:
    core_actions.do_register_party_member(cast.party_member_a, community=cast.community_b, acting_user=None)
    pending = _pending(cast)
    rows = _client(cast.district_admin).get(reverse("service:registrations")).context["rows"]
    assert rows[0].pk == pending.pk
    assert [r.status for r in rows].index("confirmed") > 0


def test_declining_needs_a_reason_and_a_new_registration_reopens_it(cast: Cast) -> None:
    registration = _pending(cast)
    worker = _client(cast.worker_a)
    url = reverse("service:registration_decide", args=[registration.pk])
    refused = worker.post(url, {"do": "decline", "reason": "  "})
    assert refused.status_code == 400
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert not AuditEvent.objects.filter(verb="service.registration.decline").exists()
    assert worker.post(url, {"do": "decline", "reason": "x" * 201}).status_code == 400
    assert worker.post(url, {"do": "decline", "reason": "不在本社区居住"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DECLINED and registration.decline_reason == "不在本社区居住"
    note = Notification.objects.get(user=cast.party_member_user, verb="service.registration.declined")
    assert "不在本社区居住" in note.text
    # The member sees the reason and registers again: the same row, pending once more.
    mine = _client(cast.party_member_user)
    assert "不在本社区居住" in mine.get(reverse("service:registrations")).content.decode()
    assert mine.post(reverse("service:registration_new"), {"community": cast.community_a.pk, "unit": "0"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING and registration.decline_reason == ""
    assert Registration.objects.filter(party_member=cast.party_member_a).count() == 1
    assert AuditEvent.objects.filter(verb="service.registration.reopen").exists()


def test_registering_twice_is_refused(cast: Cast) -> None:
    _pending(cast)
    response = _client(cast.party_member_user).post(reverse("service:registration_new"),
                                                    {"community": cast.community_a.pk, "unit": "0"})
    assert response.status_code == 400
    assert "等待社区确认" in response.content.decode()
    assert Registration.objects.filter(party_member=cast.party_member_a).count() == 1


def test_a_liaison_registers_its_unit_and_the_other_community_confirms(cast: Cast) -> None:
    liaison = _client(cast.liaison)
    response = liaison.post(reverse("service:registration_new"),
                            {"community": cast.community_b.pk, "unit": str(cast.member_unit.pk), "note": "党支部报到"})
    assert response.status_code == 302
    registration = Registration.objects.get(unit=cast.member_unit, community=cast.community_b)
    assert registration.status == Registration.Status.PENDING and registration.kind == Registration.Kind.UNIT
    assert _client(cast.worker_b).post(reverse("service:registration_decide", args=[registration.pk]),
                                       {"do": "confirm"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert Notification.objects.filter(user=cast.liaison, verb="service.registration.confirmed").exists()


def test_someone_else_s_unit_is_refused(cast: Cast) -> None:
    other = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门小学", kind="school")
    response = _client(cast.liaison).post(reverse("service:registration_new"),
                                          {"community": cast.community_b.pk, "unit": str(other.pk)})
    assert response.status_code == 400
    assert not Registration.objects.filter(unit=other).exists()


def test_who_may_decide(cast: Cast) -> None:
    registration = _pending(cast)
    url = reverse("service:registration_decide", args=[registration.pk])
    assert _client(cast.worker_b).post(url, {"do": "confirm"}).status_code == 404
    assert _client(cast.grid_worker_a).post(url, {"do": "confirm"}).status_code == 404
    assert _client(cast.resident_user).post(url, {"do": "confirm"}).status_code == 404
    assert _client(cast.liaison).post(url, {"do": "confirm"}).status_code == 403
    assert _client(cast.party_member_user).post(url, {"do": "confirm"}).status_code == 403
    assert _client(cast.worker_a).get(url).status_code == 405
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    # A resident with no party-member record may not register.
    assert _client(cast.resident_user).post(reverse("service:registration_new"),
                                            {"community": cast.community_a.pk, "unit": "0"}).status_code == 403
    assert _client(cast.resident_user).get(reverse("service:registrations")).status_code == 200


def test_the_second_decision_is_told_it_came_too_late(cast: Cast) -> None:
    registration = _pending(cast)
    other = make_user("worker_a2", "和平里社工二")
    core_actions.do_grant_role(other, role=Role.COMMUNITY_WORKER, area=cast.community_a, acting_user=None)
    actions.do_decide_registration(registration, acting_user=cast.worker_a, confirm=True)
    with pytest.raises(Conflict) as exc:
        actions.do_decide_registration(registration, acting_user=other, confirm=False, reason="重复")
    assert "和平里社工" in exc.value.message
    response = _client(other).post(reverse("service:registration_decide", args=[registration.pk]),
                                   {"do": "decline", "reason": "重复"})
    assert response.status_code == 400 and "已" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.decided_by == cast.worker_a


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_one_wins(cast: Cast) -> None:
    require_postgresql()
    registration = _pending(cast)
    other = make_user("worker_a2", "和平里社工二")
    Grant.objects.create(user=other, role=Role.COMMUNITY_WORKER, area=cast.community_a)
    results = race(
        lambda: actions.do_decide_registration(registration, acting_user=cast.worker_a, confirm=True),
        lambda: actions.do_decide_registration(registration, acting_user=other, confirm=False, reason="不符合"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert AuditEvent.objects.filter(verb__in=["service.registration.confirm", "service.registration.decline"],
                                     object_id=str(registration.pk)).count() == 1


def test_registering_needs_a_community(cast: Cast) -> None:
    with pytest.raises(ActionError):
        actions.do_register_member(acting_user=cast.party_member_user, community=cast.estate_a)
    assert not Registration.objects.filter(party_member=cast.party_member_a).exists()


def test_bad_registration_input_changes_nothing(cast: Cast) -> None:
    member = _client(cast.party_member_user)
    url = reverse("service:registration_new")
    assert member.post(url, {"community": "abc", "unit": "0"}).status_code == 400
    assert member.post(url, {"community": str(cast.estate_a.pk), "unit": "0"}).status_code == 400
    assert member.post(url, {"community": "999999", "unit": "0"}).status_code == 400
    assert member.post(url, {"community": str(cast.community_a.pk), "unit": str(cast.member_unit.pk)}).status_code == 400
    assert not Registration.objects.filter(party_member=cast.party_member_a).exists()
    assert not Registration.objects.filter(unit=cast.member_unit, status=Registration.Status.PENDING).exists()
    assert member.get(url).status_code == 405


def test_a_party_member_record_without_the_role_still_registers(cast: Cast) -> None:
    Grant.objects.filter(user=cast.party_member_user).delete()
    member = _client(cast.party_member_user)
    assert member.get(reverse("service:registrations")).status_code == 200
    assert member.post(reverse("service:registration_new"),
                       {"community": cast.community_a.pk, "unit": "0"}).status_code == 302
