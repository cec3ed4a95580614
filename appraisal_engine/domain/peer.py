"""Peer (rekan kerja) input: a closed survey on the BerAKHLAK values, shown only in aggregate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field, model_validator

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Dimension


class PeerFeedback(Value):
    """One peer's answers: a 1-5 score for every BerAKHLAK dimension, and an optional comment."""

    scores: dict[Dimension, int] = Field(
        examples=[{d.value: 4 for d in Dimension}],
        description="1 (far below) .. 5 (far above) for each of the seven dimensions",
    )
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _every_dimension_scored(self) -> PeerFeedback:
        missing = [d.value for d in Dimension if d not in self.scores]
        if missing:
            raise ValueError(f"scores missing for {missing}")
        bad = [d.value for d, s in self.scores.items() if not 1 <= s <= 5]
        if bad:
            raise ValueError(f"scores must be 1-5, not for {bad}")
        return self


class PeerSummary(Value):
    """What may be shown of peer input: counts always, per-dimension means only at the threshold."""

    invited: int
    responded: int
    quorum_met: bool
    shown: bool
    means: dict[Dimension, float] | None = None


def summarise_peers(
    answers: Sequence[PeerFeedback], *, invited: int, quorum: int, anonymity_threshold: int
) -> PeerSummary:
    """Aggregate peer answers; below the anonymity threshold no scores are shown at all."""
    n = len(answers)
    shown = n >= anonymity_threshold and n > 0
    means = (
        {d: round(sum(a.scores[d] for a in answers) / n, 2) for d in Dimension} if shown else None
    )
    return PeerSummary(
        invited=invited, responded=n, quorum_met=n >= quorum, shown=shown, means=means
    )


REDACTED = {"redacted": "a peer's answers are shown to auditors only"}
"""What stands in for a peer's answers wherever they are handed out to anyone but auditors."""
_DIMENSIONS = frozenset(d.value for d in Dimension)


def redact_answers(value: Any) -> tuple[Any, bool]:
    """Decoded JSON with each peer's answers (a score per BerAKHLAK value and a comment)
    replaced by a note, wherever they sit; and whether there were any."""
    if isinstance(value, list):
        items = [redact_answers(v) for v in value]
        return [v for v, _ in items], any(found for _, found in items)
    if not isinstance(value, dict):
        return value, False
    if _is_answer(value):
        return dict(REDACTED), True
    fields = {k: redact_answers(v) for k, v in value.items()}
    return {k: v for k, (v, _) in fields.items()}, any(found for _, found in fields.values())


def _is_answer(value: Mapping[str, Any]) -> bool:
    # PeerFeedback's shape: no other message scores the dimensions under "scores" (reviews
    # rate them under "behaviour_ratings", summaries average them under "means").
    scores = value.get("scores")
    return isinstance(scores, dict) and bool(scores) and set(scores) <= _DIMENSIONS
