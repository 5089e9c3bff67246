"""Dispute statistics: hand-computed figures per community, subdistrict, district and alliance (by type, by outcome,
days to resolution, agreements that held, across communities); who sees which scope; no name or particulars in
any output; the Excel file holds no formula."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, User
from gongzhi.disputes import stats
from gongzhi.disputes.models import Agreement, Dispute, DisputeParty, FollowUp
from gongzhi.test import formula_cells

from .agreements_scene import make_dispute, make_scene

PII = ("张桂兰", "陈美华", "李建国", "楼上漏水", "13800138000", "110101195001011239", "和平小区1号楼")


@pytest.fixture
def scene(cast: Any) -> Any:
    s = make_scene(cast)
    now = timezone.now()
    a, c = cast.community_a, s.alliance.community_c

    def resolved(d: Dispute, created: int, done: int, status: str, **extra: Any) -> Dispute:
        Dispute.objects.filter(pk=d.pk).update(status=status, created_at=now - timedelta(days=created),
                                               resolved_at=now - timedelta(days=done), **extra)
        return d

    def agreement(d: Dispute, *visits: bool) -> None:
        Agreement.objects.create(dispute=d, facts="f", terms="t", signed_on=timezone.localdate())
        for holds in visits:
            FollowUp.objects.create(dispute=d, due_on=timezone.localdate(), done_at=now, holds=holds)

    d1 = resolved(make_dispute(a, "S-1"), 10, 0, Dispute.Status.AGREED)
    agreement(d1, True)
    FollowUp.objects.create(dispute=d1, due_on=timezone.localdate())  # not made yet: not counted
    d2 = resolved(make_dispute(a, "S-2", kind=Dispute.Kind.FAMILY), 30, 26, Dispute.Status.CLOSED)
    agreement(d2, False)
    resolved(make_dispute(a, "S-3", kind=Dispute.Kind.PROPERTY), 20, 19, Dispute.Status.REFERRED,
             referred_to=Dispute.ReferredTo.COURT)
    make_dispute(a, "S-4", kind=Dispute.Kind.LABOUR)
    resolved(make_dispute(a, "S-5"), 9, 2, Dispute.Status.CLOSED)
    dc = resolved(make_dispute(c, "S-C", alliance=s.alliance.alliance), 5, 3, Dispute.Status.AGREED)
    DisputeParty.objects.create(dispute=dc, kind="resident", side="applicant", name="陈美华", community=c)
    return s


def _fig(scope: stats.Scope) -> dict[str, Any]:
    data = stats.compute(scope).as_dict()
    data["kinds"] = {r["key"]: r["count"] for r in data.pop("by_kind") if r["count"]}
    data["outcomes"] = {r["key"]: r["count"] for r in data.pop("by_outcome")}
    return data


def test_the_figures_of_a_community_and_its_subdistrict(scene: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        data = _fig(stats.Scope("area", scene.c.community_a.pk, "x", area=scene.c.community_a))
    assert data["total"] == 6
    assert data["kinds"] == {"neighbours": 2, "family": 1, "property": 1, "labour": 1, "cross_community": 1}
    assert data["outcomes"] == {"agreed": 2, "not_agreed": 1, "referred": 1, "open": 2}
    assert data["resolved"] == 4  # 10, 4, 1 and 7 days
    assert data["median_days"] == 5.5 and data["mean_days"] == 5.5
    assert (data["agreements_signed"], data["visits_done"], data["visits_held"], data["visits_not_held"]) == (2, 2, 1, 1)
    assert data["held_rate"] == 50.0 and data["cross_community"] == 1
    sub = _fig(stats.Scope("area", scene.c.subdistrict_a.pk, "x", area=scene.c.subdistrict_a))
    assert sub["total"] == 6 and sub["outcomes"] == data["outcomes"]
    district = _fig(stats.Scope("area", scene.c.district.pk, "x", area=scene.c.district))
    assert district["total"] == 7 and district["outcomes"]["open"] == 3
    assert [r["community"] for r in district["by_community"]] == ["和平里社区", "安定门社区"]


def test_the_figures_of_the_alliance(scene: Any) -> None:
    data = _fig(stats.Scope("alliance", scene.alliance.alliance.pk, "x", alliance=scene.alliance.alliance))
    assert data["total"] == 7 and data["cross_community"] == 2
    assert data["outcomes"] == {"agreed": 3, "not_agreed": 1, "referred": 1, "open": 2}
    assert data["resolved"] == 5 and data["median_days"] == 4.0 and data["mean_days"] == 4.8  # 1 2 4 7 10


def test_who_sees_which_scope_and_no_names_anywhere(scene: Any, client: Any) -> None:
    alliance = f"alliance:{scene.alliance.alliance.pk}"
    client.force_login(scene.c.worker_a)
    page = client.get(reverse("disputes:stats"))
    assert page.status_code == 200 and page.context["figures"].total == 6  # default: the own community
    assert alliance in page.content.decode()
    page = client.get(reverse("disputes:stats"), {"scope": alliance})
    assert page.context["figures"].total == 7
    api = client.get("/api/disputes/stats", {"scope": alliance})
    assert api.status_code == 200 and api.json()["total"] == 7 and api.json()["visits_held"] == 1
    xlsx = client.get(reverse("disputes:stats_xlsx"), {"scope": alliance})
    assert xlsx.status_code == 200 and AuditEvent.objects.filter(verb="disputes.stats.export").exists()
    for body in (page.content.decode(), api.content.decode(), _xlsx_text(xlsx.content)):
        assert not [w for w in PII if w in body]
    # out of scope: 404; no statistics role: 403
    client.force_login(scene.c.worker_b)
    assert client.get(reverse("disputes:stats"), {"scope": alliance}).status_code == 404
    assert client.get(reverse("disputes:stats"), {"scope": f"area:{scene.c.community_a.pk}"}).status_code == 404
    assert client.get("/api/disputes/stats", {"scope": alliance}).status_code == 404
    assert client.get(reverse("disputes:stats"), {"scope": "nonsense"}).status_code == 404
    client.force_login(scene.alliance.worker_c)  # the other side of the border sees the alliance too
    assert client.get("/api/disputes/stats", {"scope": alliance}).json()["total"] == 7
    client.force_login(scene.c.district_admin)
    assert client.get(reverse("disputes:stats")).context["figures"].total == 7
    for who in ("resident_user", "handler", "liaison"):
        client.force_login(getattr(scene.c, who))
        assert client.get(reverse("disputes:stats")).status_code == 403, who
        assert client.get("/api/disputes/stats").status_code == 403, who


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


def test_the_export_holds_no_formula(scene: Any, client: Any) -> None:
    type(scene.c.community_a).objects.filter(pk=scene.c.community_a.pk).update(name="=HYPERLINK(\"http://x\")")
    client.force_login(User.objects.get(pk=scene.c.worker_a.pk))
    response = client.get(reverse("disputes:stats_xlsx"))
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    assert formula_cells(io.BytesIO(response.content)) == []
    assert "=HYPERLINK" in _xlsx_text(response.content)
