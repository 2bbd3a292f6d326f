"""The pull-request text: counts, actions by service, what is removed, findings, denied calls, roll back."""

from __future__ import annotations

from policygen_operator.domain.gitops import managed
from policygen_operator.domain.gitops.description import (
    DescriptionInput,
    GroupDescription,
    GroupMember,
    PullRequestContext,
    actions_by_service,
    body,
    group_body,
    title,
)
from policygen_operator.domain.gitops.model import EditResult
from policygen_operator.domain.iam.validate import Finding

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
PRINCIPAL = "arn:aws:iam::123456789012:role/payments-api"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        },
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/worker"},
    ],
}


def data(replace: tuple[str, ...] = (POWER,), detached: list[str] | None = None) -> DescriptionInput:
    edit = EditResult(
        notes=["main.tf: removed x"],
        detached=[POWER] if detached is None else detached,
        role_location="main.tf (resource aws_iam_role.r)",
    )
    context = PullRequestContext(
        "team/payments-api",
        PRINCIPAL,
        [POLICY],
        "2026-10-01",
        "2026-11-01",
        1_234_567,
        890,
        [Finding("warning", "W1", "wildcard")],
        ["kms:Decrypt"],
    )
    return DescriptionInput(context, replace, edit)


def small(policy: dict[str, object], replace: tuple[str, ...], edit: EditResult) -> DescriptionInput:
    return DescriptionInput(PullRequestContext("x", PRINCIPAL, [policy], "a", "b", 1, 1), replace, edit)


def test_title() -> None:
    assert title(data()) == "policygen: least-privilege policy for payments-api (replaces PowerUserAccess)"


def test_body_has_every_section() -> None:
    text = body(data())
    for expected in [
        "- Window: 2026-10-01 to 2026-11-01",
        "- CloudTrail events: 1,234,567 scanned, 890 by this principal",
        "- Generated policy: 3 actions in 2 services, 1 document(s)",
        "| s3 | `s3:GetObject`, `s3:ListBucket` | `arn:aws:s3:::b`, `arn:aws:s3:::b/*` |",
        "`arn:aws:iam::aws:policy/PowerUserAccess` (v12, updated 2026-02-12) allowed:",
        "every action of every AWS service except `iam:*`, `organizations:*`, `account:*`, on all resources",
        "- **warning** `W1`: wildcard",
        "- `kms:Decrypt`",
        "aws iam attach-role-policy --role-name payments-api "
        "--policy-arn arn:aws:iam::aws:policy/PowerUserAccess",
    ]:
        assert expected in text, expected
    # iam:PassRole was not in PowerUserAccess: the reviewer is told it is granted explicitly now.
    assert "were *not* allowed by the policies replaced" in text and "- `iam:PassRole`" in text


def test_unknown_managed_policy_is_not_guessed() -> None:
    arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    text = body(data((arn,), detached=[arn]))
    assert "does not ship this policy's document, so the removed access is not quantified" in text
    assert "were *not* allowed" not in text


def test_policy_not_attached_in_code_is_said() -> None:
    assert "was not found attached in the code" in body(data(detached=[]))


def test_managed_policy_matching() -> None:
    power = managed.lookup(POWER)
    admin = managed.lookup("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")
    read_only = managed.lookup("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert power and admin and read_only
    assert managed.allows(power, "s3:PutObject") and not managed.allows(power, "iam:PassRole")
    assert managed.allows(power, "iam:ListRoles") and managed.allows(admin, "iam:PassRole")
    assert managed.allows(read_only, "s3:GetObject") and not managed.allows(read_only, "s3:PutObject")
    assert managed.lookup("arn:aws:iam::123456789012:policy/PowerUserAccess") is None


def test_actions_by_service_ignores_deny() -> None:
    policy = {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    assert actions_by_service([policy]) == {}


def test_huge_policies_fit_github_body_limit() -> None:
    actions = [f"ec2:Action{i:05d}" for i in range(6000)]
    huge = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    base = data()
    text = body(small(huge, base.replace_arns, base.edit))
    assert len(text) <= 60_000
    assert "| ec2 | 6000 actions | 1 resources |" in text and "too large to list every action" in text


def test_a_group_too_large_for_the_forge_says_where_its_description_was_cut() -> None:
    """A namespace of many roles can pass the forge's limit even in the compact form: the cut is announced
    (a reviewer must not take a cut description for the whole change) and the marker stays."""
    members = []
    for index in range(300):
        unused = [f"ec2:Unused{index:03d}{n:03d}" for n in range(40)]
        context = PullRequestContext(
            "fleet", f"arn:aws:iam::123456789012:role/role-{index:03d}", [POLICY], "a", "b", 1, 1, [], unused
        )
        members.append(
            GroupMember(f"iam/role-{index:03d}.json", DescriptionInput(context, (POWER,), data().edit))
        )
    text = group_body(GroupDescription("team-a", tuple(members)))
    assert len(text) <= 60_000
    assert "This description was cut at 60,000 characters" in text
    assert text.rstrip().endswith("-->"), text[-200:]  # the marker that identifies policygen's pull requests


def test_json_file_describes_the_previous_content_instead_of_detaching() -> None:
    previous = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    edit = EditResult(
        notes=["p.json: replaced"], role_location="p.json", previous_documents={"p.json": previous}
    )
    text = body(small(POLICY, (POWER,), edit))
    assert "- The previous content of `p.json` allowed:\n  - `s3:*`, on all resources\n" in text
    assert "a policy file is not an attachment, so nothing was detached here" in text
    assert "- `iam:PassRole`" in text.split("**Review:**")[1]  # s3:* did not cover it
    assert "attach-role-policy" not in text  # nothing was detached, so nothing to re-attach


def test_rollback_names_what_a_revert_restores() -> None:
    assert "the next sync restores the previous attachments and deletes the generated policy" in body(data())
    edit = EditResult(role_location="p.json", previous_documents={"p.json": POLICY})
    text = body(small(POLICY, (), edit))
    assert "the next sync restores the previous content of the policy file." in text
