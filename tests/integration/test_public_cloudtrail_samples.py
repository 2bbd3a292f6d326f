"""``policygen generate`` over real CloudTrail records we did not write: Stratus Red Team's detonation logs
(tests/fixtures/public-cloudtrail/stratus-red-team, Apache-2.0, anonymized upstream). Records shaped by AWS,
not by our reading of its documentation: no record may be unreadable, no call unmapped, and every policy
must validate, with a finding for every grant wider than the calls' own resources."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.public_cloudtrail import (
    FIXTURES,
    Run,
    check_policies,
    generate,
    gzipped_records,
    principals_of,
)

SAMPLES = FIXTURES / "stratus-red-team"


def _principals() -> Counter[str]:
    return principals_of(gzipped_records(SAMPLES, "*.json.gz"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return generate(tmp_path_factory.mktemp("policies"), SAMPLES, _principals(), "2020-01-01T00:00:00Z")


def test_every_record_is_read_and_every_call_understood(run: tuple[Any, dict[str, Any], Path]) -> None:
    done, report, _ = run
    assert report["filesScanned"] == 35 and report["filesSkipped"] == {}
    assert report["eventsScanned"] == 310
    assert report["badRecords"] == 0, report["warnings"]
    assert report["unmapped"] == {}
    # one SSO role's records carry an ARN the anonymizer cut to "assumed-role/NAME" (no session part) and
    # whose NAME it rewrote too (not the issuer's): no requested role's name, so not its events (exit 3 for
    # that principal only); a cut ARN that keeps the role's name is taken by its issuer (test_scan.py)
    assert done.returncode in (0, 3), done.stderr


def test_every_policy_validates_and_names_real_actions(run: tuple[Any, dict[str, Any], Path]) -> None:
    _, report, out = run
    files = sorted(out.glob("*.json"))
    assert len(files) >= 30
    check_policies(report, files)


def test_twenty_secrets_are_compacted_and_said(run: tuple[Any, dict[str, Any], Path]) -> None:
    """The secrets-retrieval technique reads twenty secrets named alike: past the threshold of ten the
    policy names them by their common prefix, which the report must say (it was silent)."""
    _, report, _ = run
    findings = report["principals"]["arn:aws:iam::903144391865:user/christophe"]["findings"]
    (compacted,) = [f for f in findings if f["code"] == "compacted"]
    assert compacted["severity"] == "warning"
    assert ":secret:stratus-red-team-retrieve-secret-* stands for 20 ARN(s)" in compacted["message"]
