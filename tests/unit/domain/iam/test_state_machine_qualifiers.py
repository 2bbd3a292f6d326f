"""Step Functions authorizes a call on a state machine's version or alias on the state machine.

"To authorize a version or an alias to invoke an API action, Step Functions uses the state machine's ARN
instead of using the version ARN or alias ARN" (Step Functions Developer Guide, "Authorization for versions
and aliases in Step Functions workflows", whose example grants CreateStateMachineAlias on
``stateMachine:myStateMachine``). A StartExecution by an alias's ARN (``stateMachine:orders:PROD``, the
StartExecution API reference's "state machine alias ARN") was granted on that ARN, which matches nothing AWS
checks: the workload's next start would be refused. The alias and version calls, which name the state machine
only inside an alias's or version's ARN, were granted on ``*``; CreateStateMachineAlias on a state machine
named like the alias.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, granted

MACHINES = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine"
ORDERS = f"{MACHINES}:orders"


def uses(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("states.amazonaws.com", name, params)


@pytest.mark.parametrize("qualifier", ["PROD", "3"])
@pytest.mark.parametrize("name", ["StartExecution", "StartSyncExecution", "DescribeStateMachine"])
def test_a_call_by_an_alias_or_version_arn_is_granted_on_the_state_machine(name: str, qualifier: str) -> None:
    params = {"stateMachineArn": f"{ORDERS}:{qualifier}", "input": "{}"}
    assert uses(name, params) == {(f"states:{name}", ORDERS)}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("DescribeStateMachineAlias", {"stateMachineAliasArn": f"{ORDERS}:PROD"}),
        ("DeleteStateMachineAlias", {"stateMachineAliasArn": f"{ORDERS}:PROD"}),
        (
            "UpdateStateMachineAlias",
            {
                "stateMachineAliasArn": f"{ORDERS}:PROD",
                "routingConfiguration": [{"stateMachineVersionArn": f"{ORDERS}:4", "weight": 100}],
            },
        ),
        ("DeleteStateMachineVersion", {"stateMachineVersionArn": f"{ORDERS}:3"}),
        (
            "CreateStateMachineAlias",
            {
                "name": "PROD",
                "description": "production traffic",
                "routingConfiguration": [
                    {"stateMachineVersionArn": f"{ORDERS}:3", "weight": 90},
                    {"stateMachineVersionArn": f"{ORDERS}:2", "weight": 10},
                ],
            },
        ),
    ],
)
def test_alias_and_version_calls_are_granted_on_their_state_machine(
    name: str, params: dict[str, Any]
) -> None:
    assert uses(name, params) == {(f"states:{name}", ORDERS)}


def test_unqualified_and_other_arns_stay_as_they_are() -> None:
    """Only ``stateMachine:NAME:QUALIFIER`` is changed: the state machine itself, an execution (whose ARN
    also has two names after its type) and a Distributed Map run keep their ARNs."""
    execution = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:orders:run-1"
    map_run = f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:orders/map:a1b2"
    assert uses("DescribeStateMachine", {"stateMachineArn": ORDERS}) == {
        ("states:DescribeStateMachine", ORDERS)
    }
    assert uses("DescribeExecution", {"executionArn": execution}) == {("states:DescribeExecution", execution)}
    assert uses("DescribeMapRun", {"mapRunArn": map_run}) == {("states:DescribeMapRun", map_run)}
