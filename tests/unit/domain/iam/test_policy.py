"""Policy building: grouping, compaction, splitting, determinism."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policygen_operator.domain.iam.arn import split_arn
from policygen_operator.domain.iam.canonical import canonical_json, policy_characters
from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.policy import (
    DEFAULT_COMPACTION_THRESHOLD,
    Compaction,
    PolicyOptions,
    _fit,
    _starting_with,
    build_policies,
    build_policies_and_compactions,
    compact,
    compact_resources,
    shape_of,
)
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.iam.validate import validate_policy
from policygen_operator.domain.usage import Usage
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record, s3_data_event

T = "2024-03-18T09:15:42Z"


def usage(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Usage]:
    return {pair: Usage(1, T, T) for pair in pairs}


def statements(documents: list[dict]) -> list[dict]:
    return [s for d in documents for s in d["Statement"]]


def granted(documents: list[dict]) -> set[tuple[str, str]]:
    return {(a, r) for s in statements(documents) for a in s["Action"] for r in s["Resource"]}


def test_grouped_by_service_and_resource_set() -> None:
    docs = build_policies(
        usage(
            [
                ("s3:GetObject", "arn:aws:s3:::b/k"),
                ("s3:PutObject", "arn:aws:s3:::b/k"),
                ("s3:ListBucket", "arn:aws:s3:::b"),
                ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"),
                ("ec2:DescribeInstances", "*"),
                ("s3:ListAllMyBuckets", "*"),
            ]
        )
    )
    assert len(docs) == 1
    doc = docs[0]
    assert doc["Version"] == "2012-10-17"
    shapes = [(s["Action"], s["Resource"]) for s in doc["Statement"]]
    assert shapes == [
        (["ec2:DescribeInstances"], ["*"]),
        (["s3:ListAllMyBuckets"], ["*"]),
        (["s3:ListBucket"], ["arn:aws:s3:::b"]),
        (["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::b/k"]),
        (["sqs:SendMessage"], [f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"]),
    ]
    assert all(s["Effect"] == "Allow" and s["Sid"].isalnum() for s in doc["Statement"])
    assert [f for f in validate_policy(doc) if f.severity == "error"] == []


def test_star_absorbs_the_actions_other_resources() -> None:
    docs = build_policies(
        usage([("kms:Decrypt", "*"), ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1")])
    )
    assert statements(docs) == [
        {"Sid": statements(docs)[0]["Sid"], "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["*"]}
    ]


def test_no_resource_level_is_action_only() -> None:
    docs = build_policies(
        usage([("s3:GetObject", "arn:aws:s3:::b/k"), ("s3:PutObject", "arn:aws:s3:::c/k")]),
        PolicyOptions(resource_level=False),
    )
    assert [(s["Action"], s["Resource"]) for s in statements(docs)] == [
        (["s3:GetObject", "s3:PutObject"], ["*"])
    ]


def test_exclude_actions_with_wildcards() -> None:
    docs = build_policies(
        usage(
            [
                ("s3:GetObject", "arn:aws:s3:::b/k"),
                ("s3:DeleteObject", "arn:aws:s3:::b/k"),
                ("sts:AssumeRole", "*"),
            ]
        ),
        PolicyOptions(exclude_actions=("s3:delete*", "STS:AssumeRole")),
    )
    assert {a for a, _ in granted(docs)} == {"s3:GetObject"}


def test_nothing_allowed_gives_no_document() -> None:
    assert build_policies({}) == []


# --- compaction ---------------------------------------------------------------------------------------


def test_threshold_is_exclusive() -> None:
    keys = [f"arn:aws:s3:::b/logs/{i:02}.gz" for i in range(DEFAULT_COMPACTION_THRESHOLD)]
    assert compact(keys, DEFAULT_COMPACTION_THRESHOLD) == set(keys)
    more = [*keys, "arn:aws:s3:::b/logs/99.gz"]
    assert compact(more, DEFAULT_COMPACTION_THRESHOLD) == {"arn:aws:s3:::b/logs/*"}


def test_busy_folder_collapses_neighbours_stay_exact() -> None:
    arns = [f"arn:aws:s3:::b/logs/2024/{i}.txt" for i in range(30)] + [
        "arn:aws:s3:::b/k",
        "arn:aws:s3:::b/k1",
    ]
    assert compact(arns, 10) == {"arn:aws:s3:::b/logs/2024/*", "arn:aws:s3:::b/k", "arn:aws:s3:::b/k1"}


def test_many_folders_collapse_at_the_common_path_prefix() -> None:
    arns = [f"arn:aws:s3:::b/data/{d}/{f}.csv" for d in range(12) for f in range(3)]
    assert compact(arns, 10) == {"arn:aws:s3:::b/data/*"}


SECRETS = "arn:aws:secretsmanager:us-east-1:111122223333:secret:"
# eleven secrets a service reads, three under prod/ (Secrets Manager's folder-like names, with the six
# characters it appends): one over the threshold
ELEVEN_SECRETS = [
    f"{SECRETS}{name}-AbCdEf"
    for name in (
        "prod/db-password", "prod/api-key", "prod/redis", "staging/db-password", "payments/stripe",
        "ci/github-token", "hr/payroll-db", "ml/openai", "ops/pagerduty", "analytics/snowflake", "vendor/x",
    )
]  # fmt: skip


def test_a_level_just_over_the_threshold_collapses_its_biggest_folder_not_every_name() -> None:
    """Eleven secrets gave ``secret:*`` (every secret of the account) because their nine folders, taken one
    by one, were still more than ten; collapsing ``prod/`` alone brings the level to nine."""
    assert compact(ELEVEN_SECRETS, 10) == {
        f"{SECRETS}prod/*",
        *(a for a in ELEVEN_SECRETS if "prod/" not in a),
    }


def test_a_collapsed_folder_keeps_its_entries_common_prefix() -> None:
    """IAM names requested without their path are granted as ``role/NAME`` and ``role/*/NAME`` (any path);
    Stratus Red Team's twelve such AttachRolePolicy grants (the invictus-ir AWS dataset, as republished in
    https://github.com/Yamato-Security/suzaku-sample-data) collapsed ``*/`` to ``role/*/*``: every role that
    has a path (``service-role/...``, ``aws-service-role/...``) open to AttachRolePolicy."""
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    names = [
        f"stratus-red-team-{n}"
        for n in (
            "backdoor-r-role",
            "ec2-enumerate-role",
            "ec2-steal-credentials-role",
            "ec2lui-role-p",
            "x",
            "y",
        )
    ]
    arns = [f"{role}*/{name}" for name in names] + [f"{role}{name}" for name in names]
    stands_for: dict[str, int] = {}
    assert compact(arns, 10, stands_for) == {f"{role}*/stratus-red-team-*", *(f"{role}{n}" for n in names)}
    assert stands_for == {f"{role}*/stratus-red-team-*": 6}
    # entries of nothing in common still give the folder's every entry, as before
    assert compact([f"{role}*/{c}-role" for c in "abcdefghijk"], 10) == {f"{role}*/*"}


def test_folders_collapse_biggest_first_and_only_as_far_as_needed() -> None:
    arns = [f"arn:aws:s3:::b/{d}/{f}" for d, files in (("a", 4), ("b", 3), ("c", 2)) for f in range(files)]
    arns += ["arn:aws:s3:::b/x", "arn:aws:s3:::b/y"]  # 11 entries: a/ (4) alone brings them to 8
    assert compact(arns, 10) == {"arn:aws:s3:::b/a/*", *(a for a in arns if "/a/" not in a)}
    assert compact(arns, 6) == {
        "arn:aws:s3:::b/a/*",
        "arn:aws:s3:::b/b/*",
        *(f"arn:aws:s3:::b/{rest}" for rest in ("c/0", "c/1", "x", "y")),
    }


def test_compaction_is_reported_with_what_each_pattern_stands_for() -> None:
    """Every wildcard compaction writes allows more than the calls used: the builder names each one."""
    pairs = [("secretsmanager:GetSecretValue", arn) for arn in ELEVEN_SECRETS]
    pairs += [("secretsmanager:DescribeSecret", arn) for arn in ELEVEN_SECRETS[:2]]
    docs, compactions = build_policies_and_compactions(usage(pairs))
    assert ("secretsmanager:GetSecretValue", f"{SECRETS}prod/*") in granted(docs)
    assert compactions == [Compaction(f"{SECRETS}prod/*", ("secretsmanager:GetSecretValue",), 3)]
    assert build_policies_and_compactions(usage(pairs[:10]))[1] == []  # ten stay exact: nothing to say


def test_names_compact_to_their_common_prefix() -> None:
    tables = [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders-{i}" for i in range(11)]
    assert compact(tables, 10) == {f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders-*"}


def test_never_across_accounts_or_regions() -> None:
    tables = [
        f"arn:aws:dynamodb:us-east-1:{a}:table/t{i}" for a in (ACCOUNT, OTHER_ACCOUNT) for i in range(11)
    ]
    tables += [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/t{i}" for i in range(3)]
    assert compact(tables, 10) == {
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t*",
        f"arn:aws:dynamodb:us-east-1:{OTHER_ACCOUNT}:table/t*",
        *(f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/t{i}" for i in range(3)),
    }


def test_buckets_are_never_compacted() -> None:
    """S3 bucket ARNs carry no account: a bucket-name pattern could match someone else's bucket."""
    buckets = [f"arn:aws:s3:::team-bucket-{i}" for i in range(25)]
    assert compact(buckets, 10) == set(buckets)


def test_compaction_never_produces_bare_star() -> None:
    queues = [f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}" for name in "abcdefghijklmnop"]
    assert compact(queues, 10) == {f"arn:aws:sqs:us-east-1:{ACCOUNT}:*"}
    docs = build_policies(usage([("s3:GetObject", f"arn:aws:s3:::b{i}/k{i}") for i in range(40)]))
    assert all(r != "*" for _, r in granted(docs))


def test_compacted_wildcard_removes_covered_arns() -> None:
    pairs = [("s3:GetObject", f"arn:aws:s3:::b/in/{i}") for i in range(11)] + [
        ("s3:GetObject", "arn:aws:s3:::b/k")
    ]
    docs = build_policies(usage(pairs))
    assert granted(docs) == {("s3:GetObject", "arn:aws:s3:::b/in/*"), ("s3:GetObject", "arn:aws:s3:::b/k")}


# --- splitting ----------------------------------------------------------------------------------------


def _many_distinct_pairs() -> list[tuple[str, str]]:
    """Hundreds of distinct real actions, each on its own resource."""
    reference = load_reference()
    pairs = []
    for action in sorted(reference.actions()):
        types = reference.resource_types(action)
        if action.startswith(("dynamodb:", "sqs:", "sns:", "lambda:", "kms:", "ssm:")) and types:
            arn = types[0].fill(
                {v: "name" for v in types[0].variables}
                | {"Partition": "aws", "Region": "us-east-1", "Account": ACCOUNT}
            )
            pairs.append((action, arn))
    return pairs


def test_split_at_the_size_limit() -> None:
    pairs = _many_distinct_pairs()
    assert len(pairs) > 150
    docs = build_policies(usage(pairs))
    assert len(docs) > 1
    for doc in docs:
        assert policy_characters(doc) <= 6144
        assert [f for f in validate_policy(doc) if f.severity == "error"] == []
    assert granted(docs) == set(pairs)
    sids = [s["Sid"] for s in statements(docs)]
    assert len(sids) == len(set(sids))


def test_a_statement_too_big_alone_is_cut_by_resources() -> None:
    pairs = [
        ("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/{i:04}/value")
        for i in range(400)
    ]
    docs = build_policies(usage(pairs), PolicyOptions(compaction_threshold=10_000))
    assert len(docs) > 1
    assert all(policy_characters(d) <= 6144 for d in docs)
    assert granted(docs) == set(pairs)
    sids = [s["Sid"] for s in statements(docs)]
    assert len(sids) == len(set(sids))


@settings(max_examples=200, deadline=None)
@given(
    resources=st.lists(
        st.text(min_size=1, max_size=90).map(lambda key: f"arn:aws:s3:::b/{key}"), max_size=120
    ),
    room=st.integers(200, 7000),
    condition=st.booleans(),
)
def test_a_statement_is_cut_into_the_fullest_pieces_that_fit(
    resources: list[str], room: int, condition: bool
) -> None:
    """``_fit`` sums the pieces' sizes rather than encoding each piece again per resource: each piece, with
    the longest Sid a piece gets, still fits the room (or is one resource alone), takes the resources in
    order, and the next resource would not have fitted in it (any text: quotes, backslashes, past ASCII)."""
    statement = {"Sid": "S1", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resources or ["x"]}
    if condition:
        statement["Condition"] = {"StringEquals": {"aws:ResourceAccount": ACCOUNT}}
    pieces = _fit(statement, room)

    def size(chunk: list[str]) -> int:
        return policy_characters({**statement, "Sid": "S1P99", "Resource": chunk})

    if policy_characters(statement) <= room:
        assert pieces == [statement]
        return
    assert [r for piece in pieces for r in piece["Resource"]] == statement["Resource"]
    assert [piece["Sid"] for piece in pieces] == [f"S1P{n}" for n in range(1, len(pieces) + 1)]
    for piece, after in itertools.zip_longest(pieces, pieces[1:]):
        chunk = piece["Resource"]
        assert size(chunk) <= room or len(chunk) == 1
        if after is not None:
            assert size([*chunk, after["Resource"][0]]) > room


@pytest.mark.parametrize("per_piece", [1, 2, 3, 7])
def test_pieces_that_fill_the_room_exactly(per_piece: int) -> None:
    """A room that ``per_piece`` resources of one length fill to the character: every piece takes that
    many, the first and every later one (a size carried one character off after a cut splits early)."""
    resources = [f"arn:aws:s3:::b/key-{n:03d}" for n in range(20)]
    statement = {"Sid": "S1", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resources}
    room = policy_characters({**statement, "Sid": "S1P99", "Resource": resources[:per_piece]})
    assert [len(piece["Resource"]) for piece in _fit(statement, room)] == [
        min(per_piece, 20 - start) for start in range(0, 20, per_piece)
    ]


def test_smaller_limit_splits_more() -> None:
    pairs = _many_distinct_pairs()
    assert len(build_policies(usage(pairs), PolicyOptions(max_characters=2048))) > len(
        build_policies(usage(pairs))
    )


# --- determinism ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_input_in_another_order_is_byte_identical(seed: int) -> None:
    pairs = _many_distinct_pairs() + [("s3:GetObject", f"arn:aws:s3:::b/x/{i}") for i in range(50)]
    shuffled = pairs[:]
    random.Random(seed).shuffle(shuffled)
    first = [canonical_json(d) for d in build_policies(usage(pairs))]
    second = [canonical_json(d) for d in build_policies(usage(shuffled))]
    assert first == second
    raw_first = [str(d) for d in build_policies(usage(pairs))]
    raw_second = [str(d) for d in build_policies(usage(shuffled))]
    assert raw_first == raw_second  # already canonical order, not only after canonical_json


def test_sid_stable_when_other_statements_change() -> None:
    base = [("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q")]
    before = statements(build_policies(usage(base)))[0]["Sid"]
    after = {
        s["Action"][0]: s["Sid"]
        for s in statements(build_policies(usage([*base, ("ec2:DescribeVpcs", "*")])))
    }
    assert after["sqs:SendMessage"] == before


def test_from_records_to_valid_policy() -> None:
    """The mapper's output goes straight into the builder and the result validates without errors."""
    mapper = EventMapper()
    records = [s3_data_event("GetObject", "amzn-s3-demo-bucket", f"reports/{i}.csv") for i in range(15)] + [
        cloudtrail_record("dynamodb.amazonaws.com", "Query", {"tableName": "Orders", "indexName": "byDate"}),
        cloudtrail_record("sts.amazonaws.com", "GetCallerIdentity", None),
        cloudtrail_record(
            "kms.amazonaws.com", "Decrypt", {"keyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"}
        ),
        cloudtrail_record("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/db"}),
        cloudtrail_record("ssm.amazonaws.com", "GetParameter", {"name": "/app/x"}),
        cloudtrail_record("iam.amazonaws.com", "GetRole", {"roleName": "deployer"}),
        cloudtrail_record("lambda.amazonaws.com", "Invoke", {"functionName": "f"}),
        cloudtrail_record("sns.amazonaws.com", "Publish", {"topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}),
        cloudtrail_record(
            "sqs.amazonaws.com",
            "SendMessage",
            {"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/q"},
        ),
    ]
    allowed: dict[tuple[str, str], Usage] = {}
    for record in records:
        event = mapper.map(record)
        if event.kind == "mapped" and not event.denied:
            for use in event.uses:
                allowed.setdefault(use, Usage(0, T, T)).see(T)
    docs = build_policies(allowed)
    assert len(docs) == 1
    assert ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/*") in granted(docs)
    assert validate_policy(docs[0]) == []


def test_identical_across_hash_seeds() -> None:
    """Sets iterate in a per-process order; the documents must not depend on it."""
    import subprocess
    import sys

    script = (
        "import json\n"
        "from policygen_operator.domain.iam.policy import build_policies\n"
        "from policygen_operator.domain.usage import Usage\n"
        "pairs = [(f's3:{a}', f'arn:aws:s3:::b/{d}/{i}') for a in ('GetObject', 'PutObject')"
        " for d in ('x', 'y', 'z') for i in range(8)]\n"
        "pairs += [(f'sqs:SendMessage', f'arn:aws:sqs:us-east-1:111122223333:q{i}') for i in range(14)]\n"
        "print(json.dumps(build_policies({p: Usage(1, 't', 't') for p in pairs})))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def _shape_by_parts(arn: str) -> tuple[str, str] | None:
    """``shape_of`` as first written: the ARN's six parts, the head joined back and cut at the resource's
    first ``/`` or ``:``."""
    parts = split_arn(arn)
    if parts is None:
        return None
    head, resource = ":".join(parts[:5]) + ":", parts[5]
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i >= 0), default=-1)
    return (head, resource) if cut < 0 else (head + resource[: cut + 1], resource[cut + 1 :])


@given(st.text(alphabet="arn:aws3/*\n-x", max_size=24), st.sampled_from(["", "arn:", "arn:aws:s3:::"]))
def test_the_shape_of_an_arn_is_its_parts_cut_at_the_resource_first_separator(text: str, prefix: str) -> None:
    """One regular expression does what a split, a search and a join did (every ARN of every policy goes
    through it): the same head and rest, or None, for any text."""
    arn = prefix + text
    assert shape_of(arn) == _shape_by_parts(arn)
    assert shape_of("arn:aws:s3:::bucket/a/b") == ("arn:aws:s3:::bucket/", "a/b")
    assert shape_of("arn:aws:sqs:us-east-1:111122223333:jobs") == (
        "arn:aws:sqs:us-east-1:111122223333:",
        "jobs",
    )
    assert shape_of("arn:aws:s3:::") is None and shape_of("arn::s3:::b") is None


@given(
    rests=st.lists(st.text(alphabet="ab/*\U0010ffff", max_size=6), max_size=30),
    prefix=st.text(alphabet="ab/*\U0010ffff", max_size=4),
)
def test_what_a_pattern_stands_for_is_counted_as_a_pass_would(rests: list[str], prefix: str) -> None:
    """``compact``'s count of the ARNs a pattern replaces: two binary searches of the sorted rests give the
    count a pass testing each gives, whatever the characters (the last code point included)."""
    assert _starting_with(sorted(rests), prefix) == sum(1 for rest in rests if rest.startswith(prefix))


@pytest.mark.parametrize(
    "keys",
    [
        # eleven keys of 1,022 bytes (S3 allows 1,024) in one chain of 510 folders
        [f"{'a/' * 510}{n}" for n in range(11)],
        # a branch at each of 505 levels: a leaf beside the folder that holds every deeper key
        [f"{'a/' * level}x" for level in range(505)] + [f"{'a/' * 505}{n}" for n in range(11)],
    ],
)
@pytest.mark.parametrize(
    "native",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                compact_resources is None, reason="the native extension is not built here (make install)"
            ),
        ),
    ],
)
def test_keys_hundreds_of_folders_deep_compact_to_patterns_that_cover_them(
    keys: list[str], native: bool
) -> None:
    """A call per folder level (two frames with its comprehension) hit Python's recursion limit near 500
    levels and ended the policy's build; a chain of single folders is gone down in a loop, and past
    ``MAX_LEVELS`` branching levels a level is its common prefix plus ``*``."""
    arns = [f"arn:aws:s3:::bucket/{key}" for key in keys]
    stands_for: dict[str, int] = {}
    kept = compact(arns, 10, stands_for, native=native)
    assert len(kept) <= 10
    for arn in arns:
        assert any(
            arn == pattern or (pattern.endswith("*") and arn.startswith(pattern[:-1])) for pattern in kept
        )
    assert sum(stands_for.values()) + len(set(arns) & kept) == len(arns)  # each named exactly or by one


# ARN-like texts: heads of every kind ``shape_of`` tells apart (none, no account, a bare name's, a path's),
# and rests of folders, wildcards, escapes and characters past ASCII (the last code point among them)
_HEADS = st.sampled_from(
    [
        "arn:aws:s3:::b/",
        "arn:aws:s3:::",
        "arn:aws:sqs:us-east-1:111122223333:",
        "arn:aws:iam::111122223333:role/",
        "arn:aws:dynamodb:eu-west-1:111122223333:table/",
        "arn::s3:::",
        "arn:aws:kms:r:a",
        "",
    ]
)
_RESTS = st.text(alphabet="ab/:*?${}.\u00e9\u00ea\U0010ffff\n", max_size=12)


@pytest.mark.skipif(compact_resources is None, reason="the native extension is not built here (make install)")
@settings(max_examples=400, deadline=None)
@given(
    resources=st.lists(st.tuples(_HEADS, _RESTS), max_size=60),
    threshold=st.integers(0, 12),
)
# two names whose first difference is inside one character's UTF-8 bytes (U+00E9 and U+00EA share a byte)
@example(resources=[("arn:aws:s3:::b/", "x\u00e9"), ("arn:aws:s3:::b/", "x\u00ea")], threshold=1)
def test_the_extension_compacts_as_the_python_code_does(
    resources: list[tuple[str, str]], threshold: int
) -> None:
    """``compact`` by the extension (``compact_resources``) gives the set and the counts of what each
    pattern stands for that the Python code gives, for any ARN-like texts and threshold: the shape's cut,
    the heads never compacted, the folders collapsed busiest first, common prefixes in whole characters
    cut before a wildcard or an escape."""
    arns = {head + rest for head, rest in resources}
    by_python: dict[str, int] = {}
    by_extension: dict[str, int] = {}
    assert compact(arns, threshold, by_extension, native=True) == compact(
        arns, threshold, by_python, native=False
    )
    assert by_extension == by_python


@pytest.mark.skipif(compact_resources is None, reason="the native extension is not built here (make install)")
def test_the_extension_compacts_many_keys_as_the_python_code_does() -> None:
    """Thousands of keys in folders of every size, as a job writing objects makes them."""
    picked = random.Random(7)
    arns = {
        f"arn:aws:s3:::data/{picked.choice(['in', 'out', 'tmp'])}/{picked.randrange(40)}/"
        f"{picked.randrange(10 ** picked.randrange(1, 6))}.csv"
        for _ in range(5_000)
    } | {f"arn:aws:kms:us-east-1:111122223333:key/{picked.randrange(16**8):08x}" for _ in range(300)}
    for threshold in (0, 1, 10, 50):
        by_python: dict[str, int] = {}
        by_extension: dict[str, int] = {}
        assert compact(arns, threshold, by_extension) == compact(arns, threshold, by_python, native=False)
        assert by_extension == by_python
