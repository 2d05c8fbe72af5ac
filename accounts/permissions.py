"""View guards. A wrong role gets 403; an object outside the user's
organisations gets 404 from the selectors (``get_<thing>_for_user``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.scope import Scope


def scope_required(predicate: Callable[[Scope], bool]):
    """Require a signed-in user whose scope satisfies ``predicate``, e.g.
    ``@scope_required(lambda s: s.is_police)``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.scope):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


police_required = scope_required(lambda s: s.is_police)
provider_staff_required = scope_required(lambda s: s.is_provider_staff)
clinical_required = scope_required(lambda s: s.is_clinical)
survivor_worker_required = scope_required(lambda s: s.is_survivor_worker)
case_reader_required = scope_required(lambda s: s.is_provider_staff or s.is_survivor_worker)
monitoring_required = scope_required(lambda s: s.can_monitor)
