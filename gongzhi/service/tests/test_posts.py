"""Posts and terms (设岗定责): defined by the community's workers, filled by its party members for a term, the seats
respected; leaving early; the pages (a member sees their posts), 404 for another community, 403 for a role that may
only look, bad input changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import Post, PostTerm
from gongzhi.test import Cast

from .test_stars_scene import post, registered_member, year_term

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_a_worker_defines_a_post_down_to_a_building(cast: Cast) -> None:
    p = actions.do_create_post(acting_user=cast.worker_a, community=cast.community_a, name="楼栋长",
                               duties="联系楼栋住户", seats=1, area=cast.building_a)
    assert (p.community, p.area, p.seats) == (cast.community_a, cast.building_a, 1)
    assert (AuditEvent.objects.get(verb="service.post.create").after or {})["name"] == "楼栋长"
    with pytest.raises(ActionError) as err:
        actions.do_create_post(acting_user=cast.worker_a, community=cast.community_a, name="楼栋长",
                               duties="x", area=cast.building_b)
    assert err.value.field == "area"
    with pytest.raises(ActionError):
        actions.do_create_post(acting_user=cast.worker_a, community=cast.community_a, name=" ", duties="x")
    with pytest.raises(ActionError):
        actions.do_create_post(acting_user=cast.worker_a, community=cast.community_a, name="a", duties="x", seats=0)
    for user in (cast.worker_b, cast.grid_worker_a, cast.party_member_user, cast.liaison):
        with pytest.raises(PermissionDenied):
            actions.do_create_post(acting_user=user, community=cast.community_a, name="楼栋长", duties="x")
    assert Post.objects.count() == 1


def test_the_seats_are_respected(cast: Cast) -> None:
    p = post(cast, seats=1)
    other = registered_member(cast)
    year_term(cast, p, cast.party_member_a)
    with pytest.raises(ActionError) as err:
        year_term(cast, p, other)
    assert err.value.field == "party_member" and "1" in err.value.message
    # The seat is free from the day the first member leaves.
    term = PostTerm.objects.get()
    actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR, 6, 30))
    with pytest.raises(ActionError):
        actions.do_assign_post_term(p, acting_user=cast.worker_a, party_member=other, starts_on=date(YEAR, 6, 1),
                                    ends_on=date(YEAR, 12, 31))
    actions.do_assign_post_term(p, acting_user=cast.worker_a, party_member=other, starts_on=date(YEAR, 7, 1),
                                ends_on=date(YEAR, 12, 31))
    assert PostTerm.objects.count() == 2


def test_two_seats_take_two_members_and_not_the_same_one_twice(cast: Cast) -> None:
    p = post(cast, seats=2)
    year_term(cast, p, cast.party_member_a)
    with pytest.raises(ActionError) as err:
        year_term(cast, p, cast.party_member_a)
    assert "王红" in err.value.message
    year_term(cast, p, registered_member(cast))
    assert actions.held_on(p, date(YEAR, 3, 1)) == 2
    with pytest.raises(ActionError):
        actions.do_update_post(p, acting_user=cast.worker_a, seats=1)
    assert Post.objects.get().seats == 2


def test_only_members_of_the_community_hold_its_posts(cast: Cast) -> None:
    from gongzhi.core import actions as core_actions

    p = post(cast)
    stranger = core_actions.do_create_party_member(acting_user=None, home_area=cast.community_b, name="外社区党员")
    with pytest.raises(ActionError):
        year_term(cast, p, stranger)
    with pytest.raises(ActionError):
        actions.do_assign_post_term(p, acting_user=cast.worker_a, party_member=cast.party_member_a,
                                    starts_on=date(YEAR, 5, 1), ends_on=date(YEAR, 4, 1))
    with pytest.raises(PermissionDenied):
        actions.do_assign_post_term(p, acting_user=cast.worker_b, party_member=cast.party_member_a,
                                    starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31))
    actions.do_update_post(p, acting_user=cast.worker_a, active=False)
    with pytest.raises(InvalidTransition):
        year_term(cast, p, cast.party_member_a)
    assert not PostTerm.objects.exists()


def test_leaving_early_sets_the_day_once(cast: Cast) -> None:
    p = post(cast)
    year_term(cast, p, cast.party_member_a)
    term = PostTerm.objects.get()
    with pytest.raises(ActionError):
        actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR - 1, 12, 1))
    with pytest.raises(ActionError):
        actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR, 12, 31))
    actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR, 3, 31))
    with pytest.raises(InvalidTransition):
        actions.do_end_post_term(term, acting_user=cast.worker_a, ended_on=date(YEAR, 4, 30))
    term.refresh_from_db()
    assert term.ended_on == date(YEAR, 3, 31)
    event = AuditEvent.objects.get(verb="service.post.end_term")
    assert (event.before or {})["ended_on"] is None and (event.after or {})["ended_on"] == str(date(YEAR, 3, 31))


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_worker_creates_and_fills_a_post_through_the_pages(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:posts"))
    assert page.status_code == 200 and "新设岗位" in page.content.decode()
    assert client.get(reverse("service:post_new")).status_code == 200
    response = client.post(reverse("service:post_new"), {"community": cast.community_a.pk, "name": "政策宣传员",
                                                        "duties": "宣讲惠民政策", "seats": 2,
                                                        "area": cast.estate_a.pk})
    p = Post.objects.get()
    assert response.status_code == 302 and response.url == reverse("service:post", args=[p.pk])
    assert p.area == cast.estate_a
    response = client.post(reverse("service:post_assign", args=[p.pk]), {
        "party_member": cast.party_member_a.pk, "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31"})
    assert response.status_code == 302
    page = client.get(reverse("service:post", args=[p.pk])).content.decode()
    assert "王红" in page and 'data-testid="end-term"' in page
    term = PostTerm.objects.get()
    today = timezone.localdate()
    if today < date(YEAR, 12, 31):
        response = client.post(reverse("service:term_end", args=[term.pk]), {"ended_on": today.isoformat()})
        assert response.status_code == 302
        term.refresh_from_db()
        assert term.ended_on == today


def test_bad_input_changes_nothing(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    response = client.post(reverse("service:post_new"), {"community": cast.community_a.pk, "name": "",
                                                        "duties": "x", "seats": 1})
    assert response.status_code == 400 and not Post.objects.exists()
    response = client.post(reverse("service:post_new"), {"community": cast.community_a.pk, "name": "楼栋长",
                                                        "duties": "x", "seats": 1, "area": cast.building_b.pk})
    assert response.status_code == 400 and not Post.objects.exists()
    p = post(cast, seats=1)
    year_term(cast, p, cast.party_member_a)
    response = client.post(reverse("service:post_assign", args=[p.pk]), {
        "party_member": registered_member(cast).pk, "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31"})
    assert response.status_code == 400 and "岗位已满" in response.content.decode()
    response = client.post(reverse("service:post_assign", args=[p.pk]), {
        "party_member": cast.party_member_a.pk, "starts_on": "不是日期", "ends_on": f"{YEAR}-12-31"})
    assert response.status_code == 400
    assert PostTerm.objects.count() == 1


def test_another_community_is_404_and_a_member_may_only_look(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = post(cast)
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:post", args=[p.pk])).status_code == 404
    assert client.post(reverse("service:post_assign", args=[p.pk]), {}).status_code == 404
    assert client.get(reverse("service:post_new") + f"?community={cast.community_a.pk}").status_code == 404
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:post", args=[p.pk])).status_code == 200
    assert client.get(reverse("service:post_edit", args=[p.pk])).status_code == 403
    assert client.post(reverse("service:post_assign", args=[p.pk]), {
        "party_member": cast.party_member_a.pk, "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31"}).status_code == 403
    assert client.get(reverse("service:post_new")).status_code == 403
    assert not PostTerm.objects.exists()


def test_a_member_sees_their_posts(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = post(cast, name="矛盾调解员")
    year_term(cast, p, cast.party_member_a)
    client.force_login(cast.party_member_user)
    page = client.get(reverse("service:posts")).content.decode()
    assert 'data-testid="my-term"' in page and "矛盾调解员" in page and "新设岗位" not in page
    client.force_login(cast.resident_user)
    page = client.get(reverse("service:posts")).content.decode()
    assert "矛盾调解员" in page and 'data-testid="my-posts"' not in page


def test_the_post_list_takes_a_fixed_number_of_queries(client, cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        p = post(cast, name=f"岗位{n}", seats=2)
        year_term(cast, p, cast.party_member_a)
    client.force_login(cast.worker_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("service:posts")).status_code == 200
