"""reconcile_group_pull_request (Rightsizing's ``grouping: namespace``) against real git behind ``git
http-backend`` and the fake GitHub: one branch and one pull request edit the files of two roles, in each of
the four formats, through the same editors as a single role's pull request; a second run changes nothing
(also with the policy's keys in another order); a file that cannot be edited leaves no branch and no pull
request, and the error names it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import (
    Credentials,
    FileEdit,
    GroupRequest,
    PullRequestContext,
    PullRequestSpec,
    branch_name,
    reconcile_group_pull_request,
)
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture
from tests.integration.pullrequest_fixtures import (
    ACK_ROLE,
    CROSSPLANE_ATTACHMENTS,
    CROSSPLANE_ROLE,
    JSON_POLICY,
    POLICY_V1,
    POWER_USER,
    README,
    TERRAFORM_DATA,
    TERRAFORM_MAIN,
)

TOKEN = "ghp_grouped-token-0123456789"
API = "arn:aws:iam::123456789012:role/payments-api"
BATCH = "arn:aws:iam::123456789012:role/payments-batch"
GROUP_NAME = "ClusterRightsizing/fleet/namespace/payments"
forge = forge_fixture(TOKEN)


def _batch(text: str) -> str:
    return text.replace("payments-api", "payments-batch").replace("payments_api", "payments_batch")


# format -> (path of payments-api, path of payments-batch, files): two roles in one file (ACK), in one
# folder (Crossplane, Terraform: the second edit sees the first one's changes), in two files (JSON).
LAYOUTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ack": ("iam/payments", "iam/payments", {"README.md": README, "iam/payments/roles.yaml": ACK_ROLE}),
    "crossplane": (
        "iam/payments",
        "iam/payments",
        {
            "iam/payments/role.yaml": CROSSPLANE_ROLE,
            "iam/payments/attachments.yaml": CROSSPLANE_ATTACHMENTS,
            "iam/payments/batch.yaml": _batch(CROSSPLANE_ROLE + "---\n" + CROSSPLANE_ATTACHMENTS),
        },
    ),
    "terraform": (
        "terraform/payments",
        "terraform/payments",
        {
            "terraform/payments/main.tf": TERRAFORM_MAIN,
            "terraform/payments/data.tf": TERRAFORM_DATA,
            "terraform/payments/batch.tf": _batch(TERRAFORM_MAIN),
        },
    ),
    "json": (
        "policies/payments-api.json",
        "policies/payments-batch.json",
        {"policies/payments-api.json": JSON_POLICY, "policies/payments-batch.json": JSON_POLICY},
    ),
}

BATCH_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage"], "Resource": "*"}],
}


# The fixture's second role alone, with another managed policy than the one to be replaced.
BATCH_READ_ONLY = ACK_ROLE.split("---\n", 1)[1].replace(POWER_USER, "arn:aws:iam::aws:policy/ReadOnlyAccess")
_counter = iter(range(10_000))


def context(principal: str, policy: dict[str, Any], unused: list[str]) -> PullRequestContext:
    return PullRequestContext(
        name=f"fleet/{principal.rsplit('/', 1)[-1]}",
        principal=principal,
        policies=[policy],
        window_start="2026-11-01T00:00:00Z",
        window_end="2026-12-01T00:00:00Z",
        events_scanned=1_000,
        events_matched=68,
        unused_actions=unused,
    )


def group(fmt: str, api_policy: dict[str, Any] = POLICY_V1) -> GroupRequest:
    api_path, batch_path, _ = LAYOUTS[fmt]
    return GroupRequest(
        GROUP_NAME,
        "payments",
        (
            FileEdit(api_path, context(API, api_policy, ["iam:CreateUser", "s3:DeleteBucket"])),
            FileEdit(batch_path, context(BATCH, BATCH_POLICY, ["sqs:Delete`Queue"])),
        ),
    )


def make_repo(
    forge: FakeForge, fmt: str, files: dict[str, str], replace: tuple[str, ...] = ()
) -> tuple[str, PullRequestSpec]:
    name = f"acme/grouped-{fmt}-{next(_counter)}"
    forge.create_repository(name, files)
    spec = PullRequestSpec(
        "github", f"{forge.url}/{name}.git", "main", "unused", fmt, replace, api_url=f"{forge.url}/api/v3"
    )
    return name, spec


@pytest.mark.parametrize("fmt", ["ack", "crossplane", "terraform", "json"])
def test_one_pull_request_edits_every_role_of_the_namespace(forge: FakeForge, fmt: str) -> None:
    name, spec = make_repo(forge, fmt, LAYOUTS[fmt][2], (POWER_USER,) if fmt != "json" else ())
    allowed = (f"{forge.url}/acme/*",)

    first = reconcile_group_pull_request(spec, group(fmt), Credentials(TOKEN), allowed)

    assert first.changed and first.state == "open"
    assert (
        first.branch
        == branch_name(GROUP_NAME)
        == "policygen/clusterrightsizing-fleet-namespace-payments_" + (first.branch.rsplit("_", 1)[-1])
    )
    [pull] = forge.pulls[name]
    diff = forge.diff(name, "main", first.branch)
    if fmt == "json":
        assert '"sqs:ReceiveMessage"' in forge.show(name, first.branch, "policies/payments-batch.json")
        assert '"dynamodb:GetItem"' in forge.show(name, first.branch, "policies/payments-api.json")
    else:
        assert "payments-api-policygen" in diff and "payments-batch-policygen" in diff
        removed = [line for line in diff.splitlines() if line.startswith("-") and POWER_USER in line]
        assert len(removed) == 2, diff  # detached from both roles
    assert len(forge.commits(name, first.branch)) == 2  # the base commit and ONE commit for both roles
    assert pull["title"] == "policygen: least-privilege policies for 2 role(s) in namespace payments"
    body = pull["body"]
    assert "## Role `payments-api`" in body and "## Role `payments-batch`" in body
    assert body.count("### Granted but not used in the window") == 2
    assert "- iam: `iam:CreateUser`" in body
    assert "- sqs: ``sqs:Delete`Queue``" in body  # escaped as every description is
    assert body.count("## How to roll back") == 1

    # The same policies again, one with its keys in another order: nothing to commit, nothing to open.
    reordered = {key: copy.deepcopy(POLICY_V1)[key] for key in reversed(list(POLICY_V1))}
    second = reconcile_group_pull_request(spec, group(fmt, reordered), Credentials(TOKEN), allowed)

    assert not second.changed and second.head_sha == first.head_sha and second.number == first.number
    assert len(forge.commits(name, first.branch)) == 2
    assert len(forge.pulls[name]) == 1
    assert len([r for r in forge.api_calls("POST") if r.path.endswith(f"/repos/{name}/pulls")]) == 1


def test_a_file_that_cannot_be_edited_leaves_no_branch_and_no_pull_request(forge: FakeForge) -> None:
    """PowerUserAccess is to be replaced, but the batch role does not have it attached: editing only the
    API role would be a partial change, so nothing is pushed and the error names the batch role's file."""
    files = {"iam/payments/roles.yaml": ACK_ROLE, "iam/batch/roles.yaml": BATCH_READ_ONLY}
    name, spec = make_repo(forge, "ack", files, (POWER_USER,))
    request = GroupRequest(
        GROUP_NAME,
        "payments",
        (
            FileEdit("iam/payments", context(API, POLICY_V1, [])),
            FileEdit("iam/batch", context(BATCH, BATCH_POLICY, [])),
        ),
    )

    with pytest.raises(InvalidRequestError) as caught:
        reconcile_group_pull_request(spec, request, Credentials(TOKEN), (f"{forge.url}/acme/*",))

    message = str(caught.value)
    assert message.startswith("iam/batch (role payments-batch): replaceManagedPolicies"), message
    assert "No pull request for namespace payments" in message
    assert caught.value.reason == "RoleDefinitionNotEditable"
    assert forge.branches(name) == {"main": forge.branch_sha(name, "main")}
    assert forge.pulls.get(name, []) == []
