"""Who does what, and when, in a simulated year: every choice is drawn from the seed and the
person or task it concerns, so the same seed makes the same year whatever order things run in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, TaskKind

OPTIONAL = {TaskKind.SELF_REPORT, TaskKind.FEEDBACK, TaskKind.PEER_FEEDBACK}
OPTIONAL |= {TaskKind.APPEAL_DECIDE, TaskKind.MENTORSHIP_ACCEPT}  # each has a fallback
STAFF = (PositionLevel.PELAKSANA, PositionLevel.FUNGSIONAL)
B, M, A = Rating.BELOW, Rating.MEETS, Rating.ABOVE
# (merit below which, results, behaviour): the best get Sangat Baik, most Baik, a few less.
RATINGS = ((0.02, B, B), (0.05, M, B), (0.12, B, M), (0.85, M, M), (1.0, A, A))
APPEAL_CHANCE = {Grade.BAIK: 0.08, Grade.BUTUH_PERBAIKAN: 0.4}  # Kurang and below: 0.5


class Habit(StrEnum):
    """How a person answers their tasks."""

    PROMPT = "prompt"  # as soon as the task opens
    SLOW = "slow"  # after the reminder, before the deadline
    LATE = "late"  # after the deadline, inside the grace period
    ABSENT = "absent"  # optional steps never; a plan only after the fallback


HABITS = ((0.80, Habit.PROMPT), (0.90, Habit.SLOW), (0.97, Habit.LATE), (1.0, Habit.ABSENT))
UNIT_RATINGS = (
    (0.2, UnitRating.ISTIMEWA),
    (0.9, UnitRating.BAIK),
    (1.0, UnitRating.BUTUH_PERBAIKAN),
)


@dataclass(frozen=True)
class Transfer:
    """HR moves an employee to a new supervisor mid-year."""

    nip: str
    day: int
    supervisor_nip: str
    superior_nip: str


@dataclass(frozen=True)
class Departure:
    """An employee leaves during the year (retirement, transfer out): the appraisal ends."""

    nip: str
    day: int
    reason: str


class Script:
    """The seeded choices of one simulated year."""

    def __init__(
        self, employees: list[Employee], policy: Policy, seed: int, year_start: datetime
    ) -> None:
        self.policy, self.seed, self.year_start = policy, seed, year_start
        self.by_nip = {e.nip: e for e in employees}
        self.bosses = {e.supervisor_nip for e in employees}
        # Who could take over as someone's supervisor: the same post level in the same unit.
        self.posts: dict[tuple[str, PositionLevel], list[str]] = {}
        for e in sorted(employees, key=lambda e: e.nip):
            self.posts.setdefault((e.unit_code, e.position_level), []).append(e.nip)
        self.departures = [d for e in employees if (d := self._departure(e)) is not None]
        leaving = {d.nip for d in self.departures}
        self.transfers = [
            t for e in employees if e.nip not in leaving and (t := self._transfer(e)) is not None
        ]
        self.left_at = {d.nip: self.on_day(d.day) for d in self.departures}

    def on_day(self, day: int) -> datetime:
        """A day of the simulated year, at eight in the morning."""
        return self.year_start + timedelta(days=day, hours=8)

    def rng(self, *key: object) -> random.Random:
        """A random stream of its own for one choice."""
        return random.Random(":".join(str(k) for k in (self.seed, *key)))

    def habit(self, nip: str) -> Habit:
        """Someone outside the roster (the regional head, the appeals officer) is always prompt."""
        if nip not in self.by_nip:
            return Habit.PROMPT
        draw = self.rng("habit", nip).random()
        return next(habit for bound, habit in HABITS if draw < bound)

    def merit(self, nip: str) -> float:
        """How well the year went, 0 to 1; HR raises the best and lowers the weakest."""
        return self.rng("merit", nip).random()

    def ratings(self, nip: str) -> tuple[Rating, Rating]:
        """The supervisor's results and behaviour ratings for the employee."""
        merit = self.merit(nip)
        return next((r, b) for bound, r, b in RATINGS if merit < bound)

    def returns_plan(self, nip: str) -> bool:
        """Whether the supervisor sends the first draft back once."""
        return self.rng("return", nip).random() < 0.1

    def appeals(self, nip: str, grade: Grade) -> bool:
        """Whether the employee files a keberatan against the released grade."""
        chance = 0.0 if grade is Grade.SANGAT_BAIK else APPEAL_CHANCE.get(grade, 0.5)
        return self.rng("appeal", nip).random() < chance

    def changes_on_appeal(self, nip: str) -> bool:
        """Whether the superior changes the grade (one step up) rather than upholding it."""
        return self.rng("appeal-decision", nip).random() < 0.4

    def unit_rating(self, unit: str) -> UnitRating:
        """The unit's own rating, set by the next-higher leader."""
        draw = self.rng("unit", unit).random()
        return next(rating for bound, rating in UNIT_RATINGS if draw < bound)

    def community_score(self, unit: str) -> float:
        """Citizens' satisfaction with the unit's services, 1-5."""
        return round(self.rng("community", unit).uniform(3.0, 4.8), 1)

    def answer_at(self, task: TaskRecord) -> datetime | None:
        """When the assignee answers the task, or None if they never do."""
        kind, nip = task.kind, task.assignee_nip
        if kind in SUPERVISOR_KINDS and task.escalated:
            return task.opened_at  # the superior takes over at once
        rule = self.policy.rule(kind)
        habit = self.habit(nip)
        if habit is Habit.PROMPT:
            at: datetime | None = task.opened_at
        elif habit is Habit.SLOW:
            at = task.due_at - timedelta(days=rule.remind_before_days / 2)
        elif habit is Habit.LATE:
            at = task.due_at + timedelta(days=rule.escalation_days / 2, hours=2)
        elif kind in OPTIONAL or kind in SUPERVISOR_KINDS:
            at = None  # missing, moved to the superior, or left to the fallback
        else:
            at = task.due_at + timedelta(days=rule.escalation_days + 1)
        left = self.left_at.get(nip)
        return None if at is None or (left is not None and at >= left) else at

    def _departure(self, e: Employee) -> Departure | None:
        rng = self.rng("departure", e.nip)
        if e.position_level not in STAFF or e.nip in self.bosses or rng.random() >= 0.02:
            return None
        return Departure(e.nip, rng.randint(30, 300), rng.choice(["pensiun", "mutasi keluar"]))

    def _transfer(self, e: Employee) -> Transfer | None:
        rng = self.rng("transfer", e.nip)
        boss = self.by_nip.get(e.supervisor_nip or "")
        if boss is None or rng.random() >= 0.05:
            return None
        others = [
            nip
            for nip in self.posts[(e.unit_code, boss.position_level)]
            if nip not in (boss.nip, e.nip) and self.by_nip[nip].supervisor_nip not in (None, e.nip)
        ]
        if not others:
            return None
        new = rng.choice(others)
        superior = self.by_nip[new].supervisor_nip
        assert superior is not None
        return Transfer(e.nip, rng.randint(150, 210), new, superior)
