from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Monitoring reports")

    def ready(self):
        # Keep the attendance figures current with the programme's events (core.events).
        from reports import subscribers  # noqa: F401
