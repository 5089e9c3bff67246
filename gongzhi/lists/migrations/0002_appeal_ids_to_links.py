"""A demand's and a monthly theme's appeals become core links (demand → appeal, theme → appeal), queryable from the
appeal too; every id in the old JSON lists becomes one link, then the JSON fields go."""

from django.db import migrations

DEMAND_APPEAL = "lists.demand_appeal"
THEME_APPEAL = "lists.theme_appeal"
MODELS = [("demand", "Demand", DEMAND_APPEAL), ("monthlytheme", "MonthlyTheme", THEME_APPEAL)]
BATCH = 2000


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def ids_to_links(apps, schema_editor):
    Link = apps.get_model("core", "Link")
    appeal_type = _content_type(apps, "appeals", "appeal")
    for model_label, model_name, kind in MODELS:
        Model = apps.get_model("lists", model_name)
        own_type = _content_type(apps, "lists", model_label)
        rows = []
        for obj in Model.objects.only("id", "appeal_ids", "created_at").iterator(chunk_size=BATCH):
            for appeal_id in dict.fromkeys(int(i) for i in (obj.appeal_ids or [])):
                rows.append(Link(kind=kind, from_type=own_type, from_id=obj.pk, to_type=appeal_type, to_id=appeal_id,
                                 created_at=obj.created_at))
            if len(rows) >= BATCH:
                Link.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        Link.objects.bulk_create(rows, ignore_conflicts=True)


def links_to_ids(apps, schema_editor):
    Link = apps.get_model("core", "Link")
    for model_label, model_name, kind in MODELS:
        Model = apps.get_model("lists", model_name)
        own_type = _content_type(apps, "lists", model_label)
        ids: dict[int, list[int]] = {}
        for from_id, to_id in Link.objects.filter(kind=kind, from_type=own_type).order_by("id").values_list(
                "from_id", "to_id"):
            ids.setdefault(from_id, []).append(to_id)
        for obj in Model.objects.filter(pk__in=list(ids)):
            obj.appeal_ids = ids[obj.pk]
            obj.save(update_fields=["appeal_ids"])
        Link.objects.filter(kind=kind, from_type=own_type).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_links'),
        ('lists', '0001_demands_and_monthly_themes'),
    ]

    operations = [
        migrations.RunPython(ids_to_links, links_to_ids),
        migrations.RemoveField(
            model_name='demand',
            name='appeal_ids',
        ),
        migrations.RemoveField(
            model_name='monthlytheme',
            name='appeal_ids',
        ),
    ]
