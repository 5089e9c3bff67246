"""Posts and terms (设岗定责), pledges (服务承诺) and star ratings (星级管理): every write of the commitments part.

Each function is one transaction with a policy check (`gongzhi.service.permissions`) and an audit row
("service.post.*", "service.pledge.*", "service.stars.*", named in reg_commitments.py). System jobs (the nightly
recompute, the demo's fixed rows) pass acting_user=None.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event, snapshot
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, PartyMember, User
from gongzhi.lib.validators import clean_text as _text

from .. import permissions, stars
from ..models import Pledge, Post, PostTerm, StarRating, StarRule

POST_FIELDS = ["name", "duties", "seats", "area", "active"]
TERM_FIELDS = ["party_member", "starts_on", "ends_on", "ended_on"]
PLEDGE_FIELDS = ["text", "status", "evidence"]
RULE_FIELDS = ["points_per_hour", "points_per_party_day", "points_per_pledge_kept", "points_per_post",
               "points_per_feedback", "two_stars", "three_stars", "four_stars", "five_stars"]
RATING_FIELDS = ["points", "computed_stars", "adjusted_stars", "adjust_reason"]
SUGGESTED_POSTS = ("楼栋长", "政策宣传员", "矛盾调解员", "文明引导员", "环境监督员", "关爱帮扶员", "平安巡逻员")
MAX_SEATS = 50
MAX_PLEDGES = 10
MAX_TERM_YEARS = 5
ASSESSED = (Pledge.Status.KEPT, Pledge.Status.PARTLY, Pledge.Status.NOT_KEPT)
MAX_POINTS = 1000
MAX_THRESHOLD = 10000


def _require_community(community: Area | None) -> Area:
    if community is None or community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Please choose the community."), field="community")
    return community


def _require_manage(user: User | None, community: Area) -> None:
    if user is not None and not permissions.area_policy.can(user, "manage_service", community):
        raise PermissionDenied(_("Only the community's workers may do this."))


def is_member_at(member: PartyMember, community: Area) -> bool:
    return stars.members_of(community).filter(pk=member.pk).exists()


# --- posts and terms (设岗定责) -----------------------------------------------------------------------------


def _clean_post(community: Area, *, name: Any, duties: Any, seats: Any, area: Area | None) -> dict[str, Any]:
    name = _text(name, field="name", limit=50, empty=_("Please name the post (for example 楼栋长)."))
    duties = _text(duties, field="duties", limit=2000, empty=_("Please describe the post's duties."))
    try:
        seats = int(seats)
    except (TypeError, ValueError):
        seats = 0
    if not 1 <= seats <= MAX_SEATS:
        raise ActionError(_("A post has 1 to %(max)d seats.") % {"max": MAX_SEATS}, field="seats")
    if area is not None and area.pk != community.pk and not area.path.startswith(community.path):
        raise ActionError(_("The area a post serves must lie in its community."), field="area")
    return {"name": name, "duties": duties, "seats": seats, "area": area if area is not None else None}


@transaction.atomic
def do_create_post(*, acting_user: User | None, community: Area, name: str, duties: str, seats: int = 1,
                   area: Area | None = None) -> Post:
    community = _require_community(community)
    _require_manage(acting_user, community)
    data = _clean_post(community, name=name, duties=duties, seats=seats, area=area)
    post = Post.objects.create(community=community, created_by=acting_user, **data)
    log_event(acting_user, "service.post.create", post, area=community, after=snapshot(post, POST_FIELDS))
    return post


def _lock_post(post: Post) -> Post:
    return Post.objects.select_for_update(of=("self",)).select_related("community", "area").get(pk=post.pk)


def held_on(post: Post, day: date) -> int:
    return PostTerm.objects.filter(post=post, starts_on__lte=day).filter(
        Q(ended_on__isnull=True, ends_on__gte=day) | Q(ended_on__gt=day)).count()


def _overlapping(post: Post, starts_on: date, ends_on: date) -> Any:
    """Terms of the post that overlap [starts_on, ends_on] (a term left early ends on its `ended_on`)."""
    return PostTerm.objects.filter(post=post, starts_on__lte=ends_on).filter(
        Q(ended_on__isnull=True, ends_on__gte=starts_on) | Q(ended_on__gt=starts_on))


def _max_overlap(post: Post, starts_on: date, ends_on: date) -> int:
    """The most terms held on one day of [starts_on, ends_on]."""
    terms = [(max(t.starts_on, starts_on), min(t.ended_on or t.ends_on, ends_on))
             for t in _overlapping(post, starts_on, ends_on)]
    days = {s for s, _e in terms} | {starts_on}
    return max((sum(1 for s, e in terms if s <= d <= e) for d in days), default=0)


@transaction.atomic
def do_update_post(post: Post, *, acting_user: User | None, name: str | None = None, duties: str | None = None,
                   seats: int | None = None, area: Area | None | bool = False, active: bool | None = None) -> Post:
    """Change a post (`area=False`: keep it). Fewer seats than the members holding it today is refused."""
    post = _lock_post(post)
    permissions.post_policy.require(acting_user, "manage", post, _("Only the community's workers may do this."))
    before = snapshot(post, POST_FIELDS)
    data = _clean_post(post.community, name=post.name if name is None else name,
                       duties=post.duties if duties is None else duties, seats=post.seats if seats is None else seats,
                       area=post.area if area is False else area)  # type: ignore[arg-type]
    today = timezone.localdate()
    if data["seats"] < post.seats and data["seats"] < _max_overlap(post, today, date(today.year + MAX_TERM_YEARS,
                                                                                     12, 31)):
        raise ActionError(_("More members hold this post than that: end their terms first."), field="seats")
    for key, value in data.items():
        setattr(post, key, value)
    if active is not None:
        post.active = bool(active)
    post.save(update_fields=["name", "duties", "seats", "area", "active"])
    log_event(acting_user, "service.post.update", post, area=post.community, before=before,
              after=snapshot(post, POST_FIELDS))
    return post


@transaction.atomic
def do_assign_post_term(post: Post, *, acting_user: User | None, party_member: PartyMember, starts_on: date,
                        ends_on: date) -> PostTerm:
    """A party member of the community holds the post for a term; the seats are respected (the post row is
    locked, so two workers filling the last seat cannot both succeed)."""
    post = _lock_post(post)
    permissions.post_policy.require(acting_user, "manage", post, _("Only the community's workers may do this."))
    if not post.active:
        raise InvalidTransition(_("This post is no longer in use."))
    if starts_on is None or ends_on is None:
        raise ActionError(_("Please enter when the term starts and ends."), field="starts_on")
    if ends_on < starts_on:
        raise ActionError(_("A term cannot end before it starts."), field="ends_on")
    if ends_on.year - starts_on.year > MAX_TERM_YEARS:
        raise ActionError(_("A term lasts at most %(n)d years.") % {"n": MAX_TERM_YEARS}, field="ends_on")
    if party_member is None or not is_member_at(party_member, post.community):
        raise ActionError(_("Choose a party member who lives or is registered at this community."),
                          field="party_member")
    if _overlapping(post, starts_on, ends_on).filter(party_member=party_member).exists():
        raise ActionError(_("%(name)s already holds this post then.") % {"name": party_member.name},
                          field="party_member")
    if _max_overlap(post, starts_on, ends_on) >= post.seats:
        raise ActionError(_("All %(n)d seats of this post are taken for that period.") % {"n": post.seats},
                          field="party_member")
    term = PostTerm.objects.create(post=post, party_member=party_member, starts_on=starts_on, ends_on=ends_on,
                                   created_by=acting_user)
    log_event(acting_user, "service.post.assign", term, area=post.community, after=snapshot(term, TERM_FIELDS))
    return term


@transaction.atomic
def do_end_post_term(term: PostTerm, *, acting_user: User | None, ended_on: date | None = None) -> PostTerm:
    """The member leaves the post early (on `ended_on`, today by default)."""
    term = PostTerm.objects.select_for_update(of=("self",)).select_related("post", "post__community",
                                                                           "party_member").get(pk=term.pk)
    permissions.post_policy.require(acting_user, "manage", term.post, _("Only the community's workers may do this."))
    if term.ended_on is not None:
        raise InvalidTransition(_("This term has already ended."))
    ended_on = ended_on or timezone.localdate()
    if ended_on < term.starts_on:
        raise ActionError(_("A term cannot end before it starts."), field="ended_on")
    if ended_on >= term.ends_on:
        raise ActionError(_("The term ends on %(day)s anyway: nothing to end early.") % {"day": term.ends_on},
                          field="ended_on")
    before = snapshot(term, TERM_FIELDS)
    term.ended_on = ended_on
    term.save(update_fields=["ended_on"])
    log_event(acting_user, "service.post.end_term", term, area=term.post.community, before=before,
              after=snapshot(term, TERM_FIELDS))
    return term


# --- pledges (服务承诺) --------------------------------------------------------------------------------------


def pledge_years(today: date | None = None) -> list[int]:
    """The years a member may pledge for: this year, and the next one in December."""
    today = today or timezone.localdate()
    return [today.year, today.year + 1] if today.month == 12 else [today.year]


@transaction.atomic
def do_create_pledge(*, acting_user: User | None, party_member: PartyMember, community: Area, year: int,
                     text: str) -> Pledge:
    """A party member pledges, for the year, at a community where they live or are registered."""
    community = _require_community(community)
    if acting_user is not None:
        if party_member is None or party_member.user_id != acting_user.pk:
            raise PermissionDenied(_("A party member makes their own pledges."))
        if year not in pledge_years():
            raise ActionError(_("Pledges are made for this year."), field="year")
    if not is_member_at(party_member, community):
        raise ActionError(_("You can pledge at the community where you live or are registered."), field="community")
    text = _text(text, field="text", limit=300, empty=_("Please write what you pledge to do."))
    PartyMember.objects.select_for_update().filter(pk=party_member.pk).first()
    if Pledge.objects.filter(party_member=party_member, community=community, year=year).count() >= MAX_PLEDGES:
        raise ActionError(_("At most %(n)d pledges a year.") % {"n": MAX_PLEDGES}, field="text")
    pledge = Pledge.objects.create(party_member=party_member, community=community, year=year, text=text)
    log_event(acting_user, "service.pledge.create", pledge, area=community, after=snapshot(pledge, PLEDGE_FIELDS))
    return pledge


def _lock_pledge(pledge: Pledge) -> Pledge:
    return Pledge.objects.select_for_update(of=("self",)).select_related("community", "party_member").get(
        pk=pledge.pk)


@transaction.atomic
def do_update_pledge(pledge: Pledge, *, acting_user: User | None, text: str) -> Pledge:
    """The member rewords an open pledge."""
    pledge = _lock_pledge(pledge)
    if pledge.status != Pledge.Status.OPEN:
        raise InvalidTransition(_("This pledge has been assessed and can no longer be changed."))
    permissions.pledge_policy.require(acting_user, "edit", pledge, _("Only the member edits their pledge."))
    before = snapshot(pledge, PLEDGE_FIELDS)
    pledge.text = _text(text, field="text", limit=300, empty=_("Please write what you pledge to do."))
    pledge.save(update_fields=["text"])
    log_event(acting_user, "service.pledge.update", pledge, area=pledge.community, before=before,
              after=snapshot(pledge, PLEDGE_FIELDS))
    return pledge


@transaction.atomic
def do_assess_pledge(pledge: Pledge, *, acting_user: User | None, status: str, evidence: str = "") -> Pledge:
    """The community assesses a pledge: kept, partly kept or not kept, with evidence (required unless kept).
    An assessment may be corrected (audited, before and after)."""
    pledge = _lock_pledge(pledge)
    permissions.pledge_policy.require(acting_user, "assess", pledge, _("Only the community's workers may assess."))
    if status not in ASSESSED:
        raise ActionError(_("Choose kept, partly kept or not kept."), field="status")
    if pledge.year > timezone.localdate().year:
        raise InvalidTransition(_("This pledge's year has not begun."))
    evidence = _text(evidence, field="evidence", limit=2000)
    if status != Pledge.Status.KEPT and not evidence:
        raise ActionError(_("Please give the evidence: what was done, and what was not."), field="evidence")
    before = snapshot(pledge, PLEDGE_FIELDS)
    pledge.status, pledge.evidence = status, evidence
    pledge.assessed_at, pledge.assessed_by = timezone.now(), acting_user
    pledge.save(update_fields=["status", "evidence", "assessed_at", "assessed_by"])
    log_event(acting_user, "service.pledge.assess", pledge, area=pledge.community, before=before,
              after=snapshot(pledge, PLEDGE_FIELDS))
    return pledge


# --- star rules and ratings (星级管理) -----------------------------------------------------------------------


def _points(value: Any, field: str) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ActionError(_("Please enter a number."), field=field) from None
    if not Decimal(0) <= number <= MAX_POINTS:
        raise ActionError(_("Points are between 0 and %(max)d.") % {"max": MAX_POINTS}, field=field)
    return number


def _threshold(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ActionError(_("Please enter a whole number of points."), field=field) from None
    if not 1 <= number <= MAX_THRESHOLD:
        raise ActionError(_("A threshold is between 1 and %(max)d points.") % {"max": MAX_THRESHOLD}, field=field)
    return number


@transaction.atomic
def do_update_star_rule(community: Area, *, acting_user: User | None, **values: Any) -> StarRule:
    """The community's star rules: points per measure and the thresholds for 2–5 stars (in ascending order)."""
    community = _require_community(community)
    _require_manage(acting_user, community)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown star rule fields {sorted(unknown)}")
    rule = StarRule.objects.select_for_update().filter(community=community).first() or StarRule(community=community)
    before = snapshot(rule, RULE_FIELDS) if rule.pk else None
    for name in RULE_FIELDS[:5]:
        if values.get(name) is not None:
            setattr(rule, name, _points(values[name], name))
    for name in RULE_FIELDS[5:]:
        if values.get(name) is not None:
            setattr(rule, name, _threshold(values[name], name))
    labels = {"two_stars": 2, "three_stars": 3, "four_stars": 4, "five_stars": 5}
    order = RULE_FIELDS[5:]
    for lower, higher in zip(order, order[1:], strict=False):
        if getattr(rule, higher) <= getattr(rule, lower):
            raise ActionError(_("%(higher)d stars must need more points than %(lower)d stars (%(points)d).") % {
                "higher": labels[higher], "lower": labels[lower], "points": getattr(rule, lower)}, field=higher)
    rule.updated_at, rule.updated_by = timezone.now(), acting_user
    rule.save()
    log_event(acting_user, "service.stars.rule", rule, area=community, before=before,
              after=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def do_recompute_star_ratings(community: Area, *, acting_user: User | None, year: int | None = None) -> int:
    """Recompute every member's stars for the year at the community now (adjustments are kept)."""
    community = _require_community(community)
    _require_manage(acting_user, community)
    year = year or timezone.localdate().year
    if not 2000 <= year <= timezone.localdate().year:
        raise ActionError(_("Stars are computed for this year or a past one."), field="year")
    count = stars.recompute(community, year)
    log_event(acting_user, "service.stars.recompute", community, area=community,
              after={"year": year, "ratings": count})
    return count


@transaction.atomic
def do_adjust_star_rating(rating: StarRating, *, acting_user: User | None, stars_given: int | None,
                          reason: str) -> StarRating:
    """The community sets a member's stars by hand, with a reason (`stars_given=None` clears the adjustment);
    a later recompute updates the computed part and keeps this."""
    rating = StarRating.objects.select_for_update(of=("self",)).select_related("community", "party_member").get(
        pk=rating.pk)
    permissions.star_rating_policy.require(acting_user, "adjust", rating,
                                           _("Only the community's workers may adjust stars."))
    if stars_given is not None and not 1 <= int(stars_given) <= 5:
        raise ActionError(_("Stars are from 1 to 5."), field="stars")
    reason = _text(reason, field="reason", limit=200, empty=_("Please give the reason for the adjustment."))
    before = snapshot(rating, RATING_FIELDS)
    rating.adjusted_stars = int(stars_given) if stars_given is not None else None
    rating.adjust_reason = reason
    rating.adjusted_by, rating.adjusted_at = acting_user, timezone.now()
    rating.save(update_fields=["adjusted_stars", "adjust_reason", "adjusted_by", "adjusted_at"])
    log_event(acting_user, "service.stars.adjust", rating, area=rating.community, before=before,
              after=snapshot(rating, RATING_FIELDS))
    return rating


def recompute_due(now: Any = None) -> dict[str, int]:
    """The nightly job: this year's ratings of every community that configured its rules or has ratings, once a
    (local) day."""
    now = now or timezone.now()
    year = timezone.localtime(now).year
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    ids = set(StarRule.objects.values_list("community_id", flat=True)) | set(
        StarRating.objects.filter(year=year).values_list("community_id", flat=True).distinct())
    fresh = set(StarRating.objects.filter(year=year, community_id__in=ids, computed_at__gte=day_start)
                .values_list("community_id", flat=True).distinct())
    communities, ratings = 0, 0
    for community in Area.objects.filter(pk__in=ids - fresh, level=Area.Level.COMMUNITY).order_by("pk"):
        ratings += stars.recompute(community, year)
        communities += 1
    return {"communities": communities, "ratings": ratings}
