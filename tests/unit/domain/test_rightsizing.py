"""Expanding a role's policies against the Service Authorization Reference, and granted versus used."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from policygen_operator.domain.iam.granted import (
    INLINE,
    MANAGED,
    PolicySource,
    expand_policies,
    within_boundary,
)
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.rightsizing import (
    ACK,
    IRSA,
    POD_IDENTITY,
    Binding,
    Guards,
    analyze,
    child_name,
    group_roles,
)
from policygen_operator.domain.usage import PrincipalUsage

REF = load_reference()
ROLE = "arn:aws:iam::111122223333:role/app"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": "*", **extra}


@pytest.mark.parametrize(
    ("pattern", "contains", "excludes"),
    [
        ("s3:GetObject", {"s3:GetObject"}, {"s3:PutObject"}),
        ("S3:getobject", {"s3:GetObject"}, set()),  # any case, reference spelling back
        ("s3:Get*", {"s3:GetObject", "s3:GetBucketPolicy"}, {"s3:PutObject", "s3:ListBucket"}),
        ("s3:?etObject", {"s3:GetObject"}, {"s3:PutObject"}),
        ("s?s:Send*", {"sqs:SendMessage", "sns:Publish"} - {"sns:Publish"}, {"sqs:ReceiveMessage"}),
        ("*", {"s3:GetObject", "ec2:RunInstances"}, set()),
        ("s3:[ab]*", set(), {"s3:GetObject"}),  # brackets are literal in IAM, not a character class
        ("nosuchservice:Get*", set(), set()),
        ("s3", set(), set()),
    ],
)
def test_expand_patterns(pattern: str, contains: set[str], excludes: set[str]) -> None:
    expanded = set(REF.expand(pattern))
    assert contains <= expanded
    assert not (excludes & expanded)
    if not contains:
        assert expanded == set()


def test_expand_star_is_every_action_and_get_star_is_one_namespace() -> None:
    assert len(REF.expand("*")) == len(REF.actions()) > 20000
    gets = REF.expand("s3:Get*")
    assert gets and all(a.startswith("s3:Get") for a in gets)


CASES: list[tuple[str, list[PolicySource], set[str], set[str], list[tuple[str, str]]]] = [
    # name, policies, granted includes, granted excludes, reported (what, effect)
    (
        "managed and inline add up",
        [
            PolicySource(MANAGED, "ReadS3", doc(allow(["s3:GetObject", "s3:ListBucket"])), "arn:p"),
            PolicySource(INLINE, "sqs", doc(allow("sqs:SendMessage"))),
        ],
        {"s3:GetObject", "s3:ListBucket", "sqs:SendMessage"},
        {"s3:PutObject"},
        [],
    ),
    (
        "unconditional deny removes",
        [
            PolicySource(MANAGED, "All", doc(allow("s3:*"))),
            PolicySource(
                INLINE, "no-delete", doc({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})
            ),
        ],
        {"s3:GetObject", "s3:PutObject"},
        {"s3:DeleteObject", "s3:DeleteBucket"},
        [],
    ),
    (
        "conditional deny is reported and does not remove",
        [
            PolicySource(MANAGED, "All", doc(allow("s3:DeleteObject"))),
            PolicySource(
                INLINE,
                "mfa",
                doc(
                    {
                        "Effect": "Deny",
                        "Action": "s3:DeleteObject",
                        "Resource": "*",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
                    }
                ),
            ),
        ],
        {"s3:DeleteObject"},
        set(),
        [("condition", "Deny")],
    ),
    (
        "not-action is reported, not expanded",
        [PolicySource(INLINE, "broad", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))],
        set(),
        {"s3:GetObject", "iam:PassRole"},
        [("not-action", "Allow")],
    ),
    (
        "conditional allow counts as granted and is reported",
        [
            PolicySource(
                INLINE,
                "regional",
                doc(
                    allow(
                        "ec2:RunInstances", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
                    )
                ),
            )
        ],
        {"ec2:RunInstances"},
        set(),
        [("condition", "Allow")],
    ),
    (
        "unknown action is reported",
        [PolicySource(INLINE, "typo", doc(allow(["s3:GetObjekt", "s3:GetObject"])))],
        {"s3:GetObject"},
        set(),
        [("unknown-action", "Allow")],
    ),
    (
        "single statement object (not a list)",
        [PolicySource(INLINE, "one", {"Version": "2012-10-17", "Statement": allow("sts:GetCallerIdentity")})],
        {"sts:GetCallerIdentity"},
        set(),
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "policies", "includes", "excludes", "reported"), CASES, ids=[c[0] for c in CASES]
)
def test_expand_policies(
    name: str,
    policies: list[PolicySource],
    includes: set[str],
    excludes: set[str],
    reported: list[tuple[str, str]],
) -> None:
    grant = expand_policies(policies, REF)
    assert includes <= set(grant.actions)
    assert not (excludes & set(grant.actions))
    assert [(r.what, r.effect) for r in grant.reported] == reported


def test_granting_policies_are_named_per_action() -> None:
    grant = expand_policies(
        [
            PolicySource(MANAGED, "A", doc(allow("s3:GetObject"))),
            PolicySource(INLINE, "B", doc(allow("s3:Get*"))),
        ],
        REF,
    )
    assert grant.actions["s3:GetObject"] == ["A", "B"]
    assert grant.actions["s3:GetBucketPolicy"] == ["B"]


def test_boundary_cuts_unless_it_uses_not_action() -> None:
    grant = expand_policies([PolicySource(MANAGED, "A", doc(allow(["s3:*", "sqs:*"])))], REF)
    boundary = expand_policies([PolicySource("boundary", "B", doc(allow("s3:*")))], REF)
    cut, applied = within_boundary(grant, boundary)
    assert applied and cut.services() == ["s3"]
    loose = expand_policies(
        [PolicySource("boundary", "B", doc({"Effect": "Allow", "NotAction": "iam:*"}))], REF
    )
    same, applied = within_boundary(grant, loose)
    assert not applied and same.services() == ["s3", "sqs"]


def usage(*calls: tuple[str, str, int]) -> PrincipalUsage:
    out = PrincipalUsage()
    for action, when, times in calls:
        for _ in range(times):
            out.record(action, "*", when)
    return out


GRANT = expand_policies(
    [
        PolicySource(
            MANAGED, "P", doc(allow(["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "kms:Decrypt"]))
        )
    ],
    REF,
)

ANALYSES: list[tuple[str, PrincipalUsage | None, float, Guards, dict[str, Any]]] = [
    (
        "one used, three unused, one unused service pair",
        usage(("s3:GetObject", "2026-11-02T00:00:00Z", 3), ("s3:GetObject", "2026-11-05T00:00:00Z", 1)),
        30,
        Guards(),
        {
            "granted": 4,
            "used": 1,
            "unused": ["kms:Decrypt", "s3:PutObject", "sqs:SendMessage"],
            "services_unused": ["kms", "sqs"],
            "held": 0,
            "proposed": True,
            "last": "2026-11-05T00:00:00Z",
        },
    ),
    (
        "keep list never calls an action unused",
        usage(("s3:GetObject", "2026-11-02T00:00:00Z", 1)),
        30,
        Guards(keep_actions=("kms:*",)),
        {"granted": 4, "used": 1, "unused": ["s3:PutObject", "sqs:SendMessage"], "held": 0, "proposed": True},
    ),
    (
        "too few days holds back",
        usage(("s3:GetObject", "2026-11-02T00:00:00Z", 50)),
        3,
        Guards(min_days_observed=7),
        {"granted": 4, "used": 1, "held": 1, "proposed": False},
    ),
    (
        "too few events holds back",
        usage(("s3:GetObject", "2026-11-02T00:00:00Z", 2)),
        30,
        Guards(min_events=10),
        {"granted": 4, "used": 1, "held": 1, "proposed": False},
    ),
    (
        "no usage at all: everything unused, held back by min events",
        None,
        30,
        Guards(min_events=1),
        {
            "granted": 4,
            "used": 0,
            "unused": ["kms:Decrypt", "s3:GetObject", "s3:PutObject", "sqs:SendMessage"],
            "held": 1,
            "proposed": False,
        },
    ),
    (
        "used but not granted is reported (case of the log normalised)",
        usage(("s3:getobject", "2026-11-02T00:00:00Z", 1), ("dynamodb:GetItem", "2026-11-03T00:00:00Z", 1)),
        30,
        Guards(),
        {"granted": 4, "used": 2, "not_granted": ["dynamodb:GetItem"], "held": 0, "proposed": True},
    ),
]


@pytest.mark.parametrize(
    ("name", "seen", "days", "guards", "expected"), ANALYSES, ids=[a[0] for a in ANALYSES]
)
def test_analyze(
    name: str, seen: PrincipalUsage | None, days: float, guards: Guards, expected: dict[str, Any]
) -> None:
    result = analyze(ROLE, GRANT, seen, days, guards, REF)
    assert len(result.granted) == expected["granted"]
    assert len(result.used) == expected["used"]
    if "unused" in expected:
        assert result.unused == expected["unused"]
    if "services_unused" in expected:
        assert result.services_unused == expected["services_unused"]
    if "not_granted" in expected:
        assert result.used_not_granted == expected["not_granted"]
    if "last" in expected:
        assert result.used["s3:GetObject"]["lastSeen"] == expected["last"]
        assert result.services_used["s3"] == expected["last"]
    assert len(result.held_back) == expected["held"]
    assert result.removal_proposed is expected["proposed"]
    counts = result.counts()
    assert counts["unusedActions"] == len(result.unused)
    assert counts["reductionPercent"] == round(100 * len(result.unused) / len(result.granted))


def test_shared_role_is_one_role_with_its_service_accounts() -> None:
    shared = "arn:aws:iam::111122223333:role/shared"
    roles = group_roles(
        [
            Binding(shared, IRSA, "team-b", "api"),
            Binding(shared, IRSA, "team-a", "worker"),
            Binding(shared, IRSA, "team-a", "worker"),  # listed twice by two sources: once
            Binding(shared, POD_IDENTITY, "team-c", "job"),
            Binding("arn:aws:iam::111122223333:role/ack-made", ACK, "team-a", "my-role"),
            Binding("arn:aws:iam::111122223333:role/excluded-admin", IRSA, "team-a", "admin"),
        ],
        exclude=("arn:aws:iam::*:role/excluded-*",),
    )
    assert [r.arn for r in roles] == ["arn:aws:iam::111122223333:role/ack-made", shared]
    assert roles[1].service_accounts == ["team-a/worker", "team-b/api", "team-c/job"]
    assert roles[1].via == [IRSA, POD_IDENTITY]
    assert roles[0].ack_roles == ["team-a/my-role"] and roles[0].service_accounts == []
    assert roles[1].to_dict()["attribution"] == "role"


@pytest.mark.parametrize(
    ("parent", "arn"),
    [
        ("fleet", "arn:aws:iam::111122223333:role/app"),
        ("a" * 80, "arn:aws:iam::111122223333:role/path/" + "Very_Long.Role@Name" * 5),
        ("fleet", "arn:aws:iam::111122223333:role/-"),
    ],
)
def test_child_name_is_a_stable_dns_label(parent: str, arn: str) -> None:
    name = child_name(parent, arn)
    assert name == child_name(parent, arn)
    assert len(name) <= 63
    assert name[0].isalnum() and name[-1].isalnum()
    assert all(ch in "abcdefghijklmnopqrstuvwxyz0123456789-" for ch in name)
    assert child_name(parent, arn + "2") != name


def test_two_parents_whose_names_share_their_first_24_characters_get_different_children() -> None:
    """The name keeps 24 characters of the parent: ``payments-production-fleet-a`` and ``...-b`` sharing a
    role and a childNamespace must not ask for the same child (the second create is a 409 and its role
    would get no report). A parent name that fits keeps the name it always had."""
    arn = "arn:aws:iam::111122223333:role/app"
    first = child_name("payments-production-fleet-a", arn)
    assert first != child_name("payments-production-fleet-b", arn)
    assert len(first) <= 63
    assert child_name("fleet", arn) == "fleet-app-" + hashlib.sha256(arn.encode()).hexdigest()[:8]
