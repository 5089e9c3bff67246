"""The mediation agreement (人民调解协议书) as a Word document, in the usual layout: the title and number (the
dispute's reference), the parties with their full particulars (a person: name, gender when known, ID number, address,
phone; a unit: its name, its representative, its address and phone), the main facts and what is in dispute, what was
agreed (numbered), how and by when it is carried out, the clause on the copies, the parties' signatures, the
mediator's, the committee's seal and the date.

The full particulars are in it: only those who see the dispute's content may download it (the download is audited,
"disputes.agreement.download"); it is built from the records whenever it is downloaded."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.lib.spreadsheets import attachment
from gongzhi.service.docx_common import day, new_document, para, to_bytes

from .models import Agreement, DisputeParty, MediationAssignment, MediationBody

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_NUMBERED = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[、.．)）]\s*")
CHINESE_NUMBERS = "零一二三四五六七八九十"
PERSON_KINDS = (DisputeParty.Kind.RESIDENT,)


def chinese_count(n: int) -> str:
    if 0 <= n <= 10:
        return CHINESE_NUMBERS[n]
    if n < 20:
        return "十" + CHINESE_NUMBERS[n - 10]
    if n < 100:
        return CHINESE_NUMBERS[n // 10] + "十" + (CHINESE_NUMBERS[n % 10] if n % 10 else "")
    return str(n)


def numbered_terms(terms: str) -> list[str]:
    """The terms one per line, numbered 一、二、… (numbers the mediator typed are replaced, not doubled)."""
    lines = [_NUMBERED.sub("", line).strip() for line in terms.splitlines()]
    return [f"{chinese_count(i)}、{line}" for i, line in enumerate([x for x in lines if x], start=1)]


def party_lines(party: DisputeParty) -> list[str]:
    """A party's particulars as the agreement prints them (its own record first, the resident's or unit's after)."""
    resident, unit = party.resident, party.unit
    label = party.get_side_display()
    phone = party.phone or (resident.phone if resident else "") or (unit.contact_phone if unit else "")
    address = party.address or (resident.address if resident else "") or (unit.address if unit else "")
    if party.kind in PERSON_KINDS:
        parts = [f"{label}：{party.name}"]
        gender = resident.get_gender_display() if resident and resident.gender else ""
        if gender:
            parts.append(_("Gender: %(gender)s") % {"gender": gender})
        id_number = party.id_number or (resident.id_number if resident else "")
        parts.append(_("ID number: %(number)s") % {"number": id_number or "—"})
        return ["，".join(parts), _("Address: %(address)s") % {"address": address or "—"},
                _("Phone: %(phone)s") % {"phone": phone or "—"}]
    name = party.name or (unit.name if unit else "")
    first = f"{label}：{name}（{party.get_kind_display()}）"
    representative = unit.contact_name if unit and unit.contact_name else ""
    lines = [first, _("Domicile: %(address)s") % {"address": address or "—"},
             _("Legal representative (person in charge): %(name)s") % {"name": representative or "—"}]
    if unit and unit.credit_code:
        lines.append(_("Unified social credit code: %(code)s") % {"code": unit.credit_code})
    lines.append(_("Phone: %(phone)s") % {"phone": phone or "—"})
    return lines


def committee_name(agreement: Agreement) -> str:
    """The committee that issues it: the body assigned (a committee or the alliance's office), else the community's."""
    dispute = agreement.dispute
    body = (MediationAssignment.objects.filter(dispute=dispute, active=True, body__isnull=False)
            .select_related("body").order_by("-assigned_at").first())
    if body is not None and body.body is not None:
        return body.body.name
    committee = MediationBody.objects.filter(kind=MediationBody.Kind.COMMITTEE, community=dispute.community).first()
    return committee.name if committee else _("People's mediation committee of %(community)s") % {
        "community": dispute.community.name}


def mediator_names(agreement: Agreement) -> list[str]:
    rows = MediationAssignment.objects.filter(dispute=agreement.dispute, active=True, mediator__isnull=False)
    return [a.mediator.display_name or a.mediator.username for a in rows.select_related("mediator") if a.mediator]


def agreement_document(agreement: Agreement) -> bytes:
    dispute = agreement.dispute
    parties = list(DisputeParty.objects.filter(dispute=dispute).select_related("resident", "unit")
                   .order_by("side", "pk"))
    doc = new_document()
    para(doc, _("People's mediation agreement"), size=20, bold=True, center=True)
    para(doc, _("Number: %(reference)s") % {"reference": dispute.reference}, right=True)
    para(doc, _("The parties"), size=14, bold=True)
    for party in parties:
        for line in party_lines(party):
            para(doc, line)
    para(doc, _("Main facts of the dispute and what is in dispute"), size=14, bold=True)
    for line in [x.strip() for x in agreement.facts.splitlines() if x.strip()]:
        para(doc, line)
    para(doc, _("Through mediation, the parties voluntarily agree as follows:"), size=14, bold=True)
    for line in numbered_terms(agreement.terms):
        para(doc, line)
    para(doc, _("How and by when it is carried out"), size=14, bold=True)
    para(doc, agreement.performance or "—")
    copies = chinese_count(len(parties) + 1)
    para(doc, _("This agreement is made in %(copies)s copies; each party and the people's mediation committee "
                "hold one.") % {"copies": copies})
    para(doc, "")
    for party in parties:
        para(doc, _("Party (%(side)s) %(name)s, signature or seal: ________________")
             % {"side": party.get_side_display(), "name": party.name})
    para(doc, "")
    names = "、".join(mediator_names(agreement))
    para(doc, _("People's mediator, signature: ________________") + (f"（{names}）" if names else ""))
    para(doc, "")
    para(doc, _("%(committee)s (seal)") % {"committee": committee_name(agreement)}, right=True)
    para(doc, day(agreement.signed_on or timezone.localdate()), right=True)
    return bytes(to_bytes(doc))


def agreement_filename(agreement: Agreement) -> str:
    return _("People's mediation agreement") + f"-{agreement.dispute.reference}.docx"


def agreement_response(user: Any, agreement: Agreement) -> HttpResponse:
    """The agreement (Word) for a content viewer (pages and API; the caller checked "view_content"); audited."""
    response = HttpResponse(agreement_document(agreement), content_type=DOCX)
    response["Content-Disposition"] = attachment(agreement_filename(agreement))
    log_event(user, "disputes.agreement.download", agreement, area=agreement.dispute.community,
              after={"dispute": agreement.dispute.reference, "signed": agreement.signed_on is not None})
    return response


