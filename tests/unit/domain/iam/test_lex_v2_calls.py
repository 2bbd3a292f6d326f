"""Amazon Lex V2's model-building calls are authorized by their own actions, not Lex V1's.

Both versions share the ``lex`` namespace and the ``lex.amazonaws.com`` eventSource. The SDK table
(iam-dataset) maps 17 Lex V2 calls to the V1 action of the same purpose: ``CreateBot`` and ``UpdateBot`` to
``lex:PutBot``, ``ListBots`` to ``lex:GetBots``, ``DescribeIntent`` to ``lex:GetIntent``. The Service
Authorization Reference's page for Lex V2 ("Actions, resources, and condition keys for Amazon Lex V2", its
table "API operations defined by Amazon Lex V2") maps each of these operations of the ``lexv2-models`` SDK
client to the action of its own name (``CreateBot`` -> ``lex:CreateBot``, ``CreateBotAlias`` ->
``lex:CreateBotAlias``), and the V1 names are V1's operations (``PutBot`` of ``lex-models``). A generated
policy granting ``lex:PutBot`` for a Lex V2 ``CreateBot`` would be refused.

Records carry the request parameters of the Lex V2 API reference
(``https://docs.aws.amazon.com/goto/WebAPI/models.lex.v2-2020-08-07/<Operation>``) in CloudTrail's spelling.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, user_identity

MAPPER = EventMapper()
LEX = "lex.amazonaws.com"
BOT = "ABCDEFGHIJ"
ROLE = "arn:aws:iam::111122223333:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X"


def actions(name: str, params: dict[str, Any]) -> set[str]:
    event = MAPPER.map(cloudtrail_record(LEX, name, params, identity=user_identity()))
    assert event.kind == "mapped", event
    return {action for action, _ in event.uses}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("CreateBot", {"botName": "orders", "roleArn": ROLE, "dataPrivacy": {"childDirected": False}}),
        ("UpdateBot", {"botId": BOT, "botName": "orders", "roleArn": ROLE}),
        ("CreateBotAlias", {"botId": BOT, "botAliasName": "prod", "botVersion": "1"}),
        ("UpdateBotAlias", {"botId": BOT, "botAliasId": "TSTALIASID", "botAliasName": "prod"}),
        ("CreateIntent", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "intentName": "Order"}),
        ("UpdateIntent", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "intentId": "INTENT1"}),
        ("DescribeIntent", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "intentId": "INTENT1"}),
        ("ListIntents", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US"}),
        (
            "CreateSlotType",
            {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "slotTypeName": "Size"},
        ),
        ("UpdateSlotType", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "slotTypeId": "SLOT1"}),
        (
            "DescribeSlotType",
            {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US", "slotTypeId": "SLOT1"},
        ),
        ("ListSlotTypes", {"botId": BOT, "botVersion": "DRAFT", "localeId": "en_US"}),
        ("ListBots", {"maxResults": 10}),
        ("ListBotVersions", {"botId": BOT}),
        ("ListBuiltInIntents", {"localeId": "en_US"}),
        ("ListBuiltInSlotTypes", {"localeId": "en_US"}),
        (
            "CreateResourcePolicyStatement",
            {
                "resourceArn": f"arn:aws:lex:us-east-1:111122223333:bot/{BOT}",
                "statementId": "s1",
                "effect": "Allow",
                "principal": [{"service": "connect.amazonaws.com"}],
                "action": ["lex:RecognizeText"],
            },
        ),
        (
            "DeleteResourcePolicyStatement",
            {"resourceArn": f"arn:aws:lex:us-east-1:111122223333:bot/{BOT}", "statementId": "s1"},
        ),
    ],
)
def test_a_lex_v2_call_is_authorized_by_its_own_action(name: str, params: dict[str, Any]) -> None:
    got = actions(name, params)
    assert f"lex:{name}" in got, got
    v1 = {
        "lex:PutBot",
        "lex:PutBotAlias",
        "lex:PutIntent",
        "lex:PutSlotType",
        "lex:GetBots",
        "lex:GetIntent",
        "lex:GetIntents",
        "lex:GetSlotType",
        "lex:GetSlotTypes",
        "lex:GetBotVersions",
        "lex:GetBuiltinIntents",
        "lex:GetBuiltinSlotTypes",
        "lex:CreateResourcePolicy",
        "lex:DeleteResourcePolicy",
    }
    assert not got & v1, got


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("PutBot", {"name": "OrderFlowers", "locale": "en-US", "childDirected": False}, "lex:PutBot"),
        ("GetBots", {"maxResults": 10}, "lex:GetBots"),
        ("GetIntent", {"name": "OrderFlowers", "version": "$LATEST"}, "lex:GetIntent"),
        (
            "CreateResourcePolicy",
            {"resourceArn": f"arn:aws:lex:us-east-1:111122223333:bot/{BOT}", "policy": "{}"},
            "lex:CreateResourcePolicy",
        ),
    ],
)
def test_lex_v1_calls_keep_their_actions(name: str, params: dict[str, Any], action: str) -> None:
    """The V1 calls (``lex-models``, and V2's own CreateResourcePolicy) are what the V1 names authorize."""
    assert action in actions(name, params)


@pytest.mark.parametrize("name", ["CreateBot", "UpdateBot"])
def test_a_lex_v2_bot_given_a_role_passes_it(name: str) -> None:
    """ "CreateBot lexv2-models lex:CreateBot ... iam:PassRole iam:PassedToService lexv2.amazonaws.com" (the
    Service Authorization Reference's table "API operations defined by Amazon Lex V2"): the request's
    roleArn ("The Amazon Resource Name (ARN) of an IAM role that has permission to access the bot"), which
    UpdateBot takes as well (``pass_role_inferred``: a sibling call that passes the same parameter). With the
    V1 action, lex:PutBot, the role was granted for lack of anything better; with the V2 one it must not be
    lost."""
    role = "arn:aws:iam::111122223333:role/lex-orders-bot"
    params = {"botName": "orders", "roleArn": role, **({"botId": BOT} if name == "UpdateBot" else {})}
    event = MAPPER.map(cloudtrail_record(LEX, name, params, identity=user_identity()))
    assert ("iam:PassRole", role) in set(event.uses)
