"""Demo step of the campaigns part (order 70): an open campaign at 锦华街道 waiting for ratings.

"<year>年度锦华街道成员单位和兼职委员双向评议" rates the member units and the part-time committee members of the
subdistrict's communities over January to November (the year of the demo's today when it is December, else the
year before), each criterion scored, with the deadline ten days from now. Raters: `jd_staff` (the subdistrict,
30%), `sq_worker` (锦华社区's party committee, 30%), and three resident representatives of 锦华社区 (40%): the demo's
`resident` account and two more representatives with accounts that do not sign in (jh_rep1, jh_rep2, as in the
results part's finished campaign). Some ratings are already given —
jd_staff most of them, one representative all of 锦华社区's, another half — while `sq_worker` and `resident` still
have ratees to rate. Everything goes through the actions, as the people themselves.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Area, Grant, Role, User

from .actions import campaigns as actions
from .models import Campaign, Grade, Ratee

SUBDISTRICT = "锦华街道"
COMMUNITY = "锦华社区"
CRITERIA = [("履职尽责", 40), ("为民办实事", 30), ("参与社区治理", 30)]
WEIGHTS = {"subdistrict": 30, "community": 30, "residents": 40}
REPRESENTATIVES = [("jh_rep1", "居民代表 陈秀英"), ("jh_rep2", "居民代表 刘志强")]
COMMENTS = {
    Grade.EXCELLENT: "认领项目按期完成，联席会议每次都到，居民反映好。",
    Grade.QUALIFIED: "",
    Grade.UNQUALIFIED: "全年未参加联席会议，认领的项目逾期未完成。",
}
# The grade a rater gives the n-th ratee: mostly 合格, some 优秀, now and then 不合格.
PATTERN = [Grade.QUALIFIED, Grade.EXCELLENT, Grade.QUALIFIED, Grade.QUALIFIED, Grade.EXCELLENT, Grade.QUALIFIED,
           Grade.UNQUALIFIED, Grade.QUALIFIED, Grade.EXCELLENT]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _representatives(community: Area) -> list[User]:
    """The two resident representatives of the community (the same accounts the results part's finished campaign
    has: they do not sign in), each with a resident grant there."""
    people: list[User] = []
    for username, name in REPRESENTATIVES:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name)
            user.set_unusable_password()
            user.save()
        Grant.objects.get_or_create(user=user, role=Role.RESIDENT, area=community)
        people.append(user)
    return people


def _scores(campaign: Campaign, grade: str, n: int) -> dict[str, int]:
    share = {"excellent": 0.92, "qualified": 0.75, "unqualified": 0.45}[grade]
    return {str(c.pk): min(c.max_score, round(c.max_score * share) + (n + i) % 3 - 1)
            for i, c in enumerate(campaign.criteria.all())}


def _rate(campaign: Campaign, user: User, ratees: list[Ratee], offset: int) -> int:
    for n, ratee in enumerate(ratees):
        grade = PATTERN[(n + offset) % len(PATTERN)]
        actions.do_rate(ratee, grade=grade, scores=_scores(campaign, grade, n), comment=COMMENTS[grade],
                        acting_user=user)
    return len(ratees)


def build(ctx: Any) -> dict[str, int] | None:
    subdistrict = Area.objects.filter(name=SUBDISTRICT, level=Area.Level.SUBDISTRICT).first()
    community = Area.objects.filter(name=COMMUNITY, level=Area.Level.COMMUNITY, parent=subdistrict).first() \
        if subdistrict else None
    staff, worker, resident = _user("jd_staff"), _user("sq_worker"), _user("resident")
    if subdistrict is None or community is None or staff is None or worker is None or resident is None:
        return None
    if Campaign.objects.filter(area=subdistrict, status=Campaign.Status.OPEN).exists():
        return None
    today = timezone.localdate()
    year = today.year if today.month == 12 else today.year - 1
    deadline = (timezone.localtime() + timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    campaign = actions.do_create_campaign(
        acting_user=staff, area=subdistrict, title=f"{year}年度{SUBDISTRICT}成员单位和兼职委员双向评议",
        period=Campaign.Period.ANNUAL, period_start=date(year, 1, 1), period_end=date(year, 11, 30),
        deadline=deadline, notice_days=5, rates_units=True, rates_members=True, rates_communities=False,
        uses_scores=True, criteria=CRITERIA, groups=WEIGHTS)
    actions.do_add_rater(campaign, acting_user=staff, kind="subdistrict", user=staff)
    actions.do_add_rater(campaign, acting_user=staff, kind="community", user=worker, community=community)
    reps = _representatives(community)
    for user in [resident, *reps]:
        actions.do_add_rater(campaign, acting_user=staff, kind="residents", user=user, community=community)
    actions.do_open_campaign(campaign, acting_user=staff)

    ratees = list(campaign.ratees.select_related("community").order_by("kind", "community__path", "name", "pk"))
    local = [r for r in ratees if r.community_id == community.pk]
    given = _rate(campaign, staff, [r for n, r in enumerate(ratees) if r.community_id == community.pk or n % 3],
                  0)
    given += _rate(campaign, worker, local[: len(local) // 3], 1)
    if reps:
        given += _rate(campaign, reps[0], local, 2)
    if len(reps) > 1:
        given += _rate(campaign, reps[1], local[: len(local) // 2], 4)
    counts = {"campaigns": 1, "ratees": len(ratees), "raters": campaign.raters.count(), "ratings": given}
    ctx.say(f"evaluation.campaigns: an open campaign at {SUBDISTRICT}, {len(ratees)} ratees, {given} ratings given")
    return counts
