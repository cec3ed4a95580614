"""A unit's own rating (penilaian kinerja organisasi) as a decision: who heads the unit, which
official one level up decides its rating, what HR proposed and what the official decided."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.roster import Roster

NOTE_MAX = 1000

# A head of office's (JPT's) work results as the unit's rating gives them: above for an
# Istimewa unit, meets for a Baik one, below for the rest. The regulation ties a JPT's results
# to the organisation's performance; this reading of it is a policy's `unit_head_results`.
UNIT_HEAD_RESULTS: dict[UnitRating, Rating] = {
    UnitRating.ISTIMEWA: Rating.ABOVE,
    UnitRating.BAIK: Rating.MEETS,
    UnitRating.BUTUH_PERBAIKAN: Rating.BELOW,
    UnitRating.KURANG: Rating.BELOW,
    UnitRating.SANGAT_KURANG: Rating.BELOW,
}


class UnitRater(Value):
    """Who heads a unit, and the official one level up who decides its rating."""

    head_nip: str
    rater_nip: str


class UnitRatingEntry(Value):
    """A rating recorded for a unit: proposed by HR or decided by its official."""

    rating: UnitRating
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    actor_nip: str
    at: datetime


def unit_raters(roster: Roster) -> dict[str, UnitRater]:
    """Each unit's head and rater. The head is the unit's first member met going down the
    supervisor tree (heads first, each level in NIP order): one whose supervisor is outside the
    unit. The rater is the head's own appraiser: the head's supervisor, or the regional head
    for a head at the top of the roster."""
    heads: dict[str, str] = {}
    for level in roster.launch_order():
        for nip in level:
            heads.setdefault(roster.by_nip(nip).unit_code, nip)
    return {
        unit: UnitRater(head_nip=head, rater_nip=roster.supervisor_of(head))
        for unit, head in sorted(heads.items())
    }
