"""HR's side of calibration: answer the curve's violations with grade adjustments, each with a
reason, until the unit fits and its grades are released."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from appraisal_engine.client.starters import CycleHandle
from appraisal_engine.domain.calibration import Adjustment, UnitGrade
from appraisal_engine.domain.curve import CurveRule, UnitRating, check_curve
from appraisal_engine.domain.curve_rounding import CurveRounding, fewest_required, most_allowed
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CalibrateInput

GRADES = list(Grade)  # best first
RAISED = "capaian melampaui target dan bukti dukung lengkap"
LOWERED = "sebagian target utama tidak tercapai"


class CurveUnreachable(RuntimeError):
    """No adjustment brings the unit within its curve."""


@dataclass(frozen=True)
class Calibrated:
    """How one unit's calibration went."""

    rating: UnitRating
    rounds: int
    adjusted: int


def _penalty(
    counts: Mapping[Grade, int], rules: list[CurveRule], n: int, rounding: CurveRounding
) -> int:
    """How many appraisals stand outside the bounds of the rules, summed over the rules."""
    total = 0
    for rule in rules:
        count = sum(counts.get(g, 0) for g in rule.grades)
        low = fewest_required(rule.min_share, n, rounding) if rule.min_share is not None else 0
        low = max(low, rule.min_count or 0)
        high = most_allowed(rule.max_share, n, rounding) if rule.max_share is not None else n
        total += max(low - count, 0) + max(count - high, 0)
    return total


def fit_curve(
    grades: Mapping[str, Grade],
    rules: list[CurveRule],
    merit: Callable[[str], float],
    rounding: CurveRounding = CurveRounding.STRICT,
) -> dict[str, Grade]:
    """Grades that fit the rules (their shares turned into people by `rounding`), moving one
    appraisal at a time the shortest way: raising the one with the most merit, or lowering the
    one with the least."""
    final = dict(grades)
    n = len(final)
    while (now := _penalty(Counter(final.values()), rules, n, rounding)) > 0:
        counts = Counter(final.values())
        moves = []
        for src in (g for g in GRADES if counts[g]):
            for dst in (g for g in GRADES if g is not src):
                after = counts.copy()
                after[src] -= 1
                after[dst] += 1
                step = GRADES.index(dst) - GRADES.index(src)
                moves.append((_penalty(after, rules, n, rounding), abs(step), step, src, dst))
        best, _, step, src, dst = min(moves, key=lambda m: m[:3])
        if best >= now:
            raise CurveUnreachable(f"no move brings {n} grades closer to the curve")
        holders = sorted((i for i, g in final.items() if g is src), key=lambda i: (merit(i), i))
        final[holders[-1] if step < 0 else holders[0]] = dst
    return final


def _better(a: Grade, b: Grade) -> bool:
    return GRADES.index(a) < GRADES.index(b)


async def calibrate_unit(
    cycle: CycleHandle,
    unit: str,
    rating: UnitRating,
    grades: list[UnitGrade],
    *,
    curve: Mapping[UnitRating, list[CurveRule]],
    rounding: CurveRounding,
    actor_nip: str,
    merit: Callable[[str], float],
    typed: bool = True,
) -> Calibrated:
    """Submit the unit's calibration against `rating` (typed by HR, or with `typed` off the
    one its official decided); if the cycle refuses it, fit the grades to the curve and
    submit once more with those adjustments (the fit does not change between refusals)."""
    computed = {g.appraisal_id: g.grade_final or g.grade_computed for g in grades}

    async def submit(adjustments: list[Adjustment]) -> bool:
        request = CalibrateInput(
            actor_nip=actor_nip,
            unit_code=unit,
            unit_rating=rating if typed else None,
            adjustments=adjustments,
        )
        result = await cycle.execute_update(CycleWorkflow.calibrate, request)
        return not result.violations

    if await submit([]):
        return Calibrated(rating, 1, 0)
    # Refused: the cycle listed what breaks the curve; HR moves grades until nothing does.
    fitted = fit_curve(computed, curve[rating], merit, rounding)
    if check_curve(rating, fitted.values(), curve, rounding):
        raise CurveUnreachable(f"{unit}: adjustments still break the curve")
    adjustments = [
        Adjustment(appraisal_id=i, grade=g, reason=RAISED if _better(g, was) else LOWERED)
        for i, g in sorted(fitted.items())
        if g is not (was := computed[i])
    ]
    if not await submit(adjustments):
        raise CurveUnreachable(f"{unit}: still refused with {len(adjustments)} adjustments")
    return Calibrated(rating, 2, len(adjustments))
