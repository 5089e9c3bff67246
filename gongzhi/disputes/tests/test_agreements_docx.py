"""The Word agreement (人民调解协议书): the usual layout with both parties' full particulars, the numbered terms, the
copies clause, the signature lines; the download is for content viewers only and audited; the file is named by the
reference."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from gongzhi.core.models import AuditEvent
from gongzhi.disputes.agreement_docx import agreement_document, numbered_terms
from gongzhi.disputes.models import Agreement

from .agreements_scene import make_scene, sign


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


@pytest.fixture
def scene(cast: Any) -> Any:
    s = make_scene(cast)
    sign(s.dispute_a, cast.worker_a)
    return s


def test_the_document_has_both_parties_particulars_and_the_terms(scene: Any) -> None:
    text = _text(agreement_document(Agreement.objects.get(dispute=scene.dispute_a)))
    lines = text.splitlines()
    assert lines[0] == "人民调解协议书" and "编号：TJ-A-0001" in text
    assert "申请人：张桂兰" in text and "身份证号码：110101195001011239" in text
    assert "被申请人：陈美华" in text and "身份证号码：320102198003035678" in text
    assert "住址：和平小区1号楼2单元301" in text and "联系电话：13800138000" in text
    assert "纠纷主要事实、争议事项" in text and "经调解，自愿达成如下协议：" in text
    assert "一、被申请人于十日内修复卫生间防水层。" in text and "三、双方不再就此事发生争执。" in text
    assert "1、" not in text  # the mediator's own numbers are replaced, not doubled
    assert "履行方式、时限" in text and "本协议一式三份，双方当事人、人民调解委员会各持一份。" in text
    assert "当事人（申请人）张桂兰 签名/盖章" in text and "当事人（被申请人）陈美华 签名/盖章" in text
    assert "人民调解员签名：" in text and "（和平里社工）" in text
    assert "和平里社区人民调解委员会（印）" in text


def test_a_unit_party_has_its_representative(scene: Any) -> None:
    unit = scene.c.member_unit
    unit.contact_name = "周经理"
    unit.address = "和平路8号"
    unit.save(update_fields=["contact_name", "address"])
    sign(scene.dispute_b, scene.mediator_b)
    text = _text(agreement_document(Agreement.objects.get(dispute=scene.dispute_b)))
    assert f"被申请人：{unit.name}（" in text
    assert "法定代表人（负责人）：周经理" in text and "住所：和平路8号" in text
    assert "安定门社区人民调解委员会（印）" in text


def test_numbered_terms() -> None:
    assert numbered_terms("一、甲\n\n(2) 乙\n3. 丙") == ["一、甲", "二、(2) 乙", "三、丙"]


def test_the_download_is_for_content_viewers_and_audited(scene: Any, client: Any) -> None:
    url = reverse("disputes:agreement_docx", args=[scene.dispute_a.pk])
    client.force_login(scene.c.worker_a)
    response = client.get(url)
    assert response.status_code == 200
    assert "TJ-A-0001.docx" in response["Content-Disposition"]
    assert "张桂兰" in _text(response.content)
    event = AuditEvent.objects.get(verb="disputes.agreement.download")
    assert event.actor == scene.c.worker_a and "110101" not in str(event.after)
    for who, status in [("subdistrict_staff_a", 200), ("grid_worker_a", 404), ("city_admin", 403),
                        ("worker_b", 404), ("resident_user", 404)]:
        client.force_login(getattr(scene.c, who))
        assert client.get(url).status_code == status, who
    client.force_login(scene.c.worker_b)
    assert client.get(reverse("disputes:agreement_docx", args=[scene.dispute_b.pk])).status_code == 403
