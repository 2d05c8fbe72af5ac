from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Safety notifications")

    def ready(self):
        # Listen to the safety events of the apps below (core.events).
        from notifications import subscribers  # noqa: F401
