"""Seed the default category tree, the Beijing time limits, the rates weights and reply templates."""

from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from gongzhi.appeals.seed import CATEGORY_TREE, REPLY_TEMPLATES, TIME_LIMITS

    Category = apps.get_model("appeals", "Category")
    TimeLimitPolicy = apps.get_model("appeals", "TimeLimitPolicy")
    RatesConfig = apps.get_model("appeals", "RatesConfig")
    ReplyTemplate = apps.get_model("appeals", "ReplyTemplate")

    for kind, (accept, response, handle) in TIME_LIMITS.items():
        TimeLimitPolicy.objects.get_or_create(
            kind=kind, defaults={"accept_minutes": accept, "response_hours": response, "handle_hours": handle}
        )
    if not RatesConfig.objects.exists():
        RatesConfig.objects.create()
    for i, (name1, level2) in enumerate(CATEGORY_TREE, start=1):
        top, _ = Category.objects.get_or_create(
            parent=None, name=name1, defaults={"level": 1, "code": f"{i:02d}", "sort_order": i}
        )
        for j, (name2, leaves) in enumerate(level2, start=1):
            mid, _ = Category.objects.get_or_create(
                parent=top, name=name2, defaults={"level": 2, "code": f"{i:02d}{j:02d}", "sort_order": j}
            )
            for k, (name3, kind) in enumerate(leaves, start=1):
                Category.objects.get_or_create(
                    parent=mid, name=name3,
                    defaults={"level": 3, "code": f"{i:02d}{j:02d}{k:02d}", "sort_order": k,
                              "time_limit_kind": kind},
                )
    for title, body in REPLY_TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"body": body})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_appeals_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
