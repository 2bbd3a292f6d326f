"""Request parameters of the CloudTrail records AWS publishes as examples in its service guides (the archived
documentation sources on GitHub, CC-BY-SA 4.0: each test names the repository, file and commit). Each was
granted on ``*`` with a finding although the record names its resource, or needs none the record could
name."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted


def test_glue_create_connection_on_the_catalog_and_the_connection_type() -> None:
    """awsdocs/aws-glue-developer-guide, ``doc_source/monitor-cloudtrail.md`` at commit c4620efe: the
    CreateConnection record's request parameters. The reference's types for the action are the (required)
    Data Catalog and the connection type; the table read the connection's name, which neither holds."""
    params = {
        "connectionInput": {
            "name": "test-connection-alpha",
            "connectionType": "JDBC",
            "physicalConnectionRequirements": {
                "subnetId": "subnet-323232",
                "availabilityZone": "us-east-1a",
                "securityGroupIdList": ["sg-12121212"],
            },
        }
    }
    assert granted("glue.amazonaws.com", "CreateConnection", params) == {
        ("glue:CreateConnection", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"),
        ("glue:CreateConnection", f"arn:aws:glue:us-east-1:{ACCOUNT}:connectionType:JDBC"),
    }


def test_glue_create_connection_in_a_catalog_of_another_account() -> None:
    params = {"catalogId": "444455556666", "connectionInput": {"name": "c", "connectionType": "JDBC"}}
    assert granted("glue.amazonaws.com", "CreateConnection", params) == {
        ("glue:CreateConnection", "arn:aws:glue:us-east-1:444455556666:catalog"),
        ("glue:CreateConnection", "arn:aws:glue:us-east-1:444455556666:connectionType:JDBC"),
    }


@pytest.mark.parametrize(
    ("source", "name", "params", "arn"),
    [
        (
            "glue.amazonaws.com",
            "GetDataCatalogEncryptionSettings",
            {},
            f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog",
        ),
        (
            "glue.amazonaws.com",
            "GetDataCatalogEncryptionSettings",
            {"catalogId": "444455556666"},
            "arn:aws:glue:us-east-1:444455556666:catalog",
        ),
        (
            "geo-places.amazonaws.com",
            "Geocode",
            {"QueryText": "Seattle"},
            "arn:aws:geo-places:us-east-1::provider/default",
        ),
    ],
)
def test_a_fixed_resource_of_the_region_is_the_grant(
    source: str, name: str, params: dict[str, object], arn: str
) -> None:
    """Each of the action's types is one resource of the account and region, its format without variables
    (Service Authorization Reference: Glue's ``catalog``, Amazon Location's ``provider/default``)."""
    action = f"{source.split('.')[0]}:{name}"
    assert granted(source, name, params) == {(action, arn)}


def test_a_type_the_request_may_name_keeps_the_finding() -> None:
    """GetCatalog's optional nested ``catalog/${CatalogName}`` is named by CatalogId in a form the mapper does
    not read (a catalog whose ARN no page gives; an S3 table bucket's is read: test_glue_nested_catalogs.py):
    the root catalog alone could refuse the call, so it stays on * with the finding."""
    event = EventMapper().map(
        cloudtrail_record("glue.amazonaws.com", "GetCatalog", {"catalogId": f"{ACCOUNT}:federated-catalog"})
    )
    assert event.uses == (("glue:GetCatalog", "*"),)
    assert any(code == "resource-undetermined" for _, code, _ in event.notes)


def test_assume_root_is_not_the_callers_root() -> None:
    """STS AssumeRoot's ``iam::${Account}:root`` is the member account's root (TargetPrincipal), not the
    caller's: no fixed resource of the caller's account stands in for it."""
    event = EventMapper().map(
        cloudtrail_record(
            "sts.amazonaws.com",
            "AssumeRoot",
            {
                "targetPrincipal": "444455556666",
                "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
            },
        )
    )
    assert all(arn == "*" or ACCOUNT not in arn for _, arn in event.uses)


def test_glue_delete_crawler_by_its_name() -> None:
    """awsdocs/aws-glue-developer-guide, ``doc_source/monitor-cloudtrail.md`` at commit c4620efe: the
    DeleteCrawler record's ``{"name": "tes-alpha"}`` ("Name: The name of the crawler to remove", Glue API
    Reference); the table gave the crawler no parameter and the call was on * with a finding."""
    assert granted("glue.amazonaws.com", "DeleteCrawler", {"name": "tes-alpha"}) == {
        ("glue:DeleteCrawler", f"arn:aws:glue:us-east-1:{ACCOUNT}:crawler/tes-alpha")
    }


@pytest.mark.parametrize(
    ("source", "name", "arn"),
    [
        (
            "translate.amazonaws.com",
            "GetTerminology",
            f"arn:aws:translate:us-east-1:{ACCOUNT}:terminology/t1",
        ),
        (
            "scheduler.amazonaws.com",
            "GetScheduleGroup",
            f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/t1",
        ),
    ],
)
def test_a_bare_name_names_the_operations_own_resource(source: str, name: str, arn: str) -> None:
    assert granted(source, name, {"Name": "t1"}) == {(f"{source.split('.')[0]}:{name}", arn)}


def _created(source: str, name: str, params: dict[str, object]) -> tuple[tuple[str, str], ...]:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]  # the new id is not known
    return event.uses


def test_an_imported_certificate_is_one_of_the_accounts_certificates() -> None:
    """awsdocs/aws-certificate-user-guide, ``doc_source/acm-supported-actions-in-cloudtrail.md`` at commit
    36ba3734: ImportCertificate without a ``certificateArn`` creates a certificate (its ARN is only in the
    response), so it is granted on the account's certificates in the call's region, said, not on ``*``."""
    params = {"privateKey": {"hb": ["byte"], "limit": 1674}, "certificate": {"hb": ["byte"], "limit": 1387}}
    assert _created("acm.amazonaws.com", "ImportCertificate", params) == (
        ("acm:ImportCertificate", f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/*"),
    )


def test_a_reimport_is_on_the_certificate_it_names() -> None:
    arn = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/01234567-89ab-cdef-0123-456789abcdef"
    params = {"certificateArn": arn, "certificate": {"hb": ["byte"]}}
    assert granted("acm.amazonaws.com", "ImportCertificate", params) == {("acm:ImportCertificate", arn)}


def test_a_create_whose_type_key_is_the_plural() -> None:
    """awsdocs/aws-data-exchange-user-guide, ``doc_source/logging-api-calls-with-cloudtrail.md`` at commit
    00285561: CreateDataSet makes a ``data-sets`` resource (the reference's key is the plural)."""
    params = {"Name": "MyDataSet", "AssetType": "S3_SNAPSHOT", "Description": "This is my data set"}
    assert _created("dataexchange.amazonaws.com", "CreateDataSet", params) == (
        ("dataexchange:CreateDataSet", f"arn:aws:dataexchange:us-east-1:{ACCOUNT}:data-sets/*"),
    )


@pytest.mark.parametrize(
    ("source", "name", "params", "action"),
    [
        # awsdocs/aws-marketplace-user-guide-for-sellers, doc_source/logging-aws-marketplace-api-calls-with-
        # aws-cloudtrail.md @ 6be82360
        (
            "metering-marketplace.amazonaws.com",
            "MeterUsage",
            {"productCode": "EXAMPLE_proCode", "usageDimension": "Dimension1", "usageQuantity": 1},
            "aws-marketplace:MeterUsage",
        ),
        (
            "metering-marketplace.amazonaws.com",
            "RegisterUsage",
            {"productCode": "EXAMPLE_proCode", "publicKeyVersion": 1},
            "aws-marketplace:RegisterUsage",
        ),
        # awsdocs/amazon-workmail-administration-guide, doc_source/logging-using-cloudtrail.md @ 5ec14785
        (
            "workmailMessageFlow.amazonaws.com",
            "GetRawMessageContent",
            {"messageId": "123A4A5A-67B8-90C1-D23E-45FG67H890J1"},
            "workmailmessageflow:GetRawMessageContent",
        ),
        # awsdocs/amazon-sagemaker-developer-guide, doc_source/experiments-monitoring.md @ a869fa5c
        (
            "metrics-sagemaker.amazonaws.com",
            "BatchPutMetrics",
            {"trialComponentName": "tc-1", "metricData": [{"metricName": "foo", "value": 0.9}]},
            "sagemaker:BatchPutMetrics",
        ),
    ],
)
def test_event_sources_named_apart_from_their_namespace(
    source: str, name: str, params: dict[str, object], action: str
) -> None:
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped"
    assert {used for used, _ in event.uses} == {action}


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("DescribeUser", f"arn:aws:quicksight:us-east-1:{ACCOUNT}:user/default/alice"),
        ("DeleteUser", f"arn:aws:quicksight:us-east-1:{ACCOUNT}:user/default/alice"),
        ("DescribeGroup", f"arn:aws:quicksight:us-east-1:{ACCOUNT}:group/default/analysts"),
        ("CreateGroupMembership", f"arn:aws:quicksight:us-east-1:{ACCOUNT}:group/default/analysts"),
    ],
)
def test_quicksight_users_and_groups_are_named_in_their_namespace(name: str, arn: str) -> None:
    """ "The permissions resource is arn:aws:quicksight:<your-region>:<relevant-aws-account-id>:group/default/
    <group-name>" (QuickSight API Reference, CreateGroup); users likewise (``user/default/<user-name>``).
    The SDK table wrote the name alone (``user/alice``), which no call is authorized on."""
    params = {"awsAccountId": ACCOUNT, "namespace": "default", "userName": "alice", "groupName": "analysts"}
    if name == "CreateGroupMembership":
        params["memberName"] = "alice"
    assert granted("quicksight.amazonaws.com", name, params) == {(f"quicksight:{name}", arn)}
