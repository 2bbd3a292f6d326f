"""Organizations names its entities by ids whose prefix says their kind.

A ParentId is a root (``r-...``) or an OU (``ou-...``), a TargetId a root, an OU or an account (twelve
digits), a ResourceId any of those or a policy (``p-...``): the Organizations API Reference's patterns for
each parameter. The table read only the single-kind parameters, so ListChildren, CreateOrganizationalUnit,
TagResource ... were granted on ``*`` and AttachPolicy on the policy alone (the target refused), and it wrote
a RootId after the format's own ``r-`` (``root/o-*/r-r-...``, which no call is authorized on). The
records are the Organizations User Guide's (awsdocs/aws-organizations-docs, doc_source/
orgs_security_incident-response.md and orgs_tutorials_cwe.md @ 8df18e7a).

Every entity's ARN is written under the organization's management account, which no record names: a
member account the management account delegated policy management to acts on "arn:aws:organizations::
246802468024:ou/o-abcdef/*" from account 135791357913 (doc_source/orgs_delegate_policies.md @ 8df18e7a,
the delegation policy example), so the account is ``*``, as the organization is.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.validate import validate_policy
from tests.unit.domain.iam.records import cloudtrail_record, granted, role_identity

ORG = "arn:aws:organizations::*"
ROOT = "r-examplerootid111"
OU = "ou-examplerootid111-exampleouid111"
POLICY = "p-examplepolicyid111"
MEMBER = "222233334444"


def organizations(name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("organizations.amazonaws.com", name, params)


@pytest.mark.parametrize(
    ("params", "parent"),
    [
        ({"name": "OU-Developers-1", "parentId": "r-a1b2"}, "r-a1b2"),  # orgs_security_incident-response.md
        ({"parentId": "r-exampleRootId", "name": "TestCWEOU"}, "r-exampleRootId"),  # orgs_tutorials_cwe.md
    ],
)
def test_the_documented_ou_creations_are_granted_on_their_parent_root(
    params: dict[str, Any], parent: str
) -> None:
    assert organizations("CreateOrganizationalUnit", params) == {
        ("organizations:CreateOrganizationalUnit", f"{ORG}:root/o-*/{parent}")
    }


@pytest.mark.parametrize(
    ("target", "arn"),
    [(OU, f"{ORG}:ou/o-*/{OU}"), (MEMBER, f"{ORG}:account/o-*/{MEMBER}"), (ROOT, f"{ORG}:root/o-*/{ROOT}")],
)
def test_a_policy_is_attached_to_the_target_its_id_names(target: str, arn: str) -> None:
    params = {"policyId": POLICY, "targetId": target}
    policy = f"{ORG}:policy/o-*/*/{POLICY}"
    assert organizations("AttachPolicy", params) == {
        ("organizations:AttachPolicy", policy),
        ("organizations:AttachPolicy", arn),
    }
    assert organizations("DetachPolicy", params) == {
        ("organizations:DetachPolicy", policy),
        ("organizations:DetachPolicy", arn),
    }


def test_moving_an_account_names_both_parents_exactly() -> None:
    params = {"accountId": MEMBER, "sourceParentId": ROOT, "destinationParentId": OU}
    assert organizations("MoveAccount", params) == {
        ("organizations:MoveAccount", f"{ORG}:account/o-*/{MEMBER}"),
        ("organizations:MoveAccount", f"{ORG}:root/o-*/{ROOT}"),
        ("organizations:MoveAccount", f"{ORG}:ou/o-*/{OU}"),
    }


def test_a_root_id_is_written_once() -> None:
    params = {"rootId": ROOT, "policyType": "SERVICE_CONTROL_POLICY"}
    assert organizations("EnablePolicyType", params) == {
        ("organizations:EnablePolicyType", f"{ORG}:root/o-*/{ROOT}")
    }


@pytest.mark.parametrize(
    ("name", "params", "arn"),
    [
        ("ListChildren", {"parentId": OU, "childType": "ACCOUNT"}, f"{ORG}:ou/o-*/{OU}"),
        ("ListAccountsForParent", {"parentId": ROOT}, f"{ORG}:root/o-*/{ROOT}"),
        (
            "ListPoliciesForTarget",
            {"targetId": MEMBER, "filter": "TAG_POLICY"},
            f"{ORG}:account/o-*/{MEMBER}",
        ),
        ("ListParents", {"childId": OU}, f"{ORG}:ou/o-*/{OU}"),
        ("TagResource", {"resourceId": ROOT, "tags": [{"key": "k", "value": "v"}]}, f"{ORG}:root/o-*/{ROOT}"),
        ("ListTagsForResource", {"resourceId": POLICY}, f"{ORG}:policy/o-*/*/{POLICY}"),
    ],
)
def test_a_parameter_of_several_kinds_is_read_by_its_ids_prefix(
    name: str, params: dict[str, Any], arn: str
) -> None:
    assert organizations(name, params) == {(f"organizations:{name}", arn)}


def test_an_id_of_no_known_kind_is_not_guessed() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "organizations.amazonaws.com", "ListChildren", {"parentId": "x-1234", "childType": "ACCOUNT"}
        )
    )
    assert event.uses == (("organizations:ListChildren", "*"),)
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


def test_a_delegated_administrator_is_granted_the_management_account_s_entities() -> None:
    """The guide's delegated administrator, account 135791357913, attaching a backup policy to an OU of the
    organization whose management account is 246802468024: its own account is in no ARN it acts on."""
    record = cloudtrail_record(
        "organizations.amazonaws.com",
        "AttachPolicy",
        {"policyId": POLICY, "targetId": OU},
        account="135791357913",
        identity=role_identity(account="135791357913", role="backup-policy-admin"),
    )
    assert set(EventMapper().map(record).uses) == {
        ("organizations:AttachPolicy", f"{ORG}:policy/o-*/*/{POLICY}"),
        ("organizations:AttachPolicy", f"{ORG}:ou/o-*/{OU}"),
    }


# An AWS managed policy: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
# (awsdocs/aws-organizations-docs, doc_source/orgs_reference_available-policies.md @ 8df18e7a; the same ARN
# in orgs_manage_policies_info-operations.md's ListPolicies output), the API Reference's PolicySummary Arn
# pattern ``arn:aws:organizations::aws:policy/[0-9a-z_]+/p-[0-9a-zA-Z_]{10,128}``: no organization, the
# account ``aws``.
FULL_ACCESS = "arn:aws:organizations::aws:policy/*/p-FullAWSAccess"


@pytest.mark.parametrize("name", ["DescribePolicy", "ListTargetsForPolicy"])
def test_an_aws_managed_policy_is_granted_by_its_own_arn(name: str) -> None:
    """It was granted ``policy/o-*/*/p-FullAWSAccess``, the ARN of an organization's own policy, which the
    AWS managed one's does not fit: a grant naming nothing, the call refused."""
    assert organizations(name, {"policyId": "p-FullAWSAccess"}) == {(f"organizations:{name}", FULL_ACCESS)}


def test_an_aws_managed_policy_is_attached_to_the_target_its_id_names() -> None:
    params = {"policyId": "p-FullAWSAccess", "targetId": OU}
    assert organizations("AttachPolicy", params) == {
        ("organizations:AttachPolicy", FULL_ACCESS),
        ("organizations:AttachPolicy", f"{ORG}:ou/o-*/{OU}"),
    }


def test_the_grant_of_an_aws_managed_policy_passes_validation() -> None:
    """The validator checks each ARN against the action's types: the reference defines ``awspolicy`` but
    lists it for no action, and operator/scripts/build_reference_data.py adds it (UNLISTED_TYPES)."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["organizations:DescribePolicy", "organizations:DetachPolicy"],
                "Resource": FULL_ACCESS,
            }
        ],
    }
    assert [f for f in validate_policy(document) if f.severity == "error"] == []


def test_an_organization_policy_is_still_its_own() -> None:
    """The guard: an organization's own policy id (lower case) keeps the organization's ARN."""
    assert organizations("DescribePolicy", {"policyId": POLICY}) == {
        ("organizations:DescribePolicy", f"{ORG}:policy/o-*/*/{POLICY}")
    }
