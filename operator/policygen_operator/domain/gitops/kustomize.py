"""JSON 6902 patches of an edited Role in a kustomization under the path.

Kustomize's ``patches`` field takes a strategic-merge patch or a JSON 6902 one, told apart by content: a
patch that decodes as a list of JSON Patch operations is applied to every resource its ``target`` selects
(kustomize api/internal/builtins/PatchTransformer.go, ``jsonPatchFromBytes``; the legacy
``patchesJson6902`` field takes only those). The target is a selector whose group, version, kind, name and
namespace are regular expressions anchored at both ends, matched against a resource's original or
current id (the current one being what the layers below the patch's kustomization named it,
``ids_below``), and whose labelSelector and annotationSelector are Kubernetes label selectors
(api/types/selector.go ``anchorRegex``; api/resmap/reswrangler.go ``Select``; "Labels and Selectors" in the
Kubernetes docs). The regular expressions are Go's RE2, read here with Python's ``re``: the same for the
names people write (``payments-.*``, ``a|b``).

Each patch whose target selects the edited Role is applied, op by op, to the Role as it was and as the
edit leaves it (RFC 6902 "JavaScript Object Notation (JSON) Patch", section 4). Refused, naming the
kustomization, the patch and the op: an op after which the overlay's policies hold a broad ARN (the
overlay keeps it whatever the base says, and an edit of the base alone would claim the replacement); an op
that names an item of the policies by position whose value the edit changed (the overlay would drop or
replace another policy than it did, without an error); an op that applied before the edit and fails
after it (``kustomize build`` of the overlay would fail). A patch that touches other fields, drops the
list or replaces it without a broad ARN changes nothing. A Crossplane Composition whose template holds the
Role is read the same, the list being the template's ``managedPolicyArns``; an op naming a template of
the edited list by position that the edit moved (a broad attachment's template before it removed) is
refused too (``Templates``), and so is an op after which that list holds a template with a broad ARN that
the edit does not leave there (a whole template added, ``_broad_templates``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from policygen_operator.domain.gitops import yamldocs
from policygen_operator.domain.gitops.model import EditRequest, GitOpsEditError

_FIELDS = ("patches", "patchesJson6902")


@dataclass(frozen=True)
class JsonPatch:
    kustomization: str
    entry: str  # "patches[0]"
    source: str  # "an inline JSON 6902 patch", "the JSON 6902 patch overlays/prod/p.yaml"
    target: Mapping[str, Any]
    ops: list[dict[str, Any]]


class OpFailed(Exception):
    """An op that does not apply (a missing path, a failed test): kustomize build stops there."""


def plain(node: Any) -> Any:
    """A loaded document as plain dicts, lists and scalars, to patch without touching the files."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def json_patches(files: dict[str, str], loaded: list[yamldocs.YamlFile]) -> Iterator[JsonPatch]:
    """The JSON 6902 patches of the kustomizations among ``files``, inline or in a file among them (the
    pull-request service reads those a kustomization names outside the path, ``references``; a patch
    without a target fails ``kustomize build``: not given)."""
    for parsed in loaded:
        if posixpath.basename(parsed.path) not in yamldocs.KUSTOMIZATIONS:
            continue
        folder = posixpath.dirname(parsed.path)
        for _, document in parsed.objects():
            for field in _FIELDS:
                entries = document.data.get(field)
                for number, entry in enumerate(entries if isinstance(entries, list) else []):
                    if not isinstance(entry, Mapping) or not isinstance(entry.get("target"), Mapping):
                        continue
                    text, source = entry.get("patch"), "an inline JSON 6902 patch"
                    path = entry.get("path")
                    if not isinstance(text, str) and isinstance(path, str):
                        where = posixpath.normpath(posixpath.join(folder, path.strip()))
                        text, source = files.get(where), f"the JSON 6902 patch {where}"
                    ops = _ops(text) if isinstance(text, str) else None
                    if ops is not None:
                        yield JsonPatch(parsed.path, f"{field}[{number}]", source, entry["target"], ops)


@dataclass(frozen=True)
class Reference:
    """A file or folder a kustomization names: a patch file (``patch``), or a folder of its
    ``resources``/``bases`` or ``components`` (``resource``, ``component``; a resource may be a file too).
    ``path`` is repository-relative, normalised: one leaving the repository starts with ``../``."""

    kustomization: str
    entry: str  # "patches[0]", "components[1]"
    path: str
    kind: str


def references(files: Mapping[str, str]) -> list[Reference]:
    """What the kustomizations among ``files`` name by a relative path (a URL or remote base is not a
    path): the patch files of ``patches``, ``patchesStrategicMerge`` and ``patchesJson6902``, and the
    entries of ``resources``, ``bases`` and ``components`` (the Kustomization reference at
    kubectl.docs.kubernetes.io). The pull-request service reads those outside the path, so that a patch or
    a layer lying beside it is judged as one under it."""
    found: list[Reference] = []
    for path in sorted(files):
        if posixpath.basename(path) not in yamldocs.KUSTOMIZATIONS:
            continue
        parsed = yamldocs.YamlFile.parse(path, files[path])
        if parsed.error:
            continue
        folder = posixpath.dirname(path)
        for _, document in parsed.objects():
            for key, kind in _REFERRING:
                entries = document.data.get(key)
                for number, entry in enumerate(entries if isinstance(entries, list) else []):
                    named = entry.get("path") if isinstance(entry, Mapping) and kind == "patch" else entry
                    if not isinstance(named, str) or not named.strip() or "\n" in named or "://" in named:
                        continue
                    where = posixpath.normpath(posixpath.join(folder, named.strip()))
                    found.append(Reference(path, f"{key}[{number}]", where, kind))
    return found


_REFERRING = (
    ("patches", "patch"),
    ("patchesStrategicMerge", "patch"),
    ("patchesJson6902", "patch"),
    ("resources", "resource"),
    ("bases", "resource"),
    ("components", "component"),
)


def _ops(text: str) -> list[dict[str, Any]] | None:
    """The operations of a JSON 6902 patch; None for a strategic-merge patch (a mapping) or an unreadable
    one. Kustomize reads JSON, or YAML converted to JSON."""
    text = text.strip()
    try:
        loaded = json.loads(text) if text.startswith("[") else YAML(typ="safe", pure=True).load(text)
    except (ValueError, YAMLError):
        try:
            loaded = YAML(typ="safe", pure=True).load(text)
        except YAMLError:
            return None
    if not isinstance(loaded, list) or not all(isinstance(o, dict) and "op" in o for o in loaded):
        return None
    return [plain(o) for o in loaded]


Id = tuple[str, str]  # a resource's name and namespace as written ("" for none)


def selects(
    target: Mapping[str, Any], role: Mapping[str, Any], below: Mapping[Id, Layered] | None = None
) -> bool:
    """Whether kustomize's ``Select`` picks the Role: by the id its base gives it, or by one the layers
    below the patch's kustomization give it (``below``, from ``ids_below``)."""
    return selection(target, role, below) is not None


def selection(
    target: Mapping[str, Any], role: Mapping[str, Any], below: Mapping[Id, Layered] | None = None
) -> str | None:
    """How kustomize's ``Select`` picks the Role: None when it does not, "" by the id and labels the base
    gives it, else the name or namespace a layer below gave it and that layer, and the layer whose labels
    the selector needs (for the messages).

    ``Select`` matches the namespace, then the name, each against the resource's original id or its
    current one (api/resmap/reswrangler.go), the current one being what the kustomizations below the
    patch's own gave it (``ids_below``), and a ``labelSelector`` against its labels as those
    kustomizations leave them (a label a layer set again no longer has the base's value). A namespaced
    resource without a namespace is in ``default`` (resid ``EffectiveNamespace``); kustomize does not know
    a CRD's scope, so a Crossplane cluster-scoped Role counts as in ``default`` too."""
    meta = _mapping(role.get("metadata"))
    name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or "default")
    own = labels_of(meta.get("labels"))
    if not below:
        return "" if _selects_id(target, role, (name,), (namespace,), own) else None
    for (current, space), layered in below.items():
        space, labels = space or "default", layered.labels
        if not _selects_id(target, role, (name, current), (namespace, space), labels):
            continue
        named = []
        if not _selects_id(target, role, (name,), (namespace,), labels):
            renamed = [current] if current != name else []
            renamed += [f"in namespace {space}"] if space != namespace else []
            named.append(f"{' '.join(renamed)} as {layered.giver} gives it")
        if not _selects_id(target, role, (name, current), (namespace, space), own):
            named.append(f"labelled as {layered.labeller} labels it")
        return "; ".join(named)
    return None


def _selects_id(
    target: Mapping[str, Any],
    role: Mapping[str, Any],
    names: tuple[str, ...],
    namespaces: tuple[str, ...],
    labels: Mapping[str, str],
) -> bool:
    meta = _mapping(role.get("metadata"))
    api = str(role.get("apiVersion", ""))
    group, version = api.split("/", 1) if "/" in api else ("", api)
    wanted: dict[str, tuple[str, ...]] = {
        "group": (group,),
        "version": (version,),
        "kind": (str(role.get("kind", "")),),
        "name": names,
        "namespace": namespaces,
    }
    for key, candidates in wanted.items():
        pattern = target.get(key)
        if pattern in (None, ""):
            continue
        try:
            if not any(re.fullmatch(f"(?:{pattern})", value) for value in candidates):
                return False
        except re.error:
            return False  # kustomize fails the build on such a target
    annotations = {str(k): str(v) for k, v in _mapping(meta.get("annotations")).items()}
    for key, values in (("labelSelector", labels), ("annotationSelector", annotations)):
        selector = target.get(key)
        if selector and not matches_selector(str(selector), values):
            return False
    return True


def labels_of(node: object) -> dict[str, str]:
    """Labels as strings, a YAML boolean as Kubernetes writes it."""
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in _mapping(node).items()}


@dataclass(frozen=True)
class Layered:
    """The Role as the layers below a kustomization leave it, one id of it there: the kustomization that
    last changed that id ("" for the base's own), and every id it had before with the kustomization that
    gave each (kustomize's ``PrevIds``: each of ``namespace``, ``namePrefix`` and ``nameSuffix`` stores the
    id it changes, api/resource/resource.go ``StorePreviousId``, so a layer with a prefix and a suffix
    leaves the name between them too); and its labels there, with the kustomization that last changed
    them (``commonLabels`` and ``labels`` add theirs to ``metadata.labels``, a value set again replacing
    the one below: the Kustomization reference at kubectl.docs.kubernetes.io, "commonLabels", "labels";
    ``Select`` matches a ``labelSelector`` against the labels as built so far, resmap
    ``MatchesLabelSelector``)."""

    giver: str
    previous: Mapping[Id, str] = dataclasses.field(default_factory=dict)
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)  # as the layers below leave them
    labeller: str = ""  # the kustomization that last added or changed one ("" for none)


def ids_below(
    loaded: list[yamldocs.YamlFile], data: object, own: bool = False
) -> dict[str, dict[Id, Layered]]:
    """For each kustomization among ``loaded`` whose resources lead to the document ``data`` (a Role, a
    Composition) in its file: the ids the document has among them, built by the layers below, each with
    the kustomization that last changed it ("" for the base's own id) and the ids it had before; with
    ``own``, as that kustomization's own ``namespace``, ``namePrefix``, ``nameSuffix`` and labels then
    leave them, which is how its ``patchesJson6902`` see the document (``AFTER_OWN``).

    Kustomize builds each resource of a kustomization (a file, or a folder holding a kustomization, the
    legacy ``bases`` alike) before that kustomization's own transformers run, so a ``namePrefix``,
    ``nameSuffix`` or ``namespace`` of a layer between the base and an overlay is applied before the
    overlay's patches see the resource (the Kustomization reference at kubectl.docs.kubernetes.io,
    "namePrefix", "nameSuffix", "namespace"; kustomize.io, "bases and overlays"). A component (``components``)
    is applied to the resources of the kustomization listing it, its patches seeing them as built so far,
    and its own transformers applied to them (the reference's "components")."""
    at = next((p.path for p in loaded for _, d in p.objects() if d.data is data), None)
    if at is None or not isinstance(data, Mapping):
        return {}
    meta = _mapping(data.get("metadata"))
    base: Id = (str(meta.get("name", "")), str(meta.get("namespace") or ""))
    base_labels = labels_of(meta.get("labels"))
    folders: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for parsed in loaded:
        if posixpath.basename(parsed.path) in yamldocs.KUSTOMIZATIONS:
            for _, document in parsed.objects():
                folders.setdefault(posixpath.dirname(parsed.path), (parsed.path, document.data))
                break
    seen: dict[str, dict[Id, Layered]] = {}
    built: dict[str, dict[Id, Layered]] = {}

    def listed(folder: str, key: str) -> list[str]:
        entries = folders[folder][1].get(key)
        names = [e.strip() for e in entries if isinstance(e, str)] if isinstance(entries, list) else []
        return [posixpath.normpath(posixpath.join(folder, e)) for e in names if e and "://" not in e]

    def transformed(folder: str, ids: dict[Id, Layered]) -> dict[Id, Layered]:
        """The ids after the folder's ``namespace``, ``namePrefix`` and ``nameSuffix``, and the labels
        after its ``labels`` then ``commonLabels``, in that order (api/internal/target/
        kusttarget_configplugin.go, ``configureBuiltinTransformers`` and its ``LabelTransformer``)."""
        path, fields = folders[folder]
        prefix, suffix, space = (fields.get(k) for k in ("namePrefix", "nameSuffix", "namespace"))
        before, after = (v if isinstance(v, str) else "" for v in (prefix, suffix))
        entries = fields.get("labels")
        added: dict[str, str] = {}
        for entry in entries if isinstance(entries, list) else []:
            added |= labels_of(_mapping(entry).get("pairs"))
        added |= labels_of(fields.get("commonLabels"))
        out: dict[Id, Layered] = {}
        for (name, namespace), layered in ids.items():
            steps = [(name, namespace)]
            if isinstance(space, str) and space:
                steps.append((name, space))
            if before:
                steps.append((f"{before}{name}", steps[-1][1]))
            if after:
                steps.append((f"{steps[-1][0]}{after}", steps[-1][1]))
            new, previous = steps[-1], dict(layered.previous)
            for step in steps[:-1]:
                previous.setdefault(step, path if step != (name, namespace) else layered.giver)
            labels = {**layered.labels, **added}
            labeller = path if labels != layered.labels else layered.labeller
            giver = path if new != (name, namespace) else layered.giver
            out.setdefault(new, Layered(giver, previous, labels, labeller))
        return out

    def among(folder: str, visiting: frozenset[str]) -> dict[Id, Layered]:
        ids: dict[Id, Layered] = {}
        for target in listed(folder, "resources") + listed(folder, "bases"):
            if target == at:
                ids.setdefault(base, Layered("", labels=base_labels))
            elif target in folders and target not in visiting:
                if target not in built:
                    built[target] = transformed(target, among(target, visiting | {target}))
                for found, layered in built[target].items():
                    ids.setdefault(found, layered)
        for target in listed(folder, "components"):
            if target in folders and target not in visiting and ids:
                after = transformed(target, ids)
                for found, layered in (after if own else ids).items():
                    seen.setdefault(folders[target][0], {}).setdefault(found, layered)
                ids = after
        return ids

    for folder, (path, _) in folders.items():
        ids = among(folder, frozenset({folder}))
        for found, layered in (transformed(folder, ids) if own else ids).items():
            seen.setdefault(path, {}).setdefault(found, layered)
    return seen


# The field whose patches a kustomization applies after its own namespace, namePrefix, nameSuffix and
# labels; those of ``patches`` and ``patchesStrategicMerge`` run before them (kustomize
# api/internal/target/kusttarget_configplugin.go, ``configureBuiltinTransformers``: PatchStrategicMerge,
# Patch, Namespace, Prefix, Suffix, Label, Annotations, then PatchJson6902 transformers).
AFTER_OWN = "patchesJson6902"


def ids_had(below: Mapping[Id, Layered] | None) -> dict[Id, str]:
    """Every id the Role has or had among a kustomization's resources (``ids_below``), each with the
    kustomization that gave it: what a strategic-merge patch without a target names it by. Kustomize
    applies such a patch to the one resource any of whose ids, the current one or one it had before, is
    the patch's own (api/internal/builtins/PatchTransformer.go ``transformStrategicMerge`` and
    PatchStrategicMergeTransformer.go: resmap ``GetById``, which matches ``PrevIds`` and ``CurId``)."""
    found: dict[Id, str] = {}
    for current, layered in (below or {}).items():
        found.setdefault(current, layered.giver)
        for before, giver in layered.previous.items():
            found.setdefault(before, giver)
    return found


def _mapping(node: object) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


_REQUIREMENT = re.compile(
    r"\s*(?:(?P<absent>!)\s*(?P<akey>[^\s!=(),]+)"
    r"|(?P<key>[^\s!=(),]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,()]*)"
    r"|\s+(?P<set>in|notin)\s*\((?P<values>[^()]*)\))?)\s*(?:,|$)"
)


def matches_selector(selector: str, labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``,
    ``!a``, comma-separated, all to hold); one that does not parse selects nothing (kustomize fails)."""
    at, text = 0, selector.strip()
    while at < len(text):
        found = _REQUIREMENT.match(text, at)
        if not found or found.end() == at:
            return False
        at = found.end()
        if found["absent"]:
            if found["akey"] in labels:
                return False
            continue
        key, present = found["key"], found["key"] in labels
        if found["op"]:
            equal = present and labels[key] == found["value"]
            if equal == (found["op"] == "!="):
                return False
        elif found["set"]:
            listed = present and labels[key] in {v.strip() for v in found["values"].split(",")}
            if listed == (found["set"] == "notin"):
                return False
        elif not present:
            return False
    return True


def refuse_json_patches(
    files: dict[str, str],
    loaded: list[yamldocs.YamlFile],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    field: tuple[str, ...],
    request: EditRequest,
    moved: Templates | None = None,
) -> None:
    """Refuses the edit of a Role (``before``, plain; ``after``, as the edit leaves it) that a JSON 6902
    patch under the path would undo or break in its overlay (the module's docstring says how). For a
    Composition holding the Role's template, ``before`` and ``after`` are the Composition, ``field`` the
    template's list of policies in it, and ``moved`` its template list (``Templates``)."""
    name = str(_mapping(before.get("metadata")).get("name", ""))
    kind = str(before.get("kind", "Role"))
    below, after_own = ids_below(loaded, after), ids_below(loaded, after, own=True)
    for patch in json_patches(files, loaded):
        layers = after_own if patch.entry.startswith(f"{AFTER_OWN}[") else below
        how = selection(patch.target, before, layers.get(patch.kustomization))
        if how is None:
            continue
        problem = _problem(patch.ops, _as_patched(before), _as_patched(after), field, request, moved)
        if problem:
            named = f"{kind} {name} ({how})" if how else f"{kind} {name}"
            raise GitOpsEditError(
                f"{patch.kustomization}: {patch.entry} ({patch.source}) targets {named}: {problem}: "
                "policygen does not edit patches. Change the patch by hand (the generated policy's ARN is "
                f"{request.policy_arn(0)}), then run again. Nothing was changed"
            )


_ITEM_KEYS = {"remove": "path", "replace": "path", "test": "path", "move": "from", "copy": "from"}


def _as_patched(role: Mapping[str, Any]) -> Any:
    """The Role as a patch sees it: kustomize keeps its own annotations on every resource while it builds
    (kioutil's internal annotations, removed from the output), so ``metadata.annotations`` is there."""
    document = plain(role)
    if isinstance(document.get("metadata"), dict):
        document["metadata"].setdefault("annotations", {})
    return document


@dataclass(frozen=True)
class Templates:
    """A Composition's template list that the edit changed (``path``, tokens from the document's root):
    its templates before the edit and after it, the same objects where the edit kept one. The edit removes
    templates (a broad attachment's) and appends its own, so a template after a removed one moves up."""

    path: tuple[str, ...]
    before: list[Any]
    after: list[Any]
    own: Any = None  # the edited Role's template (its list is ``field``'s, checked on its own)


def _problem(
    ops: list[dict[str, Any]],
    before: Any,
    after: Any,
    field: tuple[str, ...],
    request: EditRequest,
    moved: Templates | None = None,
) -> str:
    dotted = ".".join(field)
    broken = False  # the patch already failed on the Role as it was: not this edit's doing
    put_by = ""  # the op after which the overlay's list last came to hold a broad ARN
    templates_by: dict[str, str] = {}  # each template an op put holding one, and the op that last did
    for number, op in enumerate(ops, start=1):
        kind = str(op.get("op"))
        named = f"op {number} ({kind} {op.get('path')})"
        if kind in ("copy", "move"):
            named = f"op {number} ({kind} {op.get('from')} to {op.get('path')})"
        shifted = _moved_template(op, moved) if moved is not None and not broken else ""
        if shifted:
            return f"its {named} {shifted}"
        pointer = op.get(_ITEM_KEYS.get(kind, ""))
        index = _item_of(pointer, field)
        # a test changes nothing: one of an item the edit changed fails, which the apply below says
        if index is not None and not broken and kind != "test":
            old, new = _at(before, pointer), _at(after, pointer)
            if old != new:
                does = {"copy": "copy", "move": "move", "remove": "remove"}.get(kind, "replace")
                return (
                    f"its {named} names item {index} of {dotted} by position: {_shown(old)} before this "
                    f"edit, {_shown(new)} after it, so the overlay would {does} another policy than it did"
                )
        if not broken:
            try:
                before = apply_op(before, op)
            except OpFailed:
                broken = True
        had = _broad(after, field, request)
        held = _broad_templates(after, moved, request) if moved is not None else {}
        try:
            after = apply_op(after, op)
        except OpFailed as err:
            if broken:
                return ""
            return (
                f"its {named} would no longer apply once the Role is edited ({err}), so kustomize build of "
                "that overlay would fail"
            )
        if _broad(after, field, request) and not had:
            put_by = named
        if moved is not None:
            added = [t for t in _broad_templates(after, moved, request).items() if t not in held.items()]
            templates_by.update((shown, named) for shown, _ in added)
    # every template an op put that the overlay still holds, not only the last op's: a later op may drop
    # that one and leave an earlier one
    holding = _broad_templates(after, moved, request) if moved is not None else {}
    kept = next((shown for shown in templates_by if shown in holding), None)
    if moved is not None and kept is not None:
        return (
            f"its {templates_by[kept]} puts {kept} holding {', '.join(holding[kept])} in "
            f"{'.'.join(moved.path)}, so the overlay keeps the broad policy whatever the base says (and an "
            "edit of the base alone would claim to replace it)"
        )
    broad = _broad(after, field, request)
    if broad and put_by:
        return (
            f"its {put_by} puts {', '.join(broad)} in {dotted}, so the overlay keeps the broad policy "
            "whatever the base says (and an edit of the base alone would claim to replace it)"
        )
    return ""


def _broad_templates(document: Any, moved: Templates, request: EditRequest) -> dict[str, list[str]]:
    """The templates of the edited list in the overlay's Composition that hold a broad ARN anywhere (an
    attachment's ``policyArn``, a Role's ``managedPolicyArns``) and that the edit does not leave so: one an
    op added, or changed to hold it. The edited Role's own template is left out: its list is checked as
    ``field`` (``_problem``). Shown as ``_template_shown`` says, each with its broad ARNs."""
    try:
        templates = _walk(document, list(moved.path), "/".join(moved.path))
    except OpFailed:
        return {}
    edited = [plain(t) for t in moved.after]
    found: dict[str, list[str]] = {}
    for template in templates if isinstance(templates, list) else []:
        if template in edited or (moved.own is not None and _same_template(template, plain(moved.own))):
            continue
        broad = sorted({arn for arn in _strings(template) if arn in request.replace_arns})
        if broad:
            found.setdefault(_template_shown(template), broad)
    return found


def _same_template(template: Any, own: Any) -> bool:
    """Whether a template of the overlay is the edited Role's: by its name (required in a pipeline step),
    else by its base's kind and metadata (the Role's name, external-name annotation)."""
    if not isinstance(template, Mapping) or not isinstance(own, Mapping):
        return False
    if own.get("name"):
        return bool(template.get("name") == own["name"])
    mine, theirs = _mapping(own.get("base")), _mapping(template.get("base"))
    return all(mine.get(k) == theirs.get(k) for k in ("apiVersion", "kind", "metadata"))


def _strings(node: object) -> list[str]:
    if isinstance(node, Mapping):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def _moved_template(op: Mapping[str, Any], moved: Templates) -> str:
    """How an op names, by position, a template of the edited list that is another one after the edit
    (the overlay would patch, or drop, another composed resource than it did); "" when none. An ``add``
    of a whole template at a position inserts it, naming no template."""
    size = len(moved.path)
    for key in ("path", "from"):
        tokens = _tokens(op.get(key))
        if tokens is None or len(tokens) <= size or tuple(tokens[:size]) != moved.path:
            continue
        if key == "path" and len(tokens) == size + 1 and op.get("op") in ("add", "copy", "move"):
            continue
        token = tokens[size]
        if token == "-":
            continue
        old, new = _template_at(moved.before, token), _template_at(moved.after, token)
        if old is not new:
            return (
                f"names template {token} of {'.'.join(moved.path)} by position: {_template_shown(old)} "
                f"before this edit, {_template_shown(new)} after it, so the overlay would patch another "
                "template than it did"
            )
    return ""


def _template_at(templates: list[Any], token: str) -> Any:
    try:
        return templates[_index(templates, token, token)]
    except OpFailed:
        return None


def _template_shown(template: Any) -> str:
    if not isinstance(template, Mapping):
        return "nothing"
    if template.get("name"):
        return f"resource {template['name']}"
    kind = _mapping(template.get("base")).get("kind", "")
    return f"an unnamed {kind} template".replace("  ", " ")


def _broad(document: Any, field: tuple[str, ...], request: EditRequest) -> list[str]:
    node = document
    for key in field:  # a Composition's field goes through its template lists by position
        if isinstance(node, list) and key.isdigit():
            node = node[int(key)] if int(key) < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
    listed = [str(v) for v in node] if isinstance(node, list) else []
    return [arn for arn in listed if arn in request.replace_arns]


def _shown(value: object) -> str:
    return "nothing" if value is _MISSING else str(value)


def _item_of(pointer: object, field: tuple[str, ...]) -> str | None:
    """The index token of a pointer to an item of the policies list, by position (not ``-``)."""
    tokens = _tokens(pointer)
    if tokens is None or len(tokens) <= len(field) or tuple(tokens[: len(field)]) != field:
        return None
    index = tokens[len(field)]
    return index if re.fullmatch(r"-?\d+", index) else None


_MISSING = object()


def _tokens(pointer: object) -> list[str] | None:
    """RFC 6901 "JSON Pointer": ``/a~1b/0`` -> ``["a/b", "0"]``; None when it is no pointer."""
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")] if pointer else []


def _at(document: Any, pointer: object) -> Any:
    tokens = _tokens(pointer)
    try:
        return _walk(document, tokens, pointer) if tokens is not None else _MISSING
    except OpFailed:
        return _MISSING


def _walk(document: Any, tokens: list[str], pointer: object, null_if_missing: bool = False) -> Any:
    """The value at ``tokens``; with ``null_if_missing``, null for a key missing from a mapping that is
    there (kustomize's json-patch library reads it so for ``copy`` and ``test``)."""
    node = document
    for at, token in enumerate(tokens):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, dict) and null_if_missing and at == len(tokens) - 1:
            return None
        elif isinstance(node, list):
            node = node[_index(node, token, pointer)]
        else:
            raise OpFailed(f"no {pointer}")
    return node


def _index(items: list[Any], token: str, pointer: object, insert: bool = False) -> int:
    """A list index; negative ones count from the end (of the list one longer, for an insertion), as
    evanphx/json-patch, kustomize's, allows."""
    if not re.fullmatch(r"-?\d+", token):
        raise OpFailed(f"no {pointer}")
    index = int(token)
    size = len(items) + (1 if insert else 0)
    if index < 0:
        index += size
    if not 0 <= index < size:
        raise OpFailed(f"no {pointer}")
    return index


def apply_op(document: Any, op: Mapping[str, Any]) -> Any:
    """``document`` after one RFC 6902 operation (section 4), on a copy, as kustomize applies it (checked
    against ``kubectl kustomize``, kustomize v5.5.0): a ``replace`` of a key missing from a mapping adds
    it, a ``copy`` or ``test`` of one reads null."""
    document = copy.deepcopy(document)
    kind, path = op.get("op"), op.get("path")
    tokens = _tokens(path)
    if tokens is None:
        raise OpFailed(f"{path!r} is no JSON pointer")
    if kind == "test":
        if _walk(document, tokens, path, null_if_missing=True) != op.get("value"):
            raise OpFailed(f"the test of {path} fails")
        return document
    if kind in ("copy", "move"):
        source = _tokens(op.get("from"))
        if source is None:
            raise OpFailed(f"{op.get('from')!r} is no JSON pointer")
        value = _walk(document, source, op.get("from"), null_if_missing=kind == "copy")
        if kind == "move":
            document = apply_op(document, {"op": "remove", "path": op.get("from")})
        return apply_op(document, {"op": "add", "path": path, "value": value})
    if kind not in ("add", "remove", "replace"):
        raise OpFailed(f"no op {kind!r}")
    value = copy.deepcopy(op.get("value"))
    if not tokens:
        if kind == "remove":
            raise OpFailed("the whole document cannot be removed")
        return value
    parent, token = _walk(document, tokens[:-1], path), tokens[-1]
    if isinstance(parent, list):
        if kind == "add":
            parent.insert(len(parent) if token == "-" else _index(parent, token, path, insert=True), value)
        elif kind == "remove":
            del parent[_index(parent, token, path)]
        else:
            parent[_index(parent, token, path)] = value
    elif isinstance(parent, dict):
        if kind == "remove" and token not in parent:
            raise OpFailed(f"no {path}")
        if kind == "remove":
            del parent[token]
        else:
            parent[token] = value
    else:
        raise OpFailed(f"no {path}")
    return document
