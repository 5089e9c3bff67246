"""Closing a community's quarter (每季度动态更新): the three lists as they stood at its end (or now, for the quarter
under way) are kept in a `QuarterSnapshot`, once per community and quarter."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, Conflict
from gongzhi.core.models import Area, User

from .. import permissions
from ..models import QuarterSnapshot
from ..quarters import Quarter, snapshot_data


def _already_closed(snapshot: QuarterSnapshot | None, quarter: Quarter) -> Conflict:
    if snapshot is None:
        return Conflict(_("%(quarter)s has already been closed for this community.") % {"quarter": quarter},
                           field="quarter")
    return Conflict(_("%(quarter)s was already closed on %(day)s; a quarter is closed once.") % {
        "quarter": quarter, "day": timezone.localtime(snapshot.closed_at).strftime("%Y-%m-%d %H:%M")},
        field="quarter")


@transaction.atomic
def do_close_quarter(community: Area, quarter: Quarter, *, acting_user: User | None,
                     now: datetime | None = None) -> QuarterSnapshot:
    """Snapshot the community's demands, resources and projects for `quarter` (the quarter under way or one
    that has ended; never a future one). A second close — or two at once — is refused by the unique constraint."""
    if community.level != Area.Level.COMMUNITY:
        raise ActionError(_("Quarters are closed for a community."), field="area")
    permissions.require(acting_user, "close_quarter", community,
                        _("Only the community's workers and the staff above them close its quarter."))
    now = now or timezone.now()
    if quarter.start_at > now:
        raise ActionError(_("%(quarter)s has not begun yet: close it once it is under way or over.")
                          % {"quarter": quarter}, field="quarter")
    existing = QuarterSnapshot.objects.filter(area=community, year=quarter.year, quarter=quarter.number).first()
    if existing is not None:
        raise _already_closed(existing, quarter)
    data = snapshot_data(community, quarter, now)
    try:
        with transaction.atomic():
            snapshot = QuarterSnapshot.objects.create(area=community, year=quarter.year, quarter=quarter.number,
                                                      data=data, closed_by=acting_user, closed_at=now)
    except IntegrityError as exc:
        raise _already_closed(None, quarter) from exc
    log_event(acting_user, "lists.close_quarter", snapshot, area=community, after={
        "quarter": quarter.slug, "as_of": data["as_of"],
        "counts": {name: {k: v for k, v in c.items() if k != "by_status"} for name, c in data["counts"].items()}})
    return snapshot
