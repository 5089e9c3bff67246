"""The two-way service agreement (双向服务协议): items edited while a draft, sent for signing, signed by every party
(who and when), a change to a signed agreement makes a new version that every party signs again (old signatures
kept), and the Word download holds the items in the usual layout."""

# mypy: disable-error-code="union-attr,arg-type"
from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from docx import Document

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.lists import actions
from gongzhi.lists.models import AgreementSignature, Project, ServiceAgreement
from gongzhi.test import Cast

from .project_scene import claimed, day, other_unit

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _agreement(project: Project) -> ServiceAgreement:
    return ServiceAgreement.objects.get(project=project)


def _sign_all(cast: Cast, project: Project, *others: Any) -> None:
    actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)
    actions.do_sign_agreement(project, acting_user=cast.liaison, unit=cast.member_unit)
    for other in others:
        actions.do_sign_agreement(project, acting_user=other.liaison, unit=other.unit)


def test_every_party_signs_then_the_project_is_agreed(cast: Cast) -> None:
    project = claimed(cast)
    actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=cast.member_unit,
                                  text="每月清洗楼道灯具", due_on=day(30))
    with pytest.raises(InvalidTransition):
        actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)  # still a draft
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    assert _agreement(project).status == ServiceAgreement.Status.SIGNING
    actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)
    assert Project.objects.get(pk=project.pk).status == Project.Status.CLAIMED  # the unit has not signed yet
    with pytest.raises(InvalidTransition):
        actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)  # once per version
    actions.do_sign_agreement(project, acting_user=cast.liaison, unit=cast.member_unit)
    agreement = _agreement(project)
    assert agreement.status == ServiceAgreement.Status.SIGNED and agreement.signed_at is not None
    assert Project.objects.get(pk=project.pk).status == Project.Status.AGREED
    signatures = {(s.unit_id, s.signer_name, s.version) for s in agreement.signatures.all()}
    assert signatures == {(None, "和平里社工", 1), (cast.member_unit.pk, "物业联络员", 1)}
    assert AuditEvent.objects.filter(verb="lists.sign_agreement").count() == 2


def test_each_party_signs_only_for_itself(cast: Cast) -> None:
    project = claimed(cast)
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    with pytest.raises(PermissionDenied):
        actions.do_sign_agreement(project, acting_user=cast.liaison, unit=None)  # a liaison is not the community
    with pytest.raises(PermissionDenied):
        actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=cast.member_unit)
    with pytest.raises(PermissionDenied):
        actions.do_sign_agreement(project, acting_user=cast.worker_b, unit=None)
    outsider = other_unit(cast)
    with pytest.raises(PermissionDenied):
        actions.do_sign_agreement(project, acting_user=outsider.liaison, unit=outsider.unit)  # not a party
    assert not AgreementSignature.objects.exists()


def test_only_the_communitys_staff_edit_the_agreement(cast: Cast) -> None:
    project = claimed(cast)
    with pytest.raises(PermissionDenied):
        actions.do_add_agreement_item(project, acting_user=cast.liaison, unit=None, text="社区负责")
    with pytest.raises(ActionError) as err:
        actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=cast.department, text="部门负责")
    assert err.value.field == "unit"
    with pytest.raises(ActionError):
        actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=None, text="  ")


@pytest.mark.parametrize("change", ["add", "edit", "remove", "terms", "partner"])
def test_changing_a_signed_agreement_needs_every_party_to_sign_again(cast: Cast, change: str) -> None:
    project = claimed(cast)
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    _sign_all(cast, project)
    agreement = _agreement(project)
    item = agreement.items.order_by("order").first()
    school = other_unit(cast)
    extra: list[Any] = []
    if change == "add":
        actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=None, text="组织居民验收")
    elif change == "edit":
        actions.do_edit_agreement_item(item, acting_user=cast.worker_a, unit=item.unit, text="改为每周清洗",
                                       due_on=day(7))
    elif change == "remove":
        actions.do_remove_agreement_item(item, acting_user=cast.worker_a)
    elif change == "terms":
        actions.do_set_agreement_terms(project, acting_user=cast.worker_a, terms="双方每月召开一次协调会。")
    else:
        actions.do_add_partner_units(project, acting_user=cast.worker_a, units=[school.unit])
        extra = [school]
    agreement = _agreement(project)
    assert (agreement.version, agreement.status, agreement.signed_at) == (2, ServiceAgreement.Status.SIGNING, None)
    assert Project.objects.get(pk=project.pk).status == Project.Status.CLAIMED
    assert agreement.signatures.filter(version=1).count() == 2  # kept as history
    _sign_all(cast, project, *extra)
    agreement = _agreement(project)
    assert agreement.status == ServiceAgreement.Status.SIGNED
    assert agreement.signatures.filter(version=2).count() == 2 + len(extra)
    assert Project.objects.get(pk=project.pk).status == Project.Status.AGREED


def test_edits_of_a_draft_keep_its_version(cast: Cast) -> None:
    project = claimed(cast)
    actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=None, text="社区提供场地")
    actions.do_set_agreement_terms(project, acting_user=cast.worker_a, terms="一条约定")
    assert (_agreement(project).version, _agreement(project).status) == (1, ServiceAgreement.Status.DRAFT)


def _docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    return text, rows


def test_the_signed_agreement_downloads_as_a_word_document_with_its_items(cast: Cast, client: Client) -> None:
    project = claimed(cast, title="楼道照明改造")
    actions.do_add_agreement_item(project, acting_user=cast.worker_a, unit=cast.member_unit,
                                  text="更换 3 号楼全部楼道灯具", due_on=day(30))
    actions.do_set_agreement_terms(project, acting_user=cast.worker_a, terms="双方每月召开一次协调会。")
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    _sign_all(cast, project)
    client.force_login(cast.liaison)
    response = client.get(reverse("lists:project_agreement_docx", args=[project.pk]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    text, rows = _docx_text(response.content)
    assert "双向服务协议" in text and "楼道照明改造" in text
    assert "甲方：和平里社区大党委" in text and "乙方：和平物业服务有限公司" in text
    assert "双方每月召开一次协调会。" in text and "第 1 版" in text
    assert rows[0] == ["序号", "责任方", "事项", "完成时限"]
    assert any(r[2] == "更换 3 号楼全部楼道灯具" and r[1] == "乙方 和平物业服务有限公司" for r in rows)
    assert any(r[1].startswith("甲方") for r in rows[1:4])
    signature_rows = [r for r in rows if r[0] in ("甲方", "乙方")]
    assert [r[2] for r in signature_rows] == ["和平里社工", "物业联络员"]
    assert all("年" in r[3] for r in signature_rows)
    assert "已由各方" in text


def test_the_download_is_refused_outside_the_scope_and_before_a_claim(cast: Cast, client: Client) -> None:
    project = claimed(cast)
    client.force_login(cast.worker_b)
    assert client.get(reverse("lists:project_agreement_docx", args=[project.pk])).status_code == 404
    client.force_login(cast.worker_a)
    unclaimed = claimed(cast, title="另一个")
    ServiceAgreement.objects.filter(project=unclaimed).delete()
    assert client.get(reverse("lists:project_agreement_docx", args=[unclaimed.pk])).status_code == 404


def test_the_agreement_page_signs_for_the_users_party(cast: Cast, client: Client) -> None:
    project = claimed(cast)
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    client.force_login(cast.liaison)
    page = client.get(reverse("lists:project_agreement", args=[project.pk])).content.decode()
    assert "代表和平物业服务有限公司签署" in page and "代表社区签署" not in page
    url = reverse("lists:project_agreement_action", args=[project.pk, "sign"])
    assert client.post(url, {"party": "community"}).status_code == 403
    assert client.post(url, {"party": str(cast.member_unit.pk)}).status_code == 302
    assert AgreementSignature.objects.filter(unit=cast.member_unit, signed_by=cast.liaison).exists()
    client.force_login(cast.worker_a)
    add = reverse("lists:project_agreement_action", args=[project.pk, "add_item"])
    response = client.post(add, {"party": "community", "text": "", "due_on": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert client.post(add, {"party": "community", "text": "组织验收", "due_on": "2027-01-31"}).status_code == 302
    assert _agreement(project).version == 2
    page = client.get(reverse("lists:project_agreement", args=[project.pk])).content.decode()
    assert "历史版本签署记录" in page and "代表社区签署" in page
