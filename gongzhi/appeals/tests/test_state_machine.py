"""A case driven through random sequences of transitions, with the lifecycle's invariants checked after each step.

Each rule tries one transition through `actions.py` with the user who would normally do it. Whether it
should succeed is read off the case's state before the call (the lifecycle in the actions module's
docstring); a transition from the wrong state must raise InvalidTransition and change nothing.

Database: pytest-django wraps the test in a transaction; each Hypothesis example runs inside a
savepoint of its own (opened in `__init__`, rolled back in `teardown`), so examples do not see each
other's cases while the cast is built only once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gongzhi.appeals import actions, permissions
from gongzhi.appeals.models import Assignment, Case, ExtensionRequest
from gongzhi.core.errors import InvalidTransition
from gongzhi.core.models import Unit, User

from .conftest import AppealsCast, submit

RUNNING = set(Case.RUNNING_STATUSES)
# The transitions allowed to move the deadline (besides the first dispatch).
MOVES_DEADLINE = {"approve_extension", "reopen"}
STAGES = ["pending", "dispatched", "in_progress", "replied", "unsatisfied"]


@dataclass
class World:
    cast: Any
    units: list[Unit]
    handlers: dict[int, User]  # unit id → the handler acting for it
    caller: User  # the follow-up caller (回访员), who takes no part in the case


class CaseLifecycle(RuleBasedStateMachine):
    world: ClassVar[World | None] = None
    stages: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__()
        assert self.world is not None
        self.w = self.world
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        appeal = submit(self.w.cast, category=None)
        assert appeal.case is not None
        self.case: Case = appeal.case
        self.steps: list[str] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # -- helpers ------------------------------------------------------------------------------------

    def fresh(self) -> Case:
        return Case.objects.get(pk=self.case.pk)

    def snapshot(self) -> dict[str, Any]:
        case = self.fresh()
        return {
            "case": model_to_dict(case),
            "events": case.events.count(),
            "assignments": list(case.assignments.order_by("id").values_list("id", "unit_id", "role", "status")),
            "extensions": list(case.extensions.order_by("id").values_list("id", "status")),
            "follow_ups": case.follow_ups.count(),
            "replies": case.replies.count(),
        }

    def latest_lead(self) -> Assignment | None:
        return self.case.assignments.filter(role=Assignment.Role.LEAD).select_related("unit").order_by("-id").first()

    def handle_actor(self, case: Case) -> User:
        """The handler of the case's lead unit when that unit is on the case; otherwise the superuser, so
        that a wrong-state attempt reaches the state check instead of stopping at the permission check."""
        lead = case.lead_unit_id and self.w.handlers.get(case.lead_unit_id)
        if lead and permissions.handles_case(lead, case):
            return lead
        return self.w.cast.superuser

    def attempt(self, verb: str, call: Any, expected_ok: bool) -> None:
        before = self.snapshot()
        try:
            call()
        except InvalidTransition:
            assert not expected_ok, f"{verb} was refused from {before['case']['status']} after {self.steps}"
            after = self.snapshot()
            assert after == before, f"refused {verb} changed the case"
            self.steps.append(f"{verb}✗")
            return
        assert expected_ok, f"{verb} succeeded from {before['case']['status']} after {self.steps}"
        self.steps.append(verb)
        after = self.snapshot()
        old, new = before["case"], after["case"]
        # A follow-up that reached the resident may close the case by the rule (APPEALS_AFTER_RATING): its own event.
        closed_by_rule = int(verb == "follow_up" and old["status"] != Case.Status.CLOSED
                             and new["status"] == Case.Status.CLOSED)
        assert after["events"] == before["events"] + 1 + closed_by_rule, f"{verb} must add exactly one event"
        assert new["version"] == old["version"] + 1 + closed_by_rule
        if new["due_at"] != old["due_at"]:
            first_dispatch = verb == "dispatch" and old["due_at"] is None
            assert first_dispatch or verb in MOVES_DEADLINE, f"{verb} moved the deadline"
        if old["status"] == Case.Status.CLOSED:
            # A closed case is still followed up until the resident is reached.
            assert verb in ("reopen", "follow_up"), f"{verb} acted on a closed case"

    # -- rules --------------------------------------------------------------------------------------

    @initialize(data=st.data())
    def start_at(self, data: st.DataObject) -> None:
        """Start some examples further along the happy path, so that short runs reach every state."""
        stage = data.draw(st.sampled_from(self.stages or STAGES), label="stage")
        cast, case = self.w.cast, self.case
        steps = STAGES[: STAGES.index(stage) + 1]
        if "dispatched" in steps:
            actions.do_dispatch_case(case, acting_user=cast.worker_a, lead_unit=self.w.units[0], category=_leaf())
        if "in_progress" in steps:
            lead = self.latest_lead()
            assert lead is not None
            actions.do_accept_assignment(lead, acting_user=self.w.handlers[lead.unit_id])
        if "replied" in steps:
            actions.do_reply_case(self.fresh(), acting_user=self.handle_actor(self.fresh()), body="已处理完毕")
        if "unsatisfied" in steps:
            actions.do_follow_up_case(self.fresh(), acting_user=self.w.caller, contacted=True, solved=False,
                                      satisfaction=Case.Satisfaction.UNSATISFIED)
        self.steps.append(f"start:{stage}")

    @rule(unit_index=st.integers(0, 1))
    def dispatch(self, unit_index: int) -> None:
        case = self.fresh()
        self.attempt(
            "dispatch",
            lambda: actions.do_dispatch_case(case, acting_user=self.w.cast.worker_a, lead_unit=self.w.units[unit_index],
                                             category=_leaf()),
            case.status == Case.Status.PENDING_DISPATCH,
        )

    @precondition(lambda self: self.latest_lead() is not None)
    @rule()
    def accept(self) -> None:
        case, lead = self.fresh(), self.latest_lead()
        assert lead is not None
        self.attempt(
            "accept",
            lambda: actions.do_accept_assignment(lead, acting_user=self.w.handlers[lead.unit_id]),
            lead.status == Assignment.Status.PENDING and case.status in RUNNING,
        )

    @precondition(lambda self: self.latest_lead() is not None)
    @rule()
    def return_case(self) -> None:
        case, lead = self.fresh(), self.latest_lead()
        assert lead is not None
        self.attempt(
            "return",
            lambda: actions.do_return_assignment(lead, acting_user=self.w.handlers[lead.unit_id], reason="不属于本单位职责"),
            lead.status in Assignment.ACTIVE_STATUSES and case.status in RUNNING and case.return_count < Case.MAX_RETURNS,
        )

    @rule(unit_index=st.integers(0, 1))
    def reassign(self, unit_index: int) -> None:
        case = self.fresh()
        self.attempt(
            "reassign",
            lambda: actions.do_reassign_case(case, acting_user=self.w.cast.worker_a, lead_unit=self.w.units[unit_index],
                                             reason="改派"),
            case.status in RUNNING,
        )

    @rule()
    def request_extension(self) -> None:
        case = self.fresh()
        new_due = (case.due_at or _now()) + timedelta(days=3)
        pending = case.extensions.filter(status=ExtensionRequest.Status.PENDING).exists()
        self.attempt(
            "request_extension",
            lambda: actions.do_request_extension(case, acting_user=self.handle_actor(case), new_due_at=new_due,
                                                 reason="需协调多个部门"),
            case.status in RUNNING and not pending,
        )

    @precondition(lambda self: self.case.extensions.exists())
    @rule(approve=st.booleans())
    def decide_extension(self, approve: bool) -> None:
        case = self.fresh()
        extension = case.extensions.order_by("-id").first()
        assert extension is not None
        verb = "approve_extension" if approve else "reject_extension"
        self.attempt(
            verb,
            lambda: actions.do_decide_extension(extension, acting_user=self.w.cast.worker_a, approve=approve),
            extension.status == ExtensionRequest.Status.PENDING and (not approve or case.status in RUNNING),
        )
        if approve and self.steps[-1] == verb:
            assert self.fresh().due_at == extension.new_due_at

    @rule()
    def supervise(self) -> None:
        case = self.fresh()
        self.attempt(
            "supervise",
            lambda: actions.do_supervise_case(case, acting_user=self.w.cast.worker_a, note="请加快办理"),
            case.status in RUNNING | {Case.Status.REPLIED},
        )

    @rule()
    def reply(self) -> None:
        case = self.fresh()
        self.attempt(
            "reply",
            lambda: actions.do_reply_case(case, acting_user=self.handle_actor(case), body="已处理完毕"),
            case.status == Case.Status.IN_PROGRESS,
        )

    @rule(contacted=st.booleans(), solved=st.booleans(), satisfaction=st.sampled_from(Case.Satisfaction.values))
    def follow_up(self, contacted: bool, solved: bool, satisfaction: str) -> None:
        case = self.fresh()
        self.attempt(
            "follow_up",
            lambda: actions.do_follow_up_case(case, acting_user=self.w.caller, contacted=contacted, solved=solved,
                                              satisfaction=satisfaction),
            # Once the resident has been reached the follow-up is done (and the case moved on by the rule).
            case.status in (Case.Status.REPLIED, Case.Status.CLOSED) and case.contacted is not True,
        )

    @rule()
    def reopen(self) -> None:
        case = self.fresh()
        self.attempt(
            "reopen",
            lambda: actions.do_reopen_case(case, acting_user=self.w.cast.worker_a, note="群众不满意"),
            case.status in (Case.Status.REPLIED, Case.Status.CLOSED)
            and case.reopen_count < Case.MAX_REOPENS
            and case.satisfaction == Case.Satisfaction.UNSATISFIED
            # closed without dispatch: no unit's answer to send back
            and case.assignments.filter(role=Assignment.Role.LEAD, status=Assignment.Status.DONE).exists(),
        )

    @rule()
    def close(self) -> None:
        case = self.fresh()
        self.attempt(
            "close",
            lambda: actions.do_close_case(case, acting_user=self.w.cast.worker_a, note="已电话答复"),
            case.status in (Case.Status.REPLIED, Case.Status.PENDING_DISPATCH),
        )

    # -- invariants ---------------------------------------------------------------------------------

    @invariant()
    def counters_stay_within_limits(self) -> None:
        case = self.fresh()
        assert case.reopen_count <= Case.MAX_REOPENS
        assert case.return_count <= Case.MAX_RETURNS
        assert case.status in Case.Status.values and case.status != Case.Status.MERGED

    @invariant()
    def one_active_lead_while_running(self) -> None:
        case = self.fresh()
        active_leads = case.assignments.filter(role=Assignment.Role.LEAD, status__in=Assignment.ACTIVE_STATUSES)
        if case.status in RUNNING:
            assert active_leads.count() == 1 and active_leads[0].unit_id == case.lead_unit_id
        else:
            assert not active_leads.exists()
        if case.status not in (Case.Status.PENDING_DISPATCH, Case.Status.CLOSED):
            assert case.due_at is not None

    @invariant()
    def extensions_wait_only_while_running(self) -> None:
        case = self.fresh()
        if case.status not in RUNNING:
            assert not case.extensions.filter(status=ExtensionRequest.Status.PENDING).exists()


def _leaf() -> Any:
    from gongzhi.appeals.models import Category

    return Category.objects.get(name="垃圾清运")


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


@pytest.mark.django_db
@pytest.mark.parametrize("stages", [STAGES[:3], STAGES[3:]], ids=["from_intake", "from_answer"])
def test_it_keeps_the_lifecycle_invariants_under_random_transitions(
    cast: Any, ac: AppealsCast, stages: list[str]
) -> None:
    """Two runs: cases starting before and after the answer, so that 25 short examples reach every state.

    Set SM_EXAMPLES=200 for a deeper run."""
    CaseLifecycle.world = World(
        cast=cast,
        units=[cast.department, ac.department2],
        handlers={cast.department.pk: cast.handler, ac.department2.pk: ac.handler2},
        caller=ac.caller,
    )
    CaseLifecycle.stages = stages
    try:
        run_state_machine_as_test(
            CaseLifecycle,
            settings=settings(max_examples=int(os.environ.get("SM_EXAMPLES", "25")), stateful_step_count=15,
                              deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]),
        )
    finally:
        CaseLifecycle.world = None
        CaseLifecycle.stages = []
