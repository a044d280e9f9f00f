"""Paging long lists without counting them."""

from __future__ import annotations

from django.db.models import QuerySet

PAGE_SIZE = 25


class SlicePage:
    """One page of ``queryset``, read as a slice one row longer than the page: the extra row tells
    whether a next page exists. No COUNT: over a million rows it would cost more than the page.
    Offers what ``workorders/partials/_pager.html`` reads (number, has_next, has_previous, ...)."""

    def __init__(self, queryset: QuerySet, number: str | None, size: int = PAGE_SIZE) -> None:
        valid = bool(number) and number.isdigit() and len(number) < 7
        self.number = max(int(number), 1) if valid else 1
        offset = (self.number - 1) * size
        fetched = list(queryset[offset : offset + size + 1])
        self.object_list, self.has_next = fetched[:size], len(fetched) > size
        self.has_previous = self.number > 1
        self.previous_page_number, self.next_page_number = self.number - 1, self.number + 1
