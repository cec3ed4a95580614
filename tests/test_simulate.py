"""`appraisal simulate`: a whole cycle per preset on one time-skipping server, figures that add
up, and the same seed giving the same figures from the command line on a server of its own."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.cli_simulate import render
from appraisal_engine.appraisal.servers import start_time_skipping
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.curve import NATIONAL_CURVE, UnitRating, check_curve
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.unit_rating import UNIT_HEAD_RESULTS
from appraisal_engine.simulator.calibration import CurveUnreachable, fit_curve
from appraisal_engine.simulator.cycle import simulate_on
from appraisal_engine.simulator.report import SimulationReport
from tests.cli import EnglishRunner

# (employees, units, seed) per preset, small for speed; the seeds are picked so that, across the
# presets, someone is slow, late, absent, transferred, leaves and appeals. National's unit is big
# enough for a transfer; binjai has two units, whose community scores differ.
RUNS = {
    "national": (8, 1, 4),
    "tebingtinggi": (6, 1, 17),
    "bukittinggi": (6, 1, 9),
    "tanjungbalai": (6, 1, 5),
    "binjai": (6, 2, 21),
    "wanggar": (6, 1, 8),
}


@pytest.fixture(scope="module")
async def reports(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, SimulationReport]:
    """Every preset's simulated year, one after another on a time-skipping server of their own
    (each year runs to its end, so none leaves an activity outstanding for the next)."""
    env = await start_time_skipping()
    try:
        return {
            name: await simulate_on(
                env,
                session_factory,
                PRESETS[name],
                size,
                worker=build_worker,
                seed=seed,
                units=units,
            )
            for name, (size, units, seed) in RUNS.items()
        }
    finally:
        await env.shutdown()


def check_adds_up(report: SimulationReport, policy: Policy, size: int) -> None:
    """Every employee ends done or cancelled; each grade gets the outcome its policy names."""
    assert report.employees == size == report.done + report.cancelled
    for unit in report.units.values():
        assert sum(unit.grades.values()) == unit.done
    assert sum(u.done + u.cancelled for u in report.units.values()) == size
    assert report.grades == {
        g.value: sum(u.grades[g.value] for u in report.units.values()) for g in Grade
    }
    expected: Counter[str] = Counter()
    awards: Counter[str] = Counter()
    for grade, n in report.grades.items():
        rule = policy.outcomes[Grade(grade)]
        expected[rule.kind.value] += n
        if rule.kind is OutcomeKind.AWARD:
            awards.update({a.value: n for a in rule.awards})
    outcomes = Counter(report.outcomes)
    # A mentee for whom no senior is free is coached by the appraiser instead.
    unmatched = expected[OutcomeKind.MENTORSHIP.value] - outcomes[OutcomeKind.MENTORSHIP.value]
    assert unmatched >= 0
    expected.update(
        {OutcomeKind.COACHING.value: unmatched, OutcomeKind.MENTORSHIP.value: -unmatched}
    )
    assert outcomes == +expected
    assert report.mentorships == outcomes[OutcomeKind.MENTORSHIP.value]
    assert report.awards == dict(+awards)
    # ASN teladan: HR's nominations up to the cap, where the policy has HR nominate.
    sangat_baik = report.grades[Grade.SANGAT_BAIK.value]
    cap = policy.teladan.cap(sangat_baik) if policy.teladan.by_hr else 0
    assert report.teladan == cap
    appeals = report.appeals
    assert appeals["filed"] == appeals["upheld"] + appeals["changed"]


@pytest.mark.slow  # the module's simulated years take the better part of a minute
@pytest.mark.parametrize("name", list(RUNS))
def test_each_preset_adds_up(reports: dict[str, SimulationReport], name: str) -> None:
    report = reports[name]
    size, units, _ = RUNS[name]
    assert report.policy == name and len(report.units) == units
    check_adds_up(report, PRESETS[name], size)
    assert all(u.rating for u in report.units.values())  # every unit calibrated and released


def test_the_actors_do_everything_the_script_allows(reports: dict[str, SimulationReport]) -> None:
    total = Counter[str]()
    for r in reports.values():
        total.update(
            transfers=r.transfers,
            cancelled=r.cancelled,
            filed=r.appeals["filed"],
            changed=r.appeals["changed"],
            escalated=sum(r.escalated.values()),
            reminders=r.reminders,
            missing=r.overdue.get("missing_report", 0),
            overdue_plans=r.overdue.get("overdue:targets.draft", 0),
            adjusted=sum(u.adjusted for u in r.units.values()),
            mentorships=r.mentorships,
            teladan=r.teladan,
        )
    assert all(total[k] > 0 for k in total), total


def test_the_command_line_gives_the_same_figures_for_the_same_seed(
    reports: dict[str, SimulationReport],
) -> None:
    size, units, seed = RUNS["national"]
    args = ["simulate", "--policy", "national", "--employees", str(size), "--seed", str(seed)]
    result = EnglishRunner().invoke(app, [*args, "--units", str(units), "--json"])
    assert result.exit_code == 0, result.output
    again = SimulationReport.model_validate(json.loads(result.stdout))
    check_adds_up(again, PRESETS["national"], size)
    assert again.wall_seconds > 0
    first = reports["national"].model_dump(exclude={"wall_seconds"})
    assert again.model_dump(exclude={"wall_seconds"}) == first


@pytest.mark.usefixtures("english")
def test_the_text_report_shows_every_figure(reports: dict[str, SimulationReport]) -> None:
    report = reports["binjai"]
    lines = list(render(report))
    for code, unit in report.units.items():
        [row] = [line.split() for line in lines if line.startswith(code)]
        assert row[1:8] == [str(n) for n in (*unit.grades.values(), unit.done, unit.cancelled)]
    filed, upheld, changed = report.appeals.values()
    assert f"appeals:     {filed} filed, {upheld} upheld, {changed} changed" in lines
    assert lines[-1].startswith(f"simulated {report.simulated_days} days in ")


@settings(max_examples=200, deadline=None)
@given(
    grades=st.lists(st.sampled_from(list(Grade)), min_size=1, max_size=40),
    rating=st.sampled_from(list(UnitRating)),
)
def test_hr_brings_any_unit_within_its_curve(grades: list[Grade], rating: UnitRating) -> None:
    unit = {f"appraisal-{i:03d}": g for i, g in enumerate(grades)}
    try:
        fitted = fit_curve(unit, NATIONAL_CURVE[rating], merit=lambda i: int(i[-3:]) % 7)
    except CurveUnreachable:
        # Only a tiny unit cannot hold both the majority and the minority these curves ask for.
        assert rating in (UnitRating.KURANG, UnitRating.SANGAT_KURANG) and len(grades) <= 2
        return
    assert check_curve(rating, fitted.values()) == []
    assert fitted.keys() == unit.keys()


@settings(max_examples=200, deadline=None)
@given(
    grades=st.lists(st.sampled_from(list(Grade)), min_size=1, max_size=40),
    rating=st.sampled_from(list(UnitRating)),
)
def test_to_the_nearest_person_hr_brings_even_a_tiny_unit_within_its_curve(
    grades: list[Grade], rating: UnitRating
) -> None:
    unit = {f"appraisal-{i:03d}": g for i, g in enumerate(grades)}
    nearest = CurveRounding.NEAREST
    fitted = fit_curve(unit, NATIONAL_CURVE[rating], lambda i: int(i[-3:]) % 7, nearest)
    assert check_curve(rating, fitted.values(), NATIONAL_CURVE, nearest) == []
    assert fitted.keys() == unit.keys()


async def test_a_year_whose_heads_results_follow_their_units_rating(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # The heads' reviews wait for their unit's rating: the simulated regional head decides it
    # as a head's review comes due, and the year still runs to its end.
    policy = PRESETS["national"].model_copy(update={"unit_head_results": UNIT_HEAD_RESULTS})
    env = await start_time_skipping()
    try:
        report = await simulate_on(
            env, session_factory, policy, 8, worker=build_worker, seed=4, units=2
        )
    finally:
        await env.shutdown()
    check_adds_up(report, policy, 8)


def test_simulated_hr_scores_only_the_units_that_serve_citizens() -> None:
    # A bigger generated city has offices Binjai does not list (public works, environment):
    # HR scores the service units only, as the cycle would refuse the others.
    from appraisal_engine.simulator.cycle import community_scores

    units = ["DISDIK", "DISDUKCAPIL", "DPUPR", "DLH", "PKM-SUKAMAJU"]
    scores = community_scores(PRESETS["binjai"], units, lambda u: 4.0)
    assert scores == {"DISDIK": 4.0, "DISDUKCAPIL": 4.0, "PKM-SUKAMAJU": 4.0}
    assert community_scores(PRESETS["national"], units, lambda u: 4.0) == {}
    every = PRESETS["binjai"].model_copy(
        update={"community": PRESETS["binjai"].community.model_copy(update={"service_units": None})}
    )
    assert set(community_scores(every, units, lambda u: 4.0)) == set(units)
