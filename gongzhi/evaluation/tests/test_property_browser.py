"""On phones in Debian's Chromium: a community worker inspects an estate (a score and remark per item, a photo),
computes the quarter's grade, sees it fall below the threshold and issues a rectification notice; the property
company's liaison replies on their phone; the worker closes the notice. Screenshots go to GONGZHI_SHOTS_DIR."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from gongzhi.evaluation.models import Inspection, PropertyGrade, RectificationNotice
from gongzhi.test import PHONE, SHOTS, signed_in

from .test_property_scene import contract

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = "document.documentElement.scrollWidth"


def test_an_inspection_a_low_grade_and_a_rectification_on_phones(browser: Any, live_server: Any, cast: Any,
                                                                  tmp_path: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    c = contract(cast)
    photo = tmp_path / "楼道.jpg"
    Image.new("RGB", (800, 600), (180, 170, 150)).save(photo, format="JPEG")

    worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
    worker.goto(f"{live_server.url}/evaluation/property/estates/{cast.estate_a.pk}/")
    assert worker.evaluate(WIDTH) <= 390
    worker.click("[data-testid=inspect]")
    worker.wait_for_selector("[data-testid=inspection-form]")
    items = list(c.items.order_by("order", "id"))
    for i, item in enumerate(items):
        worker.fill(f"#score_{item.pk}", str(item.points - 7 if i < 4 else item.points - 4))
        worker.fill(f"#remark_{item.pk}", "楼道堆物未清理" if i == 0 else "未达到合同标准")
    worker.set_input_files("[data-testid=photos]", str(photo))
    assert worker.evaluate(WIDTH) <= 390
    worker.screenshot(path=str(SHOTS / "evaluation-property-inspect-phone.png"), full_page=True)
    worker.click("[data-testid=save-inspection]")
    worker.wait_for_selector("[data-testid=inspection-row]")
    inspection = Inspection.objects.get()
    assert inspection.score == 64 and inspection.photos.count() == 1

    worker.click("[data-testid=compute-grade]")
    worker.wait_for_selector("[data-testid=below-threshold]")
    assert worker.locator("[data-testid=grade-score]").inner_text() == "64.00"
    assert worker.locator("[data-testid=grade-level]").inner_text() == "合格"
    assert worker.evaluate(WIDTH) <= 390
    worker.screenshot(path=str(SHOTS / "evaluation-property-grade-phone.png"), full_page=True)
    grade = PropertyGrade.objects.get()
    # The weak items are offered; the worker writes what must be fixed.
    first = worker.locator("[data-testid=notice-item] input[name=notice_requirement]").first
    first.fill("楼道每日清扫两次，三日内清理堆物")
    worker.click("[data-testid=issue-notice]")
    worker.wait_for_selector("[data-testid=notice-items]")
    notice = RectificationNotice.objects.get()
    assert notice.grade == grade and notice.items[0]["requirement"] == "楼道每日清扫两次，三日内清理堆物"

    company = signed_in(browser, live_server, cast.liaison, **PHONE)
    company.goto(f"{live_server.url}/evaluation/property/notices/")
    company.click("[data-testid=notice-row] a")
    company.fill("#id_reply", "已增派两名保洁员，楼道每日清扫两次，堆物已全部清理。")
    assert company.evaluate(WIDTH) <= 390
    company.screenshot(path=str(SHOTS / "evaluation-property-reply-phone.png"), full_page=True)
    company.click("[data-testid=send-reply]")
    company.wait_for_selector("[data-testid=reply]")
    notice.refresh_from_db()
    assert notice.status == "replied"

    worker.goto(f"{live_server.url}/evaluation/property/notices/{notice.pk}/")
    worker.fill("#id_note", "复查合格，予以销号")
    worker.click("[data-testid=close-notice]")
    worker.wait_for_selector("[data-testid=closing-note]")
    assert "已销号" in worker.locator("[data-testid=notice-status]").first.inner_text()
    worker.screenshot(path=str(SHOTS / "evaluation-property-closed-phone.png"), full_page=True)
    notice.refresh_from_db()
    assert notice.status == "closed" and notice.closed_by == cast.worker_a
    assert io  # (Pillow writes the photo to disk above)


def test_the_ranking_and_the_coverage_rates_on_a_phone(browser: Any, live_server: Any, cast: Any) -> None:
    from .test_coverage import scene
    from .test_property_scene import grade

    SHOTS.mkdir(parents=True, exist_ok=True)
    scene(cast)
    a = cast.estate_a.property_contracts.get()
    b = cast.estate_b.property_contracts.get()
    grade(cast, a, off=1)
    grade(cast, b, off=8)
    page = signed_in(browser, live_server, cast.city_admin, **PHONE)
    page.goto(f"{live_server.url}/evaluation/property/ranking/")
    assert page.locator("[data-testid=rank-row]").count() == 2
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "evaluation-property-ranking-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/evaluation/coverage/{cast.district.pk}/")
    assert "50.0%" in page.locator("[data-testid=figure-committee]").inner_text()
    assert page.locator("[data-testid=child-row]").count() == 2
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "evaluation-coverage-district-phone.png"), full_page=True)
    page.click("[data-testid=missing-service]")
    page.wait_for_selector("[data-testid=estate-row]")
    assert page.locator("[data-testid=estate-row]").count() == 2
    page.screenshot(path=str(SHOTS / "evaluation-coverage-missing-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/evaluation/property/estates/{cast.estate_a.pk}/")
    assert page.locator("[data-testid=estate-coverage]").count() == 1
    assert page.evaluate(WIDTH) <= 390
    page.screenshot(path=str(SHOTS / "evaluation-property-estate-phone.png"), full_page=True)
