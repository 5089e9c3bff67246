"""The evidence where raters see it: a resident representative opens the rating page of 和平物业 and reads its record
over the campaign's period (a project it finished, a resolution it missed), on a phone; the finished project's link
opens its public page, which a resident may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.evaluation.models import Campaign, Ratee, Rater, RaterGroup
from gongzhi.test import PHONE, Cast, signed_in

from .test_evidence_records import Scene, build_scene

pytestmark = pytest.mark.django_db


def _rating_scene(cast: Cast) -> tuple[Scene, Ratee]:
    scene = build_scene(cast)
    campaign = Campaign.objects.create(title="年度双向评估", area=cast.subdistrict_a, period_start=scene.start,
                                       period_end=scene.end, deadline=timezone.now() + timedelta(days=7),
                                       status=Campaign.Status.OPEN, opened_at=timezone.now())
    group = RaterGroup.objects.create(campaign=campaign, kind=RaterGroup.Kind.RESIDENTS, weight=100)
    Rater.objects.create(campaign=campaign, group=group, user=cast.resident_user, community=cast.community_a)
    ratee = Ratee.objects.create(campaign=campaign, kind=Ratee.Kind.UNIT, community=cast.community_a,
                                 unit=scene.unit, name=scene.unit.name)
    return scene, ratee


def test_a_resident_representative_reads_the_evidence_before_rating(client: Any, cast: Cast) -> None:
    scene, ratee = _rating_scene(cast)
    client.force_login(cast.resident_user)
    page = client.get(reverse("evaluation:rate", args=[ratee.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index('data-testid="evidence"') < body.index('data-testid="rating-form"')
    assert "认领 2 个，完成 1 个，逾期 1 个" in body
    assert "已完成：楼道照明改造" in body
    assert "逾期：清理楼道堆物" in body
    public = reverse("lists:public_project", args=[cast.community_a.pk, scene.records["finished"].pk])
    assert f'href="{public}"' in body
    assert client.get(public).status_code == 200


def test_the_evidence_reads_on_a_phone(browser: Any, live_server: Any, cast: Cast) -> None:
    scene, ratee = _rating_scene(cast)
    page = signed_in(browser, live_server, cast.resident_user, **PHONE)
    page.goto(live_server.url + reverse("evaluation:rate", args=[ratee.pk]))
    evidence = page.get_by_test_id("evidence")
    assert "认领 2 个，完成 1 个，逾期 1 个" in evidence.inner_text()
    assert page.get_by_test_id("evidence-projects").get_attribute("data-tone") == "bad"
    assert page.get_by_test_id("evidence-service").get_attribute("data-tone") == "good"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="已完成：楼道照明改造").click()
    page.wait_for_load_state()
    assert "楼道照明改造" in page.content()
    assert page.url.endswith(reverse("lists:public_project", args=[cast.community_a.pk,
                                                                  scene.records["finished"].pk]))
