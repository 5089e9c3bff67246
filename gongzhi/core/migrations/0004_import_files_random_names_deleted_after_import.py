# Uploaded rosters get random names and are deleted once their import has run; the files of imports that
# ran before this release are deleted here (they hold full personal data and nothing reads them again).

from django.db import migrations, models

import gongzhi.core.models


def delete_finished_import_files(apps, schema_editor):
    ImportJob = apps.get_model("core", "ImportJob")
    for job in ImportJob.objects.filter(status__in=["succeeded", "failed"]).exclude(file="").iterator():
        job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_links"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="file",
            field=models.FileField(blank=True, upload_to=gongzhi.core.models.import_file_path, verbose_name="file"),
        ),
        migrations.RunPython(delete_finished_import_files, migrations.RunPython.noop),
    ]
