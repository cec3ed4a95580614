"""The unit's own rating in a simulated year: HR prepares it with a note, and the official one
level up (the regional head for a head of office) decides it before HR calibrates the unit."""

from __future__ import annotations

from appraisal_engine.client.starters import CycleHandle
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import UnitProgress, UnitRatingInput

PROPOSAL_NOTE = "usulan dari capaian indikator kinerja utama unit"
DECISION_NOTE = "sesuai hasil evaluasi kinerja organisasi"


async def rate_unit(
    cycle: CycleHandle, unit: str, progress: UnitProgress, rating: UnitRating, *, hr_nip: str
) -> UnitRating | None:
    """Have the unit's rating proposed and decided, unless it already is; the rating HR types
    at calibration instead (a cycle started before units were rated by their official)."""
    if progress.rater_nip is None:
        return rating
    if progress.rating_decided is None:
        proposal = UnitRatingInput(
            actor_nip=hr_nip, unit_code=unit, rating=rating, note=PROPOSAL_NOTE
        )
        await cycle.execute_update(CycleWorkflow.propose_unit_rating, proposal)
        decision = UnitRatingInput(
            actor_nip=progress.rater_nip, unit_code=unit, rating=rating, note=DECISION_NOTE
        )
        await cycle.execute_update(CycleWorkflow.decide_unit_rating, decision)
    return None
