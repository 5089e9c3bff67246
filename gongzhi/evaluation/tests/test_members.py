"""The subdistrict's review of a title-only flag: keep (a note is required) or remove (a reason is required, the
end date defaults to today and is never in the future). Removal ends the membership, tells the unit's liaisons and
makes the letter; bad input changes nothing; of two reviewers at once one wins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import AuditEvent, CommitteeMembership, Notification
from gongzhi.evaluation import members_check
from gongzhi.evaluation.actions import members as actions
from gongzhi.evaluation.models import TitleOnlyFlag
from gongzhi.test import Cast, race, require_postgresql

from .members_scene import open_flag, seat

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _flagged(cast: Cast, **kwargs) -> TitleOnlyFlag:  # type: ignore[no-untyped-def]
    m = seat(cast, **kwargs)
    members_check.run_check()
    return open_flag(m)


def _unchanged(flag: TitleOnlyFlag) -> None:
    flag.refresh_from_db()
    m = CommitteeMembership.objects.get(pk=flag.membership_id)
    assert flag.status == TitleOnlyFlag.Status.OPEN and flag.reviewed_by is None and flag.review_note == ""
    assert m.active and m.ended_on is None and m.end_reason == ""
    assert not AuditEvent.objects.filter(verb__in=["evaluation.keep_member", "evaluation.remove_member"]).exists()
    assert not Notification.objects.filter(verb="evaluation.member_removed").exists()


def test_it_keeps_a_member_with_a_note(cast: Cast) -> None:
    flag = _flagged(cast)
    actions.do_keep_member(flag, acting_user=cast.subdistrict_staff_a, note="单位外派，已返岗")
    flag.refresh_from_db()
    assert flag.status == TitleOnlyFlag.Status.KEPT and flag.review_note == "单位外派，已返岗"
    assert flag.reviewed_by == cast.subdistrict_staff_a and flag.reviewed_at is not None
    assert CommitteeMembership.objects.get(pk=flag.membership_id).active
    event = AuditEvent.objects.get(verb="evaluation.keep_member")
    assert event.actor == cast.subdistrict_staff_a and (event.after or {})["note"] == "单位外派，已返岗"


@pytest.mark.parametrize("note", ["", "   ", "长" * 201])
def test_keeping_needs_a_note(cast: Cast, note: str) -> None:
    flag = _flagged(cast)
    with pytest.raises(ActionError) as err:
        actions.do_keep_member(flag, acting_user=cast.subdistrict_staff_a, note=note)
    assert err.value.field == "note"
    _unchanged(flag)


def test_it_removes_a_member(cast: Cast) -> None:
    flag = _flagged(cast)
    actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason="半年未参加任何活动")
    flag.refresh_from_db()
    m = CommitteeMembership.objects.get(pk=flag.membership_id)
    assert flag.status == TitleOnlyFlag.Status.REMOVED and flag.review_note == "半年未参加任何活动"
    assert not m.active and m.ended_on == timezone.localdate()
    assert m.end_reason == "因履职不到位（空挂）免去兼职委员：半年未参加任何活动"
    event = AuditEvent.objects.get(verb="evaluation.remove_member")
    assert event.actor == cast.subdistrict_staff_a and event.area == cast.community_a
    after = event.after or {}
    assert after["reason"] == "半年未参加任何活动" and after["ended_on"] == timezone.localdate().isoformat()


def test_the_unit_s_liaisons_are_told_with_a_link_they_can_open(cast: Cast) -> None:
    flag = _flagged(cast)
    actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason="长期不履职",
                             ended_on=timezone.localdate() - timedelta(days=2))
    note = Notification.objects.get(verb="evaluation.member_removed")
    assert note.user == cast.liaison
    assert flag.membership.person_name in note.text and "长期不履职" in note.text
    assert note.url == reverse("evaluation:flag", args=[flag.pk])
    assert _client(cast.liaison).get(note.url).status_code == 200
    letter = _client(cast.liaison).get(reverse("evaluation:flag_letter", args=[flag.pk]))
    assert letter.status_code == 200 and letter["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_end_date_is_never_in_the_future_nor_before_the_seat(cast: Cast) -> None:
    flag = _flagged(cast)
    for bad in (timezone.localdate() + timedelta(days=1), "2026-13-01", "明天", date(2000, 1, 1)):
        with pytest.raises(ActionError) as err:
            actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason="不履职", ended_on=bad)
        assert err.value.field == "ended_on"
    _unchanged(flag)


@pytest.mark.parametrize("reason", ["", " ", "长" * 201])
def test_removing_needs_a_reason(cast: Cast, reason: str) -> None:
    flag = _flagged(cast)
    with pytest.raises(ActionError) as err:
        actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason=reason)
    assert err.value.field == "reason"
    _unchanged(flag)


def test_only_the_subdistrict_reviews(cast: Cast) -> None:
    flag = _flagged(cast)
    for user in (cast.worker_a, cast.liaison, cast.resident_user):
        with pytest.raises(PermissionDenied):
            actions.do_remove_member(flag, acting_user=user, reason="不履职")
        with pytest.raises(PermissionDenied):
            actions.do_keep_member(flag, acting_user=user, note="保留")
    _unchanged(flag)


def test_a_reviewed_flag_is_not_reviewed_again(cast: Cast) -> None:
    flag = _flagged(cast)
    actions.do_keep_member(flag, acting_user=cast.subdistrict_staff_a, note="保留")
    with pytest.raises(Conflict) as err:
        actions.do_remove_member(flag, acting_user=cast.district_admin, reason="不履职")
    assert "和平街道干部" in err.value.message
    assert CommitteeMembership.objects.get(pk=flag.membership_id).active


def test_the_pages_review_and_refuse(cast: Cast) -> None:
    flag = _flagged(cast)
    staff = _client(cast.subdistrict_staff_a)
    page = staff.get(reverse("evaluation:flag", args=[flag.pk]))
    assert page.status_code == 200 and b'data-testid="remove-submit"' in page.content
    assert b"evidence-meetings_attended" in page.content
    bad = staff.post(reverse("evaluation:flag_remove", args=[flag.pk]), {"reason": "", "ended_on": ""})
    assert bad.status_code == 400 and "请说明免去的理由" in bad.content.decode()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = staff.post(reverse("evaluation:flag_remove", args=[flag.pk]), {"reason": "不履职", "ended_on": future})
    assert bad.status_code == 400
    _unchanged(flag)
    assert _client(cast.worker_a).post(reverse("evaluation:flag_remove", args=[flag.pk]),
                                       {"reason": "不履职"}).status_code == 403
    assert _client(cast.worker_b).get(reverse("evaluation:flag", args=[flag.pk])).status_code == 404
    ok = staff.post(reverse("evaluation:flag_remove", args=[flag.pk]), {"reason": "不履职", "ended_on": ""})
    assert ok.status_code == 302
    again = staff.post(reverse("evaluation:flag_keep", args=[flag.pk]), {"note": "保留"})
    assert again.status_code == 409
    flag.refresh_from_db()
    assert flag.status == TitleOnlyFlag.Status.REMOVED


def test_the_keep_page_needs_a_note(cast: Cast) -> None:
    flag = _flagged(cast)
    staff = _client(cast.subdistrict_staff_a)
    assert staff.post(reverse("evaluation:flag_keep", args=[flag.pk]), {"note": ""}).status_code == 400
    _unchanged(flag)
    assert staff.post(reverse("evaluation:flag_keep", args=[flag.pk]), {"note": "已返岗"}).status_code == 302
    flag.refresh_from_db()
    assert flag.status == TitleOnlyFlag.Status.KEPT


def test_the_list_shows_open_flags_first_and_filters(cast: Cast) -> None:
    kept = _flagged(cast, name="甲")
    actions.do_keep_member(kept, acting_user=cast.subdistrict_staff_a, note="保留")
    waiting = _flagged(cast, name="乙")
    staff = _client(cast.subdistrict_staff_a)
    rows = staff.get(reverse("evaluation:flags")).context["rows"]
    assert [r.pk for r in rows] == [waiting.pk, kept.pk]
    rows = staff.get(reverse("evaluation:flags") + "?status=kept").context["rows"]
    assert [r.pk for r in rows] == [kept.pk]
    assert _client(cast.worker_b).get(reverse("evaluation:flags")).context["rows"] == []
    assert _client(cast.resident_user).get(reverse("evaluation:flags")).status_code == 403


def test_the_liaison_sees_only_its_unit_s_removals(cast: Cast) -> None:
    waiting = _flagged(cast, name="甲")
    removed = _flagged(cast, name="乙")
    actions.do_remove_member(removed, acting_user=cast.subdistrict_staff_a, reason="不履职")
    liaison = _client(cast.liaison)
    assert [r.pk for r in liaison.get(reverse("evaluation:flags")).context["rows"]] == [removed.pk]
    assert liaison.get(reverse("evaluation:flag", args=[waiting.pk])).status_code == 404
    assert liaison.get(reverse("evaluation:flag_letter", args=[waiting.pk])).status_code == 404


def test_there_is_no_letter_before_a_removal(cast: Cast) -> None:
    flag = _flagged(cast)
    assert _client(cast.subdistrict_staff_a).get(reverse("evaluation:flag_letter",
                                                         args=[flag.pk])).status_code == 404


def test_the_committee_page_shows_the_history(cast: Cast) -> None:
    removed = _flagged(cast, name="乙")
    actions.do_remove_member(removed, acting_user=cast.subdistrict_staff_a, reason="长期不履职")
    page = _client(cast.worker_a).get(reverse("core:party_org_detail", args=[cast.committee_a.pk]))
    text = page.content.decode()
    assert 'data-testid="title-only-history"' in text and "长期不履职" in text and "乙" in text


def test_the_hub_card_and_the_task(cast: Cast) -> None:
    from gongzhi.evaluation.reg_members import flag_tasks, members_card

    flag = _flagged(cast)
    card = members_card(cast.subdistrict_staff_a)
    assert card is not None and ("待审核的标记" in [str(label) for label, _ in card.lines] or card.lines[0][1] == 1)
    assert [t.count for t in flag_tasks(cast.subdistrict_staff_a)] == [1]
    assert flag_tasks(cast.worker_a) == [] and flag_tasks(cast.liaison) == []
    actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason="不履职")
    card = members_card(cast.liaison)
    assert card is not None and card.lines[0][1] == 1
    assert members_card(cast.resident_user) is None


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins(cast: Cast) -> None:
    require_postgresql("row locks")
    flag = _flagged(cast)
    results = race(
        lambda: actions.do_remove_member(TitleOnlyFlag.objects.get(pk=flag.pk),
                                         acting_user=cast.subdistrict_staff_a, reason="不履职（甲）"),
        lambda: actions.do_remove_member(TitleOnlyFlag.objects.get(pk=flag.pk), acting_user=cast.district_admin,
                                         reason="不履职（乙）"),
    )
    wins = [r for r in results if isinstance(r, TitleOnlyFlag)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert AuditEvent.objects.filter(verb="evaluation.remove_member").count() == 1
    assert Notification.objects.filter(verb="evaluation.member_removed").count() == 1
    m = CommitteeMembership.objects.get(pk=flag.membership_id)
    assert not m.active and m.end_reason.endswith(wins[0].review_note)


def test_the_list_costs_the_same_queries_for_more_rows(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _flagged(cast, name="甲")
    staff = _client(cast.subdistrict_staff_a)
    url = reverse("evaluation:flags")
    with CaptureQueriesContext(connection) as one:
        assert staff.get(url).status_code == 200
    for name in ("乙", "丙", "丁"):
        _flagged(cast, name=name)
    with CaptureQueriesContext(connection) as four:
        assert len(staff.get(url).context["rows"]) == 4
    assert len(four) == len(one)
