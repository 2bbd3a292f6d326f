"""The mapper's memo can never go stale: a plan's memo key is derived from what its pieces declare they
read, and this file checks the declarations against what resolution really reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import compile_plan, memo_key
from policygen_operator.domain.iam.mapping.rules import CURATED_ENTRIES
from tests.unit.domain.iam.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    cloudtrail_record,
    role_identity,
    user_identity,
)


def describe_instance_attribute(instance_id: str) -> dict[str, Any]:
    """Shaped as the EC2 API reference's DescribeInstanceAttribute request as CloudTrail logs it
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceAttribute.html;
    CloudTrail writes the query parameters in lowerCamelCase)."""
    return cloudtrail_record(
        "ec2.amazonaws.com",
        "DescribeInstanceAttribute",
        {"instanceId": instance_id, "attribute": "instanceType"},
        identity=user_identity(),
    )


def test_describe_instance_attribute_on_two_instances_names_both() -> None:
    """Issue 9 item 1: the second instance came back as the first one's ARN (memo keyed without
    ``instanceId``), so the policy named one instance and which one depended on batching."""
    mapper = EventMapper()
    first = mapper.map(describe_instance_attribute("i-1234567890abcdef0"))
    second = mapper.map(describe_instance_attribute("i-0598c7d356eba48d7"))
    arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/"
    assert first.uses == (("ec2:DescribeInstanceAttribute", arn + "i-1234567890abcdef0"),)
    assert second.uses == (("ec2:DescribeInstanceAttribute", arn + "i-0598c7d356eba48d7"),)


class Recorder(Mapping[str, Any]):
    """Request parameters that hold a value for every name and remember which names were asked for."""

    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return "value-of-" + key

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _pairs(mapper: EventMapper) -> list[tuple[str, str]]:
    ref = mapper.reference
    sources = {namespace: source for source, namespace in sorted(ref.event_sources.items())}
    pairs = {(sources.get(ns, f"{ns}.amazonaws.com"), method) for ns, method in ref.sdk_methods()}
    pairs |= {(sources.get(ns, f"{ns}.amazonaws.com"), method) for ns, method in CURATED_ENTRIES}
    return sorted(pairs)


def test_every_parameter_a_plan_reads_is_in_its_memo_key() -> None:
    """For every SDK method of the shipped table, resolution reads no top-level request parameter that is
    missing from the plan's ``param_keys`` (the memo key): a parameter left out would let two records
    that differ in it share one result."""
    mapper = EventMapper()
    stale: list[str] = []
    compiled = 0
    for source, method in _pairs(mapper):
        plan = compile_plan(mapper.reference, source, method)
        if plan.kind != "mapped":
            continue
        compiled += 1
        params = Recorder()
        record = cloudtrail_record(source, method, None, identity=user_identity())
        record["requestParameters"] = params
        mapper._resolve(plan, record, False, plan.key)
        missing = params.read - plan.param_keys
        if missing:
            stale.append(f"{source}:{method} reads {sorted(missing)}")
    assert compiled > 5000
    assert stale == []


@pytest.mark.parametrize("order", [0, 1])
def test_memo_does_not_depend_on_order(order: int) -> None:
    records = [describe_instance_attribute(f"i-{n:017x}") for n in range(5)]
    if order:
        records.reverse()
    mapper = EventMapper()
    fresh = [EventMapper().map(r) for r in records]
    assert [mapper.map(r) for r in records] == fresh


def _callers(source: str, method: str) -> list[dict[str, Any]]:
    """The same call made in every context a record can give: another IAM user, the same user in another
    account or partition, a role session instead of a user, another region or recipient account."""
    records = [
        cloudtrail_record(source, method, None, identity=user_identity()),
        cloudtrail_record(source, method, None, identity=user_identity(user="Bob")),
        cloudtrail_record(source, method, None, identity=user_identity(account=OTHER_ACCOUNT)),
        cloudtrail_record(
            source, method, None, identity=user_identity(partition="aws-cn"), region="cn-north-1"
        ),
        cloudtrail_record(source, method, None, identity=role_identity()),
        cloudtrail_record(source, method, None, identity=user_identity(), region="eu-west-1"),
    ]
    records.append({**records[0], "recipientAccountId": OTHER_ACCOUNT})
    return records


def test_records_that_resolve_differently_never_share_a_memo_key() -> None:
    """The memo key holds the calling user only for plans that can grant on the caller's own ARN (the
    IAM self-service fallback), so that other calls made by many users share one entry. For every plan of
    the shipped table: two records that differ only in who called, from where, give different memo keys
    whenever resolution gives different results (a key without the caller, region, account or partition
    where resolution reads it fails here: ``iam:GetUser`` without a user name is on the caller)."""
    mapper = EventMapper()
    shared: list[str] = []
    for source, method in _pairs(mapper):
        plan = compile_plan(mapper.reference, source, method)
        if plan.kind != "mapped":
            continue
        records = _callers(source, method)
        results = [mapper._resolve(plan, r, False, plan.key) for r in records]
        keys = [memo_key(plan, r, False) for r in records]
        for index in range(1, len(records)):
            if results[index] != results[0] and keys[index] == keys[0]:
                shared.append(f"{source}:{method} variant {index}: {results[0].uses} / {results[index].uses}")
    assert shared == []


def test_calls_that_cannot_name_the_caller_share_one_entry_across_users() -> None:
    """A table read by 100 IAM users is one memo entry, not 100: the cluster-wide scan's many principals
    repeat the same calls, and each entry costs a full resolution (tens of microseconds)."""
    mapper = EventMapper()
    for user in ("Alice", "Bob", "Carol"):
        record = cloudtrail_record(
            "dynamodb.amazonaws.com",
            "GetItem",
            {"tableName": "orders", "key": {"pk": {"S": "order#1"}}},
            identity=user_identity(user=user),
        )
        assert mapper.map(record).uses == (
            ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"),
        )
    assert len(mapper._memo) == 1
    # the self-service call still resolves per user
    for user in ("Alice", "Bob"):
        own = mapper.map(
            cloudtrail_record("iam.amazonaws.com", "GetUser", {}, identity=user_identity(user=user))
        )
        assert own.uses == (("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/{user}"),)


def test_parameter_values_equal_in_python_but_written_differently_have_their_own_keys() -> None:
    """``True == 1 == 1.0`` in Python, but a template writes ``True``, ``1`` and ``1.0``: keyed by the value
    itself, records with ``instanceId`` true, 1 and 1.0 would share one result."""
    mapper = EventMapper()
    plan = compile_plan(mapper.reference, "ec2.amazonaws.com", "DescribeInstanceAttribute")
    keys = {
        memo_key(plan, describe_instance_attribute(value), False)  # type: ignore[arg-type]
        for value in (True, 1, 1.0, "1")
    }
    assert len(keys) == 4


@pytest.mark.parametrize("order", [0, 1])
def test_a_naming_parameter_no_template_reads_is_in_the_memo_key_too(order: int) -> None:
    """Whether a request names something the mapper does not read decides its grant (``fill._names``):
    Glue GetCatalogs naming nothing lists the account's catalogs (on ``catalog``), one with a
    ``ParentCatalogId`` ("The ID of the parent catalog in which the catalog resides", Glue API reference,
    GetCatalogs) lists a nested catalog's children, a form the mapper does not read (``*``, said). The memo
    keyed only on the parameters the templates read, so the second call took the first's result: after
    one naming nothing, the nested listing was granted on ``catalog`` alone, a policy that refuses it."""
    plain = cloudtrail_record("glue.amazonaws.com", "GetCatalogs", {})
    nested = cloudtrail_record(
        "glue.amazonaws.com", "GetCatalogs", {"parentCatalogId": f"{ACCOUNT}:s3tablescatalog"}
    )
    records = [plain, nested][:: -1 if order else 1]
    mapper = EventMapper()
    assert [mapper.map(r) for r in records] == [EventMapper().map(r) for r in records]
    assert mapper.map(nested).uses == (("glue:GetCatalogs", "*"),)
    assert mapper.map(plain).uses == (("glue:GetCatalogs", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"),)


def test_records_that_differ_in_a_parameter_no_template_reads_share_a_key_only_when_they_resolve_alike() -> (
    None
):
    """For every plan of the shipped table: a record naming something in a parameter no template reads
    (``resourceName``, a noun that may stand for any type) and one naming nothing give different memo keys
    whenever resolution gives different results; the plans where it can (``Plan.reads_names``) are few."""
    mapper = EventMapper()
    shared: list[str] = []
    reading = 0
    for source, method in _pairs(mapper):
        plan = compile_plan(mapper.reference, source, method)
        if plan.kind != "mapped":
            continue
        reading += plan.reads_names
        records = [
            cloudtrail_record(source, method, {}, identity=role_identity()),
            cloudtrail_record(source, method, {"resourceName": "example"}, identity=role_identity()),
        ]
        results = [mapper._resolve(plan, r, False, plan.key) for r in records]
        if results[0] != results[1] and memo_key(plan, records[0], False) == memo_key(
            plan, records[1], False
        ):
            shared.append(f"{source}:{method}: {results[0].uses} / {results[1].uses}")
    assert shared == []
    assert 0 < reading < 5000
