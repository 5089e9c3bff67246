"""The three lists (三张清单) walked through end to end on a phone-sized screen (390 × 844), as issue 19 checks it:

1. a hot issue becomes a demand (the community worker, from the hot-issue page);
2. a survey is published, answered by two residents (no account; a code from the SMS) and turned into a second
   demand with the count of residents behind it;
3. the member unit's liaison registers a resource;
4. the matcher ranks it first for the first demand, with its reasons;
5. a matching round is proposed and confirmed (a project waiting to be claimed);
6. the unit claims the project and both sides sign the two-way service agreement; the .docx downloads and holds
   the items;
7. progress with a photo is posted;
8. the public notice shows it without login;
9. finishing it marks the demand met, and a resident rates it.

Every page is checked for sideways scrolling at 390 px; screenshots go to GONGZHI_SHOTS_DIR.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from gongzhi.appeals import actions as appeal_actions
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists.models import Demand, Project, ProjectRating, Resource, ServiceAgreement
from gongzhi.test import PHONE, SHOTS, Cast, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page: Any, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{where} scrolls sideways"


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"three-lists-{name}.png"), full_page=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def phone_page(browser: Any, user: Any, live_server: Any, errors: list[str]) -> Any:
    page = signed_in(browser, live_server, user, **PHONE)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    return page


def last_code(phone: str) -> str:
    to, text = MemorySmsBackend.outbox[-1]
    assert to == phone
    match = re.search(r"\d{6}", text)
    assert match is not None, text
    return match.group()


def select_option_containing(page: Any, selector: str, text: str) -> None:
    """Choose the first option of a <select> whose label contains `text`."""
    value = page.eval_on_selector(selector, "(s, t) => [...s.options].find(o => o.text.includes(t)).value", text)
    page.select_option(selector, value)


@pytest.fixture
def scene(cast: Cast, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.SMS_BACKEND = "memory"
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, (title, area) in enumerate([("和平小区1号楼楼道灯坏了", cast.building_a), ("小区楼道灯不亮", cast.estate_a),
                                       ("楼道灯坏了没人修", cast.grid_a)]):
        appeal_actions.do_submit_appeal(
            acting_user=None, title=title, body=f"和平小区1号楼楼道灯坏了好几天，晚上上下楼很黑，请尽快修理楼道灯。{i}",
            callback_phone=f"1380000000{i}", area=area, system=True)
    # Resources already on the list: a venue (a kind the lighting demand does not need) and a district-wide service
    # of the same kind; the matcher must still put the liaison's service, serving this community, first.
    Resource.objects.create(kind="venue", title="和平里社区党群服务中心活动室", area=cast.community_a,
                            capacity_unit="uses", capacity=Decimal(20))
    Resource.objects.create(kind="service", title="区住建委房屋安全咨询", area=cast.district,
                            provider_unit=cast.department, capacity_unit="hours", capacity=Decimal(10))
    photo = tmp_path / "楼道灯.png"
    Image.new("RGB", (640, 480), (230, 200, 40)).save(photo)
    return {"photo": photo, "tmp": tmp_path}


def test_the_three_lists_from_a_hot_issue_to_a_rated_project_on_a_phone(
        browser: Any, live_server: Any, cast: Cast, scene: dict[str, Any]) -> None:
    errors: list[str] = []
    url = live_server.url
    worker = phone_page(browser, cast.worker_a, live_server, errors)

    # 1. A hot issue becomes a demand.
    worker.goto(f"{url}/intelligence/hot/")
    rows = worker.locator("[data-testid=hot-issues] tbody tr")
    assert rows.count() == 1 and "楼道灯" in rows.first.inner_text()
    fits(worker, "hot issues")
    rows.first.get_by_role("button", name="转为需求").click()
    assert "/lists/demands/new/?source=hot_issue&appeals=" in worker.url
    worker.fill("#id_title", "和平小区1号楼楼道灯维修")
    worker.get_by_label("专业服务").check()
    fits(worker, "the demand form")
    shot(worker, "1-hot-issue-to-demand")
    worker.get_by_role("button", name="加入需求清单").click()
    assert "加入需求清单" in flash(worker)
    lighting = Demand.objects.get(title="和平小区1号楼楼道灯维修")
    assert lighting.source == Demand.Source.HOT_ISSUE and len(lighting.appeal_ids) == 3
    assert lighting.resource_kinds == ["service"]

    # 2. A survey: built, published, answered by two residents, turned into a demand.
    worker.goto(f"{url}/lists/surveys/new/")
    select_option_containing(worker, "#id_area", cast.community_a.name)
    worker.fill("#id_title", "和平小区今年最想办的实事")
    worker.get_by_role("button", name="创建问卷").click()
    worker.wait_for_selector("[data-testid=question-form]")
    worker.select_option("[data-testid=question-form] select[name=kind]", "single")
    worker.fill("[data-testid=question-form] [name=text]", "您最希望先办哪件事？")
    worker.fill("[data-testid=question-form] [name=options]", "楼道加装扶手\n更新健身器材\n增设快递柜")
    worker.locator("[data-testid=question-form] button[type=submit]").click()
    worker.wait_for_selector("[data-testid=question]")
    worker.get_by_test_id("publish").click()
    public_url = worker.get_by_test_id("public-url").inner_text().strip()
    assert "/lists/s/" in public_url
    fits(worker, "the published survey")
    shot(worker, "2-survey-published")
    for phone in ("13811110001", "13811110002"):
        resident = browser.new_context(**PHONE).new_page()
        resident.on("pageerror", lambda error: errors.append(str(error)))
        resident.goto(public_url if public_url.startswith("http") else f"{url}{public_url}")
        fits(resident, "the public survey")
        resident.fill("#code-phone", phone)
        resident.get_by_test_id("send-code").click()
        resident.wait_for_selector("[data-testid=code-sent]")
        resident.get_by_label("楼道加装扶手").check()
        resident.fill("#answer-phone", phone)
        resident.fill("#answer-code", last_code(phone))
        if phone.endswith("1"):
            shot(resident, "2-resident-answers")
        resident.get_by_test_id("submit-answers").click()
        resident.wait_for_load_state()
        assert "谢谢" in resident.inner_text("main") or "感谢" in resident.inner_text("main")
        resident.context.close()
    worker.reload()
    worker.get_by_test_id("results-link").click()
    assert "2" in worker.get_by_test_id("respondents").inner_text()
    handrail = worker.locator("[data-testid=option-row]", has_text="楼道加装扶手")
    assert handrail.get_by_test_id("option-count").inner_text().strip() == "2"
    fits(worker, "the survey results")
    shot(worker, "2-survey-results")
    handrail.get_by_test_id("option-to-demand").click()
    worker.wait_for_selector("[data-testid=demand-form]")
    worker.get_by_role("button", name="加入需求清单").click()
    survey_demand = Demand.objects.get(source=Demand.Source.SURVEY)
    assert survey_demand.beneficiary_count == 2 and "楼道加装扶手" in survey_demand.title

    # 3. The member unit's liaison registers a resource.
    liaison = phone_page(browser, cast.liaison, live_server, errors)
    liaison.goto(f"{url}/lists/resources/new/")
    form = liaison.get_by_test_id("resource-form")
    form.locator("[name=kind]").select_option("service")
    form.locator("[name=title]").fill("和平物业电工上门维修")
    form.locator("[name=description]").fill("物业电工维修楼道灯、更换灯具，每周二、四上门。")
    select_option_containing(liaison, "[data-testid=resource-form] [name=area]", cast.community_a.name)
    if form.locator("select[name=place]").count():
        select_option_containing(liaison, "[data-testid=resource-form] [name=place]", cast.estate_a.name)
    form.locator("[name=capacity_unit]").select_option("hours")
    form.locator("[name=capacity]").fill("40")
    fits(liaison, "the resource form")
    shot(liaison, "3-liaison-resource")
    form.get_by_role("button", name="保存").click()
    service = Resource.objects.get(title="和平物业电工上门维修")
    assert service.provider_unit == cast.member_unit and service.created_by == cast.liaison

    # 4. The matcher ranks it first for the first demand, with its reasons.
    worker.goto(f"{url}/lists/demands/{lighting.pk}/candidates/")
    candidates = worker.get_by_test_id("candidate")
    assert candidates.count() >= 2, "the district's service is a candidate too"
    first = candidates.first
    assert first.get_attribute("data-resource") == str(service.pk)
    reasons = first.get_by_test_id("reasons").inner_text()
    assert "类型匹配：专业服务" in reasons and "服务本社区" in reasons and "剩余容量 40 小时" in reasons, reasons
    fits(worker, "the candidates")
    shot(worker, "4-candidates")

    # 5. A matching round for the community is proposed and confirmed.
    worker.goto(f"{url}/lists/matching/")
    select_option_containing(worker, "#area", cast.community_a.name)
    worker.get_by_test_id("round-form").get_by_role("button").click()
    pair = worker.locator("[data-testid=pair]", has_text="和平小区1号楼楼道灯维修")
    assert "和平物业电工上门维修" in pair.inner_text()
    fits(worker, "the round")
    shot(worker, "5-round")
    worker.get_by_test_id("confirm-round").click()
    worker.wait_for_selector("[data-testid=round-status]")
    assert "已确认" in worker.get_by_test_id("round-status").inner_text()
    project = Project.objects.get(demands=lighting)
    assert project.status == Project.Status.PROPOSED
    service.refresh_from_db()
    assert service.promised > 0

    # 6. The unit claims the project; the community and the unit sign the agreement; the .docx holds the items.
    liaison.goto(f"{url}/lists/projects/{project.pk}/")
    fits(liaison, "the project to claim")
    liaison.get_by_test_id("claim-form").get_by_role("button").click()
    liaison.wait_for_selector("[data-testid=project-status]")
    assert "已认领" in liaison.get_by_test_id("project-status").inner_text()
    worker.goto(f"{url}/lists/projects/{project.pk}/agreement/")
    add = worker.get_by_test_id("add-item")
    if not add.is_visible():
        add.locator("xpath=ancestor::details[1]/summary").click()
    select_option_containing(worker, "[data-testid=add-item] [name=party]", cast.member_unit.name)
    add.locator("[name=text]").fill("每周二、四派电工检修1号楼楼道灯，更换损坏灯具")
    add.get_by_role("button").click()
    worker.wait_for_selector("[data-testid=items]")
    assert "每周二、四派电工检修1号楼楼道灯" in worker.get_by_test_id("items").inner_text()
    worker.get_by_test_id("send").click()
    worker.wait_for_selector("[data-testid=sign]")
    worker.get_by_test_id("sign").first.click()
    worker.wait_for_selector("[data-testid=parties]")
    liaison.goto(f"{url}/lists/projects/{project.pk}/agreement/")
    fits(liaison, "the agreement")
    liaison.get_by_test_id("sign").first.click()
    liaison.wait_for_selector("[data-testid=agreement-status]")
    assert "已签署" in liaison.get_by_test_id("agreement-status").inner_text()
    shot(liaison, "6-agreement-signed")
    agreement = ServiceAgreement.objects.get(project=project)
    assert agreement.status == ServiceAgreement.Status.SIGNED and agreement.signatures.count() == 2
    with liaison.expect_download() as download_info:
        liaison.get_by_test_id("docx").click()
    docx_path = scene["tmp"] / "agreement.docx"
    download_info.value.save_as(docx_path)
    assert download_info.value.suggested_filename.endswith(".docx")
    from docx import Document

    document = Document(str(docx_path))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert "每周二、四派电工检修1号楼楼道灯" in text and cast.member_unit.name in text

    # 7. The unit posts progress with a photo.
    liaison.goto(f"{url}/lists/projects/{project.pk}/")
    progress = liaison.get_by_test_id("progress-form")
    progress.locator("[name=percent]").fill("60")
    progress.locator("[name=note]").fill("已更换1号楼1至4层楼道灯。")
    progress.locator("input[type=file]").set_input_files(str(scene["photo"]))
    progress.locator("button[type=submit]").click()
    liaison.wait_for_selector("[data-testid=progress]")
    assert liaison.get_by_test_id("progress").inner_text().strip() == "60%"
    fits(liaison, "the project with progress")
    shot(liaison, "7-progress")
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS and project.updates.get().photos.count() == 1

    # 8. The public notice shows it, without login.
    visitor = browser.new_context(**PHONE).new_page()
    visitor.on("pageerror", lambda error: errors.append(str(error)))
    visitor.goto(f"{url}/lists/public/")
    visitor.click(f"text={cast.community_a.name}")
    visitor.wait_for_selector("[data-testid=notice-project]")
    card = visitor.locator("[data-testid=notice-project]", has_text="和平小区1号楼楼道灯维修")
    assert card.count() == 1 and "60%" in card.inner_text()
    card.get_by_role("link").first.click()
    visitor.wait_for_selector("[data-testid=public-project]")
    assert visitor.locator(".photos img").count() == 1
    assert visitor.evaluate("document.querySelector('.photos img').naturalWidth") > 0
    fits(visitor, "the public project")
    shot(visitor, "8-public")

    # 9. Finishing it marks the demand met; a resident rates it.
    worker.goto(f"{url}/lists/projects/{project.pk}/")
    finish = worker.get_by_test_id("finish-form")
    if not finish.is_visible():
        worker.locator("[data-testid=finish-form]").locator("xpath=ancestor::details[1]/summary").click()
    finish.locator("button[type=submit]").click()
    worker.wait_for_selector("[data-testid=project-status]")
    assert "已完成" in worker.get_by_test_id("project-status").inner_text()
    lighting.refresh_from_db()
    assert lighting.status == Demand.Status.MET
    visitor.reload()
    visitor.check("input[name=satisfaction][value=satisfied]")
    visitor.fill("#id_phone", "13822220003")
    visitor.click("[data-testid=send-code]")
    visitor.wait_for_selector("[data-testid=code-sent]")
    visitor.fill("#id_code", last_code("13822220003"))
    visitor.click("[data-testid=send-rating]")
    visitor.wait_for_selector(".messages")
    assert "评价已记录" in visitor.inner_text(".messages")
    assert ProjectRating.objects.filter(project=project).count() == 1
    fits(visitor, "the rated project")
    shot(visitor, "9-rated")
    assert errors == []
