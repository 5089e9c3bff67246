"""Two default reply templates used {日期} and {单位} for what the platform does not know (the expected completion
date, the unit the resident is sent to). Those two names are now filled from the case (today, the answering unit:
appeals/replies.py), so the templates name the handler's part explicitly. Only an unchanged default is rewritten."""

from __future__ import annotations

from django.db import migrations

RENAMED = [
    ("正在推进",
     "您反映的问题我单位已受理，因涉及多个部门，目前正在协调推进，预计于{日期}前完成，届时将再次告知您。",
     "您反映的问题我单位已受理，因涉及多个部门，目前正在协调推进，预计于{预计完成日期}前完成，届时将再次告知您。"),
    ("不属于职责范围",
     "经核实，您反映的问题不属于我单位职责范围，已建议您向{单位}反映，感谢理解。",
     "经核实，您反映的问题不属于我单位职责范围，已建议您向{建议反映的单位}反映，感谢理解。"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ReplyTemplate = apps.get_model("appeals", "ReplyTemplate")
    for title, old, new in RENAMED:
        ReplyTemplate.objects.filter(title=title, body=old).update(body=new)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ReplyTemplate = apps.get_model("appeals", "ReplyTemplate")
    for title, old, new in RENAMED:
        ReplyTemplate.objects.filter(title=title, body=new).update(body=old)


class Migration(migrations.Migration):

    dependencies = [("appeals", "0010_follow_up_source_rating_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
