"""Roster files through the command line: every problem listed, nothing stored when invalid."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.store.db import make_engine
from appraisal_engine.store.models import EmployeeRow, RosterRow
from tests.cli import EnglishRunner

runner = EnglishRunner()
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "roster.csv"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


async def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rosters = await conn.scalar(select(func.count()).select_from(RosterRow))
            people = await conn.scalar(select(func.count()).select_from(EmployeeRow))
    finally:
        await engine.dispose()
    return rosters or 0, people or 0


def counts(url: str) -> tuple[int, int]:
    """Rosters and employees stored."""
    return asyncio.run(_counts(url))


def test_validate_accepts_the_example() -> None:
    result = runner.invoke(app, ["roster", "validate", str(EXAMPLE)])
    assert result.exit_code == 0 and result.output.startswith("ok: ")


def test_an_invalid_roster_lists_every_problem_and_stores_nothing(db: str, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(roster_csv(generate_roster(30, units=2, seed=1)))
    ok = runner.invoke(app, ["roster", "import", str(good), "--org", "kota-uji"])
    assert ok.exit_code == 0, ok.output
    assert counts(db) == (1, 30)

    lines = good.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[0], "12345", 1)  # a bad NIP on row 4
    lines[5] = ",".join(["", *lines[5].split(",")[1:]])  # an empty NIP on row 6
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["roster", "import", str(bad), "--org", "kota-uji"])
    assert result.exit_code == 1
    assert "row 4\tnip" in result.output and "row 6\tnip" in result.output
    assert counts(db) == (1, 30)  # nothing of the rejected file was stored

    again = runner.invoke(app, ["roster", "import", str(good), "--org", "kota-uji"])
    assert again.exit_code == 0 and again.output == ok.output  # the same snapshot, once
    assert counts(db) == (1, 30)
