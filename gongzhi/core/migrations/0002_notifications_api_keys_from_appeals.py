"""Notifications and API keys become core services: create core's tables and copy every row from the appeals tables
(same ids, so links in notifications and keys in use keep working). appeals 0008 then drops the old tables."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models

NOTIFICATION_COLUMNS = ["id", "user_id", "verb", "text", "url", "read_at", "created_at"]
API_KEY_COLUMNS = ["id", "name", "user_id", "prefix", "key_hash", "active", "created_at", "last_used_at"]
COPIES = [("Notification", NOTIFICATION_COLUMNS), ("ApiKey", API_KEY_COLUMNS)]


def _copy(apps, schema_editor, source_app, target_app):
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    targets = []
    for model_name, columns in COPIES:
        source = apps.get_model(source_app, model_name)
        target = apps.get_model(target_app, model_name)
        cols = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(target._meta.db_table)} ({cols}) "  # noqa: S608 (table and column names only)
                f"SELECT {cols} FROM {quote(source._meta.db_table)}"
            )
        targets.append(target)
    # The copied rows kept their ids: move the id sequences past them (PostgreSQL; a no-op elsewhere).
    statements = connection.ops.sequence_reset_sql(no_style(), targets)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def copy_from_appeals(apps, schema_editor):
    _copy(apps, schema_editor, "appeals", "core")


def copy_back_to_appeals(apps, schema_editor):
    # Reversing: appeals 0008 reversed has recreated the (empty) appeals tables.
    _copy(apps, schema_editor, "core", "appeals")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_organization_tree'),
        ('appeals', '0005_extension_lapsed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('prefix', models.CharField(editable=False, max_length=8)),
                ('key_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to=settings.AUTH_USER_MODEL, verbose_name='acts as')),
            ],
            options={
                'verbose_name': 'API key',
                'verbose_name_plural': 'API keys',
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('verb', models.CharField(max_length=40, verbose_name='kind')),
                ('text', models.CharField(max_length=300, verbose_name='text')),
                ('url', models.CharField(blank=True, max_length=200, verbose_name='link')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', 'read_at'], name='core_notif_user_read')],
            },
        ),
        migrations.RunPython(copy_from_appeals, copy_back_to_appeals),
    ]
