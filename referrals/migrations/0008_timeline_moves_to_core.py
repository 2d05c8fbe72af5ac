"""The timeline moves to core (core.models.TimelineEntry, migration core 0005).

Only Django's idea of the model moves: the table keeps its name
(``referrals_timelineentry``), its rows and its grants.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_screening_keeps_decline_draft"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TimelineEntry")],
            database_operations=[],
        ),
    ]
