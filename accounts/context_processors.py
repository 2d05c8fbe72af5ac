from accounts.permissions import May
from accounts.scope import Scope


def scope(request):
    """``scope`` (who the user is) and ``may`` (what the user may do: the
    checks of ``accounts.permissions.CHECKS``) for every template."""
    current = getattr(request, "scope", None)
    return {"scope": current, "may": May(current or Scope(None, None, None))}
