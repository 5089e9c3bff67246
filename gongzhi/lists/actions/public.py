"""Residents' ratings of finished projects on the public notice (公示): one rating per phone number, proven with a
one-time code sent to that phone (`lists.phone_codes`, purpose PROJECT_RATING).

Only a keyed hash of the phone is kept (`ProjectRating.phone_hash`); the number and the code never reach the audit
row. The unique constraint (project, phone_hash) makes a second rating from the same phone — or two sent at the
same moment — fail with a clear message instead of counting twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError

from .. import phone_codes
from ..models import PhoneCode, Project, ProjectRating
from ..notice import can_be_rated

PURPOSE = PhoneCode.Purpose.PROJECT_RATING
MAX_COMMENT = 500


def _rateable(project: Project) -> Project:
    project = Project.objects.select_related("area").get(pk=project.pk)
    if not can_be_rated(project):
        raise ActionError(_("Only finished projects on the public notice can be rated."), field="satisfaction")
    return project


def _clean(satisfaction: str, comment: str) -> tuple[str, str]:
    if satisfaction not in ProjectRating.Satisfaction.values:
        raise ActionError(_("Please choose how satisfied you are: satisfied, basically satisfied or unsatisfied."),
                          field="satisfaction")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ActionError(_("The comment is too long: at most %(max)d characters.") % {"max": MAX_COMMENT},
                          field="comment")
    return satisfaction, comment


def do_send_rating_code(project: Project, *, phone: str) -> None:
    """Send a one-time code to `phone` so that its owner can rate `project` (limits: `phone_codes`)."""
    project = _rateable(project)
    phone_codes.do_send_code(PURPOSE, project.pk, phone, what=_("rating the project %(title)s")
                             % {"title": project.title[:30]})


def do_rate_project(project: Project, *, phone: str, code: str, satisfaction: str, comment: str = "") -> ProjectRating:
    """A resident's rating of a finished project, with the code sent to their phone. The code is checked in its own
    transaction first (a wrong try stays counted), then the rating is written."""
    project = _rateable(project)
    satisfaction, comment = _clean(satisfaction, comment)
    number = phone_codes.normalise_phone(phone)
    if not (code or "").strip():
        raise ActionError(_("Please enter the 6-digit code sent to your phone."), field="code")
    if not phone_codes.use_code(PURPOSE, project.pk, number, code):
        raise ActionError(_("The code is wrong or has expired. Please check it, or ask for a new one."), field="code")
    return _record(project, phone_codes.phone_hash(number), satisfaction, comment)


def do_rate_project_for_demo(project: Project, *, phone: str, satisfaction: str, comment: str = "",
                             at: datetime | None = None) -> ProjectRating:
    """The demo city's residents' ratings: the same checks and the same write as `do_rate_project`, without the
    SMS round (demo phones receive no messages). Only `gongzhi demo` calls this."""
    project = _rateable(project)
    satisfaction, comment = _clean(satisfaction, comment)
    return _record(project, phone_codes.phone_hash(phone), satisfaction, comment, at=at)


@transaction.atomic
def _record(project: Project, key: str, satisfaction: str, comment: str,
            at: datetime | None = None) -> ProjectRating:
    try:
        with transaction.atomic():
            rating = ProjectRating.objects.create(project=project, phone_hash=key, satisfaction=satisfaction,
                                                  comment=comment, created_at=at or timezone.now())
    except IntegrityError as exc:
        raise ActionError(_("This phone number has already rated this project: each phone number rates a project "
                            "once."), field="phone") from exc
    log_event(None, "lists.rate_project", project, area=project.area,
              after={"rating": rating.pk, "satisfaction": satisfaction, "comment": bool(comment)})
    return rating
