"""Validators for Chinese phone and ID numbers; errors are whole Chinese sentences."""

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
