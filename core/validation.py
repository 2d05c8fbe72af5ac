"""Model validation for services, gathered under the names the caller uses.

A service that saves several objects from one submission (a referral with
its person and survivors, an intake with its interview) validates each of
them with ``validated`` and raises one ``ValidationError`` with every
message, keyed by the field's path in the submission (``person.last_name``,
``survivors.0.phone``). How those keys reach a form or an API response is not
decided here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models


def validated(instance: models.Model, errors: dict[str, list], prefix: str, exclude: Sequence[str] = ()) -> None:
    """Run ``instance.full_clean`` and add its messages to ``errors``.

    Field messages go under ``prefix + field``; messages about the object as
    a whole under the prefix without its trailing dot (or ``__all__`` when
    there is no prefix). Nothing is raised: the caller raises once, with
    every message of the submission."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = f"{prefix}{field}" if field != "__all__" else (prefix.rstrip(".") or "__all__")
            errors.setdefault(key, []).extend(messages)
