"""The members part's demo at 锦华社区 (sq_worker's community).

- "service.members" (order 60): core's demo writes the in-service members' registrations confirmed; here a few
  become pending (as if the members had just registered themselves) and one is declined with a reason through the
  decision action; the `party_member` account's stays confirmed; volunteer profiles for the `volunteer` and
  `party_member` accounts (through the profile action).
- "service.records" (order 65, after the activities step writes hours): a service certificate for the `volunteer`
  account over their hours, superseded by a correction of one of them (the activities part's `do_correct_hours`),
  and the one issued again after it (valid); the yearly report of `unit_liaison`'s unit (or the unit with most members there) sent. Nothing when
  there are no confirmed hours yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, PartyMember, Registration, Role, Unit, User

from . import queries_members as queries
from .actions import members as actions
from .certificates import supersede_for_signups
from .models import Certificate, ServiceReport, VolunteerProfile

COMMUNITY = "锦华社区"
PENDING = 3
REASON = "签退时间登记有误，服务时长已更正"


def _community() -> Area | None:
    return Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY).first()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _worker(community: Area) -> User | None:
    return _user("sq_worker") or next(
        (g.user for g in Grant.objects.select_related("user").filter(area=community, role=Role.COMMUNITY_WORKER)),
        None)


def build_demo_members(ctx: Any) -> dict[str, int] | None:
    community = _community()
    worker = _worker(community) if community else None
    if community is None or worker is None:
        return None
    account = PartyMember.objects.filter(user__username="party_member").first()
    regs = list(Registration.objects.filter(community=community, kind=Registration.Kind.PARTY_MEMBER,
                                            status=Registration.Status.CONFIRMED)
                .exclude(party_member=account).order_by("-pk")[:PENDING + 1])
    now = timezone.now()
    for n, r in enumerate(regs):
        Registration.objects.filter(pk=r.pk).update(status=Registration.Status.PENDING,
                                                    registered_at=now - timedelta(days=n + 1, hours=3),
                                                    decided_at=None, decided_by=None, note="在职党员双报到（本人申请）")
    declined = 0
    if len(regs) > PENDING:
        actions.do_decide_registration(regs[PENDING], acting_user=worker, confirm=False,
                                       reason="居住地址不在本社区，请到实际居住地社区报到。")
        declined = 1
    if account is not None:
        Registration.objects.filter(party_member=account, community=community).exclude(
            status=Registration.Status.CONFIRMED).update(status=Registration.Status.CONFIRMED, decided_at=now,
                                                         decided_by=worker)
    profiles = 0
    specs = [("volunteer", "助老陪伴、垃圾分类宣传", "周末上午、工作日晚上", "锦华社区志愿服务队"),
             ("party_member", "政策宣讲、矛盾调解", "每月第二个周六", "锦华社区在职党员服务队")]
    for username, skills, availability, organisation in specs:
        user = _user(username)
        if user is None:
            continue
        resident = getattr(user, "resident", None)
        member = getattr(user, "party_member", None)
        id_number = (getattr(resident, "id_number", "") or getattr(member, "id_number", "") or "")
        actions.do_update_volunteer_profile(
            VolunteerProfile.objects.filter(user=user).first(), acting_user=user, user=user, community=community,
            skills=skills, availability=availability, organisation=organisation, id_number=id_number or None)
        profiles += 1
    ctx.say(f"service.members: {len(regs[:PENDING])} pending, {declined} declined, {profiles} volunteer profiles")
    return {"pending_registrations": len(regs[:PENDING]), "declined_registrations": declined,
            "volunteer_profiles": profiles}


def _correct(signup: Any, worker: User) -> None:
    """Correct the sign-up's hours through the activities part (which supersedes the certificates counting it);
    when that is refused (the credits already spent), supersede the certificate directly."""
    from gongzhi.core.errors import ActionError

    from .actions.activities import do_correct_hours

    length = signup.activity.length_minutes
    minutes = signup.minutes - 15 if signup.minutes >= 30 else min(signup.minutes + 15, length)
    try:
        do_correct_hours(signup, acting_user=worker, minutes=minutes, reason=REASON)
    except ActionError:
        supersede_for_signups([signup], REASON)


def build_demo_records(ctx: Any) -> dict[str, int] | None:
    community = _community()
    worker = _worker(community) if community else None
    if community is None or worker is None:
        return None
    counts = {"certificates": 0, "service_reports": 0}
    volunteer = _user("volunteer")
    today = timezone.localdate()
    if volunteer is not None and not Certificate.objects.filter(user=volunteer).exists():
        signups = list(queries.served_signups(volunteer.pk, community=community, end=queries.day_start(
            today + timedelta(days=1))))
        if signups:
            days = [timezone.localtime(s.activity.starts_at).date() for s in signups]
            # Issued, then an hour corrected (it supersedes the certificate), then issued again (valid).
            actions.do_issue_certificate(acting_user=worker, user=volunteer, community=community, start=days[0],
                                         end=days[-1])
            _correct(signups[0], worker)
            actions.do_issue_certificate(acting_user=worker, user=volunteer, community=community, start=days[0],
                                         end=days[-1])
            counts["certificates"] = 2
    units = list(queries.report_units(community))
    if units and not ServiceReport.objects.filter(community=community).exists():
        liaison_unit = Grant.objects.filter(user__username="unit_liaison", role=Role.UNIT_LIAISON).values_list(
            "unit_id", flat=True).first()
        unit: Unit = next((u for u in units if u.pk == liaison_unit), max(units, key=lambda u: u.members))  # type: ignore[attr-defined]
        actions.do_send_unit_report(acting_user=worker, community=community, unit=unit, year=today.year)
        counts["service_reports"] = 1
    ctx.say(f"service.records: {counts['certificates']} certificates, {counts['service_reports']} reports sent")
    return counts
