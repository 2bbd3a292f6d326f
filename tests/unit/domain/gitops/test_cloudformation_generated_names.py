"""Format ``cloudformation`` finds a role the template does not name: CloudFormation names an
``AWS::IAM::Role`` without ``RoleName`` ``STACK-LOGICALID-RANDOM`` (AWS CloudFormation User Guide, "Name
type": "generates a unique physical ID to name a resource", e.g. ``MyStack-MyBucket-abcdefghijk1``), so the
principal's name says the role's logical id. The role is edited only when exactly one role of all the
templates under the path fits that name: editing the wrong one would take its broad policy away.

Names as CloudFormation writes them: ``my-stack-AppRole-1A2B3C4D5E6F`` (a random part of 12 letters and
digits); ``ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d``, which real CloudFormation gave
a role of stack ``ChineseboostAnalyticsStack`` (KensioSoftware/yulin issue 1113): both parts cut to 25
characters so that the name, random part included, is 64 long.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from policygen_operator.cli.main import EXIT_OK, main
from policygen_operator.domain.gitops.editor import edit_files
from policygen_operator.domain.gitops.model import GitOpsEditError
from tests.unit.domain.gitops.test_cloudformation import CDK
from tests.unit.domain.gitops.test_cloudformation_edit import DOC, ORDERS, POWER, request

ACCOUNT = "arn:aws:iam::111122223333:role"
GENERATED = f"{ACCOUNT}/my-stack-AppRole-1A2B3C4D5E6F"


def role(logical: str, extra: str = "") -> str:
    """An AWS::IAM::Role without RoleName, as in the User Guide's AWS::IAM::Role examples."""
    return f"""\
  {logical}:
    Type: AWS::IAM::Role
    Properties:{extra}
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/PowerUserAccess
"""


def template(*roles: str) -> str:
    return "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + "".join(roles)


def refusal(files: dict[str, str], principal: str) -> str:
    with pytest.raises(GitOpsEditError) as err:
        edit_files("cloudformation", files, request(POWER, principal=principal), "")
    return str(err.value)


def test_a_yaml_role_without_role_name_is_found_by_the_name_cloudformation_gave_it() -> None:
    text = template(role("AppRole"), role("WorkerRole"))
    result = edit_files("cloudformation", {"app.yaml": text}, request(POWER, principal=GENERATED), "")
    out = result.changes["app.yaml"]
    assert result.detached == [POWER] and result.attachment_added
    resources = YAML(typ="rt").load(out)["Resources"]
    assert list(resources) == ["AppRole", "AppRolePolicygen", "WorkerRole"]
    assert "ManagedPolicyArns" not in resources["AppRole"]["Properties"]
    assert "ManagedPolicyArns" in resources["WorkerRole"]["Properties"]
    policy = resources["AppRolePolicygen"]["Properties"]
    assert policy["ManagedPolicyName"] == "my-stack-AppRole-1A2B3C4D5E6F-policygen"
    assert policy["Roles"] == [{"Ref": "AppRole"}]
    # the pull request says which rule found the role
    assert "named my-stack-AppRole-1A2B3C4D5E6F by CloudFormation" in result.role_location
    assert result.notes[0] == (
        "app.yaml: AWS::IAM::Role AppRole has no RoleName; CloudFormation names such a role "
        "STACK-LOGICALID-RANDOM, and my-stack-AppRole-1A2B3C4D5E6F is stack 'my-stack', logical id "
        "'AppRole', random part '1A2B3C4D5E6F': the only role of the 1 template(s) under the path whose "
        "logical id fits"
    )
    # a second run over the edit changes nothing
    again = edit_files("cloudformation", {"app.yaml": out}, request(POWER, principal=GENERATED), "")
    assert again.changes == {}


def test_a_json_template_and_a_role_path_from_the_arn() -> None:
    data = {
        "Resources": {
            "AppRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"Path": "/service-role/", "ManagedPolicyArns": [POWER]},
            },
            # the same logical id at the root path (another template's stack): not this role
            "Queue": {"Type": "AWS::SQS::Queue"},
        }
    }
    other = {
        "Resources": {"AppRole": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [POWER]}}}
    }
    files = {"a/app.json": json.dumps(data, indent=2) + "\n", "b/other.json": json.dumps(other, indent=2)}
    principal = f"{ACCOUNT}/service-role/my-stack-AppRole-1A2B3C4D5E6F"
    result = edit_files("cloudformation", files, request(POWER, principal=principal), "")
    assert list(result.changes) == ["a/app.json"] and result.detached == [POWER]
    out = json.loads(result.changes["a/app.json"] or "")
    assert list(out["Resources"]) == ["AppRole", "AppRolePolicygen", "Queue"]
    # at the root path, the role of b/other.json is the one, and a/app.json's is not
    result = edit_files("cloudformation", files, request(POWER, principal=GENERATED), "")
    assert list(result.changes) == ["b/other.json"]


def test_a_name_cut_to_64_characters_is_read_as_cloudformation_cuts_it() -> None:
    """The real name of issue 1113: the logical id cut to its first 25 characters."""
    logical = "RainlyticsSummariesJobFunctionServiceRole8C5A2F0B"
    principal = f"{ACCOUNT}/ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d"
    result = edit_files(
        "cloudformation", {"t.yaml": template(role(logical))}, request(POWER, principal=principal), ""
    )
    assert result.detached == [POWER] and f"{logical}Policygen:" in (result.changes["t.yaml"] or "")


@pytest.mark.parametrize(
    ("name", "logical"),
    [
        # a role of 2020 (aws cloudformation describe-stack-resources, stack project-lambda): 13 characters,
        # where the stack's Lambda function got 12 (project-lambda-HelloLambda-GNCSEV3U04G9)
        ("project-lambda-HelloLambdaRole-1UXN0SKYJW8LW", "HelloLambdaRole"),
        # 64 long: stack name and logical id share the 49 characters the 13 and two hyphens leave
        ("DeployCloudTrailCloudFormation-LambdaExecutionRole-1Q5F6FCE5W9EX", "LambdaExecutionRole"),
        # the same cut as issue 1113's, with one character less for the two to share: 25 and 24
        (
            "ChineseboostAnalyticsStac-RainlyticsSummariesJobFu-1A2B3C4D5E6F7",
            "RainlyticsSummariesJobFunctionRole",
        ),
    ],
)
def test_a_name_whose_random_part_has_13_characters_is_found(name: str, logical: str) -> None:
    """Roles CloudFormation named before it wrote 12 characters keep names of 13 (``1`` and 12 capitals and
    digits) for as long as they live: they are found as the others are."""
    text = template(role(logical), role("WorkerRole"))
    result = edit_files("cloudformation", {"t.yaml": text}, request(POWER, principal=f"{ACCOUNT}/{name}"), "")
    resources = list(YAML(typ="rt").load(result.changes["t.yaml"])["Resources"])
    assert resources == [logical, f"{logical}Policygen", "WorkerRole"]
    assert f"random part {name.rsplit('-', 1)[1]!r}" in result.notes[0]


@pytest.mark.parametrize(
    ("logicals", "principal", "fits"),
    [
        # the logical id runs to the hyphen before the random part: App is not AppRole, whatever the stack
        (("App", "AppRole"), f"{ACCOUNT}/stack-AppRole-XYZ123ABC456", "AppRole"),
        (("App", "AppRole"), f"{ACCOUNT}/stack-App-XYZ123ABC456", "App"),
        # a hyphen in the stack name: stack-App with logical id Role would be stack-App-Role-..., not this
        (("App", "AppRole", "Role"), f"{ACCOUNT}/stack-AppRole-XYZ123ABC456", "AppRole"),
        # 64 characters with a stack name of 47: App is whole (a cut logical id has 25 characters at least),
        # so AppRole, which would have been kept whole too, does not fit
        (("App", "AppRole"), f"{ACCOUNT}/{'s' * 47}-App-XYZ123ABC456", "App"),
    ],
)
def test_a_logical_id_fits_whole_or_cut_as_cloudformation_cuts_it(
    logicals: tuple[str, ...], principal: str, fits: str
) -> None:
    result = edit_files(
        "cloudformation", {"t.yaml": template(*map(role, logicals))}, request(POWER, principal=principal), ""
    )
    expected = [y for x in logicals for y in ((x, f"{x}Policygen") if x == fits else (x,))]
    assert list(YAML(typ="rt").load(result.changes["t.yaml"])["Resources"]) == expected


@pytest.mark.parametrize(
    ("files", "principal", "named"),
    [
        # the same logical id in two templates (two stacks): the stack name is not in the code
        (
            {"a.yaml": template(role("AppRole")), "b.yaml": template(role("AppRole"))},
            GENERATED,
            "AppRole in a.yaml, AppRole in b.yaml",
        ),
        # two logical ids that share the 25 characters a cut name keeps
        (
            {
                "t.yaml": template(
                    role("RainlyticsSummariesJobFunctionRoleA"), role("RainlyticsSummariesJobFunctionRoleB")
                )
            },
            f"{ACCOUNT}/ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d",
            "RainlyticsSummariesJobFunctionRoleA in t.yaml, RainlyticsSummariesJobFunctionRoleB in t.yaml",
        ),
        # a logical id of exactly those 25 characters, whole, and a longer one cut to them
        (
            {
                "t.yaml": template(
                    role("RainlyticsSummariesJobFun"), role("RainlyticsSummariesJobFunctionRole")
                )
            },
            f"{ACCOUNT}/ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-UjecjFhpdr1d",
            "RainlyticsSummariesJobFun in t.yaml, RainlyticsSummariesJobFunctionRole in t.yaml",
        ),
        # a role whose RoleName is a parameter may be named anything, this name too
        (
            {
                "t.yaml": template(
                    role("AppRole"), role("Named", "\n      RoleName: !Ref RoleNameParameter")
                ).replace("Resources:", "Parameters:\n  RoleNameParameter:\n    Type: String\nResources:")
            },
            GENERATED,
            "AppRole in t.yaml, Named (RoleName !Ref RoleNameParameter) in t.yaml",
        ),
    ],
)
def test_two_roles_that_fit_are_refused_naming_them_all(
    files: dict[str, str], principal: str, named: str
) -> None:
    said = refusal(files, principal)
    assert f"fit the name CloudFormation generates (STACK-LOGICALID-RANDOM): {named}" in said
    assert "more than one role" in said


def test_a_role_name_of_sub_that_cannot_give_the_name_does_not_count() -> None:
    text = template(role("AppRole"), role("Named", "\n      RoleName: !Sub ${AWS::StackName}-named"))
    result = edit_files("cloudformation", {"t.yaml": text}, request(POWER, principal=GENERATED), "")
    assert "AppRolePolicygen:" in (result.changes["t.yaml"] or "")


def test_a_role_whose_role_name_is_an_intrinsic_function_stays_refused() -> None:
    """The brief's "leave those refused": its logical id fitting the name says nothing of its RoleName."""
    text = template(role("AppRole", "\n      RoleName: !Sub ${AWS::StackName}-AppRole-1A2B3C4D5E6F"))
    said = refusal({"t.yaml": text}, GENERATED)
    assert said.startswith("no AWS::IAM::Role with RoleName 'my-stack-AppRole-1A2B3C4D5E6F' in 1 ")
    assert "AppRole (RoleName !Sub ${AWS::StackName}-AppRole-1A2B3C4D5E6F) in t.yaml" in said


def test_a_name_no_role_fits_keeps_the_refusal_and_says_the_rule() -> None:
    unnamed = ORDERS.replace("      RoleName: order-processor\n", "")
    said = refusal({"orders.yaml": unnamed}, GENERATED)
    assert said.startswith("no AWS::IAM::Role with RoleName 'my-stack-AppRole-1A2B3C4D5E6F' in 1 ")
    assert "roles seen: OrdersRole (no literal RoleName) in orders.yaml" in said
    assert "STACK-LOGICALID-RANDOM" in said and "give it RoleName" in said
    # a name CloudFormation would not write (no 12-character random part) fits no role
    said = refusal({"t.yaml": template(role("AppRole"))}, f"{ACCOUNT}/my-stack-AppRole-prod")
    assert "roles seen: AppRole (no literal RoleName) in t.yaml" in said


def test_a_sam_function_s_implicit_role_is_out_of_scope() -> None:
    """AWS SAM Developer Guide, "AWS CloudFormation resources generated when AWS::Serverless::Function is
    specified": with no Role, SAM adds an AWS::IAM::Role of logical id <function-LogicalId>Role, which
    is not in the template to edit."""
    sam = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - AmazonS3FullAccess
"""
    said = refusal({"template.yaml": sam}, f"{ACCOUNT}/my-stack-ApiRole-1A2B3C4D5E6F")
    assert "AWS::Serverless::Function Api in template.yaml (logical id ApiRole)" in said
    assert "not edited (out of scope)" in said


def test_a_cdk_template_whose_role_fits_is_refused_as_synthesised() -> None:
    said = refusal(
        {"cdk.out/IamCdkStack.template.json": CDK}, f"{ACCOUNT}/IamCdkStack-myroletscE570167D-1A2B3C4D5E6F"
    )
    assert "written anew by every cdk synth" in said


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_the_dry_run_says_which_rule_found_the_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "infra"
    (repo / "stacks").mkdir(parents=True)
    (repo / "stacks" / "app.yaml").write_text(template(role("AppRole")))
    _git(repo, "init", "--quiet", "--initial-branch", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "app")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(DOC))
    argv = ["pr", "--dry-run", "--provider", "git", "--repository", f"file://{repo}", "--path", "stacks"]
    argv += ["--format", "cloudformation", "--policy", str(policy), "--principal", GENERATED]
    argv += ["--replace-managed-policy", POWER]
    assert main(argv) == EXIT_OK
    out, err = capsys.readouterr()
    assert "+  AppRolePolicygen:" in out
    assert "my-stack-AppRole-1A2B3C4D5E6F is stack 'my-stack', logical id 'AppRole'" in err


def test_an_assumed_role_arn_does_not_say_the_path_so_any_path_fits() -> None:
    """An STS assumed-role ARN names the role without its path (IAM User Guide, "IAM identifiers", "IAM
    ARNs": ``assumed-role/role-name/role-session-name``): a role of another Path may be it."""
    app = {"Resources": {"AppRole": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service-role/"}}}}
    other = {"Resources": {"AppRole": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    files = {"a/app.json": json.dumps(app), "b/other.json": json.dumps(other)}
    principal = "arn:aws:sts::111122223333:assumed-role/my-stack-AppRole-1A2B3C4D5E6F/session"
    said = refusal(files, principal)
    assert "(STACK-LOGICALID-RANDOM): AppRole in a/app.json, AppRole in b/other.json" in said
