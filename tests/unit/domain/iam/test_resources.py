"""Resource ARNs built from records, per service and partition."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, context_of
from tests.unit.domain.iam.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    cloudtrail_record,
    s3_data_event,
    user_identity,
)

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Forum/stream/2015-05-20T20:51:10.252"


@pytest.fixture(scope="module")
def mapper() -> EventMapper:
    return EventMapper()


def rec(
    source: str, name: str, params: dict[str, Any] | None, partition: str = "aws", **kw: Any
) -> dict[str, Any]:
    region = {
        "aws": "us-east-1",
        "aws-cn": "cn-north-1",
        "aws-us-gov": "us-gov-west-1",
        "aws-eusc": "eusc-de-east-1",
        "aws-iso-b": "us-isob-east-1",
    }[partition]
    return cloudtrail_record(source, name, params, partition=partition, region=kw.pop("region", region), **kw)


# (record, expected uses as a set of (action, ARN))
CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    # --- S3: no region or account in S3 ARNs ---
    (
        "s3 object",
        s3_data_event("GetObject", "amzn-s3-demo-bucket", "a/b.txt"),
        {("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a/b.txt")},
    ),
    (
        "s3 bucket",
        s3_data_event("ListObjects", "amzn-s3-demo-bucket", None, params={"prefix": "a/"}),
        {("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket")},
    ),
    (
        "s3 object aws-cn",
        s3_data_event("PutObject", "cn-bucket", "k", partition="aws-cn", region="cn-north-1"),
        {("s3:PutObject", "arn:aws-cn:s3:::cn-bucket/k")},
    ),
    (
        "s3 management event without resources[]",
        rec("s3.amazonaws.com", "GetBucketPolicy", {"bucketName": "b", "policy": ""}),
        {("s3:GetBucketPolicy", "arn:aws:s3:::b")},
    ),
    (
        "s3 copy reads source, writes destination",
        rec(
            "s3.amazonaws.com",
            "CopyObject",
            {"bucketName": "dst", "key": "new.txt", "x-amz-copy-source": "src/old.txt"},
        ),
        {
            *(
                (f"s3:{verb}Object{what}", arn)
                for verb, arn in (("Put", "arn:aws:s3:::dst/new.txt"), ("Get", "arn:aws:s3:::src/old.txt"))
                # the source's tags and annotations go with it (test_copy_object_tags_and_annotations.py)
                for what in ("", "Tagging", "Annotation")
            )
        },
    ),
    (
        "s3 DeleteObjects with ARNPrefix",
        rec(
            "s3.amazonaws.com",
            "DeleteObjects",
            {"bucketName": "b", "delete": ""},
            resources=[
                {"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::b/"},
                {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b"},
            ],
        ),
        {("s3:DeleteObject", "arn:aws:s3:::b/*")},
    ),
    (
        "s3 us-gov",
        s3_data_event("GetObject", "gov-bucket", "x", partition="aws-us-gov", region="us-gov-west-1"),
        {("s3:GetObject", "arn:aws-us-gov:s3:::gov-bucket/x")},
    ),
    (
        # the European Sovereign Cloud: its own partition and a Region whose first part has four letters
        "dynamodb eusc",
        rec("dynamodb.amazonaws.com", "GetItem", {"tableName": "Orders"}, "aws-eusc"),
        {("dynamodb:GetItem", f"arn:aws-eusc:dynamodb:eusc-de-east-1:{ACCOUNT}:table/Orders")},
    ),
    (
        "sqs iso-b",
        rec(
            "sqs.amazonaws.com",
            "SendMessage",
            {"queueUrl": f"https://sqs.us-isob-east-1.sc2s.sgov.gov/{ACCOUNT}/jobs"},
            "aws-iso-b",
        ),
        {("sqs:SendMessage", f"arn:aws-iso-b:sqs:us-isob-east-1:{ACCOUNT}:jobs")},
    ),
    # --- DynamoDB ---
    (
        "dynamodb table",
        rec("dynamodb.amazonaws.com", "GetItem", {"tableName": "Orders", "key": {"id": {"S": "1"}}}),
        {("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders")},
    ),
    (
        # the iterator is the stream's ARN, "|1|" and a token (DynamoDB Streams API, GetShardIterator)
        "dynamodb stream by shard iterator",
        rec("dynamodb.amazonaws.com", "GetRecords", {"shardIterator": f"{STREAM}|1|AAAAAAAAAAEvJp6D"}),
        {("dynamodb:GetRecords", STREAM)},
    ),
    (
        "dynamodb index",
        rec("dynamodb.amazonaws.com", "Query", {"tableName": "Orders", "indexName": "byCustomer"}),
        {("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders/index/byCustomer")},
    ),
    (
        "dynamodb us-gov",
        rec("dynamodb.amazonaws.com", "PutItem", {"tableName": "T"}, "aws-us-gov"),
        {("dynamodb:PutItem", f"arn:aws-us-gov:dynamodb:us-gov-west-1:{ACCOUNT}:table/T")},
    ),
    (
        "dynamodb table ARN",
        rec(
            "dynamodb.amazonaws.com",
            "DeleteItem",
            {"tableName": f"arn:aws:dynamodb:us-east-1:{OTHER_ACCOUNT}:table/Shared"},
        ),
        {("dynamodb:DeleteItem", f"arn:aws:dynamodb:us-east-1:{OTHER_ACCOUNT}:table/Shared")},
    ),
    (
        "dynamodb batch",
        rec("dynamodb.amazonaws.com", "BatchGetItem", {"requestItems": {"A": {}, "B": {}}}),
        {
            ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/A"),
            ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/B"),
        },
    ),
    (
        "dynamodb index in a data event whose resources[] names the table",
        rec(
            "dynamodb.amazonaws.com",
            "Query",
            {"tableName": "Orders", "indexName": "byCustomer", "keyConditionExpression": "c = :c"},
            resources=[
                {
                    "accountId": ACCOUNT,
                    "type": "AWS::DynamoDB::Table",
                    "ARN": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders",
                }
            ],
            data_event=True,
        ),
        {("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders/index/byCustomer")},
    ),
    (
        "dynamodb table in a data event",
        rec(
            "dynamodb.amazonaws.com",
            "Query",
            {"tableName": "Orders", "keyConditionExpression": "c = :c"},
            resources=[
                {
                    "accountId": ACCOUNT,
                    "type": "AWS::DynamoDB::Table",
                    "ARN": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders",
                }
            ],
            data_event=True,
        ),
        {("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders")},
    ),
    (
        "lambda alias invoke whose resources[] names the function",
        rec(
            "lambda.amazonaws.com",
            "Invoke",
            {"functionName": "thumbnail", "qualifier": "live"},
            resources=[
                {
                    "accountId": ACCOUNT,
                    "type": "AWS::Lambda::Function",
                    "ARN": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail",
                }
            ],
            data_event=True,
        ),
        {("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail:live")},
    ),
    # --- SQS: the queue URL names the owning account ---
    (
        "sqs url",
        rec(
            "sqs.amazonaws.com",
            "SendMessage",
            {"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{OTHER_ACCOUNT}/jobs", "messageBody": "x"},
        ),
        {("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{OTHER_ACCOUNT}:jobs")},
    ),
    (
        "sqs aws-cn",
        rec(
            "sqs.amazonaws.com",
            "DeleteMessage",
            {"queueUrl": f"https://sqs.cn-north-1.amazonaws.com.cn/{ACCOUNT}/jobs.fifo"},
            "aws-cn",
        ),
        {("sqs:DeleteMessage", f"arn:aws-cn:sqs:cn-north-1:{ACCOUNT}:jobs.fifo")},
    ),
    (
        "sqs create by name",
        rec("sqs.amazonaws.com", "CreateQueue", {"queueName": "new-q"}),
        {("sqs:CreateQueue", f"arn:aws:sqs:us-east-1:{ACCOUNT}:new-q")},
    ),
    # --- SNS ---
    (
        "sns topic",
        rec("sns.amazonaws.com", "Publish", {"topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}),
        {("sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts")},
    ),
    (
        "sns us-gov",
        rec(
            "sns.amazonaws.com",
            "Subscribe",
            {"topicArn": f"arn:aws-us-gov:sns:us-gov-west-1:{ACCOUNT}:alerts", "protocol": "sqs"},
            "aws-us-gov",
        ),
        {("sns:Subscribe", f"arn:aws-us-gov:sns:us-gov-west-1:{ACCOUNT}:alerts")},
    ),
    # --- KMS ---
    (
        "kms key id",
        rec("kms.amazonaws.com", "Encrypt", {"keyId": KEY_ID}),
        {("kms:Encrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}")},
    ),
    (
        "kms key ARN in another account",
        rec("kms.amazonaws.com", "Decrypt", {"keyId": f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/{KEY_ID}"}),
        {("kms:Decrypt", f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/{KEY_ID}")},
    ),
    (
        "kms alias resolved by resources[]",
        rec(
            "kms.amazonaws.com",
            "GenerateDataKey",
            {"keyId": "alias/app", "keySpec": "AES_256"},
            resources=[
                {
                    "accountId": ACCOUNT,
                    "type": "AWS::KMS::Key",
                    "ARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}",
                }
            ],
        ),
        {("kms:GenerateDataKey", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}")},
    ),
    (
        "kms alias without key ARN is *",
        rec("kms.amazonaws.com", "GenerateDataKey", {"keyId": "alias/app"}),
        {("kms:GenerateDataKey", "*")},
    ),
    (
        "kms create alias names alias and key",
        rec("kms.amazonaws.com", "CreateAlias", {"aliasName": "alias/app", "targetKeyId": KEY_ID}, "aws-cn"),
        {
            ("kms:CreateAlias", f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:alias/app"),
            ("kms:CreateAlias", f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{KEY_ID}"),
        },
    ),
    # --- Secrets Manager: names get the 6-character suffix as a wildcard of exactly six characters ---
    (
        "secret name",
        rec("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/db"}),
        {
            (
                "secretsmanager:GetSecretValue",
                f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-??????",
            )
        },
    ),
    (
        "secret full ARN",
        rec(
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf"},
        ),
        {
            (
                "secretsmanager:GetSecretValue",
                f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf",
            )
        },
    ),
    (
        "secret aws-cn name",
        rec("secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": "api-key"}, "aws-cn"),
        {
            (
                "secretsmanager:DescribeSecret",
                f"arn:aws-cn:secretsmanager:cn-north-1:{ACCOUNT}:secret:api-key-??????",
            )
        },
    ),
    # --- SSM parameters: with or without the leading slash ---
    (
        "ssm slash",
        rec("ssm.amazonaws.com", "GetParameter", {"name": "/app/db/password", "withDecryption": True}),
        {("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db/password")},
    ),
    (
        "ssm no slash",
        rec("ssm.amazonaws.com", "PutParameter", {"name": "feature-flag", "type": "String"}),
        {("ssm:PutParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/feature-flag")},
    ),
    (
        "ssm us-gov list",
        rec("ssm.amazonaws.com", "GetParameters", {"names": ["/a", "b"]}, "aws-us-gov"),
        {
            ("ssm:GetParameters", f"arn:aws-us-gov:ssm:us-gov-west-1:{ACCOUNT}:parameter/a"),
            ("ssm:GetParameters", f"arn:aws-us-gov:ssm:us-gov-west-1:{ACCOUNT}:parameter/b"),
        },
    ),
    (
        "ssm by path",
        rec("ssm.amazonaws.com", "GetParametersByPath", {"path": "/app/", "recursive": True}),
        {
            ("ssm:GetParametersByPath", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/"),
            ("ssm:GetParametersByPath", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app"),
        },
    ),
    # --- Lambda: names, partial and full ARNs; qualifiers kept (IAM compares the ARN the call used) ---
    (
        "lambda name",
        rec("lambda.amazonaws.com", "Invoke", {"functionName": "thumbnail"}),
        {("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail")},
    ),
    (
        "lambda partial ARN",
        rec(
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": f"{OTHER_ACCOUNT}:function:thumbnail"},
        ),
        {("lambda:GetFunction", f"arn:aws:lambda:us-east-1:{OTHER_ACCOUNT}:function:thumbnail")},
    ),
    (
        "lambda full ARN aws-cn with alias",
        rec(
            "lambda.amazonaws.com",
            "Invoke",
            {"functionName": f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:thumbnail:live"},
            "aws-cn",
        ),
        {("lambda:InvokeFunction", f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:thumbnail:live")},
    ),
    (
        "lambda qualifier parameter",
        rec(
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": "thumbnail", "qualifier": "7"},
        ),
        {("lambda:GetFunctionConfiguration", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail:7")},
    ),
    (
        "lambda data event resources[]",
        rec(
            "lambda.amazonaws.com",
            "Invoke",
            {"functionName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail"},
            resources=[
                {
                    "accountId": ACCOUNT,
                    "type": "AWS::Lambda::Function",
                    "ARN": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail",
                }
            ],
            data_event=True,
        ),
        {("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail")},
    ),
    # --- IAM: global (no region); a bare name may sit under a path ---
    (
        "iam role name",
        rec("iam.amazonaws.com", "GetRole", {"roleName": "deployer"}),
        {
            ("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/deployer"),
            ("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/*/deployer"),
        },
    ),
    (
        "iam role with path",
        rec(
            "iam.amazonaws.com",
            "CreateRole",
            {"roleName": "deployer", "path": "/ci/", "assumeRolePolicyDocument": "{}"},
        ),
        {("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/ci/deployer")},
    ),
    (
        "iam user aws-cn",
        rec(
            "iam.amazonaws.com",
            "CreateAccessKey",
            {"userName": "Alice"},
            "aws-cn",
            identity=user_identity("aws-cn"),
        ),
        # the caller's own user: its ARN in userIdentity says its path (test_iam_caller_by_name.py)
        {("iam:CreateAccessKey", f"arn:aws-cn:iam::{ACCOUNT}:user/Alice")},
    ),
    (
        "iam policy ARN us-gov",
        rec(
            "iam.amazonaws.com",
            "GetPolicyVersion",
            {"policyArn": f"arn:aws-us-gov:iam::{ACCOUNT}:policy/app", "versionId": "v2"},
            "aws-us-gov",
        ),
        {("iam:GetPolicyVersion", f"arn:aws-us-gov:iam::{ACCOUNT}:policy/app")},
    ),
    (
        "iam pass role via sts",
        rec(
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{OTHER_ACCOUNT}:role/ops/auditor", "roleSessionName": "s"},
        ),
        {("sts:AssumeRole", f"arn:aws:iam::{OTHER_ACCOUNT}:role/ops/auditor")},
    ),
    (
        "cloudtrail with logs role",
        rec(
            "cloudtrail.amazonaws.com",
            "CreateTrail",
            {
                "name": "org-trail",
                "s3BucketName": "trail-bucket",
                "cloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ct-logs",
            },
        ),
        {
            ("cloudtrail:CreateTrail", f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-trail"),
            ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/ct-logs"),
        },
    ),
    (
        "iam create user without a path: the path is / (IAM API Reference, CreateUser)",
        rec("iam.amazonaws.com", "CreateUser", {"userName": "temp-admin"}),
        {
            ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/temp-admin"),
        },
    ),
    (
        "cloudformation stack: generated id only is a wildcard",
        rec("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": "orders-prod"}),
        {
            (
                "cloudformation:DescribeStacks",
                f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/orders-prod/*",
            )
        },
    ),
    (
        "iam self-service acts on the calling user",
        rec("iam.amazonaws.com", "ListAccessKeys", None, identity=user_identity(user="people/alice")),
        {("iam:ListAccessKeys", f"arn:aws:iam::{ACCOUNT}:user/people/alice")},
    ),
    (
        "ec2 instances from instancesSet",
        rec(
            "ec2.amazonaws.com",
            "StopInstances",
            {
                "instancesSet": {
                    "items": [{"instanceId": "i-0a1b2c3d4e5f67890"}, {"instanceId": "i-0fedcba9876543210"}]
                },
                "force": False,
            },
        ),
        {
            ("ec2:StopInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0a1b2c3d4e5f67890"),
            ("ec2:StopInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0fedcba9876543210"),
        },
    ),
    # --- actions without resource types: * and nothing to report ---
    (
        "no resource type",
        rec("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}}),
        {("ec2:DescribeInstances", "*")},
    ),
]


@pytest.mark.parametrize(("record", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_resource_arns(mapper: EventMapper, record: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    event = mapper.map(record)
    assert event.kind == "mapped", event.reason
    assert set(event.uses) == expected
    if all(resource != "*" for _, resource in expected):
        assert event.reason == ""


def test_undetermined_resource_falls_back_to_star_and_says_so(mapper: EventMapper) -> None:
    event = mapper.map(rec("sqs.amazonaws.com", "SendMessage", {"messageBody": "no queue url here"}))
    assert event.uses == (("sqs:SendMessage", "*"),)
    assert event.reason == "resource not determined, using *: sqs:SendMessage"


def test_a_role_session_is_not_a_user(mapper: EventMapper) -> None:
    """Only an IAM user is its own resource; an assumed-role session calling GetUser names no user."""
    event = mapper.map(rec("iam.amazonaws.com", "GetUser", None))
    assert event.uses == (("iam:GetUser", "*"),)


def test_a_constant_alone_never_makes_an_arn(mapper: EventMapper) -> None:
    """iam-dataset maps BatchGetItem's table to the constant ``*``: without table names in the record
    that would be every table of the account; we fall back to ``*`` and say so instead."""
    event = mapper.map(rec("dynamodb.amazonaws.com", "BatchGetItem", {"returnConsumedCapacity": "TOTAL"}))
    assert event.uses == (("dynamodb:BatchGetItem", "*"),)
    assert "dynamodb:BatchGetItem" in event.reason


def test_a_request_naming_nothing_is_on_the_fixed_resource_its_action_requires(mapper: EventMapper) -> None:
    """Glue PutResourcePolicy without ResourceArn sets the Data Catalog's policy ("ResourceArn: Do not use.
    For internal use only", Glue API reference); the Service Authorization Reference requires its
    ``rootcatalog`` (``catalog``, no variables) and lists catalogs, databases and tables as optional. It
    was granted on ``*`` with a finding because those optional types have variables. The request, as
    cloud-custodian's captured event has it (tests/data/cwe/event-cloud-trail-catalog-put-resource-policy
    .json, https://github.com/cloud-custodian/cloud-custodian, Apache-2.0), names nothing. A request that
    names something (GetCatalog's CatalogId of a catalog whose ARN no page gives, a ResourceArn) is still not
    narrowed to the fixed resource (an S3 table bucket's catalog is read: test_glue_nested_catalogs.py)."""
    catalog = f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"
    policy = '{"Version": "2012-10-17", "Statement": []}'
    put = {"policyHashCondition": "qwerwqerewqrewqr==", "policyInJson": policy}
    for name, params in (("PutResourcePolicy", put), ("GetResourcePolicy", {}), ("GetCatalogs", {})):
        event = mapper.map(rec("glue.amazonaws.com", name, params))
        assert event.uses == ((f"glue:{name}", catalog),) and not event.notes
    nested = mapper.map(
        rec("glue.amazonaws.com", "GetCatalog", {"catalogId": f"{ACCOUNT}:federated-catalog/child"})
    )
    assert nested.uses == (("glue:GetCatalog", "*"),) and nested.notes


def test_a_request_naming_resources_of_other_kinds_only_is_on_star_without_the_finding(
    mapper: EventMapper,
) -> None:
    """CloudHSM CreateCluster's only resource type is the optional ``backup`` it restores from, which the
    SDK table reads from ``SourceBackupId`` (Service Authorization Reference; CloudHSM API reference,
    CreateCluster: "SourceBackupId: The identifier (ID) or the Amazon Resource Name (ARN) of the cluster
    backup to restore"). A new cluster names no backup and is rightly granted on ``*``, but the finding
    said the record names the resource in a form the mapper does not read: its ``subnetIds`` (EC2 subnets)
    made it look as if it named something. The request as cloud-custodian's captured event has it
    (tests/data/cwe/event-cloud-trail-hsm-create-cluster.json, Apache-2.0). The finding stays for the tags,
    which go on the new cluster the response names, and where a parameter may name the action's types: a
    parameter named after them, or one the table does not say the types are named by."""
    params = {
        "backupRetentionPolicy": {"type": "DAYS", "value": "90"},
        "hsmType": "hsm1.medium",
        "subnetIds": ["subnet-07c118e47bb84cee7"],
    }
    event = mapper.map(rec("cloudhsm.amazonaws.com", "CreateCluster", params))
    assert event.uses == (("cloudhsm:CreateCluster", "*"),) and not event.notes
    tagged = mapper.map(rec("cloudhsm.amazonaws.com", "CreateCluster", {**params, "tagList": [{"key": "k"}]}))
    assert [n[2].split(": ", 1)[1] for n in tagged.notes] == [
        "cloudhsm:TagResource on * (the record does not name the resource in a form the mapper reads)"
    ]
    backup = mapper.map(rec("cloudhsm.amazonaws.com", "CreateCluster", {**params, "restoreBackupId": "b-1"}))
    assert backup.notes  # a parameter named after the type, in a form the table does not read
    # EC2 DisassociateAddress's table fills its types with a constant: its AssociationId may stand for the
    # address (EC2 API reference, DisassociateAddress)
    association = {"associationId": "eipassoc-12345678"}
    address = mapper.map(rec("ec2.amazonaws.com", "DisassociateAddress", association))
    assert address.uses == (("ec2:DisassociateAddress", "*"),) and address.notes


@pytest.mark.parametrize(
    ("source", "name", "params", "action", "kind"),
    [
        # "InstanceId", "HealthStatus", "ShouldRespectGracePeriod" (Auto Scaling API Reference,
        # SetInstanceHealth): the action's one type is the instance's autoScalingGroup
        (
            "autoscaling.amazonaws.com",
            "SetInstanceHealth",
            {
                "instanceId": "i-0b5d7e3b8a0d33f58",
                "healthStatus": "Unhealthy",
                "shouldRespectGracePeriod": True,
            },
            "autoscaling:SetInstanceHealth",
            "autoscalinggroup",
        ),
        # "AccessKeyId: The identifier of an access key" (IAM API Reference, GetAccessKeyLastUsed; the
        # reference's example key), authorized on the key's user
        (
            "iam.amazonaws.com",
            "GetAccessKeyLastUsed",
            {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
            "iam:GetAccessKeyLastUsed",
            "user",
        ),
        # "logRecordPointer: The pointer corresponding to the log event record you want to retrieve. You
        # get this from the response of a GetQueryResults operation", "unmask" (CloudWatch Logs API
        # Reference, GetLogRecord), authorized on the log group
        (
            "logs.amazonaws.com",
            "GetLogRecord",
            {"logRecordPointer": "CkUKQQowMTIzNDU2Nzg5MDEyOmF3cy9sYW1iZGEvZXhhbXBsZRABGAE", "unmask": False},
            "logs:GetLogRecord",
            "log-group",
        ),
        # "AssociationId: The association ID. This parameter is required." (EC2 API Reference,
        # DisassociateAddress), authorized on the address and the network interface
        (
            "ec2.amazonaws.com",
            "DisassociateAddress",
            {"associationId": "eipassoc-2bebb745"},
            "ec2:DisassociateAddress",
            "elastic-ip or network-interface",
        ),
    ],
)
def test_a_request_that_cannot_name_the_resource_is_said_so(
    mapper: EventMapper, source: str, name: str, params: dict[str, Any], action: str, kind: str
) -> None:
    """A call authorized on a resource no parameter of its request names keeps ``*`` with the finding, but
    the finding said "the record does not name the resource in a form the mapper reads", untrue: the
    request has no such form, and a reader went looking for a parser gap (found by the mapping pass on the
    calls left on ``*``). It now says the request has no parameter naming the resource's type, and which of
    its naming parameters (``instanceId``, ``accessKeyId``) were ruled out by their names only."""
    event = mapper.map(rec(source, name, params))
    assert event.uses == ((action, "*"),)
    naming = [key for key in params if key.endswith("Id")]
    unless = f", unless {naming[0]} does" if naming else ""
    assert [n[2] for n in event.notes] == [
        f"{source}:{name}: {action} on * (the request has no parameter naming the {kind} it is authorized on"
        f"{unless})"
    ]


def test_a_naming_parameter_ruled_out_by_its_name_only_is_said(mapper: EventMapper) -> None:
    """Whether a parameter may name the resource is told from its name (``fill._may_name``), and a name can
    mislead: SSM's ``CalendarNames`` are documents, EMR's ``JobFlowIds`` clusters (both were said to leave
    the resource unnamed). The finding names the naming parameters it set aside instead of saying that no
    parameter could name it. "QueryExecutionId: The unique ID of the query execution" (Athena API
    Reference, GetQueryExecution), authorized on the workgroup the query ran in."""
    event = mapper.map(
        rec(
            "athena.amazonaws.com",
            "GetQueryExecution",
            {"queryExecutionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
        )
    )
    assert event.uses == (("athena:GetQueryExecution", "*"),)
    assert [n[2] for n in event.notes] == [
        "athena.amazonaws.com:GetQueryExecution: athena:GetQueryExecution on * (the request has no parameter "
        "naming the workgroup it is authorized on, unless queryExecutionId does)"
    ]


def test_a_certificate_arn_names_the_cert_and_a_cognito_id_keeps_the_wording() -> None:
    """AttachThingPrincipal's ``principal`` is "The principal, which can be a certificate ARN (as returned
    from the CreateCertificate operation) or an Amazon Cognito ID" (IoT API Reference): a certificate's ARN
    is the action's ``cert``, its only type (read as any ARN the request gives of one of the action's types,
    ``fill.given_arns``; before, the finding blamed the form); a Cognito identity names no certificate. One
    mapper, both orders: the memo keys on an ARN a parameter holds, so neither record takes the other's
    result."""
    cert = f"arn:aws:iot:us-east-1:{ACCOUNT}:cert/a0c01f5835079de0a7514643d68ef8414ab739a1e94ee4162977b02b128"
    cognito = "us-east-1:12345678-1234-1234-1234-123456789012"
    for order in ((cert, cognito), (cognito, cert)):
        fresh = EventMapper()
        for principal in order:
            event = fresh.map(
                rec(
                    "iot.amazonaws.com",
                    "AttachThingPrincipal",
                    {"thingName": "sensor-1", "principal": principal},
                )
            )
            if principal == cert:
                assert (event.uses, event.notes) == ((("iot:AttachThingPrincipal", cert),), ())
                continue
            why = "the request has no parameter naming the cert it is authorized on, unless thingName does"
            assert [n[2] for n in event.notes] == [
                f"iot.amazonaws.com:AttachThingPrincipal: iot:AttachThingPrincipal on * ({why})"
            ]


def test_a_virtual_mfa_device_is_named_by_its_serial_number(mapper: EventMapper) -> None:
    """ "SerialNumber: The serial number that uniquely identifies the MFA device. For virtual MFA devices, the
    serial number is the same as the ARN" (IAM API Reference, DeleteVirtualMFADevice; TagMFADevice,
    UntagMFADevice, ListMFADeviceTags): the reference's ``mfa`` type, which they were never granted on
    (``*``; found by the QA pass on Filebeat's delete-virtual-mfa-device-json.log, elastic/beats
    x-pack/filebeat/module/aws/cloudtrail/test, whose request is this one). A hardware device's serial is no
    ARN: ``*``, said."""
    device = f"arn:aws:iam::{ACCOUNT}:mfa/Alice"
    for name, extra in (
        ("DeleteVirtualMFADevice", {}),
        ("TagMFADevice", {"tags": [{"key": "team", "value": "a"}]}),
        ("UntagMFADevice", {"tagKeys": ["team"]}),
        ("ListMFADeviceTags", {}),
    ):
        event = mapper.map(rec("iam.amazonaws.com", name, {"serialNumber": device, **extra}))
        assert event.uses == ((f"iam:{name}", device),) and not event.notes, name
    hardware = mapper.map(rec("iam.amazonaws.com", "ListMFADeviceTags", {"serialNumber": "GAHT12345678"}))
    assert hardware.uses == (("iam:ListMFADeviceTags", "*"),) and hardware.notes


def test_a_fixed_required_type_is_added_beside_the_resource_a_request_names(mapper: EventMapper) -> None:
    """Glue GetResourcePolicy and DeleteResourcePolicy take "ResourceArn: The ARN of the Glue resource for
    which to retrieve the resource policy" (Glue API reference), a database or a table; the Service
    Authorization Reference requires ``rootcatalog`` (``catalog``, no variables) and lists catalogs,
    databases and tables as optional. Naming a database, the call was granted on ``*`` with a finding: the
    fixed catalog was not added beside the named ARN, since a required type to complete had to have
    variables. It is the catalog of the account and region the ARN names (a database shared from another
    account is in that account's catalog)."""
    for name in ("GetResourcePolicy", "DeleteResourcePolicy"):
        for account, resource in ((ACCOUNT, "database/sales"), (OTHER_ACCOUNT, "table/sales/orders")):
            named = f"arn:aws:glue:eu-west-1:{account}:{resource}"
            event = mapper.map(rec("glue.amazonaws.com", name, {"resourceArn": named}))
            catalog = f"arn:aws:glue:eu-west-1:{account}:catalog"
            assert set(event.uses) == {(f"glue:{name}", named), (f"glue:{name}", catalog)}
            assert not event.notes


def test_context_prefers_principal_partition_and_recipient_account() -> None:
    record = rec("s3.amazonaws.com", "ListBuckets", None, "aws-cn", account=OTHER_ACCOUNT)
    assert context_of(record).partition == "aws-cn"
    assert context_of(record).account == OTHER_ACCOUNT
    assert context_of(record).region == "cn-north-1"


def test_parameters_as_json_text(mapper: EventMapper) -> None:
    """CloudTrail Lake and Athena exports keep requestParameters (or nested values) as JSON text."""
    record = rec("ssm.amazonaws.com", "GetParameters", None)
    record["requestParameters"] = '{"names": "[\\"/a\\", \\"/b\\"]", "withDecryption": "true"}'
    event = mapper.map(record)
    assert set(event.uses) == {
        ("ssm:GetParameters", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/a"),
        ("ssm:GetParameters", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/b"),
    }
    other = rec("ssm.amazonaws.com", "GetParameters", None)
    other["requestParameters"] = '{"names": ["/c"]}'
    assert mapper.map(other).uses == (("ssm:GetParameters", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/c"),)


def test_a_secret_named_without_its_suffix_is_granted_that_secret_only() -> None:
    """``NAME-*`` also matched every secret whose name starts with ``NAME-``; ``NAME-??????`` matches the
    six random characters Secrets Manager appends and nothing else (IAM's ``?`` is one character)."""
    from fnmatch import fnmatchcase

    event = EventMapper().map(rec("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/db"}))
    [(_, granted)] = event.uses
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db"
    assert fnmatchcase(f"{secret}-AbCdEf", granted)
    assert not fnmatchcase(f"{secret}-admin-AbCdEf", granted)
