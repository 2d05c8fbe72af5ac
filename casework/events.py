"""What casework tells the apps above it (``core.events``), and what it asks them.

``RISK_REASSESSED``: a reassessment was recorded; facts ``assessment``,
``previous`` (the case's level before it) and ``by``. A safety event: the
notifications app decides whether the level went up and, if so, writes the
notices in the same transaction.

``SAFETY_TRAIL``: for the case page, who was told of each safety event of
the case, and who acknowledged (asked with ``scope`` and ``case``).
"""

from core import events

RISK_REASSESSED = events.declare("casework.risk_reassessed", safety=True)

SAFETY_TRAIL = events.declare_query("casework.safety_trail")
