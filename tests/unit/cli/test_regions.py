"""``--region`` names a region AWS has: a typo is a usage error naming it, not an empty scan.

Before, ``policygen generate --region us-est-1`` pruned every region folder away and exited 3 ("no matching
events"), and ``policygen athena ddl --region us-est-1`` printed a table whose region enum holds the typo
(projection reads only the values listed, so the region meant was never read).
"""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from policygen_operator.adapters.aws.regions import UnknownRegionError, check_region, known_regions
from policygen_operator.cli.main import EXIT_USAGE, main
from policygen_operator.domain.cloudtrail.athena_ddl import DEFAULT_REGIONS

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cloudtrail" / "AWSLogs"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]


def test_a_mistyped_region_is_a_usage_error_naming_it_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "policy.json"
    argv = ["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--output", str(out)]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--region", "us-east-1", "--region", "us-est-1"])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--region: 'us-est-1' is not an AWS region" in err and "us-east-1" in err
    assert not out.exists()
    assert main([*argv, "--region", "us-east-1", "--quiet"]) == 0  # the region meant: the samples' policy


@pytest.mark.parametrize(
    "region",
    ["us-east-1", "ap-southeast-7", "mx-central-1", "cn-northwest-1", "us-gov-east-1", "eu-isoe-west-1"],
)
def test_regions_of_every_partition_are_known(region: str) -> None:
    check_region(region)


@pytest.mark.parametrize("region", ["us-est-1", "aws-global", "aws-us-gov-global", "US-EAST-1", "us-east-1 "])
def test_typos_and_pseudo_regions_are_not(region: str) -> None:
    """``aws-global`` is an endpoint of botocore's data, never a folder of the delivery layout."""
    with pytest.raises(UnknownRegionError, match="is not an AWS region"):
        check_region(region)


def test_the_known_regions_hold_every_region_cloudtrail_runs_in() -> None:
    """CloudTrail's own endpoints (botocore's endpoints.json, another file than the one read) in the three
    partitions the principals cover, and the Athena table's default region enum."""
    session = botocore.session.get_session()
    known = set().union(*known_regions().values())
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        assert set(session.get_available_regions("cloudtrail", partition)) <= known
    assert set(DEFAULT_REGIONS) <= known


def test_athena_ddl_refuses_a_mistyped_region(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["athena", "ddl", "--bucket", "trail-bucket", "--account", "111122223333"]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--region", "eu-west-1", "--region", "eu-wset-1"])
    assert exited.value.code == EXIT_USAGE
    assert "--region: 'eu-wset-1' is not an AWS region (did you mean eu-west-1" in capsys.readouterr().err
    assert main([*argv, "--region", "eu-west-1", "--region", "mx-central-1"]) == 0
    assert "'projection.region.values'='eu-west-1,mx-central-1'" in capsys.readouterr().out
