"""Issue 17, findings 1, 4 and 7: who gives a rating that counts, who sees tracking codes, and tracking look-ups.

1. A follow-up that counts in the three rates comes from the resident (a one-time code sent to the callback phone,
   or signed in to the account that sent the appeal) or from a follow-up caller (回访员) who takes no part in the
   case. Staff pages show tracking codes masked; logs never hold a code beside the phone. A case closed without
   dispatch is still followed up and counts for its subdistrict's office.
4. A signed-in resident never opens the staff case page (page or API); their own appeals stay theirs.
7. Wrong tries lock a tracking code (an unknown code the same way); code and digits only in a POST body.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from gongzhi.appeals import actions, rates
from gongzhi.appeals.actions import ratings
from gongzhi.appeals.models import Appeal, Case, FollowUp, RatingCode, SubdistrictOffice
from gongzhi.core import actions as core_actions
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Role
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.test import make_user

from .conftest import dispatched, replied, submit

pytestmark = pytest.mark.django_db

TRACK = "appeals:track"


@pytest.fixture(autouse=True)
def _sms_and_cache(settings: Any) -> Any:
    settings.SMS_BACKEND = "memory"
    settings.APPEALS_TRACK_RATE = (1000, 600)
    MemorySmsBackend.outbox.clear()
    cache.clear()
    yield
    cache.clear()
    MemorySmsBackend.outbox.clear()


def _open(client: Any, appeal: Appeal, last4: str = "8000") -> Any:
    return client.post(reverse(TRACK), {"code": appeal.tracking_code, "last4": last4})


def _send_code(client: Any, capture: Any) -> str:
    with capture(execute=True):
        client.post(reverse("appeals:track_code"))
    text = MemorySmsBackend.outbox[-1][1]
    return re.search(r"\d{6}", text).group()  # type: ignore[union-attr]


def _rate(client: Any, **data: Any) -> Any:
    return client.post(reverse("appeals:track_rate"), {"solved": "yes", "satisfaction": "satisfied", **data})


def _month() -> date:
    return timezone.localdate().replace(day=1)


# --- 1. Who gives a rating that counts --------------------------------------------------------------------------


def test_staff_with_the_code_and_last_four_cannot_rate_their_own_case(client: Any, cast: Any, ac: Any) -> None:
    """The handler knows the case; even with the whole tracking code and the phone's last four digits (all the
    tracking page asks for), the rating needs the code sent to the resident's phone."""
    case = replied(cast, ac)
    appeal = case.appeals.get()
    assert _open(client, appeal).status_code == 302
    refused = _rate(client)
    assert refused.status_code == 400 and "验证码" in refused.content.decode()
    refused = _rate(client, code="123456")  # a guess: no code was ever sent
    assert refused.status_code == 400 and "验证码错误或已过期" in refused.content.decode()
    case.refresh_from_db()
    assert case.followed_up_at is None and not FollowUp.objects.exists()
    assert rates.unit_rates(_month()) == []


def test_the_resident_rates_with_the_one_time_code(client: Any, cast: Any, ac: Any,
                                                   django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    settings.APPEALS_RATING_CODE_ATTEMPTS = 3
    case = replied(cast, ac)
    appeal = case.appeals.get()
    _open(client, appeal)
    otp = _send_code(client, django_capture_on_commit_callbacks)
    assert MemorySmsBackend.outbox[-1][0] == "13800138000"  # to the callback phone, nowhere else
    stored = RatingCode.objects.get(appeal=appeal)
    assert otp not in stored.code_hash and stored.expires_at > timezone.now()
    # Wrong tries are counted and use the code up: then even the right one is refused.
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(3):
        assert _rate(client, code=wrong).status_code == 400
    assert _rate(client, code=otp).status_code == 400
    assert not FollowUp.objects.exists()
    # A new code works once.
    otp = _send_code(client, django_capture_on_commit_callbacks)
    assert _rate(client, code=otp, satisfaction="basically_satisfied").status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.source == FollowUp.Source.RESIDENT_CODE and follow_up.by is None
    [row] = rates.unit_rates(_month())
    assert row.key == cast.department.pk and row.basically_satisfied == 1
    # The audit rows hold neither code.
    for event in AuditEvent.objects.all():
        text = f"{event.object_repr} {event.before} {event.after}"
        assert otp not in text and appeal.tracking_code not in text


def test_an_expired_code_is_refused(client: Any, cast: Any, ac: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = replied(cast, ac)
    _open(client, case.appeals.get())
    otp = _send_code(client, django_capture_on_commit_callbacks)
    RatingCode.objects.update(expires_at=timezone.now())
    assert _rate(client, code=otp).status_code == 400
    assert not FollowUp.objects.exists()


def test_codes_per_appeal_are_limited(client: Any, cast: Any, ac: Any, django_capture_on_commit_callbacks: Any,
                                      settings: Any) -> None:
    settings.APPEALS_RATING_CODE_SENDS = 2
    _open(client, replied(cast, ac).appeals.get())
    _send_code(client, django_capture_on_commit_callbacks)
    _send_code(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appeals:track_code"), follow=True)
    assert "多次发送验证码" in response.content.decode()
    assert len(MemorySmsBackend.outbox) == 2 and RatingCode.objects.count() == 2


def test_the_resident_signed_in_rates_without_a_code(client: Any, cast: Any, ac: Any) -> None:
    case = replied(cast, ac)  # sent by cast.resident_user through the web
    client.force_login(cast.resident_user)
    _open(client, case.appeals.get())
    page = client.get(reverse(TRACK)).content.decode()
    assert 'data-testid="rate-form"' in page and 'data-testid="send-code"' not in page
    assert _rate(client, solved="no", satisfaction="unsatisfied").status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.source == FollowUp.Source.RESIDENT_ACCOUNT and follow_up.by == cast.resident_user


def test_a_hotline_operator_who_entered_the_appeal_is_not_its_resident(client: Any, cast: Any, ac: Any) -> None:
    appeal = submit(cast, acting_user=cast.worker_a, channel=Appeal.Channel.HOTLINE)
    assert appeal.case is not None
    case = actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                    category=ac.leaf)
    actions.do_accept_assignment(case.assignments.get(), acting_user=cast.handler)
    actions.do_reply_case(case, acting_user=cast.handler, body="已处理")
    client.force_login(cast.worker_a)
    _open(client, appeal)
    assert _rate(client).status_code == 400
    assert not FollowUp.objects.exists()


def test_only_a_follow_up_caller_who_takes_no_part_records_the_follow_up(cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    for staff in (cast.worker_a, cast.subdistrict_staff_a, cast.district_admin, cast.handler):
        with pytest.raises(PermissionDenied):
            actions.do_follow_up_case(case, acting_user=staff, contacted=True, solved=True, satisfaction="satisfied")
    # A caller who also handles for the lead unit, or holds another staff grant over the place, takes part.
    handler_caller = make_user("handler_caller", "兼任回访员的办件员")
    core_actions.do_grant_role(handler_caller, role=Role.FOLLOW_UP_CALLER, area=cast.district, acting_user=None)
    core_actions.do_grant_role(handler_caller, role=Role.DEPARTMENT_HANDLER, area=cast.district, unit=cast.department,
                               acting_user=None)
    local_caller = make_user("local_caller", "兼任回访员的社区工作者")
    core_actions.do_grant_role(local_caller, role=Role.FOLLOW_UP_CALLER, area=cast.district, acting_user=None)
    core_actions.do_grant_role(local_caller, role=Role.COMMUNITY_WORKER, area=cast.community_a, acting_user=None)
    for staff in (handler_caller, local_caller):
        with pytest.raises(PermissionDenied):
            actions.do_follow_up_case(case, acting_user=staff, contacted=True, solved=True, satisfaction="satisfied")
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, solved=True, satisfaction="satisfied")
    assert FollowUp.objects.get().source == FollowUp.Source.CALLER
    # The caller sees the case and its callback phone (to call), but not outside their district.
    assert actions.do_reveal_callback_phone(case.appeals.get(), acting_user=ac.caller) == "13800138000"


def test_the_follow_up_caller_works_the_follow_up_list(client: Any, cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    client.force_login(ac.caller)
    assert [c["id"] for c in client.get("/api/appeals/worklists/to_follow_up").json()] == [case.pk]
    response = client.post(reverse("appeals:case_action", args=[case.pk, "follow_up"]),
                           {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"}, follow=True)
    assert "回访已记录" in response.content.decode() or FollowUp.objects.filter(case=case).exists()
    assert FollowUp.objects.get(case=case).by == ac.caller
    # The dispatcher no longer records follow-ups through the page: 403.
    client.force_login(cast.worker_a)
    forbidden = client.post(reverse("appeals:case_action", args=[case.pk, "follow_up"]),
                            {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"})
    assert forbidden.status_code == 403


def test_staff_pages_never_show_a_whole_tracking_code(client: Any, cast: Any, ac: Any) -> None:
    case = dispatched(cast, ac)
    appeal = case.appeals.get()
    pages = [reverse("appeals:case", args=[case.pk]), reverse("appeals:worklist", args=["to_accept"]),
             f"/api/appeals/cases/{case.pk}"]
    for staff in (cast.handler, cast.worker_a, cast.subdistrict_staff_a, cast.district_admin):
        client.force_login(staff)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (staff, url)
            text = response.content.decode()
            assert appeal.tracking_code not in text, (staff, url)
        assert appeal.masked_code in client.get(pages[0]).content.decode()
    # Hotline intake: the operator sees the code masked, the caller gets it by SMS.
    client.force_login(cast.worker_a)
    response = client.post(reverse("appeals:hotline"), {
        "appeal_type": "help", "urgency": "normal", "title": "路灯不亮", "body": "小区路灯坏了",
        "callback_name": "李先生", "callback_phone": "13700137000", "community": cast.community_a.pk,
        "address": "", "source_ref": "", "category": "",
    }, follow=True)
    hotline = Appeal.objects.get(callback_phone="13700137000")
    assert hotline.tracking_code not in response.content.decode()


def test_the_console_sms_log_never_holds_a_code(client: Any, cast: Any, ac: Any, settings: Any,
                                                django_capture_on_commit_callbacks: Any, caplog: Any) -> None:
    settings.SMS_BACKEND = "console"

    def logged() -> str:
        return "\n".join(r.getMessage() for r in caplog.records if r.name == "gongzhi.sms")

    with caplog.at_level(logging.INFO, logger="gongzhi.sms"):
        with django_capture_on_commit_callbacks(execute=True):
            case = replied(cast, ac)  # "your appeal … has been answered" goes out
        appeal = case.appeals.get()
        assert "138****8000" in logged()  # the masked phone is there ...
        assert appeal.tracking_code not in logged()  # ... but never the tracking code beside it
        _open(client, appeal)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("appeals:track_code"))
    assert len(caplog.records) >= 2
    assert not re.search(r"\d{6}", logged().replace("138****8000", ""))  # nor the one-time code
    assert logged().count("******") >= 2


# --- 1 (continued). Closing does not spare a case the resident's rating ----------------------------------------


def test_a_case_closed_without_dispatch_is_followed_up_and_counts_for_its_office(client: Any, cast: Any,
                                                                                 ac: Any) -> None:
    appeal = submit(cast)
    assert appeal.case is not None
    office = SubdistrictOffice.objects.get(subdistrict=cast.subdistrict_a).unit
    actions.do_close_case(appeal.case, acting_user=cast.subdistrict_staff_a, note="已电话答复居民")
    case = Case.objects.get(pk=appeal.case.pk)
    assert case.status == Case.Status.CLOSED and case.lead_unit == office and case.awaits_follow_up
    # It waits on the follow-up list, and the office's own staff may not follow it up.
    client.force_login(ac.caller)
    assert case.pk in [c["id"] for c in client.get("/api/appeals/worklists/to_follow_up").json()]
    with pytest.raises(PermissionDenied):
        actions.do_follow_up_case(case, acting_user=cast.subdistrict_staff_a, contacted=True,
                                  satisfaction="satisfied")
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, solved=False, satisfaction="unsatisfied")
    [row] = rates.unit_rates(_month())
    assert row.key == office.pk and row.contacted == 1 and row.satisfaction_rate == 0.0
    assert [r.key for r in rates.subdistrict_ranking(_month())] == [cast.subdistrict_a.pk]
    case.refresh_from_db()
    assert not case.awaits_follow_up  # reached: off the list


def test_a_case_closed_before_its_follow_up_can_still_be_rated_by_the_resident(
    client: Any, cast: Any, ac: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    case = replied(cast, ac)
    actions.do_close_case(case, acting_user=cast.worker_a)
    _open(client, case.appeals.get())
    otp = _send_code(client, django_capture_on_commit_callbacks)
    assert _rate(client, code=otp, solved="no", satisfaction="unsatisfied").status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.satisfaction == "unsatisfied"
    [row] = rates.unit_rates(_month())
    assert row.key == cast.department.pk and row.satisfaction_rate == 0.0


# --- 4. Residents never open the staff case page -----------------------------------------------------------------


def test_a_signed_in_resident_never_opens_the_staff_case_page(client: Any, cast: Any, ac: Any) -> None:
    mine = submit(cast)  # the resident's own appeal
    other = submit(cast, acting_user=None, system=True, callback_phone="13900139000", title="同一堆垃圾")
    assert mine.case is not None and other.case is not None
    actions.do_merge_appeals(mine.case, appeals=[other], acting_user=cast.worker_a)
    case = actions.do_dispatch_case(mine.case, acting_user=cast.worker_a, lead_unit=cast.department, category=ac.leaf)
    actions.do_add_progress_note(case, acting_user=cast.worker_a, note="内部：先联系物业")
    client.force_login(cast.resident_user)
    assert client.get(reverse("appeals:case", args=[mine.case_id])).status_code == 404
    assert client.get(f"/api/appeals/cases/{mine.case_id}").status_code == 404
    assert client.get(reverse("appeals:worklists")).status_code == 403
    # Their own appeal stays theirs: the API's "my appeals" and the public tracking page.
    assert [a["id"] for a in client.get("/api/appeals/appeals/mine").json()] == [mine.pk]
    _open(client, mine)
    page = client.get(reverse(TRACK)).content.decode()
    assert mine.title in page and other.tracking_code not in page and "内部：先联系物业" not in page


# --- 7. Tracking look-ups ----------------------------------------------------------------------------------------


def _error_text(response: Any) -> str:
    match = re.search(r'<div class="message error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def test_wrong_tries_lock_a_tracking_code_and_an_unknown_code_looks_the_same(client: Any, cast: Any, ac: Any,
                                                                             settings: Any) -> None:
    settings.APPEALS_TRACK_CODE_FAILURES = (5, 3600)
    appeal = replied(cast, ac).appeals.get()
    unknown = "ABCDEFGHJKMN"
    assert not Appeal.objects.filter(tracking_code=unknown).exists()
    for _ in range(5):
        real = client.post(reverse(TRACK), {"code": appeal.tracking_code, "last4": "1111"})
        fake = client.post(reverse(TRACK), {"code": unknown, "last4": "1111"})
        assert real.status_code == fake.status_code == 404
        assert _error_text(real) == _error_text(fake)
    # Locked now: even the right digits are refused, and the unknown code answers exactly the same.
    real = client.post(reverse(TRACK), {"code": appeal.tracking_code, "last4": "8000"})
    fake = client.post(reverse(TRACK), {"code": unknown, "last4": "8000"})
    assert real.status_code == fake.status_code == 429
    assert _error_text(real) == _error_text(fake) and "锁定" in _error_text(real)
    assert "appeals_tracked" not in client.session
    # The API counts into the same lock.
    api = client.post("/api/appeals/track", {"code": appeal.tracking_code, "phone_last4": "8000"},
                      content_type="application/json")
    api_fake = client.post("/api/appeals/track", {"code": unknown, "phone_last4": "8000"},
                           content_type="application/json")
    assert api.status_code == api_fake.status_code == 429 and api.json() == api_fake.json()
    assert "锁定" in api.json()["detail"]
    # Another code is not affected.
    other = submit(cast, callback_phone="13600136000")
    assert client.post(reverse(TRACK), {"code": other.tracking_code, "last4": "6000"}).status_code == 302


def test_the_api_locks_a_code_after_wrong_tries(client: Any, cast: Any, ac: Any, settings: Any) -> None:
    settings.APPEALS_TRACK_CODE_FAILURES = (3, 3600)
    appeal = replied(cast, ac).appeals.get()
    for _ in range(3):
        wrong = client.post("/api/appeals/track", {"code": appeal.tracking_code, "phone_last4": "1111"},
                            content_type="application/json")
        assert wrong.status_code == 404
    right = client.post("/api/appeals/track", {"code": appeal.tracking_code, "phone_last4": "8000"},
                        content_type="application/json")
    assert right.status_code == 429


def test_code_and_digits_are_taken_only_from_a_post_body(client: Any, cast: Any, ac: Any) -> None:
    appeal = replied(cast, ac).appeals.get()
    query = {"code": appeal.tracking_code, "last4": "8000", "phone_last4": "8000"}
    page = client.get(reverse(TRACK), query)
    assert page.status_code == 200 and "appeals_tracked" not in client.session
    assert appeal.title not in page.content.decode()
    assert client.get("/api/appeals/track", query).status_code == 405
    ok = client.post("/api/appeals/track", {"code": appeal.tracking_code, "phone_last4": "8000"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["answer"] == "已清运完毕"


@pytest.mark.parametrize("channel", [Appeal.Channel.GRID_PATROL, Appeal.Channel.WEB])
def test_staff_who_filed_an_appeal_with_their_own_phone_cannot_rate_it_by_code(
    client: Any, cast: Any, ac: Any, django_capture_on_commit_callbacks: Any, channel: str,
) -> None:
    """The second review's hole: a grid worker's patrol finding carries the worker's own phone, so the code sent
    to it let the worker rate a case of their own community (and a staff member's own web appeal likewise). Those
    are rated by a follow-up caller; hotline appeals, entered for the caller, keep the code (test above)."""
    reporter = cast.grid_worker_a if channel == Appeal.Channel.GRID_PATROL else cast.worker_a
    case = replied(cast, ac, acting_user=reporter, channel=channel, callback_phone="13900008000")
    appeal = case.appeals.get()
    with pytest.raises(InvalidTransition):
        actions.do_send_rating_code(appeal)
    _open(client, appeal)
    page = client.get(reverse(TRACK)).content.decode()
    assert 'data-testid="send-code"' not in page and 'data-testid="rate-form"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appeals:track_code"))
    assert not MemorySmsBackend.outbox and not RatingCode.objects.exists()
    # A code that somehow exists (made before this rule) does not open the rating either.
    RatingCode.objects.create(appeal=appeal, code_hash=ratings._hash(appeal, "123456"), created_at=timezone.now(),
                              expires_at=timezone.now() + timedelta(minutes=10))
    with pytest.raises(ActionError):
        actions.do_rate_appeal(appeal, acting_user=None, code="123456", solved=True, satisfaction="satisfied")
    assert not FollowUp.objects.exists()
    # The follow-up caller still reaches the resident.
    caller = make_user("review_caller", "回访员")
    core_actions.do_grant_role(caller, role=Role.FOLLOW_UP_CALLER, area=cast.district, acting_user=None)
    actions.do_follow_up_case(case, acting_user=caller, contacted=True, solved=True, satisfaction="satisfied")
    assert FollowUp.objects.get().source == FollowUp.Source.CALLER
