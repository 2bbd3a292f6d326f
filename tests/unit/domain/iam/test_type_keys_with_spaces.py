"""Resource type keys the Service Authorization Reference writes with spaces (Lambda's ``durable execution``
and ``code signing config``, Inspector's ``cis scan configuration``, Kafka Connect's ``connector
operation``): their nouns are the words between the spaces, as for ``-`` and ``_``, so a parameter named
after the type (``DurableExecutionArn``) names it. Before, such a key matched no parameter name and every
call on the type was granted ``*`` with the resource-undetermined finding."""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import squashed
from tests.unit.domain.iam.records import cloudtrail_record, user_identity

MAPPER = EventMapper()
# Lambda API Reference, "Execution" data type: DurableExecutionArn's pattern is
# arn:...:lambda:REGION:ACCOUNT:function:NAME:(VERSION|$LATEST)/durable-execution/EXECUTION-NAME/EXECUTION-ID
EXECUTION = (
    "arn:aws:lambda:us-east-1:111122223333:function:order-processor:3/durable-execution/order-42/"
    "9f4c2a1e-6b7d-4e1f-8a2b-3c4d5e6f7a8b"
)


def test_a_durable_execution_given_by_its_arn_is_granted_on_it() -> None:
    """Lambda API Reference, GetDurableExecution: ``GET /2025-12-01/durable-executions/DurableExecutionArn``,
    the URI parameter ``DurableExecutionArn`` ("The Amazon Resource Name (ARN) of the durable execution"),
    which CloudTrail logs in requestParameters as ``durableExecutionArn``; the reference's
    ``lambda:GetDurableExecution`` requires the ``durable execution`` type."""
    for name in ("GetDurableExecution", "GetDurableExecutionHistory", "StopDurableExecution"):
        event = MAPPER.map(
            cloudtrail_record(
                "lambda.amazonaws.com",
                name,
                {"durableExecutionArn": EXECUTION},
                identity=user_identity(),
            )
        )
        assert event.uses == ((f"lambda:{name}", EXECUTION),), name
        assert event.notes == (), name


def test_a_key_with_spaces_is_squashed_and_spelled_as_its_words() -> None:
    assert squashed("durable execution") == "durableexecution"
    assert ("Code", "Signing", "Config") in MAPPER.reference.type_nouns("lambda", "code signing config")
