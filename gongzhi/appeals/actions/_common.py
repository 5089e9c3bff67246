"""Helpers shared by the appeals actions: locking, the timeline/audit record, notifications, checks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import log_event
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import Area, Unit, User
from gongzhi.core.notifications import notify
from gongzhi.core.permissions import is_superuser
from gongzhi.lib.images import reencode_image

from .. import permissions
from ..models import (
    Assignment,
    Case,
    CaseEvent,
)

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_BODY = 5000
PLACE_LEVELS = ("community", "estate", "grid", "building")

# ---------------------------------------------------------------------------------------------------
# helpers


def _lock(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("area", "category", "lead_unit").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise InvalidTransition(
            _("Someone else changed this case a moment ago. Reload the page to see its current state.")
        )
    return locked


def _record(
    case: Case, verb: str, actor: User | None, *, note: str = "", from_status: str = "", unit: Unit | None = None,
    audit: dict[str, Any] | None = None, at: datetime | None = None,
) -> CaseEvent:
    """Write the timeline event and the audit row of a transition (the case is already saved)."""
    now = at or timezone.now()
    previous = None if verb == "submit" else CaseEvent.objects.filter(case=case).order_by(
        "-created_at", "-id"
    ).values_list("created_at", flat=True).first()  # a case's first event has no step before it
    actor = actor if actor is not None and actor.is_authenticated else None
    event = CaseEvent.objects.create(
        case=case, verb=verb, actor=actor, unit=unit, note=note, from_status=from_status,
        to_status=case.status, created_at=now, duration=(now - previous) if previous else None,
    )
    log_event(
        actor, f"appeals.{verb}", case, area=case.area or case.supervising_area,
        before={"status": from_status} if from_status else None,
        after={"status": case.status, **(audit or {})},
    )
    return event


def _save(case: Case, fields: Iterable[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version"])


def _require_text(value: str, message: str, field: str, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(message, field=field)
    if len(value) > max_length:
        raise ActionError(
            _("This text is too long: at most %(max)d characters.") % {"max": max_length}, field=field
        )
    return value


def validate_photos(photos: Sequence[Any]) -> list[tuple[ContentFile[bytes], str]]:
    """Check count and size, and re-encode each photo with Pillow (`lib.images`): what is not a JPEG, PNG or
    WebP picture is refused, EXIF (the GPS position) and anything else in the file is dropped, and the file
    is named by us. Returns (file to store, content type). Call it outside a transaction: decoding is slow.
    Already checked photos (a ContentFile from an earlier call) pass unchanged."""
    if len(photos) > MAX_PHOTOS:
        raise ActionError(_("You can attach at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos")
    checked: list[tuple[ContentFile[bytes], str]] = []
    for photo in photos:
        if isinstance(photo, CheckedPhoto):
            checked.append((photo, photo.content_type))
            continue
        name = Path(str(getattr(photo, "name", "") or "")).name[:80] or _("photo")
        if (photo.size or 0) > MAX_PHOTO_BYTES:
            raise ActionError(
                _("The photo %(name)s is larger than 5 MB.") % {"name": name}, field="photos"
            )
        clean = reencode_image(photo, name=name, max_pixels=settings.IMAGE_MAX_PIXELS)
        checked.append((CheckedPhoto(clean.content, f"photo.{clean.extension}", clean.content_type),
                        clean.content_type))
    return checked


class CheckedPhoto(ContentFile[bytes]):
    """A re-encoded photo, ready to store (its name only carries the extension; upload_to picks a uuid)."""

    def __init__(self, content: bytes, name: str, content_type: str) -> None:
        super().__init__(content, name=name)
        self.content_type = content_type


_URL = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{14,}")


def check_spam(text: str) -> None:
    """Refuse obvious spam: many links, or one character repeated over and over."""
    if len(_URL.findall(text)) > 2:
        raise ActionError(_("Your message contains too many links. Please describe the problem in words."),
                          field="body")
    if _REPEAT.search(text):
        raise ActionError(_("Your message repeats the same character many times. Please describe the problem."),
                          field="body")


def _subdistrict_id_of(area: Area | None) -> int | None:
    """The subdistrict above (or at) `area`, read from its path: every tree is city/district/subdistrict/…"""
    ids = area.ancestor_ids() if area is not None else []
    return ids[2] if len(ids) >= 3 else None


def _subdistrict_of(area: Area | None) -> Area | None:
    if area is None:
        return None
    if area.level == Area.Level.SUBDISTRICT:
        return area
    return area.ancestor_of_level(Area.Level.SUBDISTRICT)


def _handler_unit(user: User | None, case: Case, *, lead_only: bool = False) -> Unit | None:
    """The unit through which `user` acts on `case` (their unit with an active assignment)."""
    qs = case.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).select_related("unit")
    if lead_only:
        qs = qs.filter(role=Assignment.Role.LEAD)
    if user is None or is_superuser(user):
        first = qs.order_by("role").first()
        return first.unit if first else None
    units = permissions.handler_unit_ids(user)
    match = qs.filter(unit_id__in=units).order_by("role").first()
    return match.unit if match else None


def _notify_handlers(unit: Unit, verb: str, text: str, case: Case) -> None:
    notify(permissions.users_who_can("handle", unit), verb, text, url=f"/appeals/cases/{case.pk}/")


def _notify_dispatchers(case: Case, verb: str, text: str) -> None:
    notify(permissions.users_who_can("dispatch", case), verb, text, url=f"/appeals/cases/{case.pk}/")
