"""The organization tree over JSON: areas, party organizations, units, people (masked), reveal, audit log; and the
user's notifications (with the session or an API key)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from gongzhi.lib.masking import mask_id_number, mask_phone

from . import actions
from .api_keys import API_AUTH
from .api_schemas import DEFAULT_LIMIT, MAX_LIMIT, Id, Limit, OneOf, paginated
from .errors import RateLimited
from .models import Area, AuditEvent, Notification, PartyMember, PartyOrg, Resident, Unit, User
from .permissions import (
    audit_event_policy,
    can,
    get_area_for_user,
    get_party_member_for_user,
    get_resident_for_user,
    get_unit_for_user,
    user_grants,
    visible_to,
)
from .pii import Places

router = Router()


class GrantOut(Schema):
    role: str
    role_label: str
    area_id: int
    area_name: str
    unit_id: int | None
    unit_name: str | None


class MeOut(Schema):
    username: str
    display_name: str
    grants: list[GrantOut]


class AreaOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    parent_id: int | None
    path: str
    code: str
    province: str


class AreaDetailOut(AreaOut):
    ancestors: list[AreaOut]
    children: list[AreaOut]


class AreaIn(Schema):
    parent_id: Id
    name: str = Field(..., max_length=100)
    level: Annotated[str, OneOf(Area.Level)]
    code: str = ""


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    area_id: int
    area_name: str
    contact_name: str
    contact_phone: str


class UnitIn(Schema):
    area_id: Id
    name: str = Field(..., max_length=100)
    kind: Annotated[str, OneOf(Unit.Kind)]
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""


class PartyOrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    area_id: int
    parent_id: int | None
    member_count: int


def request_places(context: Any) -> Places:
    """One `Places` per request, so a page of residents loads their communities and estates once."""
    request = (context or {}).get("request")
    places = getattr(request, "_gongzhi_places", None)
    if places is None:
        places = Places()
        if request is not None:
            request._gongzhi_places = places
    return places


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    phone: str
    id_number: str
    area_id: int
    area_name: str

    @staticmethod
    def resolve_phone(obj: Resident | PartyMember) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_id_number(obj: Resident | PartyMember) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_area_id(obj: Resident | PartyMember, context: Any) -> int | None:
        if isinstance(obj, PartyMember):
            return obj.home_area_id
        place = request_places(context).area(obj.area)
        return place.pk if place is not None else None

    @staticmethod
    def resolve_area_name(obj: Resident | PartyMember, context: Any) -> str:
        return request_places(context).name(obj.area) if isinstance(obj, Resident) else obj.home_area.name


class ResidentOut(PersonOut):
    """A resident, masked: the area is the community or estate they live in (never the building), the address
    only that place's names; the full values come from `POST /residents/{id}/reveal` (audited)."""

    area_id: int | None  # type: ignore[assignment]
    address: str

    @staticmethod
    def resolve_address(obj: Resident, context: Any) -> str:
        return request_places(context).address(obj.address, obj.area)


class PartyMemberOut(PersonOut):
    in_service: bool
    work_unit: str | None
    party_org: str | None
    joined_on: date | None

    @staticmethod
    def resolve_work_unit(obj: PartyMember) -> str | None:
        return obj.work_unit.name if obj.work_unit else None

    @staticmethod
    def resolve_party_org(obj: PartyMember) -> str | None:
        return obj.party_org.name if obj.party_org else None


class RevealOut(Schema):
    phone: str
    id_number: str
    address: str | None = None


class AuditOut(Schema):
    id: int
    actor: str | None
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    area_id: int | None
    before: dict | None
    after: dict | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str | None:
        return str(obj.actor) if obj.actor else None

    @staticmethod
    def resolve_area_id(obj: AuditEvent, context: Any) -> int | None:
        """The event's community or estate when it lies below one (a person's grid or building is not shown)."""
        area = request_places(context).area(obj.area) if obj.area_id else None
        return area.pk if area else None


def _area_out(area: Area) -> AreaOut:
    return AreaOut(
        id=area.pk, name=area.name, level=area.level, level_label=str(area.get_level_display()),
        parent_id=area.parent_id, path=area.path, code=area.code, province=area.province,
    )


def _unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        id=unit.pk, name=unit.name, kind=unit.kind, kind_label=str(unit.get_kind_display()), area_id=unit.area_id,
        area_name=unit.area.name, contact_name=unit.contact_name, contact_phone=mask_phone(unit.contact_phone),
    )


def _user(request: HttpRequest) -> User:
    user = request.user if request.user.is_authenticated else getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Http404
    return user


@router.get("/me", response=MeOut, summary="当前用户及其授权")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        grants=[
            GrantOut(role=g.role, role_label=str(g.get_role_display()), area_id=g.area_id, area_name=g.area.name,
                     unit_id=g.unit_id, unit_name=g.unit.name if g.unit else None)
            for g in user_grants(user)
        ],
    )


@router.get("/areas", response=list[AreaOut], summary="可见区域列表")
@paginated
def list_areas(
    request: HttpRequest, parent_id: Id | None = None, level: Annotated[str, OneOf(Area.Level)] | None = None, q: str | None = None
) -> list[AreaOut]:
    qs = visible_to(_user(request), Area)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q)
    return [_area_out(a) for a in qs.order_by("path")]


@router.get("/areas/{area_id}", response=AreaDetailOut, summary="区域详情")
def get_area(request: HttpRequest, area_id: Id) -> AreaDetailOut:
    user = _user(request)
    area = get_area_for_user(user, area_id)
    visible = visible_to(user, Area)
    ancestors = [a for a in visible.filter(pk__in=area.ancestor_ids()).exclude(pk=area.pk).order_by("path")]
    children = list(visible.filter(parent=area).order_by("name"))
    return AreaDetailOut(
        **_area_out(area).dict(),
        ancestors=[_area_out(a) for a in ancestors],
        children=[_area_out(c) for c in children],
    )


@router.post("/areas", response={201: AreaOut}, summary="新增区域")
def create_area(request: HttpRequest, payload: AreaIn) -> Status:
    user = _user(request)
    parent = get_area_for_user(user, payload.parent_id)
    area = actions.do_create_area(parent=parent, name=payload.name, level=payload.level, code=payload.code,
                                  acting_user=user)
    return Status(201, _area_out(area))


@router.get("/party-orgs", response=list[PartyOrgOut], summary="党组织（含成员数）")
@paginated
def list_party_orgs(request: HttpRequest, area_id: Id | None = None) -> list[PartyOrgOut]:
    user = _user(request)
    qs = visible_to(user, PartyOrg).select_related("area").annotate(member_count=Count("members"))
    if area_id is not None:
        qs = qs.filter(area__path__startswith=get_area_for_user(user, area_id).path)
    return [
        PartyOrgOut(id=o.pk, name=o.name, kind=o.kind, kind_label=str(o.get_kind_display()), area_id=o.area_id,
                    parent_id=o.parent_id, member_count=o.member_count)  # type: ignore[attr-defined]
        for o in qs.order_by("area__path", "kind")
    ]


@router.get("/units", response=list[UnitOut], summary="单位列表")
@paginated
def list_units(request: HttpRequest, kind: Annotated[str, OneOf(Unit.Kind)] | None = None, q: str | None = None) -> list[UnitOut]:
    qs = visible_to(_user(request), Unit).select_related("area")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return [_unit_out(u) for u in qs.order_by("kind", "name")]


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: Id) -> UnitOut:
    unit = get_unit_for_user(_user(request), unit_id)
    return _unit_out(unit)


@router.post("/units", response={201: UnitOut}, summary="新增单位")
def create_unit(request: HttpRequest, payload: UnitIn) -> Status:
    user = _user(request)
    area = get_area_for_user(user, payload.area_id)
    data = payload.dict(exclude={"area_id"})
    unit = actions.do_create_unit(acting_user=user, area=area, **data)
    return Status(201, _unit_out(unit))


def _search_people(kind: str, user: User, *, q: str, area: Area | None) -> QuerySet[Any]:
    """By name; by phone or ID number only for roles that may reveal them, audited and limited (429)."""
    try:
        return actions.do_search_people(kind, acting_user=user, q=q, area=area)
    except RateLimited as exc:
        raise HttpError(429, exc.message) from None


@router.get("/residents", response=list[ResidentOut], summary="居民（个人信息已脱敏）")
@paginated
def list_residents(request: HttpRequest, area_id: Id | None = None, q: str | None = None) -> QuerySet[Resident]:
    user = _user(request)
    area = get_area_for_user(user, area_id) if area_id is not None else None
    return _search_people("residents", user, q=q or "", area=area)


@router.get("/residents/{resident_id}", response=ResidentOut, summary="居民详情（脱敏）")
def get_resident(request: HttpRequest, resident_id: Id) -> Resident:
    resident = get_resident_for_user(_user(request), resident_id)
    return resident


@router.post("/residents/{resident_id}/reveal", response=RevealOut, summary="查看完整个人信息（记入审计）")
def reveal_resident(request: HttpRequest, resident_id: Id) -> RevealOut:
    user = _user(request)
    resident = get_resident_for_user(user, resident_id)
    return RevealOut(**actions.do_reveal_personal_data(resident, acting_user=user))


@router.get("/party-members", response=list[PartyMemberOut], summary="党员（个人信息已脱敏）")
@paginated
def list_party_members(
    request: HttpRequest, area_id: Id | None = None, q: str | None = None, in_service: bool | None = None
) -> QuerySet[PartyMember]:
    user = _user(request)
    area = get_area_for_user(user, area_id) if area_id is not None else None
    qs = _search_people("party_members", user, q=q or "", area=area)
    if in_service is not None:
        qs = qs.filter(in_service=in_service)
    return qs.order_by("home_area__path", "name", "pk")


@router.get("/party-members/{member_id}", response=PartyMemberOut, summary="党员详情（脱敏）")
def get_party_member(request: HttpRequest, member_id: Id) -> PartyMember:
    member = get_party_member_for_user(_user(request), member_id)
    return member


@router.post("/party-members/{member_id}/reveal", response=RevealOut, summary="查看党员完整个人信息（记入审计）")
def reveal_party_member(request: HttpRequest, member_id: Id) -> RevealOut:
    user = _user(request)
    member = get_party_member_for_user(user, member_id)
    return RevealOut(**actions.do_reveal_personal_data(member, acting_user=user))


@router.get("/audit", response=list[AuditOut], summary="审计日志（管理员，按范围）")
@paginated
def list_audit(request: HttpRequest, verb: str | None = None) -> QuerySet[AuditEvent]:
    user = _user(request)
    audit_event_policy.require_somewhere(user, "browse", "只有管理员可以查看审计日志。")
    qs = visible_to(user, AuditEvent).select_related("actor", "area")
    if verb:
        qs = qs.filter(verb=verb)
    return qs


class NotificationOut(Schema):
    id: int
    verb: str
    text: str
    url: str
    read_at: datetime | None
    created_at: datetime


class NotificationReadOut(Schema):
    ok: bool = True
    id: int | None = None


def notification_list(user: User, *, unread_only: bool = False, limit: int = DEFAULT_LIMIT) -> list[Notification]:
    qs = visible_to(user, Notification)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[: max(1, min(limit, MAX_LIMIT))])


@router.get("/notifications", response=list[NotificationOut], auth=API_AUTH, summary="我的通知")
def notifications(request: HttpRequest, unread_only: bool = False, limit: Limit = DEFAULT_LIMIT) -> list[Notification]:
    return notification_list(_user(request), unread_only=unread_only, limit=limit)


@router.post("/notifications/{notification_id}/read", response=NotificationReadOut, auth=API_AUTH,
             summary="标记通知已读")
def read_notification(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    updated = actions.do_mark_notifications_read(_user(request), notification_ids=[notification_id])
    return {"ok": bool(updated), "id": notification_id}


def can_reveal(user: User, person: Resident | PartyMember) -> bool:
    return can(user, "reveal", person)
