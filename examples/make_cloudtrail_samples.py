"""Regenerate ``examples/cloudtrail/``: small, realistic CloudTrail logs for the demo, docs and tests.

Records follow the shapes of the CloudTrail User Guide's examples (S3 data events with ``resources``,
KMS calls made by S3 on a role's behalf with ``invokedBy``, console sign-ins, AWS service events), made
by IAM roles (one with a path) and users, with some denied calls and some deliberately broken files.
Everything is derived from fixed values, so running it again gives the same bytes:

    .venv/bin/python examples/make_cloudtrail_samples.py

Principals worth asking about (account 111122223333):
    arn:aws:iam::111122223333:role/service-role/order-processor   (S3, KMS via S3, DynamoDB, SQS, SNS, ...)
    arn:aws:iam::111122223333:role/ci-deployer                    (Lambda, IAM PassRole, CloudFormation)
    arn:aws:iam::111122223333:user/people/alice                   (console user: sign-in, IAM and S3 reads)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
OUT = Path(__file__).resolve().parent / "cloudtrail"
BUCKET = f"example-orders-{ACCOUNT}"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DAY0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _id(seed: str, length: int = 16, alphabet: str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def role_session(role: str, path: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"AROA{_id(role)}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": f"ASIA{_id(role + session)}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{_id(role)}",
                "arn": f"arn:aws:iam::{ACCOUNT}:role{path}{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-24T08:55:12Z", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def iam_user(name: str, path: str = "/") -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": f"AIDA{_id(name)}",
        "arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}",
        "accountId": ACCOUNT,
        "accessKeyId": f"AKIA{_id('key' + name)}",
        "userName": name,
    }


ORDER = role_session("order-processor", "/service-role/", "order-processor-7f3a")
ORDER_VIA_S3 = role_session("order-processor", "/service-role/", "order-processor-7f3a", "s3.amazonaws.com")
DEPLOYER = role_session("ci-deployer", "/", "github-actions-4412")
ALICE = iam_user("alice", "/people/")
BOB = iam_user("bob")
SDK_UA = (
    "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11 Java/17.0.11"
)
CLI_UA = (
    "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9 md/prompt#off"
)


def event(
    identity: dict[str, Any],
    when: datetime,
    source: str,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    region: str = "us-east-1",
    response: dict[str, Any] | None = None,
    resources: list[dict[str, Any]] | None = None,
    error: tuple[str, str] | None = None,
    read_only: bool = True,
    data_event: bool = False,
    event_type: str = "AwsApiCall",
    user_agent: str = SDK_UA,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    seed = f"{when.isoformat()}{source}{name}{json.dumps(params, sort_keys=True)}{identity.get('arn')}"
    record: dict[str, Any] = {
        "eventVersion": "1.09" if not data_event else "1.10",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": identity.get("invokedBy") or "198.51.100.24",
        "userAgent": identity.get("invokedBy") or user_agent,
    }
    if error:
        record["errorCode"], record["errorMessage"] = error
    record["requestParameters"] = params
    record["responseElements"] = response
    record["requestID"] = _id(seed + "req", 16)
    record["eventID"] = _uuid(seed)
    record["readOnly"] = read_only
    if resources is not None:
        record["resources"] = resources
    record["eventType"] = event_type
    record["managementEvent"] = not data_event
    record["recipientAccountId"] = ACCOUNT
    record["eventCategory"] = "Data" if data_event else "Management"
    if event_type == "AwsApiCall" and "invokedBy" not in identity:
        host = f"{source.split('.')[0]}.{region}.amazonaws.com"
        record["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if extra:
        record.update(extra)
    return record


def s3_object(identity: dict[str, Any], when: datetime, name: str, key: str, **kw: Any) -> dict[str, Any]:
    params = {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com", "key": key}
    resources = [
        {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{BUCKET}/{key}"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"},
    ]
    extra = {
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0 if name != "PutObject" else 2048,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": _id(key, 40),
        }
    }
    return event(
        identity,
        when,
        "s3.amazonaws.com",
        name,
        params,
        resources=resources,
        data_event=True,
        read_only=name in ("GetObject", "HeadObject"),
        extra=extra,
        **kw,
    )


def kms_via_s3(when: datetime, name: str, key: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}/{key}"},
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }
    if name == "GenerateDataKey":
        params = {"keyId": KMS_KEY, "keySpec": "AES_256", **params}
        params.pop("encryptionAlgorithm")
    return event(
        ORDER_VIA_S3,
        when,
        "kms.amazonaws.com",
        name,
        params,
        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KMS_KEY}],
    )


def order_processor_day(day: datetime, n: int) -> list[dict[str, Any]]:
    """One working day of the order processor: the calls its policy must allow."""
    t = day
    key = f"incoming/2026/11/{day.day:02d}/order-{1000 + n}.json"
    out_key = f"processed/2026/11/{day.day:02d}/order-{1000 + n}.json"
    queue = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/order-events"
    records = [
        event(ORDER, t, "sts.amazonaws.com", "GetCallerIdentity", None),
        event(
            ORDER,
            t + timedelta(seconds=5),
            "sqs.amazonaws.com",
            "ReceiveMessage",
            {"queueUrl": queue, "maxNumberOfMessages": 10, "waitTimeSeconds": 20},
        ),
        s3_object(ORDER, t + timedelta(seconds=7), "GetObject", key),
        kms_via_s3(t + timedelta(seconds=7), "Decrypt", key),
        event(
            ORDER,
            t + timedelta(seconds=9),
            "dynamodb.amazonaws.com",
            "GetItem",
            {"tableName": "orders", "key": {"orderId": {"S": f"order-{1000 + n}"}}, "consistentRead": True},
        ),
        event(
            ORDER,
            t + timedelta(seconds=10),
            "dynamodb.amazonaws.com",
            "PutItem",
            {"tableName": "orders", "key": {"orderId": {"S": f"order-{1000 + n}"}}},
            read_only=False,
        ),
        event(
            ORDER,
            t + timedelta(seconds=11),
            "dynamodb.amazonaws.com",
            "Query",
            {"tableName": "orders", "indexName": "by-customer", "keyConditionExpression": "customerId = :c"},
        ),
        s3_object(ORDER, t + timedelta(seconds=12), "PutObject", out_key),
        kms_via_s3(t + timedelta(seconds=12), "GenerateDataKey", out_key),
        event(
            ORDER,
            t + timedelta(seconds=13),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/orders/db-AbCdEf"},
        ),
        event(
            ORDER,
            t + timedelta(seconds=14),
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": "/orders/config/feature-flags", "withDecryption": True},
        ),
        event(
            ORDER,
            t + timedelta(seconds=15),
            "sns.amazonaws.com",
            "Publish",
            {"topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:order-notifications", "messageStructure": "json"},
            response={"messageId": _uuid(f"sns{n}")},
            read_only=False,
        ),
        event(
            ORDER,
            t + timedelta(seconds=16),
            "lambda.amazonaws.com",
            "Invoke",
            {
                "functionName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:order-fulfilment",
                "invocationType": "Event",
            },
            read_only=False,
            data_event=True,
        ),
        event(
            ORDER,
            t + timedelta(seconds=17),
            "sqs.amazonaws.com",
            "DeleteMessage",
            {"queueUrl": queue, "receiptHandle": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            read_only=False,
        ),
        event(
            ORDER,
            t + timedelta(seconds=18),
            "sqs.amazonaws.com",
            "SendMessage",
            {
                "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/order-dead-letters",
                "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            read_only=False,
        ),
    ]
    if n % 2 == 0:
        # Denied: the processor tried to clean up, which its policy does not allow.
        records.append(
            s3_object(
                ORDER, t + timedelta(seconds=20), "DeleteObject", key, error=("AccessDenied", "Access Denied")
            )
        )
    if n == 1:
        records.append(
            event(
                ORDER,
                t + timedelta(seconds=21),
                "dynamodb.amazonaws.com",
                "DeleteTable",
                {"tableName": "orders"},
                read_only=False,
                error=(
                    "AccessDeniedException",
                    "User: arn:aws:sts::111122223333:assumed-role/"
                    "order-processor/order-processor-7f3a is not authorized to perform: "
                    "dynamodb:DeleteTable on resource: arn:aws:dynamodb:us-east-1:111122223333:"
                    "table/orders because no identity-based policy allows the "
                    "dynamodb:DeleteTable action",
                ),
            )
        )
        # Failed after authorization: still needs the permission.
        records.append(
            s3_object(
                ORDER,
                t + timedelta(seconds=22),
                "GetObject",
                "incoming/missing.json",
                error=("NoSuchKey", "The specified key does not exist."),
            )
        )
    return records


def deployer_run(when: datetime) -> list[dict[str, Any]]:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/service-role/order-processor"
    fn = "order-fulfilment"
    return [
        event(DEPLOYER, when, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        event(
            DEPLOYER,
            when + timedelta(seconds=3),
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {"functionName": fn, "publish": True},
            read_only=False,
        ),
        event(
            DEPLOYER,
            when + timedelta(seconds=5),
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": fn, "role": role_arn, "timeout": 30},
            read_only=False,
        ),
        event(
            DEPLOYER,
            when + timedelta(seconds=6),
            "iam.amazonaws.com",
            "GetRole",
            {"roleName": "order-processor"},
            region="us-east-1",
        ),
        event(
            DEPLOYER,
            when + timedelta(seconds=8),
            "cloudformation.amazonaws.com",
            "DescribeStacks",
            {"stackName": "orders-prod"},
        ),
        event(DEPLOYER, when + timedelta(seconds=9), "sts.amazonaws.com", "GetCallerIdentity", None),
    ]


def alice_session(when: datetime) -> list[dict[str, Any]]:
    signin = event(
        ALICE,
        when,
        "signin.amazonaws.com",
        "ConsoleLogin",
        None,
        event_type="AwsConsoleSignIn",
        response={"ConsoleLogin": "Success"},
        read_only=False,
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        extra={
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home",
                "MobileVersion": "No",
                "MFAUsed": "Yes",
            }
        },
    )
    signin["userIdentity"] = {k: v for k, v in ALICE.items() if k != "accessKeyId"}
    return [
        signin,
        event(
            ALICE,
            when + timedelta(minutes=1),
            "iam.amazonaws.com",
            "ListRoles",
            {"maxItems": 100},
            user_agent="AWS Internal",
        ),
        event(
            ALICE,
            when + timedelta(minutes=2),
            "iam.amazonaws.com",
            "GetRole",
            {"roleName": "order-processor"},
            user_agent="AWS Internal",
        ),
        event(
            ALICE,
            when + timedelta(minutes=3),
            "s3.amazonaws.com",
            "ListBuckets",
            {"Host": "s3.amazonaws.com"},
            user_agent="AWS Internal",
        ),
        event(
            ALICE,
            when + timedelta(minutes=4),
            "iam.amazonaws.com",
            "CreateUser",
            {"userName": "temp-admin"},
            read_only=False,
            user_agent="AWS Internal",
            error=(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/people/alice is not authorized to "
                "perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/temp-admin",
            ),
        ),
    ]


def bob_calls(when: datetime) -> list[dict[str, Any]]:
    return [
        event(
            BOB,
            when,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {"instancesSet": {}, "filterSet": {}},
            user_agent=CLI_UA,
        ),
        event(
            BOB,
            when + timedelta(seconds=30),
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": "/aws/lambda/order-fulfilment", "limit": 100},
            user_agent=CLI_UA,
        ),
    ]


def key_rotation(when: datetime) -> dict[str, Any]:
    """An AWS service event: KMS rotating a key by itself, made by no principal of the account."""
    return event(
        {"accountId": ACCOUNT, "invokedBy": "kms.amazonaws.com"},
        when,
        "kms.amazonaws.com",
        "RotateKey",
        None,
        event_type="AwsServiceEvent",
        read_only=False,
        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": KMS_KEY}],
        extra={
            "sourceIPAddress": "kms.amazonaws.com",
            "userAgent": "kms.amazonaws.com",
            "serviceEventDetails": {"keyId": KMS_KEY.rsplit("/", 1)[-1]},
        },
    )


def delivery_name(region: str, written: datetime, seed: str) -> str:
    return f"{ACCOUNT}_CloudTrail_{region}_{written:%Y%m%dT%H%MZ}_{_id(seed, 16, 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}.json.gz"


def delivery_path(region: str, written: datetime, seed: str) -> Path:
    folder = OUT / "AWSLogs" / ACCOUNT / "CloudTrail" / region / f"{written:%Y/%m/%d}"
    return folder / delivery_name(region, written, seed)


def write_delivery(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"Records": records}, separators=(",", ":")).encode()
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    for n in range(3):
        day = DAY0 + timedelta(days=n)
        morning = order_processor_day(day, n) + [key_rotation(day + timedelta(seconds=30))] * (n == 0)
        write_delivery(delivery_path("us-east-1", day + timedelta(minutes=5), f"a{n}"), morning)
        afternoon = deployer_run(day + timedelta(hours=5)) + alice_session(
            day + timedelta(hours=5, minutes=1)
        )
        write_delivery(
            delivery_path("us-east-1", day + timedelta(hours=5, minutes=10), f"b{n}"),
            afternoon + bob_calls(day + timedelta(hours=5, minutes=2)),
        )
    # A second region: the processor reads a replica bucket's object there.
    eu = DAY0 + timedelta(hours=2)
    write_delivery(
        delivery_path("eu-west-1", eu + timedelta(minutes=5), "eu"),
        [
            event(
                ORDER,
                eu,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/order-events-eu",
                    "attributeNames": ["ApproximateNumberOfMessages"],
                },
                region="eu-west-1",
            )
        ],
    )

    exports = OUT / "exports"
    exports.mkdir(parents=True)
    # JSON Lines, as CloudTrail Lake, Athena and SIEM exports write them.
    later = DAY0 + timedelta(days=2, hours=7)
    lines = order_processor_day(later, 3)[:6] + bob_calls(later)
    (exports / "lake-export.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in lines))
    # A bare JSON array of records, as some tools save a query result.
    array = deployer_run(later + timedelta(hours=1))
    (exports / "query-result.json").write_text(json.dumps(array, indent=2) + "\n")

    broken = OUT / "malformed"
    broken.mkdir(parents=True)
    whole = gzip.compress(
        json.dumps({"Records": order_processor_day(DAY0 + timedelta(days=1, hours=8), 4)}).encode(),
        compresslevel=9,
        mtime=0,
    )
    written = DAY0 + timedelta(days=1, hours=8, minutes=5)
    (broken / delivery_name("us-east-1", written, "truncated")).write_bytes(whole[: len(whole) // 2])
    (broken / "not-a-log.json").write_bytes(hashlib.sha512(b"binary").digest() * 8)
    fields = order_processor_day(DAY0 + timedelta(days=1, hours=9), 5)[:3]
    del fields[1]["eventName"]
    del fields[2]["userIdentity"]
    (broken / "missing-fields.json").write_text(json.dumps({"Records": fields}, indent=1) + "\n")


if __name__ == "__main__":
    main()
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files under {OUT}")
