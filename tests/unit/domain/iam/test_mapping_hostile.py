"""Every plan of the shipped table meets request parameters and resources[] of the wrong JSON types
(lists where names go, objects, numbers, nulls, ARNs of other services) and must answer, not raise: the
scan checks the top-level fields of a record, but the values inside requestParameters and resources[] are
the caller's and reach the resolvers as they are."""

from __future__ import annotations

import random
from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import compile_plan
from tests.unit.domain.iam.records import cloudtrail_record, role_identity, user_identity
from tests.unit.domain.iam.test_mapping_memo import _pairs

ODD_VALUES: list[Any] = [
    None, True, 0, -1, 1.5, 2**70, "", "*", "a/b", "${x}", "x" * 300, "\x00", "\u2603", "arn:", "/",
    "a:b:c:d:e:f:g", "arn:aws:s3:::b/k", "arn:aws:iam::111122223333:role/x", "arn:aws:sqs:us-east-1:1:q",
    "https://sqs.us-east-1.amazonaws.com/111122223333/q", "s3://b/k",
    [], ["a"], [{"a": 1}], [[["x"]]], {}, {"a": "b"}, {"key": ["x"]},
]  # fmt: skip
ODD_RESOURCES: list[Any] = [[{"ARN": v}] for v in ODD_VALUES[:8]]
ODD_RESOURCES += [[1], [{"arn": 5}], [{"ARNPrefix": ["x"]}]]


def test_every_plan_answers_odd_parameter_and_resource_values() -> None:
    """Found by this test: a resources[] ARN that is a list made the memo key unhashable (TypeError)."""
    mapper = EventMapper()
    chosen = random.Random(9)
    failures: list[str] = []
    for source, name in _pairs(mapper):
        keys = sorted(compile_plan(mapper.reference, source, name).param_keys) or ["x"]
        for _ in range(2):
            picked = chosen.sample(keys, min(len(keys), chosen.randint(1, 4)))
            params = {key: chosen.choice(ODD_VALUES) for key in picked}
            identity = chosen.choice([role_identity(), user_identity()])
            record = cloudtrail_record(source, name, params, identity=identity)
            if chosen.random() < 0.3:
                record["resources"] = chosen.choice(ODD_RESOURCES)
            try:
                mapper.map(record)
            except Exception as error:  # every failure is collected and named below
                failures.append(f"{source}:{name} {params} {record.get('resources')}: {error!r}")
    assert not failures, f"{len(failures)} records raised, e.g. {failures[:3]}"
