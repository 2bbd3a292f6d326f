"""The callers' ARNs read back from a few files for a principal that matched nothing (``nearby``): found by a
byte search in any form the scan reads, sessions reduced to their roles, bounded in files and bytes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from policygen_operator.domain.cloudtrail.nearby import (
    callers_in,
    near_miss,
    principals_of,
    sample_callers,
)
from policygen_operator.domain.cloudtrail.principals import parse_principal
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    ROLE,
    USER,
    delivery,
    record,
    role_identity,
    spaced,
    user_identity,
)

PASSED = f"arn:aws:iam::{ACCOUNT}:role/service-role/passed"


def _calls() -> list[dict[str, object]]:
    """A role's session passing another role, and a user reading an object: the passed role's ARN is a
    resource (requestParameters.role, resources[].ARN; CloudTrail User Guide, "CloudTrail record contents
    for management, data, and network activity events"), no caller."""
    passing = record(
        role_identity(),
        "CreateFunction20150331",
        "lambda.amazonaws.com",
        requestParameters={"functionName": "f", "role": PASSED},
        resources=[{"ARN": PASSED, "accountId": ACCOUNT, "type": "AWS::IAM::Role"}],
    )
    return [passing, record(user_identity())]


def test_the_callers_are_found_in_every_text_form() -> None:
    events = {"Events": [{"EventName": "GetObject", "CloudTrailEvent": json.dumps(r)} for r in _calls()]}
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/app"  # without its session name
    for data in (delivery(_calls()), spaced(_calls()), json.dumps(events).encode()):
        assert callers_in(data) == {session, ROLE, USER}, data[:80]
        assert principals_of(callers_in(data)) == {ROLE, USER}


def test_a_session_without_its_issuer_is_its_role_without_a_path() -> None:
    cut = record(role_identity("worker", issuer=False))
    assert principals_of(callers_in(delivery([cut]))) == {f"arn:aws:iam::{ACCOUNT}:role/worker"}
    root = record({"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT})
    assert principals_of(callers_in(delivery([root]))) == set()


def test_the_sample_is_bounded_in_files_and_bytes(tmp_path: Path) -> None:
    paths = []
    for number in range(4):
        path = tmp_path / f"{number}.json.gz"
        path.write_bytes(gzip.compress(delivery([record(user_identity(f"user-{number}"))])))
        paths.append(str(path))
    users = {f"arn:aws:iam::{ACCOUNT}:user/people/user-{n}" for n in range(4)}
    assert sample_callers(paths) == (users, 4)
    assert sample_callers(paths, max_files=2) == ({*sorted(users)[:2]}, 2)
    size = len(delivery([record(user_identity("user-0"))]))
    assert sample_callers(paths, max_bytes=size + 10) == ({*sorted(users)[:1]}, 2)  # the second: 10 bytes


def test_a_near_miss_is_the_likest_caller() -> None:
    callers = {ROLE, USER, f"arn:aws:iam::{ACCOUNT}:role/service-role/app-2"}
    assert near_miss(parse_principal(f"arn:aws:iam::{ACCOUNT}:role/service-role/ap"), callers) == ROLE
    assert near_miss(parse_principal(f"arn:aws:iam::{ACCOUNT}:role/service-role/bpp"), callers) == ROLE
    assert near_miss(parse_principal(f"arn:aws:iam::{ACCOUNT}:role/service-role/queue"), callers) is None
    assert near_miss(parse_principal(ROLE), {ROLE}) is None
