"""A command that neither reaches Temporal nor serves nor checks a token starts without loading
Temporal's client, the web framework or the token stack: together about a third of a second
of every start, which a cron job or a check of a roster file would pay for nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
HEAVY = ("temporalio", "fastapi", "jwt", "sqlalchemy")


@pytest.mark.parametrize(
    "args",
    [
        ["policies"],
        ["policy-check", str(EXAMPLES / "policy.toml")],
        ["roster", "validate", str(EXAMPLES / "roster.csv")],
    ],
    ids=lambda args: args[0],
)
def test_a_command_that_reaches_no_service_loads_none_of_their_stacks(args: list[str]) -> None:
    script = (
        "import sys; from typer.testing import CliRunner; "
        "from appraisal_engine.appraisal.cli import app; "
        f"ran = CliRunner().invoke(app, {args!r}); "
        f"print(ran.exit_code, *[m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["0"], done.stdout + done.stderr
