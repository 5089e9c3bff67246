"""The dispatcher's choice against the top suggestion is recorded, and corrections teach the next model."""

from __future__ import annotations

from typing import Any

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Appeal, Case, Category
from gongzhi.core.models import AuditEvent
from gongzhi.intelligence import actions
from gongzhi.intelligence.models import AppealSuggestion, SuggestionFeedback
from gongzhi.intelligence.tests.test_autodispatch import submit, train_model


def test_it_records_a_confirmation_when_the_dispatcher_agrees(cast: Any) -> None:
    version = train_model()
    appeal = submit(cast)
    assert appeal.case is not None
    leaf = Category.objects.get(name="垃圾清运")
    appeals_actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department, category=leaf)
    feedback = SuggestionFeedback.objects.get(appeal=appeal)
    assert (feedback.suggested_label, feedback.final_label) == ("城市管理", "城市管理")
    assert not feedback.corrected and feedback.version == version and feedback.created_by == cast.worker_a
    assert AuditEvent.objects.filter(verb="intelligence.suggestion_feedback").exists()


def test_it_records_a_correction_when_the_dispatcher_disagrees(cast: Any) -> None:
    train_model()
    appeal = submit(cast)
    assert appeal.case is not None
    leaf = Category.objects.get(name="路灯不亮")
    appeals_actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department, category=leaf)
    feedback = SuggestionFeedback.objects.get(appeal=appeal)
    assert (feedback.suggested_label, feedback.final_label) == ("城市管理", "交通") and feedback.corrected


def test_it_records_nothing_without_a_suggestion(cast: Any) -> None:
    appeal = submit(cast)
    assert appeal.case is not None
    appeals_actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                     category=Category.objects.get(name="垃圾清运"))
    assert not SuggestionFeedback.objects.exists()


def _close(appeal: Appeal) -> None:
    Case.objects.filter(pk=appeal.case_id or 0).update(status=Case.Status.CLOSED)


def test_it_learns_the_corrected_label_when_retrained_from_history(cast: Any) -> None:
    """Street lights: the model says 城市管理 (its training put 路灯 there); dispatchers keep correcting to 交通.
    Retrained from history, the next model suggests 交通 for street lights."""
    history = {
        "城市管理": ["小区垃圾没人清运", "垃圾桶满了发臭", "楼下乱堆乱放杂物", "违规广告牌挡路", "建筑垃圾乱倒"],
        "交通": ["公交车晚点严重", "公交班次太少", "共享单车乱停", "道路破损坑洼", "井盖缺失危险"],
        "生态环境": ["夜间施工噪音扰民", "饭店油烟污染", "河道发黑发臭", "焚烧垃圾烟雾大", "工厂排污"],
    }
    lights = ["路灯不亮晚上很黑", "小区门口路灯坏了", "路灯一直闪烁", "道路两旁路灯不亮", "路灯损坏没人修"]
    top_names = {name: Category.objects.get(name=name, level=1) for name in history}
    # A first model that files street lights under 城市管理 (as the public training file does).
    texts, labels = [], []
    for name, phrases in history.items():
        for i, phrase in enumerate(phrases * 3):
            texts.append(f"{phrase}。{phrase}。第{i}次反映{phrase}")
            labels.append(name)
    for i, phrase in enumerate(lights * 2):
        texts.append(f"{phrase}。{phrase}。第{i}次反映{phrase}")
        labels.append("城市管理")
    actions.do_train_classifier(texts, labels, acting_user=None, folds=0)
    assert actions.suggest("路灯不亮", "小区路灯不亮晚上很黑")[0][0] == "城市管理"

    # History: closed cases of each kind, and street-light appeals the dispatchers corrected to 交通.
    for name, phrases in history.items():
        for i, phrase in enumerate(phrases * 2):
            appeal = submit(cast, title=phrase, body=f"第{i}次反映：{phrase}，请处理。")
            assert appeal.case is not None
            Case.objects.filter(pk=appeal.case_id or 0).update(category=top_names[name])
            _close(appeal)
    for i, phrase in enumerate(lights * 2):
        appeal = submit(cast, title=phrase, body=f"第{i}次反映：{phrase}，请处理。")
        stored = AppealSuggestion.objects.get(appeal=appeal)
        assert appeal.case is not None and stored.suggestions[0]["label"] == "城市管理"
        appeals_actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                         category=Category.objects.get(name="路灯不亮"))
        _close(appeal)
    assert SuggestionFeedback.objects.filter(final_label="交通", suggested_label="城市管理").count() == 10

    version = actions.do_train_classifier_from_history(acting_user=None, min_size=20)
    assert version is not None and version.is_active
    # The corrected cases were dispatched with the leaf 路灯不亮, and there are ten of them: the leaf layer goes there.
    assert actions.suggest("路灯不亮", "小区路灯不亮晚上很黑")[0][0] == "交通/道路设施/路灯不亮"
    model = actions.load_model(version)
    assert model.suggest("路灯不亮", "小区路灯不亮晚上很黑")[0][0] == "交通"  # and the first-level model learnt 交通
    assert actions.suggest("垃圾没人清", "小区垃圾没人清运")[0][0] == "城市管理"
