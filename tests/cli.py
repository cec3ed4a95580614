"""The command line as the tests run it: in English (`--lang en`) where they check its wording,
which the catalog's tests (tests/test_cli_language.py) show is said in Bahasa Indonesia too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer.testing import CliRunner, Result

ENGLISH = ("--lang", "en")


class EnglishRunner(CliRunner):
    """A CliRunner whose every command line starts with `--lang en`."""

    def invoke(  # type: ignore[override]
        self, app: Any, args: Sequence[str] | None = None, **kwargs: Any
    ) -> Result:
        """Run `app` with `args` after `--lang en`."""
        return super().invoke(app, [*ENGLISH, *(args or [])], **kwargs)
