"""The timeline, moved here from referrals (migration referrals 0008).

The table is the one referrals created (``referrals_timelineentry``); nothing
is done to the database. ``kind`` has no choices any more: kinds are declared
in code (core.timeline), so a new kind needs no migration.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_db_roles"),
        ("accounts", "0004_sealed_totp_secrets"),
        ("referrals", "0008_timeline_moves_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TimelineEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("kind", models.CharField(max_length=40)),
                        ("detail", models.CharField(blank=True, max_length=300)),
                        ("survivor_side", models.BooleanField(default=False)),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "actor_organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="timeline",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={"db_table": "referrals_timelineentry", "ordering": ["at", "id"]},
                ),
            ],
            database_operations=[],
        ),
    ]
