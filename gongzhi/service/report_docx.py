"""双报告: the community's report of a unit's registered party members' service for a year, as a Word document:
per member the posts held, the pledges and their status, the activities and hours, the stars."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .docx_common import day, new_document, para, row, table, to_bytes
from .queries_members import UnitReport


def report_document(report: UnitReport) -> bytes:
    doc = new_document()
    para(doc, _("Report on the service of in-service party members"), size=20, bold=True, center=True)
    para(doc, _("%(community)s to %(unit)s · %(year)d") % {"community": report.community.name,
                                                           "unit": report.unit.name, "year": report.year},
         size=12, center=True)
    para(doc, _("%(unit)s: %(members)d of your party members registered at %(community)s (双报到). In %(year)d they "
                "served %(hours)s hours in the community. Each member's service follows.")
         % {"unit": report.unit.name, "members": len(report.rows), "community": report.community.name,
            "year": report.year, "hours": report.hours})
    t = table(doc, [_("Member"), _("Posts"), _("Pledges"), _("Activities"), _("Hours"), _("Stars")])
    for r in report.rows:
        posts = "；".join(term.post.name for term in r.terms) or "—"
        pledges = "；".join(f"{p.text}（{p.get_status_display()}）" for p in r.pledges) or "—"
        stars = "、".join(str(s.stars) for s in r.stars) or "—"
        row(t, [r.member.name, posts, pledges, str(r.activities), str(r.hours), stars])
    for r in report.rows:
        if not r.signups:
            continue
        para(doc, _("Activities of %(name)s") % {"name": r.member.name}, bold=True)
        for s in r.signups:
            para(doc, f"{day(timezone.localtime(s.activity.starts_at).date())} {s.activity.title} · "
                      f"{_('%(hours)s hours') % {'hours': s.hours}}", size=10.5)
    para(doc, "")
    para(doc, report.community.name, right=True)
    para(doc, day(timezone.localdate()), right=True)
    return to_bytes(doc)


def report_filename(report: UnitReport) -> str:
    return f"在职党员服务情况报告-{report.unit.name}-{report.year}.docx"
