"""iam:PassRole for calls that hand their service a role though neither AWS reference lists it.

The Service Authorization Reference's dependent actions and the API references miss calls that pass the
role their request gives: Kendra ``CreateThesaurus``' ``RoleArn`` ("An IAM role that gives Amazon Kendra
permissions to access thesaurus file specified in SourceS3Path"), Comprehend ``StartEventsDetectionJob``'s
``DataAccessRoleArn``. A policy without ``iam:PassRole`` on that role breaks the call, and no CloudTrail
record shows the check. ``operator/scripts/infer_pass_role.py`` finds them from AWS's managed policies (one
that allows the action and ``iam:PassRole`` to the action's own service) and from the namespace's other
calls with a role parameter of the same name; its output, with the evidence per action, is build data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.reference import load_reference
from tests.fixtures.scripts import ROOT, load_script
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record
from tests.unit.domain.iam.records import uses_of as uses

ROLE = f"arn:aws:iam::{ACCOUNT}:role"
DATA = ROOT / "operator" / "scripts" / "data" / "pass-role-inferred" / "pass_role.json"


@pytest.mark.parametrize(
    ("source", "name", "params", "role"),
    [
        # Kendra API Reference, CreateThesaurus request syntax; AmazonKendraFullAccess allows
        # iam:PassRole to kendra.amazonaws.com
        (
            "kendra.amazonaws.com",
            "CreateThesaurus",
            {
                "IndexId": "0123abcd-0123-abcd-0123-0123456789ab",
                "Name": "products",
                "SourceS3Path": {"Bucket": "kendra-data", "Key": "thesaurus.txt"},
            },
            "RoleArn",
        ),
        # HealthLake API Reference, StartFHIRImportJob; AmazonHealthLakeFullAccess likewise
        (
            "healthlake.amazonaws.com",
            "StartFHIRImportJob",
            {
                "DatastoreId": "0123456789abcdef0123456789abcdef",
                "InputDataConfig": {"S3Uri": "s3://fhir-import/ndjson/"},
                "JobOutputDataConfig": {
                    "S3Configuration": {"S3Uri": "s3://fhir-import/out/", "KmsKeyId": "k"}
                },
            },
            "DataAccessRoleArn",
        ),
        # Comprehend API Reference, StartEventsDetectionJob: the same DataAccessRoleArn as
        # CreateDocumentClassifier, which passes it
        (
            "comprehend.amazonaws.com",
            "StartEventsDetectionJob",
            {
                "InputDataConfig": {"S3Uri": "s3://news/in/", "InputFormat": "ONE_DOC_PER_LINE"},
                "OutputDataConfig": {"S3Uri": "s3://news/out/"},
                "LanguageCode": "en",
                "TargetEventTypes": ["BANKRUPTCY"],
            },
            "DataAccessRoleArn",
        ),
        # Step Functions API Reference, TestState: the execution role, as CreateStateMachine's roleArn
        ("states.amazonaws.com", "TestState", {"definition": '{"Type":"Pass","End":true}'}, "roleArn"),
    ],
)
def test_a_call_that_hands_its_service_a_role_passes_it(
    source: str, name: str, params: dict[str, Any], role: str
) -> None:
    arn = f"{ROLE}/service-role/{name.lower()}"
    assert ("iam:PassRole", arn) in uses(source, name, {**params, role: arn})
    # without a role in the request none is passed
    assert all(action != "iam:PassRole" for action, _ in uses(source, name, params))


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        # the role the caller itself assumes (STS API Reference, AssumeRole)
        ("sts.amazonaws.com", "AssumeRole", {"roleArn": f"{ROLE}/deploy", "roleSessionName": "ci"}),
        # credentials for a runtime role, read, not handed over (EMR API Reference,
        # GetClusterSessionCredentials)
        (
            "elasticmapreduce.amazonaws.com",
            "GetClusterSessionCredentials",
            {"clusterId": "j-0123456789ABC", "executionRoleArn": f"{ROLE}/emr-runtime"},
        ),
        # a listing that says which role Neptune uses to reach SageMaker (Neptune Data API, ListMLEndpoints)
        ("neptune-db.amazonaws.com", "ListMLEndpoints", {"neptuneIamRoleArn": f"{ROLE}/neptune-ml"}),
    ],
)
def test_a_role_the_call_does_not_hand_over_is_not_passed(
    source: str, name: str, params: dict[str, Any]
) -> None:
    assert all(action != "iam:PassRole" for action, _ in uses(source, name, params))


def test_every_inferred_action_is_in_the_reference_with_its_evidence() -> None:
    """The build data and the shipped reference agree, and no action is inferred without a reason."""
    inferred = json.loads(DATA.read_text())
    ref = load_reference()
    assert len(inferred) >= 100  # 147 with botocore 1.44.8 and the managed policies of 2026-03-07
    for action, evidence in inferred.items():
        assert evidence and all(action.split(":")[1] in line or "takes" in line for line in evidence), action
        assert ref.passes_role(action) and ref.action_name(action) is not None, action
        assert not ref.listed_pass_role(action), f"{action} is in the reference's own list"


def _policy(tmp: Path, name: str, statements: list[dict[str, Any]]) -> None:
    document = {"Version": "2012-10-17", "Statement": statements}
    version = {"PolicyVersion": {"Document": document, "VersionId": "v3", "IsDefaultVersion": True}}
    (tmp / name).write_text(json.dumps(version))


def test_the_script_reads_pass_role_to_the_actions_own_service(tmp_path: Path) -> None:
    """A managed policy counts for the actions of the service it lets roles be passed to: Kendra's for
    Kendra's calls, not for another service's calls the same policy allows; the sibling evidence needs no
    policy at all, and is what the shipped data holds."""
    script = load_script("operator/scripts/infer_pass_role.py")
    _policy(
        tmp_path,
        "KendraLike",
        [
            {"Effect": "Allow", "Action": ["kendra:*", "lookoutequipment:CreateModel"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "kendra.amazonaws.com"}},
            },
        ],
    )
    (tmp_path / "Empty").write_text("")  # two files of the snapshot are empty
    found, unproven = script.infer(tmp_path)
    assert any("KendraLike (v3)" in line for line in found["kendra:CreateThesaurus"])
    assert "lookoutequipment:CreateModel" not in found  # allowed, but roles go to Kendra only
    assert unproven["lookoutequipment:CreateModel"] == ["RoleArn"]  # so: a candidate without evidence
    assert not set(found) & set(unproven)
    assert "sts:AssumeRole" not in found and "elasticmapreduce:GetClusterSessionCredentials" not in found

    def siblings(inferred: dict[str, list[str]]) -> dict[str, list[str]]:
        kept = {action: [line for line in lines if "takes" in line] for action, lines in inferred.items()}
        return {action: lines for action, lines in kept.items() if lines}

    assert siblings(found) == siblings(json.loads(DATA.read_text()))
    # and the role-named parameters that hold no IAM role are what the script reads from botocore
    shipped = json.loads(DATA.with_name("not_role_parameters.json").read_text())
    assert script.not_roles() == shipped
    assert "instancerole" in shipped["elasticmapreduce"] and "servicerole" not in shipped["elasticmapreduce"]


def test_a_role_named_parameter_that_holds_no_iam_role_is_not_read_as_one() -> None:
    """WorkMail's CreateUser ``Role`` is the mailbox's kind (USER, RESOURCE, ...) and AmazonWorkMailFullAccess
    allows iam:PassRole to WorkMail: the call passes no role, and no finding says it passed one unnamed."""
    script = load_script("operator/scripts/infer_pass_role.py")
    assert "workmail:CreateUser" not in json.loads(DATA.read_text())
    event = EventMapper().map(
        cloudtrail_record(
            "workmail.amazonaws.com",
            "CreateUser",
            {
                "organizationId": "m-0123456789abcdef0123456789abcdef",
                "name": "ana",
                "displayName": "Ana",
                "role": "USER",
            },
        )
    )
    assert all(action != "iam:PassRole" for action, _ in event.uses) and event.notes == ()
    model = botocore.session.get_session().get_service_model("workmail")
    member = model.operation_model("CreateUser").input_shape.members["Role"]
    assert not script.gives_a_role("Role", member)


@pytest.mark.parametrize(
    ("source", "name", "params"),
    [
        # EMR API Reference, InstanceGroupConfig: "InstanceRole: The role of the instance group in the
        # cluster" (MASTER, CORE, TASK)
        (
            "elasticmapreduce.amazonaws.com",
            "RunJobFlow",
            {
                "name": "etl",
                "releaseLabel": "emr-7.0.0",
                "instances": {
                    "instanceGroups": [
                        {"instanceRole": "MASTER", "instanceType": "m5.xlarge", "instanceCount": 1}
                    ]
                },
            },
        ),
        # MediaLive API Reference, CaptionDescription: "CaptionDashRoles: Identifies the DASH roles to assign
        # to this captions output" (CAPTION, SUBTITLE, ...)
        (
            "medialive.amazonaws.com",
            "CreateChannel",
            {
                "name": "live",
                "channelClass": "SINGLE_PIPELINE",
                "encoderSettings": {
                    "captionDescriptions": [
                        {"captionSelectorName": "c", "name": "c1", "captionDashRoles": ["CAPTION"]}
                    ]
                },
            },
        ),
        # QuickSight API Reference, RegisterUser: "UserRole: The Amazon QuickSight role for the user"
        (
            "quicksight.amazonaws.com",
            "RegisterUser",
            {
                "awsAccountId": ACCOUNT,
                "namespace": "default",
                "identityType": "QUICKSIGHT",
                "email": "ana@example.com",
                "userName": "ana",
                "userRole": "READER",
            },
        ),
    ],
)
def test_a_role_named_value_that_is_no_iam_role_is_not_a_role_passed_unnamed(
    source: str, name: str, params: dict[str, Any]
) -> None:
    """These calls pass roles (the reference's dependent actions), but the role-named values here are the
    API's own kinds of role; reading them as IAM roles passed by name made every such call report an
    iam:PassRole left out."""
    event = EventMapper().map(cloudtrail_record(source, name, params))
    assert all(action != "iam:PassRole" for action, _ in event.uses)
    assert "pass-role-left-out" not in {code for _, code, _ in event.notes}
    assert load_reference().not_role_parameters(source.split(".")[0])  # read from botocore, not curated


def test_a_call_that_hands_over_a_role_no_source_proves_is_checked_is_said_not_granted() -> None:
    """AWS Chatbot's CreateSlackChannelConfiguration hands the service ``IamRoleArn``; neither reference,
    nor a managed policy, nor a sibling call says iam:PassRole is checked on it. Granting it would be wider
    than any evidence; leaving it unsaid left a user with an AccessDenied no record explains."""
    event = EventMapper().map(
        cloudtrail_record(
            "chatbot.amazonaws.com",
            "CreateSlackChannelConfiguration",
            {
                "slackTeamId": "T0123ABCD",
                "slackChannelId": "C0123ABCD",
                "iamRoleArn": f"{ROLE}/chatbot-notifications",
                "configurationName": "alerts",
            },
        )
    )
    assert all(action != "iam:PassRole" for action, _ in event.uses)
    (note,) = [n for n in event.notes if n[1] == "pass-role-unproven"]
    assert note[0] == "info" and f"{ROLE}/chatbot-notifications" in note[2]
    # a call with evidence is granted, and not also said
    kendra = EventMapper().map(
        cloudtrail_record(
            "kendra.amazonaws.com",
            "CreateThesaurus",
            {"indexId": "0123456789abcdef", "name": "t", "roleArn": f"{ROLE}/kendra", "sourceS3Path": {}},
        )
    )
    assert ("iam:PassRole", f"{ROLE}/kendra") in kendra.uses
    assert not [n for n in kendra.notes if n[1] == "pass-role-unproven"]


def test_the_unproven_calls_are_in_the_reference_and_never_granted_pass_role() -> None:
    unproven = json.loads(DATA.with_name("pass_role_unproven.json").read_text())
    ref = load_reference()
    assert len(unproven) >= 90  # 101 with botocore 1.44.8 and the managed policies of 2026-03-07
    for action, roles in unproven.items():
        assert roles and ref.pass_role_unproven(action) and not ref.passes_role(action), action
