# The rows of every enrolment with logged marks, from those marks: the SQL of
# reports.services.enrolment_attendance_rebuild as it stands at this
# migration (a migration never imports live code). Attended: present or
# late; logged: held or not held.

from django.db import migrations

BACKFILL = """
INSERT INTO reports_enrolmentattendance (enrolment_id, reached)
SELECT enrolment_id, COALESCE(MAX(position) FILTER (WHERE attended), 0)
  FROM (
    SELECT a.enrolment_id,
           a.mark IN ('present', 'late') AS attended,
           row_number() OVER (PARTITION BY a.enrolment_id ORDER BY s.starts_at, s.id) AS position
      FROM programmes_attendance a
      JOIN programmes_session s ON s.id = a.session_id
     WHERE s.status IN ('held', 'not_held')
  ) marks
 GROUP BY enrolment_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, "DELETE FROM reports_enrolmentattendance"),
    ]
