"""A loop that closes itself: a follow-up that reached the resident (their own rating, signed in or with a code,
or a follow-up call) moves the case on by the configured rule (settings.APPEALS_AFTER_RATING), audited, with the
case_closed hook; and every page shows the one status (models.shown_status)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.checks import Error
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.apps import check_after_rating
from gongzhi.appeals.models import Case, CaseEvent, shown_status
from gongzhi.appeals.views.cases import available_actions
from gongzhi.core.errors import InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.core.registry import CASE_CLOSED, registry

from .conftest import replied, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_hook() -> Any:
    """The case_closed hook's calls (the suite runs hooks at once: GONGZHI_HOOKS_EAGER)."""
    calls: list[dict[str, Any]] = []

    def subscriber(**kwargs: Any) -> None:
        calls.append(kwargs)

    registry.hook(CASE_CLOSED, subscriber)
    yield calls
    registry._hooks[CASE_CLOSED] = [h for h in registry._hooks[CASE_CLOSED] if h.fn is not subscriber]


def _rate(cast: Any, case: Case, satisfaction: str, solved: bool = True) -> Case:
    appeal = case.appeals.get()
    actions.do_rate_appeal(appeal, acting_user=cast.resident_user, solved=solved, satisfaction=satisfaction)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically_satisfied"])
def test_a_satisfied_rating_closes_the_case(cast: Any, ac: Any, closed_hook: Any, satisfaction: str) -> None:
    case = _rate(cast, replied(cast, ac), satisfaction)
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    assert case.satisfaction == satisfaction and case.contacted is True
    assert shown_status(case).key == "closed" and shown_status(case).label == "已办结"
    close = CaseEvent.objects.get(case=case, verb="close")
    assert close.actor == cast.resident_user and close.from_status == Case.Status.REPLIED
    audit = AuditEvent.objects.filter(verb="appeals.close").latest("id")
    assert audit.after is not None
    assert audit.after["rule"] == "after_follow_up" and audit.after["satisfaction"] == satisfaction
    assert audit.after["source"] == "resident_account"
    assert [c["case"].pk for c in closed_hook] == [case.pk]
    # Nothing left to do: no follow-up form, no rating, no 办结 button.
    available = available_actions(cast.worker_a, case)
    assert not available["follow_up"] and not available["close"] and not actions.can_be_rated(case)
    with pytest.raises(InvalidTransition):
        actions.do_close_case(case, acting_user=cast.worker_a)


def test_an_unsatisfied_rating_offers_the_case_for_reopening(cast: Any, ac: Any, closed_hook: Any) -> None:
    case = _rate(cast, replied(cast, ac), "unsatisfied", solved=False)
    assert case.status == Case.Status.REPLIED and closed_hook == []
    assert shown_status(case).key == "rated_unsatisfied" and shown_status(case).label == "居民不满意，待决定是否重办"
    assert Notification.objects.filter(user=cast.subdistrict_staff_a, verb="appeals.unsatisfied").exists()
    available = available_actions(cast.worker_a, case)
    assert available["reopen"] and available["close"] and not available["follow_up"]
    # Reopened, answered again and again unsatisfied: nothing more to offer, it closes.
    actions.do_reopen_case(case, acting_user=cast.worker_a, note="再办一次")
    case.refresh_from_db()
    actions.do_reply_case(case, acting_user=cast.handler, body="已再次清运")
    case = _rate(cast, case, "unsatisfied", solved=False)
    assert case.status == Case.Status.CLOSED and shown_status(case).key == "closed"
    assert len(closed_hook) == 1


def test_a_dispatcher_may_close_an_unsatisfied_case_instead(cast: Any, ac: Any, closed_hook: Any) -> None:
    case = _rate(cast, replied(cast, ac), "unsatisfied", solved=False)
    actions.do_close_case(case, acting_user=cast.worker_a, note="居民诉求超出政策范围")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and len(closed_hook) == 1
    # Closed and unsatisfied: still offered for reopening while it has not been reopened.
    assert shown_status(case).key == "rated_unsatisfied"


def test_a_follow_up_call_moves_the_case_on_the_same_way(cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=False)
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED and shown_status(case).key == "replied"  # not reached: still waits
    actions.do_follow_up_case(case, acting_user=ac.caller, contacted=True, solved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert CaseEvent.objects.get(case=case, verb="close").actor == ac.caller


def test_a_rating_with_a_code_closes_it_too(cast: Any, ac: Any, settings: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    case = replied(cast, ac, acting_user=None)
    appeal = case.appeals.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_send_rating_code(appeal)
    code = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1]).group()  # type: ignore[union-attr]
    actions.do_rate_appeal(appeal, acting_user=None, code=code, solved=True, satisfaction="basically_satisfied")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert CaseEvent.objects.get(case=case, verb="close").actor is None


def test_the_rule_may_leave_closing_to_the_dispatcher(cast: Any, ac: Any, settings: Any) -> None:
    settings.APPEALS_AFTER_RATING = {"satisfied": "wait", "basically_satisfied": "close", "unsatisfied": "close"}
    case = _rate(cast, replied(cast, ac), "satisfied")
    assert case.status == Case.Status.REPLIED
    assert shown_status(case).key == "rated_to_close" and shown_status(case).label == "已回访，待办结"
    assert available_actions(cast.worker_a, case)["close"]
    actions.do_close_case(case, acting_user=cast.worker_a)
    case.refresh_from_db()
    assert shown_status(case).key == "closed"
    other = _rate(cast, replied(cast, ac, title="又一件"), "unsatisfied", solved=False)
    assert other.status == Case.Status.CLOSED  # unsatisfied=close


def test_a_wrong_rule_is_reported_by_the_checks(settings: Any) -> None:
    settings.APPEALS_AFTER_RATING = {"satisfied": "offer_reopen", "unsatisfied": "explode"}
    errors = check_after_rating()
    assert len(errors) == 2 and all(isinstance(e, Error) for e in errors)
    settings.APPEALS_AFTER_RATING = {}
    assert check_after_rating() == []


def test_a_case_closed_before_its_follow_up_stays_closed_once(cast: Any, ac: Any, closed_hook: Any) -> None:
    case = replied(cast, ac)
    actions.do_close_case(case, acting_user=cast.worker_a)
    case.refresh_from_db()
    assert shown_status(case).key == "closed_unrated" and shown_status(case).label == "已办结，待回访"
    case = _rate(cast, case, "satisfied")
    assert case.status == Case.Status.CLOSED and shown_status(case).key == "closed"
    assert CaseEvent.objects.filter(case=case, verb="close").count() == 1 and len(closed_hook) == 1


def test_every_page_shows_the_one_status(client: Any, cast: Any, ac: Any) -> None:
    def shown_everywhere(case: Case) -> set[str]:
        appeal = case.appeals.get()
        client.force_login(cast.worker_a)
        staff_page = client.get(reverse("appeals:case", args=[case.pk])).content.decode()
        worklist = client.get(reverse("appeals:worklist", args=["to_follow_up"])).content.decode()
        api_case = client.get(f"/api/appeals/cases/{case.pk}").json()["status_label"]
        client.force_login(cast.resident_user)
        mine = client.get("/api/appeals/appeals/mine").json()
        own_page = client.get(reverse("appeals:mine_detail", args=[appeal.pk])).content.decode()
        client.logout()
        labels = {api_case, next(a["status_label"] for a in mine if a["id"] == appeal.pk)}
        for page in (staff_page, own_page):
            labels |= set(_testid(page, "case-status") + _testid(page, "track-status"))
        if case.status != Case.Status.CLOSED:
            labels |= set(_testid(worklist, "list-status"))
        return labels

    case = replied(cast, ac)
    assert shown_everywhere(case) == {"待回访"}
    case = _rate(cast, case, "satisfied")
    assert shown_everywhere(case) == {"已办结"}


def _testid(page: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">([^<]*)<', page)


def test_an_appeal_without_a_case_reads_as_waiting_for_dispatch(cast: Any) -> None:
    appeal = submit(cast)
    assert appeal.shown_status == shown_status(appeal.case)
    assert shown_status(None).label == "待派单"
