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


def test_a_refusal_is_worded_without_the_web_framework(tmp_path: Path) -> None:
    """A roster file refused is said in Bahasa Indonesia through the catalog the web app's pages
    share, without loading the web framework those pages run on."""
    roster = tmp_path / "roster.csv"
    roster.write_text("nip,name\n123,x\n", encoding="utf-8")
    args = ["--lang", "id", "roster", "validate", str(roster)]
    script = (
        "import sys; from typer.testing import CliRunner; "
        "from appraisal_engine.appraisal.cli import app; "
        f"ran = CliRunner().invoke(app, {args!r}); "
        "print(ran.exit_code, ran.output.strip().splitlines()[-1]); "
        f"print(*[m for m in (*{HEAVY!r}, 'starlette') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout + done.stderr
    said, loaded = lines
    assert said.startswith("1 Daftar pegawai ditolak"), done.stdout + done.stderr
    assert loaded == "", done.stdout
