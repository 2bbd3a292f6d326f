"""What the sweep of aws-cloudformation/aws-cloudformation-templates (Apache-2.0) found when its roles
without RoleName were edited through the name CloudFormation generated for them (STACK-LOGICALID-RANDOM).
The templates here are minimal ones written in the shape of the repository's, whose path each test names;
none is copied.
"""

from __future__ import annotations

import difflib
import json

from ruamel.yaml import YAML

from policygen_operator.domain.gitops.editor import edit_files
from tests.unit.domain.gitops.test_cloudformation_edit import request

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
GENERATED = "arn:aws:iam::111122223333:role/prod-app-IamRoleLambda-Kq3ZpX7m2LwA"

# In the shape of ElastiCache/Elasticache-snapshot.yaml: a role created only under a condition, and a list
# of !FindInMap calls whose arguments the template indents by two under each item
SNAPSHOT = """\
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  EnableBackups: !Equals
    - !Ref AWS::Region
    - us-east-1
Mappings:
  RegionZones:
    us-east-1:
      A: us-east-1a
      B: us-east-1b
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      PreferredCacheClusterAZs:
        - !FindInMap
          - RegionZones
          - !Ref AWS::Region
          - A
        - !FindInMap
          - RegionZones
          - !Ref AWS::Region
          - B
      ReplicationGroupDescription: cache

  IamRoleLambda:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service:
                - lambda.amazonaws.com
            Action:
              - sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
    Condition: EnableBackups

  SnapshotFunction:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt IamRoleLambda.Arn
    Condition: EnableBackups
"""


def test_the_policy_of_a_role_under_a_condition_is_created_under_the_same_condition() -> None:
    """A role with a Condition exists only while the condition holds ("CloudFormation creates the resource
    only when the condition evaluates to true", CloudFormation Template Reference, Condition attribute);
    the policy attached to it by Ref said no condition, so cfn-lint warned of a Ref to a resource that may
    not be there (W1001) on ElastiCache/Elasticache-snapshot.yaml and
    Solutions/DirectoryServiceSettings/templates/DIRECTORY_SETTINGS.cfn.yaml and .json. The policy now
    carries the role's condition: the two are created together or not at all."""
    result = edit_files("cloudformation", {"t.yaml": SNAPSHOT}, request(BASIC, principal=GENERATED), "")
    resources = YAML(typ="rt").load(result.changes["t.yaml"])["Resources"]
    assert resources["IamRoleLambdaPolicygen"]["Condition"] == "EnableBackups"
    assert list(resources["IamRoleLambdaPolicygen"]) == ["Type", "Condition", "Properties"]
    # a JSON template, as DIRECTORY_SETTINGS.cfn.json writes it
    as_json = json.dumps(YAML(typ="safe").load(SNAPSHOT.replace("!Equals", "").replace("!", "")), indent=2)
    out = edit_files("cloudformation", {"t.json": as_json}, request(BASIC, principal=GENERATED), "")
    policy = json.loads(out.changes["t.json"])["Resources"]["IamRoleLambdaPolicygen"]
    assert policy["Condition"] == "EnableBackups"
    # a role without a condition gets a policy without one
    plain = SNAPSHOT.replace("    Condition: EnableBackups\n\n  SnapshotFunction", "\n  SnapshotFunction")
    bare = edit_files("cloudformation", {"t.yaml": plain}, request(BASIC, principal=GENERATED), "")
    policy = YAML(typ="rt").load(bare.changes["t.yaml"])["Resources"]["IamRoleLambdaPolicygen"]
    assert "Condition" not in policy


# In the shape of Solutions/WebApp/webapp.yaml (a !Join whose list starts on the dash of its item, "- - "),
# EMR/EMRClusterWithAdditionalSecurityGroups.yaml (!If lists indented by two under an item, a line of
# spaces between parameters) and RainModules/api-resource.yml (a line ending in a space)
LAYOUT = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AppName:
    Type: String
\x20\x20
  UseSpark:
    Type: String
Conditions:
  Spark: !Equals [!Ref UseSpark, "true"]
Resources:
  AccessControl:
    Type: AWS::CloudFront::OriginAccessControl
    Properties:
      OriginAccessControlConfig:
        Name: !Join
          - ""
          - - !Ref AppName
            - !Select
              - 2
              - !Split
                - /
                - !Ref AWS::StackId
        OriginAccessControlOriginType: s3
        SigningBehavior: always
        SigningProtocol: sigv4

  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Applications:
        - Name: Ganglia
        - !If
          - Spark
          - Name: Spark
          - !Ref AWS::NoValue
      Name: !Ref AppName\x20
      ServiceRole: !Ref HandlerRole

  HandlerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service:
                - lambda.amazonaws.com
            Action:
              - sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole

Outputs:
  RoleArn:
    Value: !GetAtt HandlerRole.Arn
"""


def test_lines_the_edit_does_not_touch_keep_their_layout() -> None:
    """The YAML round trip writes every sequence with one indentation: a list the template starts on its
    item's dash (``- - !Ref AppName``) or indents by two under an item came back re-indented, and a line's
    trailing spaces went, so that 7 of the 8 YAML templates of the sweep got hunks far from the role. The
    lines the edit does not change are now the template's own."""
    principal = "arn:aws:iam::111122223333:role/prod-app-HandlerRole-GrPQIWd7jOjc"
    result = edit_files("cloudformation", {"t.yaml": LAYOUT}, request(BASIC, principal=principal), "")
    out = result.changes["t.yaml"]
    diff = list(difflib.unified_diff(LAYOUT.splitlines(), out.splitlines(), lineterm="", n=0))
    removed = [line for line in diff[2:] if line.startswith("-")]
    assert removed == ["-      ManagedPolicyArns:", f"-        - {BASIC}"]
    added = "\n".join(line[1:] for line in diff[2:] if line.startswith("+"))
    assert added.startswith("\n  HandlerRolePolicygen:\n    Type: AWS::IAM::ManagedPolicy\n")
    assert out.startswith(LAYOUT.split("      ManagedPolicyArns:")[0])
    assert out.endswith("\nOutputs:\n  RoleArn:\n    Value: !GetAtt HandlerRole.Arn\n")
    # the template as the round trip reads it is the edited one
    resources = YAML(typ="rt").load(out)["Resources"]
    assert list(resources) == ["AccessControl", "Cluster", "HandlerRole", "HandlerRolePolicygen"]
    assert "ManagedPolicyArns" not in resources["HandlerRole"]["Properties"]


def test_the_original_lines_are_kept_only_where_they_say_what_the_edit_says() -> None:
    """Where the round trip made fewer lines of more and the edit cuts through them, or where the kept
    lines would read as another document than the edit, the dump is written as it is."""
    from policygen_operator.domain.gitops.yamldocs import kept_layout

    # three lines the round trip made two of; the edit keeps one of the two
    assert kept_layout("x: 1\ny: 2\nz: 3\n", "x: 9\ny: 9\n", "x: 9\n") == "x: 9\n"
    # lines kept from the original would say a: 1 where the edit says a: 2
    assert kept_layout("a: 1\n", "a: 2\n", "a: 2\nb: 3\n") == "a: 2\nb: 3\n"
    # the usual case: a line of the original kept as it was, the edit's line added
    assert kept_layout("a:\n- - 1\n", "a:\n-   - 1\n", "a:\n-   - 1\nb: 3\n") == "a:\n- - 1\nb: 3\n"


def test_a_policy_an_earlier_run_wrote_takes_its_roles_condition_and_loses_a_stale_one() -> None:
    """Level-based: the policy's Condition is its role's, whoever wrote the resource before. A policy an
    earlier run added without the role's Condition (before ff5ba7d) gets it on the next edit, even when its
    document is unchanged; one whose role no longer has a Condition loses it."""
    first = edit_files("cloudformation", {"t.yaml": SNAPSHOT}, request(BASIC, principal=GENERATED), "")
    written = first.changes["t.yaml"]
    older = written.replace(
        "    Condition: EnableBackups\n    Properties:\n      ManagedPolicyName",
        "    Properties:\n      ManagedPolicyName",
    )
    assert older != written  # the policy, as an earlier run wrote it
    again = edit_files("cloudformation", {"t.yaml": older}, request(BASIC, principal=GENERATED), "")
    policy = YAML(typ="rt").load(again.changes["t.yaml"])["Resources"]["IamRoleLambdaPolicygen"]
    assert list(policy) == ["Type", "Condition", "Properties"] and policy["Condition"] == "EnableBackups"
    assert any("Condition" in note for note in again.notes)
    unconditional = written.replace(
        "    Condition: EnableBackups\n\n  IamRoleLambdaPolicygen:", "\n  IamRoleLambdaPolicygen:"
    )
    assert unconditional != written  # the role's Condition removed, the policy's left
    dropped = edit_files("cloudformation", {"t.yaml": unconditional}, request(BASIC, principal=GENERATED), "")
    policy = YAML(typ="rt").load(dropped.changes["t.yaml"])["Resources"]["IamRoleLambdaPolicygen"]
    assert "Condition" not in policy
    # a JSON template the same way
    as_json = json.loads(json.dumps(YAML(typ="safe").load(SNAPSHOT.replace("!Equals", "").replace("!", ""))))
    out = edit_files(
        "cloudformation", {"t.json": json.dumps(as_json, indent=2)}, request(BASIC, principal=GENERATED), ""
    )
    doc = json.loads(out.changes["t.json"])
    del doc["Resources"]["IamRoleLambdaPolicygen"]["Condition"]
    later = edit_files(
        "cloudformation", {"t.json": json.dumps(doc, indent=2)}, request(BASIC, principal=GENERATED), ""
    )
    policy = json.loads(later.changes["t.json"])["Resources"]["IamRoleLambdaPolicygen"]
    assert list(policy) == ["Type", "Condition", "Properties"] and policy["Condition"] == "EnableBackups"
