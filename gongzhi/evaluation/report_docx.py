"""The Word report of a final campaign for the city's party-building office (市委党建办): the campaign, its period
and organizer, the rater groups and their weights, how the results were computed, the outcomes' distribution, the
ranking per kind, the objections with their answers, and the date the results became final."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.lib.spreadsheets import attachment
from gongzhi.service.docx_common import day, new_document, para, row, table, to_bytes

from . import queries
from .models import Campaign, RaterGroup

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_document(campaign: Campaign) -> bytes:
    doc = new_document()
    para(doc, _("Report on the two-way evaluation"), size=20, bold=True, center=True)
    para(doc, campaign.title, size=14, bold=True, center=True)
    para(doc, _("To the city's party-building office (市委党建办)"), size=12)
    para(doc, _("Organized by %(area)s; period %(start)s to %(end)s (%(kind)s); rating closed on %(closed)s; "
                "results final on %(final)s.")
         % {"area": campaign.area.name, "start": day(campaign.period_start), "end": day(campaign.period_end),
            "kind": campaign.get_period_display(),
            "closed": day(timezone.localtime(campaign.notice_starts_at).date()) if campaign.notice_starts_at else "—",
            "final": day(timezone.localtime(campaign.finalized_at).date()) if campaign.finalized_at else "—"})

    para(doc, _("Rater groups and weights"), size=14, bold=True)
    t = table(doc, [_("Rater group"), _("Weight (%)"), _("Raters"), _("Rates")])
    for g in RaterGroup.objects.filter(campaign=campaign).order_by("pk").prefetch_related("raters"):
        row(t, [g.get_kind_display(), str(g.weight), str(len(g.raters.all())),
                "、".join(str(dict(_kinds()).get(k, k)) for k in g.ratee_kinds)])
    para(doc, _("Rules: 优秀 counts 100 points, 合格 80, 不合格 50 (or the criterion scores as a percentage); a "
                "group's score is the mean of its ratings; the score is the weighted mean over the groups that "
                "rated, their weights renormalized; the resident representatives count only with at least 3 "
                "ratings; 90 or more is 优秀, 60 or more 合格, less 不合格."), size=10.5)

    ratees = queries.campaign_ratees(campaign)
    para(doc, _("Outcomes"), size=14, bold=True)
    dist = queries.outcome_distribution(ratees)
    if dist:
        heads = [_("Kind"), *[str(label) for label, _n in dist[0][1]], _("Total")]
        t = table(doc, heads)
        for label, cells, total in dist:
            row(t, [str(label), *[str(n) for _l, n in cells], str(total)])

    for _kind, label, items in queries.by_kind(ratees):
        para(doc, _("Ranking: %(kind)s") % {"kind": label}, size=14, bold=True)
        t = table(doc, [_("Rank"), pgettext("evaluation ratee", "Name"), _("Community"), pgettext("evaluation", "Score"), _("Outcome")])
        for r in items:
            row(t, [str(r.rank or "—"), r.name, r.community.name,
                    f"{r.score:.2f}" if r.score is not None else "—", r.get_outcome_display() or "—"])

    para(doc, _("Objections and answers"), size=14, bold=True)
    objections = list(queries.campaign_objections(campaign))
    if not objections:
        para(doc, _("No objection was raised during the public notice."))
    else:
        t = table(doc, [_("Ratee"), _("Reason"), _("Decision"), _("Answer"), _("Outcome")])
        for o in objections:
            outcome = (f"{o.get_outcome_before_display()} → {o.get_outcome_after_display()}"
                       if o.outcome_after else _("Unchanged"))
            row(t, [o.ratee.name, o.reason, o.get_status_display(), o.answer or "—", str(outcome)])
    para(doc, "")
    para(doc, campaign.area.name, right=True)
    para(doc, day(timezone.localtime(campaign.finalized_at).date() if campaign.finalized_at
                  else timezone.localdate()), right=True)
    return to_bytes(doc)


def _kinds() -> list[tuple[str, str]]:
    from .models import Ratee

    return [(k, str(v)) for k, v in Ratee.Kind.choices]


def report_filename(campaign: Campaign) -> str:
    return f"双向评议结果报告-{campaign.title}.docx".replace("/", "_")


def report_response(campaign: Campaign) -> HttpResponse:
    response = HttpResponse(report_document(campaign), content_type=DOCX)
    response["Content-Disposition"] = attachment(report_filename(campaign))
    return response
