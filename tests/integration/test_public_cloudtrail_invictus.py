"""``policygen generate`` over Invictus IR's AWS dataset (tests/fixtures/public-cloudtrail/invictus-ir, MIT):
the CloudTrail delivery files of a real account during a Stratus Red Team attack simulation, Terraform and
console users, the techniques' roles and service-linked roles. Every file and record must be read, every
call mapped, every policy valid; the console's Storage Lens dashboard call (unmapped before) is granted on
the configuration it names."""

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
    grants,
    gzipped_records,
    principals_of,
)

SAMPLES = FIXTURES / "invictus-ir"
ACCOUNT = "123837392027"


def _principals() -> Counter[str]:
    return principals_of(gzipped_records(SAMPLES, "*.json.gz"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return generate(tmp_path_factory.mktemp("policies"), SAMPLES, _principals(), "2023-01-01T00:00:00Z")


def test_every_record_is_read_and_every_call_understood(run: tuple[Any, dict[str, Any], Path]) -> None:
    done, report, out = run
    assert report["filesScanned"] == 55 and report["filesSkipped"] == {}
    assert report["eventsScanned"] == 2900
    assert report["badRecords"] == 0, report["warnings"]
    assert report["unmapped"] == {}
    # a Stratus user whose one record is its console sign-in: nothing to allow (exit 3 for it alone)
    assert done.returncode == 3, done.stderr
    idle = f"arn:aws:iam::{ACCOUNT}:user/stratus-red-team-nmfalu-gfjyeaypjt"
    assert [arn for arn, p in report["principals"].items() if not p["policies"]] == [idle]
    assert len(_principals()) == 12 and len(list(out.glob("*.json"))) >= 11


def test_every_policy_validates_and_names_real_actions(run: tuple[Any, dict[str, Any], Path]) -> None:
    _, report, out = run
    check_policies(report, sorted(out.glob("*.json")))


def test_the_storage_lens_dashboard_is_granted_on_its_configuration(
    run: tuple[Any, dict[str, Any], Path],
) -> None:
    dashboard = f"arn:aws:s3:us-east-1:{ACCOUNT}:storage-lens/default-account-dashboard"
    assert ("s3:GetStorageLensDashboard", dashboard) in grants(run[2])


def test_the_flow_logs_group_is_granted_in_the_form_checked(run: tuple[Any, dict[str, Any], Path]) -> None:
    """Terraform's CreateLogGroup, ListTagsLogGroup and DeleteLogGroup: log-group:NAME:* beside the name."""
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/stratus-red-team/vpc-flow-logs"
    granted = grants(run[2])
    for action in ("logs:CreateLogGroup", "logs:ListTagsLogGroup", "logs:DeleteLogGroup"):
        assert {(action, group), (action, f"{group}:*")} <= granted
