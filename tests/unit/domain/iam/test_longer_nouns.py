"""An API calling a resource by a longer noun than the reference type, ending in it, names it by that noun.

Bedrock AgentCore's runtime API acts on the reference's ``runtime/${RuntimeId}`` and names it
``agentRuntimeArn`` ("The identifier of the agent runtime to invoke. You can specify either the full Amazon
Web Services Resource Name (ARN) or the agent ID", InvokeAgentRuntime) and ``agentRuntimeId``
(GetAgentRuntime, DeleteAgentRuntime, UpdateAgentRuntime): every such call was granted on ``*``. The
operation's own noun (``AgentRuntime``) ends in the type's (``Runtime``), so ``<noun>Arn`` is read as the
type's ARN (kept only with its shape) and ``<noun>Id`` as its own id.
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, granted

AGENTCORE = "bedrock-agentcore.amazonaws.com"
RUNTIME = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:runtime/support_agent-Xk2pQ7aB1c"


def test_invoking_a_runtime_by_its_arn_is_granted_on_it_and_its_endpoints() -> None:
    """InvokeAgentRuntime requires both the runtime and its endpoint; the endpoint's name (the
    ``qualifier``, an endpoint name) is not read, so every endpoint of the runtime is granted, said."""
    record = cloudtrail_record(
        AGENTCORE,
        "InvokeAgentRuntime",
        {"agentRuntimeArn": RUNTIME, "qualifier": "DEFAULT", "runtimeSessionId": "a" * 40},
    )
    mapped = EventMapper().map(record)
    assert set(mapped.uses) == {
        ("bedrock-agentcore:InvokeAgentRuntime", RUNTIME),
        ("bedrock-agentcore:InvokeAgentRuntime", f"{RUNTIME}/runtime-endpoint/*"),
    }
    (note,) = mapped.notes
    assert note[1] == "resource-undetermined" and "no runtime-endpoint named" in note[2]


def test_a_runtime_named_by_its_id_is_granted_on_its_arn() -> None:
    for name in ("GetAgentRuntime", "DeleteAgentRuntime"):
        assert granted(AGENTCORE, name, {"agentRuntimeId": "support_agent-Xk2pQ7aB1c"}) == {
            (f"bedrock-agentcore:{name}", RUNTIME)
        }


def test_an_arn_of_another_shape_is_not_taken() -> None:
    """The longer noun's ``...Arn`` is kept only when the value has the type's shape."""
    other = f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:memory/support_memory-Qw3rT"
    record = cloudtrail_record(AGENTCORE, "InvokeAgentRuntime", {"agentRuntimeArn": other})
    assert EventMapper().map(record).uses == (("bedrock-agentcore:InvokeAgentRuntime", "*"),)
