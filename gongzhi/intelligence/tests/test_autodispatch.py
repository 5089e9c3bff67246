"""Suggestions at intake and auto-dispatch above the configured threshold (off by default)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Appeal, Case, CaseEvent, Category
from gongzhi.core.models import AuditEvent
from gongzhi.intelligence import actions, suggestions
from gongzhi.intelligence.models import AppealSuggestion, AutoDispatchConfig, ClassifierVersion

# Labels as in the public training file (first-level, not the appeals' names): mapped by LABEL_TO_CATEGORY.
TOPICS = {
    "城乡建设": ["垃圾清运不及时", "垃圾桶满了没人清", "楼下垃圾堆放发臭", "小区垃圾三天没清运", "垃圾站臭气熏天",
             "建筑垃圾乱倒"],
    "交通运输": ["公交车晚点严重", "公交线路调整不合理", "地铁站出口拥堵", "出租车拒载乘客", "公交站台破损",
             "公交班次太少"],
    "环境保护": ["工厂排污河道发黑", "夜间施工噪音扰民", "饭店油烟污染严重", "河道污染有异味", "粉尘污染严重",
             "焚烧垃圾烟雾大"],
}


def synthetic_history(per_label: int = 10) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, phrases in TOPICS.items():
        for i in range(per_label):
            a, b = phrases[i % len(phrases)], phrases[(i * 5 + 1) % len(phrases)]
            texts.append(f"关于{a}。{a}。居民反映{a}，另外{b}，请尽快处理。")
            labels.append(label)
    return texts, labels


def train_model() -> ClassifierVersion:
    texts, labels = synthetic_history()
    return actions.do_train_classifier(texts, labels, acting_user=None, folds=0)


def submit(cast: Any, title: str = "小区垃圾三天没清运", body: str = "楼下垃圾堆放发臭，垃圾清运不及时，请尽快处理。",
           **kw: Any) -> Appeal:
    data: dict[str, Any] = {"acting_user": cast.resident_user, "title": title, "body": body,
                            "callback_phone": "13800138000", "area": cast.building_a}
    data.update(kw)
    return appeals_actions.do_submit_appeal(**data)


@pytest.fixture
def model(db: Any) -> ClassifierVersion:
    return train_model()


def test_it_stores_the_top_three_suggestions_at_intake(cast: Any, model: ClassifierVersion) -> None:
    appeal = submit(cast)
    appeal.refresh_from_db()
    stored = AppealSuggestion.objects.get(appeal=appeal)
    assert [s["label"] for s in stored.suggestions][0] == "城乡建设"
    assert len(stored.suggestions) == 3  # TOP_K + 1 are asked for (one may be left out under a leaf); three classes
    assert stored.category == Category.objects.get(name="城市管理", level=1)
    assert stored.version == model.number
    assert stored.confidence == stored.suggestions[0]["confidence"]
    assert appeal.case is not None and appeal.case.status == Case.Status.PENDING_DISPATCH  # off by default


def test_it_skips_silently_without_an_active_classifier(cast: Any) -> None:
    appeal = submit(cast)
    appeal.refresh_from_db()
    assert not AppealSuggestion.objects.filter(appeal=appeal).exists()  # no suggestions, no version


def test_it_never_fails_intake_when_the_classifier_breaks(cast: Any, model: ClassifierVersion,
                                                          monkeypatch: Any, caplog: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("13800138000 小区垃圾")  # a message quoting input must not reach the log

    monkeypatch.setattr(actions, "load_model", broken)
    with caplog.at_level(logging.WARNING, logger="gongzhi.intelligence"):
        appeal = submit(cast)
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert "RuntimeError" in caplog.text
    assert "13800138000" not in caplog.text and "垃圾" not in caplog.text


def test_it_maps_labels_directly_when_they_are_category_names(db: Any) -> None:
    assert suggestions.category_for_label("交通") == Category.objects.get(name="交通", level=1)
    assert suggestions.category_for_label("交通运输") == Category.objects.get(name="交通", level=1)
    assert suggestions.category_for_label("停水") == Category.objects.get(name="停水", level=3)
    assert suggestions.category_for_label("没有这个分类") is None


def test_it_picks_the_leaf_that_shares_words_with_the_text(db: Any) -> None:
    top = Category.objects.get(name="城市管理", level=1)
    assert suggestions.dispatch_category_for(top, "小区垃圾三天没清运").name == "垃圾清运"
    assert suggestions.dispatch_category_for(top, "完全无关的句子") == top
    chosen = Category.objects.get(name="乱堆乱放")
    assert suggestions.dispatch_category_for(top, "小区垃圾三天没清运", chosen) == chosen


def test_it_does_not_auto_dispatch_when_the_threshold_is_off(cast: Any, model: ClassifierVersion) -> None:
    assert AutoDispatchConfig.current().threshold is None
    appeal = submit(cast)
    case = Case.objects.get(pk=appeal.case_id or 0)
    assert case.status == Case.Status.PENDING_DISPATCH and not case.auto_dispatched


def test_it_auto_dispatches_a_confident_suggestion_and_marks_it(cast: Any, model: ClassifierVersion) -> None:
    top = Category.objects.get(name="城市管理", level=1)
    appeals_actions.do_create_routing_rule(acting_user=None, category=top, lead_unit=cast.department)
    actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=0.5)
    appeal = submit(cast)
    confidence = AppealSuggestion.objects.get(appeal=appeal).confidence
    assert confidence is not None and confidence >= 0.5
    case = Case.objects.get(pk=appeal.case_id or 0)
    assert case.status == Case.Status.DISPATCHED
    assert case.auto_dispatched
    assert case.lead_unit == cast.department
    assert case.category is not None and case.category.name == "垃圾清运"
    event = CaseEvent.objects.get(case=case, verb="dispatch")
    assert event.actor is None and event.note.startswith("自动派单")
    audit = AuditEvent.objects.get(verb="appeals.auto_dispatch", object_id=str(case.pk))
    assert audit.actor is None and (audit.after or {})["threshold"] == 0.5
    # No feedback: nobody confirmed the suggestion.
    assert not appeal.suggestion_feedback.exists()


def test_it_does_not_auto_dispatch_below_the_threshold(cast: Any, model: ClassifierVersion) -> None:
    actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=0.999)
    appeal = submit(cast)
    confidence = AppealSuggestion.objects.get(appeal=appeal).confidence
    assert confidence is not None and confidence < 0.999
    case = Case.objects.get(pk=appeal.case_id or 0)
    assert case.status == Case.Status.PENDING_DISPATCH and not case.auto_dispatched


def test_it_leaves_a_probable_duplicate_for_the_dispatcher(cast: Any, model: ClassifierVersion) -> None:
    first = submit(cast)
    actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=0.5)
    second = submit(cast)
    assert Case.objects.get(pk=first.case_id or 0).status == Case.Status.PENDING_DISPATCH
    assert Case.objects.get(pk=second.case_id or 0).status == Case.Status.PENDING_DISPATCH


def test_it_lets_only_admins_configure_auto_dispatch(cast: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_configure_auto_dispatch(acting_user=cast.worker_a, threshold=0.5)
    config = actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=0.8)
    assert AutoDispatchConfig.current().threshold == 0.8 and config.updated_by == cast.city_admin
    assert AuditEvent.objects.filter(verb="appeals.auto_dispatch_config.update").exists()
    actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=None)
    assert AutoDispatchConfig.current().threshold is None
    assert AutoDispatchConfig.objects.count() == 1


def test_it_configures_auto_dispatch_over_the_api(client: Any, cast: Any) -> None:
    client.force_login(cast.worker_a)
    assert client.post("/api/intelligence/config/auto-dispatch", {"threshold": 0.5},
                       content_type="application/json").status_code == 403
    client.force_login(cast.district_admin)  # a city-wide setting
    assert client.post("/api/intelligence/config/auto-dispatch", {"threshold": 0.5},
                       content_type="application/json").status_code == 403
    client.force_login(cast.city_admin)
    response = client.post("/api/intelligence/config/auto-dispatch", {"threshold": 1.5}, content_type="application/json")
    assert response.status_code == 400 and "0" in response.json()["detail"]
    response = client.post("/api/intelligence/config/auto-dispatch", {"threshold": 0.3}, content_type="application/json")
    assert response.status_code == 400 and "0.5" in response.json()["detail"]  # the page's floor holds here too
    assert AutoDispatchConfig.current().threshold is None
    response = client.post("/api/intelligence/config/auto-dispatch", {"threshold": 0.7}, content_type="application/json")
    assert response.status_code == 200 and response.json()["threshold"] == 0.7
    assert client.get("/api/intelligence/config/auto-dispatch").json()["threshold"] == 0.7


def test_it_shows_auto_dispatched_cases_in_the_worklist(client: Any, cast: Any, model: ClassifierVersion) -> None:
    top = Category.objects.get(name="城市管理", level=1)
    appeals_actions.do_create_routing_rule(acting_user=None, category=top, lead_unit=cast.department)
    actions.do_configure_auto_dispatch(acting_user=cast.city_admin, threshold=0.5)
    appeal = submit(cast)
    assert Case.objects.get(pk=appeal.case_id or 0).auto_dispatched
    client.force_login(cast.handler)  # the department sees it among the cases to accept, marked
    response = client.get("/appeals/worklist/to_accept/")
    assert response.status_code == 200
    assert "自动派单" in response.content.decode()
