"""Plain words about who is told of a safety event: organisation names joined
as "A, B and C", and the sentences built on them for the confirmation before
an action ("It tells …") and the message after it ("A notice went to …").

No database access and no rules about who hears of what (that is
``notifications.recipients``): callers hand in organisations or names.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

COMPLETION = "completion"  # SafetyEvent.Kind.COMPLETION: a notice for information only


def _names(organisations: Iterable) -> list[str]:
    """Names in the order given, each once. Takes organisations or names."""
    names: list[str] = []
    for item in organisations:
        name = str(getattr(item, "name", item))
        if name and name not in names:
            names.append(name)
    return names


def joined(organisations: Iterable) -> str:
    """ "A", "A and B", "A, B and C"; "" for none."""
    names = _names(organisations)
    if len(names) <= 1:
        return "".join(names)
    return _("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def tells_sentence(organisations: Iterable) -> str:
    """Before the action: who will be told; "" when nobody outside is."""
    names = joined(organisations)
    return _("It tells: %(names)s.") % {"names": names} if names else ""


def told_sentence(kind: str, organisations: Iterable) -> str:
    """After the action: what went to whom, for an event of ``kind``
    (a ``SafetyEvent.Kind`` value); "" when no notice went anywhere."""
    names = joined(organisations)
    if not names:
        return ""
    if kind == COMPLETION:
        return _("A notice went to %(names)s, for information.") % {"names": names}
    return _("A notice went to %(names)s.") % {"names": names}
