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
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

# A template names its version, or has a top-level Resources section whose resources have an AWS resource
# type; JSON or YAML, quoted or not. A Kubernetes manifest has no top-level Resources. YAML templates use
# tags (!Ref, !Sub) that a safe loader refuses; ruamel's round-trip loader keeps them as tagged values, and a
# text that it cannot load either is read with these patterns.
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
    # roles without a literal RoleName: none (CloudFormation names the role STACK-LOGICALID-SUFFIX, as for
    # every role of a CDK app that does not set roleName) or an intrinsic function (!Sub, !Ref of a
    # parameter): the name is only known once the stack is deployed
    unnamed: int = 0

    def may_define(self, role_name: str) -> bool:
        """Whether the role asked for may be one of this template's roles: a literal RoleName that is its
        name, or a role whose name the template does not give."""
        return role_name in self.role_names or self.unnamed > 0


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return YAML(typ="rt").load(text)
    except (YAMLError, ValueError):
        return None


def _is_template(data: Any, text: str) -> bool:
    if not isinstance(data, dict):
        return data is None and bool(
            _VERSION.search(text) or (_RESOURCES.search(text) and _TYPE.search(text))
        )
    resources = data.get("Resources")
    return "AWSTemplateFormatVersion" in data or (
        isinstance(resources, dict)
        and any(
            isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::") for r in resources.values()
        )
    )


def _template(path: str, data: Any, text: str) -> Template:
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        # read as text: a RoleName per role is assumed literal, the roles beyond them unnamed
        found = tuple(_ROLE_NAME.findall(text))
        count = len(_ROLE.findall(text))
        return Template(path, count, found, max(count - len(found), 0))
    roles = [r for r in resources.values() if isinstance(r, dict) and r.get("Type") == "AWS::IAM::Role"]
    names: list[str] = []
    for role in roles:
        properties = role.get("Properties")
        name = properties.get("RoleName") if isinstance(properties, dict) else None
        # a tagged value (!Sub "x") is not a str; a JSON intrinsic is a dict
        if type(name) is str:
            names.append(name)
    return Template(path, len(roles), tuple(names), len(roles) - len(names))


def templates(files: dict[str, str]) -> list[Template]:
    """The JSON and YAML files among ``files`` that are CloudFormation templates."""
    found = []
    for path, text in sorted(files.items()):
        if not path.endswith((".json", ".yaml", ".yml", ".template")):
            continue
        data = _load(text)
        if _is_template(data, text):
            found.append(_template(path, data, text))
    return found


def refusal(found: list[Template], role_name: str | None = None) -> str:
    """What to tell a user whose path holds CloudFormation templates."""
    named = [t.path for t in found if role_name is not None and role_name in t.role_names]
    where = (
        f"{', '.join(named)} define{'s' if len(named) == 1 else ''} an AWS::IAM::Role with RoleName "
        f"{role_name!r}"
        if named
        else "CloudFormation template(s) under the path: "
        + ", ".join(f"{t.path} ({t.unnamed} AWS::IAM::Role without a literal RoleName)" for t in found)
    )
    return f"{where}; {NOT_EDITED}"


NOT_EDITED = (
    "policygen does not edit CloudFormation templates (nor a CDK app's synthesised cdk.out): change the "
    "role's ManagedPolicyArns there (for cdk.out, in the CDK code) by hand"
)
