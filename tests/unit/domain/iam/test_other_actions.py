"""Issue 9 item 2: calls whose permission is not ``namespace:EventName``. Each record is shaped as the
service's API reference names its request parameters (CloudTrail writes them in lowerCamelCase,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import AUTHORIZED_BY, CURATED_ENTRIES
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.iam.validate import validate_policy
from tests.fixtures.scripts import load_script
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

MAPPER = EventMapper()
R = "us-east-1"


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = MAPPER.map(cloudtrail_record(source, name, params, identity=user_identity()))
    assert event.kind == "mapped", event
    return set(event.uses)


def test_api_gateway_rest_api_get_stage_is_v1_path() -> None:
    """https://docs.aws.amazon.com/apigateway/latest/api/API_GetStage.html: GET
    /restapis/{restapi_id}/stages/{stage_name}; authorized as apigateway:GET on that path
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-using-iam-policies-to-create-and-manage-api.html)."""
    got = uses("apigateway.amazonaws.com", "GetStage", {"restApiId": "a1b2c3d4e5", "stageName": "prod"})
    assert got == {("apigateway:GET", f"arn:aws:apigateway:{R}::/restapis/a1b2c3d4e5/stages/prod")}


def test_api_gateway_http_api_get_stage_is_v2_path() -> None:
    """https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html"""
    got = uses("apigateway.amazonaws.com", "GetStage", {"apiId": "a1b2c3d4e5", "stageName": "prod"})
    assert got == {("apigateway:GET", f"arn:aws:apigateway:{R}::/apis/a1b2c3d4e5/stages/prod")}


def test_two_format_resource_types_accept_either_format() -> None:
    """The reference joins the REST and HTTP API formats of ``stage`` with ", ": both are valid."""
    stage = next(t for t in load_reference().resource_types("apigateway:GET") if t.key == "stage")
    assert len(stage.formats) == 2
    for arn in (
        f"arn:aws:apigateway:{R}::/restapis/abc/stages/prod",
        f"arn:aws:apigateway:{R}::/apis/abc/stages/prod",
    ):
        assert stage.matches(arn)
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "S", "Effect": "Allow", "Action": "apigateway:GET", "Resource": arn}],
        }
        assert [f for f in validate_policy(document) if f.severity == "error"] == []


TABLE = f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/"


def test_partiql_select_on_an_index() -> None:
    """https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html: PartiQLSelect on
    the table or index the statement reads (values are redacted in the logged statement)."""
    got = uses(
        "dynamodb.amazonaws.com",
        "ExecuteStatement",
        {"statement": 'SELECT * FROM "Music"."ArtistIndex" WHERE Artist=?'},
    )
    assert got == {("dynamodb:PartiQLSelect", TABLE + "Music/index/ArtistIndex")}


def test_partiql_batch_maps_each_statement_to_its_kind_and_table() -> None:
    """https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html"""
    got = uses(
        "dynamodb.amazonaws.com",
        "BatchExecuteStatement",
        {
            "statements": [
                {"statement": "INSERT INTO \"Music\" VALUE {'Artist' : ?, 'SongTitle' : ?}"},
                {"statement": 'update "Orders" SET status=? WHERE id=?'},
            ]
        },
    )
    assert got == {("dynamodb:PartiQLInsert", TABLE + "Music"), ("dynamodb:PartiQLUpdate", TABLE + "Orders")}


def test_partiql_transaction() -> None:
    """https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html"""
    got = uses(
        "dynamodb.amazonaws.com",
        "ExecuteTransaction",
        {
            "transactStatements": [
                {"statement": 'DELETE FROM "Music" WHERE Artist=?'},
                {"statement": "SELECT * FROM Stock"},
            ]
        },
    )
    assert got == {("dynamodb:PartiQLDelete", TABLE + "Music"), ("dynamodb:PartiQLSelect", TABLE + "Stock")}


QUEUE_URL = f"https://sqs.{R}.amazonaws.com/{ACCOUNT}/orders"
QUEUE = f"arn:aws:sqs:{R}:{ACCOUNT}:orders"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.mark.parametrize(
    ("source", "name", "params", "expected"),
    [
        # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
        ("sqs.amazonaws.com", "SendMessageBatch", {"queueUrl": QUEUE_URL}, {("sqs:SendMessage", QUEUE)}),
        ("sqs.amazonaws.com", "DeleteMessageBatch", {"queueUrl": QUEUE_URL}, {("sqs:DeleteMessage", QUEUE)}),
        (
            "sqs.amazonaws.com",
            "ChangeMessageVisibilityBatch",
            {"queueUrl": QUEUE_URL},
            {("sqs:ChangeMessageVisibility", QUEUE)},
        ),
        # https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
        (
            "sns.amazonaws.com",
            "PublishBatch",
            {"topicArn": f"arn:aws:sns:{R}:{ACCOUNT}:alerts"},
            {("sns:Publish", f"arn:aws:sns:{R}:{ACCOUNT}:alerts")},
        ),
        # https://docs.aws.amazon.com/bedrock/latest/userguide/inference-prereq.html
        (
            "bedrock.amazonaws.com",
            "Converse",
            {"modelId": MODEL},
            {("bedrock:InvokeModel", f"arn:aws:bedrock:{R}::foundation-model/{MODEL}")},
        ),
        (
            "bedrock.amazonaws.com",
            "ConverseStream",
            {"modelId": "us." + MODEL},
            {
                (
                    "bedrock:InvokeModelWithResponseStream",
                    f"arn:aws:bedrock:{R}:{ACCOUNT}:inference-profile/us.{MODEL}",
                ),
                # and the model behind the profile, in every Region of the profile's geography
                # (test_bedrock_routing.py)
                ("bedrock:InvokeModelWithResponseStream", f"arn:aws:bedrock:us-*::foundation-model/{MODEL}"),
            },
        ),
        # https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_BatchIsAuthorized.html
        (
            "verifiedpermissions.amazonaws.com",
            "BatchIsAuthorized",
            {"policyStoreId": "PSEXAMPLEabcdefg111111"},
            {
                (
                    "verifiedpermissions:IsAuthorized",
                    f"arn:aws:verifiedpermissions::{ACCOUNT}:policy-store/PSEXAMPLEabcdefg111111",
                )
            },
        ),
        # https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
        (
            "lambda.amazonaws.com",
            "InvokeWithResponseStream",
            {"functionName": "stream-fn"},
            {("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{ACCOUNT}:function:stream-fn")},
        ),
        # https://docs.aws.amazon.com/partner-central/latest/APIReference/logging-with-cloudtrail.html
        (
            "partnercentral-selling.amazonaws.com",
            "ListOpportunities",
            {"catalog": "AWS"},
            {("partnercentral:ListOpportunities", "*")},
        ),
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html (Permissions)
        (
            "s3.amazonaws.com",
            "GetObjectAttributes",
            {"bucketName": "amzn-s3-demo-bucket", "key": "a.txt"},
            {
                ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
                ("s3:GetObjectAttributes", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
            },
        ),
        (
            "s3.amazonaws.com",
            "GetObjectAttributes",
            {"bucketName": "amzn-s3-demo-bucket", "key": "a.txt", "versionId": "3HL4kqtJlcpXroDTDmJ"},
            {
                ("s3:GetObjectVersion", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
                ("s3:GetObjectVersionAttributes", "arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
            },
        ),
    ],
)
def test_calls_authorized_by_another_action(
    source: str, name: str, params: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert uses(source, name, params) == expected


def test_every_curated_entry_names_real_actions() -> None:
    ref = load_reference()
    for key, entries in {**CURATED_ENTRIES, **AUTHORIZED_BY}.items():
        for entry in entries:
            assert ref.action_name(entry["action"]) is not None, (key, entry["action"])


def test_every_event_ends_mapped_ignored_with_a_reason_or_unmapped_under_its_own_name() -> None:
    """The invariant over every method the tables know plus names they do not."""
    ref = MAPPER.reference
    sources = {ns: src for src, ns in sorted(ref.event_sources.items())}
    names = [(sources.get(ns, f"{ns}.amazonaws.com"), m) for ns, m in ref.sdk_methods()[::7]]
    names += [("s3.amazonaws.com", "NoSuchOperationAnywhere"), ("nosuch.amazonaws.com", "GetThing")]
    for source, name in names:
        event = MAPPER.map(cloudtrail_record(source, name, {}, identity=user_identity()))
        assert event.key == f"{source}:{name}"
        assert event.kind in ("mapped", "ignored", "unmapped")
        if event.kind == "mapped":
            assert event.uses
        else:
            assert event.reason and not event.uses


def test_coverage_finds_the_authorizing_action_in_api_reference_text() -> None:
    """The sentence the API references use (here BatchIsAuthorized's, as botocore ships it)."""
    module = load_script("operator/scripts/coverage.py")
    text = (
        "<note> <p>The <code>BatchIsAuthorized</code> operation doesn't have its own IAM permission. To "
        "authorize this operation for Amazon Web Services principals, include the permission "
        "<code>verifiedpermissions:IsAuthorized</code> in their IAM policies.</p> </note>"
    )
    assert module.documented(text) == ["verifiedpermissions:IsAuthorized"]


@pytest.mark.parametrize(
    ("text", "namespace", "expected"),
    [
        # botocore batch/2016-08-10, CancelJobs
        (
            "<p>This operation requires <code>batch:CancelJob</code> permission for each job in the request. "
            "There is no separate <code>batch:CancelJobs</code> IAM action.</p>",
            None,
            ["batch:CancelJob"],
        ),
        # botocore bedrock-agent-runtime/2023-07-26, RetrieveAndGenerateStream
        (
            "<p>This operation requires permission for the <code> bedrock:RetrieveAndGenerate</code> "
            "action.</p>",
            None,
            ["bedrock:RetrieveAndGenerate"],
        ),
        # botocore securityhub/2018-10-26, GetFindingStatisticsV2
        (
            "<p> <code>GetFindingStatisticsV2</code> uses <code>securityhub:GetAdhocInsightResults</code> in "
            "the <code>Action</code> element of an IAM policy statement.</p>",
            None,
            ["securityhub:GetAdhocInsightResults"],
        ),
        # botocore connectcases/2022-10-03, BatchUpdateCase
        (
            '<p>This operation uses the same IAM action as <a href="https://x">UpdateCase</a> '
            "(<code>cases:UpdateCase</code>).</p>",
            None,
            ["cases:UpdateCase"],
        ),
        # botocore taxsettings/2018-05-10, BatchGetTaxExemptions
        ("<p>The IAM action is <code>tax:GetExemptions</code>. </p>", None, ["tax:GetExemptions"]),
        # botocore vpc-lattice/2022-11-30, BatchUpdateRule
        (
            "<p> <b>Required permissions:</b> <code>vpc-lattice:UpdateRule</code> </p>",
            None,
            ["vpc-lattice:UpdateRule"],
        ),
        # botocore marketplace-catalog/2018-09-17, BatchDescribeEntities (names the operation only)
        (
            "<p>This is the Batch version of the <code>DescribeEntity</code> API and uses the same IAM "
            "permission action as <code>DescribeEntity</code> API.</p>",
            "aws-marketplace",
            ["aws-marketplace:DescribeEntity"],
        ),
    ],
)
def test_coverage_finds_the_other_phrasings_of_the_authorizing_action(
    text: str, namespace: str | None, expected: list[str]
) -> None:
    """How the API references of batch and variant calls say which action authorizes them."""
    module = load_script("operator/scripts/coverage.py")
    assert module.documented(text, namespace) == expected


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        # https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApi.html
        ("GetRestApi", {"restApiId": "a1b2c3d4e5"}, "/restapis/a1b2c3d4e5"),
        # https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
        (
            "CreateDeployment",
            {"restApiId": "a1b2c3d4e5", "stageName": "prod"},
            "/restapis/a1b2c3d4e5/deployments",
        ),
        # https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html
        ("CreateDeployment", {"apiId": "a1b2c3d4e5", "stageName": "prod"}, "/apis/a1b2c3d4e5/deployments"),
    ],
)
def test_api_gateway_grants_the_path_of_the_call_only(name: str, params: dict[str, Any], arn: str) -> None:
    """The override names the call's path; the other formats of the action's many types are not filled
    from the same id (that gave /restapis/ID/authorizers, /models, /stages ... for one GetRestApi)."""
    (use,) = uses("apigateway.amazonaws.com", name, params)
    assert use[1] == f"arn:aws:apigateway:{R}::{arn}"


def test_every_api_gateway_call_with_its_path_parameters_names_one_path() -> None:
    """Systematically over the shipped table: a record carrying exactly the parameters of a method's
    path gets one ARN per action, never the action's other resource types."""
    import re

    ref = MAPPER.reference
    widened = []
    for _, method in [m for m in ref.sdk_methods() if m[0] == "apigateway"]:
        groups = [ref.sdk_entries("apigateway", method) or [], *ref.sdk_variants("apigateway", method)]
        for entries in groups:
            override = entries[0].get("arn_override") if entries else None
            if not override:
                continue
            names = [
                n
                for n in re.findall(r"\$\{([^}]+)\}", override)
                if n not in ("Partition", "Region", "Account")
            ]
            params = {n[:1].lower() + n[1:]: f"v{i}" for i, n in enumerate(names)}
            event = MAPPER.map(
                cloudtrail_record("apigateway.amazonaws.com", method, params, identity=user_identity())
            )
            per_action: dict[str, int] = {}
            for action, _ in event.uses:
                per_action[action] = per_action.get(action, 0) + 1
            if per_action.get(entries[0]["action"], 0) > 1:
                widened.append(f"{method} {sorted(params)}: {event.uses}")
    assert widened == []


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("PutMetricData", {"namespace": "Orders", "metricData": [{"metricName": "Latency", "value": 12.0}]}),
        ("GetMetricData", {"metricDataQueries": [{"id": "q1", "expression": "SUM(METRICS())"}]}),
        ("ListMetrics", {"namespace": "Orders"}),
    ],
)
def test_metric_calls_are_granted_on_star_without_a_widening_finding(
    name: str, params: dict[str, Any]
) -> None:
    """The reference's only resource type for these is an optional CloudWatch "dataset", which their APIs
    cannot name; * is their exact grant (AWS's own PutMetricData policies use "Resource": "*"), so no
    resource-undetermined warning may claim a widening on every workload that publishes a metric."""
    event = EventMapper().map(cloudtrail_record("monitoring.amazonaws.com", name, params))
    assert event.uses == ((f"cloudwatch:{name}", "*"),) and event.notes == () and event.reason == ""


def test_coverage_calls_an_operation_with_its_parameters_as_cloudtrail_spells_them() -> None:
    """``make coverage``'s resource level: every top-level string (or list of strings) parameter is given,
    lowerCamelCase, and a parameter named ...Arn gets the ARN it is handed (Kinesis PutRecord's StreamARN)."""
    import botocore.session

    module = load_script("operator/scripts/coverage.py")
    model = botocore.session.get_session().get_service_model("kinesis")
    stream = "arn:aws:kinesis:us-east-1:111122223333:stream/example"
    params = module._synthetic_parameters(model, "PutRecord", stream)
    assert params["streamARN"] == stream
    assert params["streamName"] == "example-streamname"
    assert params["partitionKey"] == "example-partitionkey"
    assert "data" not in params  # a blob is not a name


@pytest.mark.parametrize(
    ("source", "name", "params", "candidate"),
    [
        # a PartiQL statement of no kind the mapper knows (not SELECT, INSERT, UPDATE, DELETE, EXISTS)
        (
            "dynamodb.amazonaws.com",
            "ExecuteStatement",
            {"statement": "EXPLAIN orders"},
            "dynamodb:PartiQLSelect",
        ),
        # a transaction whose items the record leaves out
        ("dynamodb.amazonaws.com", "TransactWriteItems", {"clientRequestToken": "t-1"}, "dynamodb:PutItem"),
    ],
)
def test_a_call_whose_entries_all_stay_unmet_is_unmapped_not_mapped_to_nothing(
    source: str, name: str, params: dict[str, Any], candidate: str
) -> None:
    """Every entry of these calls is conditional on the request; when none applies the call still needed a
    permission the record does not show: unmapped, with the candidates in the reason (before, "mapped" with
    no action at all, which a policy silently left out)."""
    event = MAPPER.map(cloudtrail_record(source, name, params, identity=user_identity()))
    assert (event.kind, event.uses) == ("unmapped", ())
    assert "does not show which action" in event.reason and candidate in event.reason


def test_deleting_the_accounts_block_public_access_is_put_account_public_access_block() -> None:
    """CloudTrail logs S3 Control's DeletePublicAccessBlock as DeleteAccountPublicAccessBlock ("The
    CloudTrail event names differ from the API action name", S3 User Guide), and "DELETE account Block Public
    Access settings" is authorized by s3:PutAccountPublicAccessBlock (S3 User Guide, Block Public Access
    permissions); the reference has no Delete action of its own, so the event was unmapped."""
    event = MAPPER.map(
        cloudtrail_record(
            "s3.amazonaws.com",
            "DeleteAccountPublicAccessBlock",
            {"accountId": "111122223333"},
            identity=user_identity(),
        )
    )
    assert (event.kind, event.uses, event.notes) == ("mapped", (("s3:PutAccountPublicAccessBlock", "*"),), ())


# The S3 Developer Guide listed the account-level Block Public Access calls under the names of the API
# operations, beside the bucket-level ones of the same names: "Amazon S3 account-level API actions tracked
# by CloudTrail logging will show up as the following event names: DeletePublicAccessBlock,
# GetPublicAccessBlock, PutPublicAccessBlock" (awsdocs/amazon-s3-developer-guide,
# doc_source/cloudtrail-logging.md, linking API_control_GetPublicAccessBlock ...). The S3 Control request
# has no bucket: "GET /v20180820/configuration/publicAccessBlock HTTP/1.1 Host: s3-control.amazonaws.com
# x-amz-account-id: AccountId" (S3 API Reference, S3 Control GetPublicAccessBlock), and CloudTrail writes
# an S3 request's Host among its requestParameters (the S3 User Guide's example records).
_ACCOUNT_HOST = {"Host": f"{ACCOUNT}.s3-control.us-east-1.amazonaws.com"}
_BLOCK = {
    "PublicAccessBlockConfiguration": {
        "xmlns": "http://awss3control.amazonaws.com/doc/2018-08-20/",
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
}


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("GetPublicAccessBlock", _ACCOUNT_HOST, "s3:GetAccountPublicAccessBlock"),
        ("PutPublicAccessBlock", {**_ACCOUNT_HOST, **_BLOCK}, "s3:PutAccountPublicAccessBlock"),
        # "DELETE account Block Public Access settings": s3:PutAccountPublicAccessBlock (S3 User Guide)
        ("DeletePublicAccessBlock", _ACCOUNT_HOST, "s3:PutAccountPublicAccessBlock"),
    ],
)
def test_account_block_public_access_by_the_operations_name_is_the_accounts(
    name: str, params: dict[str, Any], action: str
) -> None:
    """S3 Control's account-level call logged under the operation's name is granted the account's action:
    the record names no bucket, and it was granted s3:Get/PutBucketPublicAccessBlock on * with the
    resource-undetermined finding, an action that does not authorize it. The SDK table reads the name both
    ways (S3's with a bucket, S3 Control's without), but a reading that names nothing was never chosen."""
    event = MAPPER.map(cloudtrail_record("s3.amazonaws.com", name, params, identity=user_identity()))
    assert (event.kind, event.uses, event.notes) == ("mapped", ((action, "*"),), ())


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        ("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
        ("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ],
)
def test_bucket_block_public_access_by_the_operations_name_stays_the_buckets(name: str, action: str) -> None:
    """The bucket-level call of the same name names its bucket (``bucketName``, with the ``publicAccessBlock``
    subresource, as CloudTrail writes S3 bucket requests) and keeps the bucket's action on it."""
    params = {
        "bucketName": "amzn-s3-demo-bucket",
        "publicAccessBlock": "",
        "Host": "amzn-s3-demo-bucket.s3.amazonaws.com",
    }
    event = MAPPER.map(cloudtrail_record("s3.amazonaws.com", name, params, identity=user_identity()))
    assert (event.kind, event.uses, event.notes) == (
        "mapped",
        ((action, "arn:aws:s3:::amzn-s3-demo-bucket"),),
        (),
    )
