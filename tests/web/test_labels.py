"""Every code the dashboard shows has a label in each language (a new enum value without one
fails here), and the macros read the tables translated once per language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest

from appraisal_engine.client.cycle_runs import CycleState
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.schedule import Date, Milestone
from appraisal_engine.web.config import Locale
from appraisal_engine.web.labels import labels_for
from appraisal_engine.web.render import context, environment
from tests.web.test_templates import request

MACROS = (
    '{% from "macros.html" import award_label, outcome_label, appeal_label, overdue_label, '
    "policy_label, milestone_label, cycle_state_label, rating_of_unit with context %}"
)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_code_the_dashboard_shows_has_a_label(locale: Locale) -> None:
    labels = labels_for(locale)
    assert set(labels.outcome) == {k.value for k in OutcomeKind}
    assert set(labels.award) == {k.value for k in AwardKind}
    assert set(labels.unit_rating) == {r.value for r in UnitRating}
    assert set(labels.milestone) == {m.value for m in Milestone}
    assert set(labels.policy) == set(PRESETS)
    assert set(labels.cycle_state) == set(get_args(CycleState))
    assert set(labels.appeal) == {"uphold", "change"}


def said(template: str, **values: object) -> str:
    """A snippet using the macros, rendered as a page in Bahasa Indonesia (the default)."""
    page = environment.from_string(MACROS + template)
    return page.render(context(request(), dict(values))).strip()


def test_the_closing_summary_s_codes_read_as_labels() -> None:
    assert said("{{ award_label('asn_teladan_nomination') }}") == "Pencalonan sebagai ASN teladan"
    assert (
        said("{{ outcome_label('formal_coaching') }}")
        == labels_for("id").outcome["formal_coaching"]
    )
    assert said("{{ appeal_label('uphold') }}") == "Predikat kinerja dipertahankan"
    assert (
        said("{{ overdue_label('overdue:self_report') }}") == "Terlambat: Laporan mandiri realisasi"
    )
    assert said("{{ overdue_label('missing_feedback') }}") == "Umpan balik tidak diberikan"
    assert said("{{ policy_label('binjai') }}").startswith("Binjai: hasil kerja dan prosesnya")
    assert said("{{ policy_label('kota-x') }}") == "Kota-x"  # a policy of its own: its name
    assert said("{{ cycle_state_label('canceled') }}") == "dibatalkan"
    assert said("{{ rating_of_unit('istimewa') }}") == "Istimewa"
    ends = Date(milestone=Milestone.PERIOD_ENDS, at=datetime(2026, 3, 31, tzinfo=UTC), period=2)
    assert said("{{ milestone_label(d) }}", d=ends) == "Periode 2 berakhir"
    due = Date(milestone=Milestone.TARGETS_DUE, at=datetime(2026, 1, 31, tzinfo=UTC))
    assert said("{{ milestone_label(d) }}", d=due) == "Batas waktu rencana SKP"
