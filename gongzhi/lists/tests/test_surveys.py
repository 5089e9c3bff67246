"""Surveys (问需于民): building and publishing, residents answering on the public page with a code (one answer per
phone, even when two answers race), validation that saves nothing, results, export, QR code, and turning an option
or a group of text answers into a demand."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists import actions, phone_codes
from gongzhi.lists.actions import surveys as survey_actions
from gongzhi.lists.models import Demand, PhoneCode, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from gongzhi.test import Cast, formula_cells, race, require_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox() -> Iterator[list[tuple[str, str]]]:
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory", LISTS_SURVEY_RATE=(1000, 600)):
        yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def build(cast: Any, publish: bool = True) -> Survey:
    survey = actions.do_create_survey(acting_user=cast.worker_a, area=cast.community_a, title="和平里社区居民需求调查",
                                      intro="请告诉我们您最希望社区先办的事。")
    actions.do_add_question(survey, acting_user=cast.worker_a, kind="single", text="您的年龄段",
                            options=["60岁以下", "60岁及以上"])
    actions.do_add_question(survey, acting_user=cast.worker_a, kind="multiple", text="您最关心哪些问题",
                            options=["楼道照明", "停车难", "老年助餐", "加装电梯"])
    actions.do_add_question(survey, acting_user=cast.worker_a, kind="priority", text="社区应先做哪件事",
                            options=["加装电梯", "高层二次供水", "儿童托管"])
    actions.do_add_question(survey, acting_user=cast.worker_a, kind="text", text="其他建议", required=False)
    if publish:
        actions.do_publish_survey(survey, acting_user=cast.worker_a)
    survey.refresh_from_db()
    return survey


def q(survey: Survey, kind: str) -> SurveyQuestion:
    return survey.questions.get(kind=kind)


def opt(survey: Survey, kind: str, text: str) -> int:
    return q(survey, kind).options.get(text=text).pk


def answers(survey: Survey, age: str = "60岁及以上", care: tuple[str, ...] = ("楼道照明",),
            first: tuple[str, ...] = ("加装电梯",), text: str = "") -> dict[int, Any]:
    return {q(survey, "single").pk: [opt(survey, "single", age)],
            q(survey, "multiple").pk: [opt(survey, "multiple", c) for c in care],
            q(survey, "priority").pk: [opt(survey, "priority", f) for f in first],
            q(survey, "text").pk: text}


def code_for(survey: Survey, phone: str, capture: Any) -> str:
    with capture(execute=True):
        actions.do_send_survey_code(survey, phone)
    return re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]


def answer(survey: Survey, phone: str, capture: Any, **kw: Any) -> SurveyResponse:
    code = code_for(survey, phone, capture)
    return actions.do_submit_survey_response(survey, phone=phone, code=code, answers=answers(survey, **kw))


def test_a_worker_builds_edits_and_publishes_a_survey(cast: Any) -> None:
    survey = build(cast, publish=False)
    text = q(survey, "text")
    actions.do_update_question(text, acting_user=cast.worker_a, kind="text", text="您还有什么建议？", required=False)
    with pytest.raises(ActionError) as err:
        actions.do_add_question(survey, acting_user=cast.worker_a, kind="single", text="只有一项", options=["是"])
    assert err.value.field == "options" and "至少需要两个选项" in err.value.message
    with pytest.raises(ActionError):
        actions.do_add_question(survey, acting_user=cast.worker_a, kind="text", text="x", options=["a"])
    actions.do_publish_survey(survey, acting_user=cast.worker_a)
    with pytest.raises(ActionError) as err:
        actions.do_add_question(survey, acting_user=cast.worker_a, kind="text", text="晚到的题")
    assert "发布后不能修改" in err.value.message
    empty = actions.do_create_survey(acting_user=cast.worker_a, area=cast.community_a, title="空问卷")
    with pytest.raises(ActionError):
        actions.do_publish_survey(empty, acting_user=cast.worker_a)
    with pytest.raises(ActionError):
        actions.do_create_survey(acting_user=cast.worker_a, area=cast.estate_a, title="小区问卷")
    assert {"lists.create_survey", "lists.edit_survey_questions", "lists.publish_survey"} <= set(
        AuditEvent.objects.values_list("verb", flat=True))
    actions.do_close_survey(survey, acting_user=cast.worker_a)
    with pytest.raises(ActionError):
        actions.do_send_survey_code(survey, "13800138000")


def test_one_answer_per_phone_and_nothing_of_the_phone_is_kept(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    survey = build(cast)
    answer(survey, "13800138000", django_capture_on_commit_callbacks, text="希望加装电梯")
    with pytest.raises(ActionError) as err:  # asking again for a code
        actions.do_send_survey_code(survey, "138-0013-8000")
    assert "已经填写过" in err.value.message
    response = SurveyResponse.objects.get()
    assert "13800138000" not in response.phone_hash
    assert not AuditEvent.objects.filter(after__icontains="13800138000").exists()
    answer(survey, "13900139000", django_capture_on_commit_callbacks)
    assert SurveyResponse.objects.count() == 2


def test_a_racing_second_answer_meets_the_unique_constraint_as_a_chinese_message(
        cast: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    """Two posts from the same phone that both pass the "already answered?" check: the database's unique
    constraint turns the second into the message, not a 500, and keeps nothing of it."""
    survey = build(cast)
    answer(survey, "13800138000", django_capture_on_commit_callbacks)
    monkeypatch.setattr(survey_actions, "already_answered", lambda *_: False)
    code = code_for(survey, "13800138000", django_capture_on_commit_callbacks)
    with pytest.raises(ActionError) as err:
        actions.do_submit_survey_response(survey, phone="13800138000", code=code, answers=answers(survey))
    assert err.value.field == "phone" and "每个手机号只能填写一次" in err.value.message
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.filter(response__survey=survey).count() == 3


def test_a_wrong_or_expired_code_is_refused_and_counted(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    survey = build(cast)
    code = code_for(survey, "13800138000", django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    with pytest.raises(ActionError) as err:
        actions.do_submit_survey_response(survey, phone="13800138000", code=wrong, answers=answers(survey))
    assert err.value.field == "code" and "验证码不正确或已过期" in err.value.message
    assert PhoneCode.objects.get().attempts == 1 and not SurveyResponse.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)), pytest.raises(ActionError):
        actions.do_submit_survey_response(survey, phone="13800138000", code=code, answers=answers(survey))
    assert not SurveyResponse.objects.exists()


def test_wrong_answers_are_refused_and_nothing_is_saved_nor_the_code_used(
        cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    survey = build(cast)
    other = build(cast)
    code = code_for(survey, "13800138000", django_capture_on_commit_callbacks)
    cases = [
        ({**answers(survey), q(survey, "single").pk: []}, "请回答这道题", "single"),
        ({**answers(survey), q(survey, "multiple").pk: [opt(other, "multiple", "停车难")]}, "不属于这道题", "multiple"),
        ({**answers(survey), q(survey, "single").pk: [opt(survey, "single", "60岁以下"),
                                                      opt(survey, "single", "60岁及以上")]}, "只能选一项", "single"),
        ({**answers(survey), q(survey, "priority").pk: [opt(survey, "priority", "加装电梯")] * 2}, "选了两次",
         "priority"),
        ({**answers(survey), q(other, "text").pk: "别的问卷的题"}, "不在本问卷", None),
        ({**answers(survey), q(survey, "text").pk: "长" * 1001}, "最多1000字", "text"),
    ]
    for given, message, kind in cases:
        with pytest.raises(ActionError) as err:
            actions.do_submit_survey_response(survey, phone="13800138000", code=code, answers=given)
        assert message in err.value.message, (message, err.value.message)
        if kind:
            assert err.value.field == f"q{q(survey, kind).pk}"
    assert not SurveyResponse.objects.exists()
    assert PhoneCode.objects.get().used_at is None and PhoneCode.objects.get().attempts == 0
    actions.do_submit_survey_response(survey, phone="13800138000", code=code, answers=answers(survey))


def test_the_public_page_takes_answers_without_an_account(client: Any, cast: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    survey = build(cast)
    url = f"/lists/s/{survey.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "和平里社区居民需求调查" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{url}code/", {"phone": "13800138000"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    assert 'value="13800138000"' in sent.content.decode()
    code = re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]
    form = {"phone": "13800138000", "code": code, f"q{q(survey, 'single').pk}": opt(survey, "single", "60岁以下"),
            f"q{q(survey, 'multiple').pk}": [opt(survey, "multiple", "停车难"), opt(survey, "multiple", "楼道照明")],
            f"q{q(survey, 'priority').pk}_1": opt(survey, "priority", "儿童托管"),
            f"q{q(survey, 'priority').pk}_2": opt(survey, "priority", "加装电梯"),
            f"q{q(survey, 'text').pk}": "希望周末有儿童托管"}
    missing = {k: v for k, v in form.items() if k != f"q{q(survey, 'single').pk}"}
    refused = client.post(url, missing)
    assert refused.status_code == 400 and "第1题" in refused.content.decode() and "请回答这道题" in refused.content.decode()
    assert "希望周末有儿童托管" in refused.content.decode()  # the form keeps what was typed
    done = client.post(url, form)
    assert done.status_code == 200 and "感谢您的参与" in done.content.decode()
    ranks = dict(SurveyAnswer.objects.filter(question=q(survey, "priority")).values_list("option__text", "rank"))
    assert ranks == {"儿童托管": 1, "加装电梯": 2}
    again = client.post(f"{url}code/", {"phone": "13800138000"})
    assert again.status_code == 400 and "已经填写过" in again.content.decode()
    draft = build(cast, publish=False)
    assert client.get(f"/lists/s/{draft.token}/").status_code == 404
    assert client.get("/lists/s/nope/").status_code == 404


def test_public_posts_are_rate_limited_per_address(client: Any, cast: Any) -> None:
    survey = build(cast)
    cache.clear()
    with override_settings(LISTS_SURVEY_RATE=(2, 600)):
        statuses = [client.post(f"/lists/s/{survey.token}/code/", {"phone": "12"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_results_export_qr_and_turning_into_demands(client: Any, cast: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    survey = build(cast)
    answer(survey, "13800000001", django_capture_on_commit_callbacks, care=("楼道照明", "停车难"),
           first=("加装电梯", "儿童托管"), text="楼道灯坏了很久，晚上看不见台阶")
    answer(survey, "13800000002", django_capture_on_commit_callbacks, care=("楼道照明",), first=("高层二次供水",),
           text="楼道灯坏了，老人上下楼危险")
    answer(survey, "13800000003", django_capture_on_commit_callbacks, age="60岁以下", care=("老年助餐",),
           first=("加装电梯",), text="=HYPERLINK(\"http://x\")希望增加停车位")
    client.force_login(cast.worker_a)
    html = client.get(f"/lists/surveys/{survey.pk}/results/").content.decode()
    assert "3位居民填写" in html and "survey-charts" in html
    from gongzhi.lists.survey_results import survey_results
    results = survey_results(survey)
    care = {o.text: o.count for o in results.questions[1].options}
    assert care == {"楼道照明": 2, "停车难": 1, "老年助餐": 1, "加装电梯": 0}
    priority = results.questions[2].options
    assert [(o.text, o.count, o.first, o.score) for o in priority][0] == ("加装电梯", 2, 2, 6)
    clusters = results.questions[3].clusters
    assert len(clusters[0].answers) == 2 and "楼道灯" in clusters[0].label  # the two about the stairwell lights

    export = client.get(f"/lists/surveys/{survey.pk}/results.xlsx")
    assert export.status_code == 200 and not formula_cells(io.BytesIO(export.content))
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert ["楼道照明", 2] == [c.value for c in sheet[3]][3:5] or any(
        row[3] == "楼道照明" and row[4] == 2 for row in sheet.iter_rows(values_only=True))
    svg = client.get(f"/lists/surveys/{survey.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"/lists/surveys/{survey.pk}/qr.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert survey.token in client.get(f"/lists/surveys/{survey.pk}/poster/").content.decode()

    option = opt(survey, "multiple", "楼道照明")
    form = client.get(f"/lists/surveys/{survey.pk}/to-demand/", {"option": option}).content.decode()
    assert "2位居民" in form
    done = client.post(f"/lists/surveys/{survey.pk}/to-demand/", {
        "option": option, "title": "楼道照明改造", "description": "2位居民选择了楼道照明", "area": cast.community_a.pk,
        "beneficiary_count": "200", "urgency": "normal"})  # a typed count is ignored: the survey's is kept
    assert done.status_code == 302
    demand = Demand.objects.get()
    assert demand.source == "survey" and demand.source_survey == survey and demand.beneficiary_count == 2
    assert "有2位居民" in demand.description and "2位居民选择了楼道照明" in demand.description
    page = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert f"/lists/surveys/{survey.pk}/results/" in page and "3位居民填写" in page
    ids = clusters[0].answer_ids
    form = client.get(f"/lists/surveys/{survey.pk}/to-demand/", {"answers": ids}).content.decode()
    assert "2位居民" in form and "楼道灯" in form
    other = build(cast)
    foreign = SurveyAnswer.objects.filter(response__survey=other).values_list("pk", flat=True)
    assert client.get(f"/lists/surveys/{survey.pk}/to-demand/", {"option": opt(other, "single", "60岁以下")}
                      ).status_code == 404
    assert client.get(f"/lists/surveys/{survey.pk}/to-demand/", {"answers": ",".join(map(str, foreign)) or "1"}
                      ).status_code == 404
    client.force_login(cast.worker_b)
    assert client.get(f"/lists/surveys/{survey.pk}/results/").status_code == 404
    assert client.get(f"/lists/surveys/{survey.pk}/to-demand/", {"option": option}).status_code == 404


def test_the_staff_pages_build_a_survey(client: Any, cast: Any) -> None:
    client.force_login(cast.worker_a)
    response = client.post("/lists/surveys/new/", {"area": cast.community_a.pk, "title": "停车问题调查"})
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lists/surveys/{survey.pk}/"
    bad = client.post(f"/lists/surveys/{survey.pk}/questions/", {"kind": "single", "text": "停车难吗", "options": "难"})
    assert bad.status_code == 400 and "至少需要两个选项" in bad.content.decode()
    client.post(f"/lists/surveys/{survey.pk}/questions/", {"kind": "single", "text": "停车难吗", "options": "难\n不难",
                                                          "required": "on"})
    question = survey.questions.get()
    assert [o.text for o in question.options.all()] == ["难", "不难"] and question.required
    client.post(f"/lists/surveys/{survey.pk}/questions/{question.pk}/", {"kind": "multiple", "text": "哪里停车难",
                                                                        "options": "小区内\n路边\n医院门口"})
    question.refresh_from_db()
    assert question.kind == "multiple" and question.options.count() == 3 and not question.required
    client.post(f"/lists/surveys/{survey.pk}/questions/", {"kind": "text", "text": "其他建议"})
    client.post(f"/lists/surveys/{survey.pk}/questions/{survey.questions.get(kind='text').pk}/move/",
                {"direction": "up"})
    assert [x.kind for x in survey.questions.order_by("order")] == ["text", "multiple"]
    client.post(f"/lists/surveys/{survey.pk}/questions/{survey.questions.get(kind='text').pk}/delete/")
    client.post(f"/lists/surveys/{survey.pk}/publish/")
    survey.refresh_from_db()
    assert survey.status == "published"
    html = client.get(f"/lists/surveys/{survey.pk}/").content.decode()
    assert f"/lists/s/{survey.token}/" in html and "qr.svg" in html
    assert client.post(f"/lists/surveys/{survey.pk}/questions/{question.pk}/delete/").status_code == 302
    assert survey.questions.count() == 1  # refused: published
    client.post(f"/lists/surveys/{survey.pk}/close/")
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert "问卷已结束" in client.get(f"/lists/s/{survey.token}/").content.decode()


def test_the_survey_api(client: Any, cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(cast.worker_a)
    response = client.post("/api/lists/surveys", {"area_id": cast.community_a.pk, "title": "老年助餐需求调查"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(f"/api/lists/surveys/{pk}/questions", {"kind": "single", "text": "需要助餐吗",
                                                                 "options": ["需要"]},
                           content_type="application/json")
    assert response.status_code == 400 and "至少需要两个选项" in response.json()["detail"]
    response = client.post(f"/api/lists/surveys/{pk}/questions", {"kind": "single", "text": "需要助餐吗",
                                                                 "options": ["需要", "不需要"]},
                           content_type="application/json")
    assert response.status_code == 201 and len(response.json()["questions"]) == 1
    response = client.post(f"/api/lists/surveys/{pk}/publish")
    assert response.status_code == 200 and response.json()["public_url"].endswith(
        f"/lists/s/{Survey.objects.get().token}/")
    survey = Survey.objects.get()
    answer_ = {survey.questions.get().pk: [survey.questions.get().options.get(text="需要").pk]}
    code = code_for(survey, "13800138000", django_capture_on_commit_callbacks)
    actions.do_submit_survey_response(survey, phone="13800138000", code=code, answers=answer_)
    results = client.get(f"/api/lists/surveys/{pk}/results").json()
    assert results["respondents"] == 1 and results["questions"][0]["options"][0]["count"] == 1
    assert client.post(f"/api/lists/surveys/{pk}/publish").status_code == 400
    response = client.post("/api/lists/demands", {"area_id": cast.community_a.pk, "title": "老年助餐点",
                                                  "source": "survey", "source_survey_id": pk,
                                                  "beneficiary_count": 1}, content_type="application/json")
    assert response.status_code == 201
    client.force_login(cast.worker_b)
    assert client.get(f"/api/lists/surveys/{pk}").status_code == 404
    assert client.get("/api/lists/surveys").json() == []
    response = client.post("/api/lists/surveys", {"area_id": cast.community_a.pk, "title": "x"},
                           content_type="application/json")
    assert response.status_code == 404
    client.force_login(cast.liaison)
    assert client.get("/api/lists/surveys").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_answers_racing_on_postgresql_leave_one(cast: Any) -> None:
    """Two requests of the same phone write at once (both past every check): one answer stays, the other is the
    Chinese message."""
    require_postgresql("concurrent writers")
    survey = build(cast)
    cleaned = survey_actions.clean_answers(survey, answers(survey))
    key = phone_codes.phone_hash("13800138000")
    results = race(lambda: survey_actions.record_response(survey, key, cleaned),
                   lambda: survey_actions.record_response(survey, key, cleaned))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ActionError) and "只能填写一次" in errors[0].message
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_the_results_page_reads_in_a_fixed_number_of_queries(client: Any, cast: Any,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey = build(cast)
    client.force_login(cast.worker_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/lists/surveys/{survey.pk}/results/").status_code == 200
        return len(queries.captured_queries)

    answer(survey, "13800000001", django_capture_on_commit_callbacks, text="楼道灯坏了")
    count()  # the first page of a session may read what later pages have cached on it
    few = count()
    for i in range(2, 12):
        answer(survey, f"138000000{i:02d}", django_capture_on_commit_callbacks, care=("停车难", "老年助餐"),
               text=f"希望增加停车位{i}")
    assert count() == few


def test_a_survey_past_its_closing_time_reads_closed_for_answers(cast: Cast) -> None:
    """Published with a closing time in the past: the lists say 已截止 and the API says it takes no answers."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from gongzhi.lists import actions
    from gongzhi.lists.models import Survey

    survey = actions.do_create_survey(acting_user=cast.worker_a, area=cast.community_a, title="停车问需")
    actions.do_add_question(survey, acting_user=cast.worker_a, kind="single", text="是否需要", options=["是", "否"])
    actions.do_publish_survey(survey, acting_user=cast.worker_a)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    survey.refresh_from_db()
    assert survey.past_closing and survey.state_display() == "已截止"
    client = Client()
    client.force_login(cast.worker_a)
    assert "已截止" in client.get(reverse("lists:surveys")).content.decode()
    body = client.get(f"/api/lists/surveys/{survey.pk}").json()
    assert body["status"] == "published" and body["accepting_answers"] is False
