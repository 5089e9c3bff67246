"""One-time codes that prove a phone on the public pages (surveys, project ratings)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists import phone_codes
from gongzhi.lists.models import PhoneCode

pytestmark = pytest.mark.django_db

SURVEY = PhoneCode.Purpose.SURVEY


@pytest.fixture(autouse=True)
def outbox(django_capture_on_commit_callbacks: object) -> Iterator[list[tuple[str, str]]]:
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory"):
        yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def _send(django_capture_on_commit_callbacks: object, phone: str = "13800138000", object_id: int = 7) -> str:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        phone_codes.do_send_code(SURVEY, object_id, phone, what="加装电梯意见征集")
    return re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]


def test_the_right_code_works_once_and_nothing_is_kept_in_clear(django_capture_on_commit_callbacks: object) -> None:
    code = _send(django_capture_on_commit_callbacks, "138 0013 8000")
    assert MemorySmsBackend.outbox[-1][0] == "13800138000"
    row = PhoneCode.objects.get()
    assert "13800138000" not in row.phone_hash and code not in row.code_hash
    assert phone_codes.use_code(SURVEY, 7, "+8613800138000", code)
    assert not phone_codes.use_code(SURVEY, 7, "13800138000", code)  # used up


def test_a_code_is_for_one_phone_and_one_object(django_capture_on_commit_callbacks: object) -> None:
    code = _send(django_capture_on_commit_callbacks)
    assert not phone_codes.use_code(SURVEY, 8, "13800138000", code)
    assert not phone_codes.use_code(SURVEY, 7, "13900139000", code)
    assert not phone_codes.use_code(PhoneCode.Purpose.PROJECT_RATING, 7, "13800138000", code)
    assert phone_codes.use_code(SURVEY, 7, "13800138000", code)


def test_wrong_tries_use_the_code_up(django_capture_on_commit_callbacks: object) -> None:
    code = _send(django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        assert not phone_codes.use_code(SURVEY, 7, "13800138000", wrong)
    assert not phone_codes.use_code(SURVEY, 7, "13800138000", code)


def test_codes_expire_and_only_the_latest_works(django_capture_on_commit_callbacks: object) -> None:
    first = _send(django_capture_on_commit_callbacks)
    second = _send(django_capture_on_commit_callbacks)
    if first != second:
        assert not phone_codes.use_code(SURVEY, 7, "13800138000", first)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert not phone_codes.use_code(SURVEY, 7, "13800138000", second)


def test_sending_is_limited_and_bad_numbers_are_refused(django_capture_on_commit_callbacks: object) -> None:
    for _ in range(3):
        _send(django_capture_on_commit_callbacks)
    with pytest.raises(ActionError):
        phone_codes.do_send_code(SURVEY, 7, "13800138000", what="x")
    for bad in ("", "12345", "23800138000", "1380013800a"):
        with pytest.raises(ActionError) as err:
            phone_codes.do_send_code(SURVEY, 7, bad, what="x")
        assert err.value.field == "phone"
    assert phone_codes.phone_hash("13800138000") == phone_codes.phone_hash("138-0013-8000")
