from __future__ import annotations

from collections.abc import Iterable

from core.models import SensitiveRead


def record_reads(*, user, record_type: str, record_ids: Iterable[int], view: str) -> None:
    """Record that ``user`` read these sensitive records through ``view``.

    Called by the selectors/views that show survivor data, once per record
    shown, in a single INSERT.
    """
    SensitiveRead.objects.bulk_create(
        [SensitiveRead(user=user, record_type=record_type, record_id=rid, view=view) for rid in record_ids]
    )


def record_read(*, user, record_type: str, record_id: int, view: str) -> None:
    record_reads(user=user, record_type=record_type, record_ids=[record_id], view=view)
