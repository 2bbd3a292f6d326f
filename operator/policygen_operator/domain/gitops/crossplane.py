"""Crossplane: the classic ``iam.aws.crossplane.io`` provider and the Upbound ``iam.aws.upbound.io`` one, with
its namespaced twin ``iam.aws.m.upbound.io`` (Crossplane v2's namespaced managed resources, provider-aws v2:
the same fields, references that may name a namespace; crossplane-contrib/provider-upjet-aws,
package/crds/iam.aws.m.upbound.io_roles.yaml and _rolepolicyattachments.yaml).

A role's policies are ``RolePolicyAttachment`` objects (and, on Upbound, the Role's
``spec.forProvider.managedPolicyArns``). We remove the attachments of the broad policies and add a
``Policy`` plus a ``RolePolicyAttachment`` that references it, in the group and version the role uses.
"""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap

from policygen_operator.domain.gitops import yamldocs
from policygen_operator.domain.gitops.ack import find_role, policy_json, upsert_object
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError, k8s_name

CLASSIC = "iam.aws.crossplane.io"
UPBOUND = "iam.aws.upbound.io"
UPBOUND_NAMESPACED = "iam.aws.m.upbound.io"
GROUPS = (CLASSIC, UPBOUND, UPBOUND_NAMESPACED)
_EXTERNAL_NAME = "crossplane.io/external-name"


def _external_name(document: yamldocs.Document) -> object:
    annotations = document.get("metadata", "annotations") or {}
    return annotations.get(_EXTERNAL_NAME) or document.get("metadata", "name")


def edit(files: dict[str, str], request: EditRequest) -> EditResult:
    loaded, skipped = yamldocs.load_files(files)
    role_file, role_index, role = find_role(
        loaded,
        skipped,
        request.role_name,
        "Crossplane Role (iam.aws.crossplane.io, iam.aws.upbound.io or iam.aws.m.upbound.io) with external "
        "name",
        lambda d: d.api_group in GROUPS and d.kind == "Role",
        _external_name,
    )
    group = role.api_group
    version = str(role.data["apiVersion"]).split("/", 1)[1]
    result = EditResult(role_location=role_file.where(role_index))
    meta_name = role.get("metadata", "name")
    _detach(loaded, request, role, result)
    managed = role.get("spec", "forProvider", "managedPolicyArns")
    # managedPolicyArns is exclusive (like Terraform's managed_policy_arns): an attachment object next to it
    # would be detached again, so a role that lists its policies there gets ours listed there too.
    use_list = group != CLASSIC and isinstance(managed, list)
    if isinstance(managed, list):
        _edit_managed_list(managed, request, use_list, role, result, f"{role_file.path}: Role {meta_name}")
    provider_config = role.get("spec", "providerConfigRef")
    namespace = role.get("metadata", "namespace")
    for index, document in enumerate(request.policies):
        name = k8s_name(request.policy_name(index))
        policy = _policy(group, version, name, request, index, document, provider_config, namespace)
        field = "document" if group == CLASSIC else "policy"
        upsert_object(
            loaded,
            role_file,
            policy,
            lambda d: d.api_group == group and d.kind == "Policy",
            "spec",
            "forProvider",
            field,
            result=result,
        )
        if use_list:
            continue
        attachment = _attachment(group, version, name, meta_name, provider_config, namespace)
        result.attachment_added |= upsert_object(
            loaded,
            role_file,
            attachment,
            lambda d: d.api_group == group and d.kind == "RolePolicyAttachment",
            "spec",
            "forProvider",
            "policyArnRef",
            result=result,
        )
    result.changes = yamldocs.changes(loaded)
    return result


def _edit_managed_list(
    managed: list[object],
    request: EditRequest,
    add: bool,
    role: yamldocs.Document,
    result: EditResult,
    where: str,
) -> None:
    for arn in [a for a in managed if a in request.replace_arns]:
        managed.remove(arn)
        role.changed = True
        result.detached.append(str(arn))
        result.notes.append(f"{where}: removed {arn} from spec.forProvider.managedPolicyArns")
    result.seen += [f"{where}: managedPolicyArns {a}" for a in managed]
    for index in range(len(request.policies) if add else 0):
        arn = request.policy_arn(index)
        if arn not in managed:
            managed.append(arn)
            role.changed = True
            result.attachment_added = True
            result.notes.append(f"{where}: added {arn} to spec.forProvider.managedPolicyArns")


def _detach(
    loaded: list[yamldocs.YamlFile],
    request: EditRequest,
    role: yamldocs.Document,
    result: EditResult,
) -> None:
    """Removes the RolePolicyAttachment objects that attach a broad policy to this role.

    An attachment points at its role in one of three ways, each recognised: a reference by object name
    (``roleRef``/``roleNameRef``), the literal IAM name (``role``/``roleName``), or a label selector
    (``roleSelector``/``roleNameSelector`` with ``matchLabels``, matched against the Role's labels).
    A selector that also matches other Roles in the files is refused (``_selected_roles``).
    """
    group = role.api_group
    meta_name = role.get("metadata", "name")
    role_namespace = role.get("metadata", "namespace")
    labels = role.get("metadata", "labels") or {}
    ref_key, literal_key, selector_key = (
        ("roleNameRef", "roleName", "roleNameSelector")
        if group == CLASSIC
        else ("roleRef", "role", "roleSelector")
    )
    for parsed in loaded:
        for index, document in parsed.objects():
            if document.api_group != group or document.kind != "RolePolicyAttachment":
                continue
            for_provider = document.get("spec", "forProvider") or {}
            arn = for_provider.get("policyArn") or (for_provider.get("policyArnRef") or {}).get("name")
            ref = (for_provider.get(ref_key) or {}).get("name")
            # a namespaced reference names the role's namespace, or means its own object's
            ref_namespace = (for_provider.get(ref_key) or {}).get("namespace") or document.get(
                "metadata", "namespace"
            )
            if ref_namespace and role_namespace and ref_namespace != role_namespace:
                ref = f"{ref_namespace}/{ref}"
            literal = for_provider.get(literal_key)
            match_labels = (for_provider.get(selector_key) or {}).get("matchLabels") or {}
            selected = bool(match_labels) and all(labels.get(k) == v for k, v in match_labels.items())
            what = f"{parsed.where(index)}: RolePolicyAttachment {document.get('metadata', 'name')} ({arn})"
            if ref != meta_name and literal != request.role_name and not selected:
                if arn in request.replace_arns:
                    points = (
                        f"{ref_key}={ref}"
                        if ref
                        else f"{literal_key}={literal}"
                        if literal
                        else f"{selector_key}={dict(match_labels)}"
                        if match_labels
                        else "no role"
                    )
                    result.seen.append(f"{what} points at another role ({points})")
                continue
            if ref != meta_name and literal != request.role_name:
                selects = _selected_roles(loaded, group, match_labels, document.get("metadata", "namespace"))
                if len(selects) > 1 and arn in request.replace_arns:
                    raise GitOpsEditError(
                        f"{what} selects its role with {selector_key}.matchLabels {dict(match_labels)}, "
                        f"which matches {len(selects)} Roles in the files: {', '.join(selects)}; "
                        "Crossplane picks one of them at runtime, so policygen cannot tell that it attaches "
                        f"the policy to {request.role_name!r}, and removing it could detach another role's "
                        f"policy: give it {ref_key} (the Role's metadata.name) or labels only that Role has, "
                        "and run again"
                    )
                if len(selects) > 1:
                    what += f" ({selector_key} matches {', '.join(selects)}: Crossplane picks one)"
            result.seen.append(what)
            if arn in request.replace_arns:
                document.removed = True
                result.detached.append(str(arn))
                result.notes.append(f"{what}: removed")


def _selected_roles(
    loaded: list[yamldocs.YamlFile], group: str, match_labels: dict[str, object], namespace: object
) -> list[str]:
    """The Roles of ``group`` in the files whose labels match a selector, as ``file: Role name``. Crossplane
    resolves a selector to one of the objects it matches, at runtime, and records it in the object's
    reference in the cluster, not in the files; with several matches, which role is attached cannot be
    read from the code. A namespaced attachment selects in its own namespace (a Role of another namespace
    given in its file does not count)."""
    found = []
    for parsed in loaded:
        for index, document in parsed.objects():
            if document.api_group != group or document.kind != "Role":
                continue
            role_namespace = document.get("metadata", "namespace")
            if group == UPBOUND_NAMESPACED and namespace and role_namespace and namespace != role_namespace:
                continue
            labels = document.get("metadata", "labels") or {}
            if all(labels.get(k) == v for k, v in match_labels.items()):
                found.append(f"{parsed.where(index)}: Role {document.get('metadata', 'name')}")
    return found


def _policy(
    group: str,
    version: str,
    name: str,
    request: EditRequest,
    index: int,
    document: dict[str, object],
    provider_config: object,
    namespace: object,
) -> CommentedMap:
    metadata = _metadata(name, namespace)
    for_provider = CommentedMap()
    if group == CLASSIC:
        for_provider["name"] = request.policy_name(index)
        for_provider["description"] = request.description
        for_provider["document"] = policy_json(document)
    else:
        metadata["annotations"] = CommentedMap([(_EXTERNAL_NAME, request.policy_name(index))])
        for_provider["description"] = request.description
        for_provider["policy"] = policy_json(document)
    return _object(group, version, "Policy", metadata, for_provider, provider_config)


def _metadata(name: str, namespace: object) -> CommentedMap:
    """A new object's metadata, in the role's namespace when its file gives one (namespaced groups)."""
    metadata = CommentedMap([("name", name)])
    if isinstance(namespace, str) and namespace:
        metadata["namespace"] = namespace
    return metadata


def _attachment(
    group: str, version: str, name: str, role_meta_name: object, provider_config: object, namespace: object
) -> CommentedMap:
    for_provider = CommentedMap()
    for_provider["policyArnRef"] = CommentedMap([("name", name)])
    role_key = "roleNameRef" if group == CLASSIC else "roleRef"
    for_provider[role_key] = CommentedMap([("name", role_meta_name)])
    return _object(
        group, version, "RolePolicyAttachment", _metadata(name, namespace), for_provider, provider_config
    )


def _object(
    group: str,
    version: str,
    kind: str,
    metadata: CommentedMap,
    for_provider: CommentedMap,
    provider_config: object,
) -> CommentedMap:
    spec = CommentedMap([("forProvider", for_provider)])
    if isinstance(provider_config, dict):
        spec["providerConfigRef"] = CommentedMap(provider_config)
    return CommentedMap(
        [("apiVersion", f"{group}/{version}"), ("kind", kind), ("metadata", metadata), ("spec", spec)]
    )
