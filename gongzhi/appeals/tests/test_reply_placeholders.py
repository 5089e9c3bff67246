"""Answers checked before a resident reads them: placeholders the platform knows are filled from the case, an
answer still holding another is refused (page and API), naming it, and nothing changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.models import Case, CaseEvent, Reply, ReplyTemplate
from gongzhi.appeals.replies import Prepared, chinese_date, prepare_reply
from gongzhi.appeals.seed import REPLY_TEMPLATES
from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent, Unit

from .conftest import in_progress

TODAY = date(2026, 12, 2)


def _case(**kw: Any) -> Case:
    data: dict[str, Any] = {"title": "楼道灯坏了", "created_at": datetime(2026, 11, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
                            "due_at": datetime(2026, 12, 5, 18, tzinfo=ZoneInfo("Asia/Shanghai"))}
    data.update(kw)
    return Case(**data)


UNIT = Unit(name="东城区住房和城乡建设委员会")


def test_it_fills_the_unit_the_date_and_the_deadline() -> None:
    prepared = prepare_reply("{单位}于{日期}答复：已在{办理期限}前修好「{诉求标题}」。", _case(), unit=UNIT, today=TODAY)
    assert prepared.body == "东城区住房和城乡建设委员会于2026年12月2日答复：已在2026年12月5日前修好「楼道灯坏了」。"
    assert prepared.missing == ()


def test_it_lists_what_the_platform_does_not_know_once_each_in_order() -> None:
    prepared = prepare_reply("答复如下：{答复内容}。{单位}｛解释｝{答复内容}", _case(), unit=UNIT, today=TODAY)
    assert prepared.missing == ("{答复内容}", "｛解释｝")
    assert prepared.body == "答复如下：{答复内容}。东城区住房和城乡建设委员会｛解释｝{答复内容}"


def test_it_leaves_a_known_name_unfilled_when_the_case_has_no_value() -> None:
    prepared = prepare_reply("预计{办理期限}前完成，{单位}", _case(due_at=None), unit=None, today=TODAY)
    assert prepared.missing == ("{办理期限}", "{单位}")


def test_text_without_placeholders_passes_unchanged() -> None:
    assert prepare_reply("已清运完毕。", _case(), unit=UNIT, today=TODAY) == Prepared("已清运完毕。", ())
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"


def test_the_default_templates_name_the_handlers_part() -> None:
    # "预计于{日期}前完成" and "已建议您向{单位}反映" would have been filled with today and the answering unit.
    bodies = dict(REPLY_TEMPLATES)
    assert "{预计完成日期}" in bodies["正在推进"] and "{建议反映的单位}" in bodies["不属于职责范围"]
    assert "{日期}" not in bodies["正在推进"] and "{单位}" not in bodies["不属于职责范围"]


@pytest.mark.django_db
def test_it_refuses_an_answer_with_a_placeholder_and_changes_nothing(cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    events, audits, version = CaseEvent.objects.count(), AuditEvent.objects.count(), case.version
    with pytest.raises(ActionError) as refused:
        actions.do_reply_case(case, acting_user=cast.handler, body="您咨询的问题答复如下：{答复内容}。{单位}")
    assert "{答复内容}" in refused.value.message and "{单位}" not in refused.value.message
    assert refused.value.field == "body"
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.version == version
    assert not Reply.objects.exists()
    assert CaseEvent.objects.count() == events and AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_it_sends_a_template_with_what_the_platform_knows_filled_in(cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    template = ReplyTemplate.objects.create(title="试用", body="{单位}已于{日期}处理完毕。")
    reply = actions.do_reply_case(case, acting_user=cast.handler, template=template)
    assert reply.body.startswith("东城区住房和城乡建设委员会已于") and "{" not in reply.body
    assert f"{case.created_at:%Y}年" in reply.body


@pytest.mark.django_db
def test_the_case_page_refuses_it_in_chinese_and_keeps_the_text(client: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    client.force_login(cast.handler)
    response = client.post(reverse("appeals:case_action", args=[case.pk, "reply"]),
                           {"body": "经核实，已建议您向{建议反映的单位}反映。", "version": case.version}, follow=True)
    text = response.content.decode()
    assert "答复中还有未填写的占位符：{建议反映的单位}" in text
    assert "经核实，已建议您向{建议反映的单位}反映。</textarea>" in text
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS and not Reply.objects.exists()
    # The template list offers each template with the unit already filled in.
    assert "已建议您向{建议反映的单位}反映" in text and 'data-body="您反映的问题已由我单位处理完毕' in text


@pytest.mark.django_db
def test_the_api_refuses_it_with_400(client: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    client.force_login(cast.handler)
    template = ReplyTemplate.objects.get(title="已答复咨询")
    response = client.post(f"/api/appeals/cases/{case.pk}/reply", {"template_id": template.pk},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert "{答复内容}" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
