"""``policygen generate`` over real CloudTrail records we did not write: Stratus Red Team's detonation logs
(tests/fixtures/public-cloudtrail/stratus-red-team, Apache-2.0, anonymized upstream). Records shaped by AWS,
not by our reading of its documentation: no record may be unreadable, no call unmapped, and every policy
must validate, with a finding for every grant wider than the calls' own resources."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.iam.validate import validate_policy

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "public-cloudtrail" / "stratus-red-team"
_IAM_PRINCIPAL = re.compile(r"^arn:aws:iam::\d{12}:(role|user)/")


def _principals() -> Counter[str]:
    """Who made the calls: IAM users, and the roles that issued the sessions."""
    found: Counter[str] = Counter()
    for path in sorted(SAMPLES.glob("*.json.gz")):
        for record in json.loads(gzip.decompress(path.read_bytes())):
            identity = record.get("userIdentity") or {}
            issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
            arn = issuer.get("arn") if identity.get("type") == "AssumedRole" else identity.get("arn")
            if isinstance(arn, str) and _IAM_PRINCIPAL.match(arn):
                found[arn] += 1
    return found


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("policies")
    report = out / "report.json"
    principals = [a for arn in sorted(_principals()) for a in ("--principal", arn)]
    done = subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", "generate", "--logs", str(SAMPLES), *principals,
         "--start", "2020-01-01T00:00:00Z", "--end", "2027-01-01T00:00:00Z", "--include-denied",
         "--output-dir", str(out / "out"), "--report", str(report), "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert report.exists(), done.stderr
    return done, json.loads(report.read_text()), out / "out"


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
    reference = load_reference()
    files = sorted(out.glob("*.json"))
    assert len(files) >= 30
    for path in files:
        document = json.loads(path.read_text())
        assert [f for f in validate_policy(document) if f.severity == "error"] == [], path.name
        for statement in document["Statement"]:
            for action in statement["Action"]:
                assert reference.action_name(action) == action, (path.name, action)
    assert not [f for p in report["principals"].values() for f in p["findings"] if f["severity"] == "error"]


def test_twenty_secrets_are_compacted_and_said(run: tuple[Any, dict[str, Any], Path]) -> None:
    """The secrets-retrieval technique reads twenty secrets named alike: past the threshold of ten the
    policy names them by their common prefix, which the report must say (it was silent)."""
    _, report, _ = run
    findings = report["principals"]["arn:aws:iam::903144391865:user/christophe"]["findings"]
    (compacted,) = [f for f in findings if f["code"] == "compacted"]
    assert compacted["severity"] == "warning"
    assert ":secret:stratus-red-team-retrieve-secret-* stands for 20 ARN(s)" in compacted["message"]
