"""Ratings, grades and the grade matrix (results x behaviour)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Rating(StrEnum):
    """A supervisor's judgement against expectation."""

    BELOW = "below"
    MEETS = "meets"
    ABOVE = "above"


class Grade(StrEnum):
    """Predikat kinerja: the final performance grade, best first."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


class Dimension(StrEnum):
    """The seven BerAKHLAK core values that behaviour is judged against."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


GRADE_MATRIX: dict[tuple[Rating, Rating], Grade] = {
    (Rating.ABOVE, Rating.BELOW): Grade.KURANG,
    (Rating.ABOVE, Rating.MEETS): Grade.BAIK,
    (Rating.ABOVE, Rating.ABOVE): Grade.SANGAT_BAIK,
    (Rating.MEETS, Rating.BELOW): Grade.KURANG,
    (Rating.MEETS, Rating.MEETS): Grade.BAIK,
    (Rating.MEETS, Rating.ABOVE): Grade.BAIK,
    (Rating.BELOW, Rating.BELOW): Grade.SANGAT_KURANG,
    (Rating.BELOW, Rating.MEETS): Grade.BUTUH_PERBAIKAN,
    (Rating.BELOW, Rating.ABOVE): Grade.BUTUH_PERBAIKAN,
}
"""(work results, behaviour) -> grade, as in the national matrix."""


def grade_for(results: Rating, behaviour: Rating) -> Grade:
    """The matrix cell for a results rating and a behaviour rating."""
    return GRADE_MATRIX[(results, behaviour)]


def rate_results(
    ratings: Iterable[tuple[Rating, bool]],
    *,
    few_main_below_share: float,
    standards: Iterable[Rating] = (),
) -> Rating:
    """Work-results rating from per-target ratings, each paired with whether the target is main.

    above: most or all targets above, and no main target below;
    meets: most or all at least meet, and only a few main targets below
           (at most `few_main_below_share` of the main targets);
    below: otherwise.

    `standards` (discipline and attendance, met or below) stand beside the main targets where
    below counts: one below keeps the results from "above", and they count among the main
    targets for "a few"; meeting one is expected, so it does not count towards "most above".
    """
    items = list(ratings)
    if not items:
        raise ValueError("at least one rated target is needed")
    n = len(items)
    above = sum(1 for r, _ in items if r is Rating.ABOVE)
    at_least_meets = sum(1 for r, _ in items if r is not Rating.BELOW)
    mains = [r for r, main in items if main] + list(standards)
    main_below = sum(1 for r in mains if r is Rating.BELOW)
    if 2 * above > n and main_below == 0:
        return Rating.ABOVE
    few = main_below == 0 or (bool(mains) and main_below / len(mains) <= few_main_below_share)
    if 2 * at_least_meets > n and few:
        return Rating.MEETS
    return Rating.BELOW


def rate_behaviour(ratings: Iterable[Rating], *, few_below_share: float) -> Rating:
    """Behaviour rating from the per-dimension ratings: the results rule with every value main."""
    return rate_results(((r, True) for r in ratings), few_main_below_share=few_below_share)
