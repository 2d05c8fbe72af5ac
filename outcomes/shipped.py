"""The questionnaires the project ships, in the order the pages offer them.

Their structure reaches the database by migration (outcomes 0002, 0003, with
their own copy in ``outcomes/migrations/_shipped_instruments.py``); a change
to a definition here is a new migration carrying its own copy of the data.
"""

from __future__ import annotations

from outcomes import cts2, cts2s

SHIPPED = (cts2, cts2s)
