"""A Finding stays typed through the services and turns into JSON only at the edge (report, status, PR)."""

from __future__ import annotations

from policygen_operator.domain.iam.validate import Finding


def test_the_json_form_has_part_and_sid_only_when_known() -> None:
    assert Finding("warning", "W", "m").to_dict() == {"severity": "warning", "code": "W", "message": "m"}
    full = Finding("error", "size", "too big", sid="S3", part=2)
    assert list(full.to_dict()) == ["severity", "code", "message", "part", "sid"]  # the report's key order


def test_a_status_or_report_reads_back_to_the_same_finding() -> None:
    finding = Finding("error", "size", "too big", sid="S3", part=2)
    assert Finding.from_dict(finding.to_dict()) == finding
    assert Finding.from_dict({"severity": "odd", "code": "X"}) == Finding("info", "X", "")
