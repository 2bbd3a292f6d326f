"""Resources named by ARN or by "identifier" where the SDK table only knows the name.

AWS APIs name a resource by ``...Name``/``...Id``, by ``...Arn`` (its ARN) or by ``...Identifier`` (its name
or its ARN), and newer API versions add the latter two beside the name (the texts quoted are botocore's copy
of each API reference). Before, the mapper read only the name the SDK table gives, and these calls were
granted on ``*`` with a finding although the request named the resource:

- Kinesis ``PutRecord``/``PutRecords``/``GetRecords``/``DescribeStreamSummary``: "StreamARN: The ARN of the
  stream"; ``SubscribeToShard``: ``ConsumerARN``.
- CloudWatch Logs ``DescribeLogStreams``/``GetLogEvents``/``FilterLogEvents``: "logGroupIdentifier: Specify
  either the name or ARN of the log group"; ``StartQuery``: ``logGroupIdentifiers`` ("by the log group name
  or ARN") and ``logGroupNames``.
- DynamoDB ``Query`` on an index: "TableName: The name of the table ... You can also provide the Amazon
  Resource Name (ARN) of the table in this parameter" (the index is under that table's ARN).
- SSM ``SendCommand``: ``InstanceIds`` (the plural of the format's ``InstanceId``): the instances were missing
  from the grant, so the policy refused the command on them.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import compile_plan
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/orders"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app/orders"


def mapped(source: str, name: str, params: dict[str, Any]) -> tuple[set[tuple[str, str]], str]:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, params))
    assert event.kind == "mapped", event
    return set(event.uses), event.reason


@pytest.mark.parametrize("name", ["PutRecord", "PutRecords", "GetRecords", "DescribeStreamSummary"])
def test_a_stream_given_by_arn_is_that_stream(name: str) -> None:
    uses, reason = mapped("kinesis", name, {"streamARN": STREAM, "partitionKey": "p"})
    assert uses == {(f"kinesis:{name}", STREAM)}
    assert reason == ""


def test_a_consumer_given_by_arn_is_that_consumer() -> None:
    consumer = f"{STREAM}/consumer/indexer:1700000000"
    uses, _ = mapped("kinesis", "SubscribeToShard", {"consumerARN": consumer, "shardId": "shardId-0"})
    assert uses == {("kinesis:SubscribeToShard", consumer)}


@pytest.mark.parametrize("identifier", ["/app/orders", LOG_GROUP])
def test_a_log_group_identifier_is_a_name_or_an_arn(identifier: str) -> None:
    for name in ("DescribeLogStreams", "FilterLogEvents"):
        uses, _ = mapped("logs", name, {"logGroupIdentifier": identifier})
        # the log group in both of its spellings (test_log_group_spellings.py)
        assert uses == {(f"logs:{name}", LOG_GROUP), (f"logs:{name}", f"{LOG_GROUP}:*")}


def test_a_log_stream_under_a_log_group_identifier() -> None:
    uses, _ = mapped("logs", "GetLogEvents", {"logGroupIdentifier": "/app/orders", "logStreamName": "web-1"})
    assert uses == {("logs:GetLogEvents", f"{LOG_GROUP}:log-stream:web-1")}


@pytest.mark.parametrize(
    "params",
    [
        {"logGroupIdentifiers": [LOG_GROUP, "/app/payments"], "queryString": "fields @message"},
        {"logGroupNames": ["/app/orders", "/app/payments"], "queryString": "fields @message"},
    ],
)
def test_a_query_on_several_log_groups_is_granted_on_each(params: dict[str, Any]) -> None:
    uses, _ = mapped("logs", "StartQuery", params)
    payments = LOG_GROUP.replace("orders", "payments")
    assert uses == {
        ("logs:StartQuery", LOG_GROUP),
        ("logs:StartQuery", f"{LOG_GROUP}:*"),
        ("logs:StartQuery", payments),
        ("logs:StartQuery", f"{payments}:*"),
    }


def test_a_query_on_an_index_of_a_table_given_by_arn() -> None:
    table = f"arn:aws:dynamodb:us-east-1:{OTHER_ACCOUNT}:table/orders"
    uses, _ = mapped("dynamodb", "Query", {"tableName": table, "indexName": "by-customer"})
    # the index only (as for a table given by name), in the account of the table's ARN
    assert uses == {("dynamodb:Query", f"{table}/index/by-customer")}


def test_send_command_is_granted_on_the_instances_it_names() -> None:
    uses, _ = mapped(
        "ssm",
        "SendCommand",
        {"instanceIds": ["i-0123456789abcdef0"], "documentName": "AWS-RunShellScript"},
    )
    assert ("ssm:SendCommand", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0") in uses
    assert (
        "ssm:SendCommand",
        "arn:aws:ssm:us-east-1::document/AWS-RunShellScript",
    ) in uses  # AWS-owned: no account


def test_the_name_the_table_reads_comes_first() -> None:
    uses, _ = mapped(
        "kinesis", "PutRecord", {"streamName": "orders", "streamARN": STREAM.replace("orders", "x")}
    )
    assert uses == {("kinesis:PutRecord", STREAM)}


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        ("kinesis", "PutRecord", {"streamARN": "orders"}),  # an ...Arn that holds no ARN names nothing
        ("logs", "DescribeLogStreams", {"logGroupIdentifier": STREAM}),  # an ARN of another resource type
    ],
)
def test_what_names_no_resource_of_the_action_stays_undetermined(
    source: str, name: str, params: dict[str, Any]
) -> None:
    uses, reason = mapped(source, name, params)
    assert uses == {(f"{source}:{name}", "*")}
    assert reason.startswith("resource not determined")


def test_records_that_differ_only_in_the_identifier_do_not_share_a_memo_entry() -> None:
    mapper = EventMapper()
    first = mapper.map(cloudtrail_record("kinesis.amazonaws.com", "PutRecord", {"streamARN": STREAM}))
    other = STREAM.replace("orders", "payments")
    second = mapper.map(cloudtrail_record("kinesis.amazonaws.com", "PutRecord", {"streamARN": other}))
    assert first.uses == (("kinesis:PutRecord", STREAM),)
    assert second.uses == (("kinesis:PutRecord", other),)


def test_only_the_calls_own_actions_look_for_identifiers() -> None:
    """An extra action's entry says which parameters make it apply (a tag action on what a call creates);
    an identifier of another resource in the request must not make it apply there too."""
    plan = compile_plan(load_reference(), "elasticache.amazonaws.com", "CreateUserGroup")
    assert any(a.identifiers for a in plan.actions if a.primary)
    assert not any(a.identifiers for a in plan.actions if not a.primary)


ECS = f"arn:aws:ecs:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        # "cluster: The short name or full Amazon Resource Name (ARN) of the cluster", "service: The name
        # of the service to update", "tasks: A list of up to 100 task IDs or full ARN entries" (ECS API
        # Reference)
        (
            "UpdateService",
            {"cluster": "prod", "service": "web", "desiredCount": 2},
            f"{ECS}:service/prod/web",
        ),
        ("DescribeTasks", {"cluster": "prod", "tasks": ["0123abcd"]}, f"{ECS}:task/prod/0123abcd"),
        ("StopTask", {"cluster": "prod", "task": f"{ECS}:task/prod/0123abcd"}, f"{ECS}:task/prod/0123abcd"),
        ("DescribeServices", {"cluster": "prod", "services": ["web"]}, f"{ECS}:service/prod/web"),
    ],
)
def test_ecs_names_its_resources_by_a_bare_noun(name: str, params: dict[str, Any], arn: str) -> None:
    uses, reason = mapped("ecs", name, params)
    assert uses == {(f"ecs:{name}", arn)}
    assert reason == ""


def test_a_noun_two_variables_share_is_read_by_arn_only() -> None:
    """ECS gateways are ``gateway/${GatewayName}/${GatewayId}``: a bare ``gateway`` cannot be both."""
    plan = compile_plan(load_reference(), "ecs.amazonaws.com", "DescribeGateway")
    by_name = {name for action in plan.actions for name, variable in action.identifiers if variable}
    arn_only = {name for action in plan.actions for name, variable in action.identifiers if not variable}
    assert "GatewayArn" in by_name
    assert "Gateway" not in by_name and "GatewayIdentifier" not in by_name
    assert "GatewayIdentifier" in arn_only  # an ARN of the type in it is the gateway


def test_a_bare_noun_beside_an_id_variable_is_not_read_outside_ecs() -> None:
    """AppConfig's ``Application`` is "the application name or the application ID" while its ARN holds the
    id: a name there would build an ARN of no application."""
    uses, _ = mapped("appconfig", "GetConfiguration", {"application": "orders", "environment": "prod"})
    assert uses == {("appconfig:GetConfiguration", "*")}


STATES = f"arn:aws:states:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        # the reference marks both ``execution`` and ``express`` required; one call describes one of them
        ("states", "DescribeExecution", {"executionArn": f"{STATES}:execution:orders:run-1"}),
        ("states", "DescribeExecution", {"executionArn": f"{STATES}:express:orders:run-1:0123"}),
        # "You can specify either a mapRunArn or a stateMachineArn, but not both"
        ("states", "ListExecutions", {"stateMachineArn": f"{STATES}:stateMachine:orders"}),
        # "ResourceARN: The Amazon Resource Name (ARN) of the Kinesis resource": a stream, consumer or channel
        ("kinesis", "TagResource", {"resourceARN": STREAM, "tags": {"team": "orders"}}),
        ("kinesis", "GetResourcePolicy", {"resourceARN": f"{STREAM}/consumer/indexer:1700000000"}),
    ],
)
def test_required_types_that_are_alternatives_take_the_one_named(
    source: str, name: str, params: dict[str, Any]
) -> None:
    named = next(v for v in params.values() if isinstance(v, str) and v.startswith("arn:"))
    uses, reason = mapped(source, name, params)
    assert uses == {(f"{source}:{name}", named)}
    assert reason == ""


def test_a_source_given_by_arn_is_that_resource() -> None:
    """RDS StartExportTask: "SourceArn: The Amazon Resource Name (ARN) of the snapshot or cluster to export to
    Amazon S3" (the table gave the action no resource); the role it passes is granted as before."""
    snapshot = f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-2026-12-01"
    params = {
        "exportTaskIdentifier": "orders-export",
        "sourceArn": snapshot,
        "s3BucketName": "exports",
        "iamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-export",
        "kmsKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }
    uses, _ = mapped("rds", "StartExportTask", params)
    assert uses == {
        ("rds:StartExportTask", snapshot),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/rds-export"),
    }


def test_a_source_of_another_type_is_not_the_resource() -> None:
    """Lambda AddPermission's SourceArn is the resource allowed to invoke the function (an S3 bucket here), of
    no type of the action: the grant is the function alone."""
    params = {
        "functionName": "thumbnails",
        "statementId": "s3-invoke",
        "action": "lambda:InvokeFunction",
        "principal": "s3.amazonaws.com",
        "sourceArn": "arn:aws:s3:::uploads",
    }
    uses, _ = mapped("lambda", "AddPermission20150331v2", params)
    assert uses == {("lambda:AddPermission", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnails")}


@pytest.mark.parametrize(
    ("name", "resource"),
    [
        ("DeleteCrawler", "crawler/nightly-orders"),
        ("StartCrawler", "crawler/nightly-orders"),
        ("GetCrawler", "crawler/nightly-orders"),
        ("StartTrigger", "trigger/nightly-orders"),
        ("CreateWorkflow", "workflow/nightly-orders"),
    ],
)
def test_a_resource_named_by_bare_name(name: str, resource: str) -> None:
    """Glue: "DeleteCrawler ... Name: The name of the crawler to remove" (and GetCrawler, StartCrawler,
    StartTrigger, CreateWorkflow: "Name"): the resource of the type the operation is named after; these were
    granted on ``*``."""
    uses, _ = mapped("glue", name, {"name": "nightly-orders"})
    action = f"glue:{name}"
    assert uses == {(action, f"arn:aws:glue:us-east-1:{ACCOUNT}:{resource}")}


def test_a_schedule_by_name_in_its_group() -> None:
    """EventBridge Scheduler CreateSchedule: "Name: The name of the schedule", "GroupName: The name of the
    schedule group" (schedule/${GroupName}/${ScheduleName})."""
    uses, _ = mapped("scheduler", "CreateSchedule", {"name": "nightly", "groupName": "etl"})
    assert uses == {
        ("scheduler:CreateSchedule", f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/etl/nightly")
    }


def test_a_bare_name_of_another_resource_is_not_taken() -> None:
    """Athena CreateNotebook's Name is the notebook's, its resource the workgroup: without a WorkGroup the
    notebook's name must not become a workgroup."""
    event = EventMapper().map(cloudtrail_record("athena.amazonaws.com", "CreateNotebook", {"name": "nb1"}))
    assert all("nb1" not in arn for _, arn in event.uses), event.uses
