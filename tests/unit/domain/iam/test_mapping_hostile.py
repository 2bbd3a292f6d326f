"""Every plan of the shipped table meets request parameters and resources[] of the wrong JSON types
(lists where names go, objects, numbers, nulls, ARNs of other services) and must answer, not raise: the
scan checks the top-level fields of a record, but the values inside requestParameters and resources[] are
the caller's and reach the resolvers as they are."""

from __future__ import annotations

import random
from typing import Any

import botocore.session

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.plans import compile_plan, sdk_event_source
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


def test_every_operation_answers_requests_and_responses_of_its_own_shape_with_odd_values_inside() -> None:
    """The test above gives odd values to top-level parameters; a real request nests them (filters,
    tag specifications, lists of objects) and a response may be anything. Each mapped botocore operation
    meets its input and output shapes filled in, an odd value put in place of one member in eight at any
    depth. Run on every operation with 20 records each (918,000 records), none raised; this keeps a
    sample (one operation in eight, three records each) as a guard."""
    session = botocore.session.get_session()
    mapper = EventMapper()
    ref = mapper.reference
    chosen = random.Random(11)
    failures: list[str] = []
    for service in sorted(session.get_available_services())[::2]:
        model = session.get_service_model(service)
        source = sdk_event_source(ref, model.metadata, service)
        for name in model.operation_names[::4]:
            if compile_plan(ref, source, name).kind != "mapped":
                continue
            operation = model.operation_model(name)
            for _ in range(3):
                request = _filled(operation.input_shape, chosen, 0) if operation.input_shape else {}
                identity = chosen.choice([role_identity(), user_identity()])
                record = cloudtrail_record(
                    source, name, request if isinstance(request, dict) else {}, identity=identity
                )
                if operation.output_shape is not None and chosen.random() < 0.5:
                    record["responseElements"] = _filled(operation.output_shape, chosen, 0)
                try:
                    mapper.map(record)
                except Exception as error:  # every failure is collected and named below
                    failures.append(f"{source}:{name} {record['requestParameters']}: {error!r}")
    assert not failures, f"{len(failures)} records raised, e.g. {failures[:3]}"


def _filled(shape: Any, chosen: random.Random, depth: int) -> Any:
    """A value of botocore ``shape`` as CloudTrail writes it (members in lowerCamelCase), one member in
    eight an odd value instead."""
    if (depth > 0 and chosen.random() < 0.125) or depth > 5:
        return chosen.choice(ODD_VALUES)
    kind = shape.type_name
    if kind == "structure":
        return {
            name[:1].lower() + name[1:]: _filled(member, chosen, depth + 1)
            for name, member in shape.members.items()
            if chosen.random() < 0.6
        }
    if kind == "list":
        return [_filled(shape.member, chosen, depth + 1) for _ in range(chosen.randint(0, 2))]
    if kind == "map":
        return {f"k{index}": _filled(shape.value, chosen, depth + 1) for index in range(chosen.randint(0, 2))}
    if kind == "string":
        if shape.enum and chosen.random() < 0.7:
            return chosen.choice(shape.enum)
        return chosen.choice(["name-1", "1234", "/path/x", "arn:aws:s3:::bucket/key", "i-0abc1234"])
    if kind in ("integer", "long"):
        return chosen.randint(-1, 5)
    if kind == "boolean":
        return chosen.random() < 0.5
    if kind in ("double", "float"):
        return 1.5
    if kind == "timestamp":
        return "Dec 7, 2026, 12:00:00 AM"
    return "HIDDEN_DUE_TO_SECURITY_REASONS"  # blobs: CloudTrail does not log their bytes
