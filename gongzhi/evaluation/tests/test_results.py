"""Closing the rating (results computed, the public notice starts, the ratees' sides told), making the results
final (after the notice, no objection waiting), the scheduled close at the deadline, the organizer's pages, the
audit rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Grant, Notification, Role
from gongzhi.core.registry import registry
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Campaign, Grade, Objection, Ratee
from gongzhi.evaluation.reg_results import close_due_campaigns, objection_tasks
from gongzhi.lib.errors import ActionError, Conflict, InvalidTransition

from .results_scene import close, end_notice, make_scene, rate_all, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast):  # type: ignore[no-untyped-def]
    s = make_scene(cast)
    rate_all(s)
    return s


def test_it_closes_the_rating_and_starts_the_notice(scene) -> None:
    before = timezone.now()
    campaign = close(scene)
    assert campaign.status == Campaign.Status.NOTICE
    assert campaign.notice_starts_at is not None and campaign.notice_ends_at is not None
    assert campaign.notice_starts_at >= before
    assert campaign.notice_ends_at - campaign.notice_starts_at == timedelta(days=5)
    unit = refreshed(scene.unit)
    assert unit.score == Decimal("85.00") and unit.outcome == Grade.QUALIFIED and unit.rank == 1
    event = AuditEvent.objects.get(verb="evaluation.close")
    assert event.actor == scene.organizer and event.after == {
        "status": "notice", "ratees": 3, "notice_ends_at": campaign.notice_ends_at.isoformat()}


def test_it_tells_each_ratees_side_with_the_link(scene, cast) -> None:
    close(scene)
    # The liaison of the member unit is told for the unit and for its part-time member.
    liaison_notes = Notification.objects.filter(user=cast.liaison, verb="evaluation.notice")
    urls = set(liaison_notes.values_list("url", flat=True))
    assert urls == {reverse("evaluation:result", args=[scene.unit.pk]),
                    reverse("evaluation:result", args=[scene.member.pk])}
    assert all(scene.campaign.title in n.text for n in liaison_notes)


def test_it_tells_the_community_workers_for_a_community_ratee(scene, cast) -> None:
    ratee = Ratee.objects.create(campaign=scene.campaign, kind=Ratee.Kind.COMMUNITY, community=cast.community_a,
                                 party_org=cast.committee_a, name="和平里社区党委")
    close(scene)
    assert Notification.objects.filter(user=cast.worker_a, verb="evaluation.notice",
                                       url=reverse("evaluation:result", args=[ratee.pk])).exists()
    assert not Notification.objects.filter(user=cast.worker_b, verb="evaluation.notice").exists()


def test_it_closes_once(scene) -> None:
    close(scene)
    with pytest.raises(Conflict):
        close(scene)
    assert AuditEvent.objects.filter(verb="evaluation.close").count() == 1


def test_it_refuses_a_draft(scene) -> None:
    Campaign.objects.filter(pk=scene.campaign.pk).update(status=Campaign.Status.DRAFT)
    with pytest.raises(InvalidTransition):
        close(scene)
    assert refreshed(scene.unit).computed_at is None


def test_it_lets_only_the_organizer_close(scene, cast) -> None:
    for user in (cast.worker_a, cast.liaison, cast.subdistrict_staff_a.__class__.objects.get(pk=cast.worker_b.pk)):
        with pytest.raises(PermissionDenied):
            actions.do_close_rating(scene.campaign, acting_user=user)
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.OPEN
    # The district admin over the subdistrict organizes too.
    actions.do_close_rating(scene.campaign, acting_user=cast.district_admin)


def test_the_system_closes_only_after_the_deadline(scene) -> None:
    with pytest.raises(InvalidTransition):
        actions.do_close_rating(scene.campaign, acting_user=None)
    assert close_due_campaigns() == {"closed": 0}
    with time_machine.travel(scene.campaign.deadline + timedelta(minutes=1), tick=False):
        assert close_due_campaigns() == {"closed": 1}
    campaign = Campaign.objects.get(pk=scene.campaign.pk)
    assert campaign.status == Campaign.Status.NOTICE
    event = AuditEvent.objects.get(verb="evaluation.close")
    assert event.actor is None


def test_the_scheduled_close_is_registered() -> None:
    assert any(c.fn is close_due_campaigns for c in registry.scheduled_checks)


def test_it_finalizes_only_after_the_notice(scene, cast) -> None:
    close(scene)
    with pytest.raises(InvalidTransition) as err:
        actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)
    assert "公示" in err.value.message or "notice" in err.value.message
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.NOTICE
    end_notice(scene.campaign)
    campaign = actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)
    assert campaign.status == Campaign.Status.FINAL and campaign.finalized_by == scene.organizer
    assert AuditEvent.objects.filter(verb="evaluation.finalize", actor=scene.organizer).exists()
    assert Notification.objects.filter(user=cast.liaison, verb="evaluation.final").count() == 2
    with pytest.raises(Conflict):
        actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)


def test_it_does_not_finalize_with_an_objection_waiting(scene, cast) -> None:
    close(scene)
    actions.do_object(scene.unit, reason="社区评议未考虑我单位承接的项目", acting_user=cast.liaison)
    end_notice(scene.campaign)
    with pytest.raises(InvalidTransition) as err:
        actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)
    assert "1" in err.value.message
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.NOTICE


def test_it_does_not_finalize_an_open_campaign(scene) -> None:
    with pytest.raises(InvalidTransition):
        actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)


def test_it_refuses_others_finalizing(scene, cast) -> None:
    close(scene)
    end_notice(scene.campaign)
    with pytest.raises(PermissionDenied):
        actions.do_finalize_campaign(scene.campaign, acting_user=cast.worker_a)


# --- pages -------------------------------------------------------------------------------------------------


def test_the_organizer_closes_through_the_page(client, scene) -> None:
    client.force_login(scene.organizer)
    page = client.get(reverse("evaluation:results", args=[scene.campaign.pk]))
    assert page.status_code == 200 and b'data-testid="close-rating"' in page.content
    response = client.post(reverse("evaluation:results_close", args=[scene.campaign.pk]))
    assert response.status_code == 302
    page = client.get(reverse("evaluation:results", args=[scene.campaign.pk]))
    text = page.content.decode()
    assert 'data-testid="ranking-unit"' in text and 'data-testid="ranking-member"' in text
    assert scene.unit.name in text and "85.00" in text
    assert 'data-testid="results-xlsx"' in text and 'data-testid="results-docx"' not in text
    assert 'data-testid="result-rules"' in text


def test_the_results_page_costs_a_fixed_number_of_queries(client, scene, django_assert_max_num_queries) -> None:
    close(scene)
    client.force_login(scene.organizer)
    url = reverse("evaluation:results", args=[scene.campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_finalize_button_tells_why_not(client, scene) -> None:
    close(scene)
    client.force_login(scene.organizer)
    response = client.post(reverse("evaluation:results_finalize", args=[scene.campaign.pk]), follow=True)
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.NOTICE
    assert "公示" in response.content.decode() or "notice" in response.content.decode()


def test_the_results_page_is_404_for_another_subdistrict_and_403_for_a_rater(client, scene, cast) -> None:
    url = reverse("evaluation:results", args=[scene.campaign.pk])
    staff_b = cast.subdistrict_staff_a.__class__.objects.create_user(username="staff_b", password="x")
    Grant.objects.create(user=staff_b, role=Role.SUBDISTRICT_STAFF, area=cast.subdistrict_b)
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.worker_a)  # a rater in the campaign
    assert client.get(url).status_code == 403
    assert client.post(reverse("evaluation:results_close", args=[scene.campaign.pk])).status_code == 403
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.OPEN


def test_the_organizer_sees_objection_tasks(scene, cast) -> None:
    assert objection_tasks(scene.organizer) == []
    close(scene)
    actions.do_object(scene.unit, reason="理由", acting_user=cast.liaison)
    tasks = objection_tasks(scene.organizer)
    assert [t.count for t in tasks] == [1]
    assert objection_tasks(cast.worker_a) == []
    assert Objection.objects.count() == 1


def test_bad_input_changes_nothing(scene, cast) -> None:
    close(scene)
    with pytest.raises(ActionError):
        actions.do_object(scene.unit, reason="   ", acting_user=cast.liaison)
    assert not Objection.objects.exists()


# --- marks on the records ------------------------------------------------------------------------------------


def _finalize(scene) -> None:  # type: ignore[no-untyped-def]
    close(scene)
    end_notice(scene.campaign)
    actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)


def test_final_results_mark_the_unit_and_the_membership(scene, cast) -> None:
    from gongzhi.evaluation.queries import (
        final_results_for_membership,
        final_results_for_party_org,
        final_results_for_unit,
        unqualified_final_memberships,
    )

    close(scene)
    assert final_results_for_unit(cast.member_unit) == []  # not final yet
    end_notice(scene.campaign)
    actions.do_finalize_campaign(scene.campaign, acting_user=scene.organizer)
    assert {r.pk for r in final_results_for_unit(cast.member_unit)} == {scene.unit.pk, scene.member.pk}
    membership = scene.member.membership
    assert membership is not None
    assert [r.pk for r in final_results_for_membership(membership)] == [scene.member.pk]
    assert [r.pk for r in final_results_for_party_org(cast.committee_a)] == [scene.member.pk]
    assert unqualified_final_memberships([membership.pk]) == {membership.pk}


def test_the_unit_page_shows_the_final_outcomes(client, scene, cast) -> None:
    url = reverse("core:unit_detail", args=[cast.member_unit.pk])
    client.force_login(cast.worker_a)
    assert 'data-testid="evaluation-results-panel"' not in client.get(url).content.decode()
    _finalize(scene)
    for user in (cast.worker_a, cast.liaison, scene.organizer):
        client.force_login(user)
        page = client.get(url)
        if page.status_code != 200:
            continue
        text = page.content.decode()
        assert 'data-testid="evaluation-results-panel"' in text
        assert scene.campaign.title in text and "李明" in text and "不合格" in text


def test_the_committee_page_shows_its_part_time_members_outcomes(client, scene, cast) -> None:
    _finalize(scene)
    client.force_login(cast.worker_a)
    page = client.get(reverse("core:party_org_detail", args=[cast.committee_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="evaluation-results-panel"' in text and "李明" in text
    assert scene.unit.name + "</td>" not in text  # the unit itself is not a member


def test_the_hub_card_leads_to_the_results(scene, cast, django_assert_max_num_queries) -> None:
    from gongzhi.evaluation.reg_results import results_card

    assert results_card(cast.liaison) is None  # nothing on notice yet
    close(scene)
    organizer = cast.subdistrict_staff_a.__class__.objects.get(pk=scene.organizer.pk)
    with django_assert_max_num_queries(3):
        card = results_card(organizer)
    assert card is not None
    assert card.links[0][1] == reverse("evaluation:results", args=[scene.campaign.pk])
    liaison = cast.liaison.__class__.objects.get(pk=cast.liaison.pk)
    card = results_card(liaison)
    assert card is not None
    assert {url for _label, url in card.links} == {reverse("evaluation:result", args=[scene.unit.pk]),
                                                   reverse("evaluation:result", args=[scene.member.pk])}
    assert results_card(cast.resident_user) is None


def test_the_result_page_costs_a_fixed_number_of_queries(client, scene, cast, django_assert_max_num_queries) -> None:
    close(scene)
    client.force_login(cast.liaison)
    url = reverse("evaluation:result", args=[scene.unit.pk])
    client.get(url)
    with django_assert_max_num_queries(20):  # 17 today, the evidence part's record counts most of them
        assert client.get(url).status_code == 200
