"""The agreements part's demo step (order 86): the cross-border dispute's signed agreement with its follow-up due
within the week; in 锦华社区 an older agreement followed up (holds) and closed, and one that did not hold."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from gongzhi.core.models import User
from gongzhi.disputes.demo_cases import cross_border_dispute
from gongzhi.disputes.models import Agreement, Dispute, FollowUp
from gongzhi.disputes.reg_agreements import follow_up_tasks


@pytest.fixture(scope="module")
def demo(demo_city: Any) -> str:
    return str(demo_city.output)


@pytest.mark.django_db
def test_the_demo_has_the_agreements_and_their_visits(demo: str) -> None:
    today = timezone.localdate()
    cross = cross_border_dispute()
    assert cross is not None and cross.status == Dispute.Status.AGREED and cross.alliance is not None
    agreement = Agreement.objects.get(dispute=cross)
    assert agreement.signed_on == today - timedelta(days=27) and "网箱" in agreement.terms
    visit = FollowUp.objects.get(dispute=cross)
    assert visit.done_at is None and today < visit.due_on <= today + timedelta(days=7)
    assert cross.sessions.filter(held_at__date__gt=agreement.signed_on).count() == 0  # sessions came first
    held = Dispute.objects.get(title="空调外机噪音及冷凝水滴落纠纷")
    assert held.status == Dispute.Status.CLOSED and held.community.name == "锦华社区"
    assert list(held.follow_ups.values_list("holds", flat=True)) == [True]
    broken = Dispute.objects.get(title="共用楼道堆放杂物纠纷")
    assert broken.status == Dispute.Status.AGREED and list(broken.follow_ups.values_list("holds", flat=True)) == [False]
    tasks = follow_up_tasks(User.objects.get(username="fx_worker"))
    assert tasks and tasks[0].count >= 1 and tasks[0].kind == "soon"
    assert "disputes.agreements" in demo


@pytest.mark.django_db
def test_the_demo_pages_show_them(demo: str) -> None:
    client = Client()
    cross = cross_border_dispute()
    assert cross is not None
    client.force_login(User.objects.get(username="fx_worker"))
    panel = client.get(reverse("disputes:agreement", args=[cross.pk])).content.decode()
    assert 'data-testid="agreement-docx"' in panel and 'data-testid="follow-up-record"' in panel
    text = "\n".join(p.text for p in Document(io.BytesIO(
        client.get(reverse("disputes:agreement_docx", args=[cross.pk])).content)).paragraphs)
    names = list(cross.parties.values_list("name", flat=True))
    assert len(names) == 2 and all(f"：{name}" in text for name in names) and "本协议一式三份" in text
    client.force_login(User.objects.get(username="sq_worker"))
    stats = client.get(reverse("disputes:stats")).context["figures"]
    assert stats.visits_done >= 2 and stats.visits_held >= 1 and stats.visits_not_held >= 1
    broken = Dispute.objects.get(title="共用楼道堆放杂物纠纷")
    assert 'data-testid="reopen"' in client.get(reverse("disputes:agreement", args=[broken.pk])).content.decode()


@pytest.mark.django_db
def test_sessions_and_visits_happen_in_office_hours(demo: str) -> None:
    """Whenever the city is built (make run at night too), mediation happens in the daytime (today's may be now)."""
    from django.utils import timezone

    from gongzhi.disputes.models import MediationSession

    today = timezone.localdate()
    moments = [*MediationSession.objects.values_list("held_at", flat=True),
               *FollowUp.objects.filter(done_at__isnull=False).values_list("done_at", flat=True)]
    assert len(moments) >= 5
    for when in moments:
        local = timezone.localtime(when)
        assert local.date() == today or 8 <= local.hour < 18, local
