"""The three lists' file formats: their columns, which rows an importer may write, and the filters an export
honours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ActionError
from gongzhi.core.rosters import RowError

from .. import permissions
from ..demand_filters import apply_filters, parse_filters
from ..models import CapacityUnit, Demand, Project, Resource, ResourceKind, Urgency
from ..resource_filters import STATUS_FILTERS, apply_resource_filters, chosen_filters
from .columns import (
    AREA_HELP,
    READONLY_HELP,
    AllianceRef,
    Amount,
    AreaRef,
    CategoryRef,
    Choice,
    Column,
    Context,
    Day,
    Integer,
    Kinds,
    Phone,
    Shown,
    Text,
    UnitRef,
    id_column,
    label_of,
    number_text,
    time_of,
    updated_column,
    zh,
)

# ---------------------------------------------------------------------------------------------------------
# The three lists


@dataclass
class PlannedRow:
    row: int
    obj: Any | None  # the record a row updates; None: it creates one
    values: dict[str, Any] = field(default_factory=dict)  # all fields (create) or the changes (update)
    seen_updated_at: datetime | None = None


@dataclass
class Plan:
    kind: str
    user: Any
    rows: int = 0
    creates: list[PlannedRow] = field(default_factory=list)
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.updates)


class ListSpec:
    kind: ClassVar[str]
    title: ClassVar[str]  # the sheet's title and the file name's stem (Chinese: the file format)
    noun: ClassVar[Any]
    model: ClassVar[type[Model]]
    columns: ClassVar[tuple[Column, ...]]
    notes: ClassVar[tuple[Any, ...]] = ()
    # Filters of the list page an export honours: (GET name, model lookup, allowed values).
    filters: ClassVar[tuple[tuple[str, str, tuple[str, ...]], ...]] = ()
    select_related: ClassVar[tuple[str, ...]] = ()
    prefetch_related: ClassVar[tuple[str, ...]] = ()
    can_create: ClassVar[bool] = True

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def visible(self, user: Any) -> QuerySet[Any]:
        return permissions.visible_to(user, self.model)

    def export_queryset(self, user: Any, params: Any = None) -> QuerySet[Any]:
        qs = self.visible(user)
        for name, lookup, allowed in self.filters:
            value = (params.get(name) if params is not None else "") or ""
            if value and value in allowed:
                qs = qs.filter(**{lookup: value})
        return qs.select_related(*self.select_related).prefetch_related(*self.prefetch_related).order_by("pk")

    def filter_words(self, params: Any) -> list[str]:
        """What the export's file name says of the filters (e.g. the status chosen)."""
        words = []
        for name, lookup, allowed in self.filters:
            value = (params.get(name) if params is not None else "") or ""
            if value and value in allowed:
                field_name = lookup.split("__")[0]
                choices = dict(self.model._meta.get_field(field_name).choices or [])  # type: ignore[union-attr]
                words.append(zh(choices.get(value, value)))
        return words

    def check_create(self, ctx: Context, values: dict[str, Any]) -> list[str]:
        """Why the importer may not create this record (Chinese sentences, empty if allowed)."""
        return []

    def check_update(self, ctx: Context, obj: Any, changes: dict[str, Any]) -> list[str]:
        return []

    def check_update_now(self, obj: Any, changes: dict[str, Any]) -> list[str]:
        """Checked again when the row is written, on the record as it is then (locked)."""
        return []

    def may_edit(self, user: Any, obj: Any) -> bool:
        return permissions.can(user, "edit", obj)


class DemandList(ListSpec):
    kind = "demands"
    title = "需求清单"
    noun = gettext_lazy("demand")
    model = Demand
    select_related = ("area", "category__parent__parent", "source_unit")
    filters = (("status", "status", tuple(Demand.Status.values)),)
    CREATE_SOURCES = (Demand.Source.MANUAL, Demand.Source.UNIT, Demand.Source.COUNCIL)
    columns = (
        id_column("demand"),
        Text("title", "标题", gettext_lazy("What is needed, in one line (at most 200 characters)."),
             "和平小区1号楼楼道加装扶手", required=True, width=30),
        Text("description", "描述", gettext_lazy("Details: where, what, why (optional)."),
             "1号楼住着12位80岁以上老人，楼道没有扶手，上下楼不便。", max_length=5000, width=40),
        CategoryRef("category", "分类", gettext_lazy("Optional: an appeal category as 一级/二级/三级, or a third-level "
                                                   "name that is unique."), "住房/老旧小区改造/加装电梯", width=26),
        AreaRef("area", "区域", AREA_HELP, "和平里社区", required=True, width=26),
        Choice("source", "来源", gettext_lazy("Only read when a row adds a demand: 工作人员录入, 单位需求 (fill in "
                                            "提出单位) or 居民议事会. Demands from appeals, hot issues and surveys are "
                                            "added on those pages."),
               "工作人员录入", options=tuple(Demand.Source.choices), default=Demand.Source.MANUAL, create_only=True),
        Text("source_ref", "来源说明", gettext_lazy("Optional, only read when a row adds a demand: where it came from, "
                                                "in words."), "", create_only=True, width=24),
        UnitRef("source_unit", "提出单位", gettext_lazy("For a member unit's own need: the unit's full name (only read "
                                                    "when a row adds a demand)."), "", create_only=True, width=24),
        Text("beneficiaries", "受益人群", gettext_lazy("Who benefits (optional)."), "1号楼高龄老人", width=20),
        Integer("beneficiary_count", "受益人数", gettext_lazy("How many people benefit; empty means 0."), 12, default=0,
                width=10),
        Choice("urgency", "紧急程度", gettext_lazy("Empty means 一般."), "高", options=tuple(Urgency.choices),
               default=Urgency.NORMAL, width=10),
        Kinds("resource_kinds", "所需资源类型", gettext_lazy("The kinds of resource it needs, separated by 、 (optional)."),
              "资金、志愿服务时长", width=24),
        Amount("cost_estimate", "费用估算（元）", gettext_lazy("Optional, in yuan."), 20000, width=14),
        Integer("need_quantity", "所需数量", gettext_lazy("Optional: how many hours, items or uses it needs."), "",
                minimum=1, width=10),
        Shown("status", "状态", READONLY_HELP, show=label_of(Demand.Status, "status"), width=12),
        Shown("closed_reason", "关闭原因", READONLY_HELP, show=lambda d, ctx: d.closed_reason, width=20),
        Shown("created_at", "登记时间", READONLY_HELP, show=time_of("created_at"), width=20),
        updated_column(),
    )

    def check_create(self, ctx: Context, values: dict[str, Any]) -> list[str]:
        user, area = ctx.user, values["area"]
        problems = []
        if values["source"] not in self.CREATE_SOURCES:
            problems.append(_("A demand from an appeal, a hot issue or a survey is added on that page; an import adds "
                              "demands with the source 工作人员录入, 单位需求 or 居民议事会."))
        if values["source"] == Demand.Source.UNIT and values["source_unit"] is None:
            problems.append(_("A member unit's own need needs the 提出单位 (the unit's full name)."))
        staff_here = permissions.area_policy.in_scope(user, area, permissions.DEMAND_ROLES)
        if not permissions.can(user, "create_demand", area):
            problems.append(_("You may not add demands at %(area)s.") % {"area": ctx.areas.text(area)})
        elif not staff_here and (values["source"] != Demand.Source.UNIT
                                 or values["source_unit"] is None
                                 or values["source_unit"].pk not in ctx.liaison_unit_ids):
            problems.append(_("A member unit's liaison adds only the unit's own needs: write 单位需求 as the "
                              "source and your unit as the 提出单位."))
        if values["source"] != Demand.Source.UNIT and values["source_unit"] is not None:
            problems.append(_("Only a member unit's own need (单位需求) has a 提出单位; leave it empty."))
        return problems

    def check_update(self, ctx: Context, obj: Any, changes: dict[str, Any]) -> list[str]:
        if "area" in changes and not permissions.can(ctx.user, "create_demand", changes["area"]):
            return [_("You may not move demands to %(area)s.") % {"area": ctx.areas.text(changes["area"])}]
        return []

    def export_queryset(self, user: Any, params: Any = None) -> QuerySet[Any]:
        """The demand list page's filters (search, status, source, urgency, place, category, kind) apply."""
        filters = parse_filters(user, params or {})
        qs = apply_filters(self.visible(user), filters)
        return qs.select_related(*self.select_related).order_by("pk")

    def filter_words(self, params: Any) -> list[str]:
        words = super().filter_words(params)
        for name, choices in (("source", Demand.Source), ("urgency", Urgency)):
            value = (params.get(name) if params is not None else "") or ""
            if value in choices.values:
                words.append(zh(choices(value).label))
        return words


class ResourceList(ListSpec):
    kind = "resources"
    title = "资源清单"
    noun = gettext_lazy("resource")
    model = Resource
    select_related = ("area", "provider_unit", "alliance", "place")
    columns = (
        id_column("resource"),
        Choice("kind", "类型", gettext_lazy("What kind of resource it is."), "场地", required=True,
               options=tuple(ResourceKind.choices), width=14),
        Text("title", "名称", gettext_lazy("Its name, in one line (at most 200 characters)."), "和平物业多功能活动室",
             required=True, width=28),
        Text("description", "说明", gettext_lazy("What it is and how it can be used (optional)."),
             "可容纳40人，配有投影和音响。", max_length=5000, width=36),
        UnitRef("provider_unit", "提供单位", gettext_lazy("The unit that offers it (full name); empty: the community "
                                                      "itself. A liaison writes the own unit. Only read when a row "
                                                      "adds a resource."), "和平物业服务有限公司", create_only=True, width=26),
        AreaRef("area", "服务范围", gettext_lazy("The area it serves: a community, a subdistrict, the district or the "
                                             "city, by its name as in the system.") , "和平里社区", required=True, width=22),
        AllianceRef("alliance", "服务联盟", gettext_lazy("Optional: the alliance it serves, by its name."), "", width=20),
        AreaRef("place", "所在位置", gettext_lazy("Optional: where it is (an estate or a building), for distances."),
                "和平小区", width=22),
        Choice("capacity_unit", "容量单位", gettext_lazy("What its capacity is counted in."), "人",
               required=True, options=tuple(CapacityUnit.choices), width=10),
        Amount("capacity", "容量", gettext_lazy("How much it can give in its unit (not below what is already "
                                              "promised)."), 40, required=True, width=10),
        Shown("promised", "已承诺", READONLY_HELP, show=lambda r, ctx: Decimal(number_text(r.promised)), width=10),
        Shown("remaining", "剩余", READONLY_HELP, show=lambda r, ctx: Decimal(number_text(r.remaining)), width=10),
        Text("opening_hours", "开放时间", gettext_lazy("Optional, e.g. 周一至周五 9:00-17:00."), "周一至周五 9:00-17:00",
             max_length=100, width=22),
        Day("valid_from", "有效期起", gettext_lazy("Optional date, e.g. 2027-01-01."), "2027-01-01", width=12),
        Day("valid_until", "有效期至", gettext_lazy("Optional date, e.g. 2027-12-31."), "2027-12-31", width=12),
        Text("contact_name", "联系人", gettext_lazy("Optional."), "刘经理", max_length=50, width=10),
        Phone("contact_phone", "联系电话", gettext_lazy("Optional: a mobile number or a landline with area code."),
              "13800001234", width=14),
        Choice("status", "状态", gettext_lazy("Empty means 可用."), "可用", options=tuple(Resource.Status.choices),
               default=Resource.Status.ACTIVE, width=10),
        Shown("created_at", "登记时间", READONLY_HELP, show=time_of("created_at"), width=20),
        updated_column(),
    )

    def export_queryset(self, user: Any, params: Any = None) -> QuerySet[Any]:
        """The resource list page's filters (kind, provider, area, status, expiring) apply."""
        qs = apply_resource_filters(self.visible(user), chosen_filters(params))
        return qs.select_related(*self.select_related).order_by("pk")

    def filter_words(self, params: Any) -> list[str]:
        chosen = chosen_filters(params)
        words = [zh(label) for value, label in STATUS_FILTERS if value == chosen["status"]]
        words += [zh(label) for value, label in ResourceKind.choices if value == chosen["kind"]]
        if chosen["expiring"] == "1":
            words.append("即将到期")
        return words

    def _common(self, ctx: Context, values: dict[str, Any], obj: Any | None) -> list[str]:
        problems = []
        start = values.get("valid_from", obj.valid_from if obj else None)
        end = values.get("valid_until", obj.valid_until if obj else None)
        if start and end and end < start:
            problems.append(_("The 有效期至 is before the 有效期起."))
        if obj is not None:
            if "capacity" in values and values["capacity"] < obj.promised:
                problems.append(_("The capacity cannot be below what is already promised (%(promised)s).")
                                % {"promised": number_text(obj.promised)})
            if "capacity_unit" in values and obj.promised > 0:
                problems.append(_("The capacity unit cannot change while part of the resource is promised."))
        return problems

    def check_update_now(self, obj: Any, changes: dict[str, Any]) -> list[str]:
        if "capacity" in changes and changes["capacity"] < obj.promised:
            return [_("The capacity cannot be below what is already promised (%(promised)s).")
                    % {"promised": number_text(obj.promised)}]
        return []

    def check_create(self, ctx: Context, values: dict[str, Any]) -> list[str]:
        user, area, unit = ctx.user, values["area"], values["provider_unit"]
        problems = self._common(ctx, values, None)
        if not permissions.can(user, "create_resource", area):
            problems.append(_("You may not add resources serving %(area)s.") % {"area": ctx.areas.text(area)})
        elif not permissions.area_policy.in_scope(user, area, permissions.MANAGE_ROLES) and (
                unit is None or unit.pk not in ctx.liaison_unit_ids):
            problems.append(_("A member unit's liaison adds only the unit's own resources: write your unit as the "
                              "提供单位."))
        return problems

    def check_update(self, ctx: Context, obj: Any, changes: dict[str, Any]) -> list[str]:
        problems = self._common(ctx, changes, obj)
        if "area" in changes and not permissions.can(ctx.user, "create_resource", changes["area"]):
            problems.append(_("You may not make a resource serve %(area)s.") % {"area": ctx.areas.text(changes["area"])})
        return problems


def _milestones(project: Project, ctx: Context) -> str:
    return "；".join(
        f"{m.due_on.isoformat()} {m.title}" + ("（已完成）" if m.done_at else "") for m in project.milestones.all())


def _demand_ids(project: Project, ctx: Context) -> str:
    return "、".join(str(d.pk) for d in sorted(project.demands.all(), key=lambda d: d.pk))


def _partners(project: Project, ctx: Context) -> str:
    return "、".join(u.name for u in sorted(project.partner_units.all(), key=lambda u: u.name))


def _agreement(project: Project, ctx: Context) -> str:
    try:
        agreement = project.agreement
    except Project.agreement.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return ""
    return zh(agreement.get_status_display())


class ProjectList(ListSpec):
    kind = "projects"
    title = "项目清单"
    noun = gettext_lazy("project")
    model = Project
    can_create = False
    select_related = ("area", "lead_unit", "parent", "agreement")
    prefetch_related = ("demands", "partner_units", "milestones")
    filters = (("status", "status", tuple(Project.Status.values)),)
    notes = (gettext_lazy("Projects are made by confirming a match of demands and resources; an import changes only "
                          "the 项目名称, 项目说明 and 预算 of existing projects (rows need their 编号)."),)
    columns = (
        id_column("project"),
        Text("title", "项目名称", gettext_lazy("Can be changed by import."), "和平小区1号楼楼道扶手安装", required=True,
             width=30),
        Text("description", "项目说明", gettext_lazy("Can be changed by import."), "", max_length=5000, width=40),
        Amount("budget", "预算（元）", gettext_lazy("Can be changed by import; empty: no budget."), 20000, width=14),
        Shown("area", "社区", READONLY_HELP, show=lambda p, ctx: ctx.areas.text(p.area), width=20),
        Shown("parent", "上级项目编号", READONLY_HELP, show=lambda p, ctx: p.parent_id, width=10),
        Shown("weight", "权重", READONLY_HELP, show=lambda p, ctx: Decimal(number_text(p.weight)), width=8),
        Shown("demands", "对应需求编号", READONLY_HELP, show=_demand_ids, width=14),
        Shown("lead_unit", "牵头单位", READONLY_HELP, show=lambda p, ctx: p.lead_unit.name if p.lead_unit else "",
              width=24),
        Shown("partner_units", "协作单位", READONLY_HELP, show=_partners, width=24),
        Shown("status", "状态", READONLY_HELP, show=label_of(Project.Status, "status"), width=12),
        Shown("progress", "进度（%）", READONLY_HELP, show=lambda p, ctx: p.progress, width=10),
        Shown("agreement", "协议", READONLY_HELP, show=_agreement, width=12),
        Shown("milestones", "里程碑", READONLY_HELP, show=_milestones, width=40),
        Shown("claimed_at", "认领时间", READONLY_HELP, show=time_of("claimed_at"), width=20),
        Shown("started_at", "开始时间", READONLY_HELP, show=time_of("started_at"), width=20),
        Shown("finished_at", "完成时间", READONLY_HELP, show=time_of("finished_at"), width=20),
        Shown("public", "公示", READONLY_HELP, show=lambda p, ctx: "是" if p.public else "否", width=8),
        Shown("created_at", "创建时间", READONLY_HELP, show=time_of("created_at"), width=20),
        updated_column(),
    )

    def may_edit(self, user: Any, obj: Any) -> bool:
        return permissions.can(user, "manage", obj)

    def export_queryset(self, user: Any, params: Any = None) -> QuerySet[Any]:
        """Without filters every project the user sees (sub-projects too); with the project list page's filters
        (status, community, lead unit, overdue, waiting) the projects that page lists, with their sub-projects."""
        from ..project_queries import WAITING, communities_of, lead_units_of, project_list

        params = params or {}

        def number(name: str) -> int | None:
            raw = str(params.get(name) or "")
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None

        qs = self.visible(user)
        wanted = {name: str(params.get(name) or "") for name in ("status", "community", "lead_unit", "overdue",
                                                                "waiting")}
        if any(wanted.values()):
            community_id, unit_id = number("community"), number("lead_unit")
            community = communities_of(user).filter(pk=community_id).first() if community_id is not None else None
            unit = lead_units_of(user).filter(pk=unit_id).first() if unit_id is not None else None
            listed = project_list(user, status=wanted["status"], community=community, lead_unit=unit,
                                  overdue=wanted["overdue"] == "1",
                                  waiting=wanted["waiting"] if wanted["waiting"] in WAITING else "")
            ids = list(listed.values_list("pk", flat=True))
            qs = qs.filter(Q(pk__in=ids) | Q(parent_id__in=ids))
        return qs.select_related(*self.select_related).prefetch_related(*self.prefetch_related).order_by("pk")

    def check_update(self, ctx: Context, obj: Any, changes: dict[str, Any]) -> list[str]:
        if obj.status in (Project.Status.FINISHED, Project.Status.CANCELLED):
            return [_("A finished or cancelled project cannot be changed.")]
        return []


SPECS: dict[str, ListSpec] = {spec.kind: spec for spec in (DemandList(), ResourceList(), ProjectList())}


def get_spec(kind: str) -> ListSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ActionError(_("Unknown list %(kind)s.") % {"kind": kind}, field="kind") from None

