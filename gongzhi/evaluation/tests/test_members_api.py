"""The members part over /api/evaluation/: list and get flags, run the check (the subdistrict), keep and remove
(400 with the Chinese message on bad input, 403 not allowed, 404 out of scope, 409 already reviewed), the letter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.core.models import AuditEvent, CommitteeMembership, Notification
from gongzhi.evaluation.models import TitleOnlyFlag
from gongzhi.test import Cast

from .members_scene import NAME, open_flag, seat

pytestmark = pytest.mark.django_db
API = "/api/evaluation"


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _check(cast: Cast) -> TitleOnlyFlag:
    m = seat(cast)
    r = _client(cast.subdistrict_staff_a).post(f"{API}/flags/check", {"area_id": cast.subdistrict_a.pk},
                                               content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["flagged"] == 1
    return open_flag(m)


def test_it_runs_the_check_and_lists_the_flags(cast: Cast) -> None:
    flag = _check(cast)
    staff = _client(cast.subdistrict_staff_a)
    rows = staff.get(f"{API}/flags").json()
    assert [r["id"] for r in rows] == [flag.pk]
    row = rows[0]
    assert row["person_name"] == NAME and row["status"] == "open" and row["unit"] == "和平物业服务有限公司"
    assert row["reasons"] == ["no_meeting", "no_claim", "no_report"]
    assert row["facts"]["never_invited"] is True and row["facts"]["meetings_invited"] == 0
    assert row["letter_url"] == ""
    assert staff.get(f"{API}/flags?status=kept").json() == []
    assert staff.get(f"{API}/flags/{flag.pk}").json()["id"] == flag.pk
    assert _client(cast.worker_b).get(f"{API}/flags/{flag.pk}").status_code == 404
    assert _client(cast.resident_user).get(f"{API}/flags").status_code == 403


def test_only_the_subdistrict_runs_the_check(cast: Cast) -> None:
    seat(cast)
    r = _client(cast.worker_a).post(f"{API}/flags/check", {"area_id": cast.subdistrict_a.pk},
                                    content_type="application/json")
    assert r.status_code == 403
    r = _client(cast.subdistrict_staff_a).post(f"{API}/flags/check", {"area_id": cast.subdistrict_b.pk},
                                               content_type="application/json")
    assert r.status_code == 403
    r = _client(cast.subdistrict_staff_a).post(f"{API}/flags/check", {"area_id": cast.community_a.pk},
                                               content_type="application/json")
    assert r.status_code == 400 and "街道" in r.json()["detail"]
    assert not TitleOnlyFlag.objects.exists()


def test_keep_needs_a_note(cast: Cast) -> None:
    flag = _check(cast)
    staff = _client(cast.subdistrict_staff_a)
    r = staff.post(f"{API}/flags/{flag.pk}/keep", {"note": "  "}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "note" and "理由" in r.json()["detail"]
    r = staff.post(f"{API}/flags/{flag.pk}/keep", {"note": "已返岗"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "kept" and r.json()["review_note"] == "已返岗"
    r = staff.post(f"{API}/flags/{flag.pk}/remove", {"reason": "不履职"}, content_type="application/json")
    assert r.status_code == 409
    assert CommitteeMembership.objects.get(pk=flag.membership_id).active


def test_remove_ends_the_membership_and_the_unit_gets_the_letter(cast: Cast) -> None:
    flag = _check(cast)
    staff = _client(cast.subdistrict_staff_a)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    r = staff.post(f"{API}/flags/{flag.pk}/remove", {"reason": "不履职", "ended_on": future},
                   content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "ended_on"
    r = staff.post(f"{API}/flags/{flag.pk}/remove", {"reason": ""}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = _client(cast.worker_a).post(f"{API}/flags/{flag.pk}/remove", {"reason": "不履职"},
                                    content_type="application/json")
    assert r.status_code == 403
    assert not AuditEvent.objects.filter(verb="evaluation.remove_member").exists()
    r = staff.post(f"{API}/flags/{flag.pk}/remove", {"reason": "不履职"}, content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "removed" and body["membership_active"] is False
    assert body["ended_on"] == timezone.localdate().isoformat()
    assert body["end_reason"] == "因履职不到位（空挂）免去兼职委员：不履职"
    assert Notification.objects.filter(verb="evaluation.member_removed", user=cast.liaison).exists()
    liaison = _client(cast.liaison)
    assert [row["id"] for row in liaison.get(f"{API}/flags").json()] == [flag.pk]
    letter = liaison.get(body["letter_url"])
    assert letter.status_code == 200 and letter.content[:2] == b"PK"


def test_no_letter_for_an_open_flag(cast: Cast) -> None:
    flag = _check(cast)
    assert _client(cast.subdistrict_staff_a).get(f"{API}/flags/{flag.pk}/letter").status_code == 404


def test_the_operations_are_documented(cast: Cast) -> None:
    schema = _client(cast.subdistrict_staff_a).get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/evaluation/flags", "/api/evaluation/flags/{flag_id}", "/api/evaluation/flags/check",
                 "/api/evaluation/flags/{flag_id}/keep", "/api/evaluation/flags/{flag_id}/remove",
                 "/api/evaluation/flags/{flag_id}/letter"):
        assert path in paths, path
    assert "EvaluationFlagOut" in schema["components"]["schemas"]
