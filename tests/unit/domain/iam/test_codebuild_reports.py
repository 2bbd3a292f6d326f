"""CodeBuild's report calls are granted on the report group each report ARN names.

BatchGetReports, DescribeTestCases and DescribeCodeCoverages are authorized on the ``report-group`` only
(Service Authorization Reference; "BatchGetReports ... Resource: arn:aws:codebuild:region-ID:account-ID:
report-group/report-group-name", CodeBuild User Guide, permissions reference), and take report ARNs:
"reportArns: An array of ARNs that identify the Report objects to return", "reportArn: The ARN of the report
for which test cases are returned" (CodeBuild API Reference). A report's ARN is ``report/${ReportGroupName}:
${ReportId}`` (the reference), as the AWS CLI's examples write it ("--report-arns arn:aws:codebuild:
<region-ID>:<user-ID>:report/<report-group-name>:<report 1 ID>", aws-cli, awscli/examples/codebuild/
batch-get-reports.rst and describe-test-cases.rst). Before: ``*`` with the resource-undetermined finding.
Records in CloudTrail's lowerCamelCase.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

CODEBUILD = f"arn:aws:codebuild:us-east-1:{ACCOUNT}"
UNIT = f"{CODEBUILD}:report/orders-build-unit-tests:5c4bbb2c-3b1e-4c5e-9a3f-0123456789ab"


def mapped(name: str, params: dict[str, Any], **kwargs: Any) -> Any:
    event = EventMapper().map(cloudtrail_record("codebuild.amazonaws.com", name, params, **kwargs))
    assert event.kind == "mapped"
    return event


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("DescribeTestCases", {"reportArn": UNIT, "filter": {"status": "FAILED"}}),
        ("DescribeCodeCoverages", {"reportArn": UNIT, "minLineCoveragePercentage": 50.0}),
    ],
)
def test_a_report_s_group(name: str, params: dict[str, Any]) -> None:
    event = mapped(name, params)
    assert event.uses == ((f"codebuild:{name}", f"{CODEBUILD}:report-group/orders-build-unit-tests"),)
    assert event.notes == ()


def test_each_report_s_group_in_the_report_s_account_and_region() -> None:
    other = f"arn:aws:codebuild:eu-west-1:{OTHER_ACCOUNT}"
    shared = f"{other}:report/shared-coverage:0f9e8d7c-6b5a-4321-8765-43210fedcba9"
    event = mapped("BatchGetReports", {"reportArns": [shared]})
    assert event.uses == (
        (
            "codebuild:BatchGetReports",
            f"arn:aws:codebuild:eu-west-1:{OTHER_ACCOUNT}:report-group/shared-coverage",
        ),
    )
    second = f"{CODEBUILD}:report/orders-build-lint:9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
    event = mapped("BatchGetReports", {"reportArns": [UNIT, second]})
    assert set(event.uses) == {
        ("codebuild:BatchGetReports", f"{CODEBUILD}:report-group/orders-build-unit-tests"),
        ("codebuild:BatchGetReports", f"{CODEBUILD}:report-group/orders-build-lint"),
    }


def test_two_reports_of_two_accounts_name_a_group_in_each() -> None:
    """A report group shared from another account through AWS RAM beside one of the caller's (CodeBuild
    User Guide, "Working with shared report groups"): each group where its report's ARN says."""
    other = f"arn:aws:codebuild:eu-west-1:{OTHER_ACCOUNT}"
    shared = f"{other}:report/shared-coverage:0f9e8d7c-6b5a-4321-8765-43210fedcba9"
    event = mapped("BatchGetReports", {"reportArns": [shared, UNIT]})
    assert set(event.uses) == {
        ("codebuild:BatchGetReports", f"{other}:report-group/shared-coverage"),
        ("codebuild:BatchGetReports", f"{CODEBUILD}:report-group/orders-build-unit-tests"),
    }
