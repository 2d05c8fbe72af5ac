from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    """The start page and the demo data: the top of the dependency picture,
    the one place allowed to import every other app (ARCHITECTURE.md)."""

    name = "frontdoor"
    verbose_name = "Front door"
