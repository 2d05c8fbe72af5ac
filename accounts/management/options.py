"""What several management commands share: naming an organisation."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import Organisation


def organisation_named(name: str | None) -> Organisation | None:
    """The organisation of that exact name, None when no name is given;
    CommandError when there is none of that name."""
    if not name:
        return None
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise CommandError(f"No organisation named {name!r}.")
    return organisation
