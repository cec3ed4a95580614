"""The command line: presets, policy files, and the scripted demo year."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.cli_simulate import BACKEND
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.simulator.demo import run_demo
from tests.cli import EnglishRunner

runner = EnglishRunner()
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "policy.toml"


def test_policies_lists_every_preset() -> None:
    result = runner.invoke(app, ["policies"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(PRESETS)


def test_policy_check_accepts_the_example_and_names_a_bad_field(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["policy-check", str(EXAMPLE)])
    assert ok.exit_code == 0 and ok.output.startswith("ok: ")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "title": "t", "appeal_window_days": -1}')
    result = runner.invoke(app, ["policy-check", str(bad)])
    assert result.exit_code == 1 and "appeal_window_days" in result.output


def test_policy_check_takes_an_appeals_officer_other_than_the_regional_head(
    tmp_path: Path,
) -> None:
    head = "196501011990011001"
    path = tmp_path / "kota.toml"
    path.write_text(f'name = "kota"\ntitle = "Kota"\nregional_head_nip = "{head}"\n')
    for officer, code in (("196601011985031001", 0), (head, 1)):
        with path.open("a") as f:
            f.write(f'appeals_officer_nip = "{officer}"\n')
        result = runner.invoke(app, ["policy-check", str(path)])
        assert result.exit_code == code, result.output
        assert "note: no appeals_officer_nip" not in result.output
        path.write_text(path.read_text().rsplit("appeals_officer_nip", 1)[0])
    assert "appeals_officer_nip" in result.output
    without = runner.invoke(app, ["policy-check", str(path)])
    assert without.exit_code == 0 and "note: no appeals_officer_nip" in without.output


def test_policy_check_names_the_ratings_of_a_curve_out_of_order(tmp_path: Path) -> None:
    example = EXAMPLE.read_text()
    baik_cap = '[[curve.baik]]\ngrades = ["sangat_baik"]\nmax_share = 0.70\n'
    assert baik_cap in example
    path = tmp_path / "kota.toml"
    path.write_text(example.replace(baik_cap, ""))
    result = runner.invoke(app, ["policy-check", str(path)])
    assert result.exit_code == 1
    assert "curve: a unit rated Baik has no bound on Sangat Baik" in result.output
    assert "one rated Istimewa may have at most 70%" in result.output


def test_policy_check_notes_a_policy_that_names_no_curve_rounding(tmp_path: Path) -> None:
    path = tmp_path / "kota.toml"
    path.write_text('name = "kota"\ntitle = "Kota"\n')
    plain = runner.invoke(app, ["policy-check", str(path)])
    assert plain.exit_code == 0 and "note: no curve_rounding" in plain.output
    named = runner.invoke(app, ["policy-check", str(EXAMPLE)])
    assert named.exit_code == 0 and "note: no curve_rounding" not in named.output


def test_unknown_policy_is_a_clear_error() -> None:
    result = runner.invoke(app, ["demo", "--policy", "atlantis"])
    assert result.exit_code == 2 and "unknown policy 'atlantis'" in result.output


def test_demo_year_narrates_every_step(tmp_path: Path) -> None:
    lines: list[str] = []
    run = asyncio.run(
        run_demo(
            PRESETS["wanggar"],
            f"sqlite+aiosqlite:///{tmp_path}/demo.db",
            backend=BACKEND,
            results=Rating.BELOW,
            behaviour=Rating.MEETS,
            say=lines.append,
        )
    )
    assert run.result.grade_final is Grade.BUTUH_PERBAIKAN
    assert run.result.outcome is not None and run.result.outcome.kind is OutcomeKind.MENTORSHIP
    assert lines == run.steps and len(lines) == 2 + 8 + 1 + 1
    assert lines[-1].split()[2:] == ["mentor", "mentorship.accept", "->", "done"], lines[-1]
