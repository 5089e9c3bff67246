"""What every app's API shares: the error shape, bounded numbers, month strings, enumerations and paging.

Every error under /api/ answers `ErrorOut` (gongzhi/core/api_errors.py installs the handlers). Numbers that reach
the database are bounded here, so a negative offset or an id of 2^63 is a 422 with a Chinese message, never a
500: use `Id` for ids (in paths, queries and JSON lists), `Limit`/`Offset` for lists, `Month` for "YYYY-MM", and
`OneOf(...)` for a string that takes one of a few values (the OpenAPI document lists them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, get_type_hints

from annotated_types import Interval
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import GetCoreSchemaHandler, StringConstraints
from pydantic_core import core_schema

# The largest id a database column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
# A list answers at most MAX_LIMIT rows per request, and pages no deeper than MAX_OFFSET (filter to go further).
MAX_LIMIT = 200
MAX_OFFSET = 100_000
DEFAULT_LIMIT = 50
PAGINATED_DEFAULT_LIMIT = 100  # django-ninja's paginated lists (residents, party members, audit, ...)
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
Limit = Annotated[int, Interval(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Interval(ge=0, le=MAX_OFFSET)]
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
# A small count a client chooses (days, top-k, versions): never near the database's limits.
SmallInt = Annotated[int, Interval(ge=-(2**31), le=2**31 - 1)]


class OneOf:
    """`Annotated[str, OneOf(Model.Status)]`: the value must be one of the choices' values (or of a list of
    strings); the OpenAPI document shows them as an enumeration, inline (named enums of different apps would
    overwrite each other there)."""

    def __init__(self, choices: Iterable[str] | Any) -> None:
        if isinstance(choices, type):  # a TextChoices class; else any strings (a dict: its keys)
            choices = choices.values  # type: ignore[attr-defined]
        self.values: tuple[str, ...] = tuple(str(v) for v in choices)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.literal_schema(list(self.values))

    def __repr__(self) -> str:
        return f"OneOf({self.values!r})"


class FieldErrorOut(Schema):
    location: str = Field(..., description="出错参数的位置：path、query、body、form、file 或 header")
    field: str = Field(..., description="出错的参数或字段，如 limit、unit_ids.0")
    message: str = Field(..., description="中文说明：这一项哪里不对、应当怎样填")
    type: str = Field(..., description="错误类别（pydantic 的错误类型），供程序判断")


class ErrorOut(Schema):
    """Every error under /api/: `detail` says in Chinese what went wrong and what to fix."""

    detail: str = Field(..., description="中文说明：哪里出错、应当怎样改")
    field: str | None = Field(None, description="出错的字段（若只涉及一个字段）")
    errors: list[FieldErrorOut] | None = Field(None, description="逐项的校验错误（422）")


class PageIn(Schema):
    limit: Limit = Field(PAGINATED_DEFAULT_LIMIT, description=f"每页条数，1 到 {MAX_LIMIT}")
    offset: Offset = Field(0, description=f"跳过的条数，0 到 {MAX_OFFSET}")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """django-ninja's limit/offset paging with both numbers bounded (MAX_LIMIT, MAX_OFFSET)."""

    Input = PageIn  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def paginated(func: Callable[..., Any]) -> Callable[..., Any]:
    """`@paginated` under the route: django-ninja's `paginate` with BoundedLimitOffsetPagination. The view's
    annotations are resolved first (in the view's module), as `paginate`'s wrapper lives in another module."""
    func.__annotations__ = get_type_hints(func, include_extras=True)
    return paginate(BoundedLimitOffsetPagination)(func)


def page(qs: Any, *, limit: int, offset: int) -> list[Any]:
    """Rows offset .. offset + limit of a queryset or list (both already bounded by Limit and Offset)."""
    return list(qs[offset: offset + limit])
