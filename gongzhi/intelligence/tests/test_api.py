from __future__ import annotations

from gongzhi.intelligence import actions
from gongzhi.lib.text.classifier import message_text

from .conftest import synthetic_rows


def _two_versions():  # type: ignore[no-untyped-def]
    rows = synthetic_rows()
    texts, labels = [message_text(r["title"], r["body"]) for r in rows], [r["label"] for r in rows]
    return (actions.do_train_classifier(texts, labels, acting_user=None, folds=0),
            actions.do_train_classifier(texts, labels, acting_user=None, folds=0))


def test_it_suggests_categories_over_the_api(client, cast) -> None:  # type: ignore[no-untyped-def]
    _two_versions()
    client.force_login(cast.worker_a)
    response = client.post("/api/intelligence/suggest", {"title": "地铁线路", "body": "公交车站太远"},
                           content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 2
    assert data["suggestions"][0]["label"] == "交通运输"
    assert sum(s["confidence"] for s in data["suggestions"]) <= 1.0001


def test_it_lists_versions(client, cast) -> None:  # type: ignore[no-untyped-def]
    _first, second = _two_versions()
    client.force_login(cast.district_admin)
    data = client.get("/api/intelligence/versions").json()
    assert [v["number"] for v in data] == [2, 1]
    assert data[0]["is_active"] and data[0]["source_label"] == "标注文件"
    assert data[0]["cv_per_class"] == []  # trained without cross-validation
    row = {"label": "交通运输", "precision": 0.9, "recall": 0.85, "f1": 0.8743, "support": 12}
    second.cv_per_class = [row]
    second.save(update_fields=["cv_per_class"])
    assert client.get("/api/intelligence/versions").json()[0]["cv_per_class"] == [row]


def test_it_lets_admins_activate_and_refuses_others(client, cast) -> None:  # type: ignore[no-untyped-def]
    v1, _ = _two_versions()
    url = f"/api/intelligence/versions/{v1.pk}/activate"
    for name in ["worker_a", "subdistrict_staff_a", "handler", "resident_user"]:
        client.force_login(getattr(cast, name))
        response = client.post(url)
        assert response.status_code == 403, name
        assert "管理员" in response.json()["detail"]
    client.force_login(cast.district_admin)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    client.force_login(cast.city_admin)
    assert client.post(url).status_code == 400  # already active
    assert client.post("/api/intelligence/versions/999/activate").status_code == 404


def test_it_refuses_anonymous_and_residents(client, cast) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/intelligence/suggest", {"title": "x"}, content_type="application/json").status_code == 401
    client.force_login(cast.resident_user)
    assert client.post("/api/intelligence/suggest", {"title": "x"},
                       content_type="application/json").status_code == 403


def test_what_moved_from_the_appeals_api_still_takes_an_api_key(client, cast) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.appeals import actions as appeal_actions
    from gongzhi.core.models import ApiKey

    appeal = appeal_actions.do_submit_appeal(acting_user=None, system=True, title="路灯坏了", body="1号楼前路灯坏了",
                                             callback_phone="13800000001", area=cast.building_a)
    _, raw = ApiKey.issue(user=cast.worker_a, name="热线系统")
    for url in (f"/api/intelligence/cases/{appeal.case_id}/suggestions",
                f"/api/intelligence/cases/{appeal.case_id}/duplicates"):
        assert client.get(url, headers={"X-API-Key": raw}).status_code == 200, url
        assert client.get(url, headers={"X-API-Key": "nope"}).status_code == 401, url
    _, admin_key = ApiKey.issue(user=cast.city_admin, name="市级对接")
    assert client.get("/api/intelligence/config/auto-dispatch", headers={"X-API-Key": admin_key}).status_code == 200
    # The rest of the router stays for signed-in staff.
    assert client.get("/api/intelligence/versions", headers={"X-API-Key": admin_key}).status_code == 401
