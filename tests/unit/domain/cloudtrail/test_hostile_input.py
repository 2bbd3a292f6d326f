"""The scan promises that bad input never raises out of it: a file it cannot read is skipped and named, a
record it cannot use is counted and named. These properties hold it to that with the real IAM mapper, on
records of a wanted principal whose fields hold any JSON value (so the resolvers meet lists where they
expect strings, numbers where they expect objects, nesting past Python's recursion limit) and on delivery
files cut or with bytes changed anywhere.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec, default_mapper
from policygen_operator.domain.cloudtrail.window import Window
from tests.unit.domain.cloudtrail.fakes import ROLE, USER, delivery, record, role_identity, user_identity

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
MAPPER = default_mapper()

# Calls whose plans read parameters, resources[] or the caller: where odd values reach the most code.
CALLS = [
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "CopyObject"),
    ("s3.amazonaws.com", "GetObjectAttributes"),
    ("iam.amazonaws.com", "UpdateUser"),
    ("iam.amazonaws.com", "ChangePassword"),
    ("iam.amazonaws.com", "PassRole"),
    ("dynamodb.amazonaws.com", "ExecuteStatement"),
    ("dynamodb.amazonaws.com", "BatchExecuteStatement"),
    ("dynamodb.amazonaws.com", "ExecuteTransaction"),
    ("dynamodb.amazonaws.com", "Query"),
    ("ec2.amazonaws.com", "DescribeInstanceAttribute"),
    ("ec2.amazonaws.com", "RunInstances"),
    ("apigateway.amazonaws.com", "GetStage"),
    ("sqs.amazonaws.com", "SendMessageBatch"),
    ("sns.amazonaws.com", "PublishBatch"),
    ("kms.amazonaws.com", "Decrypt"),
    ("lambda.amazonaws.com", "Invoke"),
    ("ecs.amazonaws.com", "RunTask"),
    ("bedrock.amazonaws.com", "Converse"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("signin.amazonaws.com", "ConsoleLogin"),
    ("example.amazonaws.com", "NoSuchCall"),
]
# Parameter names those plans read, so generated values land where the resolvers look.
NAMES = [
    "bucketName", "key", "versionId", "userName", "newUserName", "roleArn", "roleName", "statement",
    "statements", "transactStatements", "tableName", "instanceId", "attribute", "restApiId", "apiId",
    "stageName", "queueUrl", "entries", "topicArn", "keyId", "functionName", "qualifier", "taskDefinition",
    "modelId", "x-amz-copy-source", "copySource", "parameters", "Statement",
]  # fmt: skip

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
scalars |= st.text(max_size=12) | st.sampled_from(["*", "arn:aws:s3:::b/k", "b/k", "${x}", "", "/"])
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3),
    max_leaves=12,
)
FIELDS = [
    "requestParameters", "resources", "errorCode", "errorMessage", "eventType", "awsRegion",
    "recipientAccountId", "responseElements", "additionalEventData", "eventTime", "eventName", "eventSource",
]  # fmt: skip
IDENTITY_FIELDS = ["type", "accountId", "sessionContext", "principalId", "userName", "invokedBy"]
DEEP = "DEEP-NESTING"  # replaced by arrays nested past Python's recursion limit after serialising


@st.composite
def hostile_records(draw: st.DrawFn) -> dict[str, Any]:
    source, name = draw(st.sampled_from(CALLS))
    identity = draw(st.sampled_from([role_identity(), user_identity()]))
    odd_identity = draw(st.dictionaries(st.sampled_from(IDENTITY_FIELDS), json_values, max_size=2))
    identity = {**identity, **odd_identity}
    if draw(st.integers(0, 9)) == 0:
        identity = draw(json_values)  # not an object at all
    params = draw(st.dictionaries(st.sampled_from(NAMES), json_values | st.just(DEEP), max_size=4))
    base = record(identity, name, source, requestParameters=params)
    odd = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=2))
    return {**base, **odd}


def layouts(records: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
    def deep(text: bytes) -> bytes:
        return text.replace(json.dumps(DEEP).encode(), b"[" * 1010 + b"]" * 1010)

    return [
        ("compact.json", deep(delivery(records))),
        ("pretty.json", deep(json.dumps({"Records": records}, indent=1).encode())),
        ("lines.jsonl", deep(b"\n".join(json.dumps(r).encode() for r in records))),
        (
            "lookup.json",
            json.dumps({"Events": [{"CloudTrailEvent": json.dumps(r)} for r in records]}).encode(),
        ),
    ]


def scan(files: list[tuple[str, bytes]]) -> ScanResult:
    scanner = Scanner(ScanSpec((parse_principal(ROLE), parse_principal(USER)), WINDOW), MAPPER)
    for name, data in files:
        scanner.scan_bytes(name, data)
    return scanner.take_result()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(hostile_records(), min_size=1, max_size=4))
def test_records_with_any_values_are_used_or_named_never_raised(records: list[dict[str, Any]]) -> None:
    for name, data in layouts(records):
        result = scan([(name, data)])
        summary = result.summary
        if name in summary.skipped_files:
            continue  # named with its reason
        assert summary.events_scanned == len(records)
        accounted = summary.events_matched + summary.bad_records + result.records_outside_window
        assert accounted <= len(records)


GOOD = [record(role_identity(), requestParameters={"bucketName": "b", "key": f"{n}"}) for n in range(6)]
INSERTS = [b"[", b"{", b'"', b"\\", b",", b"\x00", b"\xff", b"1e999"]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_delivery_files_cut_or_changed_anywhere_are_scanned_or_skipped_by_name(data: st.DataObject) -> None:
    text = bytearray(gzip.compress(delivery(GOOD), mtime=0) if data.draw(st.booleans()) else delivery(GOOD))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text) - 1))
        operation = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if operation == "flip":
            text[at] = data.draw(st.integers(0, 255))
        elif operation == "cut":
            del text[at:]
            if not text:
                break
        else:
            text[at:at] = data.draw(st.sampled_from(INSERTS))
    result = scan([("f.json", bytes(text))])
    if "f.json" not in result.summary.skipped_files:
        assert result.summary.events_matched + result.summary.bad_records <= len(GOOD) + 1


POD_IDENTITY = {"type": "AWSService", "invokedBy": "pods.eks.amazonaws.com"}
SESSION = "arn:aws:sts::111122223333:assumed-role/app/eks-c-pod-1"
pod_requests = st.fixed_dictionaries(
    {"roleArn": st.just(ROLE) | json_values, "tags": json_values | st.just([{"key": "k", "value": "v"}])}
)
pod_responses = st.fixed_dictionaries({"assumedRoleUser": st.just({"arn": SESSION}) | json_values})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    request=pod_requests | json_values,
    response=pod_responses | json_values,
    extra=st.dictionaries(st.sampled_from(FIELDS[2:]), json_values, max_size=2),
)
def test_pod_identity_assume_role_records_with_any_values_never_raise(
    request: Any, response: Any, extra: dict[str, Any]
) -> None:
    """Rightsizing keeps a shared role's Pod Identity sessions apart by reading their AssumeRole records,
    which AWS itself writes (no userIdentity.arn): any shape of those must not stop the scan."""
    assume = {
        **record(POD_IDENTITY, "AssumeRole", "sts.amazonaws.com", requestParameters=request),
        "responseElements": response,
        **extra,
    }
    call = record({**role_identity(), "arn": SESSION}, requestParameters={"bucketName": "b", "key": "k"})
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, split_sessions=frozenset({ROLE}))
    for name, data in layouts([assume, call]):
        scanner = Scanner(spec, MAPPER)
        scanner.scan_bytes(name, data)
        scanner.take_result()
