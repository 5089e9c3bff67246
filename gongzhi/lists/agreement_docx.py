"""The two-way service agreement (双向服务协议) as a Word document, in the usual layout: the title, the parties
(甲方 the community's party committee, 乙方 the lead unit, and the partner units), the project, the items table
(序号, 责任方, 事项, 完成时限), the other terms, the signature block with the signers' names and dates, and the
version. Built with python-docx from what the agreement page shows."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from gongzhi.core.models import PartyOrg, Unit

from . import capacity
from .actions.agreements import parties, signatures_of
from .models import Project, ServiceAgreement

FONT = "宋体"
DEFAULT_TERMS = (
    _lazy("1. The parties serve together on the principles of joint building, shared resources, complementary "
          "strengths and mutual benefit, and carry the project out together."),
    _lazy("2. Each party fulfils its items by their dates; the project's progress is posted truthfully in the "
          "system and shown to the residents."),
    _lazy("3. An item that must change during the project is changed by agreement of the parties; the changed "
          "agreement is signed again by every party."),
    _lazy("4. When the project is finished the community asks the residents to evaluate it; the evaluation counts "
          "in the two-way evaluation and in awards."),
    _lazy("5. This agreement takes effect when every party has signed it in the system; anything it does not "
          "cover is settled by the parties together."),
)


def committee_name(project: Project) -> str:
    """The community's party committee (its PartyOrg when there is one, else "<community>党委")."""
    org = (PartyOrg.objects.filter(area=project.area, kind=PartyOrg.Kind.COMMUNITY_COMMITTEE)
           .order_by("pk").values_list("name", flat=True).first())
    return org or _("%(community)s party committee") % {"community": project.area.name}


def _date(day: object) -> str:
    return _("%(year)d-%(month)02d-%(day)02d") % {"year": day.year, "month": day.month, "day": day.day}  # type: ignore[attr-defined]


def _font(run: object, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT  # type: ignore[attr-defined]
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # type: ignore[attr-defined]
    if size:
        run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]


def _para(doc: object, text: str, *, size: float = 12, bold: bool = False, center: bool = False) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), size, bold)


def _cell(cell: object, text: str, *, bold: bool = False) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    _font(cell.paragraphs[0].add_run(text), 10.5, bold)  # type: ignore[attr-defined]


def agreement_document(project: Project, agreement: ServiceAgreement) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # type: ignore[attr-defined]

    _para(doc, _("Two-way service agreement"), size=22, bold=True, center=True)
    _para(doc, _("Agreement no. XY-%(number)05d · version %(version)d · %(status)s") % {
        "number": project.pk, "version": agreement.version, "status": agreement.get_status_display()},
        size=10.5, center=True)

    party_list = parties(project)
    units = [u for u in party_list if isinstance(u, Unit)]
    _para(doc, _("Party A: %(committee)s (%(community)s)") % {"committee": committee_name(project), "community": project.area.name}, bold=True)
    lead = project.lead_unit
    _para(doc, _("Party B: %(unit)s") % {"unit": lead.name if lead else "—"}, bold=True)
    partners = [u for u in units if lead is None or u.pk != lead.pk]
    if partners:
        _para(doc, _("Party B's partner units: %(units)s") % {"units": "、".join(u.name for u in partners)}, bold=True)
    _para(doc, _("To serve the community together and meet the residents' needs, the parties agree on the following project."))

    _para(doc, _("1. The project"), bold=True, size=14)
    _para(doc, _("Project: %(title)s") % {"title": project.title})
    demands = list(project.demands.order_by("pk").values_list("title", flat=True))
    if demands:
        _para(doc, _("Residents' demands it meets: %(demands)s") % {"demands": "；".join(demands)})
    reservations = list(project.reservations.select_related("resource").order_by("pk"))
    if reservations:
        _para(doc, _("Resources: %(resources)s") % {"resources": "；".join(
            f"{r.resource.title} {capacity._number(r.amount)} {r.resource.get_capacity_unit_display()}"
            for r in reservations)})
    if project.budget is not None:
        _para(doc, _("Budget: %(amount)s yuan") % {"amount": capacity._number(project.budget)})
    milestones = list(project.milestones.order_by("due_on", "order", "pk"))
    if milestones:
        _para(doc, _("Milestones: %(milestones)s") % {"milestones": "；".join(
            _("%(title)s (by %(date)s)") % {"title": m.title, "date": _date(m.due_on)} for m in milestones)})
    if project.description:
        _para(doc, _("What it does: %(description)s") % {"description": project.description})

    _para(doc, _("2. What each party does"), bold=True, size=14)
    items = list(agreement.items.select_related("unit").order_by("order", "pk"))
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, head in zip(table.rows[0].cells, (_("No."), _("Party"), _("What"), _("By")), strict=True):
        _cell(cell, head, bold=True)
    for n, item in enumerate(items, start=1):
        row = table.add_row().cells
        _cell(row[0], str(n))
        _cell(row[1], _("Party B %(name)s") % {"name": item.unit.name} if item.unit
              else _("Party A %(name)s") % {"name": committee_name(project)})
        _cell(row[2], item.text)
        _cell(row[3], _date(item.due_on) if item.due_on else _("During the project"))

    _para(doc, _("3. Other terms"), bold=True, size=14)
    terms = [line for line in (agreement.terms or "").splitlines() if line.strip()] or [str(t) for t in DEFAULT_TERMS]
    for line in terms:
        _para(doc, line)

    _para(doc, _("4. Signatures"), bold=True, size=14)
    signed = signatures_of(agreement)
    sig = doc.add_table(rows=1, cols=4)
    sig.style = "Table Grid"
    for cell, head in zip(sig.rows[0].cells, (_("Party"), _("Unit"), _("Signed by"), _("Signed on")), strict=True):
        _cell(cell, head, bold=True)
    for party in party_list:
        s = signed.get(party.pk if party else None)
        row = sig.add_row().cells
        _cell(row[0], _("Party A") if party is None else (_("Party B") if lead and party.pk == lead.pk
                                                           else _("Party B's partner unit")))
        _cell(row[1], committee_name(project) if party is None else party.name)
        _cell(row[2], s.signer_name if s else _("(not signed)"))
        _cell(row[3], f"{_date(timezone.localtime(s.signed_at).date())} {timezone.localtime(s.signed_at):%H:%M}" if s else "")
    when = timezone.localtime(agreement.signed_at) if agreement.signed_at else None
    _para(doc, "")
    state = (_("Version %(version)d of this agreement was signed by every party in Gongzhi on %(date)s.") % {
        "version": agreement.version, "date": _date(when.date())} if when else
        _("Version %(version)d of this agreement has not been signed by every party yet.") % {
            "version": agreement.version})
    _para(doc, state + " " + _("Generated by Gongzhi on %(date)s.") % {"date": _date(timezone.localdate())}, size=9)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def agreement_filename(project: Project, agreement: ServiceAgreement) -> str:
    return _("Two-way service agreement-%(title)s-version %(version)d.docx") % {
        "title": project.title[:40], "version": agreement.version}
