"""CloudFormation templates: recognised under any format's path, and edited by the format of their own.

A role defined in a template has its managed policies in ``ManagedPolicyArns`` of an ``AWS::IAM::Role``
(AWS CloudFormation User Guide, AWS::IAM::Role), often as intrinsic functions (``!Sub``, ``Fn::Join`` of
``AWS::Partition``). Each other format's search for the role cannot find it there and used to say only that
no ACK Role, no Terraform file or no policy file was seen: ``templates`` recognises the templates under the
path so that the refusal says the role is in CloudFormation and which format edits it. ``edit`` is that
format: it finds the role by its literal ``RoleName``, or else by the name CloudFormation generated for a
role without one (``STACK-LOGICALID-RANDOM``) when exactly one role fits that name. A CDK app's
``cdk.out/*.template.json`` is regenerated from code on every ``cdk synth``, so an edit there would be
lost: refused.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError

from policygen_operator.domain.gitops import yamldocs
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from policygen_operator.domain.iam.canonical import same_policy

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
        # a tagged value (!Sub "x") is not a str (a quoted one is); a JSON intrinsic is a dict
        if isinstance(name, str):
            names.append(name)
    return Template(path, len(roles), tuple(names), len(roles) - len(names))


def templates(files: dict[str, str]) -> list[Template]:
    """The JSON and YAML files among ``files`` that are CloudFormation templates, read leniently (as text
    when YAML cannot load them): only to tell another format's user that the role may be defined there."""
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
    "edit it with format cloudformation (a CloudFormation template's AWS::IAM::Role with a literal RoleName, "
    "or without RoleName when its logical id is the one in the name the stack generated for it, "
    "STACK-LOGICALID-RANDOM; "
    "a CDK app's synthesised cdk.out is written anew by every cdk synth, so change that role in the CDK code)"
)


# -- editing (format "cloudformation") -------------------------------------------------------------------

_ROLE_TYPE = "AWS::IAM::Role"
_POLICY_TYPE = "AWS::IAM::ManagedPolicy"
# what marks a template the AWS CDK synthesised: its output folder, or the construct path CDK writes into
# every resource's Metadata ("aws:cdk:path"); an edit there is lost on the next ``cdk synth``
_CDK_OUT = re.compile(r"(^|/)cdk\.out/")
_CDK_PATH = "aws:cdk:path"
NOT_EDITED_CDK = (
    "a template the AWS CDK synthesised is written anew by every cdk synth: change the role's managed "
    "policies in the CDK code"
)


@dataclass
class _Source:
    """One template file, as YAML (edited through a round trip that keeps comments, tags such as !Sub and
    the indentation) or as JSON (rewritten with its indentation)."""

    path: str
    text: str
    yaml: yamldocs.YamlFile | None  # None: JSON
    data: Any  # the template (the YAML document's data, or the JSON object)

    def render(self, added: Mapping[str, str] | None = None) -> str:
        """The edited text; ``added``: each new resource's logical id -> the one it follows, to be set apart
        from its neighbours as the template sets its resources apart."""
        mark = _BOM if self.text.startswith(_BOM) else ""
        if self.yaml is not None:
            edited = self.yaml.render().removeprefix(_BOM)
            return mark + _spaced(self.text.removeprefix(_BOM), edited, added or {})
        body = self.text.removeprefix(_BOM)
        indent = _json_indent(body)
        end = "\n" if body.endswith("\n") else ""
        # a template all ASCII keeps its escapes (\u00fc), one in UTF-8 its characters; and the lines the
        # edit does not change stay the file's own (an escape in a UTF-8 file, "key" : value, a one-line
        # list), as in YAML templates
        edited = json.dumps(self.data, indent=indent, ensure_ascii=body.isascii()) + end
        roundtrip = json.dumps(json.loads(body), indent=indent, ensure_ascii=body.isascii()) + end
        return mark + yamldocs.kept_layout(body, roundtrip, edited, same=_same_json)


def _same_json(first: str, second: str) -> bool:
    try:
        return bool(json.loads(first) == json.loads(second))
    except ValueError:
        return False


# The UTF-8 byte order mark Windows editors write first: json.loads refuses it, and the file keeps it.
_BOM = "\ufeff"


_KEY_LINE = re.compile(r"^( *)([A-Za-z0-9]+):(?:[ \t]|$)")


def _spaced(original: str, edited: str, added: Mapping[str, str]) -> str:
    """``edited`` with the blank lines the original had before each top-level section and each resource.
    A YAML round trip keeps blank lines as a comment of the entry before them, so removing a role's last
    ManagedPolicyArns entry took away the lines that set the next resource apart; a new resource is set
    apart as the template sets its resources apart. Lines are matched by their text and occurrence (an
    output may share a resource's logical id); the edit adds lines but moves none."""
    lines = original.splitlines()
    resources_at = next((i for i, line in enumerate(lines) if line.rstrip() == "Resources:"), None)
    if resources_at is None:
        return edited
    first = next(
        (line for line in lines[resources_at + 1 :] if line.strip() and not line.lstrip().startswith("#")), ""
    )
    indent = first[: len(first) - len(first.lstrip(" "))]
    if not indent:
        return edited

    def key_lines(text: str) -> list[tuple[int, str]]:
        """(blank lines before it, the line) of each section and each resource line of ``text``."""
        found, blanks = [], 0
        for line in text.splitlines():
            if not line.strip():
                blanks += 1
                continue
            match = _KEY_LINE.match(line)
            if match and match[1] in ("", indent):
                found.append((blanks, line.rstrip()))
            blanks = 0
        return found

    spacing = key_lines(original)
    gaps = [n for n, line in spacing[1:] if line.startswith(indent) and line[len(indent)] != " "]
    resource_gap = max(gaps, default=0)
    wanted: dict[tuple[str, int], int] = {}  # (line, its occurrence) -> blank lines before it
    seen: dict[str, int] = {}
    for count, line in spacing:
        seen[line] = seen.get(line, 0) + 1
        wanted[(line, seen[line])] = count
    for key in added:
        wanted[(f"{indent}{key}:", 1)] = resource_gap
    out: list[str] = []
    seen.clear()
    for line in edited.splitlines(keepends=True):
        text = line.rstrip()
        if text:
            seen[text] = seen.get(text, 0) + 1
            gap = wanted.get((text, seen[text]))
            if gap is not None and out and gap != _trailing_blanks(out):
                while out and not out[-1].strip():
                    out.pop()
                out.extend(["\n"] * gap)
        out.append(line)
    return "".join(out)


def _trailing_blanks(lines: list[str]) -> int:
    count = 0
    for line in reversed(lines):
        if line.strip():
            break
        count += 1
    return count


def _json_indent(text: str) -> int | str:
    """The template's indentation unit: its first indented line's spaces, or a tab."""
    second = next((line for line in text.splitlines()[1:] if line.strip()), "")
    if second.startswith("\t"):
        return "\t"
    return (len(second) - len(second.lstrip(" "))) or 2


def _sources(files: dict[str, str]) -> tuple[list[_Source], list[str]]:
    """The CloudFormation templates under the path (JSON or YAML, ``.template`` too), and the files that
    look like templates but could not be read as one."""
    found: list[_Source] = []
    unread: list[str] = []
    for path, text in sorted(files.items()):
        if not path.endswith((".json", ".yaml", ".yml", ".template")):
            continue
        try:
            data = json.loads(text.removeprefix(_BOM))
            source = _Source(path, text, None, data)
        except ValueError:
            parsed = yamldocs.YamlFile.parse(path, text)
            objects = [] if parsed.error else list(parsed.objects())
            if len(objects) != 1:
                if _is_template(None, text):
                    unread.append(f"{path}: {parsed.error or 'not one YAML document'}")
                continue
            source = _Source(path, text, parsed, objects[0][1].data)
        if isinstance(source.data, dict) and _is_template(source.data, text):
            found.append(source)
    return found, unread


def _role_name(resource: Any) -> object:
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties.get("RoleName") if isinstance(properties, dict) else None


def _synthesised(source: _Source) -> bool:
    if _CDK_OUT.search(source.path):
        return True
    resources = source.data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Metadata"), dict) and _CDK_PATH in r["Metadata"]
        for r in resources.values()
    )


@dataclass(frozen=True)
class _Found:
    """The role to edit, and the rule that identified it (None: its literal RoleName)."""

    source: _Source
    logical: str
    rule: str | None = None


def _find_role(sources: list[_Source], unread: list[str], request: EditRequest) -> _Found:
    """The template and logical id of the one AWS::IAM::Role whose literal RoleName is the role's name, or
    else of the one role without RoleName whose logical id fits the name CloudFormation generated for it
    (``_generated_match``). A role whose name cannot be told from the template (a RoleName of a parameter,
    or two roles that fit) is refused: editing a guess would take another role's broad policy away."""
    name = request.role_name
    matches: list[tuple[_Source, str]] = []
    others: list[str] = []
    for source in sources:
        for logical, resource in _roles(source):
            role_name = _role_name(resource)
            if role_name == name and isinstance(role_name, str):
                matches.append((source, logical))
            else:
                others.append(f"{logical} ({_name_shown(resource)}) in {source.path}")
    if len(matches) > 1:
        raise GitOpsEditError(
            f"role {name!r} is defined more than once: "
            f"{', '.join(f'{s.path} ({logical})' for s, logical in matches)}; point path at one of them"
        )
    found = _Found(*matches[0]) if matches else _generated_match(sources, request, others, unread)
    if _synthesised(found.source):
        raise GitOpsEditError(f"{found.source.path} ({found.logical}): {NOT_EDITED_CDK}")
    return found


def _roles(source: _Source) -> list[tuple[str, dict[str, Any]]]:
    resources = source.data.get("Resources")
    return [
        (str(logical), resource)
        for logical, resource in (resources if isinstance(resources, dict) else {}).items()
        if isinstance(resource, dict) and resource.get("Type") == _ROLE_TYPE
    ]


def _name_shown(resource: dict[str, Any]) -> str:
    role_name = _role_name(resource)
    if isinstance(role_name, str):
        return role_name
    if _has_role_name(resource):
        return f"RoleName {_shown(role_name)}"
    return "no literal RoleName"


def _has_role_name(resource: dict[str, Any]) -> bool:
    properties = resource.get("Properties")
    return isinstance(properties, dict) and "RoleName" in properties


# -- a role CloudFormation named ---------------------------------------------------------------------------
#
# A role without RoleName is named STACK-LOGICALID-RANDOM: "If you don't specify a name, CloudFormation
# generates a unique physical ID to name the resource" (AWS CloudFormation User Guide, "Name type", whose
# example is MyStack-MyBucket-abcdefghijk1; AWS::IAM::Role, "RoleName": "If you don't specify a name, AWS
# CloudFormation generates a unique physical ID and uses that ID for the role name"). Neither page gives
# the random part's length, nor how a name longer than a role name's 64 characters (IAM API Reference,
# CreateRole, "RoleName": "Maximum length of 64") is cut. The random part is 12 letters and digits in the
# role names CloudFormation gave that we know of (iam-lam-role-85C94J38RDE2 on Stack Overflow question
# 41983558, ...-UjecjFhpdr1d below), and real names show the cut (KensioSoftware/yulin issue 1113, from the
# names CloudFormation gave one stack's bucket, role and log group): 13 characters are kept for the random
# part and its hyphen, and the 50 left beside one more hyphen are shared by the stack name and the logical
# id, the stack name taking half (rounded up) unless the logical id leaves it more, the logical id what
# the stack name leaves. So a name is cut only when 64 long, and a cut logical id keeps 25 characters at
# least. A logical id "must be alphanumeric (A-Za-z0-9)" (User Guide, "CloudFormation template Resources
# syntax", "Logical ID"), so it runs from the name's second last hyphen to its last: the stack name, which
# may hold hyphens, is what comes before. Roles named before CloudFormation wrote 12 characters have 13, a
# 1 and 12 capitals and digits, and keep them while they live: project-lambda-HelloLambdaRole-1UXN0SKYJW8LW
# in a describe-stack-resources of 2020 whose Lambda function got project-lambda-HelloLambda-GNCSEV3U04G9,
# DeployCloudTrailCloudFormation-LambdaExecutionRole-1Q5F6FCE5W9EX and
# StackSet-StackSetPasswordPolicy-5e1837a-LambdaRole-1TCLUMCY77KXG (both 64 long: the stack name and the
# logical id share the 49 characters left beside the 13 and two hyphens, the stack name cut).
_GENERATED = re.compile(
    r"(?P<stack>[A-Za-z][A-Za-z0-9-]*)-(?P<logical>[A-Za-z0-9]+)-(?P<random>[A-Za-z0-9]{12}|1[A-Z0-9]{12})"
)
_NAME_MAX = 64
RULE = "STACK-LOGICALID-RANDOM"
# AWS SAM Developer Guide, "AWS CloudFormation resources generated when AWS::Serverless::Function is
# specified": "When the Role property of an AWS::Serverless::Function is not specified, AWS SAM generates an
# AWS::IAM::Role" of LogicalId "<function-LogicalId>Role"
_SAM_FUNCTION = "AWS::Serverless::Function"


def _fits(logical: str, stack: str, cut: str, random: str) -> bool:
    """Whether CloudFormation, naming the role of logical id ``logical``, may have written ``cut`` after
    the stack name ``stack`` and before ``random`` (all as the name has them)."""
    if cut == logical:
        return True
    shared = _NAME_MAX - len(random) - 2  # the stack name and the logical id, in a name cut to 64
    return (
        len(stack) + len(cut) == shared
        and len(stack) <= shared - shared // 2
        and len(cut) < len(logical)
        and logical.startswith(cut)
    )


def _role_path(principal: str) -> str | None:
    """The path of a role ARN (``role/PATH/NAME``), None for an assumed-role ARN, which does not say it."""
    match = re.match(r"^arn:[\w-]+:iam::\d{12}:role(?P<path>/(?:.*/)?)[^/]+$", principal)
    return match.group("path") if match else None


def _path_fits(resource: dict[str, Any], path: str | None) -> bool:
    """Whether the role's ``Path`` may be the ARN's: a literal is compared, a role that gives none is at
    ``/`` (AWS::IAM::Role, "Path": "If it is not included, it defaults to a slash (/)"); a Path that is an
    intrinsic function, or an ARN that gives no path, may be anything."""
    properties = resource.get("Properties")
    given = properties.get("Path", "/") if isinstance(properties, dict) else "/"
    return path is None or not isinstance(given, str) or given == path


def _may_be_named(resource: dict[str, Any], name: str) -> bool:
    """Whether a RoleName that is an intrinsic function may give ``name``: a ``!Sub``/``Fn::Sub`` whose
    literal text cannot is not the role; anything else (``!Ref`` of a parameter, ``!Join``) may be."""
    value = _role_name(resource)
    text: Any = None
    if isinstance(value, TaggedScalar) and _tag(value) == "!Sub":
        text = str(value.value)
    elif isinstance(value, list) and _tag(value) == "!Sub" and value:
        text = value[0]
    elif isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        text = sub[0] if isinstance(sub, list) and sub else sub
    if not isinstance(text, str):
        return True
    parts = _VARIABLE.split(text)  # literal, variable, literal, ...
    pattern = "".join(re.escape(part) if i % 2 == 0 else ".+" for i, part in enumerate(parts))
    return re.fullmatch(pattern, name, re.S) is not None


def _generated_match(
    sources: list[_Source], request: EditRequest, others: list[str], unread: list[str]
) -> _Found:
    """The one role without RoleName whose logical id fits the name CloudFormation generated (``RULE``)."""
    name = request.role_name
    parts = _GENERATED.fullmatch(name) if len(name) <= _NAME_MAX else None
    fitting: list[tuple[_Source, str]] = []
    possible: list[str] = []  # roles that fit or may be named so, as the refusal names them
    sam: list[tuple[str, str]] = []  # (function, its template)
    path = _role_path(request.principal)
    stack, cut, random = (parts["stack"], parts["logical"], parts["random"]) if parts else ("", "", "")
    for source in sources if parts else []:
        for logical, resource in _roles(source):
            if not _has_role_name(resource):
                if _fits(logical, stack, cut, random) and _path_fits(resource, path):
                    fitting.append((source, logical))
                    possible.append(f"{logical} in {source.path}")
            elif not isinstance(_role_name(resource), str) and _may_be_named(resource, name):
                possible.append(f"{logical} ({_name_shown(resource)}) in {source.path}")
        resources = source.data.get("Resources")
        for logical, resource in (resources if isinstance(resources, dict) else {}).items():
            properties = resource.get("Properties") if isinstance(resource, dict) else None
            if (
                isinstance(resource, dict)
                and resource.get("Type") == _SAM_FUNCTION
                and not (isinstance(properties, dict) and "Role" in properties)
                and _fits(f"{logical}Role", stack, cut, random)
            ):
                sam.append((str(logical), source.path))
                possible.append(f"{logical}Role (of {_SAM_FUNCTION} {logical}) in {source.path}")
    if len(possible) > 1 and (fitting or sam):
        raise GitOpsEditError(
            f"role {name!r}: more than one role may be it: these fit the name CloudFormation generates "
            f"({RULE}): {', '.join(possible)}; the template does not say which stack it is deployed as, so "
            "none is edited: give the role RoleName, or point path at its template"
        )
    if sam:
        raise GitOpsEditError(
            f"role {name!r} fits the name CloudFormation generates ({RULE}) for the role AWS SAM adds to "
            f"{_SAM_FUNCTION} {sam[0][0]} in {sam[0][1]} (logical id {sam[0][0]}Role): that role is not in "
            "the template, so it is not edited (out of scope): give the function a Role defined in the "
            "template, or change its Policies by hand"
        )
    if not fitting:
        seen = f"; roles seen: {', '.join(others)}" if others else ""
        unparsed = f"; {'; '.join(unread)}" if unread else ""
        unnamed = (
            " (a role without a literal RoleName is named by CloudFormation when the stack is created, "
            f"{RULE}, and {name!r} is no such name of a role without RoleName seen here; a RoleName that is "
            "an intrinsic function is known only once the stack is deployed: give it RoleName, or edit it "
            "by hand)"
            if any(not isinstance(_role_name(r), str) for s in sources for _, r in _roles(s))
            else ""
        )
        raise GitOpsEditError(
            f"no AWS::IAM::Role with RoleName {name!r} in {len(sources)} CloudFormation template(s) under "
            f"the path{seen}{unnamed}{unparsed}"
        )
    source, logical = fitting[0]
    rule = (
        f"{source.path}: AWS::IAM::Role {logical} has no RoleName; CloudFormation names such a role {RULE}, "
        f"and {name} is stack {stack!r}, logical id {cut!r}"
        + (f" (cut from {logical})" if cut != logical else "")
        + f", random part {random!r}: the only role of the {len(sources)} template(s) under the "
        "path whose logical id fits"
    )
    return _Found(source, logical, rule)


def _condition(role: dict[str, Any]) -> str | None:
    """The Condition the role's policy is created under: the role's own. The role exists only while its
    condition holds ("CloudFormation creates the resource only when the condition evaluates to true",
    Template Reference, Condition attribute), so the policy that refers to it is created under the same
    condition, or not at all (cfn-lint W1001 otherwise)."""
    condition = role.get("Condition")
    return condition if isinstance(condition, str) else None


def _set_condition(resource: dict[str, Any], condition: str | None) -> None:
    """``resource``'s Condition set (right after its Type, where CloudFormation's examples write it) or
    removed, its other keys in their order."""
    resource.pop("Condition", None)
    if condition is None:
        return
    keys = list(resource)
    at = keys.index("Type") + 1 if "Type" in keys else 0
    if hasattr(resource, "insert"):  # a ruamel CommentedMap keeps its comments where they are
        resource.insert(at, "Condition", condition)
        return
    rest = {key: resource.pop(key) for key in keys[at:]}
    resource["Condition"] = condition
    resource.update(rest)


def _arn_of(item: Any, partition: str) -> str | None:
    """The managed policy ARN an entry of ManagedPolicyArns names, when the template says it without a
    parameter: a literal, ``!Sub``/``Fn::Sub`` of ``${AWS::Partition}`` and of variables that are literals or
    the partition, or ``!Join``/``Fn::Join`` of literals and ``!Ref``/``Ref`` ``AWS::Partition``
    (CloudFormation User Guide, "Pseudo parameters reference": AWS::Partition); None for anything else (a
    parameter, a !GetAtt of a policy)."""
    if isinstance(item, str):
        return str(item)  # a quoted scalar is a str subclass that keeps its quotes
    tag = _tag(item)
    if isinstance(item, TaggedScalar):
        if tag == "!Sub":
            return _substituted(str(item.value), partition)
        if tag == "!Ref":
            return partition if str(item.value) == "AWS::Partition" else None
        return None
    if isinstance(item, list) and tag == "!Join":
        return _joined(item, partition)
    if isinstance(item, list) and tag == "!Sub":
        return _substituted_with(item, partition)
    if isinstance(item, dict) and len(item) == 1:
        ((key, value),) = item.items()
        if key == "Fn::Sub" and isinstance(value, str):
            return _substituted(value, partition)
        if key == "Fn::Sub" and isinstance(value, list):
            return _substituted_with(value, partition)
        if key == "Ref":
            return partition if value == "AWS::Partition" else None
        if key == "Fn::Join" and isinstance(value, list):
            return _joined(value, partition)
    return None


def _tag(item: Any) -> str | None:
    """A YAML node's short-form tag (``!Sub``), None for an untagged one or a JSON value."""
    value = getattr(getattr(item, "tag", None), "value", None)
    return value if isinstance(value, str) else None


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substituted(text: str, partition: str, variables: dict[str, str | None] | None = None) -> str | None:
    """``text`` with its ``${...}`` replaced, None when one of them is not known (a parameter, a resource's
    attribute, a ``${!Literal}``)."""
    known = {"AWS::Partition": partition, **(variables or {})}
    unknown = [name for name in _VARIABLE.findall(text) if known.get(name) is None]
    return None if unknown else _VARIABLE.sub(lambda m: known[m.group(1)] or "", text)


def _substituted_with(value: list[Any], partition: str) -> str | None:
    """Fn::Sub's second form, ``[String, {Var: Value}]`` (CloudFormation User Guide, Fn::Sub,
    "Declaration"), whose variables are read as the entries themselves are."""
    if len(value) != 2 or not isinstance(value[0], str) or not isinstance(value[1], dict):
        return None
    variables = {str(name): _arn_of(item, partition) for name, item in value[1].items()}
    return _substituted(value[0], partition, variables)


def _joined(value: list[Any], partition: str) -> str | None:
    if len(value) != 2 or not isinstance(value[0], str) or not isinstance(value[1], list):
        return None
    parts = [_arn_of(part, partition) for part in value[1]]
    return None if any(p is None for p in parts) else value[0].join(p for p in parts if p is not None)


def _conditional(item: Any, partition: str) -> list[str]:
    """The ARNs an ``!If``/``Fn::If`` entry names in its branches (CloudFormation User Guide, Fn::If): the
    role has one of them while the condition holds. Which is the stack's to decide, not the code's, so
    such an entry is said, not edited."""
    branches = item.get("Fn::If") if isinstance(item, dict) and len(item) == 1 else None
    if isinstance(item, list) and _tag(item) == "!If":
        branches = item
    if not isinstance(branches, list) or len(branches) != 3:
        return []
    return [arn for branch in branches[1:] if (arn := _arn_of(branch, partition)) is not None]


def _shown(item: Any) -> str:
    """An entry as the template writes it: tags and all for YAML (a JSON dump would drop ``!If``), JSON
    for a JSON template."""
    if not _tagged(item):
        return item if isinstance(item, str) else json.dumps(item, default=str)
    tag = _tag(item)
    if isinstance(item, TaggedScalar):
        return f"{tag} {item.value}"
    if isinstance(item, list):
        inner = f"[{', '.join(_shown(v) for v in item)}]"
    elif isinstance(item, dict):
        inner = "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in item.items()) + "}"
    else:
        inner = str(item)
    return f"{tag} {inner}" if tag else inner


def _tagged(item: Any) -> bool:
    if _tag(item) is not None:
        return True
    if isinstance(item, list):
        return any(_tagged(v) for v in item)
    return isinstance(item, dict) and any(_tagged(v) for v in item.values())


def _plain(value: Any) -> Any:
    """A template's policy document as JSON values, to compare with the generated one."""
    return json.loads(json.dumps(value, default=str))


def _inserted_after(mapping: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``mapping`` with ``key`` placed right after ``after`` (a YAML mapping in place; a JSON object rebuilt
    in order)."""
    if isinstance(mapping, CommentedMap):
        mapping.insert(list(mapping).index(after) + 1, key, value)
        _move_trailing_comment(mapping[after], value)
        return mapping
    items = list(mapping.items())
    position = [k for k, _ in items].index(after) + 1
    mapping.clear()
    mapping.update([*items[:position], (key, value), *items[position:]])
    return mapping


def edit(files: dict[str, str], request: EditRequest) -> EditResult:
    """The role's broad managed policies out of its ``ManagedPolicyArns``, the generated policy in as an
    ``AWS::IAM::ManagedPolicy`` resource of the same template attached by ``Roles: [Ref: ROLE]``
    (CloudFormation User Guide, AWS::IAM::ManagedPolicy: "Roles: The name (friendly name, not ARN) of the
    role to attach the policy to"), named ``ROLE-policygen`` (``ManagedPolicyName``) so a later run finds
    and updates it. Nothing else of the template changes: comments, tags such as ``!Sub`` and the layout
    stay (a YAML round trip, or a JSON object rewritten with its own indentation)."""
    sources, unread = _sources(files)
    if not sources:
        raise GitOpsEditError(
            f"no CloudFormation template (*.json, *.yaml, *.yml, *.template) under the path; looked at "
            f"{len(files)} file(s)" + (f"; {'; '.join(unread)}" if unread else "")
        )
    found = _find_role(sources, unread, request)
    source, logical = found.source, found.logical
    resources = source.data["Resources"]
    role = resources[logical]
    properties = role.get("Properties")
    named = f", named {request.role_name} by CloudFormation: {RULE}" if found.rule else ""
    result = EditResult(role_location=f"{source.path} ({logical}{named})")
    partition = request.principal.split(":")[1]
    changed = False
    arns = properties.get("ManagedPolicyArns") if isinstance(properties, dict) else None
    if isinstance(arns, list):
        for item in list(arns):
            arn = _arn_of(item, partition)
            conditional = [a for a in _conditional(item, partition) if a in request.replace_arns]
            result.seen.append(
                f"ManagedPolicyArns {_shown(item)}"
                + (
                    f" (names {', '.join(conditional)} under a condition: not edited, change it by hand)"
                    if conditional
                    else ""
                )
            )
            if arn is not None and arn in request.replace_arns:
                arns.remove(item)
                changed = True
                result.detached.append(arn)
                result.notes.append(f"{source.path}: removed {arn} from ManagedPolicyArns of {logical}")
        if not arns:
            del properties["ManagedPolicyArns"]
    elif arns is not None:
        result.seen.append(f"ManagedPolicyArns {_shown(arns)} (an expression, not a list)")
    after = logical
    added: dict[str, str] = {}
    for index, document in enumerate(request.policies):
        key = f"{logical}Policygen" + (str(index + 1) if index else "")
        existing = resources.get(key)
        if isinstance(existing, dict) and existing.get("Type") == _POLICY_TYPE:
            props = existing.get("Properties")
            if not isinstance(props, dict) or not _ours(existing, logical, request.role_name):
                raise GitOpsEditError(
                    f"{source.path}: resource {key} exists and is not attached to {logical} (Roles: "
                    f"[Ref: {logical}]): its document is not the role's to replace; rename it, policygen "
                    "writes the role's policy under that logical id"
                )
            if not same_policy(_plain(props.get("PolicyDocument")), document):
                props["PolicyDocument"] = document
                changed = True
                result.notes.append(f"{source.path}: updated the policy document of {key}")
            if existing.get("Condition") != _condition(role):
                _set_condition(existing, _condition(role))
                changed = True
                said = f"under its role's Condition {_condition(role)}" if _condition(role) else "without one"
                result.notes.append(f"{source.path}: {key} is created {said}, as {logical} is (Condition)")
        elif existing is not None:
            raise GitOpsEditError(
                f"{source.path}: resource {key} exists and is not an AWS::IAM::ManagedPolicy; rename it, "
                "policygen writes the role's policy under that logical id"
            )
        else:
            policy: dict[str, Any] = {"Type": _POLICY_TYPE}
            if _condition(role):
                policy["Condition"] = _condition(role)
            policy["Properties"] = {
                "ManagedPolicyName": request.policy_name(index),
                "Description": request.description,
                "Roles": [{"Ref": logical}],
                "PolicyDocument": document,
            }
            _inserted_after(resources, after, key, _yaml_value(policy) if source.yaml else policy)
            added[key] = after
            changed = True
            result.attachment_added = True
            result.notes.append(f"{source.path}: added {_POLICY_TYPE} {key} attached to {logical}")
        after = key
    index = len(request.policies)
    while _ours(resources.get(key := f"{logical}Policygen{index + 1}"), logical, request.role_name):
        keys = list(resources)
        _move_trailing_comment(resources[key], resources[keys[keys.index(key) - 1]])
        del resources[key]  # a part the policy no longer has
        changed = True
        result.notes.append(f"{source.path}: removed {key} (the policy has fewer parts now)")
        index += 1
    if changed:
        if found.rule:
            result.notes.insert(0, found.rule)  # the pull request says how the role was found
        if source.yaml is not None:
            next(document for _, document in source.yaml.objects()).changed = True
        result.changes[source.path] = source.render(added)
    return result


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """Where ruamel keeps the comment lines that follow ``node``: on its deepest last entry (the comment
    slot 2 of a mapping's key, 0 of a sequence's index)."""
    slot: tuple[Any, Any, int] | None = None
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        if isinstance(node, CommentedMap):
            key: Any = list(node)[-1]
            slot = (node, key, 2)
        else:
            key = len(node) - 1
            slot = (node, key, 0)
        node = node[key]
    return slot


def _move_trailing_comment(source: Any, target: Any) -> None:
    """The comment lines after ``source`` (a comment heading the next resource, or the file's closing one)
    moved after ``target``, the resource placed after it or kept in its stead: left where ruamel keeps them,
    they would sit between ``source`` and ``target``, heading the wrong resource."""
    origin, destination = _last_slot(source), _last_slot(target)
    if origin is None or destination is None:
        return
    node, key, position = origin
    entry = node.ca.items.get(key)
    token = entry[position] if entry is not None and len(entry) > position else None
    if token is None:
        return
    first, _, rest = str(token.value).partition("\n")
    if not rest.strip():
        return
    moved = copy.copy(token)
    moved.value = f"\n{rest}"
    if first.strip():
        token.value = f"{first}\n"  # the entry's own comment, on its line, stays
    else:
        entry[position] = None
    target_node, target_key, target_position = destination
    slots = target_node.ca.items.setdefault(target_key, [None, None, None, None])
    slots[target_position] = moved


def _ours(resource: Any, logical: str, role_name: str) -> bool:
    """Whether ``resource`` is a part policygen wrote for the role: a managed policy attached to it."""
    if not isinstance(resource, dict) or resource.get("Type") != _POLICY_TYPE:
        return False
    properties = resource.get("Properties")
    return isinstance(properties, dict) and _attached(properties.get("Roles"), logical, role_name)


def _attached(roles: Any, logical: str, role_name: str) -> bool:
    """Whether a managed policy's ``Roles`` names the role: ``Ref`` of its logical id in either spelling, or
    its name (CloudFormation User Guide, AWS::IAM::ManagedPolicy, "Roles: The name (friendly name, not
    ARN) of the role"). A policy under our logical id that does not is someone else's: updating it while
    the broad policy goes would leave the role with neither."""
    if not isinstance(roles, list):
        return False
    for entry in roles:
        if isinstance(entry, TaggedScalar) and _tag(entry) == "!Ref" and str(entry.value) == logical:
            return True
        if isinstance(entry, dict) and len(entry) == 1 and entry.get("Ref") == logical:
            return True
        if isinstance(entry, str) and entry == role_name:
            return True
    return False


def _yaml_value(value: Any) -> Any:
    """Plain dicts and lists as ruamel's round-trip types, so the dump writes them in block style."""
    if isinstance(value, dict):
        return CommentedMap((k, _yaml_value(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_yaml_value(v) for v in value)
    return value
