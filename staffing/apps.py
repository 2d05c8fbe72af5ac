from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Trained facilitators")

    def ready(self):
        # Answer the programmes' question about facilitators' qualifications.
        from staffing import subscribers  # noqa: F401
