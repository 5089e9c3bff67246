# One training waits at a time. Requests already queued twice or more keep their oldest; the others are marked
# failed (with why) before the constraint is added.

from django.conf import settings
from django.db import migrations, models


def keep_one_waiting_job(apps, schema_editor):
    TrainingJob = apps.get_model("intelligence", "TrainingJob")
    waiting = list(TrainingJob.objects.filter(status="queued").order_by("created_at", "pk").values_list("pk", flat=True))
    if len(waiting) > 1:
        TrainingJob.objects.filter(pk__in=waiting[1:]).update(
            status="failed", message="另一次训练已在等待运行，这次请求未执行。")


class Migration(migrations.Migration):

    dependencies = [
        ('intelligence', '0005_training_files_deleted_after_training'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_one_waiting_job, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='trainingjob',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'queued')), fields=('status',), name='one_waiting_training_job'),
        ),
    ]
