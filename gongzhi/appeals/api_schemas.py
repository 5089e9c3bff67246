"""The JSON shapes of the appeals API (gongzhi/appeals/api.py): what comes in and what goes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import Interval
from django.urls import reverse
from ninja import Field, Schema
from pydantic import SerializerFunctionWrapHandler, model_serializer

from gongzhi.core.api import request_places
from gongzhi.core.api_schemas import Id, OneOf
from gongzhi.lib.masking import mask_phone

from . import permissions
from .models import (
    Appeal,
    Assignment,
    Case,
    CaseEvent,
    Urgency,
    Whistle,
    WhistleReport,
)

AppealType = Annotated[str, OneOf(Appeal.Type)]
UrgencyValue = Annotated[str, OneOf(Urgency)]
Channel = Annotated[str, OneOf(Appeal.Channel)]
WhistleRating = Annotated[str, OneOf(WhistleReport.Rating)]
# A case's version as the client last read it (optimistic locking).
Version = Annotated[int, Interval(ge=0, le=2**31 - 1)]
# At most this many ids in one list (units summoned, appeals merged).
MAX_IDS = 1000


class AppealIn(Schema):
    title: str = Field("", max_length=200)
    body: str = Field(..., max_length=5000)
    callback_phone: str = Field(..., max_length=20)
    callback_name: str = Field("", max_length=50)
    appeal_type: AppealType = Appeal.Type.HELP
    urgency: UrgencyValue = Urgency.NORMAL
    channel: Channel = Appeal.Channel.API
    category_id: Id | None = None
    area_id: Id | None = None
    address: str = Field("", max_length=200)
    source_ref: str = ""


class AppealOut(Schema):
    id: int
    tracking_code: str
    channel: str
    appeal_type: str
    urgency: str
    title: str
    body: str
    callback_name: str
    callback_phone: str
    address: str
    case_id: int | None
    created_at: datetime
    status: str  # the one status every page shows (models.shown_status): its key and its label
    status_label: str

    @staticmethod
    def resolve_status(obj: Appeal) -> str:
        return obj.shown_status.key

    @staticmethod
    def resolve_status_label(obj: Appeal) -> str:
        return obj.shown_status.label

    @staticmethod
    def resolve_tracking_code(obj: Appeal, context: Any) -> str:
        """Whole for the resident who sent it and for an API-key integration; masked for staff, also for the
        appeals they filed themselves (docs/architecture.md, "Who sees tracking codes")."""
        request = (context or {}).get("request")
        return obj.tracking_code if permissions.sees_tracking_code(request, obj) else obj.masked_code

    @staticmethod
    def resolve_callback_phone(obj: Appeal) -> str:
        return mask_phone(obj.callback_phone)

    @staticmethod
    def resolve_address(obj: Appeal, context: Any) -> str:
        """Masked as everywhere (gongzhi.core.pii): the place's community and estate; the full address through
        POST /cases/{case_id}/appeals/{appeal_id}/contact, for those the one rule allows (audited)."""
        return request_places(context).address(obj.address, obj.area) if obj.address else ""


class ContactOut(Schema):
    """An appeal's personal data in full, as far as the user may see it (audited); a field not allowed is null."""

    callback_phone: str | None = None
    address: str | None = None


class CaseAppealOut(AppealOut):
    """An appeal on the staff case resource: its tracking code masked (only the resident has the whole code)."""

    @staticmethod
    def resolve_tracking_code(obj: Appeal, context: Any = None) -> str:
        return obj.masked_code


class TrackIn(Schema):
    code: str = Field(..., max_length=20)
    phone_last4: str = Field(..., max_length=4)


class TrackOut(Schema):
    tracking_code: str
    title: str
    status: str
    status_label: str
    submitted_at: datetime
    answer: str
    answered_at: datetime | None


class CaseOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    urgency: str
    category_id: int | None
    category_name: str | None
    area_id: int | None
    area_name: str | None
    lead_unit_id: int | None
    lead_unit_name: str | None
    time_limit_kind: str
    dispatched_at: datetime | None
    accept_deadline: datetime | None
    due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    due_soon: bool
    overdue: bool
    version: int
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.shown_status.label  # the one status every page shows

    @staticmethod
    def resolve_category_name(obj: Case) -> str | None:
        return obj.category.name if obj.category else None

    @staticmethod
    def resolve_area_name(obj: Case) -> str | None:
        return obj.area.name if obj.area else None

    @staticmethod
    def resolve_lead_unit_name(obj: Case) -> str | None:
        return obj.lead_unit.name if obj.lead_unit else None

    @staticmethod
    def resolve_due_soon(obj: Case) -> bool:
        return obj.is_due_soon()

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return obj.is_overdue()


class EventOut(Schema):
    id: int
    verb: str
    actor: str | None
    unit: str | None
    note: str
    from_status: str
    to_status: str
    created_at: datetime
    duration_seconds: float | None
    photos: list[str]

    @staticmethod
    def resolve_actor(obj: CaseEvent) -> str | None:
        return str(obj.actor) if obj.actor else None

    @staticmethod
    def resolve_unit(obj: CaseEvent) -> str | None:
        return obj.unit.name if obj.unit else None

    @staticmethod
    def resolve_duration_seconds(obj: CaseEvent) -> float | None:
        return obj.duration.total_seconds() if obj.duration else None

    @staticmethod
    def resolve_photos(obj: CaseEvent) -> list[str]:
        return [reverse("appeals:event_photo", args=[p.pk]) for p in obj.photos.all()]


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    status: str
    accepted_at: datetime | None
    returned_reason: str

    @staticmethod
    def resolve_unit_name(obj: Assignment) -> str:
        return obj.unit.name


class ExtensionOut(Schema):
    id: int
    new_due_at: datetime
    reason: str
    status: str


class CaseDetailOut(CaseOut):
    """A case with its appeals and timeline. Other apps add keys at the top level
    (`registry.api_extra("appeals.case", ...)`): intelligence adds "suggestions", the classifier's top three with
    the category dispatch would use and its lead unit, for those who may dispatch the case while it waits (else
    []), as in GET /api/intelligence/cases/{id}/suggestions."""

    appeals: list[CaseAppealOut]
    assignments: list[AssignmentOut]
    timeline: list[EventOut]
    extensions: list[ExtensionOut]
    answer: str
    auto_dispatched: bool
    extras: dict[str, Any] = Field(default_factory=dict, exclude=True)

    # Without a return type, the schema stays that of the fields above.
    @model_serializer(mode="wrap")
    def _with_extras(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = handler(self)
        data.update(self.extras)
        return data


class DispatchIn(Schema):
    lead_unit_id: Id
    assist_unit_ids: list[Id] = Field([], max_length=MAX_IDS)
    category_id: Id | None = None
    area_id: Id | None = None
    urgency: UrgencyValue | None = None
    note: str = ""
    expected_version: Version | None = None


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ReplyIn(Schema):
    body: str = ""
    template_id: Id | None = None
    expected_version: Version | None = None


class FollowUpIn(Schema):
    contacted: bool
    solved: bool = False
    satisfaction: str = ""
    note: str = ""


class ExtensionIn(Schema):
    new_due_at: datetime
    reason: str


class DecideIn(Schema):
    approve: bool
    note: str = ""


class MergeIn(Schema):
    appeal_ids: list[Id] = Field(..., max_length=MAX_IDS)
    note: str = ""


class CaseRouteOut(Schema):
    lead_unit_id: int | None
    lead_unit_name: str | None
    assist_unit_ids: list[int]
    rule_id: int | None


class WhistleIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = ""
    area_id: Id | None = None
    case_id: Id | None = None
    unit_ids: list[Id] = Field(..., max_length=MAX_IDS)
    urgent: bool = False


class WhistleReportOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    reported_at: datetime | None
    late: bool
    action_taken: str
    done_at: datetime | None
    rating: str

    @staticmethod
    def resolve_unit_name(obj: WhistleReport) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_late(obj: WhistleReport) -> bool:
        return obj.is_late


class WhistleOut(Schema):
    id: int
    title: str
    description: str
    area_id: int
    whistler_area_id: int
    case_id: int | None
    urgent: bool
    report_deadline: datetime
    status: str
    created_at: datetime
    closed_at: datetime | None
    reports: list[WhistleReportOut]

    @staticmethod
    def resolve_reports(obj: Whistle) -> list[WhistleReport]:
        return list(obj.reports.all())


class CompleteIn(Schema):
    action_taken: str


class RateIn(Schema):
    rating: WhistleRating
    note: str = ""


class RateRowOut(Schema):
    key: int
    name: str
    rank: int | None = Field(description="Competition rank (1, 1, 3); null when too few follow-ups to rank")
    tied: bool = Field(description="Another row has the same rank (并列)")
    followed_up: int
    contacted: int
    solved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    level: int
    code: str
    time_limit_kind: str
    active: bool


class TemplateOut(Schema):
    id: int
    title: str
    body: str


class OkOut(Schema):
    ok: bool = True
    id: int | None = None


class ImportOut(Schema):
    created: int
    tracking_codes: list[str]
