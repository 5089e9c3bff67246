"""The members part's API (/api/service/): register, list, confirm and decline (400 without a reason, 409 when
already decided), a member's year (masked, 404 out of scope), the unit report (JSON, Word, send), volunteer
profiles, the hours export, certificates (issue, list, Word) and the public verification (no sign-in)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.core.models import Registration
from gongzhi.service.models import ServiceReport
from gongzhi.test import Cast

from .members_scene import serve

pytestmark = pytest.mark.django_db


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _send(client: Client, url: str, body: dict[str, Any] | None = None, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_registrations_through_the_api(cast: Cast) -> None:
    member, worker = _client(cast.party_member_user), _client(cast.worker_a)
    created = _send(member, "/api/service/registrations", {"community_id": cast.community_a.pk})
    assert created.status_code == 201, created.content
    reg = created.json()
    assert reg["status"] == "pending" and reg["party_member"] == "王红"
    assert _send(member, "/api/service/registrations", {"community_id": cast.community_a.pk}).status_code == 400
    listed = worker.get("/api/service/registrations?status=pending").json()
    assert [r["id"] for r in listed] == [reg["id"]]
    assert _client(cast.worker_b).get("/api/service/registrations").json() == []
    assert _send(_client(cast.worker_b), f"/api/service/registrations/{reg['id']}/confirm").status_code == 404
    assert _send(member, f"/api/service/registrations/{reg['id']}/confirm").status_code == 403
    assert _send(worker, f"/api/service/registrations/{reg['id']}/decline", {"reason": " "}).status_code == 400
    declined = _send(worker, f"/api/service/registrations/{reg['id']}/decline", {"reason": "不在本社区居住"})
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "不在本社区居住"
    assert _send(worker, f"/api/service/registrations/{reg['id']}/confirm").status_code == 409
    again = _send(member, "/api/service/registrations", {"community_id": cast.community_a.pk})
    assert again.status_code == 201 and again.json()["id"] == reg["id"] and again.json()["status"] == "pending"
    confirmed = _send(worker, f"/api/service/registrations/{reg['id']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    unit = _send(_client(cast.liaison), "/api/service/registrations",
                 {"community_id": cast.community_b.pk, "unit_id": cast.member_unit.pk})
    assert unit.status_code == 201 and unit.json()["kind"] == "unit"
    assert _send(_client(cast.resident_user), "/api/service/registrations",
                 {"community_id": cast.community_a.pk}).status_code == 400


def test_a_member_s_year_and_the_unit_report_through_the_api(cast: Cast) -> None:
    core_reg = _send(_client(cast.party_member_user), "/api/service/registrations",
                     {"community_id": cast.community_a.pk}).json()
    worker = _client(cast.worker_a)
    _send(worker, f"/api/service/registrations/{core_reg['id']}/confirm")
    serve(cast.party_member_user, cast.community_a, days_ago=min(2, timezone.localdate().timetuple().tm_yday - 1),
          minutes=90)
    year = timezone.localdate().year
    y = _client(cast.party_member_user).get(f"/api/service/members/{cast.party_member_a.pk}/year").json()
    assert y["hours"] in ("1.50", 1.5) and y["phone"] == "137****7000" and y["registrations"][0]["status"] == "confirmed"
    assert _client(cast.worker_b).get(f"/api/service/members/{cast.party_member_a.pk}/year").status_code == 404
    base = f"/api/service/reports/{cast.community_a.pk}/{cast.member_unit.pk}/{year}"
    report = worker.get(base).json()
    assert [r["name"] for r in report["rows"]] == ["王红"]
    assert worker.get(base + "/docx").status_code == 200
    assert _client(cast.liaison).get(base).status_code == 404
    assert _send(_client(cast.liaison), base + "/send").status_code == 404
    sent = _send(worker, base + "/send")
    assert sent.status_code == 201 and ServiceReport.objects.count() == 1
    assert _client(cast.liaison).get(base).status_code == 200


def test_volunteers_and_certificates_through_the_api(cast: Cast) -> None:
    me = _client(cast.volunteer)
    assert me.get("/api/service/volunteers/me").status_code == 404
    saved = _send(me, "/api/service/volunteers/me", {"skills": "助老", "id_number": "110101199003077571"}, "put")
    assert saved.status_code == 200 and saved.json()["id_number"] == "110***********7571"
    pid = saved.json()["id"]
    assert _send(me, "/api/service/volunteers/me", {"id_number": "123"}, "put").status_code == 400
    worker = _client(cast.worker_a)
    assert _send(worker, f"/api/service/volunteers/{pid}", {"organisation": "和平里志愿服务队"}, "patch").json()[
        "organisation"] == "和平里志愿服务队"
    assert _send(_client(cast.worker_b), f"/api/service/volunteers/{pid}", {"skills": "x"}, "patch").status_code == 404
    serve(cast.volunteer, cast.community_a, days_ago=3, minutes=120)
    today = timezone.localdate()
    body = {"user_id": cast.volunteer.pk, "community_id": cast.community_a.pk,
            "start": str(today - timedelta(days=10)), "end": str(today)}
    assert _send(me, "/api/service/certificates", body).status_code == 403
    assert _send(_client(cast.worker_b), "/api/service/certificates", body).status_code == 404
    issued = _send(worker, "/api/service/certificates", body)
    assert issued.status_code == 201, issued.content
    cert = issued.json()
    assert cert["hours"] in ("2.00", 2.0) and cert["check_url"].endswith(f"/service/certificates/{cert['code']}/")
    assert [c["id"] for c in me.get("/api/service/certificates").json()] == [cert["id"]]
    assert me.get(f"/api/service/certificates/{cert['id']}/docx").status_code == 200
    public = Client().get(f"/api/service/certificates/verify/{cert['code']}")
    assert public.status_code == 200 and public.json()["valid"] is True
    assert Client().get("/api/service/certificates/verify/ABCDEFGHJKMN").status_code == 404
    xlsx = worker.get(f"/api/service/volunteers/hours.xlsx?community_id={cast.community_a.pk}"
                      f"&start={today - timedelta(days=10)}&end={today}")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _client(cast.grid_worker_a).get(f"/api/service/volunteers/hours.xlsx?community_id={cast.community_a.pk}"
                                           f"&start={today}&end={today}").status_code == 404
    assert Registration.objects.count() == 1
