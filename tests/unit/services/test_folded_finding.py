"""A pattern the scan folded to bound its memory (``domain.usage.FOLD_AT``) is said, like compaction's.

The policy names a folded kind by its common prefix, which also allows resources no call used: never a
silent wider grant (the issue's "nothing wider than observed"). ``FOLD_AT`` is lowered to a handful here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policygen_operator.domain import usage as usage_module
from policygen_operator.domain.usage import UsageSummary
from policygen_operator.services import generation
from policygen_operator.services.generation import GenerationRequest, LocalLogs, _principal_result

ROLE = "arn:aws:iam::111122223333:role/ingest"
BUCKET = "arn:aws:s3:::ingest-bucket/"


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_module, "FOLD_AT", 8)
    monkeypatch.setattr(generation, "FOLD_AT", 8)


def _summary() -> UsageSummary:
    summary = UsageSummary()
    usage = summary.principal(ROLE)
    for n in range(20):
        usage.record(
            "s3:PutObject", f"{BUCKET}uploads/2026/11/{n:02d}.json", f"2026-11-{n + 1:02d}T00:00:00Z"
        )
    usage.record("s3:GetObject", f"{BUCKET}config/app.yaml", "2026-11-02T00:00:00Z")
    return summary


def _request(**changes: object) -> GenerationRequest:
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    return GenerationRequest(principals=(ROLE,), source=LocalLogs("logs"), start=start, end=end, **changes)  # type: ignore[arg-type]


def test_a_folded_kind_is_granted_by_its_prefix_and_said() -> None:
    result = _principal_result(ROLE, _summary(), _request())
    resources = {r for p in result.policies for s in p["Statement"] for r in s["Resource"]}
    assert resources == {f"{BUCKET}uploads/2026/11/*", f"{BUCKET}config/app.yaml"}
    folded = [f for f in result.findings if f.code == "folded"]
    assert [f.severity for f in folded] == ["warning"]
    assert (
        f"{BUCKET}uploads/2026/11/* stands for the s3:PutObject calls (20 call(s)) on more than 8 ARNs"
        in (folded[0].message)
    )
    assert not [f for f in result.findings if f.severity == "error"]


@pytest.mark.parametrize(
    "changes",
    [{"exclude_actions": ("s3:Put*",)}, {"resource_level": False}],
    ids=["excluded", "actions-only"],
)
def test_nothing_is_said_when_the_policy_does_not_name_the_fold(changes: dict[str, object]) -> None:
    result = _principal_result(ROLE, _summary(), _request(**changes))
    assert [f for f in result.findings if f.code == "folded"] == []


def test_a_pattern_folded_in_the_allowed_and_the_refused_calls_is_said_once() -> None:
    """With include_denied the policy grants the refused calls too: a pattern both tables folded is one
    grant, said once with every call it stands for."""
    summary = _summary()
    usage = summary.principal(ROLE)
    for n in range(20):
        usage.record(
            "s3:PutObject",
            f"{BUCKET}uploads/2026/11/{n + 20:02d}.json",
            f"2026-11-{n + 1:02d}T01:00:00Z",
            denied=True,
        )
    result = _principal_result(ROLE, summary, _request(include_denied=True))
    folded = [f for f in result.findings if f.code == "folded"]
    assert len(folded) == 1, [f.message for f in folded]
    assert f"{BUCKET}uploads/2026/11/* stands for the s3:PutObject calls (40 call(s))" in folded[0].message
