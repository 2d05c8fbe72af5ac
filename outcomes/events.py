"""What outcomes tells the apps above it (``core.events``).

- ``MONITORING_VIOLENCE_REPORTED`` (``meeting``, ``by``): a monitoring body
  recorded, at a meeting after the programme, that new violence was
  reported. A safety event: notifications records the same "new violence"
  event as a report made on the case (the survivor service and the others
  who hear of new violence are told in the same transaction).
"""

from core import events

MONITORING_VIOLENCE_REPORTED = events.declare("outcomes.monitoring_violence_reported", safety=True)
