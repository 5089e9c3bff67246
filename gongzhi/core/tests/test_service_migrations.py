"""Existing rows survive the move of notifications and API keys to core, and demands' JSON appeal ids becoming links."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0001_organization_tree"),
    ("appeals", "0007_suggestions_and_auto_dispatch_moved_to_intelligence"),
    ("lists", "0001_demands_and_monthly_themes"),
]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_notifications_api_keys_and_demand_appeals() -> None:
    old = _migrate(BEFORE)
    try:
        User = old.get_model("core", "User")
        Area = old.get_model("core", "Area")
        alice = User.objects.create(username="alice")
        bob = User.objects.create(username="bob")
        old_notification = old.get_model("appeals", "Notification")
        n1 = old_notification.objects.create(user_id=alice.pk, verb="appeals.dispatch", text="新案件待受理", url="/appeals/cases/1/")
        n2 = old_notification.objects.create(user_id=bob.pk, verb="appeals.overdue", text="已超期", url="")
        key = old.get_model("appeals", "ApiKey").objects.create(user_id=alice.pk, name="12345", prefix="gz_abcde",
                                                              key_hash="h" * 64, active=False)
        city = Area.objects.create(name="市", level="city", path="")
        city.path = f"/{city.pk}/"
        city.save()
        demand = old.get_model("lists", "Demand").objects.create(title="路灯", area_id=city.pk, appeal_ids=[7, 3, 7])
        theme = old.get_model("lists", "MonthlyTheme").objects.create(month="2026-04-01", title="路灯", area_id=city.pk,
                                                                      appeal_ids=[3])
        empty = old.get_model("lists", "Demand").objects.create(title="无诉求", area_id=city.pk, appeal_ids=[])

        new = _migrate(_latest())
        notification = new.get_model("core", "Notification")
        assert sorted(notification.objects.values_list("id", "user_id", "verb", "text", "url")) == [
            (n1.pk, alice.pk, "appeals.dispatch", "新案件待受理", "/appeals/cases/1/"),
            (n2.pk, bob.pk, "appeals.overdue", "已超期", ""),
        ]
        assert notification.objects.create(user_id=alice.pk, verb="x", text="y").pk > n2.pk  # ids go on after the copies
        copied = new.get_model("core", "ApiKey").objects.get()
        assert (copied.pk, copied.user_id, copied.key_hash, copied.active) == (key.pk, alice.pk, "h" * 64, False)
        link = new.get_model("core", "Link")
        content_type = new.get_model("contenttypes", "ContentType")
        demand_type = content_type.objects.get(app_label="lists", model="demand")
        appeal_type = content_type.objects.get(app_label="appeals", model="appeal")
        rows = link.objects.filter(from_type=demand_type, from_id=demand.pk, to_type=appeal_type)
        assert sorted(rows.values_list("kind", "to_id")) == [("lists.demand_appeal", 3), ("lists.demand_appeal", 7)]
        assert list(link.objects.filter(kind="lists.theme_appeal").values_list("from_id", "to_id")) == [(theme.pk, 3)]
        assert not link.objects.filter(from_type=demand_type, from_id=empty.pk).exists()

        # And back: the JSON lists come back from the links.
        back = _migrate([("lists", "0001_demands_and_monthly_themes")])
        assert sorted(back.get_model("lists", "Demand").objects.get(pk=demand.pk).appeal_ids) == [3, 7]
        assert back.get_model("lists", "MonthlyTheme").objects.get(pk=theme.pk).appeal_ids == [3]
    finally:
        _migrate(_latest())
