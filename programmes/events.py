"""What programmes tells the apps above it (``core.events``), and what it asks them.

Events, emitted inside the service's transaction:

- ``ENROLLED`` (``enrolment``, ``by``): a person was enrolled; outcome
  monitoring schedules its intake point.
- ``ENROLMENT_ENDED`` (``enrolment``, ``by``): an enrolment ended, as
  ``enrolment.status`` says (completed, dropped out, expelled, de-selected,
  transferred). A safety event: the survivor service (and the police for a
  mandatory referral) are told in the same transaction; outcome monitoring
  schedules the end and follow-up points.
- ``ABSENCE_COUNTED`` (``enrolment``, ``session``, ``by``, and
  ``recorded_in_field_at`` when the log was recorded on a device in the
  field and sent later): an unexcused absence that counts was logged. A
  safety event: the police hear of it while the protection order runs.
  Subscribers return the SafetyEvent rows they wrote.
- ``DROPOUT_RULE_CHECKED`` (``enrolment``, ``state``, ``by``, and
  ``recorded_in_field_at`` as above): after a counted absence, with the
  enrolment's progress: the template's dropout rule is checked at once. A
  safety event.
- ``ATTENDANCE_LOGGED`` (``session``, ``enrolment_ids``, ``by``): a
  session's marks were written (a first log or a new one), for these
  enrolments; monitoring keeps its attendance figures current with it.

Questions, for the pages (each answered with a sentence, "" when nobody
outside is told):

- ``ENDING_WOULD_TELL`` (``enrolment``, ``ending``): before an ending, who
  will be told.
- ``ENDING_TOLD`` (``enrolment``): after it, who was told.
- ``FACILITATOR_WARNINGS`` (``template``, ``people``, ``on``): a list of
  sentences, one per facilitator among ``people`` without the
  qualification the template asks for on the day ``on`` (staffing
  answers).
"""

from core import events

ENROLLED = events.declare("programmes.enrolled")
ENROLMENT_ENDED = events.declare("programmes.enrolment_ended", safety=True)
ABSENCE_COUNTED = events.declare("programmes.absence_counted", safety=True)
DROPOUT_RULE_CHECKED = events.declare("programmes.dropout_rule_checked", safety=True)
ATTENDANCE_LOGGED = events.declare("programmes.attendance_logged")

ENDING_WOULD_TELL = events.declare_query("programmes.ending_would_tell")
ENDING_TOLD = events.declare_query("programmes.ending_told")
FACILITATOR_WARNINGS = events.declare_query("programmes.facilitator_warnings")
