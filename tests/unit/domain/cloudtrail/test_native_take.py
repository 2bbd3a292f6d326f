"""The native fast path (``native.py``, the ``policygen_native`` extension) gives the Python scan's result.

The extension counts a matched record by the reading of an earlier record with the same key, and hands
every other record to the Python scan. Whatever it gets wrong shows as a difference between a scan with it
and one without (``ScanSpec.native``): the usage (actions, resources, counts, first and last times), the
events matched per principal, unmapped and ignored calls with their reasons, findings, bad records, records
outside the window. The records below are shaped as the CloudTrail User Guide's examples ("CloudTrail
record contents", "CloudTrail userIdentity element") and vary in each field the mapper reads: calls that
read the caller, pass a role, hold batch items or are linked by returned ids; denied calls whose message
names the resource, throttled calls with and without parameters; sessions without an issuer, cut session
ARNs, users without an account id; parameters with escapes, ARNs, empty values, JSON text; times outside
the window, in another format, missing; fields of the wrong type. Hypothesis draws lists of them, repeated
(so that the extension has readings to count by), shuffled and split into delivery files.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policygen_operator.domain.cloudtrail import native
from policygen_operator.domain.cloudtrail import scan as scan_module
from policygen_operator.domain.cloudtrail.principals import PrincipalMatcher, parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec, default_mapper
from policygen_operator.domain.engine import run_scan
from tests.fixtures import podidentity as pod
from tests.unit.domain.cloudtrail.fakes import ACCOUNT, delivery, record, role_identity, user_identity
from tests.unit.domain.cloudtrail.test_scan import WINDOW

pytestmark = pytest.mark.skipif(
    not native.available(),
    reason="the policygen_native extension is not built here (`make install` builds it where cargo is)",
)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
USER = f"arn:aws:iam::{ACCOUNT}:user/people/alice"
OTHER_USER = f"arn:aws:iam::{ACCOUNT}:user/people/bob"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/web"
PRINCIPALS = (ROLE, USER, OTHER_USER, OTHER_ROLE)

ALICE = user_identity()
BOB = user_identity(name="bob")
APP = role_identity()
WEB = role_identity(name="web", path="/")
NO_ISSUER = role_identity(issuer=False)
CUT = {**role_identity(), "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app"}
NO_ACCOUNT = {key: value for key, value in user_identity().items() if key != "accountId"}
EMPTY_ACCOUNT = {**user_identity(), "accountId": ""}
NOT_ASKED = role_identity(name="batch", path="/")
DENIED = "AccessDenied"


def denied_message(action: str, resource: str) -> str:
    return (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1 is not authorized to perform: {action} "
        f"on resource: {resource} because no identity-based policy allows the {action} action"
    )


def s3(name: str, bucket: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"bucketName": bucket, "Host": f"{bucket}.s3.us-east-1.amazonaws.com"}
    resources: list[dict[str, Any]] = [{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    if key is not None:
        params["key"] = key
        resources.insert(0, {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"})
    return {"requestParameters": params, "resources": resources, **extra}


# (identity, eventName, eventSource, fields): each kind of record the extension must read as Python does
CALLS: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = [
    (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "2026/a.csv")),
    (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "2026/b.csv")),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "2026/c.csv"), "resources": None}),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "2026/d.csv"), "resources": None}),
    (ALICE, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "2026/a.csv")),
    (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "drafts/*?.csv")),
    (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "caf\u00e9/men\u00fc.csv")),
    (
        APP,
        "PutObject",
        "s3.amazonaws.com",
        s3(
            "PutObject",
            "uploads",
            "x",
            errorCode=DENIED,
            errorMessage=denied_message("s3:PutObject", "arn:aws:s3:::uploads/x"),
        ),
    ),
    (
        APP,
        "PutObject",
        "s3.amazonaws.com",
        s3(
            "PutObject",
            "uploads",
            "y",
            errorCode=DENIED,
            errorMessage=denied_message("s3:PutObject", "arn:aws:s3:::uploads/y"),
        ),
    ),
    (APP, "ListObjects", "s3.amazonaws.com", s3("ListObjects", "reports", None)),
    (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "k", errorCode="NoSuchKey")),
    (
        APP,
        "Decrypt",
        "kms.amazonaws.com",
        {
            "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            "resources": [{"type": "AWS::KMS::Key", "ARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd"}],
        },
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {"requestParameters": {"name": "/app/db", "withDecryption": True}},
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {"requestParameters": {"name": "/app/db", "withDecryption": False}},
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {"requestParameters": {"name": "/app/cache", "withDecryption": True}},
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {
            "requestParameters": None,
            "errorCode": DENIED,
            "errorMessage": denied_message(
                "ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db"
            ),
        },
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {
            "requestParameters": None,
            "errorCode": DENIED,
            "errorMessage": denied_message(
                "ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/a/b"
            ),
        },
    ),
    (APP, "GetParameter", "ssm.amazonaws.com", {"requestParameters": '{"name": "/app/json-text"}'}),
    (APP, "GetParameter", "ssm.amazonaws.com", {"requestParameters": None}),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {"requestParameters": None, "errorCode": "ThrottlingException"},
    ),
    (
        APP,
        "GetParameter",
        "ssm.amazonaws.com",
        {"requestParameters": {"name": "/app/db"}, "errorCode": "ThrottlingException"},
    ),
    (
        APP,
        "DescribeTable",
        "dynamodb.amazonaws.com",
        {"requestParameters": {}, "errorCode": "ThrottlingException"},
    ),
    (
        APP,
        "ListTables",
        "dynamodb.amazonaws.com",
        {"requestParameters": {}, "errorCode": "ThrottlingException"},
    ),
    (
        APP,
        "ListTables",
        "dynamodb.amazonaws.com",
        {"requestParameters": {"limit": 5}, "errorCode": "ThrottlingException"},
    ),
    (
        APP,
        "GetItem",
        "dynamodb.amazonaws.com",
        {"requestParameters": {"tableName": "orders", "key": {"id": "1"}}},
    ),
    (
        APP,
        "GetItem",
        "dynamodb.amazonaws.com",
        {"requestParameters": {"tableName": "orders", "key": {"id": "2"}}},
    ),
    (
        APP,
        "GetItem",
        "dynamodb.amazonaws.com",
        {"requestParameters": {"tableName": "users", "key": {"id": "2"}}},
    ),
    (
        APP,
        "GetItem",
        "dynamodb.amazonaws.com",
        {
            "requestParameters": {
                "tableName": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
                "key": {"id": "3"},
            }
        },
    ),
    (
        APP,
        "SendMessage",
        "sqs.amazonaws.com",
        {
            "requestParameters": {
                "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
                "messageBody": "HIDDEN",
            }
        },
    ),
    (
        APP,
        "SendMessageBatch",
        "sqs.amazonaws.com",
        {
            "requestParameters": {
                "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
                "entries": [{"id": "1", "messageBody": "HIDDEN"}],
            }
        },
    ),
    (
        APP,
        "Invoke",
        "lambda.amazonaws.com",
        {
            "requestParameters": {
                "functionName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker",
                "invocationType": "Event",
            }
        },
    ),
    (
        APP,
        "RunTask",
        "ecs.amazonaws.com",
        {
            "requestParameters": {
                "cluster": "prod",
                "taskDefinition": "web:3",
                "overrides": {"taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/task"},
            }
        },
    ),
    (ALICE, "GetUser", "iam.amazonaws.com", {"requestParameters": None}),
    (BOB, "GetUser", "iam.amazonaws.com", {"requestParameters": None}),
    (BOB, "ChangePassword", "iam.amazonaws.com", {"requestParameters": None}),
    (NO_ACCOUNT, "GetUser", "iam.amazonaws.com", {"requestParameters": None}),
    (EMPTY_ACCOUNT, "GetUser", "iam.amazonaws.com", {"requestParameters": None}),
    (ALICE, "GetUser", "iam.amazonaws.com", {"requestParameters": {"userName": "bob"}}),
    (ALICE, "ChangePassword", "iam.amazonaws.com", {"requestParameters": None}),
    (
        ALICE,
        "GetUser",
        "iam.amazonaws.com",
        {
            "requestParameters": None,
            "errorCode": DENIED,
            "errorMessage": f"User: {USER} is not authorized to perform: iam:GetUser on resource: user bob",
        },
    ),
    (APP, "GetCallerIdentity", "sts.amazonaws.com", {"requestParameters": None}),
    (WEB, "GetCallerIdentity", "sts.amazonaws.com", {"requestParameters": None}),
    (NO_ISSUER, "GetCallerIdentity", "sts.amazonaws.com", {"requestParameters": None}),
    (CUT, "GetCallerIdentity", "sts.amazonaws.com", {"requestParameters": None}),
    (NOT_ASKED, "GetCallerIdentity", "sts.amazonaws.com", {"requestParameters": None}),
    (
        APP,
        "StartQueryExecution",
        "athena.amazonaws.com",
        {
            "requestParameters": {"queryString": "SELECT 1", "workGroup": "analysts"},
            "responseElements": {"queryExecutionId": "a1b2c3"},
        },
    ),
    (APP, "GetQueryResults", "athena.amazonaws.com", {"requestParameters": {"queryExecutionId": "a1b2c3"}}),
    (
        APP,
        "ConsoleLogin",
        "signin.amazonaws.com",
        {"eventType": "AwsConsoleSignIn", "requestParameters": None},
    ),
    (APP, "NoSuchCall", "example.amazonaws.com", {"requestParameters": {"thing": "x"}}),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "z"), "awsRegion": 7}),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "z"), "requestParameters": ["x"]}),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "z"), "awsRegion": None}),
    (
        APP,
        "GetObject",
        "s3.amazonaws.com",
        {**s3("GetObject", "reports", "z"), "recipientAccountId": ACCOUNT},
    ),
    (
        APP,
        "GetObject",
        "s3.amazonaws.com",
        {**s3("GetObject", "reports", "z"), "recipientAccountId": "444455556666"},
    ),
    (APP, "GetObject", "s3.amazonaws.com", {**s3("GetObject", "reports", "z"), "awsRegion": "eu-west-1"}),
    (
        APP,
        "GetObject",
        "s3.amazonaws.com",
        {**s3("GetObject", "reports", "z"), "awsRegion": "eu-w\u0065st-1"},
    ),
]
# Calls that differ only in ids (the native reader's template slots: 4+ hex digits with a digit): S3 keys
# of numbered parts, instances and KMS keys (ids as the EC2 and KMS API references show them), a call on
# another account's resource (its account id a slot of its own, not the caller's), an escaped id (never
# a template), an id where the caller's ARN is read
IDS: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = (
    [
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", f"daily/{day}/part-{part}.csv"))
        for day, part in (("2026", "0001"), ("2027", "9999"), ("2026", "0042"), ("1999", "1234"))
    ]
    + [
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/2026/part-1.csv")),
        # a name a policy cannot write exactly: the finding names it, so the finding has the slots too
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "drafts/2026-*?.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "drafts/2027-*?.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/2026/part-2026.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/2026/part-2027.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/ABCD12/part-1A2B.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/aBcD12/part-1A2B.csv")),
        (APP, "GetObject", "s3.amazonaws.com", s3("GetObject", "reports", "daily/2026/part-7777-\u00e9.csv")),
        (
            APP,
            "GetObject",
            "s3.amazonaws.com",
            {**s3("GetObject", "reports", "daily/2026/part-0007.csv"), "recipientAccountId": "444455556666"},
        ),
        (
            APP,
            "GetObject",
            "s3.amazonaws.com",
            {**s3("GetObject", "reports", "daily/2026/part-0008.csv"), "recipientAccountId": "444455556666"},
        ),
    ]
    + [
        (
            APP,
            "DescribeInstanceAttribute",
            "ec2.amazonaws.com",
            {"requestParameters": {"instanceId": instance, "attribute": "userData"}},
        )
        for instance in ("i-1234567890abcdef0", "i-0598c7d356eba48d7", "i-0598C7D356EBA48D7")
    ]
    + [
        (
            APP,
            "Decrypt",
            "kms.amazonaws.com",
            {
                "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                "resources": [{"type": "AWS::KMS::Key", "ARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}"}],
            },
        )
        for key in ("1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09ba-87dc-65fe-0987654321ba")
    ]
    + [
        (ALICE, "GetUser", "iam.amazonaws.com", {"requestParameters": {"userName": f"svc-{n}"}})
        for n in ("1234", "5678")
    ]
    + [
        (ALICE, "ListAccessKeys", "iam.amazonaws.com", {"requestParameters": None}),
        (BOB, "ListAccessKeys", "iam.amazonaws.com", {"requestParameters": None}),
    ]
    + [
        (
            APP,
            "GetParameter",
            "ssm.amazonaws.com",
            {"requestParameters": {"name": f"/app/{app}/db"}, "recipientAccountId": account},
        )
        for app, account in (
            ("1234", ACCOUNT),
            ("5678", ACCOUNT),
            ("1234", "444455556666"),
            ("9abc", "444455556666"),
        )
    ]
)
CALLS += IDS
TIMES = ["2026-11-24T09:00:00Z", "2026-11-24T23:59:59Z", "2026-11-24T00:00:00Z", "2026-11-24T12:30:00.250Z"]
OUTSIDE = ["2026-11-23T23:59:59Z", "2026-11-25T00:00:00Z"]


def build(call: int, time: str, drop_time: bool = False) -> dict[str, Any]:
    identity, name, source, fields = CALLS[call]
    made = record(json.loads(json.dumps(identity)), name, source, time, **json.loads(json.dumps(fields)))
    if drop_time:
        del made["eventTime"]
    return made


# --account / --region: none, and some that leave out part of the records
ASKED = [
    (frozenset(), frozenset()),
    (frozenset({ACCOUNT}), frozenset()),
    (frozenset(), frozenset({"us-east-1"})),
]


def scan(
    files: list[bytes], *, use_native: bool, split: bool = False, asked: tuple[frozenset[str], ...] = ASKED[0]
) -> ScanResult:
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    apart = frozenset({ROLE}) if split else frozenset()
    spec = ScanSpec(
        principals, WINDOW, split_sessions=apart, accounts=asked[0], regions=asked[1], native=use_native
    )
    scanner = Scanner(spec)
    for number, data in enumerate(files):
        scanner.scan_bytes(f"f{number}.json", data)
    return scanner.take_result(final=True)


def scan_files(files: list[bytes], spec: ScanSpec, *, use_native: bool) -> ScanResult:
    scanner = Scanner(dataclasses.replace(spec, native=use_native))
    for number, data in enumerate(files):
        scanner.scan_bytes(f"f{number}.json", data)
    return scanner.take_result(final=True)


def seen(result: ScanResult) -> dict[str, Any]:
    """Everything a scan result says, in a form two results compare by."""
    return {
        "summary": json.loads(json.dumps(result.summary.to_dict(), sort_keys=True)),
        "matched": dict(result.matched),
        "unmapped": {key: dict(value) for key, value in result.unmapped.items()},
        "ignored": {key: dict(value) for key, value in result.ignored.items()},
        "notes": {key: sorted(value.items()) for key, value in result.notes.items()},
        "reasons": {key: sorted(value) for key, value in result.ignored_reasons.items()},
        "warnings": sorted(result.warnings),
        "outside": result.records_outside_window,
        "filtered_out": result.records_filtered_out,
        "unsessioned": dict(result.unsessioned),
        "other_paths": {key: sorted(value) for key, value in result.other_paths.items()},
    }


def compare(
    files: list[bytes], split: bool = False, asked: tuple[frozenset[str], ...] = ASKED[0]
) -> ScanResult:
    with_native = scan(files, use_native=True, split=split, asked=asked)
    assert seen(with_native) == seen(scan(files, use_native=False, split=split, asked=asked))
    return with_native


@pytest.mark.parametrize("asked", ASKED)
def test_every_kind_of_record_repeated_reads_as_the_python_scan(asked: tuple[frozenset[str], ...]) -> None:
    records = [build(call, time) for call in range(len(CALLS)) for time in TIMES]
    records += [build(call, time) for call in range(len(CALLS)) for time in OUTSIDE]
    records += [build(0, TIMES[0], drop_time=True)]
    result = compare([delivery(records[:60]), delivery(records[60:])], asked=asked)
    assert result.matched[ROLE] > 0 and result.matched[USER] > 0 and result.records_outside_window > 0
    assert result.records_filtered_out > 0 or asked == ASKED[0]


def _counting_python_reads(scanner: Scanner, files: list[bytes]) -> int:
    read: list[int] = []
    original = Scanner._scan_dict

    def counted(self: Scanner, name: str, where: str, record: dict[str, Any]) -> None:
        read.append(1)
        original(self, name, where, record)

    Scanner._scan_dict = counted  # type: ignore[method-assign]
    try:
        for number, data in enumerate(files):
            scanner.scan_bytes(f"f{number}.json", data)
    finally:
        Scanner._scan_dict = original  # type: ignore[method-assign]
    return len(read)


def test_the_extension_counts_the_repeated_records() -> None:
    """Not only equal: the repeats are counted natively, the first of each read by Python (a scan that
    handed every record back would pass the comparison above too)."""
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW, mapper_factory=default_mapper))
    # CloudTrail's own time format only: a time of another is left to Python (``Window.contains_time``)
    read = _counting_python_reads(scanner, [delivery([build(0, time) for time in TIMES[:3] * 5])])
    result = scanner.take_result(final=True)
    assert result.matched[ROLE] == 15 and read == 1
    [(action, resource)] = list(result.summary.principals[ROLE].allowed)
    usage = result.summary.principals[ROLE].allowed[(action, resource)]
    assert (action, resource, usage.count) == ("s3:GetObject", "arn:aws:s3:::reports/2026/a.csv", 15)
    assert (usage.first_seen, usage.last_seen) == ("2026-11-24T00:00:00Z", "2026-11-24T23:59:59Z")


def pod_identity_records(numbered: int = 0) -> list[dict[str, Any]]:
    """The role's calls in two EKS Pod Identity sessions (``tests/fixtures/podidentity.py``: the AssumeRole
    EKS makes with the pod's tags, then the session's calls) and in its other session, each call three
    times: a role whose sessions are kept apart splits its usage per Pod Identity session only. With
    ``numbered`` (a run of keys), each session also writes objects of numbered keys: in a later file,
    calls a template counts."""
    starts = [
        pod.assume_role(ROLE, "shop", account, name, uuid, "2026-11-24T08:30:00Z")
        for account, name, uuid in (("cart", "cart-7d9f", "a1b2c3d4"), ("orders", "orders-5c8e", "e5f6a7b8"))
    ]
    sessions = [
        pod.session_name(name, uuid)
        for name, uuid in (("cart-7d9f", "a1b2c3d4"), ("orders-5c8e", "e5f6a7b8"))
    ]
    calls = []
    for session in [*sessions, "session-1"]:
        for time in TIMES[:3]:
            calls.append(
                pod.call(ROLE, session, "s3", "GetObject", time, bucketName="reports", key=f"{session}.csv")
            )
            if numbered:
                key = f"out/{numbered * 100 + len(calls):04d}/part.csv"
                calls.append(pod.call(ROLE, session, "s3", "PutObject", time, bucketName="reports", key=key))
    return starts + calls


def test_kept_apart_sessions_read_as_the_python_scan() -> None:
    records = [build(call, time) for call in range(len(CALLS)) for time in TIMES[:2]]
    files = [delivery(records + pod_identity_records(numbered=1)), delivery(pod_identity_records(numbered=2))]
    result = compare(files, split=True)
    # each session's calls went to the ServiceAccount its AssumeRole named, by action alone: what the split
    # per ServiceAccount reads
    accounts = result.summary.service_accounts[ROLE]
    assert sorted(accounts) == ["shop/cart", "shop/orders"] and all(
        sorted((key, usage.count) for key, usage in found.usage.allowed.items())
        == [(("s3:GetObject", "*"), 6), (("s3:PutObject", "*"), 6)]
        and len(found.sessions) == 1
        for found in accounts.values()
    )


@pytest.mark.parametrize("pod_identity", [False, True])
def test_a_kept_apart_role_s_sessions_are_counted_by_the_extension(pod_identity: bool) -> None:
    """Not only equal: the repeats of a kept-apart role's records are counted here, the first of each
    read by Python, those of its Pod Identity sessions (whose uses the extension tallies for the session
    too) and of its other sessions (a person's, a CI job's) alike. Every record of such a role was read
    in Python before: the benchmark's 500-principal set with its 201 roles kept apart took 15.3 CPU s
    against 4.2 without, and 16.4 where every role session is a Pod Identity one."""
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    spec = ScanSpec(principals, WINDOW, split_sessions=frozenset({ROLE}), mapper_factory=default_mapper)
    records = pod_identity_records()
    starts = [made for made in records if "arn" not in made["userIdentity"]]
    calls = [made for made in records if made["userIdentity"].get("arn", "").endswith("/session-1")]
    if pod_identity:
        calls = [made for made in records if "/eks-" in made["userIdentity"].get("arn", "")]
    files = [delivery(starts + calls * 5)]
    scanner = Scanner(spec)
    read = _counting_python_reads(scanner, files)
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan_files(files, spec, use_native=False))
    # each session's first call (its own S3 key); the starts (no caller's ARN: EKS's own AssumeRole) are
    # read by the extension
    sessions = {made["userIdentity"]["arn"] for made in calls}
    assert result.matched[ROLE] == len(calls) * 5 and read == len(sessions)
    accounts = result.summary.service_accounts.get(ROLE, {}).values()
    assert sorted(arn for found in accounts for arn in found.sessions) == sorted(
        sessions if pod_identity else ()
    )


def _start(edit: Any = None, role: str = ROLE, **tags: str) -> dict[str, Any]:
    """EKS Pod Identity's AssumeRole for the ServiceAccount shop/cart (``tests/fixtures/podidentity.py``),
    its tags' values replaced by ``tags`` (by key, underscores for dashes; an empty value drops the tag)
    and the record then passed to ``edit``."""
    made = pod.assume_role(role, "shop", "cart", "cart-7d9f", "a1b2c3d4", "2026-11-24T08:30:00Z")
    listed = made["requestParameters"]["tags"]
    for key, value in tags.items():
        listed[:] = [tag for tag in listed if tag["key"] != key.replace("_", "-")]
        if value:
            listed.append({"key": key.replace("_", "-"), "value": value})
    if edit is not None:
        edit(made)
    return made


def _set(path: str, value: Any) -> Any:
    def edit(made: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            made = made[part]
        made[last] = value

    return edit


# AssumeRole records with no caller's ARN (an AWS service's calls), each with bytes its file's text has
# replaced (a JSON escape json.dumps would not write), whether the extension reads it, and the ServiceAccount
# and pod its session goes to, as the Python scan reads it
TAGS_OF_A_KEY_TWICE = [
    {"key": "kubernetes-namespace", "value": "a"},
    7,
    {"key": 1, "value": "y"},
    {"key": "kubernetes-namespace", "value": "b"},
    {"key": "kubernetes-service-account", "value": "x"},
]
NO_ARN = {"type": "AWSService", "invokedBy": "pods.eks.amazonaws.com", "arn": None}
LISTED_SESSION = [f"arn:aws:sts::{ACCOUNT}:assumed-role/app/eks-prod-cart-7d9f-a1b2c3d4"]  # no object to read
SESSION_STARTS = [
    pytest.param(_start(), None, True, ("shop/cart", "cart-7d9f"), id="start"),
    pytest.param(_start(kubernetes_pod_name=""), None, True, ("shop/cart", None), id="no-pod-tag"),
    # a later tag of a key wins, as in Python's dict of them; an item that is no tag is passed over
    pytest.param(
        _start(_set("requestParameters.tags", TAGS_OF_A_KEY_TWICE)),
        None,
        True,
        ("b/x", None),
        id="a-tag-twice",
    ),
    pytest.param(_start(_set("userIdentity", NO_ARN)), None, True, ("shop/cart", "cart-7d9f"), id="arn-null"),
    pytest.param(_start(kubernetes_service_account=""), None, True, None, id="no-service-account-tag"),
    pytest.param(_start(role=OTHER_ROLE), None, True, None, id="role-not-kept-apart"),
    pytest.param(_start(_set("errorCode", "AccessDenied")), None, True, None, id="failed"),
    # "" is false to Python: read there
    pytest.param(
        _start(_set("errorCode", "")), None, False, ("shop/cart", "cart-7d9f"), id="empty-error-code"
    ),
    pytest.param(_start(_set("eventSource", "iam.amazonaws.com")), None, True, None, id="other-source"),
    pytest.param(_start(_set("eventName", "AssumeRoleWithWebIdentity")), None, True, None, id="other-call"),
    pytest.param(_start(_set("requestParameters", None)), None, True, None, id="no-request"),
    pytest.param(_start(_set("requestParameters", "roleArn")), None, True, None, id="request-no-object"),
    pytest.param(
        _start(_set("responseElements.assumedRoleUser", LISTED_SESSION)),
        None,
        True,
        None,
        id="user-no-object",
    ),
    pytest.param(
        _start(_set("requestParameters.tags", {"kubernetes-namespace": "shop"})),
        None,
        True,
        None,
        id="tags-no-list",
    ),
    # a text with an escape: its text is not its bytes, so Python reads it
    pytest.param(
        _start(kubernetes_namespace="sh\u00f6p"),
        None,
        False,
        ("sh\u00f6p/cart", "cart-7d9f"),
        id="escaped-tag",
    ),
    pytest.param(
        _start(),
        (b'"AssumeRole"', b'"Assume\\u0052ole"'),
        False,
        ("shop/cart", "cart-7d9f"),
        id="escaped-event-name",
    ),
    # an AWS service's other call that names the role's session: nobody's call, to either reader
    pytest.param(
        _start(_set("eventName", "Decrypt")), None, True, None, id="a-service-call-naming-the-session"
    ),
]


@pytest.mark.parametrize(("made", "replaced", "by_extension", "owner"), SESSION_STARTS)
def test_pod_identity_session_starts_read_by_the_extension_as_the_python_scan(
    made: dict[str, Any],
    replaced: tuple[bytes, bytes] | None,
    by_extension: bool,
    owner: tuple[str, str | None] | None,
) -> None:
    """EKS Pod Identity's AssumeRole for a pod (no caller's ARN: an AWS service's call) starts a session
    of a role kept apart: the extension reads its role, session and tags, where each was a record parsed
    and read in Python (16,800 of them in ``benchmarks/rightsizing.py --pod-identity``); a text with an
    escape, or an errorCode whose truth is not plain, is left to Python. The session's call after it goes
    to the ServiceAccount either way."""
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    spec = ScanSpec(principals, WINDOW, split_sessions=frozenset({ROLE}), mapper_factory=default_mapper)
    session = pod.session_name("cart-7d9f", "a1b2c3d4")
    later = pod.call(ROLE, session, "s3", "GetObject", TIMES[0], bucketName="reports", key="a.csv")
    files = [delivery([made, later]).replace(*replaced) if replaced else delivery([made, later])]
    scanner = Scanner(spec)
    read = _counting_python_reads(scanner, files)
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan_files(files, spec, use_native=False))
    assert read == 1 + (not by_extension)  # the session's call (the first of its key) and the start
    accounts = result.summary.service_accounts.get(ROLE, {})
    if owner is None:
        assert not accounts and list(result.summary.sessions[ROLE]) == [pod.session_arn("app", session)]
    else:
        [(account, found)] = accounts.items()
        assert (account, sorted(found.pods)) == (owner[0], [owner[1]] if owner[1] else [])
        assert [key for key, _ in found.usage.allowed.items()] == [("s3:GetObject", "*")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.tuples(st.integers(0, len(CALLS) + 7), st.sampled_from(TIMES + OUTSIDE)), max_size=25),
    cuts=st.lists(st.integers(0, 40), max_size=3),
    order=st.randoms(use_true_random=False),
)
def test_kept_apart_sessions_in_any_order_and_files_read_as_the_python_scan(
    picks: list[tuple[int, str]], cuts: list[int], order: Any
) -> None:
    """The role's Pod Identity sessions, its other session and every other call, in any order and files:
    the sessions' usage and the role's as the Python scan makes them."""
    pods = pod_identity_records()
    records = [
        build(call, time) if call < len(CALLS) else {**pods[call - len(CALLS)], "eventTime": time}
        for call, time in picks
    ]
    records += pods
    order.shuffle(records)
    bounds = sorted({0, len(records), *(cut for cut in cuts if cut < len(records))})
    compare(
        [delivery(records[start:end]) for start, end in itertools.pairwise(bounds) if end > start], split=True
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(
        st.tuples(st.integers(0, len(CALLS) - 1), st.sampled_from(TIMES + OUTSIDE), st.integers(1, 3)),
        min_size=1,
        max_size=30,
    ),
    cuts=st.lists(st.integers(0, 90), max_size=3),
    order=st.randoms(use_true_random=False),
    asked=st.sampled_from(ASKED),
)
def test_any_records_in_any_order_and_files_read_as_the_python_scan(
    picks: list[tuple[int, str, int]], cuts: list[int], order: Any, asked: tuple[frozenset[str], ...]
) -> None:
    records = [build(call, time) for call, time, times in picks for _ in range(times)]
    order.shuffle(records)
    bounds = sorted({0, len(records), *(cut for cut in cuts if cut < len(records))})
    files = [delivery(records[start:end]) for start, end in itertools.pairwise(bounds) if end > start]
    compare(files, asked=asked)


def test_readings_forgotten_past_the_limit_and_kept_renumbered_read_as_the_python_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``MAX_READINGS`` the extension forgets the readings nothing was counted by and numbers the
    kept ones anew; a wrong number would count records by another call's reading."""
    monkeypatch.setattr(native, "MAX_READINGS", 8)  # two kept each time
    hot = [0, 1, 2, 3, 4, 5]  # in every file: counted by the readings the first file registered
    files = [
        delivery(
            [build(call, time) for call in hot for time in TIMES[:2]]
            + [build(call, TIMES[0]) for call in range(start, min(start + 5, len(CALLS)))]
        )
        for start in range(6, len(CALLS), 5)
    ]
    compare(files)


LONGEST = "r" * 64  # IAM's longest role name: the name search looks 64 bytes on, and one more for its "/"
MANY = (
    f"arn:aws:iam::{ACCOUNT}:role/service-role/app",
    f"arn:aws:iam::{ACCOUNT}:role/{LONGEST}",
    f"arn:aws:iam::{ACCOUNT}:role/app-2",
    "arn:aws:iam::444455556666:role/web",
    f"arn:aws:iam::{ACCOUNT}:user/people/alice",
    "arn:aws:iam::444455556666:user/bob",
)
PIECES = [
    f"arn:aws:sts::{ACCOUNT}:assumed-role/",
    "arn:aws:sts::444455556666:assumed-role/",
    f"arn:aws:iam::{ACCOUNT}:user/people/",
    "arn:aws:iam::444455556666:user/",
    "app",
    "app-2",
    "app-3",
    "web",
    "alice",
    "bob",
    "/",
    '"',
    "\\",
    ",",
    "session-1",
    "x" * 70,
    LONGEST,
]


FEW = (f"arn:aws:iam::{ACCOUNT}:role/service-role/app", f"arn:aws:iam::{ACCOUNT}:user/people/alice")


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from(PIECES), max_size=40))
@example(parts=[PIECES[0], "app", "\\", "\\", '"'])  # a cut session ARN, its name's escapes dropped
@example(parts=[PIECES[0], LONGEST, "/", "session-1"])
@example(parts=[PIECES[0], LONGEST, '"'])
@example(parts=['"', PIECES[2], "alice", '"', PIECES[3], "bob"])
@example(parts=[PIECES[0], "app"])  # a role's probe at the very end: no byte after it ends the name
@example(parts=[PIECES[0], "app-2", "/", PIECES[0], "app", "/"])
def test_the_native_principal_search_finds_what_the_python_one_does(parts: list[str]) -> None:
    """``PrincipalMatcher.positions``, native and Python, for many principals (the marks' walk, an account's
    session and user marks found in one pass) and for two (each probe searched): the same offsets (their
    order is the records', which the chunks sort)."""
    data = "".join(parts).encode()
    for arns in (MANY, FEW):
        principals = tuple(parse_principal(arn) for arn in arns)
        native_matcher = PrincipalMatcher(principals, native=True)
        assert native_matcher._many is not None or native_matcher._few is not None
        python_found = PrincipalMatcher(principals, native=False).positions(data)
        assert sorted(native_matcher.positions(data)) == sorted(python_found)


@given(data=st.binary(max_size=300), needle=st.sampled_from([b'{"eventVersion":', b"aa", b"{", b'"e']))
@example(data=b'{"eventVersion":{"eventVersion":', needle=b'{"eventVersion":')
@example(data=b"aaaa", needle=b"aa")  # occurrences do not overlap, as bytes.count's
def test_the_native_record_count_is_bytes_count(data: bytes, needle: bytes) -> None:
    count = native.counter(True)
    assert count is not bytes.count  # the extension's, which this module's tests run with
    assert count(data, needle) == data.count(needle)


@given(
    parts=st.lists(
        st.sampled_from([b'{"eventVersion":', b"x", b'"arn"', b",", b"]}", b"{", b" ", b"\x0b", b"\r\n"]),
        max_size=30,
    ),
    picks=st.lists(st.integers(0, 400), max_size=12),
    needle=st.sampled_from([b'{"eventVersion":', b"{", b"x", b"xx"]),
)
# a needle that overlaps itself: "xxx,xx]}" holds it at 0, 1 and 4, and the record around offset 3 is 1-3
@example(parts=[b"x", b"x", b"x", b",", b"x", b"x", b"]}"], picks=[3], needle=b"xx")
def test_the_native_record_chunks_are_the_python_ones(
    parts: list[bytes], picks: list[int], needle: bytes
) -> None:
    """Offsets in any order, repeated, inside one record, before any record start, at a start itself; a
    record ending in a comma, in the file's ``]}``, in neither, with Python's whitespace after it."""
    data = b"".join(parts)
    positions = [pick % (len(data) + 1) for pick in picks] if data else []
    chunks = native.chunks_finder(True)
    assert chunks is not native.python_record_chunks  # the extension's, which this module's tests run with
    assert chunks(data, positions, needle) == native.python_record_chunks(data, positions, needle)


def test_a_call_without_an_error_code_whose_error_message_is_no_string_is_a_bad_record_as_in_python() -> None:
    """``errorMessage`` is "the description of the error" (CloudTrail User Guide, "CloudTrail record
    contents"): text. The Python scan skips a record whose ``errorMessage`` is anything else as a bad record
    (``scan.shape_problem``), with or without an ``errorCode``; the extension keyed the message only beside a
    code, so such a record without one repeated a good call's key and was counted by its reading."""
    good = build(0, TIMES[0])
    numbered = {**build(0, TIMES[1]), "errorMessage": 5}
    nulled_code = {**build(0, TIMES[2]), "errorCode": None, "errorMessage": {"text": "x"}}
    result = compare([delivery([good, numbered, nulled_code])])
    assert result.summary.bad_records == 2 and result.matched[ROLE] == 1


def utf8_delivery(records: list[dict[str, Any]]) -> bytes:
    """Compact, with characters past ASCII written as UTF-8 rather than escaped (JSON text "shall be encoded
    in UTF-8", RFC 8259 section 8.1): the extension reads such strings itself, where it hands an escaped
    one to Python."""
    return json.dumps({"Records": records}, separators=(",", ":"), ensure_ascii=False).encode()


def test_an_event_time_of_twenty_bytes_but_fewer_characters_is_outside_the_window_as_in_python() -> None:
    """eventTime is "the date and time the request was completed, in coordinated universal time (UTC)"
    (CloudTrail User Guide, "CloudTrail record contents for management, data, and network activity events"),
    written ``2026-11-24T09:00:00Z`` in CloudTrail's files. ``Window.contains_time`` compares the text of a
    time of 20 characters ending in ``Z`` and parses any other, and one it cannot parse is outside. The
    extension measured the time in bytes, so a time of 20 bytes holding a character past ASCII (19
    characters) was compared as text, found in the window and counted by the reading of the same call at a
    real time."""
    odd = {**build(0, TIMES[0]), "eventTime": "2026-11-24T09:00:\u00e9Z"}
    assert len(odd["eventTime"]) == 19 and len(odd["eventTime"].encode()) == 20
    result = compare([utf8_delivery([build(0, TIMES[0]), odd])])
    assert result.records_outside_window == 1 and result.matched[ROLE] == 1


def test_the_notes_kept_past_the_limit_are_those_of_the_python_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A principal keeps at most ``MAX_WARNINGS`` distinct notes. The extension adds the notes of the
    records it counted when its tallies are drained, after every record Python read; kept in the order
    they came, the notes of a role whose first record of a call was counted by another role's reading
    lost their place to later ones. A GetObject of a key that does not exist (``NoSuchKey``) notes the
    s3:ListBucket it grants on the bucket ("If you don't have the s3:ListBucket permission, Amazon S3
    returns an HTTP status code 403", Amazon S3 API Reference, GetObject), one note per bucket."""
    monkeypatch.setattr(scan_module, "MAX_WARNINGS", 2)

    def missing(identity: dict[str, Any], bucket: str) -> dict[str, Any]:
        fields = s3("GetObject", bucket, "gone.csv", errorCode="NoSuchKey")
        return record(json.loads(json.dumps(identity)), "GetObject", "s3.amazonaws.com", TIMES[0], **fields)

    records = [missing(APP, "alpha"), missing(WEB, "alpha"), missing(WEB, "bravo"), missing(WEB, "charlie")]
    result = compare([delivery(records)])
    assert len(result.notes[OTHER_ROLE]) == 2


def test_the_warnings_kept_past_the_limit_are_those_of_the_python_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scan keeps its first ``MAX_WARNINGS`` warnings. A repeat of a record the extension handed to Python
    waited for that record's reading, and when there was none (a bad record) it was read after the rest of
    its file, so its warning lost its place to those of later records: it is read in its own place."""
    monkeypatch.setattr(scan_module, "MAX_WARNINGS", 2)
    bad = {**build(0, TIMES[0]), "errorMessage": 5}
    other = {**build(1, TIMES[0]), "awsRegion": 7}
    result = compare([delivery([bad, bad, other])])
    assert result.summary.bad_records == 3 and len(result.warnings) == 2


def test_a_url_encoded_arn_in_a_parameter_no_template_reads_is_in_the_key() -> None:
    """Services with REST APIs log the ARN a call puts in its path as sent, URL-encoded, and the mapper
    decodes it (``records.arns_decoded``) before taking an ARN any parameter gives whole as the resource
    (``fill.given_arns``: S3 Control's ``Mrap``, "The Multi-Region Access Point ARN", Amazon S3 API
    Reference, GetMultiRegionAccessPointRoutes). Neither the mapper's memo key nor the extension's held
    such a value (no ``arn:`` before decoding), so a second Multi-Region Access Point was granted as the
    first, with the extension and without."""

    def routes(name: str) -> dict[str, Any]:
        arn = f"arn%3Aaws%3As3%3A%3A{ACCOUNT}%3Aaccesspoint%2F{name}.mrap"
        return record(
            role_identity(),
            "GetMultiRegionAccessPointRoutes",
            "s3.amazonaws.com",
            TIMES[0],
            requestParameters={"Mrap": arn},
        )

    result = compare([delivery([routes("first"), routes("second"), routes("second")])])
    granted = {resource for _, resource in result.summary.principals[ROLE].allowed}
    assert granted == {
        f"arn:aws:s3::{ACCOUNT}:accesspoint/first.mrap",
        f"arn:aws:s3::{ACCOUNT}:accesspoint/second.mrap",
    }


# Odd values for the fields the extension reads: other JSON types, empty and escaped strings, characters
# past ASCII, ARNs (plain, URL-encoded, in lists), nested objects; and odd identities
ODD_TEXT = st.sampled_from(
    ["", "x", "caf\u00e9", 'a"b', "a\\b", "arn:aws:s3:::reports", "ARN%3aaws%3as3%3a%3a%3areports", ACCOUNT]
)
ODD_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.just(1.0), ODD_TEXT)
ODD_VALUE = st.recursive(
    ODD_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["bucketName", "key", "x"]), inner, max_size=2),
    ),
    max_leaves=5,
)
ODD_FIELDS: dict[str, Any] = {
    "requestParameters": st.one_of(
        ODD_VALUE,
        st.dictionaries(st.sampled_from(["bucketName", "key", "name", "Mrap", "userName", "x"]), ODD_VALUE),
    ),
    "errorCode": st.one_of(ODD_SCALAR, st.sampled_from([DENIED, "ThrottlingException", "NoSuchKey"])),
    "errorMessage": ODD_SCALAR,
    "eventType": st.one_of(ODD_SCALAR, st.sampled_from(["AwsApiCall", "AwsServiceEvent"])),
    "awsRegion": ODD_SCALAR,
    "recipientAccountId": ODD_SCALAR,
    "resources": st.one_of(
        ODD_SCALAR, st.lists(st.dictionaries(st.sampled_from(["ARN", "type"]), ODD_SCALAR))
    ),
    "responseElements": ODD_VALUE,
    "eventTime": st.sampled_from(
        ["2026-11-24T09:00:\u00e9Z", "2026-11-24T09:00:00", 5, TIMES[1], OUTSIDE[0]]
    ),
    "userIdentity": st.sampled_from(
        [
            {**ALICE, "accountId": 5},
            {**ALICE, "type": None},
            {**APP, "sessionContext": []},
            {**APP, "sessionContext": {"sessionIssuer": {"arn": OTHER_ROLE}}},
            {**APP, "arn": APP["arn"] + "\u00e9"},
            WEB,
            BOB,
        ]
    ),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(
            st.integers(0, len(CALLS) - 1),
            st.lists(
                st.sampled_from(sorted(ODD_FIELDS)).flatmap(lambda f: st.tuples(st.just(f), ODD_FIELDS[f]))
            ),
        ),
        min_size=1,
        max_size=6,
    ),
    utf8=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_odd_variations_of_each_record_read_as_the_python_scan(
    changes: list[tuple[int, list[tuple[str, Any]]]], utf8: bool, order: Any
) -> None:
    """Each record twice as written, and again with fields changed to odd values one by one: whatever the
    extension keys on, a record that differs from an earlier one where the mapper or the scan looks must
    not be counted by that one's reading."""
    records = []
    for call, fields in changes:
        records += [build(call, TIMES[0]), build(call, TIMES[0])]
        for name, value in fields:
            records.append({**build(call, TIMES[0]), name: json.loads(json.dumps(value))})
    order.shuffle(records)
    compare([(utf8_delivery if utf8 else delivery)(records)])


def test_the_last_progress_of_a_scan_in_this_process_counts_what_the_extension_counted() -> None:
    """The progress hook is given the running totals after each file and once more at the end (the CLI's
    "N matched"). The extension's counts were added to the result only when it was taken, after that
    last call, so a scan in this process said it had matched only the records Python read."""
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    files = [(f"f{number}.json", delivery([build(0, time) for time in TIMES[:3] * 4])) for number in range(3)]

    def last_said(use_native: bool) -> int:
        said: list[int] = []
        spec = ScanSpec(principals, WINDOW, native=use_native)
        result = run_scan(
            spec, files, workers=1, progress=lambda totals, _: said.append(totals.matched[ROLE])
        )
        assert result.matched[ROLE] == 36
        return said[-1]

    assert last_said(True) == last_said(False) == 36


def test_a_principal_only_the_extension_counted_is_not_looked_for_as_its_twin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With two principals or fewer the scan looks for each one's twin (a user for a role's ARN) in the files
    where it matched nothing yet (``Scanner._look_for_twins``). A role whose calls all repeat another
    principal's was counted by the extension alone, not in the result until it was taken, so every file
    was searched for its twin (one byte search per file, up to ``MAX_TWIN_FILES``)."""
    searched: list[str] = []
    original = scan_module.Twin.find

    def counted_find(self: Any, data: bytes) -> str | None:
        searched.append(self.principal.arn)
        return original(self, data)

    monkeypatch.setattr(scan_module.Twin, "find", counted_find)
    _, name, source, fields = CALLS[0]  # the role app's GetObject; the role web makes the same call
    principals = tuple(parse_principal(arn) for arn in (ROLE, OTHER_ROLE))
    scanner = Scanner(ScanSpec(principals, WINDOW))
    for number in range(6):
        same = record(json.loads(json.dumps(WEB)), name, source, TIMES[1], **json.loads(json.dumps(fields)))
        scanner.scan_bytes(f"f{number}.json", delivery([build(0, TIMES[0]), same]))
    assert scanner.take_result().matched[OTHER_ROLE] == 6
    assert searched.count(OTHER_ROLE) <= 1


def _numbered_objects(count: int, first: int = 0) -> list[dict[str, Any]]:
    """GetObject on keys that differ in a four-digit year and a hex part id only (one template)."""
    made = []
    for number in range(first, first + count):
        key = f"daily/{2000 + number % 30}/part-a{number:03d}.csv"
        made.append(
            record(role_identity(), "GetObject", "s3.amazonaws.com", TIMES[0], **s3("GetObject", "r", key))
        )
    return made


def test_records_that_differ_only_in_ids_are_counted_by_the_template_of_an_earlier_one() -> None:
    """A call on a new S3 key of a shape met twice before is not read by Python: the template derived
    from the second gives its reading (each key its own resource, the result the Python scan's), in
    the file where it was derived as in later ones."""
    files = [delivery(_numbered_objects(1)), delivery(_numbered_objects(40, first=1))]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW))
    assert _counting_python_reads(scanner, files) == 2
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan(files, use_native=False))
    objects = {resource for action, resource in result.summary.principals[ROLE].allowed if "/" in resource}
    assert len(objects) == 41 and "arn:aws:s3:::r/daily/2017/part-a017.csv" in objects


class _RewritingMapper:
    """The IAM mapping with each reading's resources rewritten (``resource``), what it reads unchanged."""

    def __init__(self) -> None:
        self._mapper: Any = default_mapper()
        self.linked_keys = self._mapper.linked_keys

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mapper, name)

    def map(self, record: Any) -> Any:
        mapped = self._mapper.map(record)
        return dataclasses.replace(mapped, uses=tuple((a, self.resource(record, r)) for a, r in mapped.uses))

    def resource(self, record: Any, resource: str) -> str:
        raise NotImplementedError


class _ShoutingMapper(_RewritingMapper):
    """The IAM mapping with every resource upper-cased: a reading that changes an id's letters rather
    than carrying them, which no template may stand for (digits alone it would carry: a template of
    all-digit ids would be right)."""

    def resource(self, record: Any, resource: str) -> str:
        return resource.upper()


def shouting_mapper() -> Any:
    return _ShoutingMapper()


def _counting_derives(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    derived: list[int] = []
    original = native.derive

    def counted(*args: Any) -> Any:
        derived.append(1)
        return original(*args)

    monkeypatch.setattr(native, "derive", counted)
    return derived


def test_a_template_met_once_is_not_derived(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deriving a template maps its record two or three times again (``templates.derive``), and in a
    varied trail most shapes of call are met once: a template is derived from the second record of its
    shape (other ids), never for a shape met once."""
    derived = _counting_derives(monkeypatch)
    once = [
        record(role_identity(), "GetObject", "s3.amazonaws.com", TIMES[0], **s3("GetObject", "r", "k-1")),
        record(role_identity(), "PutObject", "s3.amazonaws.com", TIMES[0], **s3("PutObject", "r", "k-2")),
        record(role_identity(), "ListObjects", "s3.amazonaws.com", TIMES[0], **s3("ListObjects", "b-3")),
    ]
    compare([delivery(once), delivery(once[:1])])  # the first again: a repeat, counted by its key
    assert derived == []
    compare([delivery(once), delivery(_numbered_objects(2))])
    assert len(derived) == 1


def test_the_records_of_a_template_after_the_two_it_was_derived_from_are_counted_in_their_file() -> None:
    """Where a shape of call is first met, most of its records are in that file (a workload's first
    delivery file): from the third on they are counted by the template the second gave, in the file, not
    read by Python; their repeats in the file (the same ids again) with them."""
    made = _numbered_objects(40)
    made += [{**made[number], "eventTime": TIMES[1]} for number in (5, 6, 5)]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW))
    assert _counting_python_reads(scanner, [delivery(made)]) == 2
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan([delivery(made)], use_native=False))
    assert result.matched[ROLE] == 43
    key = "arn:aws:s3:::r/daily/2005/part-a005.csv"
    usage = result.summary.principals[ROLE].allowed[("s3:GetObject", key)]
    assert (usage.count, usage.first_seen, usage.last_seen) == (3, TIMES[0], TIMES[1])


def test_a_reading_that_is_not_its_ids_carried_into_text_gets_no_template() -> None:
    files = [delivery(_numbered_objects(1)), delivery(_numbered_objects(10, first=1))]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW, mapper_factory=shouting_mapper))
    assert _counting_python_reads(scanner, files) == 11
    result = scanner.take_result(final=True)
    python = Scanner(ScanSpec(principals, WINDOW, mapper_factory=shouting_mapper, native=False))
    for number, data in enumerate(files):
        python.scan_bytes(f"f{number}.json", data)
    assert seen(result) == seen(python.take_result(final=True))
    assert ("s3:GetObject", "ARN:AWS:S3:::R/DAILY/2005/PART-A005.CSV") in result.summary.principals[
        ROLE
    ].allowed


class _SeparatingMapper(_RewritingMapper):
    """The IAM mapping with the resource of a key named ``odd.csv`` holding the two separators of the
    extension's packed rows (``usage.COLUMN_SEPARATOR``, ``ITEM_SEPARATOR``): the IAM mapping itself grants
    no name with a control character, but the packing must not rest on that."""

    def resource(self, record: Any, resource: str) -> str:
        return resource + "\x1e\x1d." if resource.endswith("odd.csv") else resource


def separating_mapper() -> Any:
    return _SeparatingMapper()


def test_a_reading_whose_resource_holds_a_separator_of_the_packed_rows_is_added_by_python() -> None:
    """The extension packs a principal's uses in one string (``Take::drain``), cut into columns and items
    at two control characters: a reading whose action or resource holds one is not packed, and Python adds
    its uses from the row's count and times. The repeats are still counted by the extension."""
    made = []
    for number in range(9):
        fields: dict[str, Any] = {"errorCode": "AccessDenied"} if number % 3 == 2 else {}
        for key in ("odd.csv", "plain.csv"):
            call = s3("GetObject", "r", key)
            made.append(
                record(role_identity(), "GetObject", "s3.amazonaws.com", TIMES[number % 3], **call, **fields)
            )
    files = [delivery(made[:4]), delivery(made[4:])]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW, mapper_factory=separating_mapper))
    assert _counting_python_reads(scanner, files) == 4  # each key's first call, allowed and refused
    result = scanner.take_result(final=True)
    python = Scanner(ScanSpec(principals, WINDOW, mapper_factory=separating_mapper, native=False))
    for number, data in enumerate(files):
        python.scan_bytes(f"f{number}.json", data)
    assert seen(result) == seen(python.take_result(final=True))
    usage = result.summary.principals[ROLE]
    for resource in ("arn:aws:s3:::r/odd.csv\x1e\x1d.", "arn:aws:s3:::r/plain.csv"):
        allowed = usage.allowed[("s3:GetObject", resource)]
        assert (allowed.count, allowed.first_seen, allowed.last_seen) == (6, TIMES[0], TIMES[1])
        assert usage.denied[("s3:GetObject", resource)].count == 3


def test_unmapped_and_ignored_calls_counted_by_templates_stay_unmapped_and_ignored() -> None:
    """A template's reading need not be a mapped one: calls that differ only in ids of an event no table
    maps, and of one the mapper ignores, are counted by their templates, and the drain must count them as
    unmapped and ignored (it sums a principal's plain mapped readings apart: counted as mapped, they were
    matched events with no unmapped or ignored trace)."""

    def calls(source: str, name: str, numbers: range) -> list[dict[str, Any]]:
        made = []
        for number in numbers:
            params = {"thingArn": f"arn:aws:s3:::bucket/obj-{number:04d}"}
            made.append(record(role_identity(), name, source, TIMES[0], requestParameters=params))
        return made

    def both(numbers: range) -> list[dict[str, Any]]:
        unmapped = calls("madeup.amazonaws.com", "DescribeWidget", numbers)
        return unmapped + calls("signin.amazonaws.com", "ConsoleLogin", numbers)

    files = [delivery(both(range(1))), delivery(both(range(1, 30)))]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW))
    assert _counting_python_reads(scanner, files) == 4  # two of each, the rest by the two templates
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan(files, use_native=False))
    assert result.unmapped[ROLE]["madeup.amazonaws.com:DescribeWidget"] == 30
    assert result.ignored[ROLE]["signin.amazonaws.com:ConsoleLogin"] == 30


def _scan_of(principals: tuple[str, ...], files: list[bytes], *, use_native: bool) -> ScanResult:
    scanner = Scanner(ScanSpec(tuple(parse_principal(arn) for arn in principals), WINDOW, native=use_native))
    for number, data in enumerate(files):
        scanner.scan_bytes(f"f{number}.json", data)
    return scanner.take_result(final=True)


def test_a_caller_named_in_its_request_in_another_case_is_read_as_in_python() -> None:
    """IAM's GetUser by a user naming itself in another case grants its own ARN (the mapper compares the
    names ignoring case): the record shares no template with one naming another user. Found by review."""
    caller = f"arn:aws:iam::{ACCOUNT}:user/svc-Ab12"
    identity = {**user_identity(name="svc-Ab12", path="/"), "arn": caller}
    records = [
        record(
            identity, "GetUser", "iam.amazonaws.com", TIMES[0], requestParameters={"userName": "svc-Cd34"}
        ),
        record(
            identity, "GetUser", "iam.amazonaws.com", TIMES[1], requestParameters={"userName": "svc-aB12"}
        ),
    ]
    files = [delivery(records[:1]), delivery(records[1:])]
    native_result = _scan_of((caller,), files, use_native=True)
    assert seen(native_result) == seen(_scan_of((caller,), files, use_native=False))
    assert ("iam:GetUser", "arn:aws:iam::111122223333:user/svc-aB12") not in native_result.summary.principals[
        caller
    ].allowed


def test_a_finding_that_lists_ids_in_their_sorted_order_is_read_as_in_python() -> None:
    """A finding naming several ids lists them sorted: no template stands for it. Found by review (MSK's
    ListNodes naming two clusters, as the fuzzed records of every SDK method showed)."""

    def call(ids: list[str], time: str) -> dict[str, Any]:
        return record(
            role_identity(),
            "ListNodes",
            "kafka.amazonaws.com",
            time,
            requestParameters={"clusterIdentifier": ids},
        )

    files = [
        delivery([call(["item-26fF", "item-bB6715832Eb648AfD179feACAE3BE81a"], TIMES[0])]),
        delivery([call(["item-e95D", "item-d2f589c341fF6b9CDd807BB5AF59Bd8e"], TIMES[1])]),
    ]
    assert seen(_scan_of((ROLE,), files, use_native=True)) == seen(_scan_of((ROLE,), files, use_native=False))


def test_template_uses_rendered_by_the_extension_are_the_python_scan_ones() -> None:
    """The extension fills a template's uses in itself (``Take.drain``): braces of a key are literal text
    in the template's format string, a key called again later counts twice with its first and last time,
    a refused call lands in the refused table. The result is the Python scan's, record for record."""
    made = []
    for number in range(30):
        key = f"in/{{x}}/{2000 + number % 6}/part-a{number % 12:03d}}}.csv"  # each key every 12th call
        fields: dict[str, Any] = {"errorCode": "AccessDenied"} if number % 5 == 4 else {}
        when = TIMES[(number // 12) % 3]
        made.append(
            record(
                role_identity(), "GetObject", "s3.amazonaws.com", when, **s3("GetObject", "r", key), **fields
            )
        )
    files = [delivery(made[:2]), delivery(made[2:16]), delivery(made[16:])]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW))
    assert _counting_python_reads(scanner, files) <= 6  # the first of each template (refused ones apart)
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan(files, use_native=False))
    usage = result.summary.principals[ROLE]
    thrice = usage.allowed[("s3:GetObject", "arn:aws:s3:::r/in/{x}/2001/part-a001}.csv")]
    assert (thrice.count, thrice.first_seen, thrice.last_seen) == (3, TIMES[2], TIMES[1])
    assert ("s3:GetObject", "arn:aws:s3:::r/in/{x}/2004/part-a004}.csv") in usage.denied


def test_templates_kept_past_the_limit_render_their_own_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The readings kept past ``MAX_READINGS`` are numbered anew, and so are the templates' use forms the
    extension renders: a form left under its old number would fill a template's uses with another's
    (a PutObject counted as a GetObject) or with none."""
    monkeypatch.setattr(native, "MAX_READINGS", 8)  # two kept each time: the two templates, most counted

    def objects(numbers: range) -> list[dict[str, Any]]:
        made = []
        for number in numbers:
            for name, key in (("GetObject", f"daily/{number}/a.csv"), ("PutObject", f"up/x-{number}.json")):
                made.append(record(role_identity(), name, "s3.amazonaws.com", TIMES[0], **s3(name, "r", key)))
        return made

    files = [delivery(objects(range(10, 11)))]  # the two templates, derived before any forgetting
    for start in range(6, len(CALLS), 5):
        one_offs = [build(call, TIMES[0]) for call in range(start, min(start + 5, len(CALLS)))]
        files.append(delivery(one_offs + objects(range(10 + start % 80, 18 + start % 80))))  # two digits
    result = compare(files)
    allowed = result.summary.principals[ROLE].allowed
    assert ("s3:PutObject", "arn:aws:s3:::r/up/x-27.json") in allowed
    assert ("s3:GetObject", "arn:aws:s3:::r/daily/27/a.csv") in allowed


def test_an_id_beside_an_escape_gets_no_template() -> None:
    """``12\\u00333`` reads as ``1233``: the reader's token ``12`` is no token of the text Python reads, so a
    template made of it would give every later ``NN\\u00333`` the first one's ``1233``. A key holding an
    escape is keyed exactly (the reader finds the escape as it marks the slots)."""
    made = [
        record(
            role_identity(),
            "GetObject",
            "s3.amazonaws.com",
            TIMES[0],
            **s3("GetObject", "r", f"{n}ESC3/a.csv"),
        )
        for n in (12, 45, 78)
    ]
    files = [delivery([one]).replace(b"ESC", b"\\u0033") for one in made]
    result = compare(files)
    allowed = result.summary.principals[ROLE].allowed
    assert {resource for _, resource in allowed if "/a.csv" in resource} == {
        "arn:aws:s3:::r/1233/a.csv",
        "arn:aws:s3:::r/4533/a.csv",
        "arn:aws:s3:::r/7833/a.csv",
    }


class _LeastIdMapper(_RewritingMapper):
    """The IAM mapping with an S3 key's resource named by the least of the key's folder names: a reading
    that picks an id by its order. Made-up ids keep each character's kind, so a digit id sorts before a
    letter-led hex id in every reading a template is checked on."""

    def resource(self, record: Any, resource: str) -> str:
        return f"arn:aws:s3:::r/{min(record['requestParameters']['key'].split('/'))}"


def least_id_mapper() -> Any:
    return _LeastIdMapper()


def test_a_hex_id_led_by_a_digit_shares_no_template_with_one_led_by_a_letter() -> None:
    """``7/ab12`` and ``7/1ab2``: the same length and kind of each slot, but the least id is another; the
    reader keys whether a slot starts with a letter, so the second is mapped on its own. Found by review."""
    made = [
        record(role_identity(), "GetObject", "s3.amazonaws.com", TIMES[0], **s3("GetObject", "r", key))
        for key in ("7/ab12", "7/cd34", "7/1ab2", "5/2cd3")
    ]
    files = [delivery([one]) for one in made]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    native_scan = Scanner(ScanSpec(principals, WINDOW, mapper_factory=least_id_mapper))
    for number, data in enumerate(files):
        native_scan.scan_bytes(f"f{number}.json", data)
    python = Scanner(ScanSpec(principals, WINDOW, mapper_factory=least_id_mapper, native=False))
    for number, data in enumerate(files):
        python.scan_bytes(f"f{number}.json", data)
    result = native_scan.take_result(final=True)
    assert seen(result) == seen(python.take_result(final=True))
    assert ("s3:GetObject", "arn:aws:s3:::r/1ab2") in result.summary.principals[ROLE].allowed


def slotted_as_the_rule_says(part: bytes, whole_string: bool) -> tuple[bytes, list[bytes], bool] | None:
    """``KeyBuilder``'s template of a text, written from the rule its comments state, a token at a time: a
    slot is a token (a run of ASCII letters and digits) inside a string, of at most 255 characters, with a
    digit and no letter past f, and of at least 4 characters if it has a hex letter; it is marked by 0xFF,
    its class (0 digits alone, 1 lower hex, 2 upper, 3 both; +4 if it starts with a letter), its length,
    the first earlier slot of the same text and the first of the same text but for case (255: none).
    Past 64 slots no more are marked and no template stands for the text; an escape leaves it unslotted."""
    if b"\\" in part:
        return None
    key, slots, templatable, in_string, copied = bytearray(), [], True, whole_string, 0
    for found in re.finditer(rb'[0-9A-Za-z]+|"', part):
        token = found.group()
        if token == b'"':
            in_string ^= not whole_string
            continue
        letters = {chr(byte).lower() for byte in token if not chr(byte).isdigit()}
        has_digit = any(chr(byte).isdigit() for byte in token)
        if not (in_string and has_digit and len(token) <= 255 and letters <= set("abcdef")):
            continue
        if letters and len(token) < 4:
            continue
        lower = any(byte in b"abcdef" for byte in token)
        upper = any(byte in b"ABCDEF" for byte in token)
        kind = lower + 2 * upper + (4 if not chr(token[0]).isdigit() else 0)
        if len(slots) == 64:
            templatable = False
            continue
        same = next((index for index, slot in enumerate(slots) if slot == token), 255)
        alike = next((index for index, slot in enumerate(slots) if slot.lower() == token.lower()), 255)
        if kind == 0:
            alike = same  # digits alone have no case
        key += part[copied : found.start()] + bytes([0xFF, kind, len(token), same, alike])
        slots.append(token)
        copied = found.end()
    key += part[copied:]
    return bytes(key), slots, templatable


SLOT_TEXT = st.lists(
    st.sampled_from(["0", "7", "a", "f", "B", "F", "g", "Z", '"', "\\", "-", ":", "/", " ", "\xe9", "\x80"]),
    max_size=120,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(
    parts=st.lists(st.one_of(SLOT_TEXT, st.sampled_from(["1" * 300, "ab12" * 70, "1/" * 70])), max_size=4),
    whole_string=st.booleans(),
)
@example(parts=["arn:aws:s3:::bucket-1/Key/0a1B2c3D/" + "x" * 20 + "/9f9F9f9F"], whole_string=True)
@example(parts=['{"id":"i-0abc1234","n":12,"s":"AB12ab12"}'], whole_string=False)
def test_the_extension_slots_a_text_as_its_rule_says(parts: list[str], whole_string: bool) -> None:
    """The reader's walk leaps sixteen bytes at a time to the next digit, quote or backslash and reads a
    token only around a digit; the template it makes is the one the rule gives token by token, for any
    text: tokens across the blocks' edges, quotes in and out of strings, bytes past ASCII, tokens past 255
    characters, more than 64 slots, escapes."""
    part = "".join(parts).encode("utf-8")
    slotted = native.policygen_native.slotted_text(part, whole_string)
    assert slotted == slotted_as_the_rule_says(part, whole_string)


# Parts that repeat from key to key, as a trail's events, Regions, accounts and names do; the slots of one
# are the same as, or alike but for case to, the slots of others, in either order
MEMO_PARTS = [
    "111122223333",
    '"111122223333"',
    "eu-west-1",
    "us-east-1",
    "abcd1234",
    "ABCD1234",
    "arn:aws:iam::111122223333:role/abcd1234",
    '{"bucket":"b-1","key":"AbCd1234/x"}',
    "a\\u00351",
    "s3.amazonaws.com",
    "aws",
    "1/" * 70,
]


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(
        st.lists(st.tuples(st.one_of(st.sampled_from(MEMO_PARTS), SLOT_TEXT), st.booleans()), max_size=8),
        max_size=12,
    )
)
@example(keys=[[("1/" * 70, True)], [("111122223333", True), ("1/" * 70, True)]])
def test_parts_slotted_before_give_a_key_the_template_slotted_anew(
    keys: list[list[tuple[str, bool]]],
) -> None:
    """The reader keeps the parts it slotted (``SlotMemo``) for the next records' keys, where only the
    marks of each slot's earlier same or alike slot can differ: every key's template, slots and whether a
    template may stand for it are those of its parts slotted anew, whatever came before (parts repeated
    in other places and orders, escapes, a part whose slots pass 64 after others)."""
    encoded = [[(part.encode("utf-8"), whole) for part, whole in key] for key in keys]
    kept = native.policygen_native.slotted_keys(encoded, True)
    anew = native.policygen_native.slotted_keys(encoded, False)
    assert kept == anew


# A value whose bytes between strings run long (spaces, a long number, literals, brackets in a string): the
# reader skips such runs sixteen bytes at a time (``next_structural``), JSON allows them in any record
SPACED_VALUE = (
    '{  "numbers" :   [ 123456789012345678 ,     -1.5e+10,true ,   false,      null ] ,'
    '  "text":"a{[}]\\"b" ,  "deep" : [ [ 1 ,2 ] ,{ "k" :   12345678901234567890 } ]     }'
)


def test_records_with_long_runs_between_strings_are_counted_as_the_python_scan() -> None:
    """Nested values with long runs of spaces, numbers and literals between their strings, compact and as
    CloudTrail writes them elsewhere: the same result as the Python scan, and the repeats counted by the
    extension (a skip that lost a bracket would send every record back to Python, or key it wrongly)."""
    records = [build(call, time) for call in range(len(CALLS)) for time in TIMES[:3]]
    marked = [{**record, "additionalEventData": "@@", "responseElements": "@@"} for record in records]
    text = delivery(marked).replace(b'"@@"', SPACED_VALUE.encode())
    assert json.loads(text)["Records"][0]["additionalEventData"]["deep"][1]["k"] == 12345678901234567890
    compare([text])
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW, mapper_factory=default_mapper))
    read = _counting_python_reads(scanner, [text])
    assert scanner.take_result(final=True).summary.events_matched > 0
    assert read < len(records) // 2  # most are repeats, counted by the extension


def _simdjson_reads_an_object(text: bytes) -> bool:
    import simdjson

    try:
        value = simdjson.Parser().parse(text)
    except (ValueError, RuntimeError):
        return False
    return isinstance(value, simdjson.Object)


# JSON values of every kind, with strings of characters past ASCII and surrogates (json.dumps escapes them
# or writes them raw), numbers past 64 bits and exponents; bytes of JSON's grammar and of broken UTF-8 for
# the edits
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(st.characters(codec="utf-16", exclude_categories=()), max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
EDIT_BYTES = st.sampled_from(list(b'{}[]",:\\ 0123456789.-+eEtrufalsn\x00\x1f\x7f\x80\xc3\xa9\xed\xff u'))


@settings(max_examples=400, deadline=None)
@given(
    value=st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=6),
    ascii_only=st.booleans(),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "drop", "insert"]), EDIT_BYTES), max_size=3
    ),
)
def test_the_extension_is_sure_of_a_json_object_only_where_simdjson_reads_one(
    value: dict[str, Any], ascii_only: bool, edits: list[tuple[int, str, int]]
) -> None:
    """The extension checks the candidates it reads in place itself, where the scan asked simdjson: any text
    it is sure of must be one simdjson reads as an object, or a file that the scan parses whole (and then
    counts a bad record in) would be read record by record. Texts as json.dumps writes objects of any JSON
    values, then bytes set, dropped or inserted (RFC 8259's grammar, control characters, broken UTF-8)."""
    text = edited(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"), edits)
    if native.policygen_native.is_surely_json_object(text):
        assert _simdjson_reads_an_object(text)


def edited(text: bytes, edits: list[tuple[int, str, int]]) -> bytes:
    """``text`` with each (offset, edit, byte) applied in turn, the offset taken modulo its length + 1."""
    changed = bytearray(text)
    for at, edit, byte in edits:
        at %= len(changed) + 1
        if edit == "insert":
            changed.insert(at, byte)
        elif at < len(changed):
            if edit == "set":
                changed[at] = byte
            else:
                del changed[at]
    return bytes(changed)


HELD_IDENTITIES = (APP, ALICE, {**user_identity(name="zo\u00eb"), "invokedBy": "\u00e9" * 30})
HELD_TLS = (
    {
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": "s3.amazonaws.com",
    },
    {
        "tlsVersion": "TLSv1.2",
        "cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
        "clientProvidedHostHeader": "sts.aws",
    },
)


@settings(max_examples=400, deadline=None)
@given(
    made=st.lists(
        st.tuples(
            st.integers(0, len(HELD_IDENTITIES) - 1),
            st.integers(0, len(HELD_TLS) - 1),
            st.booleans(),
            st.lists(
                st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "drop", "insert"]), EDIT_BYTES),
                max_size=2,
            ),
        ),
        max_size=8,
    )
)
def test_identities_checked_once_give_each_record_the_answer_it_gets_alone(
    made: list[tuple[int, int, bool, list[tuple[int, str, int]]]],
) -> None:
    """The reader holds each userIdentity and tlsDetails object it checked, and a later record's that starts
    with one held is taken as that one without a check (the records of a session repeat it): the answer
    for every record is the one it gets checked alone, whatever was held before it. Records of a few
    identities (one with bytes past ASCII) and TLS details, each with bytes set, dropped or inserted
    anywhere (so also inside or right after a repeated object)."""
    texts = []
    for identity, tls, compact, edits in made:
        value = {
            "eventVersion": "1.09",
            "userIdentity": HELD_IDENTITIES[identity],
            "tlsDetails": HELD_TLS[tls],
        }
        separators = (",", ":") if compact else None
        texts.append(edited(json.dumps(value, ensure_ascii=False, separators=separators).encode(), edits))
    alone = [native.policygen_native.is_surely_json_object(text) for text in texts]
    assert native.policygen_native.surely_json_objects(texts) == alone


@pytest.mark.parametrize(
    ("text", "sure"),
    [
        (delivery([build(0, TIMES[0])])[len(b'{"Records":[') : -2], True),  # a record as CloudTrail writes it
        (b' {"a" : [ -0.5 , 0, true, false, null, {}, [], "\\u00e9\\n\\"" ] ,"\xc3\xa9":1 }', True),
        (b'{"a":"' + b"x" * 40 + b'\\"' + b"y" * 40 + b'"}', True),  # an escaped quote past a block
        (b'{"a":1e5}', False),  # simdjson reads it; exponents are left to it (1e400 it refuses)
        (b'{"a":1234567890123456789}', False),  # 19 digits: left to simdjson (2**64 it refuses)
        (b'{"a":"\\ud83d\\ude00"}', False),  # a surrogate pair: left to simdjson (a lone one it refuses)
        (b'{"a":' + b"[" * 200 + b"]" * 200 + b"}", False),  # deeper than the extension decides
        (b'{"a":01}', False),
        (b'{"a":"\x01"}', False),
        (b'{"a":"\xc3"}', False),
        (b'{"a":"\\x"}', False),
        (b'{"a":[1,]}', False),
        (b'{"a":1} x', False),
        (b'[{"a":1}]', False),
    ],
)
def test_the_extension_is_sure_of_records_as_cloudtrail_writes_them(text: bytes, sure: bool) -> None:
    """Records as CloudTrail writes them are read in place (else the check gains nothing); valid texts whose
    reading by simdjson depends on limits (numbers past 64 bits or a double's range, surrogates, depth)
    are left to simdjson, as are invalid ones."""
    assert native.policygen_native.is_surely_json_object(text) is sure
    assert not sure or _simdjson_reads_an_object(text)


@pytest.mark.parametrize(
    ("value", "in_place"),
    [
        (b'{"k":"v"}', True),
        (b'{"k":1.5e+3}', False),  # valid: simdjson decides, every candidate sliced out
        (b'{"k":"\\ud83d\\ude00"}', False),
        (b'{"k":01}', False),  # invalid: simdjson refuses, the file is parsed whole
    ],
)
def test_a_file_is_read_in_place_only_when_the_extension_is_sure_of_every_candidate(
    value: bytes, in_place: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One candidate the extension is not sure of sends the whole file the way it went before the in-place
    read (every candidate sliced out and checked by simdjson), nothing counted twice or left out; the same
    result as the Python scan either way, a file with an invalid record skipped and named."""
    records = [build(call, time) for call in range(len(CALLS)) for time in TIMES[:2]]
    records[3] = {**records[3], "additionalEventData": "@@"}
    text = delivery(records).replace(b'"@@"', value)
    checked: list[int] = []
    original = Scanner._checked_chunks

    def counted(self: Scanner, data: bytes, positions: list[int]) -> Any:
        checked.append(1)
        return original(self, data, positions)

    monkeypatch.setattr(Scanner, "_checked_chunks", counted)
    scan([text], use_native=True)
    assert (len(checked) == 0) is in_place
    result = compare([text])
    assert ("f0.json" in result.summary.skipped_files) is (value == b'{"k":01}')  # named, never half-read


def test_a_member_name_with_an_escape_is_read_by_python_in_a_file_read_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``"event\\u004eame"`` is eventName once decoded: a record naming it after its eventName holds another
    call for Python (its dict keeps the last). The extension's check sees the escape in the same walk and
    hands that record to Python; the file is still read in place."""
    records = [build(call, time) for call in range(len(CALLS)) for time in TIMES[:2]]
    records[0] = {**records[0], "@@": "PutObject"}
    text = delivery(records).replace(b'"@@"', b'"event\\u004eame"', 1)
    assert json.loads(text)["Records"][0]["eventName"] == "PutObject"
    checked: list[int] = []
    original = Scanner._checked_chunks
    monkeypatch.setattr(
        Scanner, "_checked_chunks", lambda self, *args: checked.append(1) or original(self, *args)
    )
    scan([text], use_native=True)
    assert not checked
    compare([text])


def _identity_text(identity: dict[str, Any]) -> bytes:
    return json.dumps(identity, separators=(",", ":")).encode()


def test_identities_alike_at_both_ends_and_in_length_are_told_apart() -> None:
    """The extension holds what it read of each userIdentity text by a hash of the text's ends and length
    (``identity_hash``): two texts alike in those and differing in between (the session's role) must be
    read each for itself. Here two wanted roles' sessions; counted by the first one's reading, the
    second role's calls would be the first's."""
    twin = f"arn:aws:iam::{ACCOUNT}:role/service-role/apq"
    first, second = _identity_text(role_identity()), _identity_text(role_identity(name="apq"))
    assert len(first) == len(second) and first != second
    assert first[:64] == second[:64] and first[-64:] == second[-64:]
    records = [build(0, time) for time in TIMES[:3]]
    records += [{**made, "userIdentity": json.loads(second)} for made in records[:2]]
    spec = ScanSpec(tuple(parse_principal(arn) for arn in (ROLE, twin)), WINDOW)
    with_native = scan_files([delivery(records)], spec, use_native=True)
    assert seen(with_native) == seen(scan_files([delivery(records)], spec, use_native=False))
    assert (with_native.matched[ROLE], with_native.matched[twin]) == (3, 2)


def test_identities_past_the_number_held_read_as_the_python_scan() -> None:
    """Past ``MAX_IDENTITIES`` distinct texts the extension starts again with none: the records of the
    sessions after it, and of those met again, read as Python reads them, and still by the extension
    (only the first record goes to Python: the others repeat its key)."""
    sessions = 4_100
    records = []
    for number in range(sessions):
        identity = role_identity()
        identity["principalId"] = f"AROAEXAMPLE:session-{number}"
        identity["arn"] = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-{number}"
        records.append({**build(0, TIMES[number % 3]), "userIdentity": identity})
    files = [delivery(records), delivery(records[:50] + records[-50:])]
    principals = tuple(parse_principal(arn) for arn in PRINCIPALS)
    scanner = Scanner(ScanSpec(principals, WINDOW))
    assert _counting_python_reads(scanner, files) == 1
    result = scanner.take_result(final=True)
    assert seen(result) == seen(scan(files, use_native=False))
    assert result.matched[ROLE] == sessions + 100


@pytest.mark.parametrize(("sessions", "drained"), [(16, 0), (17, 1)])
def test_sessions_rows_held_in_the_extension_are_bounded_at_half_the_weight_of_template_rows(
    monkeypatch: pytest.MonkeyPatch, sessions: int, drained: int
) -> None:
    """A Pod Identity session's tally (a key and a count) is about half the bytes of a template's row (its
    slots' texts too): past twice ``MAX_SLOT_ROWS`` of them the extension's rows are drained after the file,
    not before (a new session per role and hour drained every principal's rows 8 times in a 1M-event scan,
    not 3). Here the bound is 8, and a file holds one call of the kept-apart role in each of ``sessions``
    sessions: the first read in Python, the others' tallies rows of the extension."""
    monkeypatch.setattr(native, "MAX_SLOT_ROWS", 8)
    drains: list[int] = []
    original = native.NativeTake.drain

    def counted(self: native.NativeTake, result: ScanResult) -> None:
        drains.append(1)
        original(self, result)

    monkeypatch.setattr(native.NativeTake, "drain", counted)
    calls = [
        pod.call(
            ROLE,
            pod.session_name(f"api-{n}", f"{n:08x}"),
            "s3",
            "GetObject",
            TIMES[0],
            bucketName="r",
            key="k",
        )
        for n in range(sessions)
    ]
    compare([delivery(calls)], split=True)
    assert len(drains) == drained + 1  # and the one when the result is taken


@pytest.mark.parametrize(("padding", "held"), [(200, True), (5000, False)])
def test_identities_held_between_records_are_bounded_in_size(padding: int, held: bool) -> None:
    """The extension holds each userIdentity text it read (and checked) for the records after it, a few
    thousand of them; one past 4 KiB (CloudTrail's are well under it, a hostile file's need not be) is read
    each time instead, so that what is held stays a few MB whatever the files. The result is the Python
    scan's either way."""
    records = []
    for number in range(40):
        identity = role_identity()
        identity["sessionContext"]["attributes"]["sourceIdentity"] = f"{number:04d}" + "x" * padding
        records.append(record(identity, "ListBuckets", "s3.amazonaws.com", TIMES[0]))
    files = [delivery(records)]
    compare(files)
    scanner = Scanner(ScanSpec(tuple(parse_principal(arn) for arn in PRINCIPALS), WINDOW))
    scanner.scan_bytes("f.json", files[0])
    take = scanner._native
    assert take is not None
    assert (take._take.held_bytes() > 40 * padding) is held
    assert take._take.held_bytes() < 40 * 1000 or held


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"])
def test_the_same_call_in_another_partition_is_read_with_its_own_partition(partition: str) -> None:
    """The key holds the caller's partition (it fills every ARN of the reading), cut from the caller's ARN
    by the extension: two roles of the same name and account in two partitions making the same call share
    no reading. ARNs as the IAM User Guide writes them ("IAM ARNs": ``arn:aws-cn:iam::...``)."""
    other = f"arn:{partition}:iam::{ACCOUNT}:role/service-role/app"

    def call(identity: dict[str, Any], time: str) -> dict[str, Any]:
        return record(
            identity,
            "GetParameter",
            "ssm.amazonaws.com",
            time,
            requestParameters={"name": "/app/config"},
        )

    aws, elsewhere = role_identity(), role_identity(partition=partition)
    files = [
        delivery([call(aws, TIMES[0]), call(elsewhere, TIMES[1])]),
        delivery([call(elsewhere, TIMES[2])]),
    ]
    native_result = _scan_of((ROLE, other), files, use_native=True)
    assert seen(native_result) == seen(_scan_of((ROLE, other), files, use_native=False))
    [(grant, usage)] = native_result.summary.principals[other].allowed.items()
    assert grant == ("ssm:GetParameter", f"arn:{partition}:ssm:us-east-1:{ACCOUNT}:parameter/app/config")
    assert usage.count == 2


@pytest.mark.parametrize(
    "escaped",
    [
        b'"payments-pr\\u006fduction"',  # in the first sixteen bytes, which the extension tests at once
        b'"payments-productio\\u006e"',  # past them
        b'"payments-production"',  # none: the extension reads it
    ],
)
def test_a_tag_with_an_escape_anywhere_in_it_is_read_as_in_python(escaped: bytes) -> None:
    """The extension reads a Pod Identity session's tags as the record holds them only where no escape is
    in a text: one anywhere sends the record to Python, which reads the unescaped text (the same namespace,
    so the session's calls go to the same ServiceAccount). An escape of a letter is JSON (RFC 8259
    section 7) that CloudTrail does not write, but a file read from elsewhere may hold."""
    session = pod.session_name("cart-7d9f", "a1b2c3d4")
    start = pod.assume_role(
        ROLE, "payments-production", "cart", "cart-7d9f", "a1b2c3d4", "2026-11-24T08:30:00Z"
    )
    calls = [
        pod.call(ROLE, session, "s3", "GetObject", time, bucketName="reports", key="cart.csv")
        for time in TIMES[:3]
    ]
    text = delivery([start, *calls])
    assert text.count(b'"payments-production"') == 1
    result = compare([text.replace(b'"payments-production"', escaped)], split=True)
    cart = result.summary.service_accounts[ROLE]["payments-production/cart"]
    assert [(key, usage.count) for key, usage in cart.usage.allowed.items()] == [(("s3:GetObject", "*"), 3)]
