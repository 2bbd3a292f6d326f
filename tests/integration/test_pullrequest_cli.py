"""``policygen pr`` end to end: a real subprocess, the token from the environment, the fake forge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from policygen_operator.services.pullrequest import branch_name
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture
from tests.integration.pullrequest_fixtures import POLICY_V1, POWER_USER, PRINCIPAL, REPOSITORIES

TOKEN = "glpat-cli-token-123"


forge = forge_fixture(TOKEN)


def policygen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=120,
    )


def pr_args(forge: FakeForge, repository: str, path: str, policy: Path) -> list[str]:
    """``policygen pr`` for a Terraform role in a GitLab repository of the fake forge, the token read
    from ``MY_TOKEN``."""
    return [
        *("pr", "--provider", "gitlab", "--policy", str(policy), "--principal", PRINCIPAL),
        *("--repository", f"{forge.url}/{repository}.git", "--api-url", f"{forge.url}/api/v4"),
        *("--path", path, "--format", "terraform", "--replace-managed-policy", POWER_USER),
        *("--token-env", "MY_TOKEN"),
    ]


def test_pr_command_opens_then_leaves_alone(forge: FakeForge, tmp_path: Path) -> None:
    path, files = REPOSITORIES["terraform"]
    forge.create_repository("acme/cli", files)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"},
                "eventsScanned": 77,
                "principals": {
                    PRINCIPAL: {"eventsMatched": 7, "findings": [], "denied": {"kms:Decrypt": {}}}
                },
            }
        )
    )
    args = [*pr_args(forge, "acme/cli", path, policy), "--label", "iam", "--report", str(report)]

    first = policygen(*args, env={"MY_TOKEN": TOKEN})
    second = policygen(*args, env={"MY_TOKEN": TOKEN})

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{forge.url}/acme/cli/-/merge_requests/1: updated (open, head ")
    assert "removed resource aws_iam_role_policy_attachment.payments_api_poweruser" in first.stdout
    assert second.returncode == 0 and ": unchanged (open" in second.stdout
    assert branch_name("payments-api") in forge.branches("acme/cli")
    description = forge.merge_requests["acme/cli"][0]["description"]
    assert "77 scanned, 7 by this principal" in description and "`kms:Decrypt`" in description
    assert TOKEN not in first.stdout + first.stderr + second.stdout + second.stderr


def test_pr_command_without_token_is_a_usage_error(forge: FakeForge, tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    result = policygen(
        "pr",
        "--policy",
        str(policy),
        "--principal",
        PRINCIPAL,
        "--repository",
        f"{forge.url}/acme/none.git",
        "--path",
        "x",
        "--format",
        "json",
        env={"GITHUB_TOKEN": ""},
    )
    assert result.returncode == 2
    assert "no token: set the environment variable GITHUB_TOKEN" in result.stderr


def test_pr_command_has_no_token_flag() -> None:
    result = policygen("pr", "--help", env={})
    assert result.returncode == 0 and "--token-env" in result.stdout
    assert "--token " not in result.stdout and "--token=" not in result.stdout


IRSA_MODULE = """\
module "payments_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.39"

  role_name = "payments-api"
  role_policy_arns = {
    power = "arn:aws:iam::aws:policy/PowerUserAccess"
  }
}
"""


def test_pr_command_edits_a_role_an_irsa_module_defines(forge: FakeForge, tmp_path: Path) -> None:
    """The IRSA module of terraform-aws-modules, as most EKS repositories define workload roles: the pull
    request takes PowerUserAccess out of ``role_policy_arns`` and puts the generated policy in."""
    forge.create_repository("acme/irsa", {"eks/irsa.tf": IRSA_MODULE})
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    args = pr_args(forge, "acme/irsa", "eks", policy)

    first = policygen(*args, env={"MY_TOKEN": TOKEN})

    assert first.returncode == 0, first.stderr
    assert (
        "removed arn:aws:iam::aws:policy/PowerUserAccess from role_policy_arns of module.payments_irsa"
        in (first.stdout)
    )
    edited = forge.show("acme/irsa", branch_name("payments-api"), "eks/irsa.tf")
    assert edited.startswith(
        IRSA_MODULE.replace(
            '    power = "arn:aws:iam::aws:policy/PowerUserAccess"\n',
            "    policygen = aws_iam_policy.payments_irsa_policygen.arn\n",
        )
    )
    assert 'resource "aws_iam_policy" "payments_irsa_policygen"' in edited


def test_a_policy_to_replace_that_is_not_attached_is_named_by_its_flag(
    forge: FakeForge, tmp_path: Path
) -> None:
    """The edit's refusal (a --replace-managed-policy the role does not have) speaks of the command's
    flags, not of ``replaceManagedPolicies``, the field of the operator's resource."""
    path, files = REPOSITORIES["terraform"]
    forge.create_repository("acme/not-attached", files)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    args = pr_args(forge, "acme/not-attached", path, policy)
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    args[args.index(POWER_USER)] = admin

    result = policygen(*args, env={"MY_TOKEN": TOKEN})

    assert result.returncode == 2
    assert f"--replace-managed-policy: {admin} not found attached to role 'payments-api'" in result.stderr
    assert "or remove it from --replace-managed-policy" in result.stderr
    assert "replaceManagedPolicies" not in result.stderr and "spec." not in result.stderr


# Terraform's JSON syntax as CDK for Terraform synthesizes it (cdk.tf.json; "//" metadata, references as
# "${TYPE.LABEL.ATTR}"), and a terraform-aws-eks node group (docs/UPGRADE-21.0.md's "After 21.x Example"
# with the group's role named exactly): both read and edited end to end
CDKTF_STACK = json.dumps(
    {
        "//": {"metadata": {"backend": "local", "stackName": "payments", "version": "0.20.0"}},
        "resource": {
            "aws_iam_role": {
                "payments_IamRole_1A2B3C4D": {"name": "payments-api", "assume_role_policy": "{}"}
            },
            "aws_iam_role_policy_attachment": {
                "payments_Power_5E6F7A8B": {
                    "policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess",
                    "role": "${aws_iam_role.payments_IamRole_1A2B3C4D.name}",
                }
            },
        },
    },
    indent=2,
)
EKS_NODE_GROUP = """\
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  eks_managed_node_groups = {
    payments = {
      iam_role_name            = "payments-api"
      iam_role_use_name_prefix = false

      iam_role_additional_policies = {
        PowerUserAccess = "arn:aws:iam::aws:policy/PowerUserAccess"
      }
    }
  }
}
"""


def test_pr_command_edits_a_json_syntax_stack_and_an_eks_node_group(forge: FakeForge, tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    forge.create_repository("acme/cdktf", {"stacks/payments/cdk.tf.json": CDKTF_STACK})
    forge.create_repository("acme/eks", {"eks/main.tf": EKS_NODE_GROUP})

    stack = policygen(*pr_args(forge, "acme/cdktf", "stacks/payments", policy), env={"MY_TOKEN": TOKEN})
    nodes = policygen(*pr_args(forge, "acme/eks", "eks", policy), env={"MY_TOKEN": TOKEN})

    assert stack.returncode == 0, stack.stderr
    edited = json.loads(forge.show("acme/cdktf", branch_name("payments-api"), "stacks/payments/cdk.tf.json"))
    assert "payments_Power_5E6F7A8B" not in edited["resource"]["aws_iam_role_policy_attachment"]
    assert "payments_IamRole_1A2B3C4D_policygen" in edited["resource"]["aws_iam_policy"]
    assert nodes.returncode == 0, nodes.stderr
    main = forge.show("acme/eks", branch_name("payments-api"), "eks/main.tf")
    assert "        policygen = aws_iam_policy.eks_payments_policygen.arn\n" in main
    assert "PowerUserAccess" not in main


def test_a_dry_run_prints_the_change_and_pushes_nothing(forge: FakeForge, tmp_path: Path) -> None:
    """``--dry-run``: the diff on stdout, the pull request's title and notes on stderr; no branch, no merge
    request. Run again without it, the branch pushed holds exactly the tree the diff makes of the base."""
    path, files = REPOSITORIES["terraform"]
    forge.create_repository("acme/dry", files)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    args = pr_args(forge, "acme/dry", path, policy)

    dry = policygen(*args, "--dry-run", env={"MY_TOKEN": TOKEN})
    # without a token the clone of a private repository is refused, and the message says which variable
    anonymous = policygen(*args, "--dry-run", env={"MY_TOKEN": ""})

    assert anonymous.returncode == 2
    assert "no token was set: a private repository needs one, from MY_TOKEN" in anonymous.stderr
    assert dry.returncode == 0, dry.stderr
    assert f"--- a/{path}/main.tf\n+++ b/{path}/main.tf\n" in dry.stdout
    assert "nothing pushed; would push branch policygen/payments-api_" in dry.stderr
    assert "removed resource aws_iam_role_policy_attachment.payments_api_poweruser" in dry.stderr
    assert forge.branches("acme/dry").keys() == {"main"}
    assert not forge.merge_requests.get("acme/dry")
    # the diff is the change the pull request makes: applied to a clone of the base, the same files
    clone = tmp_path / "clone"
    authenticated = forge.url.replace("://", f"://oauth2:{TOKEN}@", 1)
    subprocess.run(["git", "clone", "-q", f"{authenticated}/acme/dry.git", str(clone)], check=True)
    subprocess.run(["git", "apply", "-"], cwd=clone, input=dry.stdout, text=True, check=True)
    opened = policygen(*args, env={"MY_TOKEN": TOKEN})
    assert opened.returncode == 0, opened.stderr
    for name in files:
        pushed = forge.show("acme/dry", branch_name("payments-api"), name)
        assert (clone / name).read_text() == pushed, name
    assert TOKEN not in dry.stdout + dry.stderr


def test_a_dry_run_needs_no_token_for_a_local_repository(tmp_path: Path) -> None:
    """A platform engineer's own clone (``file://``, provider git): what would change, no token, nothing
    written to the repository; a second dry run once the base has the policy proposes nothing."""
    path, files = REPOSITORIES["terraform"]
    work = tmp_path / "infra"
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=work, check=True)
    subprocess.run([*git, "add", "-A"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=work, check=True)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY_V1))
    args = [
        *("pr", "--provider", "git", "--policy", str(policy), "--principal", PRINCIPAL),
        *("--repository", work.as_uri(), "--path", path, "--format", "terraform"),
        *("--replace-managed-policy", POWER_USER, "--dry-run"),
    ]

    dry = policygen(*args, env={"GIT_TOKEN": ""})

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(f"--- a/{path}/") and "PowerUserAccess" in dry.stdout
    status = subprocess.run(["git", "status", "--porcelain"], cwd=work, capture_output=True, text=True)
    assert (
        status.stdout == ""
        and subprocess.run(
            ["git", "branch", "--list", "policygen/*"], cwd=work, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )
    subprocess.run(["git", "apply", "-"], cwd=work, input=dry.stdout, text=True, check=True)
    subprocess.run([*git, "commit", "-qam", "the policy"], cwd=work, check=True)
    again = policygen(*args[: args.index(POWER_USER) - 1], "--dry-run", env={"GIT_TOKEN": ""})
    assert again.returncode == 0, again.stderr
    assert again.stdout == "" and "already has this policy" in again.stderr
