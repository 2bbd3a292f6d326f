"""A call named after its one resource type names that resource by the last words of the type's noun with
the own variable's kind (``plans.typed_name_parameters``): EC2's ``declarative-policies-report`` by
``ReportId``, ``vpc-block-public-access-exclusion`` by ``ExclusionId``, SageMaker's ``mlflow-tracking-server``
by ``TrackingServerName``. Each was granted ``*`` with the resource-undetermined finding. And EC2's Capacity
Reservation moves and splits by their source and destination ids (``rules.CURATED_ENTRIES``)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

MAPPER = EventMapper()
EC2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        # EC2 API Reference, CancelDeclarativePoliciesReport: "ReportId: The ID of the report"; the
        # reference's format ``declarative-policies-report/${DeclarativePoliciesReportId}``
        (
            "CancelDeclarativePoliciesReport",
            {"reportId": "ec2-report-1234567890abcdef0"},
            f"{EC2}:declarative-policies-report/ec2-report-1234567890abcdef0",
        ),
        (
            "GetDeclarativePoliciesReportSummary",
            {"reportId": "ec2-report-1234567890abcdef0"},
            f"{EC2}:declarative-policies-report/ec2-report-1234567890abcdef0",
        ),
        # DeleteVpcBlockPublicAccessExclusion: "ExclusionId: The ID of the exclusion";
        # ``vpc-block-public-access-exclusion/${VpcBlockPublicAccessExclusionId}``
        (
            "DeleteVpcBlockPublicAccessExclusion",
            {"exclusionId": "vpcbpa-exclude-1234567890abcdef0"},
            f"{EC2}:vpc-block-public-access-exclusion/vpcbpa-exclude-1234567890abcdef0",
        ),
        # DeleteImageUsageReport: "ReportId: The ID of the report to delete"
        (
            "DeleteImageUsageReport",
            {"reportId": "amiur-1234567890abcdef0"},
            f"{EC2}:image-usage-report/amiur-1234567890abcdef0",
        ),
    ],
)
def test_an_ec2_resource_by_the_last_words_of_its_noun(name: str, params: dict[str, str], arn: str) -> None:
    """EC2's query API parameters, logged by CloudTrail in lowerCamelCase (CloudTrail User Guide, Amazon
    EC2 log examples: ``"requestParameters": {"instancesSet": ...}``)."""
    event = MAPPER.map(cloudtrail_record("ec2.amazonaws.com", name, params))
    assert event.uses == ((f"ec2:{name}", arn),)
    assert event.notes == ()


@pytest.mark.parametrize(
    "name", ["DescribeMlflowTrackingServer", "StartMlflowTrackingServer", "DeleteMlflowTrackingServer"]
)
def test_a_sagemaker_mlflow_tracking_server_by_its_name(name: str) -> None:
    """SageMaker API Reference, DescribeMlflowTrackingServer: "TrackingServerName: The name of the MLflow
    Tracking Server to describe"; the reference's ``mlflow-tracking-server/${MlflowTrackingServerName}``."""
    event = MAPPER.map(cloudtrail_record("sagemaker.amazonaws.com", name, {"trackingServerName": "ml-team"}))
    assert event.uses == (
        (f"sagemaker:{name}", f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:mlflow-tracking-server/ml-team"),
    )


def test_a_name_of_another_kind_is_not_read_as_an_id() -> None:
    """A ``ReportName`` is no ``ReportId``: only the own variable's kind is read."""
    event = MAPPER.map(
        cloudtrail_record("ec2.amazonaws.com", "CancelDeclarativePoliciesReport", {"reportName": "weekly"})
    )
    assert event.uses == (("ec2:CancelDeclarativePoliciesReport", "*"),)


def test_moving_capacity_names_both_reservations() -> None:
    """EC2 API Reference, MoveCapacityReservationInstances: "SourceCapacityReservationId: The ID of the
    Capacity Reservation from which you want to move capacity", "DestinationCapacityReservationId: The ID
    of the Capacity Reservation that you want to move capacity into"."""
    event = MAPPER.map(
        cloudtrail_record(
            "ec2.amazonaws.com",
            "MoveCapacityReservationInstances",
            {
                "sourceCapacityReservationId": "cr-1234567890abcdef0",
                "destinationCapacityReservationId": "cr-0abcdef1234567890",
                "instanceCount": 2,
            },
        )
    )
    assert set(event.uses) == {
        ("ec2:MoveCapacityReservationInstances", f"{EC2}:capacity-reservation/cr-1234567890abcdef0"),
        ("ec2:MoveCapacityReservationInstances", f"{EC2}:capacity-reservation/cr-0abcdef1234567890"),
    }
    assert event.notes == ()


def test_splitting_capacity_names_the_source_and_the_new_reservation() -> None:
    """CreateCapacityReservationBySplitting: "Create a new Capacity Reservation by splitting the capacity of
    the source Capacity Reservation"; the new one's id exists only after the call (said)."""
    event = MAPPER.map(
        cloudtrail_record(
            "ec2.amazonaws.com",
            "CreateCapacityReservationBySplitting",
            {"sourceCapacityReservationId": "cr-1234567890abcdef0", "instanceCount": 1},
        )
    )
    assert set(event.uses) == {
        ("ec2:CreateCapacityReservationBySplitting", f"{EC2}:capacity-reservation/cr-1234567890abcdef0"),
        ("ec2:CreateCapacityReservationBySplitting", f"{EC2}:capacity-reservation/*"),
    }
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
