"""A small scene for the results part's tests: a campaign at 和平街道 (the cast's subdistrict A) with three rater
groups (subdistrict 30, community 40, resident representatives 30), two member units and a part-time committee
member of 和平里社区 as ratees, and a second campaign at 安定街道 (side B, out of A's staff's scope). Campaigns,
raters and ratings are written with the ORM (the campaigns part owns their actions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from gongzhi.core.models import CommitteeMembership, Unit, User
from gongzhi.evaluation.actions import results as actions
from gongzhi.evaluation.models import Campaign, Grade, Ratee, Rater, RaterGroup, Rating
from gongzhi.test import Cast, make_user

E, Q, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.UNQUALIFIED


@dataclass
class Scene:
    cast: Cast
    campaign: Campaign
    groups: dict[str, RaterGroup]
    unit: Ratee  # the cast's member unit (its liaison is cast.liaison)
    school: Ratee
    member: Ratee  # a part-time member from the member unit
    raters: dict[str, Rater]
    residents: list[Rater] = field(default_factory=list)
    campaign_b: Campaign | None = None
    unit_b: Ratee | None = None

    @property
    def organizer(self) -> User:
        return self.cast.subdistrict_staff_a


def make_campaign(area, title: str, *, status: str = Campaign.Status.OPEN, weights=(30, 40, 30)) -> Campaign:
    now = timezone.now()
    campaign = Campaign.objects.create(title=title, area=area, period_start=date(2025, 1, 1),
                                       period_end=date(2025, 12, 31), deadline=now + timedelta(days=3),
                                       notice_days=5, status=status, opened_at=now - timedelta(days=7))
    return campaign


def add_groups(campaign: Campaign, weights=(30, 40, 30)) -> dict[str, RaterGroup]:
    kinds = (RaterGroup.Kind.SUBDISTRICT, RaterGroup.Kind.COMMUNITY, RaterGroup.Kind.RESIDENTS)
    return {k: RaterGroup.objects.create(campaign=campaign, kind=k, weight=w) for k, w in zip(kinds, weights,
                                                                                             strict=True)}


def make_scene(cast: Cast, *, residents: int = 3) -> Scene:
    campaign = make_campaign(cast.subdistrict_a, "2025年度和平街道双向评议")
    campaign.created_by = cast.subdistrict_staff_a
    campaign.save(update_fields=["created_by"])
    groups = add_groups(campaign)
    school_unit = Unit.objects.create(name="和平中学", kind=Unit.Kind.SCHOOL, area=cast.community_a)
    membership = CommitteeMembership.objects.create(party_org=cast.committee_a, unit=cast.member_unit,
                                                    person_name="李明")
    unit = Ratee.objects.create(campaign=campaign, kind=Ratee.Kind.UNIT, community=cast.community_a,
                                unit=cast.member_unit, name=cast.member_unit.name)
    school = Ratee.objects.create(campaign=campaign, kind=Ratee.Kind.UNIT, community=cast.community_a,
                                  unit=school_unit, name=school_unit.name)
    member = Ratee.objects.create(campaign=campaign, kind=Ratee.Kind.MEMBER, community=cast.community_a,
                                  membership=membership, name="李明（和平物业服务有限公司）")
    raters = {
        "subdistrict": Rater.objects.create(campaign=campaign, group=groups["subdistrict"],
                                            user=cast.subdistrict_staff_a),
        "community": Rater.objects.create(campaign=campaign, group=groups["community"], user=cast.worker_a,
                                          community=cast.community_a, party_org=cast.committee_a),
    }
    reps = [Rater.objects.create(campaign=campaign, group=groups["residents"],
                                 user=make_user(f"rep{n}", f"居民代表{n}"), community=cast.community_a)
            for n in range(1, residents + 1)]
    scene = Scene(cast=cast, campaign=campaign, groups=groups, unit=unit, school=school, member=member,
                  raters=raters, residents=reps)
    # Side B: a campaign at 安定街道 with a unit of 安定门社区, already on notice.
    campaign_b = make_campaign(cast.subdistrict_b, "2025年度安定街道双向评议", status=Campaign.Status.NOTICE)
    campaign_b.notice_starts_at, campaign_b.notice_ends_at = timezone.now(), timezone.now() + timedelta(days=5)
    campaign_b.save(update_fields=["notice_starts_at", "notice_ends_at"])
    add_groups(campaign_b)
    unit_b = Unit.objects.create(name="安定超市", kind=Unit.Kind.ENTERPRISE, area=cast.community_b)
    scene.campaign_b = campaign_b
    scene.unit_b = Ratee.objects.create(campaign=campaign_b, kind=Ratee.Kind.UNIT, community=cast.community_b,
                                        unit=unit_b, name=unit_b.name, outcome=Q, score=80)
    return scene


def rate(rater: Rater, ratee: Ratee, grade: str, scores: dict | None = None) -> Rating:
    return Rating.objects.create(campaign=rater.campaign, rater=rater, ratee=ratee, grade=grade,
                                 scores=scores or {})


def rate_all(scene: Scene) -> None:
    """The member unit: subdistrict 优秀, community 合格, residents 优秀/合格/不合格; the school: 合格 throughout;
    the member: 不合格 from the organizations, no resident rating."""
    rate(scene.raters["subdistrict"], scene.unit, E)
    rate(scene.raters["community"], scene.unit, Q)
    for rep, grade in zip(scene.residents, (E, Q, U), strict=False):
        rate(rep, scene.unit, grade)
    rate(scene.raters["subdistrict"], scene.school, Q)
    rate(scene.raters["community"], scene.school, Q)
    for rep in scene.residents:
        rate(rep, scene.school, Q)
    rate(scene.raters["subdistrict"], scene.member, U)
    rate(scene.raters["community"], scene.member, U)


def close(scene: Scene) -> Campaign:
    return actions.do_close_rating(scene.campaign, acting_user=scene.organizer)


def end_notice(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    campaign.refresh_from_db()


def refreshed(ratee: Ratee) -> Ratee:
    return Ratee.objects.select_related("campaign").get(pk=ratee.pk)
