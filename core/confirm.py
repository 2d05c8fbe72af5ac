"""Asking before a consequential action, on the server (works without
JavaScript).

The first valid POST of such a page changes nothing: the page comes back
with a panel that says in plain words what is about to happen, that it
cannot be undone and who is told, and a Confirm button in a form of its own
that posts every field again plus ``confirmed=1``. Only a POST with
``confirmed=1`` acts. The page's own form still holds what was typed, so
changing something is editing it and sending it again. Invalid input shows
its field errors first and never reaches the panel.

In a view, once the form and the service's check have passed::

    if not is_confirmed(request):
        context["confirm"] = Confirmation.of(request, what=..., tells=...)
        return render(...)

and the page includes ``partials/confirm.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIRMED = "confirmed"
# Sent afresh by the panel's own form.
NOT_POSTED_AGAIN = frozenset({"csrfmiddlewaretoken", CONFIRMED})


def is_confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


@dataclass(frozen=True)
class Confirmation:
    what: str  # "You are about to …"
    tells: str  # "It tells: A and B.", or what is told to nobody; may be ""
    fields: tuple[tuple[str, str], ...]  # what the Confirm button posts again

    @classmethod
    def of(cls, request, *, what: str, tells: str = "") -> Confirmation:
        fields = tuple(
            (name, value) for name, values in request.POST.lists() if name not in NOT_POSTED_AGAIN for value in values
        )
        return cls(what=str(what), tells=str(tells), fields=fields)
