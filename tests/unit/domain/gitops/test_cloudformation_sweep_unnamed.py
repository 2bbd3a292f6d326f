"""What the sweep of aws-cloudformation/aws-cloudformation-templates (Apache-2.0) found when its roles
without RoleName were edited through the name CloudFormation generated for them (STACK-LOGICALID-RANDOM).
The templates here are minimal ones written in the shape of the repository's, whose path each test names;
none is copied.
"""

from __future__ import annotations

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
