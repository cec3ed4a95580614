"""Form fields to a body's shape and errors back to the fields (no server)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.services.errors import Invalid, Issue
from appraisal_engine.web.forms import field_errors, nest, parse_name, service_errors
from appraisal_engine.workflows.messages import SelfReportBody, TargetsApproveBody


def test_names_are_paths() -> None:
    assert parse_name("plan.targets[2].iki") == ["plan", "targets", 2, "iki"]
    assert parse_name("report.realisations[0].evidence[]") == [
        "report", "realisations", 0, "evidence", None,
    ]  # fmt: skip
    assert parse_name("review.target_ratings.T1") == ["review", "target_ratings", "T1"]


def test_blank_rows_are_dropped_and_lines_become_items() -> None:
    fields = [
        ("plan.targets[0].rhk", "Layanan"),
        ("plan.targets[0].target_value", "3"),
        ("plan.targets[1].rhk", ""),
        ("plan.targets[1].target_value", " "),
        ("plan.targets[2].rhk", "Laporan"),
        ("report.realisations[0].evidence[]", "https://a.example\n\n https://b.example "),
    ]
    assert nest(fields) == {
        "plan": {"targets": [{"rhk": "Layanan", "target_value": "3"}, {"rhk": "Laporan"}]},
        "report": {"realisations": [{"evidence": ["https://a.example", "https://b.example"]}]},
    }


def test_errors_land_on_the_fields_that_were_posted() -> None:
    posted = {
        "report.realisations[0].target_id": "T1",
        "report.realisations[0].value": "banyak",
        "report.realisations[0].evidence[]": "ftp://x",
    }
    with pytest.raises(ValidationError) as caught:
        SelfReportBody.model_validate(nest(posted.items()))
    errors = field_errors(caught.value, lambda m, **v: m % v if v else m, posted)
    assert set(errors) == {"report.realisations[0].value", "report.realisations[0].evidence[]"}
    assert errors["report.realisations[0].value"] == "Must be a number."

    with pytest.raises(ValidationError) as caught:
        TargetsApproveBody.model_validate(nest([("comment", "ok")]))
    # An unticked choice is not posted at all: the error still names its field.
    assert set(field_errors(caught.value, lambda m, **v: m, {"comment": "ok"})) == {"decision"}


def test_a_workflow_refusal_lands_beside_the_field_within_the_body_part() -> None:
    refusal = Invalid(
        "not accepted",
        issues=[
            Issue("achievements", "required by this policy's structured reports"),
            Issue("", "the report as a whole"),
        ],
    )
    posted = {"report.achievements": "", "report.realisations[0].value": "3"}
    errors = service_errors(refusal, lambda m, **v: m, posted, within="report")
    assert errors == {
        "report.achievements": "required by this policy's structured reports",
        "": "the report as a whole",
    }
