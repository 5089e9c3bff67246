"""The results round in Debian's Chromium: the organizer closes the rating; the member unit's liaison, on a phone
(390×844), sees its result with the breakdown and objects; the organizer answers (upheld, 合格 → 优秀); once the
notice has ended the organizer makes the results final and downloads the Word report. Screenshots go to
GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from gongzhi.evaluation.models import Campaign, Grade, Objection

from .results_scene import end_notice, make_scene, rate_all, refreshed

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def shot(page: Any, name: str, *, phone: bool = False) -> None:
    from gongzhi.test import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    if phone:
        assert page.evaluate(WIDTH) <= 390, name
    page.screenshot(path=str(SHOTS / f"evaluation-results-{name}.png"), full_page=True)


def test_close_object_answer_finalize_and_download(browser: Any, live_server: Any, cast: Any) -> None:
    from gongzhi.test import PHONE, signed_in

    scene = make_scene(cast)
    rate_all(scene)
    base = live_server.url

    # 1. The organizer closes the rating.
    organizer = signed_in(browser, live_server, scene.organizer)
    organizer.on("dialog", lambda dialog: dialog.accept())
    organizer.goto(f"{base}/evaluation/campaigns/{scene.campaign.pk}/results/")
    organizer.click("[data-testid=close-rating]")
    organizer.wait_for_selector("[data-testid=ranking-unit]")
    assert "公示" in organizer.locator("[data-testid=campaign-status]").inner_text()
    shot(organizer, "1-closed")
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.NOTICE

    # 2. The liaison on a phone sees its unit's result and objects.
    liaison = signed_in(browser, live_server, cast.liaison, **PHONE)
    liaison.goto(f"{base}/evaluation/ratees/{scene.unit.pk}/result/")
    assert liaison.locator("[data-testid=outcome]").first.inner_text().strip() == "合格"
    assert liaison.locator("[data-testid=score]").inner_text().strip() == "85.00"
    assert liaison.locator("[data-testid=group-residents]").count() == 1
    assert liaison.locator("[data-testid=individual]").count() == 0
    liaison.fill("[data-testid=object-form] textarea[name=reason]", "我单位全年完成认领项目3个，社区评议未予体现")
    liaison.click("[data-testid=object-submit]")
    liaison.wait_for_selector("[data-testid=objection]")
    assert liaison.locator("[data-testid=object-form]").count() == 0
    shot(liaison, "2-objected", phone=True)
    objection = Objection.objects.get(ratee=scene.unit)

    # The organizer's pages fit a phone too (the ranking and the answer form).
    phone = signed_in(browser, live_server, scene.organizer, **PHONE)
    phone.goto(f"{base}/evaluation/campaigns/{scene.campaign.pk}/results/")
    shot(phone, "2b-organizer-phone", phone=True)
    phone.goto(f"{base}/evaluation/campaigns/{scene.campaign.pk}/objections/")
    assert phone.locator("[data-testid=answer-form]").count() == 1
    shot(phone, "2c-answer-form-phone", phone=True)

    # 3. The organizer answers: upheld, the outcome becomes 优秀.
    organizer.goto(f"{base}/evaluation/campaigns/{scene.campaign.pk}/objections/")
    form = organizer.locator("[data-testid=answer-form]")
    form.locator(f"input[name=o{objection.pk}-decision][value=uphold]").check()
    form.locator("textarea").fill("经核实，该单位完成认领项目3个，调整为优秀")
    form.locator("select").select_option(Grade.EXCELLENT)
    organizer.click("[data-testid=answer-submit]")
    organizer.wait_for_selector("[data-testid=objection-answer]")
    shot(organizer, "3-answered")
    assert refreshed(scene.unit).outcome == Grade.EXCELLENT

    # The liaison sees the answer and the new outcome.
    liaison.reload()
    assert "经核实" in liaison.locator("[data-testid=objection-answer]").inner_text()
    assert liaison.locator("[data-testid=outcome]").first.inner_text().strip() == "优秀"
    shot(liaison, "4-answer-seen", phone=True)

    # 4. After the notice the organizer makes the results final and downloads the Word report.
    end_notice(scene.campaign)
    organizer.goto(f"{base}/evaluation/campaigns/{scene.campaign.pk}/results/")
    organizer.click("[data-testid=finalize]")
    organizer.wait_for_selector("[data-testid=results-docx]")
    shot(organizer, "5-final")
    with organizer.expect_download() as download:
        organizer.click("[data-testid=results-docx]")
    path = download.value.path()
    with open(path, "rb") as f:
        doc = Document(io.BytesIO(f.read()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert scene.unit.name in cells and "经核实，该单位完成认领项目3个，调整为优秀" in cells
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.FINAL
