"""Self-reports: evidence links and the report's fit to the plan."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.reports import Feedback, Realisation, SelfReport, check_report
from appraisal_engine.domain.targets import Target, TargetKind, TargetPlan

PLAN = TargetPlan(
    targets=[
        Target(id="T1", rhk="Layanan KTP-el", iki="Jumlah KTP-el terbit", target_value=1200,
               target_unit="keping", parent_id="S1"),
        Target(id="T2", rhk="Laporan bulanan", iki="Laporan tepat waktu", target_value=12,
               target_unit="dokumen", parent_id="S2"),
        Target(id="X1", rhk="Sosialisasi", iki="Kegiatan sosialisasi", target_value=2,
               target_unit="kegiatan", kind=TargetKind.TAMBAHAN),
    ]
)  # fmt: skip


def realisation(target_id: str, *evidence: str) -> Realisation:
    return Realisation(target_id=target_id, value=10, evidence=list(evidence))


@pytest.mark.parametrize(
    "url",
    [
        "https://drive.tebingtinggikota.go.id/bukti/ktp-el-2025-q1.pdf",
        "http://example.com/x",
        "HTTPS://EXAMPLE.GO.ID/BUKTI",
        "https://10.0.0.5:8443/files/1?download=1#page=2",
    ],
)
def test_http_and_https_evidence_is_accepted(url: str) -> None:
    assert realisation("T1", url).evidence == [url]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:/etc/passwd",
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)//https://example.com",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/bukti.pdf",
        "/bukti/ktp.pdf",
        "bukti/ktp.pdf",
        "../etc/passwd",
        "../../../../etc/passwd",
        "//example.com/bukti.pdf",
        "example.com/bukti.pdf",
        "https://",
        "http://",
        "http:///etc/passwd",  # a path dressed up as a URL: no host
        "https:///../../secret",
        "https://example.com/bukti ktp.pdf",
        "https://example.com/\nSet-Cookie:x",
        "https://example.com/\x00.pdf",
        " https ://example.com",
    ],
)
def test_non_http_evidence_is_rejected(url: str) -> None:
    with pytest.raises(ValidationError, match="evidence"):
        realisation("T1", url)


def test_evidence_list_is_limited_to_ten_links() -> None:
    links = [f"https://example.com/{i}" for i in range(11)]
    assert len(realisation("T1", *links[:10]).evidence) == 10
    with pytest.raises(ValidationError, match="evidence"):
        realisation("T1", *links)


def test_realisation_value_must_not_be_negative() -> None:
    with pytest.raises(ValidationError, match="value"):
        Realisation(target_id="T1", value=-1)


def test_report_on_some_of_the_plan_passes() -> None:
    report = SelfReport(realisations=[realisation("T2"), realisation("X1")])
    check_report(report, PLAN, structured=False)


def test_report_on_an_unknown_target_is_rejected() -> None:
    report = SelfReport(realisations=[realisation("T1"), realisation("T9")])
    with pytest.raises(DomainError) as info:
        check_report(report, PLAN, structured=False)
    assert info.value.field == "realisations[1]"
    assert "unknown target 'T9'" in info.value.reason


def test_report_on_a_target_twice_is_rejected() -> None:
    report = SelfReport(realisations=[realisation("T1"), realisation("T2"), realisation("T1")])
    with pytest.raises(DomainError) as info:
        check_report(report, PLAN, structured=False)
    assert info.value.field == "realisations[2]"
    assert "'T1' reported twice" in info.value.reason


def test_report_needs_a_realisation() -> None:
    with pytest.raises(ValidationError, match="realisations"):
        SelfReport(realisations=[])


NARRATIVES = {
    "achievements": "KTP-el terbit 1.250 keping, di atas target.",
    "challenges": "Blanko terlambat datang dari pusat.",
    "improvement_plan": "Pesan blanko dua bulan lebih awal.",
}


def test_structured_report_with_all_narratives_passes() -> None:
    report = SelfReport(realisations=[realisation("T1")], **NARRATIVES)
    check_report(report, PLAN, structured=True)


@pytest.mark.parametrize("missing", sorted(NARRATIVES))
@pytest.mark.parametrize("blank", ["", "   \n\t"])
def test_structured_report_names_the_missing_narrative(missing: str, blank: str) -> None:
    report = SelfReport(realisations=[realisation("T1")], **(NARRATIVES | {missing: blank}))
    check_report(report, PLAN, structured=False)
    with pytest.raises(DomainError) as info:
        check_report(report, PLAN, structured=True)
    assert info.value.field == missing


def test_unstructured_report_needs_no_narrative() -> None:
    check_report(SelfReport(realisations=[realisation("T1")]), PLAN, structured=False)
    with pytest.raises(DomainError) as info:
        check_report(SelfReport(realisations=[realisation("T1")]), PLAN, structured=True)
    assert info.value.field == "achievements"


def test_feedback_needs_a_comment() -> None:
    assert Feedback(comment="Bagus, lanjutkan").follow_up == ""
    with pytest.raises(ValidationError, match="comment"):
        Feedback(comment="  ")
