"""A parameter asked for by version or label (``"name:version"``, ``"name:label"``: "To query by parameter
label, use "Name": "name:label". To query by parameter version, use "Name": "name:version"", SSM API
Reference, GetParameter and GetParameters) is the parameter ``name``: GetParameter is authorized against
"The requested parameter" and GetParameters against "Each requested parameter" (SSM User Guide, "How
Parameter Store authorizes parameter retrieval"), the selector is "the version number or the label used to
retrieve the parameter value" (SSM API Reference, Parameter), and a name "can consist of the following
symbols and letters only: a-zA-Z0-9_.-" (and ``/`` for a hierarchy; SSM User Guide, "Creating Systems
Manager parameters", "About requirements and constraints for parameter names"), so a ``:`` in it starts
the selector. The mapper granted ``parameter/app/x:3``, an ARN of no parameter."""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

SSM = "ssm.amazonaws.com"
BASE = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter"


def granted(event_name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = EventMapper().map(cloudtrail_record(SSM, event_name, params))
    assert event.kind == "mapped" and not event.notes, event
    return set(event.uses)


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        # a version and a label, as the SSM User Guide's own examples ("Working with parameter labels":
        # aws ssm get-parameters --names "/Production/SQLConnectionString:3")
        ("/Production/SQLConnectionString:3", f"{BASE}/Production/SQLConnectionString"),
        ("/Production/SQLConnectionString:Prod-East", f"{BASE}/Production/SQLConnectionString"),
        ("feature-flag:2", f"{BASE}/feature-flag"),
        # a shared parameter by its ARN ("you must use the full ARN"), with a label
        (
            "arn:aws:ssm:us-east-1:444455556666:parameter/shared/db-endpoint:live",
            "arn:aws:ssm:us-east-1:444455556666:parameter/shared/db-endpoint",
        ),
        # AWS's public parameters belong to no account, a version of one too
        (
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64:12",
            "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        ),
        ("/Production/SQLConnectionString", f"{BASE}/Production/SQLConnectionString"),
    ],
)
def test_get_parameter_with_a_selector_is_granted_on_the_parameter(name: str, arn: str) -> None:
    assert granted("GetParameter", {"name": name, "withDecryption": True}) == {("ssm:GetParameter", arn)}


def test_get_parameters_grants_each_parameter_once_whatever_its_selector() -> None:
    """Two versions of one parameter are one resource; a parameter without a selector is unchanged."""
    names = ["/app/db-url:3", "/app/db-url:prod", "/app/api-key"]
    assert granted("GetParameters", {"names": names, "withDecryption": True}) == {
        ("ssm:GetParameters", f"{BASE}/app/db-url"),
        ("ssm:GetParameters", f"{BASE}/app/api-key"),
    }
