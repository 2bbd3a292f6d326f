"""Event -> action mapping, table-driven over real (eventSource, eventName) pairs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper, MappedEvent
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, s3_data_event, user_identity


@pytest.fixture(scope="module")
def mapper() -> EventMapper:
    return EventMapper()


def actions_of(event: MappedEvent) -> set[str]:
    return {action for action, _ in event.uses}


# (eventSource, eventName, requestParameters, expected actions). Names as CloudTrail writes them: Lambda
# and CloudFront carry API version suffixes, S3 logs REST operation names.
MAPPING_TABLE: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    # S3: names that differ from their action
    ("s3.amazonaws.com", "ListObjects", {"bucketName": "b"}, {"s3:ListBucket"}),
    ("s3.amazonaws.com", "ListObjectsV2", {"bucketName": "b", "list-type": "2"}, {"s3:ListBucket"}),
    ("s3.amazonaws.com", "HeadObject", {"bucketName": "b", "key": "k"}, {"s3:GetObject"}),
    (
        "s3.amazonaws.com",
        "HeadObject",
        {"bucketName": "b", "key": "k", "versionId": "3HL4k"},
        {"s3:GetObjectVersion"},
    ),
    ("s3.amazonaws.com", "HeadBucket", {"bucketName": "b"}, {"s3:ListBucket"}),
    ("s3.amazonaws.com", "GetObjectAcl", {"bucketName": "b", "key": "k", "acl": ""}, {"s3:GetObjectAcl"}),
    ("s3.amazonaws.com", "GetBucketAcl", {"bucketName": "b", "acl": ""}, {"s3:GetBucketAcl"}),
    ("s3.amazonaws.com", "ListBuckets", None, {"s3:ListAllMyBuckets"}),
    (
        "s3.amazonaws.com",
        "ListObjectVersions",
        {"bucketName": "b", "versions": ""},
        {"s3:ListBucketVersions"},
    ),
    ("s3.amazonaws.com", "GetBucketEncryption", {"bucketName": "b"}, {"s3:GetEncryptionConfiguration"}),
    (
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        {"bucketName": "b", "lifecycle": ""},
        {"s3:PutLifecycleConfiguration"},
    ),
    ("s3.amazonaws.com", "GetBucketLifecycle", {"bucketName": "b"}, {"s3:GetLifecycleConfiguration"}),
    ("s3.amazonaws.com", "DeleteBucketCors", {"bucketName": "b"}, {"s3:PutBucketCORS"}),
    (
        "s3.amazonaws.com",
        "DeleteBucketPublicAccessBlock",
        {"bucketName": "b"},
        {"s3:PutBucketPublicAccessBlock"},
    ),
    (
        "s3.amazonaws.com",
        "DeleteBucketOwnershipControls",
        {"bucketName": "b"},
        {"s3:PutBucketOwnershipControls"},
    ),
    ("s3.amazonaws.com", "CreateMultipartUpload", {"bucketName": "b", "key": "k"}, {"s3:PutObject"}),
    ("s3.amazonaws.com", "UploadPart", {"bucketName": "b", "key": "k", "partNumber": "1"}, {"s3:PutObject"}),
    ("s3.amazonaws.com", "CompleteMultipartUpload", {"bucketName": "b", "key": "k"}, {"s3:PutObject"}),
    (
        "s3.amazonaws.com",
        "CopyObject",
        {"bucketName": "b", "key": "k2", "x-amz-copy-source": "a/k1"},
        # the source's tags and annotations are copied too (test_copy_object_tags_and_annotations.py)
        {
            "s3:GetObject",
            "s3:PutObject",
            "s3:GetObjectTagging",
            "s3:PutObjectTagging",
            "s3:GetObjectAnnotation",
            "s3:PutObjectAnnotation",
        },
    ),
    ("s3.amazonaws.com", "SelectObjectContent", {"bucketName": "b", "key": "k"}, {"s3:GetObject"}),
    ("s3.amazonaws.com", "GetAccessPoint", {"name": "ap"}, {"s3:GetAccessPoint"}),
    (
        "s3.amazonaws.com",
        "GetObject",
        {"bucketName": "b", "key": "k", "versionId": "3HL4k"},
        {"s3:GetObjectVersion"},
    ),
    (
        "s3.amazonaws.com",
        "DeleteObject",
        {"bucketName": "b", "key": "k", "versionId": "3HL4k"},
        {"s3:DeleteObjectVersion"},
    ),
    (
        "s3.amazonaws.com",
        "PutObject",
        {"bucketName": "b", "key": "k", "x-amz-acl": "bucket-owner-full-control"},
        {"s3:PutObject", "s3:PutObjectAcl"},
    ),
    (
        "s3.amazonaws.com",
        "PutObject",
        {"bucketName": "b", "key": "k", "x-amz-tagging": "team=data"},
        {"s3:PutObject", "s3:PutObjectTagging"},
    ),
    ("s3.amazonaws.com", "PutObject", {"bucketName": "b", "key": "k"}, {"s3:PutObject"}),
    # Lambda: version suffixes, Invoke -> InvokeFunction
    ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "f"}, {"lambda:GetFunction"}),
    (
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": "f"},
        {"lambda:GetFunctionConfiguration"},
    ),
    ("lambda.amazonaws.com", "ListFunctions20150331", None, {"lambda:ListFunctions"}),
    (
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "f"},
        {"lambda:UpdateFunctionCode"},
    ),
    (
        "lambda.amazonaws.com",
        "ListTags20170331",
        {"resource": "arn:aws:lambda:us-east-1:111122223333:function:f"},
        {"lambda:ListTags"},
    ),
    ("lambda.amazonaws.com", "Invoke", {"functionName": "f"}, {"lambda:InvokeFunction"}),
    (
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        {"functionName": "f", "role": "arn:aws:iam::111122223333:role/lambda-exec", "runtime": "python3.12"},
        {"lambda:CreateFunction", "iam:PassRole"},
    ),
    # CloudFront: date suffixes
    (
        "cloudfront.amazonaws.com",
        "CreateInvalidation2020_05_31",
        {"distributionId": "EDFDVBD6EXAMPLE"},
        {"cloudfront:CreateInvalidation"},
    ),
    (
        "cloudfront.amazonaws.com",
        "GetDistribution2020_05_31",
        {"id": "EDFDVBD6EXAMPLE"},
        {"cloudfront:GetDistribution"},
    ),
    # calls that need more than one action
    (
        "cloudtrail.amazonaws.com",
        "CreateTrail",
        {"name": "t", "s3BucketName": "trail-bucket"},
        {"cloudtrail:CreateTrail"},
    ),
    (
        "cloudtrail.amazonaws.com",
        "CreateTrail",
        {
            "name": "t",
            "s3BucketName": "trail-bucket",
            "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:ct:*",
            "cloudWatchLogsRoleArn": "arn:aws:iam::111122223333:role/ct-logs",
        },
        {"cloudtrail:CreateTrail", "iam:PassRole"},
    ),
    (
        "kms.amazonaws.com",
        "ReEncrypt",
        {
            "sourceKeyId": "arn:aws:kms:us-east-1:111122223333:key/a1",
            "destinationKeyId": "arn:aws:kms:us-east-1:111122223333:key/b2",
        },
        {"kms:ReEncryptFrom", "kms:ReEncryptTo"},
    ),
    (
        "dynamodb.amazonaws.com",
        "TransactWriteItems",
        {"transactItems": [{"put": {"tableName": "Orders"}}, {"update": {"tableName": "Stock"}}]},
        {"dynamodb:PutItem", "dynamodb:UpdateItem"},
    ),
    # namespaces that differ from the host name
    ("monitoring.amazonaws.com", "PutMetricData", {"namespace": "App"}, {"cloudwatch:PutMetricData"}),
    ("monitoring.amazonaws.com", "GetMetricData", None, {"cloudwatch:GetMetricData"}),
    ("tagging.amazonaws.com", "GetResources", None, {"tag:GetResources"}),
    ("apigateway.amazonaws.com", "GetRestApis", None, {"apigateway:GET"}),
    # plain calls across services
    (
        "ec2.amazonaws.com",
        "DescribeInstances",
        {"instancesSet": {}, "filterSet": {}},
        {"ec2:DescribeInstances"},
    ),
    (
        "ec2.amazonaws.com",
        "RunInstances",
        {"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890"}]}},
        {"ec2:RunInstances"},
    ),
    ("iam.amazonaws.com", "ListRoles", None, {"iam:ListRoles"}),
    ("iam.amazonaws.com", "GetRole", {"roleName": "r"}, {"iam:GetRole"}),
    ("iam.amazonaws.com", "CreateAccessKey", {"userName": "Alice"}, {"iam:CreateAccessKey"}),
    (
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": "arn:aws:iam::111122223333:role/x", "roleSessionName": "s"},
        {"sts:AssumeRole"},
    ),
    ("kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, {"kms:Decrypt"}),
    (
        "kms.amazonaws.com",
        "GenerateDataKey",
        {"keyId": "alias/app", "keySpec": "AES_256"},
        {"kms:GenerateDataKey"},
    ),
    (
        "logs.amazonaws.com",
        "CreateLogStream",
        {"logGroupName": "g", "logStreamName": "s"},
        {"logs:CreateLogStream"},
    ),
    (
        "logs.amazonaws.com",
        "PutLogEvents",
        {"logGroupName": "g", "logStreamName": "s"},
        {"logs:PutLogEvents"},
    ),
    ("events.amazonaws.com", "PutEvents", None, {"events:PutEvents"}),
    (
        "states.amazonaws.com",
        "StartExecution",
        {"stateMachineArn": "arn:aws:states:us-east-1:111122223333:stateMachine:sm"},
        {"states:StartExecution"},
    ),
    (
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        {"secretId": "prod/db"},
        {"secretsmanager:GetSecretValue"},
    ),
    ("ssm.amazonaws.com", "GetParameter", {"name": "/app/db", "withDecryption": True}, {"ssm:GetParameter"}),
    ("sns.amazonaws.com", "Publish", {"topicArn": "arn:aws:sns:us-east-1:111122223333:t"}, {"sns:Publish"}),
    (
        "sqs.amazonaws.com",
        "ReceiveMessage",
        {"queueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q"},
        {"sqs:ReceiveMessage"},
    ),
    (
        "dynamodb.amazonaws.com",
        "Query",
        {"tableName": "Orders", "indexName": "byCustomer"},
        {"dynamodb:Query"},
    ),
    ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "Orders"}, {"dynamodb:DescribeTable"}),
    (
        "dynamodb.amazonaws.com",
        "BatchWriteItem",
        {"requestItems": {"Orders": [{}]}},
        {"dynamodb:BatchWriteItem"},
    ),
    ("ecr.amazonaws.com", "GetAuthorizationToken", None, {"ecr:GetAuthorizationToken"}),
    ("ecr.amazonaws.com", "BatchGetImage", {"repositoryName": "app"}, {"ecr:BatchGetImage"}),
    ("eks.amazonaws.com", "DescribeCluster", {"name": "prod"}, {"eks:DescribeCluster"}),
    ("rds.amazonaws.com", "DescribeDBInstances", None, {"rds:DescribeDBInstances"}),
    (
        "cloudformation.amazonaws.com",
        "DescribeStacks",
        {"stackName": "app"},
        {"cloudformation:DescribeStacks"},
    ),
    (
        "athena.amazonaws.com",
        "StartQueryExecution",
        {"queryString": "SELECT 1", "workGroup": "primary"},
        {"athena:StartQueryExecution"},
    ),
    ("organizations.amazonaws.com", "DescribeOrganization", None, {"organizations:DescribeOrganization"}),
]


@pytest.mark.parametrize(
    ("source", "name", "params", "expected"),
    MAPPING_TABLE,
    ids=[f"{s.split('.')[0]}:{n}" for s, n, _, _ in MAPPING_TABLE],
)
def test_mapping_table(
    mapper: EventMapper, source: str, name: str, params: dict[str, Any] | None, expected: set[str]
) -> None:
    event = mapper.map(cloudtrail_record(source, name, params))
    assert event.kind == "mapped", event.reason
    assert event.key == f"{source}:{name}"
    assert actions_of(event) == expected
    assert not event.denied


IGNORED: list[tuple[dict[str, Any], str]] = [
    (cloudtrail_record("sts.amazonaws.com", "GetCallerIdentity", None), "needs no permission"),
    (
        cloudtrail_record("sts.amazonaws.com", "GetSessionToken", {"durationSeconds": 3600}),
        "needs no permission",
    ),
    (cloudtrail_record("dynamodb.amazonaws.com", "DescribeEndpoints", None), "needs no permission"),
    (
        cloudtrail_record(
            "signin.amazonaws.com",
            "ConsoleLogin",
            None,
            event_type="AwsConsoleSignIn",
            identity=user_identity(),
        ),
        "console sign-in",
    ),
    (cloudtrail_record("signin.amazonaws.com", "CheckMfa", None), "console sign-in"),
    (
        cloudtrail_record("kms.amazonaws.com", "RotateKey", None, event_type="AwsServiceEvent"),
        "AWS service event",
    ),
    (
        cloudtrail_record(
            "cloudtrail.amazonaws.com", "ApiCallRateInsight", None, event_type="AwsCloudTrailInsight"
        ),
        "Insights",
    ),
]


@pytest.mark.parametrize(("record", "why"), IGNORED, ids=[r["eventName"] for r, _ in IGNORED])
def test_ignored(mapper: EventMapper, record: dict[str, Any], why: str) -> None:
    event = mapper.map(record)
    assert event.kind == "ignored"
    assert why in event.reason
    assert event.uses == ()


# Calls botocore sends unsigned: no SigV4 principal, so no IAM policy of the caller allows or denies them.
# Their userIdentity names no IAM principal (shaped here as CloudTrail's "Unknown" identity type, which the
# mapping does not read) and their tokens and secrets are hidden.
_UNKNOWN = {"type": "Unknown", "accountId": "111122223333"}
_HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
UNSIGNED: list[dict[str, Any]] = [
    # IAM Identity Center OIDC: eventSource sso-oauth.amazonaws.com (IAM Identity Center User Guide, "Logging
    # IAM Identity Center API calls with AWS CloudTrail"; EventBridge Events Reference, "AWS IAM Identity
    # Center events"); CreateToken's members clientId, clientSecret, grantType, deviceCode (OIDC API
    # Reference, CreateToken), the device-code grant of the AWS CLI's `aws sso login`
    cloudtrail_record(
        "sso-oauth.amazonaws.com",
        "CreateToken",
        {
            "clientId": "_Tu8J0jPYwPQcbRgVrk1xLXVzLWVhc3QtMQ",
            "clientSecret": _HIDDEN,
            "grantType": "urn:ietf:params:oauth:grant-type:device_code",
            "deviceCode": _HIDDEN,
        },
        identity=_UNKNOWN,
    ),
    cloudtrail_record(
        "sso-oauth.amazonaws.com",
        "StartDeviceAuthorization",
        {"clientId": "_Tu8J0jPYwPQcbRgVrk1xLXVzLWVhc3QtMQ", "clientSecret": _HIDDEN, "startUrl": _HIDDEN},
        identity=_UNKNOWN,
    ),
    # the AWS access portal API: eventSource sso.amazonaws.com (same User Guide page); GetRoleCredentials'
    # roleName, accountId and accessToken (Portal API Reference, GetRoleCredentials)
    cloudtrail_record(
        "sso.amazonaws.com",
        "GetRoleCredentials",
        {"roleName": "ReadOnly", "accountId": "111122223333", "accessToken": _HIDDEN},
        identity=_UNKNOWN,
    ),
    cloudtrail_record("sso.amazonaws.com", "ListAccounts", {"accessToken": _HIDDEN}, identity=_UNKNOWN),
    # Cognito user pools sign-in: InitiateAuth's AuthFlow, AuthParameters, ClientId (Amazon Cognito API
    # Reference, InitiateAuth: "Amazon Cognito doesn't evaluate Identity and Access Management (IAM) policies
    # in requests for this API operation"), under cognito-idp.amazonaws.com; Cognito hides private fields
    # "with the value HIDDEN_FOR_SECURITY_REASONS" (Amazon Cognito Developer Guide, "Amazon Cognito
    # information in CloudTrail"), whose "Example Amazon Cognito events" page names GetId among the events a
    # trail shows
    cloudtrail_record(
        "cognito-idp.amazonaws.com",
        "InitiateAuth",
        {
            "authFlow": "USER_SRP_AUTH",
            "authParameters": "HIDDEN_FOR_SECURITY_REASONS",
            "clientId": "3ck15a1ov4f0d3o57vtqkapn6e",
        },
        identity=_UNKNOWN,
    ),
    # Cognito identity pools: GetId's IdentityPoolId (Amazon Cognito Identity API Reference, GetId)
    cloudtrail_record(
        "cognito-identity.amazonaws.com",
        "GetId",
        {"identityPoolId": "us-east-1:1a234b56-7890-1cd2-3e45-f67890123456"},
        identity=_UNKNOWN,
    ),
]


@pytest.mark.parametrize("record", UNSIGNED, ids=[r["eventName"] for r in UNSIGNED])
def test_unsigned_calls_need_no_permission(mapper: EventMapper, record: dict[str, Any]) -> None:
    """botocore sends them without a signature (their model's ``"authtype": "none"``): an IAM policy cannot
    allow or deny them, so a policy must not get them and a scan must not call them not understood."""
    event = mapper.map(record)
    assert (event.kind, event.reason) == ("ignored", "needs no permission")
    assert event.uses == ()


UNMAPPED = [
    ("example.amazonaws.com", "DoSomething"),  # no such service
    ("s3.amazonaws.com", "FrobnicateBucket"),  # no such action
]


@pytest.mark.parametrize(("source", "name"), UNMAPPED)
def test_unmapped_never_guessed(mapper: EventMapper, source: str, name: str) -> None:
    event = mapper.map(cloudtrail_record(source, name, {}))
    assert event.kind == "unmapped"
    assert event.key == f"{source}:{name}"
    assert event.uses == ()
    assert event.reason


DENIED_CODES = [
    ("s3.amazonaws.com", "GetObject", "AccessDenied", "Access Denied"),
    (
        "dynamodb.amazonaws.com",
        "GetItem",
        "AccessDeniedException",
        "User: arn:aws:sts::111122223333:assumed-role/app-role/s is not authorized to perform: "
        "dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders",
    ),
    (
        "ec2.amazonaws.com",
        "StopInstances",
        "Client.UnauthorizedOperation",
        "You are not authorized to perform this operation.",
    ),
    (
        "sns.amazonaws.com",
        "Publish",
        "AuthorizationError",
        "User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: SNS:Publish",
    ),
    ("kms.amazonaws.com", "Decrypt", "AccessDeniedException", "not authorized"),
]


@pytest.mark.parametrize(("source", "name", "code", "message"), DENIED_CODES)
def test_denied_calls_are_mapped_and_flagged(
    mapper: EventMapper, source: str, name: str, code: str, message: str
) -> None:
    event = mapper.map(cloudtrail_record(source, name, {}, error_code=code, error_message=message))
    assert event.kind == "mapped"
    assert event.denied


FAILED_AFTER_AUTHORIZATION = [
    ("s3.amazonaws.com", "GetObject", "NoSuchKey", "The specified key does not exist."),
    ("dynamodb.amazonaws.com", "PutItem", "ValidationException", "One or more parameter values were invalid"),
    ("lambda.amazonaws.com", "GetFunction20150331v2", "ResourceNotFoundException", "Function not found"),
    (
        "dynamodb.amazonaws.com",
        "PutItem",
        "ConditionalCheckFailedException",
        "The conditional request failed",
    ),
]


@pytest.mark.parametrize(("source", "name", "code", "message"), FAILED_AFTER_AUTHORIZATION)
def test_failures_after_authorization_are_kept(
    mapper: EventMapper, source: str, name: str, code: str, message: str
) -> None:
    event = mapper.map(
        cloudtrail_record(
            source,
            name,
            {"tableName": "t", "functionName": "f", "bucketName": "b", "key": "k"},
            error_code=code,
            error_message=message,
        )
    )
    assert event.kind == "mapped"
    assert not event.denied
    assert event.uses


def test_invoked_by_a_service_is_kept(mapper: EventMapper) -> None:
    """KMS Decrypt that S3 made for the principal (SSE-KMS GetObject): the principal needs kms:Decrypt."""
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    record = cloudtrail_record(
        "kms.amazonaws.com",
        "Decrypt",
        {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::b/k"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        invoked_by="s3.amazonaws.com",
        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}],
    )
    event = mapper.map(record)
    assert event.kind == "mapped"
    assert event.uses == (("kms:Decrypt", key),)


def test_data_event_uses_resources(mapper: EventMapper) -> None:
    event = mapper.map(s3_data_event("GetObject", "amzn-s3-demo-bucket", "reports/2024/q1.csv"))
    assert event.uses == (("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/2024/q1.csv"),)


def test_results_are_shared_but_correct_per_record(mapper: EventMapper) -> None:
    """The memo must key on everything that changes the answer: a different key, region or error."""
    first = mapper.map(s3_data_event("GetObject", "b", "one"))
    second = mapper.map(s3_data_event("GetObject", "b", "two"))
    denied = mapper.map(s3_data_event("GetObject", "b", "one", error_code="AccessDenied"))
    assert first.uses != second.uses
    assert denied.denied and not first.denied
    assert mapper.map(s3_data_event("GetObject", "b", "one")) == first


def test_no_resource_level_gives_actions_with_star() -> None:
    mapper = EventMapper(resource_level=False)
    kept = {"x-amz-tagging-directive": "REPLACE", "x-amz-object-annotation-directive": "EXCLUDE"}
    params = {"x-amz-copy-source": "a/k1", **kept}
    event = mapper.map(s3_data_event("CopyObject", "b", "k", params=params))
    assert event.uses == (("s3:PutObject", "*"), ("s3:GetObject", "*"))


@pytest.mark.parametrize(
    ("source", "name", "params", "needed"),
    [
        # an extra needs its parameter: no ACL or tagging header, no role, no version
        ("s3.amazonaws.com", "PutObject", {"bucketName": "b", "key": "k"}, {"s3:PutObject"}),
        (
            "s3.amazonaws.com",
            "GetObject",
            {"bucketName": "b", "key": "k", "versionId": "3sL4kqtJ"},
            {"s3:GetObjectVersion"},
        ),
        (
            "cloudtrail.amazonaws.com",
            "CreateTrail",
            {"name": "t", "s3BucketName": "b"},
            {"cloudtrail:CreateTrail"},
        ),
        # RunTask passes the task definition's roles, which it does not name: never iam:PassRole on *
        ("ecs.amazonaws.com", "RunTask", {"cluster": "c", "taskDefinition": "td:1"}, {"ecs:RunTask"}),
    ],
)
def test_no_resource_level_grants_only_the_actions_the_call_needed(
    source: str, name: str, params: dict[str, Any], needed: set[str]
) -> None:
    """The action-level policy (``resourceLevel: false``) used to list every action a call can need:
    s3:PutObjectAcl and s3:PutObjectTagging for any PutObject, iam:PassRole on * for any RunTask."""
    event = EventMapper(resource_level=False).map(cloudtrail_record(source, name, params))
    assert {action for action, _ in event.uses} == needed and {r for _, r in event.uses} == {"*"}
    assert not [n for n in event.notes if n[1] == "resource-undetermined"] and event.reason == ""


def _event_sources_by_namespace() -> dict[str, list[str]]:
    by_namespace: dict[str, list[str]] = defaultdict(list)
    for source, namespace in load_reference().event_sources.items():
        by_namespace[namespace].append(source)
    return by_namespace


def test_every_action_the_tables_can_produce_exists() -> None:
    """Walk every SDK method reachable from a CloudTrail eventSource, with and without parameters, plus
    the direct reference fallback for a sample of action names: every emitted action must exist in the
    Service Authorization Reference, spelled as it spells it."""
    reference = load_reference()
    mapper = EventMapper(reference)
    known = set(reference.actions())
    sources = _event_sources_by_namespace()
    params_variants: list[dict[str, Any] | None] = [
        None,
        {
            "name": "n",
            "bucketName": "b",
            "key": "k",
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
            "role": "r",
            "functionName": "f",
            "tableName": "t",
            "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/q",
        },
    ]
    seen_methods = 0
    emitted: set[str] = set()
    for namespace, method in reference.sdk_methods():
        for source in sources.get(namespace, [f"{namespace}.amazonaws.com"])[:1]:
            seen_methods += 1
            for params in params_variants:
                event = mapper.map(cloudtrail_record(source, method, params))
                emitted.update(actions_of(event))
    for action in list(known)[::50]:  # direct fallback: namespace:EventName
        prefix, name = action.split(":", 1)
        for source in sources.get(prefix, [f"{prefix}.amazonaws.com"])[:1]:
            emitted.update(actions_of(mapper.map(cloudtrail_record(source, name, None))))
    assert seen_methods > 10_000
    assert len(emitted) > 9_000
    assert emitted <= known, sorted(emitted - known)[:20]


def test_other_sdk_services_never_replace_the_events_own_action(mapper: EventMapper) -> None:
    """S3Control's GetAccessPoint is s3-outposts in iam-dataset; an s3.amazonaws.com event is S3's."""
    event = mapper.map(cloudtrail_record("s3.amazonaws.com", "GetAccessPoint", {"name": "ap"}))
    assert all(action.startswith("s3:") for action in actions_of(event))


ODD_RECORDS: list[dict[str, Any]] = [
    {},
    {"eventSource": "s3.amazonaws.com"},
    {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "requestParameters": "not-an-object"},
    {
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "requestParameters": None,
        "resources": "x",
    },
    {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "resources": [None, 3, {"ARN": 5}]},
    {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "userIdentity": None, "awsRegion": None},
    {"eventSource": "sqs.amazonaws.com", "eventName": "SendMessage", "requestParameters": {"queueUrl": 12}},
    {
        "eventSource": "lambda.amazonaws.com",
        "eventName": "Invoke",
        "requestParameters": {"functionName": ["a"]},
    },
    {
        "eventSource": "iam.amazonaws.com",
        "eventName": "GetRole",
        "userIdentity": {"arn": "not-an-arn"},
        "requestParameters": {"roleName": {"nested": True}},
    },
]


@pytest.mark.parametrize("record", ODD_RECORDS)
def test_odd_records_never_crash_and_never_invent(mapper: EventMapper, record: dict[str, Any]) -> None:
    event = mapper.map(record)
    assert event.kind in ("mapped", "unmapped", "ignored")
    known = set(load_reference().actions())
    assert all(action in known for action, _ in event.uses)


def test_mapper_pickles_as_a_fresh_mapper() -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(EventMapper(resource_level=False)))
    event = copy.map(cloudtrail_record("sqs.amazonaws.com", "SendMessage", {"queueUrl": "https://x/1/q"}))
    assert event.uses == (("sqs:SendMessage", "*"),)


@pytest.mark.parametrize(
    "code", ["ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch", "Client.AuthFailure"]
)
def test_authentication_failures_are_ignored(mapper: EventMapper, code: str) -> None:
    """Refused before any permission was checked: neither an allowed call nor a denied one."""
    event = mapper.map(cloudtrail_record("sqs.amazonaws.com", "ListQueues", {}, error_code=code))
    assert event.kind == "ignored"
    assert code in event.reason
