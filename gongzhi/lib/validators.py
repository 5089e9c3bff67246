"""Validators for Chinese phone and ID numbers and for free text; errors are whole Chinese sentences."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .errors import ActionError

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def clean_text(value: object, *, field: str, limit: int, empty: str | None = None) -> str:
    """The text stripped; refused when longer than `limit`, and when empty if `empty` (the message) is given."""
    text = str(value or "").strip()
    if not text and empty is not None:
        raise ActionError(empty, field=field)
    if len(text) > limit:
        raise ActionError(_("Too long: at most %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def validate_phone(value: str) -> None:
    if not _PHONE.match(value):
        raise ActionError(
            _("The phone number %(value)s is not valid: enter an 11-digit mobile number or a landline with area code.")
            % {"value": value},
            field="phone",
        )


def validate_id_number(value: str) -> None:
    if not _ID.match(value) or id_check_digit(value[:17]) != value[17]:
        raise ActionError(
            _("The ID number is not valid: it must have 18 characters with a correct check digit."),
            field="id_number",
        )


# Control characters (C0, DEL, C1), zero-width and direction marks, line and paragraph separators, BOM: never
# part of a name or a code. The roster importers and the API (through the actions) refuse them alike.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# GB 32100-2015: 18 characters, digits and capital letters without I, O, S, V, Z.
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
# An area's code (e.g. the 12-digit statistical division code): letters, digits, '.', '_' or '-', at most 30.
_AREA_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,29}$")


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def validate_single_line(value: str, *, field: str, max_length: int | None = None) -> str:
    """A name or other one-line text: stripped; no control characters; at most `max_length` characters."""
    value = value.strip()
    if has_control_characters(value):
        raise ActionError(
            _("Remove the control characters (line breaks, tabs, invisible characters) from %(value)s.")
            % {"value": _CONTROL.sub("", value)[:50]},
            field=field,
        )
    if max_length is not None and len(value) > max_length:
        raise ActionError(_("This is too long (at most %(count)d characters).") % {"count": max_length}, field=field)
    return value


def validate_credit_code(value: str) -> str:
    """A unified social credit code (empty allowed), in capitals."""
    value = value.strip().upper()
    if value and not _CREDIT_CODE.match(value):
        raise ActionError(_("The unified social credit code must have 18 digits or capital letters."),
                          field="credit_code")
    return value


def validate_area_code(value: str) -> str:
    """An area's code (empty allowed): letters, digits, '.', '_' or '-', at most 30 characters."""
    value = value.strip()
    if value and not _AREA_CODE.match(value):
        raise ActionError(
            _("The area code may hold only letters, digits, '.', '_' and '-' (at most 30 characters)."),
            field="code",
        )
    return value
