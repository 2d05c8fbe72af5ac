from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0019_session_logged_in_field_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(fields=["provider", "starts_at"], name="session_by_provider_start"),
        ),
    ]
