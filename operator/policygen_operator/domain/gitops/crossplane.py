"""Crossplane: the classic ``iam.aws.crossplane.io`` provider and the Upbound ``iam.aws.upbound.io`` one, with
its namespaced twin ``iam.aws.m.upbound.io`` (Crossplane v2's namespaced managed resources, provider-aws v2:
the same fields, references that may name a namespace; crossplane-contrib/provider-upjet-aws,
package/crds/iam.aws.m.upbound.io_roles.yaml and _rolepolicyattachments.yaml).

A role's policies are ``RolePolicyAttachment`` objects (and, on Upbound, the Role's
``spec.forProvider.managedPolicyArns``). We remove the attachments of the broad policies and add a
``Policy`` plus a ``RolePolicyAttachment`` that references it, in the group and version the role uses.
A Role that is a template of a Composition is edited there when its name is certain (``composition.py``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from policygen_operator.domain.gitops import composition, kustomize, lifecycle, yamldocs
from policygen_operator.domain.gitops.ack import (
    defined_twice,
    find_role,
    listed_patch_of,
    patch_of,
    policy_json,
    refuse_inline_patch,
    refuse_renamed_patch_files,
    roles_named,
    same_id,
    upsert_object,
)
from policygen_operator.domain.gitops.model import (
    EditRequest,
    EditResult,
    GitOpsEditError,
    k8s_name,
    same_json_text,
)

CLASSIC = "iam.aws.crossplane.io"
UPBOUND = "iam.aws.upbound.io"
UPBOUND_NAMESPACED = "iam.aws.m.upbound.io"
GROUPS = (CLASSIC, UPBOUND, UPBOUND_NAMESPACED)
_EXTERNAL_NAME = "crossplane.io/external-name"


def _external_name(document: yamldocs.Document) -> object:
    annotations = document.get("metadata", "annotations") or {}
    return annotations.get(_EXTERNAL_NAME) or document.get("metadata", "name")


def _is_role(document: yamldocs.Document) -> bool:
    return document.api_group in GROUPS and document.kind == "Role"


def _sets_policies(document: yamldocs.Document) -> bool:
    return isinstance(document.get("spec", "forProvider"), dict) and "managedPolicyArns" in document.get(
        "spec", "forProvider"
    )


def edit(files: dict[str, str], request: EditRequest) -> EditResult:
    loaded, skipped = yamldocs.load_files(files)
    # a Composition in a file a kustomization lists as a patch is a patch of one (_refuse_merge_patches)
    patch_files = yamldocs.kustomize_patches(loaded)
    templates, unread = composition.composed([f for f in loaded if f.path not in patch_files])
    composed_roles = [c for c in templates if c.api_group in GROUPS and c.kind == "Role"]
    certain = [c for c in composed_roles if c.iam_name()[0] == request.role_name]
    if certain:
        bare, _ = roles_named(loaded, request.role_name, _is_role, _external_name)
        if len(certain) + len(bare) > 1:
            places = [f.where(i) for f, i, _ in bare] + [c.where for c in certain]
            raise defined_twice(request.role_name, places)
        return _edit_composed(files, loaded, templates, certain[0], request)
    try:
        role_file, role_index, role = find_role(
            loaded,
            skipped,
            request.role_name,
            "Crossplane Role (iam.aws.crossplane.io, iam.aws.upbound.io or iam.aws.m.upbound.io) with "
            "external name",
            _is_role,
            _external_name,
            _sets_policies,
        )
    except GitOpsEditError as err:
        if not composed_roles and not unread:
            raise
        raise GitOpsEditError(
            f"{err}; {_compositions_seen(templates, composed_roles, unread, request)}"
        ) from None
    # a patch written inline in a kustomization, or in a file listed with a target, read as the same
    # document in a patch file (find_role), on the Role its target selects
    below = kustomize.ids_below(loaded, role.data)
    for patch, at, patched in yamldocs.merge_patches(loaded):
        if patch_of(patch, patched, role, below):
            refuse_inline_patch(patch, at, patched, request.role_name, _sets_policies)
    refuse_renamed_patch_files(loaded, role, below, _sets_policies, request.role_name)
    group = role.api_group
    version = str(role.data["apiVersion"]).split("/", 1)[1]
    result = EditResult(role_location=role_file.where(role_index))
    meta_name = role.get("metadata", "name")
    before = kustomize.plain(role.data)
    _detach(loaded, request, role, result)
    _detach_elsewhere(loaded, templates, role, request, result)
    managed = role.get("spec", "forProvider", "managedPolicyArns")
    # managedPolicyArns is exclusive (like Terraform's managed_policy_arns): an attachment object next to it
    # would be detached again, so a role that lists its policies there gets ours listed there too.
    use_list = group != CLASSIC and isinstance(managed, list)
    if isinstance(managed, list):
        where = f"{role_file.path}: Role {meta_name}"
        if use_list or any(a in request.replace_arns for a in managed):
            _check_applied(where, lifecycle.not_updated(role, controller="crossplane"), request)
        _edit_managed_list(managed, request, use_list, role, result, where)
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
    listed_at = ("spec", "forProvider", "managedPolicyArns")
    kustomize.refuse_json_patches(files, loaded, before, role.data, listed_at, request)
    result.changes = yamldocs.changes(loaded)
    return result


def _edit_managed_list(
    managed: list[object],
    request: EditRequest,
    add: bool,
    role: yamldocs.Document,  # the document holding the list: the Role, or the Composition of its template
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
    ref_key, literal_key, selector_key = _role_keys(group)
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
            selected = bool(match_labels) and _has_labels(role, match_labels)
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
                _check_deleted(document, what, group == UPBOUND_NAMESPACED, request)
                document.removed = True
                result.detached.append(str(arn))
                result.notes.append(f"{what}: removed{_PRUNE_NOTE}")


# Removing the object from the files detaches only once the GitOps tool deletes it from the cluster: said in
# the change list, as pruning is set in the Argo CD Application or Flux Kustomization, rarely under the path.
_PRUNE_NOTE = (
    " (the policy is detached once the object is deleted from the cluster: the GitOps tool must prune it, "
    "Argo CD with prune in its sync, Flux with spec.prune: true)"
)


def _revision_note(loaded: list[yamldocs.YamlFile], document: yamldocs.Document) -> str:
    """What keeps existing composite resources on the old Composition, and its attachments: a composite
    resource (or claim) with compositionUpdatePolicy Manual stays on its CompositionRevision until moved
    (crossplane apis/apiextensions v1 and v2 xrd_types.go, defaultCompositionUpdatePolicy; the XR's
    spec.compositionUpdatePolicy, v2's spec.crossplane.compositionUpdatePolicy). Those the files give are
    named."""
    type_ref = document.get("spec", "compositeTypeRef") or {}
    kind, api = type_ref.get("kind"), str(type_ref.get("apiVersion", ""))
    manual = []
    kinds = {kind}  # the composite's, and its claim's when an XRD in the files names one
    objects = [(parsed, index, obj) for parsed in loaded for index, obj in parsed.objects()]
    for parsed, index, obj in objects:
        if obj.api_group != composition.GROUP or obj.kind != "CompositeResourceDefinition":
            continue
        if (
            obj.get("spec", "group") != api.split("/")[0]
            or (obj.get("spec", "names") or {}).get("kind") != kind
        ):
            continue
        kinds.add((obj.get("spec", "claimNames") or {}).get("kind"))
        if obj.get("spec", "defaultCompositionUpdatePolicy") == "Manual":
            manual.append(
                f"{parsed.where(index)}: {obj.kind} {obj.get('metadata', 'name')} "
                "(defaultCompositionUpdatePolicy: Manual)"
            )
    for parsed, index, obj in objects:
        if obj.kind in kinds and "Manual" in (
            obj.get("spec", "compositionUpdatePolicy"),
            obj.get("spec", "crossplane", "compositionUpdatePolicy"),
        ):
            manual.append(
                f"{parsed.where(index)}: {obj.kind} {obj.get('metadata', 'name')} "
                "(compositionUpdatePolicy: Manual)"
            )
    text = (
        "composite resources whose compositionUpdatePolicy is Manual stay on their CompositionRevision, "
        "with the broad attachment, until each is moved to the new revision"
    )
    return text + (": in these files, " + ", ".join(manual) if manual else "")


def _check_deleted(attachment: lifecycle.Object, what: str, namespaced: bool, request: EditRequest) -> None:
    """Refuses to remove an attachment whose removal from the files leaves the policy attached in AWS: the
    GitOps tool keeps the object, or Crossplane deletes the object but orphans the attachment."""
    blocker = lifecycle.kept_on_removal(attachment, namespaced=namespaced)
    if blocker is not None:
        raise GitOpsEditError(_kept_message(what, blocker, request))


def _kept_message(what: str, blocker: lifecycle.Blocker, request: EditRequest) -> str:
    return (
        f"{what} attaches a policy to be replaced, but removing it from the files would leave the policy "
        f"attached to {request.role_name!r} in AWS: {blocker.setting}; {blocker.remedy}, then run again "
        "(or detach the policy by hand). Nothing was changed, so no pull request claims a replacement that "
        "would not happen"
    )


def _check_applied(where: str, blocker: lifecycle.Blocker | None, request: EditRequest) -> None:
    """Refuses to edit a Role's managedPolicyArns that would not reach AWS (the broad policy would stay, and
    the generated one would not be attached): one refusal for a bare Role and a Composition's, which differ
    only in what keeps the edit from AWS (``blocker``)."""
    if blocker is not None:
        raise GitOpsEditError(
            f"{where}: its spec.forProvider.managedPolicyArns holds the role's policies, but an edit of it "
            f"would not reach AWS: {blocker.setting}; {blocker.remedy}, then run again (or replace the "
            f"policies of {request.role_name!r} by hand). Nothing was changed"
        )


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
            if _has_labels(document, match_labels):
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


_POLICY_LABEL = "policygen.io/policy"
# what a new template gets of the role's patches: where and how the provider creates it, nothing else
_PROVIDER_FIELDS = ("spec.providerConfigRef", "spec.deletionPolicy", "spec.managementPolicies")


def _role_keys(group: str) -> tuple[str, str, str]:
    return (
        ("roleNameRef", "roleName", "roleNameSelector")
        if group == CLASSIC
        else ("roleRef", "role", "roleSelector")
    )


def _points_at(
    attachment: composition.Composed, role: composition.Composed, siblings: list[composition.Composed]
) -> tuple[bool | None, str]:
    """Whether a composed attachment attaches to the composed role (None: the code cannot tell), and how it
    names its role. A selector with ``matchControllerRef`` picks among the resources of the same composite
    resource, i.e. the templates of the same list; one without it among every Role of the cluster."""
    ref_key, literal_key, selector_key = _role_keys(role.api_group)
    for_provider = attachment.get("spec", "forProvider") or {}
    patched = attachment.patched(*(f"spec.forProvider.{k}" for k in (ref_key, literal_key, selector_key)))
    dynamic = _patched_match_labels(patched, selector_key)
    if patched and (dynamic is None or not (for_provider.get(selector_key) or {}).get("matchControllerRef")):
        return None, f"its role is patched from the composite ({composition.describe(patched[0])})"
    if dynamic:
        return _points_by_patched_labels(attachment, role, siblings, selector_key, dynamic)
    if for_provider.get(literal_key) is not None:
        literal = for_provider[literal_key]
        return literal == role.iam_name()[0], f"{literal_key}={literal}"
    ref = (for_provider.get(ref_key) or {}).get("name")
    if ref:
        return ref == role.get("metadata", "name"), f"{ref_key}={ref}"
    selector = for_provider.get(selector_key) or {}
    labels = selector.get("matchLabels") or {}
    shown = f"{selector_key}.matchLabels {dict(labels)}" + (
        " with matchControllerRef" if selector.get("matchControllerRef") else ""
    )
    if not selector.get("matchControllerRef"):
        return None, f"{shown} selects among every Role of the cluster, not only this composite's"
    roles = [r for r in siblings if r.api_group == role.api_group and r.kind == "Role"]
    matching = [r for r in roles if _has_labels(r, labels)]
    # A label a patch writes is the composite's, not the base's: such a Role may match, or not.
    label_patches = {id(r): r.writes(*_label_paths(labels)) for r in roles}
    maybe = [r for r in roles if r not in matching and label_patches[id(r)]]
    if role not in matching and role not in maybe:
        return False, shown
    others = [r for r in matching + maybe if r is not role]
    if others:
        why = [
            f"{r.where}"
            + (
                f" (its labels patched: {composition.describe(label_patches[id(r)][0])})"
                if label_patches[id(r)]
                else ""
            )
            for r in [role, *others]
        ]
        verb = "may match" if any(label_patches[id(r)] for r in [role, *others]) else "matches"
        return None, f"{shown} {verb} {len(others) + 1} Roles of the Composition: " + ", ".join(why)
    return True, shown


def _patched_match_labels(patches: list[dict[str, Any]], selector_key: str) -> dict[str, str] | None:
    """The selector labels the patches write, label -> where the value comes from (the patch without its
    toFieldPath), when each patch writes one ``matchLabels`` entry; None when one writes anything else (a
    reference, the whole selector)."""
    found: dict[str, str] = {}
    for patch in patches:
        to = str(patch.get("toFieldPath", ""))
        key = _label_key(to, f"spec.forProvider.{selector_key}.matchLabels")
        if key is None or key in found:
            return None
        found[key] = _source(patch)
    return found


def _label_key(path: str, prefix: str) -> str | None:
    """``K`` of ``prefix[K]`` or ``prefix.K``."""
    if path.startswith(f"{prefix}[") and path.endswith("]"):
        return path[len(prefix) + 1 : -1]
    if path.startswith(f"{prefix}.") and "." not in path[len(prefix) + 1 :]:
        return path[len(prefix) + 1 :]
    return None


def _source(patch: dict[str, Any]) -> str:
    """What a patch writes, as text: the same text, the same value in one composite resource."""
    return json.dumps({k: v for k, v in patch.items() if k != "toFieldPath"}, sort_keys=True, default=str)


def _points_by_patched_labels(
    attachment: composition.Composed,
    role: composition.Composed,
    siblings: list[composition.Composed],
    selector_key: str,
    dynamic: dict[str, str],
) -> tuple[bool | None, str]:
    """A ``matchControllerRef`` selector some of whose labels are patched from the composite: it selects the
    Role whose same labels the same patches write (the same value in one composite resource), when its
    other labels are the base's and no other Role of the composite has those. Another Role is ruled out
    only by a literal label that differs: one whose labels are patched otherwise, or not written at all
    (a patch whose composite field is missing leaves the selector without that label), may match."""
    selector = attachment.get("spec", "forProvider", selector_key) or {}
    static = {k: v for k, v in (selector.get("matchLabels") or {}).items() if k not in dynamic}
    shown = f"{selector_key}.matchLabels {dict(static)} with matchControllerRef, and " + ", ".join(
        f"{k} patched" for k in dynamic
    )
    roles = [r for r in siblings if r.api_group == role.api_group and r.kind == "Role"]

    def same_patches(r: composition.Composed) -> bool:
        for key, source in dynamic.items():
            writes = r.writes(*_label_paths({key: ""}))
            if (
                len(writes) != 1
                or _label_key(str(writes[0].get("toFieldPath", "")), "metadata.labels") != key
            ):
                return False
            if _source(writes[0]) != source:
                return False
        return True

    def ruled_out(r: composition.Composed) -> bool:
        return any(
            not r.writes(*_label_paths({k: v})) and (r.get("metadata", "labels") or {}).get(k) != v
            for k, v in static.items()
        )

    ours = not ruled_out(role) and not any(role.writes(*_label_paths({k: v})) for k, v in static.items())
    if not ours or not same_patches(role):
        return (False if ruled_out(role) else None), shown
    others = [r for r in roles if r is not role and not ruled_out(r)]
    if others:
        return None, f"{shown} may match {len(others) + 1} Roles of the Composition: " + ", ".join(
            r.where for r in [role, *others]
        )
    return True, shown


def _has_labels(obj: composition.Composed | yamldocs.Document, labels: Mapping[str, Any]) -> bool:
    """Whether an object's own labels hold every label of a selector (what ``matchLabels`` selects)."""
    return all((obj.get("metadata", "labels") or {}).get(k) == v for k, v in labels.items())


def _label_paths(labels: dict[str, Any]) -> list[str]:
    """The field paths a patch may write a selector's label at (bracket or dotted form)."""
    paths = []
    for key in labels:
        paths.append(f"metadata.labels[{key}]")
        if all(c.isalnum() or c in "-_" for c in str(key)):
            paths.append(f"metadata.labels.{key}")
    return paths or ["metadata.labels"]


def _edit_composed(
    files: dict[str, str],
    loaded: list[yamldocs.YamlFile],
    templates: list[composition.Composed],
    role: composition.Composed,
    request: EditRequest,
) -> EditResult:
    """The role is a Composition's template whose IAM name the base writes: the attachments of the broad
    policies next to it go, and a ``Policy`` and an attachment selecting it (``matchControllerRef``: the one
    of the same composite resource) join the template list, created with the role's provider config."""
    group = role.api_group
    version = str(role.base["apiVersion"]).split("/", 1)[1]
    result = EditResult(role_location=role.where)
    siblings = [t for t in templates if t.entries is role.entries]
    document = role.composition
    # The GitOps tool applies the Composition; one it never updates keeps every template as it is.
    blocker = lifecycle.never_applied(document)
    if blocker is not None:
        raise GitOpsEditError(
            f"{role.where}: the Composition would be edited, but the edit would not reach the cluster: "
            f"{blocker.setting} on the Composition; {blocker.remedy}, then run again (or replace the "
            f"policies of {request.role_name!r} by hand). Nothing was changed"
        )
    _refuse_merge_patches(loaded, role, request)
    before, templates_before = kustomize.plain(document.data), list(role.entries)
    for attachment in siblings:
        if attachment.api_group != group or attachment.kind != "RolePolicyAttachment":
            continue
        arn = attachment.get("spec", "forProvider", "policyArn")
        points, how = _points_at(attachment, role, siblings)
        what = f"{attachment.where}: RolePolicyAttachment {arn} ({how})"
        arn_patched = attachment.patched("spec.forProvider.policyArn")
        if arn_patched:
            what += f", policyArn patched from the composite ({composition.describe(arn_patched[0])})"
        if points is False:
            if arn in request.replace_arns:
                result.seen.append(f"{what} points at another role")
            continue
        if arn not in request.replace_arns or arn_patched:
            result.seen.append(what)
            continue
        if points is None:
            raise GitOpsEditError(
                f"{what} attaches a policy to be replaced, but policygen cannot tell that its role is "
                f"{request.role_name!r} ({role.where}): {how}; removing it could detach another role's "
                f"policy: give it {_role_keys(group)[1]} = {request.role_name!r}, or a roleSelector with "
                "matchControllerRef and labels only that Role has, and run again"
            )
        result.seen.append(what)
        _check_composed_deleted(attachment, what, group == UPBOUND_NAMESPACED, request)
        role.entries.remove(attachment.entry)
        document.changed = True
        result.detached.append(str(arn))
        result.notes.append(
            f"{what}: removed from the Composition (Crossplane deletes its composed resource in every "
            "composite resource on the new revision, and the provider then detaches the policy)"
        )
    own_removed = bool(result.detached)
    _detach_elsewhere(loaded, templates, role, request, result)
    managed = role.get("spec", "forProvider", "managedPolicyArns")
    use_list = group != CLASSIC and isinstance(managed, list)
    if isinstance(managed, list):
        patched = role.patched("spec.forProvider.managedPolicyArns")
        if patched:
            raise GitOpsEditError(
                f"{role.where}: the Role's managedPolicyArns is patched from the composite "
                f"({composition.describe(patched[0])}): the list each composite resource gets is not in the "
                "code; replace the broad policy where that field's value comes from, by hand"
            )
        if use_list or any(a in request.replace_arns for a in managed):
            _check_applied(f"{role.where}: Role", _composed_no_update(role), request)
        _edit_managed_list(managed, request, use_list, document, result, f"{role.where}: Role")
    named = any(isinstance(e, dict) and "name" in e for e in role.entries)
    patches = _provider_patches(role)
    _, literal_key, _ = _role_keys(group)
    for index, policy_document in enumerate(request.policies):
        name = k8s_name(request.policy_name(index))
        policy = _policy(
            group, version, name, request, index, policy_document, role.get("spec", "providerConfigRef"), None
        )
        del policy["metadata"]["name"]
        policy["metadata"]["labels"] = CommentedMap([(_POLICY_LABEL, name)])
        field = "document" if group == CLASSIC else "policy"
        existing = _template(siblings, group, "Policy", ("metadata", "labels"), name)
        if existing is not None:
            current = existing.get("spec", "forProvider")
            if not same_json_text(str(current.get(field, "")), str(policy["spec"]["forProvider"][field])):
                current[field] = policy["spec"]["forProvider"][field]
                document.changed = True
                result.notes.append(f"{existing.where}: updated the policy document")
        else:
            role.entries.append(_entry(name if named else None, policy, patches))
            document.changed = True
            result.notes.append(f"{role.where}: added a Policy template {name}")
        if use_list:
            continue
        selector = CommentedMap(
            [("matchControllerRef", True), ("matchLabels", CommentedMap([(_POLICY_LABEL, name)]))]
        )
        selects = ("spec", "forProvider", "policyArnSelector", "matchLabels")
        attached = _template(siblings, group, "RolePolicyAttachment", selects, name)
        if attached is not None:
            continue
        for_provider = CommentedMap([("policyArnSelector", selector), (literal_key, request.role_name)])
        spec = CommentedMap([("forProvider", for_provider)])
        if isinstance(role.get("spec", "providerConfigRef"), dict):
            spec["providerConfigRef"] = CommentedMap(role.get("spec", "providerConfigRef"))
        base = CommentedMap(
            [("apiVersion", f"{group}/{version}"), ("kind", "RolePolicyAttachment"), ("spec", spec)]
        )
        role.entries.append(_entry(f"{name}-attachment" if named else None, base, patches))
        document.changed = True
        result.attachment_added = True
        result.notes.append(f"{role.where}: added a RolePolicyAttachment template {name}-attachment")
    if own_removed:
        result.notes.append(_revision_note(loaded, document))
    listed = role.list_path()
    managed_at = (*listed, str(role.position()), "base", "spec", "forProvider", "managedPolicyArns")
    moved = kustomize.Templates(listed, templates_before, list(role.entries), role.entry)
    kustomize.refuse_json_patches(files, loaded, before, document.data, managed_at, request, moved)
    result.changes = yamldocs.changes(loaded)
    return result


def _refuse_merge_patches(
    loaded: list[yamldocs.YamlFile], role: composition.Composed, request: EditRequest
) -> None:
    """Refuses to edit a Composition that a Kustomize strategic-merge patch under the path gives the
    template list of the Role (a patch file's Composition of the same id, or an inline patch of it, as
    ``ack.find_role`` and ``patch_of`` read a Role's). A Composition is a custom resource: kustomize merges
    its patch as a JSON merge patch, whose list replaces the Composition's whole, named templates and
    pipeline steps included (RFC 7386; "Update API Objects in Place Using kubectl patch" in the Kubernetes
    docs; checked with ``kubectl kustomize``, kustomize v5.5.0). That overlay keeps the patch's templates,
    the broad policy's among them when it holds one, and gets neither the removal nor the generated policy,
    while the change would claim the replacement. A patch of other fields changes nothing."""
    document = role.composition
    name = document.get("metadata", "name")
    key = "resources" if role.step is None else "pipeline"
    below = kustomize.ids_below(loaded, document.data)
    patch_files = yamldocs.kustomize_patches(loaded)
    untargeted = yamldocs.patch_listings(loaded, targeted=False)
    found: list[tuple[str, yamldocs.Document]] = [
        (parsed.where(index), patch)
        for parsed in loaded
        if parsed.path in patch_files
        for index, patch in parsed.objects()
        if same_id(patch, document)
        or listed_patch_of(patch, document, below, untargeted.get(parsed.path, [])) is not None
    ]
    found += [
        (inline.where(index), patch)
        for inline, index, patch in yamldocs.inline_patches(loaded)
        if patch_of(inline, patch, document, below)
    ]
    for where, patch in found:
        spec = patch.get("spec")
        if not isinstance(spec, dict) or key not in spec:
            continue
        broad = sorted({arn for arn in _strings(spec[key]) if arn in request.replace_arns})
        holds = (
            f"and it holds {', '.join(broad)}, so that overlay keeps the broad policy whatever the base says"
            if broad
            else "so that overlay would get none of this edit (the broad policy's removal, the generated "
            "policy)"
        )
        raise GitOpsEditError(
            f"{where} is a Kustomize patch of Composition {name} that gives its spec.{key}, which replaces "
            f"the Composition's list whole where the overlay is applied, {holds}: policygen does not edit "
            "patches. Change the patch by hand (the generated policy's ARN is "
            f"{request.policy_arn(0)}), then run again. Nothing was changed"
        )


def _strings(node: object) -> list[str]:
    """Every string value under a node (the ARNs a patch's templates give, wherever they give them)."""
    if isinstance(node, Mapping):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [str(node)] if isinstance(node, str) else []


def _detach_elsewhere(
    loaded: list[yamldocs.YamlFile],
    templates: list[composition.Composed],
    role: composition.Composed | yamldocs.Document,
    request: EditRequest,
    result: EditResult,
) -> None:
    """The attachments of a broad policy outside the role's own file or template list: for a composed
    Role, a plain manifest or a template of another Composition; for a bare Role, a Composition's template
    (its plain manifests are ``_detach``'s). One that names the role by its IAM name (``role``/
    ``roleName``), by its object name (``roleRef``/``roleNameRef``; a composed Role's when its base gives
    one), or selects it by labels without ``matchControllerRef`` (among every Role of the cluster) attaches
    to the same role in AWS, so leaving it would keep the policy attached while the change says it is
    replaced. One that selects several Roles, or whose role a patch or a label patch decides, is refused:
    which role it attaches cannot be read from the code."""
    group = role.api_group
    ref_key, literal_key, selector_key = _role_keys(group)
    meta_name = role.get("metadata", "name")
    # a composed Role's own template list (its siblings are ``_edit_composed``'s); a bare Role has none
    iam_name: object
    own: list[Any] | None
    if isinstance(role, composition.Composed):
        iam_name, where, own = role.iam_name()[0], role.where, role.entries
    else:
        iam_name, where, own = _external_name(role), f"Role {meta_name}", None
    composed_roles = [t for t in templates if t.api_group == group and t.kind == "Role"]
    outside: list[tuple[str, dict[str, Any], composition.Composed | None, yamldocs.Document]] = []
    for parsed in loaded if own is not None else []:
        for index, document in parsed.objects():
            if document.api_group == group and document.kind == "RolePolicyAttachment":
                what = f"{parsed.where(index)}: RolePolicyAttachment {document.get('metadata', 'name')}"
                outside.append((what, document.get("spec", "forProvider") or {}, None, document))
    for other in templates:
        if other.entries is not own and other.api_group == group and other.kind == "RolePolicyAttachment":
            what = f"{other.where}: RolePolicyAttachment"
            outside.append((what, other.get("spec", "forProvider") or {}, other, other.composition))
    for what, for_provider, template, holder in outside:
        arn = for_provider.get("policyArn")
        if arn not in request.replace_arns:
            continue
        what = f"{what} ({arn})"
        selector = for_provider.get(selector_key) or {}
        labels = selector.get("matchLabels") or {}
        patched = (
            template.patched(*(f"spec.forProvider.{k}" for k in (ref_key, literal_key, selector_key)))
            if template
            else []
        )
        if patched:
            result.seen.append(
                f"{what}: its role is patched from its composite ({composition.describe(patched[0])})"
            )
            continue
        if for_provider.get(literal_key) is not None:
            points: bool | None = for_provider[literal_key] == iam_name
        elif (for_provider.get(ref_key) or {}).get("name"):
            points = meta_name is not None and for_provider[ref_key]["name"] == meta_name
        elif labels and not selector.get("matchControllerRef"):
            ours = _has_labels(role, labels)
            maybe = [r for r in composed_roles if r.writes(*_label_paths(labels))]
            matching = [r for r in composed_roles if _has_labels(r, labels)]
            bare = _selected_roles(loaded, group, labels, None)
            if role in maybe:
                points = None
            elif not ours:
                points = False
            else:
                points = (
                    None
                    if len(matching) + len(bare) + len([r for r in maybe if r not in matching]) > 1
                    else True
                )
        else:
            points = False
        if points is False:
            result.seen.append(f"{what} points at another role")
            continue
        if points is None:
            raise GitOpsEditError(
                f"{what} selects its role with {selector_key}.matchLabels {dict(labels)}, which the Role of "
                f"{where} has (or a patch may give it), and other Roles in the files match it too (or "
                "their labels are patched): Crossplane picks one at runtime, so policygen cannot tell that "
                f"it attaches the policy to {request.role_name!r}, and removing it could detach another "
                f"role's policy: give it {literal_key} = {request.role_name!r} (or labels only that Role "
                "has), and run again"
            )
        result.seen.append(what)
        if template is None:
            _check_deleted(holder, what, group == UPBOUND_NAMESPACED, request)
            holder.removed = True
            result.notes.append(f"{what}: removed{_PRUNE_NOTE}")
        else:
            _check_composed_deleted(template, what, group == UPBOUND_NAMESPACED, request)
            template.entries.remove(template.entry)
            holder.changed = True
            result.notes.append(
                f"{what}: removed from its Composition (Crossplane deletes its composed resource in every "
                "composite resource on the new revision, and the provider then detaches the policy); "
                + _revision_note(loaded, holder)
            )
        result.detached.append(str(arn))


# what decides whether Crossplane updates a composed resource's external resource, and (with deletionPolicy)
# whether it deletes it when it garbage-collects the composed resource
_MANAGEMENT_FIELDS = ("spec.managementPolicies", f"metadata.annotations[{lifecycle.CROSSPLANE_PAUSED}]")
_DELETION_FIELDS = ("spec.deletionPolicy", *_MANAGEMENT_FIELDS)


def _check_composed_deleted(
    attachment: composition.Composed, what: str, namespaced: bool, request: EditRequest
) -> None:
    """Refuses to remove an attachment template whose composed resources would keep the policy attached.

    Crossplane deletes the composed resource of a template the Composition no longer has (garbage
    collection: crossplane internal/controller/apiextensions/composite, composition_functions.go and, in
    classic mode, composition_pt.go's GarbageCollectingAssociator), and its provider then deletes the
    attachment unless the resource orphans it (``lifecycle.crossplane_orphans``). A value the composite
    patches in is not in the code. Classic mode matches unnamed templates to composed resources by their
    position (``AssociateByOrder``) and garbage-collects none: removing one leaves its resource, and the
    next template is rendered onto it (an error: its kind changed)."""
    if attachment.step is None and not attachment.entry.get("name"):
        raise GitOpsEditError(
            f"{what} attaches a policy to be replaced, but its Composition's templates have no names: in "
            "classic mode (spec.resources) Crossplane matches unnamed templates to the composed resources by "
            "position and deletes none, so removing it would leave the attachment (and shift the resources "
            "of the templates after it). Give every template a name (spec.resources[].name) in a change of "
            "its own, let Crossplane reconcile each composite resource (it records each resource's template "
            "name), then run again. Nothing was changed"
        )
    blocker = lifecycle.crossplane_orphans(attachment, namespaced=namespaced)
    if blocker is not None:
        raise GitOpsEditError(_kept_message(what, blocker, request))
    patched = attachment.writes(*_DELETION_FIELDS)
    if patched:
        raise GitOpsEditError(
            _kept_message(
                what,
                lifecycle.Blocker(
                    "a patch sets what decides whether Crossplane deletes it "
                    f"({composition.describe(patched[0])}): a composite resource that gives Orphan, a "
                    "managementPolicies list without Delete or pauses it keeps the attachment, and that "
                    "value is not in the code",
                    "remove that patch from the template (or set the field in the base to Delete) in a "
                    "change of its own and let it sync",
                ),
                request,
            )
        )


def _composed_no_update(role: composition.Composed) -> lifecycle.Blocker | None:
    """Why Crossplane would not send an edit of a composed Role to AWS: its base's settings, or a patch that
    sets them from the composite, whose value is not in the code. Crossplane applies a composed resource,
    not the GitOps tool, so the tool's annotations on the base are not read (``lifecycle.never_applied``)."""
    blocker = lifecycle.crossplane_no_update(role)
    patched = role.writes(*_MANAGEMENT_FIELDS)
    if blocker is None and patched:
        blocker = lifecycle.Blocker(
            f"a patch sets its management policy ({composition.describe(patched[0])}), which the code does "
            "not give",
            "remove that patch in a change of its own and let it sync",
        )
    return blocker


def _template(
    siblings: list[composition.Composed], group: str, kind: str, labels: tuple[str, ...], name: str
) -> composition.Composed | None:
    """Our template of an earlier run: the one whose labels at ``labels`` give ``name`` as our policy."""
    return next(
        (
            t
            for t in siblings
            if t.api_group == group and t.kind == kind and (t.get(*labels) or {}).get(_POLICY_LABEL) == name
        ),
        None,
    )


def _entry(name: str | None, base: CommentedMap, patches: list[Any]) -> CommentedMap:
    entry = CommentedMap()
    if name is not None:
        entry["name"] = name
    entry["base"] = base
    if patches:
        entry["patches"] = CommentedSeq(copy.deepcopy(patches))
    return entry


def _provider_patches(role: composition.Composed) -> list[Any]:
    """The role's patches (a patch set's reference included when the whole set is such) that choose the
    provider config, deletion or management policy: the new templates must be created where the role is."""
    kept = []
    for patch in role.entry.get("patches") or []:
        if not isinstance(patch, dict):
            continue
        inner = (
            role.patch_sets.get(str(patch.get("patchSetName")))
            if patch.get("type") == "PatchSet"
            else [patch]
        )
        if inner and all(
            isinstance(p, dict)
            and p.get("type", "FromCompositeFieldPath") == "FromCompositeFieldPath"
            and any(composition.under(str(p.get("toFieldPath", "")), f) for f in _PROVIDER_FIELDS)
            for p in inner
        ):
            kept.append(patch)
    return kept


def _compositions_seen(
    templates: list[composition.Composed],
    roles: list[composition.Composed],
    unread: list[composition.Unread],
    request: EditRequest,
) -> str:
    """Why the Compositions under the path were not edited: each composed Role, how its name is given and
    the broad attachments next to it, and the pipeline steps whose templates policygen does not read."""
    lines = []
    for role in roles:
        _, how = role.iam_name()
        line = f"{role.where}: {role.api_group} Role {how}"
        siblings = [t for t in templates if t.entries is role.entries]
        broad = []
        for t in siblings:
            arn = t.get("spec", "forProvider", "policyArn")
            if (
                t.api_group != role.api_group
                or t.kind != "RolePolicyAttachment"
                or arn not in request.replace_arns
            ):
                continue
            points, why = _points_at(t, role, siblings)
            if points is not False:
                broad.append(f"{t.short} attaches {arn} ({why})")
        managed = role.get("spec", "forProvider", "managedPolicyArns") or []
        broad += [f"its managedPolicyArns lists {a}" for a in managed if a in request.replace_arns]
        lines.append(line + (": " + "; ".join(broad) if broad else ""))
    text = ""
    if lines:
        text = (
            "Composition templates seen: "
            + "; ".join(lines)
            + ". A Composition is the template of every composite resource made from it: policygen edits "
            "one only when its Role's IAM name is written in the base (crossplane.io/external-name, else "
            f"metadata.name, not patched); a name each composite resource gives cannot be told to be "
            f"{request.role_name!r} from the code, and editing the Composition would change the policies of "
            "every role it makes: replace the broad policy by hand (or take the policy as a parameter of the "
            "composite resource)"
        )
    if unread:
        steps = ", ".join(f"{u.where} (function {u.function})" for u in unread)
        text += ("; " if text else "") + f"pipeline steps whose templates policygen does not read: {steps}"
    return text
