"""A residents' council walked through on phones in Debian's Chromium: a resident without an account submits a
proposal with a code sent to the phone (read from the memory SMS backend), the community worker opens the vote,
three councillors vote on their phones, the worker closes it (passed, with the count) and turns it into a demand in
one click; the demand exists with the source 居民议事会 and the resident's public page says what became of it.
Screenshots go to GONGZHI_SHOTS_DIR (/tmp/gongzhi-shots/)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.councils.models import Councillor, Proposal
from gongzhi.lists.models import Demand
from gongzhi.test import PHONE, SHOTS, make_user, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def narrow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_a_resident_proposes_on_a_phone_councillors_vote_and_it_becomes_a_demand(
        browser: Any, live_server: Any, cast: Any, councils: Any) -> None:
    MemorySmsBackend.outbox.clear()
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Two more councillors with accounts of their own (test users, not the cast's).
    voters = [cast.resident_user]
    for i, term in enumerate(councils.terms[1:3], start=1):
        user = make_user(f"councillor{i}", term.resident.name)
        term.resident.user = user
        term.resident.save(update_fields=["user"])
        Councillor.objects.filter(pk=term.pk).update(user=user)
        voters.append(user)

    with override_settings(SMS_BACKEND="memory"):
        page = browser.new_context(**PHONE).new_page()
        page.goto(f"{live_server.url}/councils/{cast.community_a.pk}/")
        page.click("[data-testid=propose-link]")
        page.fill("#pub-name", "赵秀英")
        page.fill("#pub-title", "在和平小区增设电动车充电棚")
        page.fill("#pub-body", "楼道里充电不安全，建议在1号楼旁建充电棚。")
        page.fill("#pub-phone", "13811112222")
        page.click("[data-testid=send-code]")
        assert "验证码已发送" in page.locator("[data-testid=code-sent]").inner_text()
        assert page.locator("#pub-title").input_value() == "在和平小区增设电动车充电棚"
        code = re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]
        assert MemorySmsBackend.outbox[-1][0] == "13811112222"
        page.fill("#pub-code", code)
        narrow(page)
        page.screenshot(path=str(SHOTS / "council-propose-phone.png"), full_page=True)
        page.click("[data-testid=submit-proposal]")
        assert "提案已提交" in page.locator("[data-testid=proposal-thanks]").inner_text() or \
            "谢谢" in page.locator("[data-testid=proposal-thanks]").inner_text()
        assert "赵*英" in page.locator("[data-testid=public-proposal]").inner_text()
        proposal = Proposal.objects.get()
        assert proposal.proposer_kind == "resident" and proposal.proposer_phone_hash
        public_url = page.url.split("?")[0]

        worker = signed_in(browser, live_server, cast.worker_a, **PHONE)
        worker.goto(f"{live_server.url}/councils/p/{proposal.pk}/")
        closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        worker.fill("#closes-at", closes)
        worker.locator("[data-testid=open-voting] button[type=submit]").click()
        assert "表决已开始" in flash(worker)

        for user in voters:
            councillor = signed_in(browser, live_server, user, **PHONE)
            councillor.goto(f"{live_server.url}/")
            councillor.goto(f"{live_server.url}/councils/p/{proposal.pk}/")
            councillor.click("[data-testid=vote-yes]")
            assert "您的投票已记录" in flash(councillor)
            assert councillor.locator("[data-testid=voted]").count() == 1
            narrow(councillor)
        councillor.screenshot(path=str(SHOTS / "council-voted-phone.png"), full_page=True)

        worker.reload()
        worker.click("[data-testid=close-voting]")
        assert "通过" in worker.locator("[data-testid=outcome]").inner_text()
        assert Proposal.objects.get().status == "passed"
        worker.screenshot(path=str(SHOTS / "council-passed-phone.png"), full_page=True)
        worker.click("[data-testid=turn-into-demand]")
        assert "提案已转为需求" in flash(worker)
        demand = Demand.objects.get(source="council")
        assert demand.source_key == f"councils.proposal:{proposal.pk}" and demand.title == proposal.title
        assert "居民议事会" in worker.locator("[data-testid=demand-source]").inner_text()
        narrow(worker)
        worker.screenshot(path=str(SHOTS / "council-demand-phone.png"), full_page=True)

        page.goto(public_url)
        assert "需求清单" in page.locator("[data-testid=became]").inner_text()
        assert "13811112222" not in page.content()
        narrow(page)
        page.screenshot(path=str(SHOTS / "council-public-outcome-phone.png"), full_page=True)
