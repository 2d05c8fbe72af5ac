"""The read log: who read which survivor record, safety plan or therapy note.

The selectors that return such data write the row themselves
(``log_reads``), so a page cannot show it without the read being recorded;
views never call this module. See ``core.models.SensitiveRead``.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.models import SensitiveRead


def record_reads(*, user, record_type: str, record_ids: Iterable[int], view: str) -> None:
    """Record that ``user`` read these sensitive records through ``view``,
    once per record shown, in a single INSERT."""
    log_reads(user_id=user.pk, record_type=record_type, record_ids=record_ids, via=view)


def record_read(*, user, record_type: str, record_id: int, view: str) -> None:
    record_reads(user=user, record_type=record_type, record_ids=[record_id], view=view)


def log_reads(*, user_id: int | None, record_type: str, record_ids: Iterable[int], via: str) -> None:
    """The selectors' form: the reader's user id (``scope.user_id``) and the
    page that shows the data (its URL name). Nothing to log, nothing written."""
    rows = [SensitiveRead(user_id=user_id, record_type=record_type, record_id=rid, view=via) for rid in record_ids]
    if rows:
        SensitiveRead.objects.bulk_create(rows)
