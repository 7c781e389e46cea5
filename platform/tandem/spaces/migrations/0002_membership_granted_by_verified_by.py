"""Who granted each role, and who verified a co-lead's role as a second pair of eyes.

Memberships made before this migration keep ``granted_by`` empty: who gave
them is unknown, so a tutor's or counsellor's role among them counts for
money only once another coordinator of the organisation or the operator has
verified it (docs/recognition.md, "Four eyes").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('spaces', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='granted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by'),
        ),
        migrations.AddField(
            model_name='membership',
            name='verified_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='verified'),
        ),
        migrations.AddField(
            model_name='membership',
            name='verified_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by'),
        ),
    ]
