# Uploaded training files are deleted once their job has run; those of jobs that ran before are deleted here.

from django.db import migrations


def delete_finished_training_files(apps, schema_editor):
    TrainingJob = apps.get_model("intelligence", "TrainingJob")
    for job in TrainingJob.objects.filter(status__in=["succeeded", "failed"]).exclude(file="").iterator():
        job.file.storage.delete(job.file.name)
        TrainingJob.objects.filter(pk=job.pk).update(file="")


class Migration(migrations.Migration):

    dependencies = [
        ("intelligence", "0004_appeal_suggestions_and_auto_dispatch_config"),
    ]

    operations = [
        migrations.RunPython(delete_finished_training_files, migrations.RunPython.noop, elidable=True),
    ]
