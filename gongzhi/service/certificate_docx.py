"""The service certificate (志愿服务记录证明) as a Word document: what the certificate stated when issued (name,
masked ID number, organisation, period, content, hours), the issuing community and date, and the verification code
with the public check address. The full ID number is never in it (the certificate stores only the masked one)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .docx_common import day, new_document, para, row, table, to_bytes
from .models import Certificate


def certificate_document(cert: Certificate, check_url: str) -> bytes:
    doc = new_document()
    para(doc, _("Volunteer service record certificate"), size=22, bold=True, center=True)
    para(doc, _("No. %(code)s") % {"code": cert.code}, size=10.5, center=True)
    para(doc, _("This is to certify that %(name)s took part in volunteer service as recorded below.")
         % {"name": cert.name})
    t = table(doc, [_("Item"), _("Record")])
    for label, value in (
        (_("Name"), cert.name),
        (_("ID number"), cert.masked_id or "—"),
        (_("Organisation"), cert.organisation),
        (_("Period of service"), _("%(start)s to %(end)s") % {"start": day(cert.period_start),
                                                              "end": day(cert.period_end)}),
        (_("Service content"), cert.content),
        (_("Hours of service"), _("%(hours)s hours") % {"hours": cert.hours}),
    ):
        row(t, [str(label), str(value)])
    para(doc, "")
    para(doc, _("The hours are those the organizers confirmed in the Gongzhi platform."), size=10.5)
    para(doc, _("Issued by: %(community)s") % {"community": cert.community.name}, right=True)
    para(doc, day(cert.issued_at.date()), right=True)
    para(doc, "")
    para(doc, _("Verification code: %(code)s") % {"code": cert.code}, size=10.5, bold=True)
    para(doc, _("Check this certificate at: %(url)s") % {"url": check_url}, size=10.5)
    return to_bytes(doc)


def certificate_filename(cert: Certificate) -> str:
    return f"志愿服务记录证明-{cert.name}-{cert.code}.docx"
