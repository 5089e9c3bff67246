"""The commitments part's pages: posts and terms (设岗定责), pledges (服务承诺) with the community's public page, and
star ratings (星级管理) with the rules, the distribution, adjustments and "recompute now".

- /service/posts/ — a member's posts; the community's posts (staff of the community define them and fill them);
- /service/pledges/ — a member's own pledges (make and edit them while open); staff: the community's, by year and
  status, to assess at year end;
- /service/stars/ — a member's stars with the breakdown; staff: the community's ratings and the distribution; a
  liaison: its unit's members';
- /service/public/<community>/ — the community's posts, pledges and star distribution, for anyone (no login).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, Registration
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.lists import notice

from .. import permissions, stars
from ..actions import commitments as actions
from ..forms_commitments import (
    AdjustForm,
    AssessForm,
    EndTermForm,
    PledgeEditForm,
    PledgeForm,
    PostEditForm,
    PostForm,
    StarRuleForm,
    TermForm,
)
from ..models import Pledge, Post, PostTerm, StarRating

signed_in = login_required(login_url="core:login")
MEASURE_LABELS = {
    "hours": gettext_lazy("Hours served"),
    "party_days": gettext_lazy("Party days attended"),
    "pledges_kept": gettext_lazy("Pledges kept"),
    "posts": gettext_lazy("Posts held"),
    "feedback": gettext_lazy("Residents' feedback"),
}


# --- helpers ---------------------------------------------------------------------------------------------------


def _gate(request: HttpRequest) -> None:
    if not permissions.shows_service(request.user):
        raise PermissionDenied(_("This page is not available to your role."))


def managed_communities(user: Any) -> QuerySet[Area]:
    """Communities where the user defines posts, assesses pledges and sets the star rules."""
    return permissions.area_policy.areas_where(user, "manage_service").filter(level=Area.Level.COMMUNITY)


def staff_communities(user: Any) -> QuerySet[Area]:
    """Communities the user's staff grants cover (they see its pledges and stars)."""
    qs = Area.objects.filter(level=Area.Level.COMMUNITY)
    if is_superuser(user):
        return qs
    return qs.filter(path_q(scope_paths(user, permissions.STAFF_ROLES), "path"))


def member_communities(user: Any) -> list[Area]:
    """Where the user's party-member record pledges: the home community and confirmed registrations."""
    member = permissions.own_member(user)
    if member is None:
        return []
    ids = set(Registration.objects.confirmed().filter(party_member=member).values_list("community_id", flat=True))
    home = member.home_area
    if home.level == Area.Level.COMMUNITY:
        ids.add(home.pk)
    else:
        ids |= {a.pk for a in home.ancestors() if a.level == Area.Level.COMMUNITY}
    return list(Area.objects.filter(pk__in=ids).order_by("path"))


def _pick(request: HttpRequest, communities: QuerySet[Area] | list[Area], key: str = "community") -> Area | None:
    raw = request.GET.get(key) or request.POST.get(key) or ""
    items = communities if isinstance(communities, list) else None
    if raw.isdigit():
        if items is not None:
            return next((c for c in items if c.pk == int(raw)), None) or _none()
        found = communities.filter(pk=int(raw)).first()  # type: ignore[union-attr]
        return found if found is not None else _none()
    if items is not None:
        return items[0] if items else None
    return communities.order_by("path").first()  # type: ignore[union-attr]


def _none() -> Area:
    raise Http404(_("Not found, or outside your area."))


def _year(request: HttpRequest, default: int | None = None) -> int:
    this = timezone.localdate().year
    raw = request.GET.get("year") or request.POST.get("year") or ""
    year = int(raw) if raw.isdigit() else (default or this)
    return year if 2000 <= year <= this + 1 else this


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this + (1 if timezone.localdate().month == 12 else 0), this - 5, -1))


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def current_terms(today: Any) -> Q:
    return Q(starts_on__lte=today) & (Q(ended_on__isnull=True, ends_on__gte=today) | Q(ended_on__gt=today))


def posts_with_holders(community: Area, *, active_only: bool = False) -> list[Post]:
    """The community's posts, each with `holders` (the terms held today) and `upcoming` (a fixed number of
    queries)."""
    today = timezone.localdate()
    qs = Post.objects.filter(community=community).select_related("area")
    if active_only:
        qs = qs.filter(active=True)
    posts: list[Post] = list(qs.prefetch_related(Prefetch(
        "terms", queryset=PostTerm.objects.filter(Q(ended_on__isnull=True, ends_on__gte=today) | Q(
            ended_on__gt=today)).select_related("party_member").order_by("starts_on", "id"), to_attr="open_terms")))
    for p in posts:
        p.holders = [t for t in p.open_terms if t.starts_on <= today]  # type: ignore[attr-defined]
        p.upcoming = [t for t in p.open_terms if t.starts_on > today]  # type: ignore[attr-defined]
        p.free = max(0, p.seats - len(p.holders))  # type: ignore[attr-defined]
    return posts


# --- posts (设岗定责) ------------------------------------------------------------------------------------------


@signed_in
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    user = request.user
    managed = managed_communities(user).order_by("path")
    member = permissions.own_member(user)
    my_terms = list(PostTerm.objects.filter(party_member=member).select_related("post", "post__community",
                                                                                 "post__area")
                    .order_by("-starts_on", "-id")[:50]) if member else []
    today = timezone.localdate()
    for t in my_terms:
        t.current = t.starts_on <= today <= (t.ended_on or t.ends_on)  # type: ignore[attr-defined]
    choices: Any = managed if managed.exists() else Area.objects.filter(
        pk__in=permissions.visible_to(user, Post).values("community_id")).order_by("path")
    community = _pick(request, choices)
    can_manage = community is not None and permissions.area_policy.can(user, "manage_service", community)
    return render(request, "service/post_list.html", {
        "my_terms": my_terms, "is_member": member is not None, "community": community,
        "communities": list(choices[:200]), "posts": posts_with_holders(community) if community else [],
        "can_manage": can_manage, "today": today,
    })


def _post(request: HttpRequest, pk: int, manage: bool = False) -> Post:
    post = permissions.get_post_for_user(request.user, pk)
    if manage:
        permissions.require(request.user, "manage", post, _("Only the community's workers may do this."))
    return post


@signed_in
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest) -> HttpResponse:
    managed = managed_communities(request.user)
    if not managed.exists():
        raise PermissionDenied(_("Only the community's workers may do this."))
    community = _pick(request, managed)
    assert community is not None
    form = PostForm(request.POST if request.method == "POST" else None, community=community)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            post = actions.do_create_post(acting_user=request.user, community=community,  # type: ignore[arg-type]
                                          name=d["name"], duties=d["duties"], seats=d["seats"], area=d["area"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The post was created."))
            return redirect("service:post", pk=post.pk)
    return render(request, "service/post_form.html", {
        "form": form, "community": community, "post": None, "suggestions": actions.SUGGESTED_POSTS,
    }, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk, manage=True)
    initial = {"name": post.name, "duties": post.duties, "area": post.area, "seats": post.seats,
               "active": post.active}
    form = PostEditForm(request.POST if request.method == "POST" else None, initial=initial,
                        community=post.community)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_update_post(post, acting_user=request.user, name=d["name"], duties=d["duties"],  # type: ignore[arg-type]
                                   seats=d["seats"], area=d["area"], active=d["active"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The post was saved."))
            return redirect("service:post", pk=post.pk)
    return render(request, "service/post_form.html", {
        "form": form, "community": post.community, "post": post, "suggestions": actions.SUGGESTED_POSTS,
    }, status=400 if form.errors else 200)


def _render_post(request: HttpRequest, post: Post, term_form: TermForm | None = None, status: int = 200) -> HttpResponse:
    can_manage = permissions.can(request.user, "manage", post)
    terms = list(post.terms.select_related("party_member").order_by("-starts_on", "-id")[:100])
    today = timezone.localdate()
    for t in terms:
        t.current = t.starts_on <= today <= (t.ended_on or t.ends_on)  # type: ignore[attr-defined]
        t.endable = can_manage and t.ended_on is None and t.ends_on > today  # type: ignore[attr-defined]
    if can_manage and term_form is None:
        term_form = TermForm(initial={"starts_on": today, "ends_on": today.replace(month=12, day=31)},
                             members=stars.members_of(post.community).order_by("name"))
    return render(request, "service/post_detail.html", {
        "post": post, "terms": terms, "can_manage": can_manage, "term_form": term_form if can_manage else None,
        "held": actions.held_on(post, today), "end_form": EndTermForm(),
    }, status=status)


@signed_in
@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_post(request, _post(request, pk))


@signed_in
@require_POST
def post_assign(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk, manage=True)
    form = TermForm(request.POST, members=stars.members_of(post.community))
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_assign_post_term(post, acting_user=request.user, party_member=d["party_member"],  # type: ignore[arg-type]
                                        starts_on=d["starts_on"], ends_on=d["ends_on"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("%(name)s now holds the post.") % {"name": d["party_member"].name})
            return redirect("service:post", pk=post.pk)
    form.fields["party_member"].queryset = stars.members_of(post.community).order_by("name")  # type: ignore[attr-defined]
    return _render_post(request, post, form, status=400)


@signed_in
@require_POST
def term_end(request: HttpRequest, pk: int) -> HttpResponse:
    term = PostTerm.objects.select_related("post").filter(pk=pk).first()
    if term is None:
        raise Http404(_("Not found, or outside your area."))
    post = _post(request, term.post_id, manage=True)
    form = EndTermForm(request.POST)
    ended_on = form.cleaned_data["ended_on"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, _("Please enter a date."))
        return redirect("service:post", pk=post.pk)
    try:
        actions.do_end_post_term(term, acting_user=request.user, ended_on=ended_on)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The term was ended."))
    return redirect("service:post", pk=post.pk)


# --- pledges (服务承诺) ------------------------------------------------------------------------------------------


def _pledge_form(request: HttpRequest, communities: list[Area], data: Any = None) -> PledgeForm:
    form = PledgeForm(data)
    form.fields["community"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
        pk__in=[c.pk for c in communities]).order_by("path")
    years = actions.pledge_years()
    form.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
    form.fields["year"].initial = years[0]
    if len(communities) == 1:
        form.fields["community"].initial = communities[0]
    return form


def _posts_by_member(community_ids: set[int], member_ids: set[int]) -> dict[tuple[int, int], list[str]]:
    """The posts each member holds today at each community: (member, community) -> names."""
    today = timezone.localdate()
    out: dict[tuple[int, int], list[str]] = {}
    if not member_ids:
        return out
    for member_id, community_id, name in (PostTerm.objects.filter(current_terms(today),
                                                                  party_member_id__in=member_ids,
                                                                  post__community_id__in=community_ids)
                                          .values_list("party_member_id", "post__community_id", "post__name")
                                          .order_by("post__name")):
        out.setdefault((member_id, community_id), []).append(name)
    return out


def _render_pledges(request: HttpRequest, form: PledgeForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    member = permissions.own_member(user)
    communities = member_communities(user)
    mine = list(Pledge.objects.filter(party_member=member).select_related("community")
                .order_by("-year", "id")[:100]) if member else []
    for p in mine:
        p.editable = permissions.pledge_policy.check_edit(user, p)  # type: ignore[attr-defined]
    if member and communities and form is None:
        form = _pledge_form(request, communities)
    year = _year(request)
    status_filter = request.GET.get("status") or ""
    staff = staff_communities(user).order_by("path")
    community = _pick(request, staff) if staff.exists() else None
    listed: list[Pledge] = []
    others = permissions.visible_to(user, Pledge).exclude(party_member=member) if member else \
        permissions.visible_to(user, Pledge)
    if community is not None:
        others = others.filter(community=community)
    if community is not None or permissions.liaison_unit_ids(user):
        qs = others.filter(year=year).select_related("party_member", "community")
        if status_filter in Pledge.Status.values:
            qs = qs.filter(status=status_filter)
        listed = list(qs.order_by("party_member__name", "id")[:300])
        posts = _posts_by_member({p.community_id for p in listed}, {p.party_member_id for p in listed})
        for p in listed:
            p.posts = posts.get((p.party_member_id, p.community_id), [])  # type: ignore[attr-defined]
            p.assessable = permissions.pledge_policy.check_assess(user, p)  # type: ignore[attr-defined]
    return render(request, "service/pledge_list.html", {
        "mine": mine, "form": form, "is_member": member is not None, "community": community,
        "communities": list(staff[:200]), "listed": listed, "year": year, "years": _years(),
        "status": status_filter, "statuses": Pledge.Status.choices,
        "show_others": community is not None or bool(permissions.liaison_unit_ids(user)),
        "public_url": reverse("service:community_public", args=[(community or communities[0]).pk])
        if community or communities else "",
    }, status=status)


@signed_in
@require_GET
def pledge_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    return _render_pledges(request)


@signed_in
@require_POST
def pledge_new(request: HttpRequest) -> HttpResponse:
    member = permissions.own_member(request.user)
    communities = member_communities(request.user)
    if member is None or not communities:
        raise PermissionDenied(_("A party member makes their own pledges."))
    form = _pledge_form(request, communities, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_create_pledge(acting_user=request.user, party_member=member, community=d["community"],  # type: ignore[arg-type]
                                     year=d["year"], text=d["text"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your pledge was added. It is shown on the community's public page."))
            return redirect("service:pledges")
    return _render_pledges(request, form, status=400)


def _pledge(request: HttpRequest, pk: int, action: str) -> Pledge:
    pledge = permissions.get_pledge_for_user(request.user, pk)
    messages_for = {"edit": _("Only the member edits an open pledge."),
                    "assess": _("Only the community's workers may assess.")}
    permissions.require(request.user, action, pledge, messages_for[action])
    return pledge


@signed_in
@require_http_methods(["GET", "POST"])
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge(request, pk, "edit")
    form = PledgeEditForm(request.POST if request.method == "POST" else None, initial={"text": pledge.text})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_pledge(pledge, acting_user=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Your pledge was saved."))
            return redirect("service:pledges")
    return render(request, "service/pledge_form.html", {"form": form, "pledge": pledge, "assess": False},
                  status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def pledge_assess(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge(request, pk, "assess")
    initial = {"status": pledge.status if pledge.status != Pledge.Status.OPEN else "", "evidence": pledge.evidence}
    form = AssessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_assess_pledge(pledge, acting_user=request.user, status=form.cleaned_data["status"],  # type: ignore[arg-type]
                                     evidence=form.cleaned_data["evidence"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The pledge was assessed."))
            url = reverse("service:pledges") + f"?community={pledge.community_id}&year={pledge.year}"
            return redirect(url)
    return render(request, "service/pledge_form.html", {"form": form, "pledge": pledge, "assess": True},
                  status=400 if form.errors else 200)


# --- star ratings (星级管理) -------------------------------------------------------------------------------------


def breakdown_rows(rating: StarRating | stars.Result, rule: Any = None) -> list[dict[str, Any]]:
    """The breakdown as rows for a table: the measure, its value (with its unit) and its points."""
    data = rating.breakdown or {}
    rows = []
    for key in stars.MEASURES:
        item = data.get(key) or {}
        value = item.get("value")
        if key == "hours":
            shown = _("%(n)s hours") % {"n": value or "0"}
        elif key == "party_days":
            shown = _("%(n)s times") % {"n": value or 0}
        elif key == "pledges_kept":
            shown = _("%(n)s pledges") % {"n": value or "0"}
        elif key == "posts":
            shown = _("%(n)s posts") % {"n": value or 0}
        elif value is None:
            shown = _("No feedback yet")
        else:
            shown = _("%(avg)s on average (%(n)s answers)") % {"avg": value, "n": item.get("answers", 0)}
        rows.append({"key": key, "label": MEASURE_LABELS[key], "value": shown, "points": item.get("points", "0")})
    return rows


def _my_ratings(request: HttpRequest) -> list[dict[str, Any]]:
    """The member's ratings (this year's computed now when the worker has not yet), with their breakdown."""
    member = permissions.own_member(request.user)
    if member is None:
        return []
    year = timezone.localdate().year
    ratings = list(StarRating.objects.filter(party_member=member).select_related("community")
                   .order_by("-year", "community__name")[:20])
    out = [{"rating": r, "rows": breakdown_rows(r), "stars": r.stars, "preview": False} for r in ratings]
    have = {r.community_id for r in ratings if r.year == year}
    for community in member_communities(request.user):
        if community.pk in have:
            continue
        rule = stars.rule_for(community)
        res = stars.compute(community, year, rule, members=[member])[0]
        out.insert(0, {"rating": {"year": year, "community": community, "points": res.points,
                                  "computed_stars": res.stars, "adjusted_stars": None},
                       "rows": breakdown_rows(res), "stars": res.stars, "preview": True})
    return out


def _chart(counts: list[int]) -> dict[str, Any]:
    return {"names": [_("%(n)d stars") % {"n": n} for n in range(1, 6)], "counts": counts,
            "label": _("Members")}


@signed_in
@require_GET
def star_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    user = request.user
    year = _year(request)
    staff = staff_communities(user).order_by("path")
    community = _pick(request, staff) if staff.exists() else None
    ratings: list[StarRating] = []
    counts: list[int] = []
    rule = None
    member = permissions.own_member(user)
    visible = permissions.visible_to(user, StarRating).select_related("party_member", "community")
    if community is not None:
        ratings = list(visible.filter(community=community, year=year).order_by("party_member__name")[:500])
        counts = stars.distribution(community, year)
        rule = stars.rule_for(community)
    elif permissions.liaison_unit_ids(user):
        ratings = list(visible.filter(year=year).exclude(party_member=member).order_by(
            "community__name", "party_member__name")[:500])
    return render(request, "service/star_list.html", {
        "mine": _my_ratings(request), "is_member": member is not None, "community": community,
        "communities": list(staff[:200]), "year": year, "years": [y for y in _years() if y <= timezone.localdate().year],
        "ratings": ratings, "counts": counts, "distribution": list(zip(range(1, 6), counts, strict=False)),
        "chart": _chart(counts) if counts else None, "rule": rule,
        "can_manage": community is not None and permissions.area_policy.can(user, "manage_service", community),
        "show_liaison": community is None and bool(permissions.liaison_unit_ids(user)),
    })


def _render_rating(request: HttpRequest, rating: StarRating, form: AdjustForm | None = None,
                   status: int = 200) -> HttpResponse:
    can_adjust = permissions.can(request.user, "adjust", rating)
    if can_adjust and form is None:
        form = AdjustForm(initial={"stars": rating.adjusted_stars, "reason": rating.adjust_reason})
    return render(request, "service/star_detail.html", {
        "rating": rating, "rows": breakdown_rows(rating), "can_adjust": can_adjust, "form": form,
        "adjusted_by": rating.adjusted_by,
    }, status=status)


@signed_in
@require_GET
def star_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_rating(request, permissions.get_star_rating_for_user(request.user, pk))


@signed_in
@require_POST
def star_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    rating = permissions.get_star_rating_for_user(request.user, pk)
    permissions.require(request.user, "adjust", rating, _("Only the community's workers may adjust stars."))
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            actions.do_adjust_star_rating(rating, acting_user=request.user,  # type: ignore[arg-type]
                                          stars_given=form.cleaned_data["stars"], reason=form.cleaned_data["reason"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The stars were adjusted."))
            return redirect("service:star", pk=rating.pk)
    return _render_rating(request, rating, form, status=400)


def _managed(request: HttpRequest) -> Area:
    managed = managed_communities(request.user)
    if not managed.exists():
        raise PermissionDenied(_("Only the community's workers may do this."))
    community = _pick(request, managed)
    assert community is not None
    return community


@signed_in
@require_http_methods(["GET", "POST"])
def star_rule(request: HttpRequest) -> HttpResponse:
    community = _managed(request)
    rule = stars.rule_for(community)
    initial = {name: getattr(rule, name) for name in actions.RULE_FIELDS}
    form = StarRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_star_rule(community, acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The star rules were saved. Recompute the stars to apply them now."))
            return redirect(reverse("service:stars") + f"?community={community.pk}")
    return render(request, "service/star_rule.html", {"form": form, "community": community, "rule": rule},
                  status=400 if form.errors else 200)


@signed_in
@require_POST
def star_recompute(request: HttpRequest) -> HttpResponse:
    community = _managed(request)
    year = _year(request)
    try:
        count = actions.do_recompute_star_ratings(community, acting_user=request.user, year=year)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The stars of %(n)d members were recomputed.") % {"n": count})
    return redirect(reverse("service:stars") + f"?community={community.pk}&year={year}")


# --- the community's public page (no login) ---------------------------------------------------------------------


def public_pledges(community: Area, year: int) -> list[dict[str, Any]]:
    """The pledges of the year at the community, grouped by member: name, posts held, pledges (text, status)."""
    pledges = list(Pledge.objects.filter(community=community, year=year).select_related("party_member")
                   .order_by("party_member__name", "party_member_id", "id"))
    posts = _posts_by_member({community.pk}, {p.party_member_id for p in pledges})
    groups: dict[int, dict[str, Any]] = {}
    for p in pledges:
        group = groups.setdefault(p.party_member_id, {
            "name": p.party_member.name, "posts": posts.get((p.party_member_id, community.pk), []), "pledges": []})
        group["pledges"].append({"text": notice.public_text(p.text), "status": p.status,
                                 "status_label": p.get_status_display()})
    return list(groups.values())


@require_GET
def community_public(request: HttpRequest, community_id: int) -> HttpResponse:
    community = notice.get_community(community_id)
    if community is None:
        raise Http404(_("No such community."))
    year = timezone.localdate().year
    shown = _year(request, year)
    shown = shown if year - 3 <= shown <= year else year
    counts = stars.distribution(community, shown)
    posts = posts_with_holders(community, active_only=True)
    return render(request, "service/community_public.html", {
        "community": community, "year": shown, "years": list(range(year, year - 4, -1)),
        "posts": posts, "members": public_pledges(community, shown), "counts": counts,
        "distribution": list(zip(range(1, 6), counts, strict=False)),
        "chart": _chart(counts) if any(counts) else None,
        "notice_url": reverse("lists:public_community", args=[community.pk]),
    })
