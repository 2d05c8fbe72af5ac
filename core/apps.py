from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


def grant_to_application_role(sender, using="default", **kwargs):
    """After every migrate (and flush), give the application role its grants on
    the tables that exist now; the append-only tables stay INSERT-only. Skipped
    when the role does not exist (a database without the two roles)."""
    from django.conf import settings
    from django.db import connections

    from core import dbroles

    role = settings.DATABASE_APP_ROLE
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role or not dbroles.role_exists(cursor, role):
            return
        dbroles.apply_grants(cursor, app=role)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Every text field of every form and serializer refuses control
        # characters with a field error (core.validators). "core" is first in
        # INSTALLED_APPS so that this runs before any other app imports a form.
        from core.validators import install_text_field_checks

        install_text_field_checks()
        # Every app's timeline kinds (core.timeline), so that every stored
        # code has its label before the first page is drawn.
        autodiscover_modules("timeline")
        # Every app's texts shipped as data (core.shipped), so that each is
        # shown in the reader's language from the first page on.
        autodiscover_modules("shipped_texts")
        post_migrate.connect(grant_to_application_role, sender=self, dispatch_uid="core.grant_to_application_role")
