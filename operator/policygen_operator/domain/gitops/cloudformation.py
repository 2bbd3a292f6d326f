"""CloudFormation templates (hand-written, or synthesised by the AWS CDK) are not a format policygen edits.

A role defined in a template has its managed policies in ``ManagedPolicyArns`` of an ``AWS::IAM::Role``
(AWS CloudFormation User Guide, AWS::IAM::Role), often as intrinsic functions (``!Sub``, ``Fn::Join`` of
``AWS::Partition``), and a CDK app's ``cdk.out/*.template.json`` is regenerated from code on every
``cdk synth``, so an edit there would be lost. Each format's search for the role cannot find it there and
used to say only that no ACK Role, no Terraform file or no policy file was seen: these helpers recognise
the templates under the path so that the refusal says the role is in CloudFormation, which is not
supported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# A template names its version, or has a top-level Resources section whose resources have an AWS resource
# type; JSON or YAML, quoted or not. YAML is read as text: templates use tags (!Ref, !Sub) that a plain YAML
# loader refuses. A Kubernetes manifest has no top-level Resources.
_VERSION = re.compile(r"""^["']?AWSTemplateFormatVersion["']?\s*:""", re.M)
_RESOURCES = re.compile(r"""^["']?Resources["']?\s*:""", re.M)
_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::[A-Za-z0-9]+""")
_ROLE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::IAM::Role["']?""")
_ROLE_NAME = re.compile(r"""["']?RoleName["']?\s*:\s*["']?([\w+=,.@-]+)["']?\s*(?:,|$)""", re.M)


@dataclass(frozen=True)
class Template:
    path: str
    roles: int  # AWS::IAM::Role resources
    role_names: tuple[str, ...]  # their literal RoleName values


def _is_template(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return bool(_VERSION.search(text) or (_RESOURCES.search(text) and _TYPE.search(text)))
    if not isinstance(data, dict):
        return False
    resources = data.get("Resources")
    return "AWSTemplateFormatVersion" in data or (
        isinstance(resources, dict)
        and any(
            isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::") for r in resources.values()
        )
    )


def templates(files: dict[str, str]) -> list[Template]:
    """The JSON and YAML files among ``files`` that are CloudFormation templates."""
    found = []
    for path, text in sorted(files.items()):
        if not path.endswith((".json", ".yaml", ".yml", ".template")) or not _is_template(text):
            continue
        found.append(Template(path, len(_ROLE.findall(text)), tuple(_ROLE_NAME.findall(text))))
    return found


def refusal(found: list[Template], role_name: str | None = None) -> str:
    """What to tell a user whose path holds CloudFormation templates."""
    named = [t.path for t in found if role_name is not None and role_name in t.role_names]
    where = (
        f"{', '.join(named)} define{'s' if len(named) == 1 else ''} an AWS::IAM::Role with RoleName "
        f"{role_name!r}"
        if named
        else "CloudFormation template(s) under the path: "
        + ", ".join(f"{t.path} ({t.roles} AWS::IAM::Role)" for t in found)
    )
    return (
        f"{where}; policygen does not edit CloudFormation templates (nor a CDK app's synthesised "
        "cdk.out): change the role's ManagedPolicyArns there (for cdk.out, in the CDK code) by hand"
    )
