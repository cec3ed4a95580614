"""The roles a token may carry, apart from what verifies the token: the command line names them
without loading the token stack."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles a token may carry; employee, supervisor, peer and mentor come from assignment."""

    HR = "hr"
    AUDITOR = "auditor"
