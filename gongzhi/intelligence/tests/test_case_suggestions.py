"""The dispatch screen's category suggestions (intelligence's panel on the appeals' case page): shown to
dispatchers, adopted in one click, over the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Case, Category
from gongzhi.intelligence import actions as intelligence_actions
from gongzhi.intelligence.models import SuggestionFeedback
from gongzhi.intelligence.suggestions import Suggestion, categories_for_labels
from gongzhi.intelligence.tests.test_autodispatch import submit, train_model


@pytest.fixture(autouse=True)
def _model(settings: Any, tmp_path: Any, db: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    intelligence_actions._cache.clear()
    train_model()
    yield
    intelligence_actions._cache.clear()


def test_it_shows_the_top_three_suggestions_with_confidence_and_lead_unit(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    client.force_login(cast.worker_a)
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    assert "分类建议" in page and "置信度" in page and "采用" in page
    assert page.count('data-testid="suggestion"') == 3
    assert "城市管理 › 市容环境 › 垃圾清运" in page
    assert "和平街道办事处" in page  # no routing rule: the subdistrict office leads


def test_an_unlikely_category_reads_under_one_percent_not_zero() -> None:
    assert [Suggestion("城乡建设", c).percent_text for c in (0.0, 0.004, 0.006, 0.994)] == ["<1", "<1", "1", "99"]


def test_it_hides_suggestions_from_those_who_cannot_dispatch(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    # The resident who sent it never opens the staff case (issue 17, finding 4); a grid worker sees it, may not
    # dispatch it.
    client.force_login(cast.resident_user)
    assert client.get(f"/appeals/cases/{appeal.case_id}/").status_code == 404
    assert client.get(f"/api/intelligence/cases/{appeal.case_id}/suggestions").status_code == 404
    client.force_login(cast.grid_worker_a)
    page = client.get(f"/appeals/cases/{appeal.case_id}/").content.decode()
    assert "分类建议" not in page
    assert client.get(f"/api/intelligence/cases/{appeal.case_id}/suggestions").status_code == 403
    assert client.get(f"/api/appeals/cases/{appeal.case_id}").json()["suggestions"] == []
    client.force_login(cast.worker_b)
    assert client.get(f"/api/intelligence/cases/{appeal.case_id}/suggestions").status_code == 404


def test_it_dispatches_in_one_click_and_records_the_confirmation(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    case = Case.objects.get(pk=appeal.case_id or 0)
    client.force_login(cast.worker_a)
    response = client.post(f"/intelligence/cases/{case.pk}/adopt/", {"rank": 0, "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED and not case.auto_dispatched
    assert case.category == Category.objects.get(name="垃圾清运")
    assert case.lead_unit is not None and case.lead_unit.name == "和平街道办事处"
    feedback = SuggestionFeedback.objects.get(appeal=appeal)
    assert not feedback.corrected


def test_it_refuses_an_unknown_suggestion_rank(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    client.force_login(cast.worker_a)
    assert client.post(f"/intelligence/cases/{appeal.case_id}/adopt/", {"rank": 7}).status_code == 404
    client.force_login(cast.handler)
    assert client.post(f"/intelligence/cases/{appeal.case_id}/adopt/", {"rank": 0}).status_code in (403, 404)


def test_it_gives_suggestions_over_the_api(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    client.force_login(cast.worker_a)
    rows = client.get(f"/api/intelligence/cases/{appeal.case_id}/suggestions").json()
    assert [r["label"] for r in rows][0] == "城乡建设" and len(rows) == 3
    assert rows[0]["category_name"] == "城市管理" and rows[0]["lead_unit_name"] == "和平街道办事处"
    detail = client.get(f"/api/appeals/cases/{appeal.case_id}").json()
    assert detail["suggestions"][0]["dispatch_category_name"] == "城市管理 / 市容环境 / 垃圾清运"
    assert detail["auto_dispatched"] is False


def test_a_category_change_reaches_suggestions_at_once(cast: Any) -> None:
    top = Category.objects.filter(level=1).order_by("sort_order", "id").first()
    assert top is not None
    assert categories_for_labels([top.name])[top.name] == top  # read once: now cached in this process
    appeals_actions.do_update_category(top, acting_user=cast.city_admin, name="新的分类名")
    assert categories_for_labels(["新的分类名"])["新的分类名"].pk == top.pk
    assert top.pk not in {c.pk for c in categories_for_labels([top.name]).values()}
