"""Bulk writes through PostgreSQL's COPY: rows are copied into a temporary staging table shaped
like the target, from which one INSERT ... SELECT ... ON CONFLICT puts them in place. Several times
faster than multi-row INSERTs for tens of thousands of rows (a terminal's whole log, a hospital's
month of attendance results)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value) -> str:
    """One value in COPY's text format: ``\\N`` for NULL, ``t``/``f`` for booleans, ISO times,
    backslashes, tabs and line breaks escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).translate(_ESCAPES)


def copy_to_stage(cursor, *, stage: str, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    """Create (once per connection) and empty the temporary table ``stage`` shaped like ``table``'s
    ``columns``, COPY ``rows`` into it, and return the column list for the caller's INSERT ...
    SELECT. Must run inside a transaction (the stage empties itself on commit). ``stage``, ``table``
    and ``columns`` come from model metadata, never from users."""
    names = ", ".join(columns)
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(copy_value(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "  # noqa: S608 - model names
        f"SELECT {names} FROM {table} WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {stage}")
    cursor.cursor.copy_expert(f"COPY {stage} ({names}) FROM STDIN", buffer)
    return names
