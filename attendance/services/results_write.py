"""Storing recomputed daily results. On PostgreSQL, days without a result yet are copied straight
into the table (COPY); days whose result changed go through a staging table and one INSERT ... ON
CONFLICT DO UPDATE. Elsewhere, bulk_create with update_conflicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter

from django.db import DatabaseError, IntegrityError, connection, transaction

from logistics.common.bulk import copy_to_stage

from ..compute import OUTCOME_FIELDS
from ..models import DailyResult

SAVED_COLUMNS = ("staff_id", "date", *OUTCOME_FIELDS, "computed_at", "changed_after_close")
# COPY's columns: those that differ from row to row first, then the outcome fields, which many rows
# share (the same status, minutes and shift on the same kind of day): their text is made once per
# distinct combination.
_VARYING = ("staff_id", "date", "first_in", "last_out", "recheck_after", "computed_at", "changed_after_close")
_SHARED = tuple(name for name in SAVED_COLUMNS if name not in _VARYING)
_COPY_COLUMNS = (*_VARYING, *_SHARED)
_varying_of = itemgetter(*(SAVED_COLUMNS.index(name) for name in _VARYING))
_shared_of = itemgetter(*(SAVED_COLUMNS.index(name) for name in _SHARED))
_ROWS_PER_READ = 1000
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def results_write(rows: Iterable[tuple[bool, tuple]]) -> None:
    """Store result rows given as (new, row in ``SAVED_COLUMNS`` order): a new one had no result
    when the chunk was read, the others had a different one. Runs in the caller's transaction. On
    PostgreSQL the new rows are consumed while they are copied: the server stores a batch while the
    next one is computed."""
    if connection.vendor != "postgresql":
        objs = [DailyResult(**dict(zip(SAVED_COLUMNS, row, strict=True))) for _new, row in rows]
        if objs:
            DailyResult.objects.bulk_create(
                objs,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["staff", "date"],
                update_fields=[*OUTCOME_FIELDS, "computed_at", "changed_after_close"],
            )
        return
    changed: list[tuple] = []
    new = _new_only(rows, changed)
    first = next(new, None)
    if first is not None:
        stream = _CopyText(chain([first], new))
        try:
            # COPY straight into the table: no staging table and no conflict handling to pay for.
            with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
                cursor.cursor.copy_expert(
                    f"COPY {DailyResult._meta.db_table} ({', '.join(_columns(_COPY_COLUMNS))}) FROM STDIN", stream
                )
        except IntegrityError:
            # A concurrent recompute stored some of these days since they were read: upsert them.
            changed += stream.copied
            changed += new  # the rows not copied yet (and the changed ones among them)
        except DatabaseError:
            if stream.failure is not None:  # computing the rows failed: that error, not the aborted COPY's
                raise stream.failure from None
            raise
    if changed:
        _upsert(changed)


def _new_only(rows: Iterable[tuple[bool, tuple]], changed: list[tuple]) -> Iterator[tuple]:
    """The new rows; the changed ones are put aside in ``changed``."""
    for is_new, row in rows:
        if is_new:
            yield row
        else:
            changed.append(row)


def _upsert(rows: list[tuple]) -> None:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE (several times faster
    than a multi-row INSERT for many rows)."""
    table = DailyResult._meta.db_table
    columns = _columns()
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[2:])
    with transaction.atomic(), connection.cursor() as cursor:
        names = copy_to_stage(cursor, stage="result_stage", table=table, columns=columns, rows=rows)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM result_stage "  # noqa: S608 - model names only
            f"ON CONFLICT (staff_id, date) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE result_stage")


def _columns(names=SAVED_COLUMNS) -> list[str]:
    return [DailyResult._meta.get_field(name.removesuffix("_id")).column for name in names]


class _CopyText:
    """The rows in COPY's text format (columns in ``_COPY_COLUMNS`` order), produced as the server
    reads them: ``copy_expert`` calls ``read`` until it returns nothing. Keeps the rows read
    (``copied``) and the exception that producing them raised, if any (``failure``: psycopg2 turns
    it into an aborted COPY)."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._rows = rows
        self.copied: list[tuple] = []
        self.failure: Exception | None = None
        # Text already made: of the shared fields (by combination), of the dates and computation times.
        self._shared_texts: dict[tuple, str] = {}
        self._texts: dict[dt.date, str] = {}

    def read(self, size: int = -1) -> str:
        try:
            batch = list(islice(self._rows, _ROWS_PER_READ))
        except Exception as error:
            self.failure = error
            raise
        self.copied += batch
        shared_texts, texts = self._shared_texts, self._texts
        lines = []
        for row in batch:
            staff_id, day, first_in, last_out, recheck_after, computed_at, changed_after_close = _varying_of(row)
            shared = _shared_of(row)
            shared_text = shared_texts.get(shared)
            if shared_text is None:
                shared_text = shared_texts[shared] = "\t".join(map(_text, shared))
            day_text = texts.get(day) or texts.setdefault(day, str(day))
            computed_text = texts.get(computed_at) or texts.setdefault(computed_at, str(computed_at))
            lines.append(
                f"{staff_id}\t{day_text}\t{_NULL if first_in is None else first_in}\t"
                f"{_NULL if last_out is None else last_out}\t{_NULL if recheck_after is None else recheck_after}\t"
                f"{computed_text}\t{changed_after_close}\t{shared_text}\n"
            )
        return "".join(lines)


def _text(value) -> str:
    """A value in COPY's text format: \\N for NULL, text escaped, anything else as str() gives it
    (PostgreSQL reads True, 2026-11-21, 2026-11-21 08:00:00+08:00 and 0.5 as they are)."""
    if value is None:
        return _NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)
