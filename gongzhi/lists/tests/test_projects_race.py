"""Two liaisons of two units registered in the community claim one project at the same moment: one wins, the other
is told in Chinese who claimed it (PostgreSQL row locks; skipped on SQLite). Signing the last two signatures at
once makes the agreement signed exactly once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gongzhi.core.errors import InvalidTransition
from gongzhi.core.models import AuditEvent
from gongzhi.lists import actions
from gongzhi.lists.models import AgreementSignature, Project, ServiceAgreement
from gongzhi.test import Cast, race, require_postgresql

from .project_scene import claimed, other_unit, proposed

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_liaisons_claiming_at_once_one_wins_and_the_other_is_told_who(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    project = proposed(cast)
    school = other_unit(cast)

    def claim(user: object) -> Callable[[], object]:
        return lambda: actions.do_claim_project(Project.objects.get(pk=project.pk), acting_user=user)  # type: ignore[arg-type]

    results = race(claim(cast.liaison), claim(school.liaison))
    won = [r for r in results if isinstance(r, Project)]
    lost = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(won) == 1 and len(lost) == 1, results
    project.refresh_from_db()
    assert project.lead_unit is not None and project.lead_unit.name in lost[0].message
    assert "已由" in lost[0].message and "认领" in lost[0].message
    assert AuditEvent.objects.filter(verb="lists.claim_project").count() == 1
    assert ServiceAgreement.objects.filter(project=project).count() == 1


def test_the_last_two_signatures_at_once_sign_the_agreement_once(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    project = claimed(cast)
    actions.do_send_agreement(project, acting_user=cast.worker_a)

    def sign_community() -> object:
        return actions.do_sign_agreement(Project.objects.get(pk=project.pk), acting_user=cast.worker_a, unit=None)

    def sign_unit() -> object:
        return actions.do_sign_agreement(Project.objects.get(pk=project.pk), acting_user=cast.liaison,
                                         unit=cast.member_unit)

    results = race(sign_community, sign_unit)
    assert all(isinstance(r, AgreementSignature) for r in results), results
    agreement = ServiceAgreement.objects.get(project=project)
    assert agreement.status == ServiceAgreement.Status.SIGNED
    assert Project.objects.get(pk=project.pk).status == Project.Status.AGREED
