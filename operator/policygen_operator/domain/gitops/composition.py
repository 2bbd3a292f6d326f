"""Crossplane Compositions that compose IAM Roles: edited when the role is certainly the one asked for.

Platform teams rarely write bare managed resources: a ``Composition`` (``apiextensions.crossplane.io/v1``)
lists them as templates, ``spec.resources[].base`` with ``patches`` (classic mode, Crossplane v1) or, in
``spec.mode: Pipeline``, the ``input.resources[]`` of a step running function-patch-and-transform (input
``pt.fn.crossplane.io/v1beta1`` ``Resources``; crossplane-contrib/function-patch-and-transform). Every
composite resource (XR) made from the Composition gets its own copy of each resource, so the IAM name of a
composed Role is known from the code only when the base writes it: the ``crossplane.io/external-name``
annotation, else ``metadata.name`` (Crossplane keeps a name a function sets and generates one only when
there is none: crossplane/crossplane internal/names/generate.go), and no patch overwrites it. A name
patched from the composite (upbound/platform-ref-aws's XIRSA: ``metadata.name`` to the external-name
annotation) or generated from the XR's name (its XEKS roles) differs per XR: policygen cannot tell which XR
made the role asked for, and editing the Composition would change every role it makes, so that is refused
naming the Composition and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policygen_operator.domain.gitops import yamldocs

GROUP = "apiextensions.crossplane.io"
PATCH_AND_TRANSFORM = "pt.fn.crossplane.io"
EXTERNAL_NAME = "crossplane.io/external-name"
# the fields that give a composed resource's name; ``writes`` also counts a patch of a map holding them
# (metadata.annotations, metadata), not one of another label or annotation
_NAME_PATHS = (f"metadata.annotations[{EXTERNAL_NAME}]", "metadata.name")


@dataclass
class Composed:
    """One resource template of a Composition: ``entry`` (``name``, ``base``, ``patches``) in ``entries``."""

    file: yamldocs.YamlFile
    index: int  # the Composition's document in the file
    composition: yamldocs.Document
    step: str | None  # the pipeline step, None in classic mode
    entries: list[Any]  # ruamel's CommentedSeq: removing and appending edits the document
    entry: dict[str, Any]
    patch_sets: dict[str, list[Any]]

    @property
    def base(self) -> dict[str, Any]:
        base = self.entry.get("base")
        return base if isinstance(base, dict) else {}

    @property
    def api_group(self) -> str:
        api = str(self.base.get("apiVersion", ""))
        return api.split("/")[0] if "/" in api else ""

    @property
    def kind(self) -> str:
        return str(self.base.get("kind", ""))

    def get(self, *keys: str) -> Any:
        node: Any = self.base
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    @property
    def where(self) -> str:
        name = self.composition.get("metadata", "name")
        place = f"pipeline step {self.step}" if self.step is not None else "spec.resources"
        return f"{self.file.where(self.index)}: Composition {name}, {place}, {self.short}"

    @property
    def short(self) -> str:
        """The template among its Composition's: its name (required in a pipeline), else its position."""
        entry = self.entry.get("name")
        return f"resource {entry}" if entry else f"resource #{self.entries.index(self.entry) + 1}"

    def list_path(self) -> tuple[str, ...]:
        """Where its template list is in the Composition, as JSON pointer tokens (a Kustomize JSON 6902
        patch names it so): ``spec.resources``, or the step's ``input.resources`` in ``spec.pipeline``."""
        if self.step is None:
            return ("spec", "resources")
        steps = self.composition.get("spec", "pipeline") or []
        at = next(
            i
            for i, s in enumerate(steps)
            if isinstance(s, dict)
            and isinstance(s.get("input"), dict)
            and s["input"].get("resources") is self.entries
        )
        return ("spec", "pipeline", str(at), "input", "resources")

    def position(self) -> int:
        """Its index in its template list (by identity: two templates may be written alike)."""
        return next(i for i, e in enumerate(self.entries) if e is self.entry)

    def patches(self) -> list[dict[str, Any]]:
        """The entry's patches, those of the patch sets it names included."""
        found: list[dict[str, Any]] = []
        for patch in self.entry.get("patches") or []:
            if not isinstance(patch, dict):
                continue
            if patch.get("type") == "PatchSet":
                found += [
                    p for p in self.patch_sets.get(str(patch.get("patchSetName")), []) if isinstance(p, dict)
                ]
            else:
                found.append(patch)
        return found

    def patched(self, *paths: str) -> list[dict[str, Any]]:
        """The patches that write one of ``paths`` (or a field under it) from the composite or its
        environment: a value the base gives there is not what the resource gets."""
        return [
            p
            for p in self.patches()
            if p.get("type", "FromCompositeFieldPath") not in ("ToCompositeFieldPath", "CombineToComposite")
            and any(under(str(p.get("toFieldPath", "")), path) for path in paths)
        ]

    def writes(self, *paths: str) -> list[dict[str, Any]]:
        """The patches that write one of ``paths``, a field under it, or a field that holds it (a patch to
        ``metadata.annotations`` replaces every annotation): what the composed resource gets there is the
        composite's, not the base's."""
        return [
            p
            for p in self.patches()
            if p.get("type", "FromCompositeFieldPath") not in ("ToCompositeFieldPath", "CombineToComposite")
            and any(
                under(str(p.get("toFieldPath", "")), path) or under(path, str(p.get("toFieldPath", "")))
                for path in paths
            )
        ]

    def iam_name(self) -> tuple[str | None, str]:
        """The role's IAM name when the base writes it and nothing patches it, else None; and how it is
        given, for the messages."""
        annotations = self.get("metadata", "annotations") or {}
        name_patches = self.writes(*_NAME_PATHS)
        if name_patches:
            return None, f"whose name is patched from the composite ({describe(name_patches[0])})"
        if annotations.get(EXTERNAL_NAME):
            return str(annotations[EXTERNAL_NAME]), f"with external name {annotations[EXTERNAL_NAME]!r}"
        if self.get("metadata", "name"):
            return str(self.get("metadata", "name")), f"with metadata.name {self.get('metadata', 'name')!r}"
        return None, (
            "with no name in its base (Crossplane names it after each composite resource, with a random "
            "suffix)"
        )


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def describe(patch: dict[str, Any]) -> str:
    """A patch as a reviewer would read it: its type, what it reads and what it writes."""
    kind = patch.get("type", "FromCompositeFieldPath")
    source = patch.get("fromFieldPath")
    if source is None:
        variables = (patch.get("combine") or {}).get("variables") or []
        source = " + ".join(str(v.get("fromFieldPath")) for v in variables if isinstance(v, dict))
    transformed = " with transforms" if patch.get("transforms") else ""
    return f"{kind} {source} to {patch.get('toFieldPath')}{transformed}"


@dataclass
class Unread:
    """A pipeline step policygen does not read (a function other than patch-and-transform)."""

    where: str
    function: str


def composed(loaded: list[yamldocs.YamlFile]) -> tuple[list[Composed], list[Unread]]:
    """Every resource template of the Compositions in the files, and the pipeline steps whose templates are
    not patch-and-transform's (go-templating, KCL, a function of one's own), which are not read."""
    found: list[Composed] = []
    unread: list[Unread] = []
    for parsed in loaded:
        for index, document in parsed.objects():
            if document.api_group != GROUP or document.kind != "Composition":
                continue
            spec = document.get("spec") or {}
            lists: list[tuple[str | None, Any, Any]] = []
            if isinstance(spec.get("resources"), list):
                lists.append((None, spec["resources"], spec.get("patchSets")))
            for step in spec.get("pipeline") or []:
                if not isinstance(step, dict):
                    continue
                given: dict[str, Any] = step["input"] if isinstance(step.get("input"), dict) else {}
                api = str(given.get("apiVersion", ""))
                if api.split("/")[0] == PATCH_AND_TRANSFORM and given.get("kind") == "Resources":
                    lists.append((str(step.get("step")), given.get("resources"), given.get("patchSets")))
                else:
                    function = str((step.get("functionRef") or {}).get("name"))
                    name = document.get("metadata", "name")
                    unread.append(
                        Unread(
                            f"{parsed.where(index)}: Composition {name}, step {step.get('step')}", function
                        )
                    )
            for step_name, entries, patch_sets in lists:
                if not isinstance(entries, list):
                    continue
                sets = {
                    str(s.get("name")): list(s.get("patches") or [])
                    for s in patch_sets or []
                    if isinstance(s, dict)
                }
                for entry in entries:
                    if isinstance(entry, dict):
                        found.append(Composed(parsed, index, document, step_name, entries, entry, sets))
    return found, unread
