"""``policygen generate`` over Cloud Custodian's CloudTrail test events (tests/fixtures/public-cloudtrail/
cloud-custodian, Apache-2.0): bare records and the EventBridge events that carried them, as Custodian's
event-driven policies receive them. Every file must be read, every call mapped, every policy valid, and the
calls the QA pass found granted on ``*`` (an EC2 request object under an abbreviated name, Glue's Data
Catalog policy) on the resources their records name."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.public_cloudtrail import FIXTURES, Run, check_policies, generate, grants, principals_of

SAMPLES = FIXTURES / "cloud-custodian"


def _principals() -> Counter[str]:
    """The calls' records, a bare one or the EventBridge event's ``detail``."""
    records = (json.loads(path.read_text()) for path in sorted(SAMPLES.glob("*.json")))
    return principals_of(record.get("detail", record) for record in records)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("policies")
    return generate(out, SAMPLES, _principals(), "2015-01-01T00:00:00Z", "--workers", "1")


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
    check_policies(report, sorted(out.glob("*.json")))


def test_the_calls_found_on_star_name_their_resources(run: tuple[Any, dict[str, Any], Path]) -> None:
    """Read from EventBridge events (skipped before), then mapped: DeleteTransitGatewayVpcAttachment's
    ``DelTGwVpcAttachReq`` object, Glue PutResourcePolicy without ResourceArn."""
    granted = grants(run[2])
    assert (
        "ec2:DeleteTransitGatewayVpcAttachment",
        "arn:aws:ec2:us-west-2:012345678912:transit-gateway-attachment/tgw-attach-0814a77755bf02f0e",
    ) in granted
    assert ("glue:PutResourcePolicy", "arn:aws:glue:us-east-1:644160558196:catalog") in granted
    assert ("glue:PutDataCatalogEncryptionSettings", "arn:aws:glue:us-east-1:644160558196:catalog") in granted
    assert (
        "cloudfront:UpdateDistribution",
        "arn:aws:cloudfront::012345678912:distribution/E53370FUHBNLK",
    ) in granted
