"""Finding 10 of issue 17, the appeals side: one rule for personal data across residents and appeals.

City and district admins saw residents' records masked but revealed any appeal's callback phone, read every
appeal's address in full, and every district's admin saw the cases without a place of the whole city. Now an
appeal's phone and address follow the residents' rule (gongzhi.core.pii): in full, audited, for the roles that
may reveal personal data over the case's place and for the unit handling the case; cases without a place belong
to the city's admins, who may read their address (to place them) but not the phone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.models import Case
from gongzhi.core.models import AuditEvent

from .conftest import dispatched

pytestmark = pytest.mark.django_db

ADDRESS = "和平小区1号楼2单元301"


def _address_shown(html: str) -> str:
    return html.split('data-field="address">', 1)[1].split("</dd>", 1)[0].strip()


def _reveal(client: Client, case: Case) -> Any:
    appeal = case.appeals.get()
    return client.post(reverse("appeals:reveal_phone", args=[case.pk, appeal.pk]))


def _api_reveal(client: Client, case: Case) -> Any:
    return client.post(f"/api/appeals/cases/{case.pk}/appeals/{case.appeals.get().pk}/contact")


def test_it_reveals_no_callback_phone_to_city_and_district_admins(cast: Any, ac: Any, client: Client) -> None:
    case = dispatched(cast, ac, address=ADDRESS)
    for admin in (cast.city_admin, cast.district_admin):
        client.force_login(admin)
        page = client.get(reverse("appeals:case", args=[case.pk])).content.decode()
        assert page.count("13800138000") == 0 and "显示</button>" not in page
        assert _reveal(client, case).status_code == 403
        assert client.get(f"/api/appeals/cases/{case.pk}").json()["appeals"][0]["callback_phone"] == "138****8000"
    assert not AuditEvent.objects.filter(verb="appeals.phone.reveal").exists()


def test_it_masks_the_address_of_an_appeal_like_a_residents(cast: Any, ac: Any, client: Client) -> None:
    case = dispatched(cast, ac, address=ADDRESS)
    for who in (cast.district_admin, cast.worker_a, cast.handler):
        client.force_login(who)
        page = client.get(reverse("appeals:case", args=[case.pk])).content.decode()
        assert ADDRESS not in page and "1号楼2单元" not in page
        assert _address_shown(page) == "和平里社区 和平小区 ***"
        (appeal,) = client.get(f"/api/appeals/cases/{case.pk}").json()["appeals"]
        assert appeal["address"] == "和平里社区 和平小区 ***"


def test_it_reveals_phone_and_address_to_those_who_call_back(cast: Any, ac: Any, client: Client) -> None:
    case = dispatched(cast, ac, address=ADDRESS)
    for who in (cast.worker_a, cast.grid_worker_a, cast.handler):  # in scope; the unit handling the case
        client.force_login(who)
        html = _reveal(client, case).content.decode()
        assert "13800138000" in html and ADDRESS in html, who
        assert _api_reveal(client, case).json() == {"callback_phone": "13800138000", "address": ADDRESS}
    events = AuditEvent.objects.filter(verb="appeals.phone.reveal")
    assert events.count() == 6 and all((e.after or {}).get("fields") == ["phone", "address"] for e in events)
    client.force_login(cast.district_admin)
    assert _api_reveal(client, case).status_code == 403
    client.force_login(cast.worker_b)
    assert _api_reveal(client, case).status_code == 404


def test_it_keeps_cases_without_a_place_to_the_city_admins(cast: Any, ac: Any, client: Client) -> None:
    appeal = actions.do_submit_appeal(acting_user=None, system=True, title="路灯不亮", body="幸福路12号路灯不亮",
                                      callback_phone="13900139000", address="幸福路12号")
    case = appeal.case
    assert case is not None and case.area is None
    client.force_login(cast.district_admin)  # a district's admin: not theirs
    assert client.get(reverse("appeals:case", args=[case.pk])).status_code == 404
    assert client.get(f"/api/appeals/cases/{case.pk}").status_code == 404
    assert case.pk not in {row["id"] for row in client.get("/api/appeals/worklists/pending_dispatch").json()}
    client.force_login(cast.city_admin)  # the city's admin places it: the address, never the phone
    page = client.get(reverse("appeals:case", args=[case.pk])).content.decode()
    assert _address_shown(page) == "***"  # the body is the sender's own free text, shown as written
    assert _api_reveal(client, case).json() == {"callback_phone": None, "address": "幸福路12号"}
    html = _reveal(client, case).content.decode()
    assert "幸福路12号" in html and "13900139000" not in html and "139****9000" in html
    # Whom to tell about it: the city's admins only.
    from gongzhi.appeals.permissions import users_who_can

    assert set(users_who_can("dispatch", case)) == {cast.city_admin}
