"""A list of ARNs spelled ``...ArnList`` names the resources as ``...Arns`` does.

"logGroupArnList: An array containing the ARN of the log group that this anomaly detector will watch. You can
specify only one log group ARN" (CloudWatch Logs API Reference, CreateLogAnomalyDetector), and SageMaker
BatchDescribeModelPackage's "ModelPackageArnList: The list of Amazon Resource Name (ARN) of the model package
groups" (SageMaker API Reference); both were granted ``*`` with the resource-undetermined finding. As for
every ``...Arn``, only a value with the type's shape is kept: a bare name there names nothing. Records in the
APIs' own lowerCamelCase, as CloudTrail logs their JSON parameters.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/orders"


def mapped(source: str, name: str, params: dict[str, Any]) -> Any:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped"
    return event


def test_an_anomaly_detector_watches_the_log_group_of_its_arn_list() -> None:
    params = {"logGroupArnList": [LOG_GROUP], "detectorName": "orders", "evaluationFrequency": "FIVE_MIN"}
    event = mapped("logs.amazonaws.com", "CreateLogAnomalyDetector", params)
    # the log group in both of its spellings (test_log_group_spellings.py)
    assert event.uses == (
        ("logs:CreateLogAnomalyDetector", LOG_GROUP),
        ("logs:CreateLogAnomalyDetector", f"{LOG_GROUP}:*"),
    )
    assert event.notes == ()


def test_model_packages_of_an_arn_list() -> None:
    package = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn/3"
    event = mapped("sagemaker.amazonaws.com", "BatchDescribeModelPackage", {"modelPackageArnList": [package]})
    assert event.uses == (("sagemaker:BatchDescribeModelPackage", package),)
    assert event.notes == ()


def test_a_name_in_an_arn_list_names_nothing() -> None:
    event = mapped("logs.amazonaws.com", "CreateLogAnomalyDetector", {"logGroupArnList": ["orders"]})
    assert event.uses == (("logs:CreateLogAnomalyDetector", "*"),)
