"""Every subdistrict gets its office unit now, not on the first read that routes a case to it (routing only reads)."""

from django.db import migrations


def open_offices(apps, schema_editor):
    Area = apps.get_model("core", "Area")
    Unit = apps.get_model("core", "Unit")
    SubdistrictOffice = apps.get_model("appeals", "SubdistrictOffice")
    have = set(SubdistrictOffice.objects.values_list("subdistrict_id", flat=True))
    taken = set(SubdistrictOffice.objects.values_list("unit_id", flat=True))
    for subdistrict in Area.objects.filter(level="subdistrict").exclude(pk__in=have).order_by("pk"):
        name = f"{subdistrict.name}办事处"
        unit = Unit.objects.filter(name=name).exclude(pk__in=taken).first()
        if unit is None:
            unit = Unit.objects.create(name=name, kind="institution", area=subdistrict)
        SubdistrictOffice.objects.create(subdistrict=subdistrict, unit=unit)
        taken.add(unit.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0005_extension_lapsed"),
        ("core", "0001_organization_tree"),
    ]

    operations = [migrations.RunPython(open_offices, migrations.RunPython.noop)]
