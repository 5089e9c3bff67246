"""Service certificates (志愿服务记录证明): issued by staff from confirmed sign-ups in the period (stored with
them), a Word document without the full ID number and with the check address, the public check page (valid,
superseded, unknown 404, rate-limited), and the hours export (Excel, no formula cells)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.service.actions import members as actions
from gongzhi.service.certificates import supersede_for_signups
from gongzhi.service.models import Certificate, VolunteerProfile
from gongzhi.test import Cast, formula_cells

from .members_scene import past, serve

pytestmark = pytest.mark.django_db
ID_NUMBER = "110101199003077571"


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _profile(cast: Cast) -> VolunteerProfile:
    return actions.do_update_volunteer_profile(None, acting_user=cast.volunteer, user=cast.volunteer,
                                               community=cast.community_a, organisation="和平里志愿服务队",
                                               skills="助老", id_number=ID_NUMBER)


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_staff_issue_a_certificate_and_anyone_checks_it(cast: Cast) -> None:
    profile = _profile(cast)
    first = serve(cast.volunteer, cast.community_a, days_ago=20, minutes=90, title="敬老院探访")
    serve(cast.volunteer, cast.community_a, days_ago=10, minutes=60, title="垃圾分类宣传")
    serve(cast.volunteer, cast.community_a, days_ago=5, minutes=60, title="未确认", confirmed=False)
    serve(cast.volunteer, cast.community_b, days_ago=5, minutes=60, title="别的社区")
    serve(cast.volunteer, cast.community_a, days_ago=40, minutes=60, title="期前")
    start, end = past(25).date(), timezone.localdate()
    response = _client(cast.worker_a).post(reverse("service:certificate_issue", args=[profile.pk]),
                                           {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 302, response.content.decode()[:500]
    cert = Certificate.objects.get()
    assert str(cert.hours) == "2.50" and cert.signups.count() == 2
    assert cert.masked_id == "110***********7571" and cert.organisation == "和平里志愿服务队"
    assert "敬老院探访" in cert.content and "期前" not in cert.content
    assert len(cert.code) == 12 and not cert.code.isdigit() and str(cert.pk) != cert.code
    assert AuditEvent.objects.filter(verb="service.certificate.issue").exists()
    assert Notification.objects.filter(user=cast.volunteer, verb="service.certificate.issued").exists()

    # The Word document: masked ID only, the code and the check address.
    doc = _client(cast.volunteer).get(reverse("service:certificate_docx", args=[cert.pk]))
    assert doc.status_code == 200
    text = _docx_text(doc.content)
    assert ID_NUMBER not in text and "110***********7571" in text
    assert cert.code in text and f"/service/certificates/{cert.code}/" in text and "2.50" in text
    assert _client(cast.worker_b).get(reverse("service:certificate_docx", args=[cert.pk])).status_code == 404
    assert _client(cast.resident_user).get(reverse("service:certificate_docx", args=[cert.pk])).status_code == 404

    # The public page: no sign-in.
    public = Client().get(reverse("service:certificate_check", args=[cert.code]))
    assert public.status_code == 200
    html = public.content.decode()
    assert 'data-state="valid"' in html and "2.50" in html and ID_NUMBER not in html
    assert Client().get(reverse("service:certificate_check", args=[cert.code.lower()])).status_code == 200

    # A correction of one of its hours supersedes it.
    assert supersede_for_signups([first.signup], "签退时间更正") == 1
    superseded = Client().get(reverse("service:certificate_check", args=[cert.code])).content.decode()
    assert 'data-state="superseded"' in superseded and "签退时间更正" in superseded


def test_an_unknown_code_is_404_and_the_page_is_rate_limited(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    assert Client().get(reverse("service:certificate_check", args=["ABCDEFGHJKMN"])).status_code == 404
    assert Client().get(reverse("service:certificate_check", args=["1"])).status_code == 404
    settings.SERVICE_CERTIFICATE_CHECK_RATE = (2, 600)
    client = Client()
    codes = [client.get(reverse("service:certificate_check", args=["ABCDEFGHJKMX"])).status_code for _n in range(4)]
    assert codes[-1] == 429


def test_bad_requests_issue_nothing(cast: Cast) -> None:
    profile = _profile(cast)
    url = reverse("service:certificate_issue", args=[profile.pk])
    worker = _client(cast.worker_a)
    today = timezone.localdate()
    # No hours in the period; the period backwards; a bad date; the future.
    assert worker.post(url, {"start": today.isoformat(), "end": today.isoformat()}).status_code == 400
    assert worker.post(url, {"start": today.isoformat(), "end": past(3).date().isoformat()}).status_code == 400
    assert worker.post(url, {"start": "2026-13-01", "end": today.isoformat()}).status_code == 400
    serve(cast.volunteer, cast.community_a, days_ago=3)
    tomorrow = today.replace(year=today.year + 1)
    assert worker.post(url, {"start": past(5).date().isoformat(), "end": tomorrow.isoformat()}).status_code == 400
    # Who may issue: not the volunteer, not the other community (404), not a grid worker (403).
    good = {"start": past(5).date().isoformat(), "end": today.isoformat()}
    assert _client(cast.volunteer).post(url, good).status_code == 403
    assert _client(cast.worker_b).post(url, good).status_code == 404
    assert _client(cast.grid_worker_a).post(url, good).status_code == 404
    assert not Certificate.objects.exists()
    assert worker.post(url, good).status_code == 302
    assert Certificate.objects.count() == 1


def test_the_hours_export(cast: Cast) -> None:
    _profile(cast)
    serve(cast.volunteer, cast.community_a, days_ago=3, minutes=90)
    serve(cast.resident_user, cast.community_a, days_ago=4, minutes=30, title="=HYPERLINK(\"http://x\")")
    serve(cast.resident_user, cast.community_b, days_ago=4, minutes=30)
    url = reverse("service:volunteer_export") + (f"?community={cast.community_a.pk}&start={past(10).date()}"
                                                 f"&end={timezone.localdate()}")
    response = _client(cast.worker_a).get(url)
    assert response.status_code == 200
    assert formula_cells(io.BytesIO(response.content)) == []
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["志愿者小刘"][3] == "和平里志愿服务队" and by_name["志愿者小刘"][5] == 1.5
    assert by_name["张桂兰"][5] == 0.5
    assert AuditEvent.objects.filter(verb="service.volunteer.export").exists()
    assert _client(cast.worker_b).get(url).status_code == 404
    assert _client(cast.grid_worker_a).get(url).status_code == 404
    assert _client(cast.volunteer).get(url).status_code == 403
