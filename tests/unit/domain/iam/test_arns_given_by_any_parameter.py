"""An ARN the request gives whole, of one of the action's own types, names the call's resource whatever its
parameter is called. Resources are read from parameters named after the type (``<Noun>Arn``, ``ResourceArn``,
...); a parameter named otherwise (IAM's ``EntityArn``, CloudFront KeyValueStore's ``KvsARN``, Bedrock Data
Automation's ``InvocationArn``, S3 Control's ``Mrap``) was read by nothing, and the call was granted ``*``
with the resource-undetermined finding although the record names the resource exactly. Each record is shaped
as the API reference names the request member (CloudTrail writes it in lowerCamelCase,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)."""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, user_identity

DELEGATION = "arn:aws:iam::111122223333:delegation-request/dr-1a2b3c4d5e6f"
INVOCATION = "arn:aws:bedrock:us-east-1:111122223333:data-automation-invocation/6f1e2d3c-4b5a-4968-8776"
STORE = "arn:aws:cloudfront::111122223333:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"


def mapped(mapper: EventMapper, source: str, name: str, params: dict[str, Any]) -> Any:
    return mapper.map(cloudtrail_record(source, name, params, identity=user_identity()))


def test_an_iam_delegation_request_given_by_entity_arn_is_granted_on_it() -> None:
    """IAM API Reference, GetHumanReadableSummary: "EntityArn: Arn of the entity to be summarized. At this
    time, the only supported entity type is delegation-request"; the reference's
    ``iam:GetHumanReadableSummary`` requires ``delegation-request/${DelegationRequestId}``."""
    event = mapped(EventMapper(), "iam.amazonaws.com", "GetHumanReadableSummary", {"entityArn": DELEGATION})
    assert event.uses == (("iam:GetHumanReadableSummary", DELEGATION),)
    assert event.notes == ()


def test_a_data_automation_invocation_given_by_its_arn_is_granted_on_it() -> None:
    """Bedrock Data Automation Runtime API Reference, GetDataAutomationStatus: ``invocationArn``, "Invocation
    arn" (pattern ``arn:aws:bedrock:REGION:ACCOUNT:data-automation-invocation/ID``)."""
    event = mapped(
        EventMapper(), "bedrock.amazonaws.com", "GetDataAutomationStatus", {"invocationArn": INVOCATION}
    )
    assert event.uses == (("bedrock:GetDataAutomationStatus", INVOCATION),)
    assert event.notes == ()


def test_a_key_value_store_given_by_its_arn_is_granted_on_it() -> None:
    """CloudFront KeyValueStore API Reference, DescribeKeyValueStore: ``GET /key-value-stores/{KvsARN}``,
    "KvsARN: The Amazon Resource Name (ARN) of the Key Value Store"."""
    event = mapped(
        EventMapper(),
        "cloudfront-keyvaluestore.amazonaws.com",
        "DescribeKeyValueStore",
        {"kvsARN": STORE},
    )
    assert event.uses == (("cloudfront-keyvaluestore:DescribeKeyValueStore", STORE),)
    assert event.notes == ()


def test_an_arn_of_another_type_names_nothing() -> None:
    """A role's ARN fits no type of the action: still ``*``, said."""
    event = mapped(
        EventMapper(),
        "iam.amazonaws.com",
        "GetHumanReadableSummary",
        {"entityArn": "arn:aws:iam::111122223333:role/app"},
    )
    assert event.uses == (("iam:GetHumanReadableSummary", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_records_that_differ_only_in_that_arn_do_not_share_a_result() -> None:
    """The memo key holds what the mapper reads: an ARN-named parameter's value, whichever plan it is."""
    mapper = EventMapper()
    other = DELEGATION.replace("dr-1a2b3c4d5e6f", "dr-9f8e7d6c5b4a")
    first = mapped(mapper, "iam.amazonaws.com", "GetHumanReadableSummary", {"entityArn": DELEGATION})
    second = mapped(mapper, "iam.amazonaws.com", "GetHumanReadableSummary", {"entityArn": other})
    assert (first.uses, second.uses) == (
        (("iam:GetHumanReadableSummary", DELEGATION),),
        (("iam:GetHumanReadableSummary", other),),
    )


def test_a_multi_region_access_point_given_by_its_arn_in_mrap_is_granted_on_it() -> None:
    """S3 Control API Reference, GetMultiRegionAccessPointRoutes: ``GET
    /v20180820/mrap/instances/{Mrap+}/routes``, "Mrap: The Multi-Region Access Point ARN"; the reference's
    ``s3:GetMultiRegionAccessPointRoutes`` requires ``multiregionaccesspoint``
    (``arn:${Partition}:s3::${Account}:accesspoint/${AccessPointAlias}``). A parameter not named as an ARN
    is read too when it holds one."""
    mrap = "arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap"
    event = mapped(
        EventMapper(),
        "s3.amazonaws.com",
        "GetMultiRegionAccessPointRoutes",
        {"mrap": mrap, "accountId": "111122223333"},
    )
    assert event.uses == (("s3:GetMultiRegionAccessPointRoutes", mrap),)
    assert event.notes == ()
