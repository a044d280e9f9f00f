"""How the demo history is written: COPY on PostgreSQL, batched INSERTs elsewhere."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection

from .demo import EVENT_FIELDS, ORDER_FIELDS
from .models import (
    WorkOrder,
    WorkOrderEvent,
)


class _Writer:
    """Where the rows go. Rows hold values ready for the database: times from ``stamp`` (epoch
    seconds to the database's text of a time), decimals as text. ``first_id`` reserves the ids the
    orders are numbered from (explicit ids let the events and children name their order)."""

    def __init__(self, tz) -> None:
        self.tz = tz

    def stamp(self, seconds: float):
        raise NotImplementedError

    def first_id(self) -> int:
        last = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    def orders(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def events(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def helpers(self, rows: list[tuple[int, int]]) -> None:
        raise NotImplementedError

    def rows(self, model, names: Sequence[str], rows: list[tuple]) -> None:
        """Rows of any other table (``names``: its fields' attribute names, in the rows' order)."""
        raise NotImplementedError

    def done(self, models: Sequence = (WorkOrder,)) -> None:
        """Move the id sequences past the ids given explicitly."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(sql)


class _SqlWriter(_Writer):
    """Multi-row INSERTs (SQLite and any other database): several times faster than
    ``bulk_create``, which builds and prepares a model instance per row."""

    def __init__(self, tz) -> None:
        super().__init__(tz)
        self.adapt = connection.ops.adapt_datetimefield_value
        self.utc_text = connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone == dt.UTC
        through = WorkOrder.helpers.through
        self.statements = {
            "orders": self._statement(WorkOrder, ORDER_FIELDS),
            "events": self._statement(WorkOrderEvent, EVENT_FIELDS),
            "helpers": self._statement(through, ("workorder_id", "staff_id")),
        }

    def stamp(self, seconds: float):
        # What ``adapt_datetimefield_value`` makes of the aware time (the UTC text SQLite stores, the
        # database's time zone being UTC with USE_TZ), several times faster: it runs per row.
        if self.utc_text:
            return str(dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None))
        return self.adapt(dt.datetime.fromtimestamp(seconds, self.tz))

    @staticmethod
    def _statement(model, names: Sequence[str]) -> str:
        meta, quote = model._meta, connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in names)
        marks = ", ".join(["%s"] * len(names))
        return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - model metadata

    def _insert(self, target: str, rows: list[tuple]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.statements[target], rows)

    def rows(self, model, names: Sequence[str], rows: list[tuple]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self._statement(model, names), rows)

    def orders(self, rows: list[tuple]) -> None:
        self._insert("orders", rows)

    def events(self, rows: list[tuple]) -> None:
        self._insert("events", rows)

    def helpers(self, rows: list[tuple[int, int]]) -> None:
        self._insert("helpers", rows)


class _CopyWriter(_Writer):
    """PostgreSQL: ``COPY ... FROM STDIN`` straight into the tables, in the text format of
    ``logistics.common.bulk``. New rows only, so its staging table and ``INSERT ... SELECT`` (there
    for ``ON CONFLICT``) are not needed: a third less time here. Only the free-text columns are
    escaped; the others are numbers, codes and times."""

    ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
    TEXT = frozenset({"title", "description", "contact", "findings", "cause", "actions", "rating_comment", "comment",
                      "data", "label", "guidance", "text"})  # fmt: skip

    def stamp(self, seconds: float):
        return str(dt.datetime.fromtimestamp(seconds, self.tz))

    def first_id(self) -> int:
        with connection.cursor() as cursor:
            # Explicit ids: nothing else may insert until the sequence is moved past them (``done``).
            cursor.execute(f'LOCK TABLE "{WorkOrder._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
        return super().first_id()

    def _copy(self, model, names: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        meta = model._meta
        columns = ", ".join(f'"{meta.get_field(name).column}"' for name in names)
        text = [i for i, name in enumerate(names) if name in self.TEXT]
        escapes, null = self.ESCAPES, "\\N"
        buffer = io.StringIO()
        write = buffer.write
        for row in rows:
            values = [null if v is None else v if v.__class__ is str else str(v) for v in row]
            for i in text:
                values[i] = values[i].translate(escapes)
            write("\t".join(values))
            write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{meta.db_table}" ({columns}) FROM STDIN', buffer)

    def orders(self, rows: list[tuple]) -> None:
        self._copy(WorkOrder, ORDER_FIELDS, rows)

    def events(self, rows: list[tuple]) -> None:
        self._copy(WorkOrderEvent, EVENT_FIELDS, rows)

    def helpers(self, rows: list[tuple[int, int]]) -> None:
        self._copy(WorkOrder.helpers.through, ("workorder_id", "staff_id"), rows)

    def rows(self, model, names: Sequence[str], rows: list[tuple]) -> None:
        self._copy(model, names, rows)

    def done(self, models: Sequence = (WorkOrder, WorkOrderEvent)) -> None:
        super().done(models)
        tables = ", ".join(f'"{model._meta.db_table}"' for model in models)
        with connection.cursor() as cursor:  # fresh statistics for the planner
            cursor.execute(f"ANALYZE {tables}")
