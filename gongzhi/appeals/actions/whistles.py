"""吹哨报到: a whistle summons departments; each reports, records what it did and is rated."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import is_superuser, user_grants

from .. import deadlines, permissions
from ..models import (
    Case,
    Whistle,
    WhistleReport,
)
from ..permissions import require
from ._common import (
    _lock,
    _record,
    _require_text,
    _save,
)

# ---------------------------------------------------------------------------------------------------
# whistle and report


def _whistler_area(user: User | None, area: Area) -> Area:
    """The community or subdistrict the whistler speaks for: their deepest grant area covering `area`."""
    if user is None or is_superuser(user):
        return area.ancestor_of_level(Area.Level.COMMUNITY) or area.ancestor_of_level(Area.Level.SUBDISTRICT) or area
    candidates = [g.area for g in user_grants(user)
                  if g.role in permissions.WHISTLE_ROLES and area.path.startswith(g.area.path)]
    return max(candidates, key=lambda a: len(a.path)) if candidates else area


@transaction.atomic
def do_whistle(
    *, acting_user: User | None, title: str, area: Area, units: Sequence[Unit], description: str = "",
    urgent: bool = False, case: Case | None = None,
) -> Whistle:
    """吹哨: a community or subdistrict summons departments, each to report within the deadline."""
    if case is not None:
        case = _lock(case)
        require(acting_user, "whistle", case)
        area = case.area or area
    if acting_user is not None and not permissions.can(acting_user, "whistle", area):
        raise PermissionDenied(_("Only community and subdistrict staff can whistle here."))
    title = _require_text(title, _("Please give the whistle a title."), "title", 200)
    if not units:
        raise ActionError(_("Please choose the departments to summon."), field="units")
    if acting_user is None:
        raise ActionError(_("A whistle must be blown by a person."))
    now = timezone.now()
    whistler_area = _whistler_area(acting_user, area)
    whistle = Whistle.objects.create(
        case=case, title=title, description=(description or "").strip(), area=area,
        whistler=acting_user, whistler_area=whistler_area, whistler_area_path=whistler_area.path,
        urgent=urgent, report_deadline=deadlines.whistle_report_deadline(now, urgent=urgent), created_at=now,
    )
    unique_units = list({u.pk: u for u in units}.values())
    WhistleReport.objects.bulk_create([WhistleReport(whistle=whistle, unit=u) for u in unique_units])
    log_event(acting_user, "appeals.whistle", whistle, area=area,
              after={"units": [u.name for u in unique_units], "urgent": urgent})
    if case is not None:
        _save(case, [])
        _record(case, "whistle", acting_user, note="、".join(u.name for u in unique_units))
    deadline = timezone.localtime(whistle.report_deadline).strftime("%Y-%m-%d %H:%M")
    for unit in unique_units:
        notify(permissions.users_who_can("handle", unit), "appeals.whistle",
               _("You are summoned to %(title)s; report by %(deadline)s.") % {"title": title, "deadline": deadline},
               url=f"/appeals/whistles/{whistle.pk}/")
    return whistle


def _lock_report(report: WhistleReport) -> tuple[Whistle, WhistleReport]:
    whistle = Whistle.objects.select_for_update().get(pk=report.whistle_id)
    report = WhistleReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    return whistle, report


@transaction.atomic
def do_report_whistle(report: WhistleReport, *, acting_user: User | None) -> WhistleReport:
    """报到: the department reports in; the time is recorded."""
    whistle, report = _lock_report(report)
    require(acting_user, "report", report)
    if whistle.status != Whistle.Status.OPEN:
        raise InvalidTransition(_("This whistle is closed."))
    if report.reported_at is not None:
        raise InvalidTransition(_("Your department has already reported to this whistle."))
    report.reported_at, report.reported_by = timezone.now(), acting_user
    report.save(update_fields=["reported_at", "reported_by"])
    log_event(acting_user, "appeals.whistle_report", report, area=whistle.area,
              after={"unit": report.unit.name, "late": report.reported_at > whistle.report_deadline})
    return report


@transaction.atomic
def do_complete_whistle_report(report: WhistleReport, *, acting_user: User | None, action_taken: str) -> WhistleReport:
    """The department records what it did; when every department is done the whistle closes."""
    whistle, report = _lock_report(report)
    require(acting_user, "report", report)
    action_taken = _require_text(action_taken, _("Please record what your department did."), "action_taken")
    if whistle.status != Whistle.Status.OPEN:
        raise InvalidTransition(_("This whistle is closed."))
    if report.reported_at is None:
        raise InvalidTransition(_("Please report in (报到) before recording what was done."))
    if report.done_at is not None:
        raise InvalidTransition(_("Your department has already finished this whistle."))
    now = timezone.now()
    report.action_taken, report.done_at = action_taken, now
    report.save(update_fields=["action_taken", "done_at"])
    log_event(acting_user, "appeals.whistle_done", report, area=whistle.area, after={"unit": report.unit.name})
    if not whistle.reports.filter(done_at__isnull=True).exists():
        whistle.status, whistle.closed_at = Whistle.Status.CLOSED, now
        whistle.save(update_fields=["status", "closed_at"])
        log_event(acting_user, "appeals.whistle_close", whistle, area=whistle.area)
    notify(permissions.users_who_can("whistle", whistle), "appeals.whistle_done",
           _("%(unit)s has finished on %(title)s.") % {"unit": report.unit.name, "title": whistle.title},
           url=f"/appeals/whistles/{whistle.pk}/")
    return report


@transaction.atomic
def do_rate_whistle_report(
    report: WhistleReport, *, acting_user: User | None, rating: str, note: str = ""
) -> WhistleReport:
    """The whistler rates a department that has finished: 优秀 / 合格 / 不合格."""
    whistle, report = _lock_report(report)
    if acting_user is not None and not permissions.can(acting_user, "rate", whistle):
        raise PermissionDenied(_("Only the whistler can rate the departments."))
    if rating not in WhistleReport.Rating.values:
        raise ActionError(_("Please choose a rating."), field="rating")
    if report.done_at is None:
        raise InvalidTransition(_("A department can only be rated after it has finished."))
    if report.rating:
        raise InvalidTransition(_("This department has already been rated for this whistle."))
    report.rating, report.rating_note, report.rated_by, report.rated_at = rating, (note or "")[:500], acting_user, \
        timezone.now()
    report.save(update_fields=["rating", "rating_note", "rated_by", "rated_at"])
    log_event(acting_user, "appeals.whistle_rate", report, area=whistle.area,
              after={"unit": report.unit.name, "rating": rating})
    return report
