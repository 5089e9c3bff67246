"""The removal letter (关于免去XXX同志社区大党委兼职委员的通知): a Word document that opens, addressed to the unit and
its party organization, with the member's name, the facts of the period, the reason and the date."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import members_check
from gongzhi.evaluation.actions import members as actions
from gongzhi.evaluation.letter_docx import letter_document, letter_filename
from gongzhi.test import Cast

from .members_scene import NAME, invited, open_flag, seat

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _removed(cast: Cast):  # type: ignore[no-untyped-def]
    m = seat(cast)
    invited(cast, m, present=False)
    invited(cast, m, present=False, days_ago=60)
    members_check.run_check()
    flag = open_flag(m)
    ended = timezone.localdate() - timedelta(days=1)
    actions.do_remove_member(flag, acting_user=cast.subdistrict_staff_a, reason="连续两次无故缺席大党委会议",
                             ended_on=ended)
    flag.refresh_from_db()
    return flag, ended


def test_the_letter_holds_the_name_the_unit_the_facts_the_reason_and_the_date(cast: Cast) -> None:
    flag, ended = _removed(cast)
    text = _text(letter_document(flag))
    assert f"关于免去{NAME}同志和平里社区大党委兼职委员的通知" in text
    assert "和平物业服务有限公司及其党组织：" in text
    assert "连续两次无故缺席大党委会议" in text
    assert "受邀2次，参加0次" in text
    assert f"{ended.year}年{ended.month}月{ended.day}日" in text
    assert "中共和平街道工作委员会" in text
    assert letter_filename(flag).endswith(".docx") and NAME in letter_filename(flag)


def test_it_downloads_for_the_subdistrict_the_community_and_the_unit(cast: Cast) -> None:
    flag, _ended = _removed(cast)
    for user in (cast.subdistrict_staff_a, cast.worker_a, cast.liaison):
        c = Client()
        c.force_login(user)
        response = c.get(reverse("evaluation:flag_letter", args=[flag.pk]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert NAME in _text(response.content)
    assert AuditEvent.objects.filter(verb="evaluation.letter_download", object_id=str(flag.pk)).count() == 3
    c = Client()
    c.force_login(cast.worker_b)
    assert c.get(reverse("evaluation:flag_letter", args=[flag.pk])).status_code == 404
