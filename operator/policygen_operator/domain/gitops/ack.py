"""AWS Controllers for Kubernetes: a ``Role`` (``spec.policies``, ``spec.policyRefs``) and a ``Policy``.

The IAM controller detaches every managed policy the Role's resolved ``spec.policies`` no longer lists
(aws-controllers-k8s/iam-controller pkg/resource/role/hooks.go, syncManagedPolicies), and resolves
``spec.policyRefs`` into that list, refusing a Role that gives both (references.go,
validateReferenceFields). A read-only resource (``services.k8s.aws/read-only: "true"``) is never updated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from policygen_operator.domain.gitops import kustomize, lifecycle, yamldocs
from policygen_operator.domain.gitops.model import (
    EditRequest,
    EditResult,
    GitOpsEditError,
    k8s_name,
    same_json_text,
)

GROUP = "iam.services.k8s.aws"


def edit(files: dict[str, str], request: EditRequest) -> EditResult:
    loaded, skipped = yamldocs.load_files(files)
    role_file, role_index, role = find_role(
        loaded,
        skipped,
        request.role_name,
        "ACK Role (iam.services.k8s.aws) with spec.name",
        lambda d: d.api_group == GROUP and d.kind == "Role",
        lambda d: d.get("spec", "name"),
        _sets_policies,
    )
    _refuse_broad_patches(loaded, role, request)
    before = kustomize.plain(role.data)
    result = EditResult(role_location=role_file.where(role_index))
    spec = role.data["spec"]
    role_meta = role.data.get("metadata") or {}
    policies = spec.get("policies")
    refs_at = list(spec).index("policies") + 1 if "policies" in spec else len(spec)
    result.seen += [f"spec.policies {p}" for p in (policies if isinstance(policies, list) else [])]
    result.seen += [
        f"spec.policyRefs {(r.get('from') or {}).get('name')}"
        for r in (spec.get("policyRefs") or [])
        if isinstance(r, dict)
    ]
    refs = spec.get("policyRefs")
    if isinstance(policies, list) and policies and refs:
        raise GitOpsEditError(
            f"{role_file.where(role_index)}: Role {request.role_name} gives both spec.policies and "
            "spec.policyRefs, which the ACK IAM controller refuses to reconcile (references.go, "
            "validateReferenceFields: ResourceReferenceAndIDNotSupportedFor Policies, PolicyRefs), so no "
            "change of its policies would reach AWS: keep one of the two, then run again"
        )
    blocker = lifecycle.not_updated(role, controller="ack")
    if blocker is not None:
        raise GitOpsEditError(
            f"{role_file.where(role_index)}: an edit of Role {request.role_name} would not reach AWS: "
            f"{blocker.setting}; {blocker.remedy}, then run again. Nothing was changed"
        )
    if isinstance(policies, list):
        for arn in [p for p in policies if p in request.replace_arns]:
            policies.remove(arn)
            role.changed = True
            result.detached.append(str(arn))
            result.notes.append(
                f"{role_file.path}: removed {arn} from spec.policies of Role {request.role_name}"
            )
        if not policies:
            del spec["policies"]
            refs_at -= 1
    # The controller refuses a Role that gives both spec.policies and spec.policyRefs: while other policies
    # stay listed by ARN, ours is listed by its ARN too.
    by_arn = isinstance(spec.get("policies"), list)
    for index, document in enumerate(request.policies):
        name = k8s_name(request.policy_name(index))
        if by_arn:
            _ensure_arn(spec["policies"], request.policy_arn(index), role, result, role_file.path)
        else:
            _ensure_ref(spec, refs_at, name, role, result, role_file.path)
        wanted = _policy_object(request, index, name, role_meta.get("namespace"), document)
        upsert_object(
            loaded,
            role_file,
            wanted,
            lambda d: d.api_group == GROUP and d.kind == "Policy",
            "spec",
            "policyDocument",
            result=result,
        )
    kustomize.refuse_json_patches(files, loaded, before, role.data, ("spec", "policies"), request)
    result.changes = yamldocs.changes(loaded)
    return result


def _refuse_broad_patches(
    loaded: list[yamldocs.YamlFile], role: yamldocs.Document, request: EditRequest
) -> None:
    """A Kustomize overlay's patch of the Role (the same ``metadata.name``, no ``spec.name``, which the CRD
    requires of a whole Role) listing a broad ARN in ``spec.policies``: refused. Kustomize applies a patch
    of a custom resource as a JSON merge patch, whose list replaces the Role's whole (RFC 7386; "Update API
    Objects in Place Using kubectl patch": no strategic merge for custom resources), so that overlay keeps
    the broad policy whatever the base says, and would not get the generated one. A patch written inline in
    a kustomization, or in a file listed with a target, is read the same when it patches the Role
    (``patch_of``: its target, not its name, says so), and one naming ``spec.name`` too, which
    ``find_role`` refuses in a patch file when it sets the policies at all."""
    name = (role.data.get("metadata") or {}).get("name")
    by_target = yamldocs.targeted_only(loaded)
    below = kustomize.ids_below(loaded, role.data)
    listings = yamldocs.patch_listings(loaded, targeted=False)
    for parsed in loaded:
        if parsed.path in by_target:
            continue  # its target says what it patches (below)
        for index, document in parsed.objects():
            if document is role or document.api_group != GROUP or document.kind != "Role":
                continue
            spec = document.data.get("spec")
            how = listed_patch_of(document, role, below, listings.get(parsed.path, []))
            if how is not None and isinstance(spec, dict) and "name" not in spec:
                named = f"{how}; " if how else ""
                what = f"{parsed.where(index)}: a patch of Role {name} ({named}no spec.name: a Kustomize "
                what += "overlay's)"
                _refuse_broad_patch(what, document, request)
    for patch, index, document in yamldocs.merge_patches(loaded):
        if not patch_of(patch, document, role, below):
            continue
        if isinstance(document.get("spec"), dict) and "name" in document.get("spec"):
            refuse_inline_patch(patch, index, document, name, _sets_policies)
        _refuse_broad_patch(f"{patch.where(index)} of Role {name}", document, request)


def _sets_policies(document: yamldocs.Document) -> bool:
    spec = document.get("spec")
    return isinstance(spec, dict) and bool({"policies", "policyRefs"} & set(spec))


def _refuse_broad_patch(what: str, document: yamldocs.Document, request: EditRequest) -> None:
    policies = document.get("spec", "policies")
    broad = [str(p) for p in policies if p in request.replace_arns] if isinstance(policies, list) else []
    if broad:
        raise GitOpsEditError(
            f"{what} lists {', '.join(broad)} in spec.policies, which replaces the Role's list where the "
            "overlay is applied: policygen does not edit patches, and an edit of the Role alone "
            "would leave that environment the broad policy without the generated one. Replace it "
            "in the patch by hand (with the generated policy's ARN), or point path at the base alone "
            "once the patch no longer lists it. Nothing was changed"
        )


def same_id(patch: yamldocs.Document, role: yamldocs.Document) -> bool:
    """Whether a patch without a target names the Role by the id its base gives it (``named_as``)."""
    return named_as(patch, role) == ""


def named_as(
    patch: yamldocs.Document,
    role: yamldocs.Document,
    below: Mapping[kustomize.Id, kustomize.Layered] | None = None,
) -> str | None:
    """How a patch without a target names the Role: kustomize applies it to the resource of its own id
    (PatchTransformer.go ``transformStrategicMerge``: group, kind, name; a namespace only when both give
    one, so a patch that would not apply is refused rather than let through), the id the base gives the
    Role or one the layers below the patch's kustomization give it now or gave it before (``below``:
    ``kustomize.ids_had``). None when it does not, "" by the base's id, else that id and the layer."""
    mine, other = role.data.get("metadata") or {}, patch.data.get("metadata") or {}
    if patch.api_group != role.api_group or patch.kind != role.kind:
        return None
    ids: list[tuple[object, object, str]] = [(mine.get("name"), mine.get("namespace"), "")]
    ids += [(n, s, giver) for (n, s), giver in kustomize.ids_had(below).items() if giver]
    for name, namespace, giver in ids:
        if other.get("name") != name or (namespace and other.get("namespace") not in (None, "", namespace)):
            continue
        if not giver:
            return ""
        named = [str(name)] if name != mine.get("name") else []
        named += [f"in namespace {namespace}"] if (namespace or "") != (mine.get("namespace") or "") else []
        return f"{' '.join(named)} as {giver} gives it"
    return None


def listed_patch_of(
    document: yamldocs.Document,
    role: yamldocs.Document,
    below: Mapping[str, Mapping[kustomize.Id, kustomize.Layered]],
    kustomizations: list[str],
) -> str | None:
    """How a document of a file the ``kustomizations`` list as a patch without a target names the Role
    (``named_as``, by the ids the layers below each of them give it; by its base's id alone when none
    lists the file): None when it does not, "" by its base's id."""
    found = [named_as(document, role, below.get(k)) for k in kustomizations or [""]]
    return min((how for how in found if how is not None), key=len, default=None)


def patch_of(
    patch: yamldocs.InlinePatch,
    document: yamldocs.Document,
    role: yamldocs.Document,
    below: Mapping[str, Mapping[kustomize.Id, kustomize.Layered]],
) -> bool:
    """Whether kustomize applies an inline (or targeted file) strategic-merge patch to the Role: the one its
    target selects, by the id its base gives it or one the layers below the patch's kustomization give it
    (``below``: ``kustomize.ids_below``), whatever the patch names (resmap ``ApplySmPatch`` gives the patch
    the Role's kind and version; the selector as a JSON 6902 patch's, ``kustomize.selects``), or the one of
    its own id."""
    if patch.target is not None:
        return kustomize.selects(patch.target, kustomize.plain(role.data), below.get(patch.kustomization))
    return named_as(document, role, below.get(patch.kustomization)) is not None


def refuse_inline_patch(
    patch: yamldocs.InlinePatch,
    index: int,
    document: yamldocs.Document,
    name: object,
    sets_policies: Callable[[yamldocs.Document], bool],
) -> None:
    """An inline patch of the Role that sets its policies, refused as ``find_role`` refuses the same
    document in a patch file."""
    if sets_policies(document):
        raise GitOpsEditError(
            f"{patch.where(index)} is a Kustomize patch of Role {name} {_SETS_POLICIES}; nothing was changed"
        )


def refuse_renamed_patch_files(
    loaded: list[yamldocs.YamlFile],
    role: yamldocs.Document,
    below: Mapping[str, Mapping[kustomize.Id, kustomize.Layered]],
    sets_policies: Callable[[yamldocs.Document], bool],
    name: object,
) -> None:
    """A document of a patch file listed without a target that names the Role by an id a layer below its
    kustomization gives it (``named_as``) and sets its policies, refused as ``find_role`` refuses one
    naming the Role itself (which it finds by the Role's name, not by such an id)."""
    listings = yamldocs.patch_listings(loaded, targeted=False)
    for parsed in loaded:
        for kustomization in listings.get(parsed.path, []):
            for index, document in parsed.objects():
                how = named_as(document, role, below.get(kustomization))
                if how and sets_policies(document):
                    raise GitOpsEditError(
                        f"{parsed.where(index)} is a Kustomize patch ({kustomization}; {how}) of Role {name} "
                        f"{_SETS_POLICIES}; nothing was changed"
                    )


_SETS_POLICIES = (
    "that sets its policies (a patch replaces the list whole): policygen does not edit patches, "
    "and an edit of the Role alone would leave that overlay the policies the patch gives. "
    "Change the patch by hand"
)


def find_role(
    loaded: list[yamldocs.YamlFile],
    skipped: list[str],
    name: str,
    what: str,
    is_role: Callable[[yamldocs.Document], bool],
    role_name: Callable[[yamldocs.Document], object],
    sets_policies: Callable[[yamldocs.Document], bool],
) -> tuple[yamldocs.YamlFile, int, yamldocs.Document]:
    """The one document defining the role; otherwise an error that says what was seen and where.

    A document in a file a kustomization lists as a patch is a patch of the role, not the role: one that
    ``sets_policies`` is refused (a patch of a custom resource replaces a list whole, so the overlay keeps
    what the patch gives whatever the base says), as is any when no whole Role is found (an object added
    beside it would be a patch of nothing); one that leaves the policies alone is not a second Role."""
    matches, others = roles_named(loaded, name, is_role, role_name)
    patches = yamldocs.kustomize_patches(loaded)
    by_target = yamldocs.targeted_only(loaded)  # patches of what their target selects (``patch_of``)
    whole = [m for m in matches if m[0].path not in patches]
    for parsed, index, document in matches:
        if parsed.path in by_target and whole:
            continue
        if parsed.path in patches and (not whole or sets_policies(document)):
            why = (
                _SETS_POLICIES
                if sets_policies(document) and whole
                else "not the Role itself: policygen does not edit patches (an object it added there would "
                "be a patch of nothing). Point path at the folder of the base that defines the Role"
            )
            raise GitOpsEditError(
                f"{parsed.where(index)} is a Kustomize patch ({patches[parsed.path]}) of Role {name} {why}; "
                "nothing was changed"
            )
    matches = whole
    if len(matches) > 1:
        raise defined_twice(name, [f.where(i) for f, i, _ in matches])
    if not matches:
        seen = "; other roles seen: " + ", ".join(others) if others else ""
        unparsed = "; " + "; ".join(skipped) if skipped else ""
        raise GitOpsEditError(
            f"no {what} = {name!r} in {len(loaded) + len(skipped)} YAML file(s) under the path"
            f"{seen}{unparsed}"
        )
    return matches[0]


def roles_named(
    loaded: list[yamldocs.YamlFile],
    name: str,
    is_role: Callable[[yamldocs.Document], bool],
    role_name: Callable[[yamldocs.Document], object],
) -> tuple[list[tuple[yamldocs.YamlFile, int, yamldocs.Document]], list[str]]:
    """The role documents named ``name``, and the other roles seen (name and place) for the error that
    finds none: one search for ``find_role`` and for a Composition's Role that a bare one may repeat."""
    matches, others = [], []
    for parsed in loaded:
        for index, document in parsed.objects():
            if not is_role(document):
                continue
            if role_name(document) == name:
                matches.append((parsed, index, document))
            else:
                others.append(f"{role_name(document)} in {parsed.where(index)}")
    return matches, others


def defined_twice(name: str, where: list[str]) -> GitOpsEditError:
    return GitOpsEditError(
        f"role {name!r} is defined more than once: {', '.join(where)}; point path at one of them"
    )


def _ensure_ref(
    spec: CommentedMap, position: int, name: str, role: yamldocs.Document, result: EditResult, path: str
) -> None:
    refs = spec.get("policyRefs")
    if refs is None:
        refs = CommentedSeq()
        spec.insert(position, "policyRefs", refs)
    if any(isinstance(r, dict) and (r.get("from") or {}).get("name") == name for r in refs):
        return
    ref = CommentedMap()
    ref["from"] = CommentedMap([("name", name)])
    refs.append(ref)
    role.changed = True
    result.attachment_added = True
    result.notes.append(f"{path}: added policyRefs entry for Policy {name}")


def _ensure_arn(
    policies: list[object], arn: str, role: yamldocs.Document, result: EditResult, path: str
) -> None:
    if arn in policies:
        return
    policies.append(arn)
    role.changed = True
    result.attachment_added = True
    result.notes.append(
        f"{path}: added {arn} to spec.policies (the Role keeps other policies there, and the ACK controller "
        "refuses a Role that also gives spec.policyRefs)"
    )


def policy_json(document: dict[str, object]) -> LiteralScalarString:
    text: LiteralScalarString = LiteralScalarString(json.dumps(document, indent=2) + "\n")  # ruamel: no hints
    return text


def _policy_object(
    request: EditRequest, index: int, name: str, namespace: str | None, document: dict[str, object]
) -> CommentedMap:
    metadata = CommentedMap([("name", name)])
    if namespace:
        metadata["namespace"] = namespace
    spec = CommentedMap()
    spec["name"] = request.policy_name(index)
    spec["description"] = request.description
    spec["policyDocument"] = policy_json(document)
    return CommentedMap(
        [("apiVersion", f"{GROUP}/v1alpha1"), ("kind", "Policy"), ("metadata", metadata), ("spec", spec)]
    )


def upsert_object(
    loaded: list[yamldocs.YamlFile],
    home: yamldocs.YamlFile,
    wanted: CommentedMap,
    same_kind: Callable[[yamldocs.Document], bool],
    *document_path: str,
    result: EditResult,
) -> bool:
    """Updates the policy text of our object wherever it is (a later run), or appends it next to the role.

    Only the field holding the document is compared and rewritten, so a reviewer's edits to the object's
    other fields (labels, a providerConfigRef) survive later runs. Returns whether it was added.
    """
    name = wanted["metadata"]["name"]
    for parsed in loaded:
        for _index, document in parsed.objects():
            if same_kind(document) and document.get("metadata", "name") == name:
                parent = document.data
                for key in document_path[:-1]:
                    parent = parent.setdefault(key, CommentedMap())
                new_value = wanted
                for key in document_path:
                    new_value = new_value[key]
                if not same_json_text(str(parent.get(document_path[-1], "")), str(new_value)):
                    parent[document_path[-1]] = new_value
                    document.changed = True
                    result.notes.append(
                        f"{parsed.path}: updated the policy document of {wanted['kind']} {name}"
                    )
                return False
    home.append(wanted)
    result.notes.append(f"{home.path}: added {wanted['kind']} {name}")
    return True


__all__ = [
    "GROUP",
    "GitOpsEditError",
    "defined_twice",
    "edit",
    "find_role",
    "patch_of",
    "policy_json",
    "refuse_inline_patch",
    "refuse_renamed_patch_files",
    "roles_named",
    "same_id",
    "upsert_object",
]
