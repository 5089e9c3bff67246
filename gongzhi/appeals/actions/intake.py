"""Intake: one appeal in, a case of its own waiting for dispatch (every channel goes through here)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, User
from gongzhi.core.notifications import send_sms
from gongzhi.core.permissions import covers
from gongzhi.core.registry import APPEAL_SUBMITTED, registry
from gongzhi.lib.validators import validate_phone

from .. import deadlines, permissions
from ..models import (
    Appeal,
    AppealPhoto,
    Case,
    Category,
    Urgency,
)
from ._common import (
    MAX_BODY,
    PLACE_LEVELS,
    _record,
    _require_text,
    _subdistrict_id_of,
    check_spam,
    validate_photos,
)

logger = logging.getLogger("gongzhi.appeals")


# ---------------------------------------------------------------------------------------------------
# intake


def do_submit_appeal(
    *,
    acting_user: User | None,
    title: str,
    body: str,
    callback_phone: str,
    channel: str = Appeal.Channel.WEB,
    appeal_type: str = Appeal.Type.HELP,
    urgency: str = Urgency.NORMAL,
    callback_name: str = "",
    category: Category | None = None,
    area: Area | None = None,
    address: str = "",
    idempotency_key: str | None = None,
    photos: Sequence[Any] = (),
    source_ref: str = "",
    system: bool = False,
) -> Appeal:
    """Take in one appeal; it starts a case of its own waiting for dispatch. Once committed, the appeal goes
    out to the APPEAL_SUBMITTED hook (intelligence stores its category suggestion and may auto-dispatch it).

    With an idempotency key, the same key from the same submitter returns the appeal created the
    first time (with `replayed` set) instead of a second one: the unique (submitter, key) index refuses
    the second INSERT, the attempt is rolled back whole, and the first appeal is handed back. So the
    common case, a new key, costs no extra query. `system=True` is for trusted callers (imports run by
    code).
    """
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    key = (idempotency_key or "").strip()[:100] or None
    if key is not None and user is None:
        key = None
    photos = [photo for photo, _type in validate_photos(photos)]  # re-encoded before the transaction opens
    try:
        return _submit_appeal(
            user=user, title=title, body=body, callback_phone=callback_phone, channel=channel,
            appeal_type=appeal_type, urgency=urgency, callback_name=callback_name, category=category, area=area,
            address=address, key=key, photos=photos, source_ref=source_ref, system=system,
        )
    except IntegrityError:
        existing = Appeal.objects.filter(submitted_by=user, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        existing.replayed = True
        return existing


@transaction.atomic
def _submit_appeal(
    *, user: User | None, title: str, body: str, callback_phone: str, channel: str, appeal_type: str,
    urgency: str, callback_name: str, category: Category | None, area: Area | None, address: str,
    key: str | None, photos: Sequence[Any], source_ref: str, system: bool,
) -> Appeal:
    if channel not in Appeal.Channel.values:
        raise ActionError(_("Please choose a valid channel."), field="channel")
    if appeal_type not in Appeal.Type.values:
        raise ActionError(_("Please choose a valid appeal type."), field="appeal_type")
    if urgency not in Urgency.values:
        raise ActionError(_("Please choose a valid urgency."), field="urgency")
    body = _require_text(body, _("Please describe your problem."), "body", MAX_BODY)
    title = (title or "").strip() or body[:30]
    if len(title) > 200:
        raise ActionError(_("The title is too long: at most 200 characters."), field="title")
    callback_phone = (callback_phone or "").strip()
    if not callback_phone:
        raise ActionError(_("Please enter a phone number we can call you back on."), field="callback_phone")
    try:
        validate_phone(callback_phone)
    except ActionError as exc:
        raise ActionError(exc.message, field="callback_phone") from exc
    address = (address or "").strip()
    if area is None and not address:
        raise ActionError(_("Please choose the place or enter an address."), field="area")
    if area is not None and area.level not in PLACE_LEVELS:
        raise ActionError(_("Please choose a community, estate, grid or building as the place."), field="area")
    if category is not None and not category.active:
        raise ActionError(_("This category is no longer in use."), field="category")
    check_spam(f"{title}\n{body}")
    checked_photos = validate_photos(photos)

    if not system:
        if channel == Appeal.Channel.HOTLINE and not permissions.can_take_hotline(user):
            raise PermissionDenied(_("Only dispatch staff can enter hotline appeals."))
        if channel == Appeal.Channel.GRID_PATROL:
            if not permissions.can_patrol(user):
                raise PermissionDenied(_("Only grid and community workers can file patrol reports."))
            if area is None or not covers(user, area, permissions.PATROL_ROLES):
                raise ActionError(_("Choose a place inside your own grid for a patrol report."), field="area")
        if channel == Appeal.Channel.IMPORT_12345 and not permissions.can_take_hotline(user):
            raise PermissionDenied(_("Only dispatch staff can import 12345 work orders."))
        if channel == Appeal.Channel.API and user is None:
            raise PermissionDenied(_("Please sign in to use the API."))

    resident = getattr(user, "resident", None) if user is not None else None
    subdistrict_id = _subdistrict_id_of(area)
    kind = deadlines.effective_kind(urgency, category.time_limit_kind if category else None)
    case = Case.objects.create(
        title=title, appeal_type=appeal_type, category=category, area=area, area_path=area.path if area else "",
        subdistrict_id=subdistrict_id, supervising_area_id=subdistrict_id, urgency=urgency, time_limit_kind=kind,
    )
    appeal = Appeal.objects.create(
        channel=channel, appeal_type=appeal_type, urgency=urgency, title=title, body=body,
        category=category, area=area, address=address, callback_name=(callback_name or "").strip()[:50],
        callback_phone=callback_phone, resident=resident, submitted_by=user, idempotency_key=key,
        source_ref=(source_ref or "").strip()[:50], case=case,
    )
    for photo, content_type in checked_photos:
        AppealPhoto.objects.create(appeal=appeal, file=photo, content_type=content_type, size=photo.size or 0)
    _record(case, "submit", user, note=appeal.get_channel_display(), audit={"appeal": appeal.pk})
    if channel == Appeal.Channel.HOTLINE:
        # The operator sees the code masked; the caller gets it whole, on the phone they gave.
        send_sms(callback_phone, _("Your appeal has been recorded. Tracking code: %(code)s. Look it up with the code and "
                                   "the last 4 digits of this phone number.") % {"code": appeal.tracking_code})
    registry.send_on_commit(APPEAL_SUBMITTED, appeal=appeal, acting_user=user)
    return appeal
