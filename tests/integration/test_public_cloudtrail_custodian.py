"""``policygen generate`` over Cloud Custodian's CloudTrail test events (tests/fixtures/public-cloudtrail/
cloud-custodian, Apache-2.0): bare records and the EventBridge events that carried them, as Custodian's
event-driven policies receive them. Every file must be read, every call mapped, every policy valid, and the
calls the QA pass found granted on ``*`` (an EC2 request object under an abbreviated name, Glue's Data
Catalog policy) on the resources their records name."""

from __future__ import annotations

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
SAMPLES = ROOT / "tests" / "fixtures" / "public-cloudtrail" / "cloud-custodian"
_IAM_PRINCIPAL = re.compile(r"^arn:aws:iam::\d{12}:(role|user)/")


def _principals() -> Counter[str]:
    """Who made the calls: IAM users, and the roles that issued the sessions."""
    found: Counter[str] = Counter()
    for path in sorted(SAMPLES.glob("*.json")):
        record = json.loads(path.read_text())
        record = record.get("detail", record)
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
         "--start", "2015-01-01T00:00:00Z", "--end", "2027-01-01T00:00:00Z", "--include-denied",
         "--output-dir", str(out / "out"), "--report", str(report), "--quiet", "--workers", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert report.exists(), done.stderr
    return done, json.loads(report.read_text()), out / "out"


def test_every_file_is_read_and_every_call_understood(run: tuple[Any, dict[str, Any], Path]) -> None:
    done, report, out = run
    assert done.returncode == 0, done.stderr
    assert report["filesScanned"] == 23 and report["filesSkipped"] == {}
    assert report["eventsScanned"] == 23
    assert report["badRecords"] == 0, report["warnings"]
    assert report["unmapped"] == {}
    assert len(list(out.glob("*.json"))) == len(_principals()) == 10


def test_every_policy_validates_and_names_real_actions(run: tuple[Any, dict[str, Any], Path]) -> None:
    _, report, out = run
    reference = load_reference()
    for path in sorted(out.glob("*.json")):
        document = json.loads(path.read_text())
        assert [f for f in validate_policy(document) if f.severity == "error"] == [], path.name
        for statement in document["Statement"]:
            for action in statement["Action"]:
                assert reference.action_name(action) == action, (path.name, action)
    assert not [f for p in report["principals"].values() for f in p["findings"] if f["severity"] == "error"]


def _grants(out: Path) -> set[tuple[str, str]]:
    grants: set[tuple[str, str]] = set()
    for path in out.glob("*.json"):
        for statement in json.loads(path.read_text())["Statement"]:
            resources = statement["Resource"]
            for action in statement["Action"]:
                grants.update((action, r) for r in ([resources] if isinstance(resources, str) else resources))
    return grants


def test_the_calls_found_on_star_name_their_resources(run: tuple[Any, dict[str, Any], Path]) -> None:
    """Read from EventBridge events (skipped before), then mapped: DeleteTransitGatewayVpcAttachment's
    ``DelTGwVpcAttachReq`` object, Glue PutResourcePolicy without ResourceArn."""
    grants = _grants(run[2])
    assert (
        "ec2:DeleteTransitGatewayVpcAttachment",
        "arn:aws:ec2:us-west-2:012345678912:transit-gateway-attachment/tgw-attach-0814a77755bf02f0e",
    ) in grants
    assert ("glue:PutResourcePolicy", "arn:aws:glue:us-east-1:644160558196:catalog") in grants
    assert ("glue:PutDataCatalogEncryptionSettings", "arn:aws:glue:us-east-1:644160558196:catalog") in grants
    assert (
        "cloudfront:UpdateDistribution",
        "arn:aws:cloudfront::012345678912:distribution/E53370FUHBNLK",
    ) in grants
