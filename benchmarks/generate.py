"""Deterministic CloudTrail delivery files for benchmarks: realistic size and shape, many principals.

Files follow the delivery layout (``AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/``, one file per
5 minutes and region, 500 records each, ~1.5 KB of JSON per record: the size of realistic records measured
earlier, 302 MB of JSON for 200,000 records). Records come from
``PRINCIPALS`` roles and users; the benchmark's target role makes about 1 record in 50, so the scan has
to filter, as it would in a real account. The same seed always gives the same bytes.

Usage: python benchmarks/generate.py OUT_DIR EVENTS
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from isal import igzip

ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "eu-west-1")
RECORDS_PER_FILE = 500
START = datetime(2026, 9, 1, tzinfo=UTC)
TARGET_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/bench-target"
TARGET_SHARE = 0.02
PRINCIPALS = 300

# (eventSource, eventName, requestParameters, resources template or None, readOnly)
CALLS = [
    (
        "s3.amazonaws.com",
        "GetObject",
        {"bucketName": "{bucket}", "Host": "{bucket}.s3.amazonaws.com", "key": "data/{n}/part-{m}.parquet"},
        "s3obj",
        True,
    ),
    (
        "s3.amazonaws.com",
        "PutObject",
        {"bucketName": "{bucket}", "Host": "{bucket}.s3.amazonaws.com", "key": "incoming/{n}/batch-{m}.json"},
        "s3obj",
        False,
    ),
    (
        "s3.amazonaws.com",
        "ListObjects",
        {
            "bucketName": "{bucket}",
            "Host": "{bucket}.s3.amazonaws.com",
            "prefix": "data/{n}/",
            "list-type": "2",
        },
        "s3bucket",
        True,
    ),
    (
        "dynamodb.amazonaws.com",
        "GetItem",
        {"tableName": "orders-{n}", "key": {"pk": {"S": "order#{m}"}}, "consistentRead": False},
        None,
        True,
    ),
    (
        "dynamodb.amazonaws.com",
        "PutItem",
        {"tableName": "orders-{n}", "item": {"pk": {"S": "order#{m}"}}},
        None,
        False,
    ),
    (
        "sqs.amazonaws.com",
        "SendMessage",
        {
            "queueUrl": "https://sqs.{region}.amazonaws.com/{account}/jobs-{n}",
            "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        None,
        False,
    ),
    (
        "sqs.amazonaws.com",
        "ReceiveMessage",
        {
            "queueUrl": "https://sqs.{region}.amazonaws.com/{account}/jobs-{n}",
            "maxNumberOfMessages": 10,
            "waitTimeSeconds": 20,
        },
        None,
        True,
    ),
    (
        "kms.amazonaws.com",
        "Decrypt",
        {
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "encryptionContext": {"aws:s3:arn": "arn:aws:s3:::{bucket}/data/{n}"},
        },
        "kms",
        True,
    ),
    ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/app-{n}/db"}, None, True),
    ("ssm.amazonaws.com", "GetParameter", {"name": "/app/{n}/config", "withDecryption": True}, None, True),
    ("sts.amazonaws.com", "GetCallerIdentity", None, None, True),
    (
        "lambda.amazonaws.com",
        "Invoke",
        {"functionName": "arn:aws:lambda:{region}:{account}:function:worker-{n}", "invocationType": "Event"},
        None,
        False,
    ),
]


def principals() -> list[dict[str, object]]:
    """Identities, each a userIdentity block; index 0 is the benchmark's target role."""
    rng = random.Random(7)
    out: list[dict[str, object]] = []
    for number in range(PRINCIPALS):
        if number == 0 or number % 3:
            name = "bench-target" if number == 0 else f"app-{number:03d}-role"
            path = "/service-role/" if number % 2 == 0 else "/"
            role_arn = f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
            session = f"session-{rng.randrange(10**9)}"
            out.append(
                {
                    "type": "AssumedRole",
                    "principalId": f"AROA{rng.randrange(16**16):016X}:{session}",
                    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
                    "accountId": ACCOUNT,
                    "accessKeyId": f"ASIA{rng.randrange(16**16):016X}",
                    "sessionContext": {
                        "sessionIssuer": {
                            "type": "Role",
                            "principalId": f"AROA{rng.randrange(16**16):016X}",
                            "arn": role_arn,
                            "accountId": ACCOUNT,
                            "userName": name,
                        },
                        "attributes": {"creationDate": "2026-09-01T00:00:00Z", "mfaAuthenticated": "false"},
                    },
                }
            )
        else:
            name = f"user-{number:03d}"
            out.append(
                {
                    "type": "IAMUser",
                    "principalId": f"AIDA{rng.randrange(16**16):016X}",
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/people/{name}",
                    "accountId": ACCOUNT,
                    "accessKeyId": f"AKIA{rng.randrange(16**16):016X}",
                    "userName": name,
                }
            )
    return out


def _fill(value: object, slots: dict[str, object]) -> object:
    if isinstance(value, str):
        return value.format(**slots)
    if isinstance(value, dict):
        return {k: _fill(v, slots) for k, v in value.items()}
    return value


def record(rng: random.Random, identity: dict[str, object], when: datetime, region: str) -> dict[str, object]:
    source, name, params, resources, read_only = rng.choice(CALLS)
    slots = {
        "bucket": f"analytics-{rng.randrange(8)}",
        "n": rng.randrange(20),
        "m": rng.randrange(10**6),
        "region": region,
        "account": ACCOUNT,
    }
    event: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 "
        "OpenJDK_64-Bit_Server_VM/17.0.11 "
        "Java/17.0.11 vendor/Amazon.com_Inc. md/io#sync md/http#Apache ua/2.0 m/D,E app/analytics",
        "requestParameters": _fill(params, slots),
        "responseElements": None,
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "bytesTransferredOut": rng.randrange(10**6),
            "x-amz-id-2": f"{rng.randrange(16**40):040x}",
        },
        "requestID": f"{rng.randrange(16**16):016X}",
        "eventID": f"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}-{rng.randrange(16**4):04x}-"
        f"{rng.randrange(16**4):04x}-{rng.randrange(16**12):012x}",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": source not in ("s3.amazonaws.com", "lambda.amazonaws.com"),
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
        },
    }
    bucket = slots["bucket"]
    if resources == "s3obj":
        key = _fill(params, slots)["key"]  # type: ignore[index]
        event["resources"] = [
            {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
        ]
    elif resources == "s3bucket":
        event["resources"] = [
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}
        ]
    elif resources == "kms":
        event["resources"] = [
            {
                "accountId": ACCOUNT,
                "type": "AWS::KMS::Key",
                "ARN": f"arn:aws:kms:{region}:{ACCOUNT}:key/{rng.randrange(16**8):08x}-1111",
            }
        ]
        event["userIdentity"] = identity
    if rng.random() < 0.03:
        event["errorCode"] = "AccessDenied"
        event["errorMessage"] = "User is not authorized to perform this operation"
    return event


def write_file(out: Path, index: int, share: float = TARGET_SHARE) -> int:
    """File ``index`` of the set (deterministic on its own, so files can be made in parallel); the target
    role makes ``share`` of the records, the other principals the rest in equal parts."""
    rng = random.Random(index)
    identities = PRINCIPAL_LIST
    region = REGIONS[index % len(REGIONS)]
    written = START + timedelta(minutes=5 * (index // len(REGIONS)) + 5)
    records = []
    for n in range(RECORDS_PER_FILE):
        when = written - timedelta(seconds=300 - n * 300 // RECORDS_PER_FILE)
        identity = (
            identities[0] if rng.random() < share else identities[1 + rng.randrange(len(identities) - 1)]
        )
        records.append(record(rng, identity, when, region))
    day = written.strftime("%Y/%m/%d")
    folder = out / "AWSLogs" / ACCOUNT / "CloudTrail" / region / day
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{ACCOUNT}_CloudTrail_{region}_{written:%Y%m%dT%H%MZ}_{rng.randrange(16**16):016X}.json.gz"
    data = json.dumps({"Records": records}, separators=(",", ":")).encode()
    (folder / name).write_bytes(igzip.compress(data, compresslevel=1))
    return len(data)


PRINCIPAL_LIST = principals()


def generate(out: Path, events: int, workers: int | None = None, share: float = TARGET_SHARE) -> int:
    """Make ``events`` records (rounded up to whole files) under ``out``; return raw JSON bytes."""
    files = -(-events // RECORDS_PER_FILE)
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        sizes = pool.map(write_file, [out] * files, range(files), [share] * files, chunksize=32)
        return sum(sizes)


def principal_arns() -> list[str]:
    """The ARN a policy is asked for of each principal in the data, the target role first."""
    arns = []
    for identity in PRINCIPAL_LIST:
        context = identity.get("sessionContext")
        issuer = context["sessionIssuer"] if isinstance(context, dict) else identity
        arns.append(str(issuer["arn"]))
    return arns


def main(argv: list[str] | None = None) -> int:
    """``--help`` says what is written and which principal to ask for; without it, a missing or
    non-numeric argument ended in an IndexError or ValueError traceback."""
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description=(__doc__ or "").split("\n\nUsage:")[0].replace("``PRINCIPALS``", str(PRINCIPALS)),
        epilog=f"the target role, for --principal: {TARGET_ROLE}\n"
        f"records from {START:%Y-%m-%d}, {RECORDS_PER_FILE} a file, one file per 5 minutes and region\n"
        "example: python benchmarks/generate.py /tmp/trail 200000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder to write AWSLogs/ under")
    parser.add_argument("events", metavar="EVENTS", type=_positive, help="how many records to write")
    args = parser.parse_args(argv)
    total = generate(args.out_dir, args.events)
    print(f"{args.events} events, {total / args.events:.0f} bytes/record, in {args.out_dir}")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())
