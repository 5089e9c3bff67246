"""The removal letter (关于免去XXX同志社区大党委兼职委员的通知) as a Word document: addressed to the member's unit and
its party organization, with what the record showed in the period, the reason and the date. Built from the
flag (and its ended membership) whenever it is downloaded, so it always says what the removal recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.lib.spreadsheets import attachment
from gongzhi.service.docx_common import day, new_document, para, row, table, to_bytes

from .models import Grade, TitleOnlyFlag

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ended_on(flag: TitleOnlyFlag) -> date:
    m = flag.membership
    if m.ended_on is not None:
        return m.ended_on
    text = (flag.facts or {}).get("ended_on")
    try:
        return date.fromisoformat(text) if text else timezone.localdate(flag.reviewed_at or timezone.now())
    except ValueError:
        return timezone.localdate()


def _issuer(flag: TitleOnlyFlag) -> str:
    """Who writes the letter: the party working committee of the community's subdistrict."""
    parent = flag.community.parent
    return _("Party working committee of %(area)s") % {"area": parent.name if parent else flag.community.name}


def letter_document(flag: TitleOnlyFlag) -> bytes:
    m = flag.membership
    unit = m.unit.name if m.unit else ""
    committee = m.party_org.name
    facts = flag.facts or {}
    ended = _ended_on(flag)
    doc = new_document()
    para(doc, _("Notice on removing comrade %(name)s from %(committee)s as a part-time member")
         % {"name": m.person_name, "committee": committee}, size=18, bold=True, center=True)
    para(doc, "")
    para(doc, _("%(unit)s and its party organization:") % {"unit": unit})
    para(doc, _("Comrade %(name)s of your unit has served as a part-time member of %(committee)s. The subdistrict "
                "checked how the part-time members performed their duties from %(start)s to %(end)s; the record of "
                "comrade %(name)s in that period is as follows.")
         % {"name": m.person_name, "committee": committee, "start": day(flag.period_start),
            "end": day(flag.period_end)})
    t = table(doc, [_("Item"), _("Record")])
    invited, attended = int(facts.get("meetings_invited", 0) or 0), int(facts.get("meetings_attended", 0) or 0)
    row(t, [_("Meetings attended"), _("%(attended)d of %(invited)d meetings invited to")
            % {"attended": attended, "invited": invited} if invited else _("never invited to a meeting")])
    row(t, [_("Projects claimed"), str(int(facts.get("projects_claimed", 0) or 0))])
    row(t, [_("Duty reports filed"), str(int(facts.get("duty_reports_filed", 0) or 0))])
    if facts.get("campaign"):
        outcome = str(dict(Grade.choices).get(facts.get("outcome") or "", "")) or "—"
        row(t, [_("Latest final evaluation"), f"{facts['campaign']}：{outcome}"])
    para(doc, "")
    para(doc, _("As comrade %(name)s did not perform the duties of a part-time member (title only), it was decided "
                "to remove comrade %(name)s from %(committee)s as a part-time member as of %(day)s. Reason: "
                "%(reason)s") % {"name": m.person_name, "committee": committee, "day": day(ended),
                                 "reason": flag.review_note})
    para(doc, _("Please take note, and recommend another person through the proper procedure if your unit is to "
                "keep its seat on the committee."))
    para(doc, "")
    para(doc, _issuer(flag), right=True)
    para(doc, day(ended), right=True)
    return to_bytes(doc)


def letter_filename(flag: TitleOnlyFlag) -> str:
    return f"免去兼职委员通知-{flag.membership.person_name}-{flag.pk}.docx"


def letter_response(user: Any, flag: TitleOnlyFlag) -> HttpResponse:
    """The removal letter (Word) of a removed flag the user sees (pages and API); audited as a download."""
    if flag.status != TitleOnlyFlag.Status.REMOVED:
        raise Http404(_("There is no letter: the member was not removed."))
    response = HttpResponse(letter_document(flag), content_type=DOCX)
    response["Content-Disposition"] = attachment(letter_filename(flag))
    log_event(user, "evaluation.letter_download", flag, area=flag.community)
    return response
