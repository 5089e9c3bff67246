"""Columns of the lists' Excel files: how a cell is written, compared and parsed; names of areas, units, categories
and alliances as the files write them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.appeals.queries import active_categories
from gongzhi.core.errors import ActionError
from gongzhi.core.models import Alliance, Area, Unit
from gongzhi.core.policy import is_superuser, path_q, scope_paths
from gongzhi.core.rosters import level_name
from gongzhi.lib.validators import validate_phone

from .. import permissions
from ..models import ResourceKind

MAX_ROWS = 5000
MAX_LISTED_ERRORS = 300
INSTRUCTIONS_SHEET = "填写说明"
LIST_SEPARATORS = re.compile(r"\s*[、,，;；]\s*")
PATH_SEPARATORS = re.compile(r"\s*[/／]\s*")
UPDATED = "updated_at"
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # a read-only column deleted from the file


def zh(label: Any) -> str:
    """A label as the file writes it: Chinese whatever the page's language (the file format is Chinese)."""
    with translation.override("zh-hans"):
        return str(label)


def _clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def number_text(value: Decimal | int | float) -> str:
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def norm(value: Any) -> str:
    """A cell's value as text for comparison: an uploaded cell against what the export writes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return number_text(value)
    return _clean_text(str(value))


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------------------
# Names of areas, units, categories, alliances


class AreaNames:
    """Areas the importer may name, by their name paths; export writes the shortest path (from the area's own
    name up) that names one area here, import accepts it, the full path, or any path with levels left out
    ("和平里社区/1号楼")."""

    FIELDS = ("id", "name", "level", "parent_id", "path")

    def __init__(self, user: Any) -> None:
        self.by_id: dict[int, Area] = {}
        self.by_name: dict[str, list[int]] = {}
        self._text: dict[int, str] = {}
        if is_superuser(user):
            qs = Area.objects.all()
        else:
            roots = sorted(set(scope_paths(user, permissions.VIEW_ROLES)) | set(permissions.registered_paths(user)))
            above = {int(part) for root in roots for part in root.strip("/").split("/") if part}
            qs = Area.objects.filter(path_q(roots, "path") | Q(pk__in=above))
        self._add(qs.only(*self.FIELDS))

    def _add(self, areas: Iterable[Area]) -> None:
        for area in areas:
            if area.pk not in self.by_id:
                self.by_id[area.pk] = area
                self.by_name.setdefault(area.name, []).append(area.pk)
        self._text.clear()

    def ensure(self, ids: Iterable[int]) -> None:
        """Load areas (and their ancestors) that are not in the index yet, e.g. to export them."""
        missing = {i for i in ids if i is not None and i not in self.by_id}
        if not missing:
            return
        paths = Area.objects.filter(pk__in=missing).values_list("path", flat=True)
        wanted = {int(part) for path in paths for part in path.strip("/").split("/") if part}
        self._add(Area.objects.filter(pk__in=wanted - set(self.by_id)).only(*self.FIELDS))

    def names(self, area_id: int) -> tuple[str, ...]:
        area = self.by_id[area_id]
        ids = [int(part) for part in area.path.strip("/").split("/") if part]
        return tuple(self.by_id[i].name for i in ids if i in self.by_id)

    def find(self, parts: Sequence[str]) -> list[Area]:
        found = []
        for pk in self.by_name.get(parts[-1], []):
            names = self.names(pk)[:-1]
            position = 0
            for part in parts[:-1]:  # the others, in order, among the ancestors' names
                while position < len(names) and names[position] != part:
                    position += 1
                if position == len(names):
                    break
                position += 1
            else:
                found.append(self.by_id[pk])
        return sorted(found, key=lambda a: a.path)

    def text(self, area: Area | None) -> str:
        if area is None:
            return ""
        if area.pk not in self._text:
            self.ensure([area.pk])
            names = self.names(area.pk)
            text = "/".join(names)
            for length in range(1, len(names) + 1):
                if len(self.find(names[-length:])) == 1:
                    text = "/".join(names[-length:])
                    break
            self._text[area.pk] = text
        return self._text[area.pk]

    def full_text(self, area: Area) -> str:
        return "/".join(self.names(area.pk))

    def suggestion(self, name: str) -> Area | None:
        close = [self.by_id[pk] for other, pks in self.by_name.items() if name in other or other in name
                 for pk in pks]
        return min(close, key=lambda a: (len(a.name), a.path)) if close else None

    def resolve(self, value: str) -> Area:
        parts = [p for p in PATH_SEPARATORS.split(value.strip()) if p]
        if not parts:
            raise CellError(_("Please fill in the area's name."))
        found = self.find(parts)
        if len(found) == 1:
            return found[0]
        if found:
            examples = "；".join(self.full_text(a) for a in found[:3])
            raise CellError(_("%(count)d areas are called “%(name)s” (%(examples)s); write the area above it too, "
                              "e.g. “%(example)s”.") % {
                "count": len(found), "name": value, "examples": examples,
                "example": "/".join(self.names(found[0].pk)[-2:])})
        close = self.suggestion(parts[-1])
        if close is not None:
            level = level_name(close.level)
            raise CellError(_("No %(level)s named “%(name)s” was found; please write the %(level)s's name as it is "
                              "in the system (did you mean “%(suggestion)s”?).") % {
                "level": level, "name": value, "suggestion": self.text(close)})
        raise CellError(_("No area named “%(name)s” was found within your areas; please write the area's name as it "
                          "is in the system, with the area above it if needed (e.g. 和平街道/和平里社区).")
                        % {"name": value})


class Context:
    """What one import or export looks names up in (loaded once per file)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.areas = AreaNames(user)
        self._units: dict[str, Unit | None] = {}
        self._alliances: dict[str, Alliance | None] = {}
        self._categories: dict[tuple[str, ...], Any] | None = None
        self._leaves: dict[str, list[Any]] = {}
        self.liaison_unit_ids = permissions.liaison_unit_ids(user)

    def unit(self, name: str) -> Unit:
        if name not in self._units:
            self._units[name] = Unit.objects.filter(name=name).select_related("area").first()
        unit = self._units[name]
        if unit is None:
            raise CellError(_("No unit named “%(name)s” was found; please write the unit's full name as it is in the "
                              "system.") % {"name": name})
        return unit

    def alliance(self, name: str) -> Alliance:
        if name not in self._alliances:
            self._alliances[name] = Alliance.objects.filter(name=name).first()
        alliance = self._alliances[name]
        if alliance is None:
            raise CellError(_("No alliance named “%(name)s” was found; please write its name as it is in the system.")
                            % {"name": name})
        return alliance

    def category(self, value: str) -> Any:
        if self._categories is None:
            self._categories = {}
            for category in active_categories():
                path = category_names(category)
                self._categories[path] = category
                self._leaves.setdefault(category.name, []).append(category)
        parts = tuple(p for p in PATH_SEPARATORS.split(value.strip()) if p)
        if parts in self._categories:
            return self._categories[parts]
        if len(parts) == 1 and len(self._leaves.get(parts[0], [])) == 1:
            return self._leaves[parts[0]][0]
        if len(parts) == 1 and parts[0] in self._leaves:
            raise CellError(_("Several categories are called “%(name)s”; write its full path, e.g. “%(example)s”.")
                            % {"name": value, "example": "/".join(category_names(self._leaves[parts[0]][0]))})
        raise CellError(_("No category “%(name)s” was found; write the category path as in the appeal categories, "
                          "e.g. 城市管理/市容环境/垃圾清运.") % {"name": value})


def category_names(category: Any) -> tuple[str, ...]:
    names = []
    node = category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


# ---------------------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese: the file format
    help: Any  # lazy text for the 填写说明 sheet
    example: Any = ""
    required: bool = False
    readonly: bool = False
    # Read only when the row creates a record (the source of a demand, the provider of a resource).
    create_only: bool = False
    width: int = 16
    as_text: bool = False  # keep as text in Excel (phone numbers)

    @property
    def choices(self) -> tuple[str, ...]:
        return ()

    def text(self, obj: Any, ctx: Context) -> Any:
        return self.value(obj)

    def value(self, obj: Any) -> Any:
        return getattr(obj, self.key)

    def parse(self, raw: Any, ctx: Context) -> Any:
        return norm(raw)

    def empty(self) -> Any:
        return None

    def parse_cell(self, raw: Any, ctx: Context) -> Any:
        if norm(raw) == "":
            if self.required:
                raise CellError(_("%(column)s is required; please fill it in.") % {"column": self.header})
            return self.empty()
        return self.parse(raw, ctx)


@dataclass(frozen=True)
class Text(Column):
    max_length: int = 200

    def value(self, obj: Any) -> Any:
        return _clean_text(getattr(obj, self.key) or "")

    def text(self, obj: Any, ctx: Context) -> Any:
        return self.value(obj)

    def empty(self) -> Any:
        return ""

    def parse(self, raw: Any, ctx: Context) -> Any:
        text = norm(raw)
        if len(text) > self.max_length:
            raise CellError(_("Too long: at most %(max)d characters (now %(count)d).")
                            % {"max": self.max_length, "count": len(text)})
        return text


@dataclass(frozen=True)
class Phone(Text):
    max_length: int = 20
    as_text: bool = True

    def parse(self, raw: Any, ctx: Context) -> Any:
        text = norm(raw).replace(" ", "").replace("-", "")
        try:
            validate_phone(text)
        except ActionError as exc:
            raise CellError(exc.message) from None
        return text


@dataclass(frozen=True)
class Integer(Column):
    minimum: int = 0
    maximum: int = 100_000_000
    default: int | None = None

    def empty(self) -> Any:
        return self.default

    def parse(self, raw: Any, ctx: Context) -> Any:
        try:
            number = Decimal(norm(raw))
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a whole number; write digits only, e.g. 30.")
                            % {"value": norm(raw)}) from None
        if number != number.to_integral_value() or not self.minimum <= number <= self.maximum:
            raise CellError(_("Write a whole number from %(min)d to %(max)d.")
                            % {"min": self.minimum, "max": self.maximum})
        return int(number)


@dataclass(frozen=True)
class Amount(Column):
    """A decimal amount (yuan, hours, people ...) with at most two decimals."""

    def text(self, obj: Any, ctx: Context) -> Any:
        value = self.value(obj)
        return None if value is None else Decimal(number_text(value))

    def parse(self, raw: Any, ctx: Context) -> Any:
        text = norm(raw).replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number; write digits only, e.g. 20000 or 12.5.")
                            % {"value": norm(raw)}) from None
        if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
            raise CellError(_("Write a number from 0 to 999999999999."))
        if number != number.quantize(Decimal("0.01")):
            raise CellError(_("At most two decimals, e.g. 12.50."))
        return number.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Day(Column):
    def parse(self, raw: Any, ctx: Context) -> Any:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = norm(raw)
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
            except ValueError:
                continue
        raise CellError(_("“%(value)s” is not a date; write it like 2027-03-31.") % {"value": text})


@dataclass(frozen=True)
class Choice(Column):
    options: tuple[tuple[str, Any], ...] = ()  # (value, label)
    default: str = ""

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(zh(label) for _value, label in self.options)

    def text(self, obj: Any, ctx: Context) -> Any:
        value = self.value(obj)
        return next((zh(label) for v, label in self.options if v == value), value or "")

    def empty(self) -> Any:
        return self.default

    def parse(self, raw: Any, ctx: Context) -> Any:
        text = norm(raw)
        for value, label in self.options:
            if text in (zh(label), value):
                return value
        raise CellError(_("“%(value)s” is not one of the allowed values; write one of: %(allowed)s.")
                        % {"value": text, "allowed": "、".join(self.choices)})


@dataclass(frozen=True)
class Kinds(Column):
    """Several resource kinds, separated by 、"""

    def value(self, obj: Any) -> Any:
        chosen = set(getattr(obj, self.key) or [])
        return [v for v in ResourceKind.values if v in chosen]

    def text(self, obj: Any, ctx: Context) -> Any:
        return "、".join(zh(ResourceKind(v).label) for v in self.value(obj))

    def empty(self) -> Any:
        return []

    def parse(self, raw: Any, ctx: Context) -> Any:
        chosen: set[str] = set()
        for part in LIST_SEPARATORS.split(norm(raw)):
            if not part:
                continue
            match = [v for v, label in ResourceKind.choices if part in (zh(label), v)]
            if not match:
                raise CellError(_("“%(value)s” is not a kind of resource; write some of: %(allowed)s, separated by 、")
                                % {"value": part, "allowed": "、".join(zh(label) for _v, label in ResourceKind.choices)})
            chosen.add(match[0])
        return [v for v in ResourceKind.values if v in chosen]


@dataclass(frozen=True)
class AreaRef(Column):
    levels: tuple[str, ...] = ()

    def text(self, obj: Any, ctx: Context) -> Any:
        return ctx.areas.text(self.value(obj))

    def parse(self, raw: Any, ctx: Context) -> Any:
        area = ctx.areas.resolve(norm(raw))
        if self.levels and area.level not in self.levels:
            raise CellError(_("“%(name)s” is a %(level)s; this column takes a %(allowed)s.") % {
                "name": norm(raw), "level": level_name(area.level),
                "allowed": "、".join(level_name(level) for level in self.levels)})
        return area


@dataclass(frozen=True)
class UnitRef(Column):
    def text(self, obj: Any, ctx: Context) -> Any:
        unit = self.value(obj)
        return unit.name if unit is not None else ""

    def parse(self, raw: Any, ctx: Context) -> Any:
        return ctx.unit(norm(raw))


@dataclass(frozen=True)
class AllianceRef(UnitRef):
    def parse(self, raw: Any, ctx: Context) -> Any:
        return ctx.alliance(norm(raw))


@dataclass(frozen=True)
class CategoryRef(Column):
    def text(self, obj: Any, ctx: Context) -> Any:
        category = self.value(obj)
        return "/".join(category_names(category)) if category is not None else ""

    def parse(self, raw: Any, ctx: Context) -> Any:
        return ctx.category(norm(raw))


@dataclass(frozen=True)
class Shown(Column):
    """A read-only column: what `show` writes."""

    show: Callable[[Any, Context], Any] = lambda obj, ctx: ""
    readonly: bool = True

    def text(self, obj: Any, ctx: Context) -> Any:
        return self.show(obj, ctx)


def label_of(choices: Any, attr: str) -> Callable[[Any, Context], Any]:
    return lambda obj, ctx: zh(choices(getattr(obj, attr)).label)


def time_of(attr: str) -> Callable[[Any, Context], Any]:
    return lambda obj, ctx: local_time(getattr(obj, attr))


ID_HELP = gettext_lazy("Leave empty to add a new record; keep the number of an exported row to change that record. "
                       "Do not change it.")
READONLY_HELP = gettext_lazy("Read only: exported for reference, not imported (change it on the record's page).")
UPDATED_HELP = gettext_lazy("Read only. If the record changed after this file was exported, rows that change it are "
                            "refused: export again and make your changes in the new file.")
AREA_HELP = gettext_lazy("The area's name as in the system; if several areas have that name, write the area above "
                         "it too, separated by /, e.g. 和平里社区/和平小区/1号楼.")


def id_column(noun: str) -> Column:
    return Integer("id", "编号", ID_HELP, example="", minimum=1, maximum=2**63 - 1, width=8)


def updated_column() -> Column:
    return Shown(UPDATED, "最后修改", UPDATED_HELP, show=time_of("updated_at"), width=20)

