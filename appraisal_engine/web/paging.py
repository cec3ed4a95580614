"""Paged tables behind filter forms: the filters as a GET form sent them (each a declared query
parameter: the app refuses unknown ones), and the links to the previous and next page that
keep them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
PAGE_SIZE = 50


def filled(**fields: str) -> dict[str, str]:
    """A filter form's values, trimmed; those left empty are absent."""
    return {name: value.strip() for name, value in fields.items() if value.strip()}


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of rows and the links to its neighbours (None at either end)."""

    rows: list[T]
    previous: str | None
    next: str | None


def paged(
    path: str, filters: Mapping[str, str], rows: list[T], offset: int, size: int = PAGE_SIZE
) -> Paged[T]:
    """A page from a query that fetched `size + 1` rows, the extra one telling there is more."""

    def link(at: int) -> str:
        query = urlencode({**filters, **({"offset": str(at)} if at else {})})
        return f"{path}?{query}" if query else path

    more = len(rows) > size
    return Paged(
        rows=rows[:size],
        previous=link(max(offset - size, 0)) if offset > 0 else None,
        next=link(offset + size) if more else None,
    )
