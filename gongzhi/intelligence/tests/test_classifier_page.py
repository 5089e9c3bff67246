"""The classifier page and its API: versions, rollback, retraining on request (from history or a labelled
file), the auto-dispatch threshold; who may do what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.core.models import AuditEvent
from gongzhi.intelligence import actions
from gongzhi.intelligence.models import AutoDispatchConfig, ClassifierVersion, TrainingJob
from gongzhi.intelligence.tests.conftest import synthetic_rows, write_csv

URL = "/intelligence/classifier/"


def csv_bytes(tmp_path: Path, rows: list[dict[str, str]] | None = None) -> bytes:
    return write_csv(tmp_path / "train.csv", rows if rows is not None else synthetic_rows()).read_bytes()


def train_version(name: str = "first.csv") -> ClassifierVersion:
    rows = synthetic_rows()
    return actions.do_train_classifier([f"{r['title']}。{r['body']}" for r in rows], [r["label"] for r in rows],
                                       acting_user=None, source_name=name, folds=0)


# -- who may see and do what --------------------------------------------------------------------------------


ADMINS = {"city_admin", "district_admin"}
EVERYONE = ["city_admin", "district_admin", "subdistrict_staff_a", "worker_a", "worker_b", "grid_worker_a", "handler",
            "liaison", "party_member_user", "volunteer", "resident_user"]


@pytest.mark.parametrize("who", EVERYONE)
def test_only_administrators_open_the_page(client: Client, cast: Any, who: str) -> None:
    assert set(cast.users()) == set(EVERYONE)
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == (200 if who in ADMINS else 403)
    nav = client.get("/").content.decode()
    assert (URL in nav) == (who in ADMINS)


def test_anonymous_users_are_sent_to_the_login(client: Client, cast: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", sorted(set(EVERYONE) - ADMINS))
def test_others_may_not_train_or_roll_back(client: Client, cast: Any, who: str) -> None:
    version = train_version()
    train_version("second.csv")
    client.force_login(getattr(cast, who))
    assert client.post(f"{URL}train/", {"source": "history"}).status_code == 403
    assert client.post(f"{URL}{version.pk}/activate/").status_code == 403
    assert client.post(f"{URL}threshold/", {"threshold": "90"}).status_code == 403
    assert not TrainingJob.objects.exists()
    assert not ClassifierVersion.objects.get(pk=version.pk).is_active


def test_a_district_administrator_may_not_set_the_city_wide_threshold(client: Client, cast: Any) -> None:
    client.force_login(cast.district_admin)
    assert "只有市级管理员可以修改阈值" in client.get(URL).content.decode()
    assert client.post(f"{URL}threshold/", {"threshold": "90"}).status_code == 403
    assert AutoDispatchConfig.current().threshold is None


# -- the page -------------------------------------------------------------------------------------------------


def test_it_lists_the_versions_and_rolls_back(client: Client, cast: Any) -> None:
    first = train_version()
    second = train_version("second.csv")
    client.force_login(cast.city_admin)
    html = client.get(URL).content.decode()
    assert "分类模型" in html and "v2" in html and "first.csv" in html and "启用" in html
    response = client.post(f"{URL}{first.pk}/activate/", follow=True)
    assert "版本 1 已启用。" in response.content.decode()
    assert ClassifierVersion.objects.get(is_active=True).pk == first.pk
    assert not ClassifierVersion.objects.get(pk=second.pk).is_active
    assert AuditEvent.objects.filter(verb="intelligence.activate_classifier", actor=cast.city_admin).exists()
    response = client.post(f"{URL}{first.pk}/activate/", follow=True)  # already active: said, nothing changes
    assert "版本 1 已在使用中。" in response.content.decode()
    assert ClassifierVersion.objects.get(is_active=True).pk == first.pk


def test_it_shows_the_active_versions_figures_per_category_and_marks_weak_ones(client: Client, cast: Any) -> None:
    version = train_version()
    client.force_login(cast.city_admin)
    assert "data-testid=\"per-category\"" not in client.get(URL).content.decode()  # trained without CV
    version.cv_per_class = [
        {"label": "交通运输", "precision": 0.9, "recall": 0.85, "f1": 0.8743, "support": 12},
        {"label": "环境保护", "precision": 0.7, "recall": 0.75, "f1": 0.7241, "support": 12},
    ]
    version.save(update_fields=["cv_per_class"])
    html = client.get(URL).content.decode()
    assert "各分类的交叉验证表现" in html and "精确率" in html and "召回率" in html
    weak = html.split('data-category="环境保护"', 1)[1].split("</tr>", 1)[0]
    strong = html.split('data-category="交通运输"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="tag red">0.724</span>' in weak and "tag red" not in strong and "0.874" in strong


def test_it_trains_from_an_uploaded_file_in_the_background(client: Client, cast: Any, tmp_path: Path) -> None:
    client.force_login(cast.city_admin)
    upload = SimpleUploadedFile("标注.csv", csv_bytes(tmp_path), content_type="text/csv")
    response = client.post(f"{URL}train/", {"source": "file", "file": upload}, follow=True)
    html = response.content.decode()
    job = TrainingJob.objects.get()
    assert job.status == TrainingJob.Status.SUCCEEDED and job.created_by == cast.city_admin
    assert job.version is not None and job.version.is_active and job.version.source_name == "标注.csv"
    assert job.version.cv_macro_f1 is not None  # cross-validated before it was stored
    assert "版本 1 已用 36 条留言训练完成并启用" in html and "标注.csv" in html
    assert AuditEvent.objects.filter(verb="intelligence.request_training", actor=cast.city_admin).exists()
    assert AuditEvent.objects.filter(verb="intelligence.train_classifier", actor=cast.city_admin).exists()
    # The worker's status changes are audited too, as the system's (no actor).
    worker = AuditEvent.objects.filter(object_type="intelligence.trainingjob", object_id=str(job.pk),
                                       actor=None).order_by("pk")
    assert [(e.verb, e.after) for e in worker] == [
        ("intelligence.start_training_job", {"status": "running"}),
        ("intelligence.finish_training_job", {"status": "succeeded", "version": job.version.number})]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("train.xlsx", b"id,title,body,created_at,label\n", "只能用CSV文件训练"),
    ("train.csv", "标题,内容\n a,b\n".encode("gbk"), "不是 UTF-8 编码"),
    ("train.csv", "id,title,body\n1,标题,内容\n".encode(), "文件缺少列 label"),
    ("train.csv", "id,title,body,created_at,label\n1,标题,内容,2019-01-01,交通运输\n".encode(), "至少需要两个"),
])
def test_it_refuses_a_bad_file_at_once_and_queues_nothing(client: Client, cast: Any, name: str, content: bytes,
                                                          expected: str) -> None:
    client.force_login(cast.city_admin)
    response = client.post(f"{URL}train/", {"source": "file", "file": SimpleUploadedFile(name, content)}, follow=True)
    assert expected in response.content.decode()
    assert not TrainingJob.objects.exists() and not ClassifierVersion.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client: Client, cast: Any, settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(cast.city_admin)
    response = client.post(f"{URL}train/", {"source": "file", "file": SimpleUploadedFile("train.csv", csv_bytes(tmp_path))},
                           follow=True)
    assert "文件过大" in response.content.decode() and "上限为 0 MB" in response.content.decode()
    assert not TrainingJob.objects.exists()


def test_it_asks_for_a_file_when_none_was_chosen(client: Client, cast: Any) -> None:
    client.force_login(cast.city_admin)
    response = client.post(f"{URL}train/", {"source": "file"}, follow=True)
    assert "请选择用于训练的标注CSV文件" in response.content.decode()
    assert not TrainingJob.objects.exists()


def test_retraining_from_too_little_history_fails_with_the_reason(client: Client, cast: Any) -> None:
    client.force_login(cast.city_admin)
    response = client.post(f"{URL}train/", {"source": "history"}, follow=True)
    job = TrainingJob.objects.get()
    assert job.status == TrainingJob.Status.FAILED and job.version is None
    assert "有分类的已办结诉求只有 0 条，重新训练至少需要 200 条" in job.message
    assert job.message in response.content.decode()
    assert not ClassifierVersion.objects.exists()
    finished = AuditEvent.objects.get(verb="intelligence.finish_training_job", object_id=str(job.pk))
    assert finished.actor is None and finished.after == {"status": "failed", "version": None}


def test_retraining_from_history_makes_a_history_version(client: Client, cast: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    rows = synthetic_rows()
    monkeypatch.setattr(actions, "history_rows", lambda: [(f"{r['title']}。{r['body']}", r["label"]) for r in rows])
    client.force_login(cast.district_admin)
    monkeypatch.setattr(actions, "MIN_HISTORY_SIZE", 10)
    client.post(f"{URL}train/", {"source": "history"})
    job = TrainingJob.objects.get()
    assert job.status == TrainingJob.Status.SUCCEEDED, job.message
    assert job.version is not None and job.version.source == ClassifierVersion.Source.HISTORY
    assert job.version.training_size == len(rows)


def test_a_job_runs_once(cast: Any) -> None:
    job = actions.do_request_training(cast.city_admin, source=ClassifierVersion.Source.HISTORY)
    TrainingJob.objects.filter(pk=job.pk).update(status=TrainingJob.Status.RUNNING)  # another worker has it
    assert actions.run_training_job(job).status == TrainingJob.Status.RUNNING
    assert not ClassifierVersion.objects.exists()
    assert not AuditEvent.objects.filter(verb__in=["intelligence.start_training_job",
                                                   "intelligence.finish_training_job"]).exists()


def test_it_sets_and_turns_off_the_auto_dispatch_threshold(client: Client, cast: Any) -> None:
    client.force_login(cast.city_admin)
    response = client.post(f"{URL}threshold/", {"threshold": "90"}, follow=True)
    assert "置信度不低于 90%" in response.content.decode()
    assert AutoDispatchConfig.current().threshold == 0.9
    assert "已开启：90%" in client.get(URL).content.decode()
    for bad in ("abc", "30", "101"):
        response = client.post(f"{URL}threshold/", {"threshold": bad}, follow=True)
        assert "请填写50到100之间的百分数" in response.content.decode()
        assert AutoDispatchConfig.current().threshold == 0.9
    client.post(f"{URL}threshold/", {"threshold": "90", "off": "1"})
    assert AutoDispatchConfig.current().threshold is None
    assert AuditEvent.objects.filter(verb="appeals.auto_dispatch_config.update").count() == 2


# -- the API ----------------------------------------------------------------------------------------------


def test_the_api_trains_from_a_file_and_reports_the_job(client: Client, cast: Any, tmp_path: Path) -> None:
    client.force_login(cast.city_admin)
    response = client.post("/api/intelligence/trainings/file",
                           {"file": SimpleUploadedFile("train.csv", csv_bytes(tmp_path))})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "succeeded" and body["version"] == 1 and body["file_name"] == "train.csv"
    assert client.get(f"/api/intelligence/trainings/{body['id']}").json()["status_label"] == "已完成"


def test_the_api_refuses_a_bad_file_with_a_chinese_message(client: Client, cast: Any) -> None:
    client.force_login(cast.city_admin)
    response = client.post("/api/intelligence/trainings/file", {"file": SimpleUploadedFile("train.txt", b"x")})
    assert response.status_code == 400 and "只能用CSV文件训练" in response.json()["detail"]
    assert not TrainingJob.objects.exists()


def test_the_api_reports_a_failed_history_training(client: Client, cast: Any) -> None:
    client.force_login(cast.district_admin)
    response = client.post("/api/intelligence/trainings/history")
    assert response.status_code == 202 and response.json()["status"] == "failed"
    assert "至少需要 200 条" in response.json()["message"]


@pytest.mark.parametrize("who", ["subdistrict_staff_a", "worker_a", "handler", "resident_user"])
def test_the_api_refuses_training_to_others(client: Client, cast: Any, tmp_path: Path, who: str) -> None:
    client.force_login(getattr(cast, who))
    assert client.post("/api/intelligence/trainings/history").status_code == 403
    assert client.post("/api/intelligence/trainings/file",
                       {"file": SimpleUploadedFile("train.csv", csv_bytes(tmp_path))}).status_code == 403
    job = actions.do_request_training(cast.city_admin, source=ClassifierVersion.Source.HISTORY)
    assert client.get(f"/api/intelligence/trainings/{job.pk}").status_code == 403
    assert TrainingJob.objects.count() == 1


def test_the_page_polls_while_a_training_waits_or_runs(client: Client, cast: Any) -> None:
    job = actions.do_request_training(cast.city_admin, source=ClassifierVersion.Source.HISTORY)  # not run here
    client.force_login(cast.city_admin)
    html = client.get(URL).content.decode()
    assert 'hx-trigger="every 5s"' in html and "等待中" in html
    actions.run_training_job(job)  # fails: no history
    html = client.get(URL).content.decode()
    assert 'hx-trigger="every 5s"' not in html and "失败" in html


def test_it_counts_how_often_the_top_suggestion_was_adopted(client: Client, cast: Any) -> None:
    from gongzhi.appeals import actions as appeal_actions

    def appeal() -> Any:
        return appeal_actions.do_submit_appeal(acting_user=None, title="路灯坏了", body="和平小区路灯坏了",
                                               callback_phone="13800138000", area=cast.building_a, system=True)

    actions.do_record_suggestion_feedback(appeal(), suggested_label="城乡建设", final_label="城乡建设", acting_user=None)
    actions.do_record_suggestion_feedback(appeal(), suggested_label="交通运输", final_label="城乡建设", acting_user=None)
    client.force_login(cast.city_admin)
    html = client.get(URL).content.decode()
    assert "带推荐派出的诉求</dt><dd>2</dd>" in html
    assert "采用首选推荐</dt><dd>1 (50%)</dd>" in html
    assert "派单员改正</dt><dd>1</dd>" in html


def test_a_request_that_fails_half_way_leaves_no_job(cast: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(actions, "log_event", broken)
    with pytest.raises(RuntimeError):
        actions.do_request_training(cast.city_admin, source=ClassifierVersion.Source.FILE, name="train.csv",
                                    content=csv_bytes(tmp_path))
    assert not TrainingJob.objects.exists()
