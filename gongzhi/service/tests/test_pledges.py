"""Pledges (服务承诺): a member pledges for the year at their community and edits the pledge while open; the
community assesses it (kept, partly, not kept: evidence required unless kept); the pages (the member's own, the
staff's by year and status), 404 for another community, 403 for a role that may only look, bad input changes
nothing; the community's public page (no login, only names)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import Pledge
from gongzhi.test import Cast

from .test_stars_scene import pledge, post, registered_member, year_term

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_a_member_pledges_at_their_community_for_this_year(cast: Cast) -> None:
    p = actions.do_create_pledge(acting_user=cast.party_member_user, party_member=cast.party_member_a,
                                 community=cast.community_a, year=YEAR, text="每月走访独居老人")
    assert p.status == Pledge.Status.OPEN
    assert AuditEvent.objects.get(verb="service.pledge.create").actor == cast.party_member_user
    with pytest.raises(ActionError):  # not where they live or are registered
        actions.do_create_pledge(acting_user=cast.party_member_user, party_member=cast.party_member_a,
                                 community=cast.community_b, year=YEAR, text="x")
    with pytest.raises(ActionError):
        actions.do_create_pledge(acting_user=cast.party_member_user, party_member=cast.party_member_a,
                                 community=cast.community_a, year=YEAR - 1, text="x")
    with pytest.raises(PermissionDenied):  # someone else's record
        actions.do_create_pledge(acting_user=cast.worker_a, party_member=cast.party_member_a,
                                 community=cast.community_a, year=YEAR, text="x")
    with pytest.raises(ActionError):
        actions.do_create_pledge(acting_user=cast.party_member_user, party_member=cast.party_member_a,
                                 community=cast.community_a, year=YEAR, text="   ")
    assert Pledge.objects.count() == 1


def test_a_registered_member_pledges_where_they_registered(cast: Cast) -> None:
    member = registered_member(cast)
    p = actions.do_create_pledge(acting_user=member.user, party_member=member, community=cast.community_a,
                                 year=YEAR, text="带头垃圾分类")
    assert p.community == cast.community_a


def test_the_member_edits_while_open(cast: Cast) -> None:
    p = pledge(cast)
    actions.do_update_pledge(p, acting_user=cast.party_member_user, text="每月走访两次")
    with pytest.raises(PermissionDenied):
        actions.do_update_pledge(p, acting_user=cast.worker_a, text="改")
    actions.do_assess_pledge(p, acting_user=cast.worker_a, status=Pledge.Status.KEPT)
    with pytest.raises(InvalidTransition):
        actions.do_update_pledge(p, acting_user=cast.party_member_user, text="再改")
    p.refresh_from_db()
    assert p.text == "每月走访两次"


def test_the_assessment_needs_evidence_unless_kept(cast: Cast) -> None:
    p = pledge(cast)
    for status in (Pledge.Status.PARTLY, Pledge.Status.NOT_KEPT):
        with pytest.raises(ActionError) as err:
            actions.do_assess_pledge(p, acting_user=cast.worker_a, status=status, evidence="  ")
        assert err.value.field == "evidence" and "佐证" in err.value.message
    with pytest.raises(ActionError):
        actions.do_assess_pledge(p, acting_user=cast.worker_a, status=Pledge.Status.OPEN)
    with pytest.raises(PermissionDenied):
        actions.do_assess_pledge(p, acting_user=cast.worker_b, status=Pledge.Status.KEPT)
    with pytest.raises(PermissionDenied):
        actions.do_assess_pledge(p, acting_user=cast.party_member_user, status=Pledge.Status.KEPT)
    with pytest.raises(PermissionDenied):
        actions.do_assess_pledge(p, acting_user=cast.grid_worker_a, status=Pledge.Status.KEPT)
    p.refresh_from_db()
    assert p.status == Pledge.Status.OPEN and not AuditEvent.objects.filter(verb="service.pledge.assess").exists()
    actions.do_assess_pledge(p, acting_user=cast.worker_a, status=Pledge.Status.PARTLY, evidence="上半年做到")
    actions.do_assess_pledge(p, acting_user=cast.worker_a, status=Pledge.Status.KEPT)  # corrected
    p.refresh_from_db()
    assert (p.status, p.assessed_by) == (Pledge.Status.KEPT, cast.worker_a)
    events = list(AuditEvent.objects.filter(verb="service.pledge.assess").order_by("pk"))
    assert [(e.after or {})["status"] for e in events] == ["partly", "kept"] and (events[1].before or {})["status"] == "partly"


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_member_pledges_through_the_page(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.party_member_user)
    page = client.get(reverse("service:pledges"))
    assert page.status_code == 200 and 'data-testid="pledge-form"' in page.content.decode()
    response = client.post(reverse("service:pledge_new"), {"community": cast.community_a.pk, "year": YEAR,
                                                           "text": "每季度参加主题党日"})
    assert response.status_code == 302
    p = Pledge.objects.get()
    page = client.get(reverse("service:pledges")).content.decode()
    assert "每季度参加主题党日" in page and reverse("service:pledge_edit", args=[p.pk]) in page
    response = client.post(reverse("service:pledge_edit", args=[p.pk]), {"text": "每季度参加两次主题党日"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.text == "每季度参加两次主题党日"


def test_bad_input_changes_nothing(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.party_member_user)
    response = client.post(reverse("service:pledge_new"), {"community": cast.community_b.pk, "year": YEAR,
                                                           "text": "x"})
    assert response.status_code == 400
    response = client.post(reverse("service:pledge_new"), {"community": cast.community_a.pk, "year": YEAR,
                                                           "text": ""})
    assert response.status_code == 400 and not Pledge.objects.exists()
    p = pledge(cast)
    client.force_login(cast.worker_a)
    response = client.post(reverse("service:pledge_assess", args=[p.pk]), {"status": "not_kept", "evidence": ""})
    assert response.status_code == 400 and "佐证" in response.content.decode()
    response = client.post(reverse("service:pledge_assess", args=[p.pk]), {"status": "great"})
    assert response.status_code == 400
    p.refresh_from_db()
    assert p.status == Pledge.Status.OPEN


def test_staff_see_the_community_pledges_and_assess(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = pledge(cast, text="结对帮扶一户困难家庭")
    pledge(cast, member=registered_member(cast), text="周末辅导儿童课业")
    year_term(cast, post(cast, name="楼栋长"), cast.party_member_a)
    client.force_login(cast.worker_a)
    page = client.get(reverse("service:pledges") + f"?year={YEAR}").content.decode()
    assert page.count('data-testid="pledge-row"') == 2 and "楼栋长" in page
    page = client.get(reverse("service:pledges") + f"?year={YEAR}&status=kept").content.decode()
    assert 'data-testid="pledge-row"' not in page
    response = client.post(reverse("service:pledge_assess", args=[p.pk]), {"status": "kept", "evidence": ""})
    assert response.status_code == 302
    page = client.get(reverse("service:pledges") + f"?year={YEAR}&status=kept").content.decode()
    assert page.count('data-testid="pledge-row"') == 1
    client.force_login(cast.worker_b)
    page = client.get(reverse("service:pledges")).content.decode()
    assert "结对帮扶" not in page
    assert client.get(reverse("service:pledges") + f"?community={cast.community_a.pk}").status_code == 404


def test_another_community_is_404_and_a_liaison_may_only_look(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    p = pledge(cast)
    client.force_login(cast.worker_b)
    assert client.get(reverse("service:pledge_assess", args=[p.pk])).status_code == 404
    assert client.post(reverse("service:pledge_assess", args=[p.pk]), {"status": "kept"}).status_code == 404
    client.force_login(cast.liaison)  # 王红 works at the liaison's unit
    page = client.get(reverse("service:pledges")).content.decode()
    assert "每月走访独居老人" in page
    assert client.get(reverse("service:pledge_assess", args=[p.pk])).status_code == 403
    assert client.post(reverse("service:pledge_edit", args=[p.pk]), {"text": "改"}).status_code == 403
    client.force_login(cast.party_member_user)
    assert client.get(reverse("service:pledge_assess", args=[p.pk])).status_code == 403
    p.refresh_from_db()
    assert p.status == Pledge.Status.OPEN and p.text == "每月走访独居老人"


# --- the public page ------------------------------------------------------------------------------------------------


def test_the_public_page_needs_no_login_and_shows_only_names(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    year_term(cast, post(cast, name="文明引导员"), cast.party_member_a)
    p = pledge(cast, text="每月走访独居老人，电话 13912345678")
    actions.do_assess_pledge(p, acting_user=cast.worker_a, status=Pledge.Status.PARTLY,
                             evidence="张桂兰反映只来过一次")
    actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a)
    url = reverse("service:community_public", args=[cast.community_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "王红" in page and "文明引导员" in page and "每月走访独居老人" in page and "部分兑现" in page
    assert 'data-testid="stars-1"' in page
    for private in ("13700137000", "13912345678", "张桂兰反映", cast.party_member_a.phone):
        assert private not in page
    assert "139****5678" in page
    assert client.get(reverse("service:community_public", args=[cast.building_a.pk])).status_code == 404
    assert client.get(reverse("service:community_public", args=[999999])).status_code == 404
    assert client.post(url).status_code == 405


def test_the_pages_take_a_fixed_number_of_queries(client, cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        member = registered_member(cast, username=f"m{n}", name=f"党员{n}")
        year_term(cast, post(cast, name=f"岗位{n}"), member)
        pledge(cast, member=member, text=f"承诺{n}")
        pledge(cast, member=member, text=f"承诺{n}乙")
    actions.do_recompute_star_ratings(cast.community_a, acting_user=None)
    url = reverse("service:community_public", args=[cast.community_a.pk])
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count('data-testid="public-member"') == 5 and page.count('data-testid="public-pledge"') == 10
    client.force_login(cast.worker_a)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("service:pledges")).content.decode()
    assert page.count('data-testid="pledge-row"') == 10
    client.force_login(cast.party_member_user)
    assert reverse("service:community_public", args=[cast.community_a.pk]) in client.get(
        reverse("service:pledges")).content.decode()
