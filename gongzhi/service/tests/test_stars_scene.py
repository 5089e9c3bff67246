"""Rows the commitments tests share: a second party member (living in community B, registered at A), activities at
a community with confirmed hours and residents' feedback (set up directly: the activities part's own actions are
tested there), posts and pledges through the actions."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Area, PartyMember, Registration, Role, User
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import Activity, ActivityFeedback, ActivityKind, Pledge, Post, SignUp
from gongzhi.test import PASSWORD, Cast


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def registered_member(cast: Cast, username: str = "member_b", name: str = "李明") -> PartyMember:
    """A party member living in community B with a confirmed registration at community A, and an account."""
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=name)
    core_actions.do_grant_role(user, role=Role.PARTY_MEMBER, area=cast.community_b, acting_user=None)
    member = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name=name,
                                                 phone="13600136000", in_service=True, work_unit=cast.member_unit)
    member.user = user
    member.save(update_fields=["user"])
    registration = core_actions.do_register_party_member(member, community=cast.community_a, acting_user=None)
    assert registration.status == Registration.Status.CONFIRMED
    return member


def activity(community: Area, *, kind: str = ActivityKind.VOLUNTEER, starts_at: datetime | None = None,
             hours: int = 2, title: str = "环境清洁") -> Activity:
    starts_at = starts_at or timezone.now() - timedelta(days=3)
    return Activity.objects.create(community=community, kind=kind, title=title, place="社区广场",
                                   starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), capacity=20,
                                   checkin_secret=secrets.token_hex(16))


def served(a: Activity, user: User | None, minutes: int, confirmed_at: datetime | None = None,
           status: str = SignUp.Status.CONFIRMED) -> SignUp:
    assert user is not None
    return SignUp.objects.create(activity=a, user=user, status=status, minutes=minutes,
                                 checked_in_at=a.starts_at, checked_out_at=a.starts_at + timedelta(minutes=minutes),
                                 hours_confirmed_at=confirmed_at or a.ends_at)


def feedback(a: Activity, *scores: int) -> None:
    for n, score in enumerate(scores):
        ActivityFeedback.objects.create(activity=a, phone_hash=f"hash-{a.pk}-{n}", score=score)


def post(cast: Cast, name: str = "楼栋长", seats: int = 1, community: Area | None = None) -> Post:
    community = community or cast.community_a
    worker = cast.worker_a if community == cast.community_a else cast.worker_b
    return actions.do_create_post(acting_user=worker, community=community, name=name,
                                  duties="联系楼栋住户，收集社情民意", seats=seats)


def year_term(cast: Cast, p: Post, member: PartyMember, year: int | None = None) -> None:
    year = year or timezone.localdate().year
    actions.do_assign_post_term(p, acting_user=cast.worker_a, party_member=member, starts_on=date(year, 1, 1),
                                ends_on=date(year, 12, 31))


def pledge(cast: Cast, member: PartyMember | None = None, text: str = "每月走访独居老人",
           year: int | None = None, community: Area | None = None) -> Pledge:
    member = member or cast.party_member_a
    return actions.do_create_pledge(acting_user=None, party_member=member, community=community or cast.community_a,
                                    year=year or timezone.localdate().year, text=text)
