from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_person_phone_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=models.Q(("status__in", ["received", "screening"])),
                fields=["provider", "-created_at", "-id"],
                name="referral_incoming",
            ),
        ),
    ]
