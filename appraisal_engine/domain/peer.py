"""Peer (rekan kerja) input: a closed survey on the BerAKHLAK values, shown only in aggregate."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Dimension


class PeerAspect(StrEnum):
    """What peers may be asked about: the seven BerAKHLAK values, and communication, which is
    no BerAKHLAK value of its own but what Bukittinggi's peers judge beside collaboration."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"
    KOMUNIKASI = "komunikasi"


BERAKHLAK: tuple[PeerAspect, ...] = tuple(PeerAspect(d.value) for d in Dimension)
"""The survey's questions unless a policy names others: the seven values."""


class PeerFeedback(Value):
    """One peer's answers: a 1-5 score for each question the policy asks (every BerAKHLAK value
    unless it names others), and an optional comment."""

    scores: dict[PeerAspect, int] = Field(
        examples=[{d.value: 4 for d in Dimension}],
        description="1 (far below) .. 5 (far above) for each question of the policy's survey",
    )
    comment: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _scores_on_the_scale(self) -> PeerFeedback:
        if not self.scores:
            raise ValueError("scores missing")
        bad = [d.value for d, s in self.scores.items() if not 1 <= s <= 5]
        if bad:
            raise ValueError(f"scores must be 1-5, not for {bad}")
        return self


def check_peer_answers(answers: PeerFeedback, aspects: Collection[PeerAspect]) -> None:
    """The answers score exactly the questions the policy asks."""
    missing = [a.value for a in aspects if a not in answers.scores]
    if missing:
        raise DomainError(
            "every question needs a score; not scored: %(missing)s",
            field="scores",
            values={"missing": ", ".join(missing)},
        )
    extra = [a.value for a in answers.scores if a not in aspects]
    if extra:
        raise DomainError(
            "this survey does not ask about %(extra)s",
            field="scores",
            values={"extra": ", ".join(extra)},
        )


class PeerSummary(Value):
    """What may be shown of peer input: counts always, per-dimension means only at the threshold."""

    invited: int
    responded: int
    quorum_met: bool
    shown: bool
    means: dict[PeerAspect, float] | None = None

    @property
    def counted(self) -> bool:
        """Whether the peers' result may count in a rating: the quorum answered, and enough
        that their averages may be shown, so that nobody's answer is read from a grade."""
        return self.quorum_met and self.shown and bool(self.means)

    def score(self) -> float | None:
        """The peers' result: the mean of the questions' averages (1-5), once it counts."""
        if not self.counted or not self.means:
            return None
        return round(sum(self.means.values()) / len(self.means), 2)


def summarise_peers(
    answers: Sequence[PeerFeedback],
    *,
    invited: int,
    quorum: int,
    anonymity_threshold: int,
    aspects: Sequence[PeerAspect] = BERAKHLAK,
) -> PeerSummary:
    """Aggregate peer answers; below the anonymity threshold no scores are shown at all."""
    n = len(answers)
    shown = n >= anonymity_threshold and n > 0
    means = {d: round(sum(a.scores[d] for a in answers) / n, 2) for d in aspects} if shown else None
    return PeerSummary(
        invited=invited, responded=n, quorum_met=n >= quorum, shown=shown, means=means
    )


REDACTED = {"redacted": "a peer's answers are shown to auditors only"}
"""What stands in for a peer's answers wherever they are handed out to anyone but auditors."""
_ASPECTS = frozenset(a.value for a in PeerAspect)


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
    return isinstance(scores, dict) and bool(scores) and set(scores) <= _ASPECTS
