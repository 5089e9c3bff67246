"""The permission matrices of the time bank's policies with the cast: AccountPolicy (a person's account at community
A and one at community B; a unit's and the community's account at A), RewardPolicy (the member unit's reward at A,
community B's reward; the community's own reward at A for who manages it), RedemptionPolicy (a redemption of the unit's
reward at A, one at B); and the account and redemption pages through HTTP.

A grid worker's scope is the grid, below the community the accounts and rewards belong to: 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongzhi.service import ledger, permissions
from gongzhi.service.actions import bank as actions
from gongzhi.service.models import Redemption, TimeBankAccount
from gongzhi.test import Cast, check_http_matrix, check_policy_matrix, parse_matrix

from . import bank_scene

pytestmark = pytest.mark.django_db

ACCOUNT_MATRIX = parse_matrix("""
                        view     transfer
superuser               ok/ok    403/403
city_admin              ok/ok    403/403
district_admin          ok/ok    403/403
subdistrict_staff_a     ok/404   403/404
worker_a                ok/404   403/404
worker_b                404/ok   404/403
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 404/404  404/404
party_member_user       ok/404   ok/404
volunteer               404/404  404/404
resident_user           404/404  404/404
""")

# A: the member unit's account at A; B: community A's own account.
PROVIDER_ACCOUNT_MATRIX = parse_matrix("""
                        view     transfer
superuser               ok/ok    403/403
city_admin              ok/ok    403/403
district_admin          ok/ok    403/403
subdistrict_staff_a     ok/ok    403/403
worker_a                ok/ok    403/403
worker_b                404/404  404/404
grid_worker_a           404/404  404/404
handler                 404/404  404/404
liaison                 ok/404   403/404
party_member_user       404/404  404/404
volunteer               404/404  404/404
resident_user           404/404  404/404
""")

REWARD_MATRIX = parse_matrix("""
                        view     manage   redeem
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   ok/404   ok/404
party_member_user       ok/404   403/404  ok/404
volunteer               ok/404   403/404  ok/404
resident_user           ok/404   403/404  ok/404
""")

# Community A's own reward: its staff manage it, the member unit's liaison does not.
COMMUNITY_REWARD_MATRIX = parse_matrix("""
                        manage
superuser               ok
city_admin              ok
district_admin          ok
subdistrict_staff_a     ok
worker_a                ok
worker_b                404
grid_worker_a           404
handler                 404
liaison                 403
party_member_user       403
volunteer               403
resident_user           403
""")

REDEMPTION_MATRIX = parse_matrix("""
                        view     deliver  cancel
superuser               ok/ok    ok/ok    ok/ok
city_admin              ok/ok    ok/ok    ok/ok
district_admin          ok/ok    ok/ok    ok/ok
subdistrict_staff_a     ok/404   ok/404   ok/404
worker_a                ok/404   ok/404   ok/404
worker_b                404/ok   404/ok   404/ok
grid_worker_a           404/404  404/404  404/404
handler                 404/404  404/404  404/404
liaison                 ok/404   ok/404   ok/404
party_member_user       ok/404   403/404  ok/404
volunteer               404/404  404/404  404/404
resident_user           404/404  404/404  404/404
""")


def _accounts(cast: Cast, scene: bank_scene.Scene) -> tuple[TimeBankAccount, TimeBankAccount]:
    a, b = ledger.account_of_user(cast.party_member_user), ledger.account_of_user(scene.resident_b_user)
    assert a is not None and b is not None
    return a, b


def _redemptions(cast: Cast, scene: bank_scene.Scene) -> tuple[Redemption, Redemption]:
    return (actions.do_redeem(scene.unit_reward, acting_user=cast.party_member_user),
            actions.do_redeem(scene.reward_b, acting_user=scene.resident_b_user))


def test_the_account_policy_matrix(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    checked = check_policy_matrix(cast, ACCOUNT_MATRIX, subjects=_accounts(cast, scene), can=permissions.can,
                                  fetch=permissions.get_account_for_user)
    assert checked == 48
    providers = (ledger.unit_account(cast.member_unit), ledger.community_account(cast.community_a))
    assert check_policy_matrix(cast, PROVIDER_ACCOUNT_MATRIX, subjects=providers, can=permissions.can,
                               fetch=permissions.get_account_for_user) == 48


def test_the_reward_policy_matrix(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    checked = check_policy_matrix(cast, REWARD_MATRIX, subjects=(scene.unit_reward, scene.reward_b),
                                  can=permissions.can, fetch=permissions.get_reward_for_user)
    assert checked == 72
    assert check_policy_matrix(cast, COMMUNITY_REWARD_MATRIX, subjects=(scene.community_reward,),
                               can=permissions.can, fetch=permissions.get_reward_for_user) == 12


def test_the_redemption_policy_matrix(cast: Cast) -> None:
    scene = bank_scene.build(cast)
    checked = check_policy_matrix(cast, REDEMPTION_MATRIX, subjects=_redemptions(cast, scene),
                                  can=permissions.can, fetch=permissions.get_redemption_for_user)
    assert checked == 72


def test_the_offer_reward_rule_at_a_community(cast: Cast) -> None:
    """Staff of the community, and the liaison of a unit registered (confirmed) there; a participant never."""
    offer = parse_matrix("""
                        offer_reward
superuser               ok/ok
city_admin              ok/ok
district_admin          ok/ok
subdistrict_staff_a     ok/403
worker_a                ok/403
worker_b                403/ok
grid_worker_a           403/403
handler                 403/403
liaison                 ok/403
party_member_user       403/403
volunteer               403/403
resident_user           403/403
""")
    checked = check_policy_matrix(cast, offer, subjects=(cast.community_a, cast.community_b),
                                  can=permissions.can)
    assert checked == 24


def test_the_statement_page_answers_as_the_policy(client: Any, cast: Cast) -> None:
    scene = bank_scene.build(cast)
    pair = _accounts(cast, scene)
    checked = check_http_matrix(client, cast, ACCOUNT_MATRIX.only("view"), subjects=pair,
                                url=lambda _action, account: reverse("service:bank_account", args=[account.pk]))
    assert checked == 24


def test_the_deliver_button_answers_as_the_policy(client: Any, cast: Cast) -> None:
    """Delivering through the page: 302 when allowed (the first delivery; then the page says it was delivered),
    403 or 404 as the policy says."""
    scene = bank_scene.build(cast)
    pair = _redemptions(cast, scene)
    checked = check_http_matrix(client, cast, REDEMPTION_MATRIX.only("deliver"), subjects=pair, method="post",
                                ok_status=302,
                                url=lambda _action, r: reverse("service:redemption_deliver", args=[r.pk]))
    assert checked == 24
    assert {r.status for r in Redemption.objects.all()} == {"delivered"}
