"""The issue's first browser test, across the campaigns, evidence and results parts (Debian's Chromium): the
subdistrict sets a campaign up on a desktop; the community's party secretary (its community worker) and two resident
representatives rate the member unit on a phone, each seeing its evidence first (a project it finished, a resolution
it missed); the subdistrict closes the rating and the result appears with its breakdown (the residents' group, with
two ratings, is shown without an aggregate and not counted); the unit's liaison objects during the notice period on
a phone and the subdistrict answers; after the notice the result is final and the Word report downloads.
Screenshots go to GONGZHI_SHOTS_DIR."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Role
from gongzhi.evaluation.models import Campaign, Objection, Ratee, Rating
from gongzhi.test import PHONE, SHOTS, make_user, signed_in

from .test_evidence_records import build_scene

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def shot(page: Any, name: str, *, phone: bool = True) -> None:
    if phone:
        assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"evaluation-flow-{name}.png"), full_page=True)


def test_a_campaign_from_set_up_to_the_final_report(browser: Any, live_server: Any, cast: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    scene = build_scene(cast)
    second_rep = make_user("rep_two", "居民代表老周")
    core_actions.do_grant_role(second_rep, role=Role.RESIDENT, area=cast.community_a, acting_user=None)
    unit_name = cast.member_unit.name

    # 1. The subdistrict sets the campaign up: the period of the record, the community's party organization 60%,
    #    the resident representatives 40%.
    staff = signed_in(browser, live_server, cast.subdistrict_staff_a)
    staff.on("dialog", lambda dialog: dialog.accept())
    staff.goto(f"{live_server.url}/evaluation/campaigns/new/")
    form = staff.locator("[data-testid=campaign-form]")
    form.locator("input[name=title]").fill("和平街道成员单位双向评议")
    form.locator("input[name=period_start]").fill(f"{scene.start:%Y-%m-%d}")
    form.locator("input[name=period_end]").fill(f"{scene.end:%Y-%m-%d}")
    form.locator("input[name=deadline]").fill(f"{timezone.localtime() + timedelta(days=7):%Y-%m-%dT%H:%M}")
    for kind, weight in (("subdistrict", ""), ("community", "60"), ("estate", ""), ("residents", "40"),
                         ("units", "")):
        form.locator(f"input[name=weight_{kind}]").fill(weight)
    staff.click("[data-testid=save-campaign]")
    staff.wait_for_selector("[data-testid=campaign-setup], .errorlist")
    assert staff.locator(".errorlist").count() == 0, staff.locator(".errorlist").all_inner_texts()
    campaign = Campaign.objects.get(title="和平街道成员单位双向评议")
    unit_ratee = Ratee.objects.get(campaign=campaign, kind=Ratee.Kind.UNIT, unit=cast.member_unit)

    # The raters: the community's worker (suggested by role), two resident representatives picked by account.
    staff.click("[data-testid=raters-link]")
    staff.click("[data-testid=suggest-community]")
    staff.wait_for_selector("[data-testid=raters-community] [data-testid=rater-row]")
    for username in ("resident_user", "rep_two"):
        rater_form = staff.locator("[data-testid=rater-form]")
        rater_form.locator("select[name=kind]").select_option("residents")
        rater_form.locator("input[name=username]").fill(username)
        rater_form.locator("select[name=community]").select_option(str(cast.community_a.pk))
        staff.click("[data-testid=add-rater-submit]")
        staff.wait_for_selector(f"[data-testid=raters-residents] [data-testid=rater-row]:has-text('{username}')")
    shot(staff, "1-raters", phone=False)
    staff.goto(f"{live_server.url}/evaluation/campaigns/{campaign.pk}/")
    staff.click("[data-testid=open]")
    staff.wait_for_selector("[data-testid=campaign-status]:has-text('评议中')")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN

    # 2. Three raters on their phones, each seeing the evidence before choosing.
    for user, grade, name in ((cast.worker_a, "qualified", "2-secretary"), (cast.resident_user, "excellent",
                                                                             "3-resident"),
                              (second_rep, "qualified", "4-second-resident")):
        rater = signed_in(browser, live_server, user, **PHONE)
        rater.goto(f"{live_server.url}/evaluation/rating/")
        rater.click(f"[data-testid=task-ratee] a[href$='/rating/{unit_ratee.pk}/']")
        rater.wait_for_selector("[data-testid=evidence]")
        projects = rater.locator("[data-testid=evidence-projects]")
        assert "完成 1 个" in projects.inner_text()
        assert "已完成：楼道照明改造" in projects.inner_text()
        resolutions = rater.locator("[data-testid=evidence-resolutions]")
        assert "逾期 1 项" in resolutions.inner_text()
        assert "逾期：清理楼道堆物" in resolutions.inner_text()
        # The evidence comes before the choice.
        evidence_top = rater.locator("[data-testid=evidence]").bounding_box()["y"]
        assert evidence_top < rater.locator("[data-testid=rating-form]").bounding_box()["y"]
        rater.click(f"[data-testid=grade-{grade}]")
        rater.click("[data-testid=save-rating]")
        rater.wait_for_load_state()
        shot(rater, name)
        rater.context.close()
    assert Rating.objects.filter(ratee=unit_ratee).count() == 3

    # 3. The subdistrict closes the rating: the result and its breakdown appear.
    staff.goto(f"{live_server.url}/evaluation/campaigns/{campaign.pk}/results/")
    staff.click("[data-testid=close-rating]")
    staff.wait_for_selector("[data-testid=ranking-row]")
    unit_ratee.refresh_from_db()
    # Only the community's group counts (the residents' two ratings are fewer than three): 合格, 80 points.
    assert (unit_ratee.outcome, float(unit_ratee.score or 0)) == ("qualified", 80.0)
    staff.goto(f"{live_server.url}/evaluation/ratees/{unit_ratee.pk}/result/")
    breakdown = staff.locator("[data-testid=breakdown]")
    assert "80" in breakdown.locator("[data-testid=group-community]").inner_text()
    assert "不足" in breakdown.locator("[data-testid=group-residents]").inner_text()
    shot(staff, "5-result", phone=False)

    # 4. The unit's liaison sees its result during the notice and objects, on a phone.
    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.goto(f"{live_server.url}/evaluation/ratees/{unit_ratee.pk}/result/")
    assert "合格" in liaison.locator("[data-testid=result]").inner_text()
    residents_row = liaison.locator("[data-testid=breakdown] [data-testid=group-residents]").inner_text()
    assert "优秀" not in residents_row  # no individual resident rating is ever shown to the ratee
    assert liaison.locator("[data-testid=individual]").count() == 0
    liaison.locator("[data-testid=object-form] textarea[name=reason]").fill(
        "小区绿化提升项目的节点延误是因为苗木供应，已与社区沟通，请考虑。")
    liaison.click("[data-testid=object-submit]")
    liaison.wait_for_selector("[data-testid=objection]")
    shot(liaison, "6-objection")
    objection = Objection.objects.get(ratee=unit_ratee)

    # 5. The subdistrict answers the objection.
    staff.goto(f"{live_server.url}/evaluation/campaigns/{campaign.pk}/objections/")
    answer = staff.locator("[data-testid=answer-form]")
    answer.locator("input[name$=decision][value=dismiss]").check()
    answer.locator("textarea[name$=answer]").fill("延误属实，但项目节点未报备，维持合格。")
    staff.click("[data-testid=answer-submit]")
    staff.wait_for_selector("[data-testid=objection-answer]")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    liaison.reload()
    assert "维持合格" in liaison.locator("[data-testid=objection-answer]").inner_text()

    # 6. The notice period has passed: the result becomes final and the Word report downloads.
    Campaign.objects.filter(pk=campaign.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    staff.goto(f"{live_server.url}/evaluation/campaigns/{campaign.pk}/results/")
    staff.click("[data-testid=finalize]")
    staff.wait_for_selector("[data-testid=results-docx]")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.FINAL
    with staff.expect_download() as download:
        staff.click("[data-testid=results-docx]")
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as fh:
        document = Document(io.BytesIO(fh.read()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert unit_name in text and "和平街道成员单位双向评议" in text
    shot(staff, "7-final", phone=False)
