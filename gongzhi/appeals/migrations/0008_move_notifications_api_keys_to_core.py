"""Notifications and API keys now live in core (core 0002 copied every row): drop the appeals tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0007_suggestions_and_auto_dispatch_moved_to_intelligence'),
        ('core', '0002_notifications_api_keys_from_appeals'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ApiKey',
        ),
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
