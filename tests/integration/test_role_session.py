"""Assumed-role sessions say which namespace and resource asked (issue 10): the session name shows in the
role's own CloudTrail (the assumed-role ARN), tags and the source's external id go with AssumeRole.

moto's STS returns the session name in the assumed-role ARN (checked through GetCallerIdentity on its server);
it ignores tags and ExternalId, so those are checked against botocore's STS model instead.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.validate import validate_parameters

from policygen_operator.adapters.aws.session import RoleSession, assume_role_kwargs, shared_session
from policygen_operator.domain.tenancy import session_name
from tests.fixtures.aws import MOTO_CREDENTIALS

ROLE = "arn:aws:iam::123456789012:role/trail-reader"
IDENTITY = RoleSession(
    session_name("team-a.payments-api"),
    (("policygen.io/namespace", "team-a"), ("policygen.io/name", "payments-api")),
    "ext-7f3a",
)


def test_the_session_name_reaches_the_assumed_role_arn(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", MOTO_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", MOTO_CREDENTIALS["aws_secret_access_key"])
    session = shared_session("us-east-1", ROLE, moto_server, IDENTITY)
    caller = session.client("sts", endpoint_url=moto_server).get_caller_identity()
    assert (
        caller["Arn"] == "arn:aws:sts::123456789012:assumed-role/trail-reader/policygen-team-a.payments-api"
    )
    other = shared_session("us-east-1", ROLE, moto_server, RoleSession(session_name("team-b.x")))
    assert other is not session  # one session per identity: another team never reuses team-a's


def test_assume_role_parameters_match_botocores_model() -> None:
    kwargs = assume_role_kwargs(ROLE, IDENTITY)
    assert kwargs["ExternalId"] == "ext-7f3a"
    assert kwargs["Tags"] == [
        {"Key": "policygen.io/namespace", "Value": "team-a"},
        {"Key": "policygen.io/name", "Value": "payments-api"},
    ]
    model = botocore.session.get_session().get_service_model("sts").operation_model("AssumeRole")
    validate_parameters(kwargs, model.input_shape)  # raises ParamValidationError on a bad name or shape


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("team-a.api",), "policygen-team-a.api"),
        (("ns.name with spaces/and:colons",), "policygen-ns.name-with-spaces-and-colons"),
    ],
)
def test_session_names_are_valid(parts: tuple[str, ...], expected: str) -> None:
    assert session_name(*parts) == expected


def test_long_session_names_are_cut_with_a_digest() -> None:
    name = session_name("n" * 63 + "." + "x" * 200)
    assert len(name) == 64 and name != session_name("n" * 63 + "." + "x" * 199)
