"""Councils end to end through their actions and pages: terms and renewal, proposals from councillors and from
residents with a phone code, comments and moderation, one vote per councillor, the secret ballot, the scheduled
close, and a passed proposal turned into a demand."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.audit import registered_verbs
from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.councils import actions
from gongzhi.councils.actions.votes import do_cast_vote_for_demo
from gongzhi.councils.models import Comment, Council, Proposal, SecretChoice, Vote
from gongzhi.councils.scheduled import close_due_votes
from gongzhi.councils.tasks import councillor_tasks
from gongzhi.lists.models import Demand

pytestmark = pytest.mark.django_db


def _code() -> str:
    return re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]


def _proposal(councils: Any, cast: Any, title: str = "增设充电棚") -> Proposal:
    return actions.do_submit_proposal(councils.a, acting_user=cast.resident_user, title=title, body="建议增设。")


def _open(proposal: Proposal, cast: Any, hours: int = 24) -> Proposal:
    return actions.do_open_voting(proposal, acting_user=cast.worker_a, closes_at=timezone.now() + timedelta(hours=hours))


def test_it_creates_one_council_per_community_and_checks_the_rules(cast: Any, councils: Any) -> None:
    assert councils.a.name == "和平里社区居民议事会"
    with pytest.raises(ActionError):
        actions.do_create_council(acting_user=cast.worker_a, area=cast.community_a)
    with pytest.raises(PermissionDenied):
        actions.do_update_rules(councils.a, acting_user=cast.worker_b, quorum="0.6")
    with pytest.raises(ActionError):
        actions.do_update_rules(councils.a, acting_user=cast.worker_a, quorum="1.5")
    council = actions.do_update_rules(councils.a, acting_user=cast.worker_a, quorum="0.6", majority="two_thirds",
                                      ballot="secret")
    assert str(council.quorum) == "0.60" and council.majority == "two_thirds"
    assert AuditEvent.objects.filter(verb="councils.update_rules").exists()


def test_every_verb_is_registered(cast: Any) -> None:
    from gongzhi.councils.registration import VERBS

    assert set(VERBS) <= registered_verbs()


def test_terms_renewal_and_leaving_early(cast: Any, councils: Any) -> None:
    today = timezone.localdate()
    term = councils.terms[1]
    with pytest.raises(ActionError):  # a resident of another community
        actions.do_elect(councils.a, acting_user=cast.worker_a, resident=cast.resident_b, term_start=today,
                         term_end=today + timedelta(days=10))
    with pytest.raises(ActionError):  # overlapping term
        actions.do_elect(councils.a, acting_user=cast.worker_a, resident=term.resident, term_start=today,
                         term_end=today + timedelta(days=10))
    new = actions.do_renew_term(term, acting_user=cast.worker_a, term_end=term.term_end + timedelta(days=365))
    assert new.renews == term and new.term_start == term.term_end + timedelta(days=1) and new.resident == term.resident
    with pytest.raises(InvalidTransition):
        actions.do_renew_term(term, acting_user=cast.worker_a, term_end=term.term_end + timedelta(days=400))
    left = actions.do_end_term_early(councils.terms[2], acting_user=cast.worker_a, reason="搬离社区")
    assert left.ended_early_on == today and not left.serving_on(today)
    assert AuditEvent.objects.filter(verb="councils.renew_term").exists()
    assert AuditEvent.objects.filter(verb="councils.end_term_early").exists()


def test_a_resident_proposes_with_a_phone_code(cast: Any, councils: Any, django_capture_on_commit_callbacks: Any) -> None:
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory"):
        with pytest.raises(ActionError):  # no code
            actions.do_submit_proposal(councils.a, title="路灯", body="修路灯", name="赵大妈", phone="13811112222")
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_send_proposal_code(councils.a, phone="13811112222")
        with pytest.raises(ActionError):
            actions.do_submit_proposal(councils.a, title="路灯", body="修路灯", name="赵大妈", phone="13811112222",
                                       code="000000" if _code() != "000000" else "111111")
        proposal = actions.do_submit_proposal(councils.a, title="路灯", body="修路灯", name="赵大妈",
                                              phone="13811112222", code=_code())
    assert proposal.proposer_kind == "resident" and proposal.proposer_name == "赵大妈"
    assert proposal.proposer_phone_hash and "13811112222" not in str(proposal.__dict__)
    event = AuditEvent.objects.get(verb="councils.submit_proposal")
    assert "1381111" not in str(event.after)


def test_a_councillor_proposes_signed_in_and_others_may_not(cast: Any, councils: Any) -> None:
    proposal = _proposal(councils, cast)
    assert proposal.proposer_kind == "councillor" and proposal.proposer_councillor == councils.terms[0]
    with pytest.raises(PermissionDenied):
        actions.do_submit_proposal(councils.a, acting_user=cast.liaison, title="x", body="y")
    with pytest.raises(ActionError):
        actions.do_submit_proposal(councils.a, acting_user=cast.worker_a, title="x", body="y")  # staff: whose?


def test_comments_need_a_verified_phone_and_are_hidden_with_a_reason(client: Any, cast: Any, councils: Any,
                                                                    django_capture_on_commit_callbacks: Any) -> None:
    proposal = _proposal(councils, cast)
    MemorySmsBackend.outbox.clear()
    cache.clear()
    with override_settings(SMS_BACKEND="memory"):
        with pytest.raises(ActionError):
            actions.do_add_comment(proposal, body="支持", name="钱先生", phone="13822223333", code="123456")
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_send_comment_code(proposal, phone="13822223333")
        comment = actions.do_add_comment(proposal, body="支持，广告xxx", name="钱先生", phone="13822223333",
                                         code=_code())
    own = actions.do_add_comment(proposal, acting_user=cast.resident_user, body="谢谢大家")
    assert own.councillor == councils.terms[0] and own.author_name == "张桂兰"
    with pytest.raises(PermissionDenied):
        actions.do_hide_comment(comment, acting_user=cast.worker_b, reason="广告")
    with pytest.raises(ActionError):
        actions.do_hide_comment(comment, acting_user=cast.worker_a, reason="")
    actions.do_hide_comment(comment, acting_user=cast.resident_user, reason="含广告")
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "含广告" and comment.body == "支持，广告xxx"
    assert Comment.objects.filter(pk=comment.pk).exists()
    page = client.get(f"/councils/proposals/{proposal.pk}/").content.decode()
    assert "含广告" in page and "支持，广告xxx" not in page and "钱*生" not in page and "谢谢大家" in page


def test_a_councillor_votes_once(cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast)
    actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="yes")
    with pytest.raises(ActionError):
        actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="no")
    with pytest.raises(ActionError):  # not a councillor
        actions.do_cast_vote(proposal, acting_user=cast.worker_a, choice="no")
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert Vote.objects.get().choice == "yes"
    assert AuditEvent.objects.get(verb="councils.cast_vote").after == {"councillor": councils.terms[0].pk, "choice": "yes"}


def test_a_councillor_whose_term_ended_is_refused(cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast, hours=24 * 5)
    term = councils.terms[1]
    actions.do_end_term_early(term, acting_user=cast.worker_a)
    with pytest.raises(ActionError, match="任期"):
        do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())
    # still in the quorum's base: the electorate was fixed when voting opened
    assert len(Proposal.objects.get(pk=proposal.pk).outcome["electorate"]) == 5  # type: ignore[index]


def test_a_term_that_ends_during_voting(cast: Any, councils: Any) -> None:
    today = timezone.localdate()
    term = councils.terms[1]
    term.term_end = today + timedelta(days=1)
    term.save(update_fields=["term_end"])
    proposal = _open(_proposal(councils, cast), cast, hours=24 * 5)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        with pytest.raises(ActionError):
            do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())
    do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())  # while serving: counts


def test_a_new_councillor_does_not_vote_on_a_vote_already_open(cast: Any, councils: Any) -> None:
    from gongzhi.core import actions as core_actions

    proposal = _open(_proposal(councils, cast), cast)
    resident = core_actions.do_create_resident(acting_user=None, area=cast.building_a, name="新议事员",
                                               phone="13600000009")
    term = actions.do_elect(councils.a, acting_user=cast.worker_a, resident=resident,
                            term_start=timezone.localdate(), term_end=timezone.localdate() + timedelta(days=100))
    with pytest.raises(ActionError, match="开始表决后"):
        do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())


def test_the_secret_ballot_keeps_no_link_between_councillor_and_choice(cast: Any, councils: Any) -> None:
    actions.do_update_rules(councils.a, acting_user=cast.worker_a, ballot="secret")
    proposal = _open(_proposal(councils, cast), cast)
    assert SecretChoice.objects.filter(proposal=proposal).count() == 5
    actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="no")
    for term, choice in zip(councils.terms[1:4], ["yes", "yes", "abstain"], strict=True):
        do_cast_vote_for_demo(proposal, councillor=term, choice=choice, at=timezone.now())
    assert set(Vote.objects.filter(proposal=proposal).values_list("choice", flat=True)) == {""}
    assert sorted(SecretChoice.objects.filter(proposal=proposal).exclude(choice="")
                  .values_list("choice", flat=True)) == ["abstain", "no", "yes", "yes"]
    assert {f.name for f in SecretChoice._meta.get_fields()} == {"id", "proposal", "choice"}
    for event in AuditEvent.objects.filter(verb="councils.cast_vote"):
        assert "choice" not in (event.after or {})
    proposal = actions.do_close_voting(proposal, acting_user=cast.worker_a)
    assert proposal.status == "passed" or proposal.outcome["yes"] == 2
    assert proposal.outcome["yes"] == 2 and proposal.outcome["no"] == 1 and proposal.outcome["abstain"] == 1


def test_the_scheduled_check_closes_votes_past_their_time(cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast, hours=2)
    actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="yes")
    assert close_due_votes() == {"closed": 0}
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert close_due_votes() == {"closed": 1}
    proposal.refresh_from_db()
    assert proposal.status == "failed" and proposal.outcome["reason"] == "no_quorum"
    assert proposal.outcome["closed_by"] == "schedule" and "未达法定人数" in proposal.outcome["text"]
    assert Notification.objects.filter(user=cast.resident_user, verb="councils.close_voting").exists()


def test_the_councillors_home_task(cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast)
    [task] = councillor_tasks(cast.resident_user)
    assert task.count == 1 and task.url == f"/councils/p/{proposal.pk}/"
    actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="yes")
    assert councillor_tasks(cast.resident_user)[0].count == 0
    assert councillor_tasks(cast.worker_a) == []


def _passed(cast: Any, councils: Any) -> Proposal:
    proposal = _open(_proposal(councils, cast), cast)
    actions.do_cast_vote(proposal, acting_user=cast.resident_user, choice="yes")
    for term in councils.terms[1:3]:
        do_cast_vote_for_demo(proposal, councillor=term, choice="yes", at=timezone.now())
    proposal = actions.do_close_voting(proposal, acting_user=cast.worker_a)
    assert proposal.status == "passed", proposal.outcome
    return proposal


def test_a_passed_proposal_becomes_a_demand_with_its_source(client: Any, cast: Any, councils: Any) -> None:
    proposal = _passed(cast, councils)
    with pytest.raises(PermissionDenied):
        actions.do_turn_into_demand(proposal, acting_user=cast.resident_user)
    demand = actions.do_turn_into_demand(proposal, acting_user=cast.worker_a)
    assert demand.source == Demand.Source.COUNCIL and demand.source_key == f"councils.proposal:{proposal.pk}"
    assert demand.source_ref == proposal.title and demand.area == cast.community_a
    with pytest.raises(InvalidTransition):
        actions.do_turn_into_demand(proposal, acting_user=cast.worker_a)
    assert Notification.objects.filter(user=cast.resident_user, verb="councils.turn_into").exists()
    page = client.get(f"/councils/proposals/{proposal.pk}/").content.decode()
    assert "需求清单" in page


def test_a_failed_proposal_does_not_become_a_demand(cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast)
    proposal = actions.do_close_voting(proposal, acting_user=cast.worker_a)
    with pytest.raises(InvalidTransition):
        actions.do_turn_into_demand(proposal, acting_user=cast.worker_a)


def test_the_pages(client: Any, cast: Any, councils: Any) -> None:
    proposal = _open(_proposal(councils, cast), cast)
    client.force_login(cast.resident_user)
    assert client.get("/councils/").status_code == 302
    page = client.get(f"/councils/p/{proposal.pk}/").content.decode()
    assert "data-testid=\"vote-form\"" in page
    response = client.post(f"/councils/p/{proposal.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 302 and Vote.objects.filter(proposal=proposal).count() == 1
    assert client.get(f"/councils/c/{councils.b.pk}/").status_code == 404
    client.force_login(cast.worker_a)
    page = client.get(f"/councils/c/{councils.a.pk}/").content.decode()
    assert "张桂兰" in page and "议事员1" in page
    response = client.post(f"/councils/p/{proposal.pk}/close/")
    assert response.status_code == 302
    public = client.get(f"/councils/{cast.community_a.pk}/").content.decode()
    assert proposal.title in public and "13800138000" not in public
    assert client.get("/councils/999999/").status_code == 404


def test_public_forms_are_rate_limited(client: Any, cast: Any, councils: Any) -> None:
    cache.clear()
    with override_settings(COUNCILS_PUBLIC_RATE=(2, 600), SMS_BACKEND="memory"):
        url = f"/councils/{cast.community_a.pk}/propose/"
        for _i in range(2):
            assert client.post(url, {"send": "1", "phone": "bad"}).status_code == 400
        assert client.post(url, {"send": "1", "phone": "13811112222"}).status_code == 429
    assert not Proposal.objects.exists()
    assert Council.objects.count() == 2
