"""A survey walked through on a phone in Debian's Chromium: the community worker builds and publishes it, two
residents answer it on the public page without an account (their codes come from the memory SMS backend), one
tries a second time and is told so, and the worker turns the option most chose into a demand with their count.
Screenshots go to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists.models import Demand, Survey
from gongzhi.test import PHONE, SHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def resident_answers(browser: Any, url: str, phone: str, care: list[str], first: str) -> Any:
    page = browser.new_context(**PHONE).new_page()
    page.goto(url)
    page.fill("#code-phone", phone)
    page.click("[data-testid=send-code]")
    assert "验证码已发送" in page.locator("[data-testid=code-sent]").inner_text()
    code = re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]
    assert MemorySmsBackend.outbox[-1][0] == phone
    for text in care:
        page.get_by_label(text).check()
    page.locator("select").first.select_option(label=first)
    page.fill("#answer-code", code)
    assert page.locator("#answer-phone").input_value() == phone
    page.click("[data-testid=submit-answers]")
    return page


def test_a_worker_publishes_a_survey_two_residents_answer_and_it_becomes_a_demand(
        browser: Any, live_server: Any, cast: Any) -> None:
    from gongzhi.test import signed_in

    MemorySmsBackend.outbox.clear()
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with override_settings(SMS_BACKEND="memory"):
        page = signed_in(browser, live_server, cast.worker_a, **PHONE)
        page.goto(f"{live_server.url}/lists/demands/")
        page.locator(".tabs").get_by_text("问需调查").click()
        page.click("[data-testid=new-survey]")
        page.fill("#id_title", "和平里社区问需于民")
        page.fill("#id_intro", "请告诉我们您最希望社区先办的事。")
        page.click("[data-testid=survey-form] button[type=submit]")
        assert "问卷已创建" in flash(page)

        form = page.locator("[data-testid=question-form]")
        form.locator("#id_kind").select_option("multiple")
        form.locator("#id_text").fill("您最关心哪些问题")
        form.locator("#id_options").fill("楼道照明\n老年助餐\n停车难")
        form.locator("button[type=submit]").click()
        assert "题目已添加" in flash(page)
        form = page.locator("[data-testid=question-form]")
        form.locator("#id_kind").select_option("priority")
        form.locator("#id_text").fill("社区应先做哪件事")
        form.locator("#id_options").fill("加装电梯\n高层二次供水\n儿童托管")
        form.locator("button[type=submit]").click()
        assert page.locator("[data-testid=question]").count() == 2
        page.click("[data-testid=publish]")
        assert "问卷已发布" in flash(page)
        # The QR code, made by the app: wait for it to load (the page is shown before its image arrives).
        page.wait_for_function("() => { const img = document.querySelector('img.qr'); "
                               "return img && img.complete && img.naturalWidth > 0; }", timeout=15000)
        url = page.locator("[data-testid=public-url]").inner_text()
        page.screenshot(path=str(SHOTS / "survey-published-phone.png"), full_page=True)
        survey = Survey.objects.get()
        assert survey.status == "published" and survey.token in url

        first = resident_answers(browser, url, "13800000001", ["楼道照明", "老年助餐"], "加装电梯")
        assert "感谢您的参与" in first.locator("[data-testid=survey-thanks]").inner_text()
        second = resident_answers(browser, url, "13800000002", ["楼道照明"], "高层二次供水")
        assert second.locator("[data-testid=survey-thanks]").count() == 1
        assert survey.responses.count() == 2
        # The first resident again: refused before a code is sent.
        again = browser.new_context(**PHONE).new_page()
        again.goto(url)
        again.fill("#code-phone", "13800000001")
        again.click("[data-testid=send-code]")
        assert "已经填写过" in again.locator("[data-testid=survey-error]").inner_text()
        again.screenshot(path=str(SHOTS / "survey-answered-twice-phone.png"), full_page=True)
        width = again.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width

        page.click("[data-testid=results-link]")
        assert "2位居民填写" in page.locator("[data-testid=respondents]").inner_text()
        row = page.locator("[data-testid=option-row]").filter(has_text="楼道照明").first
        assert row.locator("[data-testid=option-count]").inner_text() == "2"
        page.wait_for_function("() => document.querySelector('.survey-chart canvas, .survey-chart svg')")
        page.screenshot(path=str(SHOTS / "survey-results-phone.png"), full_page=True)
        row.locator("[data-testid=option-to-demand]").click()
        assert page.locator("#id_beneficiary_count").input_value() == "2"
        page.locator("[data-testid=demand-form] button[type=submit]").click()
        assert "问卷结果已转为需求" in flash(page)
        demand = Demand.objects.get(source="survey")
        assert demand.beneficiary_count == 2 and demand.source_survey == survey and "2位居民" in demand.description
        assert "2位居民填写" in page.locator("[data-testid=demand-source]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "survey-demand-phone.png"), full_page=True)

        # The demand list filtered by source (kept in the URL), and the full "new demand" form, at phone width.
        page.goto(f"{live_server.url}/lists/demands/?source=survey")
        assert page.locator("[data-testid=demands] tbody tr").count() == 1
        assert page.locator("#df-source").input_value() == "survey"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "demand-list-filtered-phone.png"), full_page=True)
        page.goto(f"{live_server.url}/lists/demands/new/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "demand-new-phone.png"), full_page=True)
