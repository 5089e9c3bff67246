"""Category suggestions down to the deepest level the history supports (issue 18): the leaf layer learnt from
closed cases' categories, backed off to the parent for leaves with too few messages or too little confidence,
shown with its path and routed unit on the dispatch screen and in the API."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Case, Category
from gongzhi.core.models import Unit
from gongzhi.intelligence import actions
from gongzhi.intelligence.demo import LEAF_HISTORY, build_leaf_history
from gongzhi.intelligence.models import AppealSuggestion
from gongzhi.intelligence.tests.test_autodispatch import submit, synthetic_history
from gongzhi.lib.text import classifier as clf

LIGHT = "住房/物业管理/楼道照明"
LIFT = "住房/物业管理/电梯故障"
RUBBISH = "城市管理/市容环境/垃圾清运"

PHRASES = {
    LIGHT: ["楼道灯坏了", "楼道声控灯不亮", "楼梯间灯泡坏了", "楼道照明灯损坏", "楼道感应灯失灵", "楼道里的灯不亮"],
    LIFT: ["电梯又坏了", "电梯困人", "电梯经常停运", "电梯异响", "电梯突然停住", "电梯年检过期"],
    RUBBISH: ["垃圾没人清运", "垃圾桶满了", "垃圾堆积发臭", "垃圾清运不及时", "垃圾站味道大", "垃圾三天没清运"],
}


def leaf_pairs(per_path: dict[str, int]) -> list[tuple[str, str]]:
    pairs = []
    for path, n in per_path.items():
        phrases = PHRASES[path]
        for i in range(n):
            phrase = phrases[i % len(phrases)]
            pairs.append((clf.message_text(phrase, f"{i + 1}号楼居民反映{phrase}，请尽快处理。"), path))
    return pairs


def test_it_backs_off_paths_with_too_few_messages_to_their_parent() -> None:
    labels, support = clf.backed_off_paths([LIGHT] * 2 + [LIFT] * 6, min_examples=5)
    assert labels == ["住房/物业管理"] * 2 + [LIFT] * 6
    assert support == {"住房": 8, "住房/物业管理": 8, LIGHT: 2, LIFT: 6}
    labels, _support = clf.backed_off_paths([LIGHT] * 2 + [RUBBISH] * 2, min_examples=5)
    assert labels == ["住房"] * 2 + ["城市管理"] * 2  # the first level is kept whatever its count


def test_it_suggests_the_leaf_when_the_history_supports_it() -> None:
    texts, labels = synthetic_history()
    model = clf.train(texts, labels, leaves=leaf_pairs({LIGHT: 6, LIFT: 6, RUBBISH: 6}))
    assert model.leaves is not None
    path, confidence = model.suggest_leaf("楼道灯坏了", "", threshold=0.3) or ("", 0.0)
    assert path == LIGHT and 0.3 <= confidence <= 1


def test_a_leaf_with_too_few_messages_gives_its_parent() -> None:
    texts, labels = synthetic_history()
    model = clf.train(texts, labels, leaves=leaf_pairs({LIGHT: 3, LIFT: 3, RUBBISH: 6}), leaf_min_examples=5)
    assert model.leaves is not None
    assert set(map(str, model.leaves.model.classes)) == {"住房/物业管理", RUBBISH}
    assert (model.suggest_leaf("楼道灯坏了", "", threshold=0.3) or ("",))[0] == "住房/物业管理"


def test_the_threshold_backs_off_a_leaf_that_is_not_confident_enough() -> None:
    texts, labels = synthetic_history()
    model = clf.train(texts, labels, leaves=leaf_pairs({LIGHT: 6, LIFT: 6, RUBBISH: 6}))
    assert model.leaves is not None
    totals = model.leaves.path_proba(clf.message_text("楼道灯坏了", ""))
    # Between the leaf's and its parent's confidence: the parent is suggested, not the leaf.
    between = (totals[LIGHT] + totals["住房/物业管理"]) / 2
    assert totals[LIGHT] < between < totals["住房/物业管理"]
    assert model.suggest_leaf("楼道灯坏了", "", threshold=between) == ("住房/物业管理", round(totals["住房/物业管理"], 4))
    assert model.suggest_leaf("楼道灯坏了", "", threshold=1.01) is None


def test_no_leaf_layer_without_paths_deeper_than_the_first_level() -> None:
    assert clf.train_leaves(["a", "b", "c", "d"], ["住房", "住房", "交通", "交通"]) is None
    assert clf.train_leaves(["a", "b"], ["", ""]) is None


def _closed_history(cast: Any) -> None:
    """Closed cases with leaf categories, made the way the demo makes them (a routing rule for 物业管理)."""
    housing = Unit.objects.create(name="住房和城乡建设局", kind=Unit.Kind.DEPARTMENT, area=cast.district)
    appeals_actions.do_create_routing_rule(category=Category.objects.get(name="物业管理"), area=cast.district,
                                           lead_unit=housing, acting_user=None)
    assert build_leaf_history(seed=1) == sum(len(m) for m in LEAF_HISTORY.values())


@pytest.fixture
def leaf_model(cast: Any) -> Any:
    _closed_history(cast)
    history = actions.history_examples()
    assert {path for _t, _l, path in history} == {LIGHT, LIFT}
    assert {label for _t, label, _p in history} == {"住房"}
    texts, labels = synthetic_history()
    return actions.do_train_classifier(texts, labels, acting_user=None, folds=0, leaves=actions.history_leaves())


def test_it_learns_leaves_from_closed_cases_and_shows_the_path_and_routed_unit(
        client: Any, cast: Any, leaf_model: Any, settings: Any) -> None:
    settings.CLASSIFIER_LEAF_THRESHOLD = 0.5
    appeal = submit(cast, title="楼道灯坏了", body="3号楼楼道灯坏了，晚上看不见。")
    stored = AppealSuggestion.objects.get(appeal=appeal)
    assert stored.suggestions[0]["label"] == LIGHT
    assert stored.category == Category.objects.get(name="楼道照明")
    client.force_login(cast.worker_a)
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    first = page.split('data-testid="suggestion"')[1]
    assert "住房 › 物业管理 › 楼道照明" in first and "住房和城乡建设局" in first
    rows = client.get(f"/api/intelligence/cases/{appeal.case_id}/suggestions").json()
    assert rows[0]["path"] == ["住房", "物业管理", "楼道照明"] and rows[0]["level"] == 3
    assert rows[0]["dispatch_category_name"] == "住房 / 物业管理 / 楼道照明"
    assert rows[0]["lead_unit_name"] == "住房和城乡建设局"
    # Adopting it dispatches the case with the leaf, to the routed unit.
    response = client.post(f"/intelligence/cases/{appeal.case_id}/adopt/", {"rank": "0"})
    assert response.status_code == 302
    assert appeal.case_id is not None
    case = Case.objects.select_related("category", "lead_unit").get(pk=appeal.case_id)
    assert case.category is not None and case.category.name == "楼道照明"
    assert case.lead_unit is not None and case.lead_unit.name == "住房和城乡建设局"


def test_a_high_threshold_falls_back_to_the_first_level_model(cast: Any, leaf_model: Any, settings: Any) -> None:
    settings.CLASSIFIER_LEAF_THRESHOLD = 1.01
    appeal = submit(cast, title="楼道灯坏了", body="3号楼楼道灯坏了，晚上看不见。")
    stored = AppealSuggestion.objects.get(appeal=appeal)
    assert "/" not in stored.suggestions[0]["label"]


def test_the_text_api_gives_the_leaf_path(client: Any, cast: Any, leaf_model: Any) -> None:
    client.force_login(cast.worker_a)
    out = client.post("/api/intelligence/suggest", {"title": "楼道灯坏了", "body": "楼道声控灯不亮"},
                      content_type="application/json").json()
    assert out["suggestions"][0]["label"] == LIGHT
