"""The standing title-only check (空挂): who it flags and why, what it stores, once per membership, not within the
first months, not again in the period after a keep, the 不合格 reason, the notification and the audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEvent, CommitteeMembership, Notification
from gongzhi.core.registry import registry
from gongzhi.evaluation import members_check
from gongzhi.evaluation.actions import members as actions
from gongzhi.evaluation.models import Campaign, Grade, TitleOnlyFlag
from gongzhi.test import Cast

from .members_scene import active_record, claimed, invited, open_flag, rated, reported, seat

pytestmark = pytest.mark.django_db
R = TitleOnlyFlag.Reason


def test_it_flags_a_member_who_did_nothing(cast: Cast) -> None:
    m = seat(cast)
    invited(cast, m, present=False)
    done = members_check.run_check()
    assert done["flagged"] == 1
    flag = open_flag(m)
    assert flag.reasons == [R.NO_MEETING, R.NO_CLAIM, R.NO_REPORT]
    assert flag.community == cast.community_a
    assert flag.facts["meetings_invited"] == 1 and flag.facts["meetings_attended"] == 0
    assert flag.facts["projects_claimed"] == 0 and flag.facts["duty_reports_filed"] == 0
    assert flag.facts["never_invited"] is False
    start, end = members_check.period_for()
    assert (flag.period_start, flag.period_end) == (start, end)
    event = AuditEvent.objects.get(verb="evaluation.flag", object_id=str(flag.pk))
    assert event.actor is None and event.area == cast.community_a


def test_it_says_so_when_never_invited(cast: Cast) -> None:
    m = seat(cast)
    members_check.run_check()
    flag = open_flag(m)
    assert R.NO_MEETING in flag.reasons and flag.facts["never_invited"] is True


def test_it_does_not_flag_an_active_member(cast: Cast) -> None:
    m = seat(cast)
    active_record(cast, m)
    assert members_check.run_check()["clear"] == 1
    assert not TitleOnlyFlag.objects.filter(membership=m).exists()


def test_each_missing_duty_is_a_reason_of_its_own(cast: Cast) -> None:
    m = seat(cast)
    invited(cast, m, present=True)
    claimed(cast, m)
    members_check.run_check()
    assert open_flag(m).reasons == [R.NO_REPORT]


def test_what_happened_before_the_period_does_not_count(cast: Cast) -> None:
    m = seat(cast)
    invited(cast, m, present=True, days_ago=400)
    claimed(cast, m, days_ago=400)
    reported(cast, m, days_ago=400)
    members_check.run_check()
    assert open_flag(m).reasons == [R.NO_MEETING, R.NO_CLAIM, R.NO_REPORT]


def test_it_does_not_duplicate_an_open_flag_but_brings_it_up_to_date(cast: Cast) -> None:
    m = seat(cast)
    members_check.run_check()
    first = open_flag(m)
    notified = Notification.objects.filter(verb="evaluation.flag").count()
    invited(cast, m, present=True)
    done = members_check.run_check()
    assert done["updated"] == 1 and done["flagged"] == 0
    assert TitleOnlyFlag.objects.filter(membership=m).count() == 1
    first.refresh_from_db()
    assert first.reasons == [R.NO_CLAIM, R.NO_REPORT] and first.facts["meetings_attended"] == 1
    assert Notification.objects.filter(verb="evaluation.flag").count() == notified
    assert AuditEvent.objects.filter(verb="evaluation.flag").count() == 1


def test_not_within_the_first_months(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVALUATION_TITLE_ONLY_MONTHS = 6
    young = seat(cast, name="新委员", started_days_ago=60)
    old = seat(cast, name="老委员", started_days_ago=200)
    done = members_check.run_check()
    assert done["skipped"] == 1 and done["flagged"] == 1
    assert not TitleOnlyFlag.objects.filter(membership=young).exists()
    assert TitleOnlyFlag.objects.filter(membership=old).exists()


def test_a_membership_without_a_start_date_counts_from_when_it_was_recorded(cast: Cast) -> None:
    m = seat(cast)
    CommitteeMembership.objects.filter(pk=m.pk).update(started_on=None)
    assert members_check.run_check()["skipped"] == 1  # recorded today
    CommitteeMembership.objects.filter(pk=m.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert members_check.run_check()["flagged"] == 1


def test_the_period_follows_the_setting(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVALUATION_TITLE_ONLY_MONTHS = 12
    m = seat(cast, started_days_ago=500)
    active_record(cast, m)
    invited(cast, m, present=True, days_ago=300)
    members_check.run_check()
    flag_start = members_check.period_for()[0]
    assert flag_start == members_check.months_before(timezone.localdate(), 12)
    assert not TitleOnlyFlag.objects.filter(membership=m).exists()


def test_months_before_keeps_the_day_or_the_month_s_last() -> None:
    from datetime import date

    assert members_check.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert members_check.months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)


def test_the_latest_final_campaign_rating_unqualified_is_a_reason(cast: Cast) -> None:
    m = seat(cast)
    active_record(cast, m)
    rated(cast, m, Grade.UNQUALIFIED)
    members_check.run_check()
    flag = open_flag(m)
    assert flag.reasons == [R.UNQUALIFIED]
    assert flag.facts["outcome"] == Grade.UNQUALIFIED and flag.facts["campaign"] == "2026年度双向评估"


def test_a_campaign_not_final_yet_or_a_later_qualified_one_does_not_flag(cast: Cast) -> None:
    m = seat(cast)
    active_record(cast, m)
    rated(cast, m, Grade.UNQUALIFIED, status=Campaign.Status.NOTICE)
    assert members_check.run_check()["clear"] == 1
    old = rated(cast, m, Grade.UNQUALIFIED)
    Campaign.objects.filter(pk=old.campaign_id).update(period_end=timezone.localdate() - timedelta(days=400),
                                                       period_start=timezone.localdate() - timedelta(days=700))
    rated(cast, m, Grade.QUALIFIED)
    assert members_check.run_check()["clear"] == 1


def test_the_reviewers_are_told_once(cast: Cast) -> None:
    m = seat(cast)
    members_check.run_check()
    members_check.run_check()
    flag = open_flag(m)
    told = set(Notification.objects.filter(verb="evaluation.flag").values_list("user__username", flat=True))
    assert told == {"subdistrict_staff_a", "district_admin", "city_admin"}
    note = Notification.objects.filter(verb="evaluation.flag", user=cast.subdistrict_staff_a).get()
    assert m.person_name in note.text and note.url == f"/evaluation/flags/{flag.pk}/"


def test_a_kept_flag_is_not_raised_again_within_the_period(cast: Cast) -> None:
    m = seat(cast)
    members_check.run_check()
    actions.do_keep_member(open_flag(m), acting_user=cast.subdistrict_staff_a, note="已外派，下月返岗")
    assert members_check.run_check()["skipped"] == 1
    assert not TitleOnlyFlag.objects.filter(membership=m, status=TitleOnlyFlag.Status.OPEN).exists()
    # A period later it may be raised again.
    TitleOnlyFlag.objects.filter(membership=m).update(reviewed_at=timezone.now() - timedelta(days=200))
    assert members_check.run_check()["flagged"] == 1


def test_only_active_part_time_members_of_community_committees(cast: Cast) -> None:
    from gongzhi.core import actions as core_actions

    core_actions.do_add_committee_member(cast.committee_a, person_name="书记", unit=None,
                                         role=CommitteeMembership.Role.SECRETARY, acting_user=None)
    gone = seat(cast, name="已离任")
    CommitteeMembership.objects.filter(pk=gone.pk).update(active=False)
    CommitteeMembership.objects.filter(party_org=cast.committee_a).update(
        created_at=timezone.now() - timedelta(days=400))
    assert members_check.run_check() == {"checked": 0, "flagged": 0, "updated": 0, "skipped": 0, "clear": 0}


def test_the_check_now_button_covers_the_subdistrict_only(cast: Cast) -> None:
    from gongzhi.core import actions as core_actions

    m = seat(cast)
    org_b = core_actions.do_create_party_org(area=cast.community_b, name="安定门社区大党委", acting_user=None)
    other = core_actions.do_add_committee_member(org_b, person_name="钱委员", unit=cast.member_unit,
                                                 role=CommitteeMembership.Role.PART_TIME_MEMBER, acting_user=None)
    CommitteeMembership.objects.filter(pk=other.pk).update(started_on=timezone.localdate() - timedelta(days=400))
    done = actions.do_run_check(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_a)
    assert done["flagged"] == 1 and open_flag(m)
    assert not TitleOnlyFlag.objects.filter(membership=other).exists()
    assert AuditEvent.objects.filter(verb="evaluation.check", actor=cast.subdistrict_staff_a).exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_run_check(acting_user=cast.subdistrict_staff_a, area=cast.subdistrict_b)
    with pytest.raises(PermissionDenied):
        actions.do_run_check(acting_user=cast.worker_a, area=cast.subdistrict_a)


def test_the_daily_check_is_registered() -> None:
    names = [c.name for c in registry.scheduled_checks]
    assert "gongzhi.evaluation.members_check.daily_check" in names
    check = next(c for c in registry.scheduled_checks if c.name.endswith("members_check.daily_check"))
    assert check.every_seconds == 24 * 3600
