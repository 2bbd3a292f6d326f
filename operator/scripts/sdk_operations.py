"""The operations botocore's service models define, each with the plan the mapper compiles for it.

The loop the scripts that read build data from botocore share (``infer_pass_role.py``,
``extract_identifier_kinds.py``): every service, the eventSource CloudTrail writes for it, every operation
whose input the caller wants to look at, and the mapped ones only. A sibling module of the scripts, imported
by its name (``scripts`` is not a package).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import botocore.session

from policygen_operator.domain.iam.mapping.plans import Plan, compile_plan, sdk_event_source
from policygen_operator.domain.iam.reference import Reference


class MappedOperation(NamedTuple):
    service: str  # botocore's name (``lexv2-models``)
    metadata: dict[str, Any]  # the model's (``endpointPrefix``, ``signingName``, ...)
    operation: str
    input_shape: Any  # botocore's StructureShape
    plan: Plan
    primaries: tuple[str, ...]  # the plan's own actions (``kendra:CreateThesaurus``)


def mapped_operations(ref: Reference, wanted: Callable[[Any], bool]) -> Iterator[MappedOperation]:
    """Each operation with an input ``wanted`` accepts (checked first: compiling a plan costs more) and a
    mapped plan."""
    session = botocore.session.get_session()
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        source = sdk_event_source(ref, model.metadata, service)
        for operation in model.operation_names:
            shape = model.operation_model(operation).input_shape
            if shape is None or not wanted(shape):
                continue
            plan = compile_plan(ref, source, operation)
            if plan.kind == "mapped":
                primaries = tuple(a.action for a in plan.actions if a.primary)
                yield MappedOperation(service, model.metadata, operation, shape, plan, primaries)
