"""The evidence API (/api/evaluation/ratees/{id}/evidence): what the record shows for a ratee over its campaign's
period — the same facts and example links the rating and result pages show."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gongzhi.core.api_schemas import Id

from .. import permissions
from ..evidence import evidence_for, evidence_payload

router = Router()


class EvaluationEvidenceExampleOut(Schema):
    text: str
    url: str


class EvaluationEvidenceItemOut(Schema):
    key: str
    label: str
    value: str
    tone: str
    examples: list[EvaluationEvidenceExampleOut]


class EvaluationEvidenceOut(Schema):
    name: str
    period_start: str
    period_end: str
    items: list[EvaluationEvidenceItemOut]


@router.get("/ratees/{ratee_id}/evidence", response=EvaluationEvidenceOut,
            summary="评议对象在评议期间的平台记录（评议人、组织者；结果公示后被评议方）")
def ratee_evidence(request: HttpRequest, ratee_id: Id) -> dict[str, Any]:
    ratee = permissions.get_ratee_for_user(request.user, ratee_id)
    if not (permissions.can(request.user, "see_evidence", ratee) or permissions.can(request.user, "see_result",
                                                                                     ratee)):
        raise PermissionDenied(_("The record is shown to the raters, the organizer and, from the public notice on, "
                                 "the rated side."))
    return evidence_payload(evidence_for(ratee))
