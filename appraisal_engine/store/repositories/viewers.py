"""Whom a read is for, so that the query itself leaves out the rows that reader may not see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    """A reader: HR and auditors (`reads_all`) see every row; anyone else only the rows their
    NIP takes part in, as each repository defines it."""

    nip: str
    reads_all: bool = False
