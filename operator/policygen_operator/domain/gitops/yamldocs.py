"""Multi-document YAML files edited with a ruamel.yaml round trip, one document at a time.

Only documents we change are re-serialised; the others keep their exact text. For a changed document we
pick the indentation (mapping indent, sequence dash offset) that reproduces the original best, and the
lines the edit does not change keep the original's text (``kept_layout``), so the diff is the lines we
meant to change and nothing else.
"""

from __future__ import annotations

import difflib
import io
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from policygen_operator.domain.gitops.model import GitOpsEditError

_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")
_INDENTS = ((2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 4, 2), (4, 6, 4), (3, 3, 0), (3, 5, 3))


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def _dump(data: Any, indent: tuple[int, int, int]) -> str:
    stream = io.StringIO()
    _yaml(indent).dump(data, stream)
    return stream.getvalue()


@dataclass
class Document:
    separator: str  # the "---" line that opens it (with its newline), "" for the first document
    text: str
    data: Any = None
    changed: bool = False
    removed: bool = False
    indent: tuple[int, int, int] | None = None

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def api_group(self) -> str:
        api = str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""
        return api.split("/")[0] if "/" in api else ""

    def get(self, *keys: str) -> Any:
        node = self.data
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def best_indent(self) -> tuple[int, int, int]:
        """The indentation whose round trip of the original text differs from it in the fewest lines."""
        if self.indent is None:
            original = _yaml(_INDENTS[0]).load(self.text)
            lines = self.text.splitlines()
            scores = []
            for indent in _INDENTS:
                dumped = _dump(original, indent)
                if dumped == self.text:
                    self.indent = indent
                    return indent
                scores.append((_lines_differing(lines, dumped.splitlines()), indent))
            self.indent = min(scores)[1]
        return self.indent

    def render(self) -> str:
        if self.removed:
            # The comment lines heading a file belong to the file, not to its first object.
            return "" if self.separator else _leading_comments(self.text)
        if not self.changed:
            return self.separator + self.text
        indent = self.best_indent()
        edited = _dump(self.data, indent)
        if not self.text.strip():
            return self.separator + edited
        roundtrip = _dump(_yaml(indent).load(self.text), indent)
        return self.separator + kept_layout(self.text, roundtrip, edited)


def _lines_differing(old: list[str], new: list[str]) -> int:
    """Lines removed plus lines added between two texts. ``difflib.ndiff`` counted them before, but it also
    pairs similar lines inside every changed block character by character (its "fancy replace"), work that
    grows with the block's size squared and that this count never reads: a 1,400-line template whose every
    list a dump re-indented took minutes. The line matching is the same (``SequenceMatcher`` over lines; no
    "popular line" junk heuristic, which would call a template's repeated lines changed)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(i2 - i1 + j2 - j1 for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def kept_layout(
    original: str, roundtrip: str, edited: str, same: Callable[[str, str], bool] | None = None
) -> str:
    """``edited`` with the lines the edit did not change written as ``original`` writes them. One
    indentation serves every sequence of a dump, so a list the text starts on its item's dash
    (``- - !Ref X``) or indents otherwise than its neighbours, and a line's trailing spaces, came back
    changed wherever they were: the change is taken as the round trip's diff against the edit and made to
    the original's lines instead. Where the round trip rewrote lines otherwise than one for one (a block
    of lines for another), a change that reaches into them leaves the dump as it is; so does a text that
    would not read back as the edit (``same``: whether two texts read back alike; YAML's reading by
    default, a JSON template gives its own)."""
    if roundtrip == original:
        return edited
    old, round_lines, new = (t.splitlines(keepends=True) for t in (original, roundtrip, edited))
    # each run of round-trip lines and the original lines it was made from: (start, end, lines)
    runs: list[tuple[int, int, list[str]]] = []
    matcher = difflib.SequenceMatcher(None, round_lines, old, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            runs.extend((i1 + k, i1 + k + 1, [old[j1 + k]]) for k in range(i2 - i1))
        else:
            runs.append((i1, i2, old[j1:j2]))
    out: list[str] = []
    at = 0
    edit = difflib.SequenceMatcher(None, round_lines, new, autojunk=False)
    for tag, _, i2, j1, j2 in edit.get_opcodes():
        if tag != "equal":
            out.extend(new[j1:j2])
        while at < len(runs) and (runs[at][0] < i2 or (tag == "equal" and runs[at][0] == runs[at][1] == i2)):
            _, end, lines = runs[at]
            if end > i2:
                return edited  # a run the edit cuts through: its lines are not one for one
            if tag == "equal":
                out.extend(lines)
            at += 1
    out.extend(line for _, _, lines in runs[at:] for line in lines)
    merged = "".join(out)
    return merged if (same or _same_yaml)(merged, edited) else edited


def _same_yaml(first: str, second: str) -> bool:
    try:
        return bool(_shape(_yaml(_INDENTS[0]).load(first)) == _shape(_yaml(_INDENTS[0]).load(second)))
    except YAMLError:
        return False


def _shape(node: Any) -> Any:
    """A loaded document as comparable values, tags included (ruamel's tagged values compare by
    identity)."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, dict):
        return ("map", tag, [(_shape(k), _shape(v)) for k, v in node.items()])
    if isinstance(node, list):
        return ("seq", tag, [_shape(v) for v in node])
    if hasattr(node, "value") and tag is not None:
        return ("scalar", tag, str(node.value))
    return (type(node).__name__, node)


def _leading_comments(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


@dataclass
class YamlFile:
    path: str
    original: str
    documents: list[Document] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def parse(cls, path: str, text: str) -> YamlFile:
        parsed = cls(path, text)
        separator, lines = "", list[str]()
        for line in text.splitlines(keepends=True):
            if _SEPARATOR.match(line.rstrip("\r\n")):
                parsed.documents.append(Document(separator, "".join(lines)))
                separator, lines = line, []
            else:
                lines.append(line)
        parsed.documents.append(Document(separator, "".join(lines)))
        try:
            for document in parsed.documents:
                document.data = _yaml(_INDENTS[0]).load(document.text)
        except YAMLError as exc:
            parsed.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return parsed

    def objects(self) -> Iterator[tuple[int, Document]]:
        for index, document in enumerate(self.documents):
            if isinstance(document.data, dict) and not document.removed:
                yield index, document

    def where(self, index: int) -> str:
        return f"{self.path} (document {index + 1})"

    def append(self, data: Any) -> None:
        indent = next((d.best_indent() for _, d in self.objects()), _INDENTS[0])
        last = self.documents[-1]
        if last.text and not last.text.endswith("\n"):
            last.text += "\n"
        document = Document("---\n", "", data=data, changed=True, indent=indent)
        self.documents.append(document)

    def render(self) -> str:
        out, drop_separator = [], False
        for document in self.documents:
            if drop_separator and not document.removed:
                # The first object was removed: the next one becomes the first, without a "---" of its own.
                out.append(document.render()[len(document.separator) :])
                drop_separator = False
                continue
            out.append(document.render())
            drop_separator = drop_separator or (
                document is self.documents[0] and document.removed and not self.original.startswith("---")
            )
        return "".join(out)


def load_files(files: dict[str, str]) -> tuple[list[YamlFile], list[str]]:
    """The YAML files under the path, and a note for each one that could not be parsed."""
    loaded, skipped = [], []
    for path in sorted(files):
        if not path.endswith((".yaml", ".yml")) and posixpath.basename(path) not in KUSTOMIZATIONS:
            continue
        parsed = YamlFile.parse(path, files[path])
        if parsed.error:
            skipped.append(_template_note(files, path) or f"{path}: not parsed ({parsed.error})")
        else:
            loaded.append(parsed)
    if not loaded and not skipped:
        raise GitOpsEditError(f"no YAML file (*.yaml, *.yml) under the path; looked at {len(files)} file(s)")
    return loaded, skipped


# The names kustomize reads a kustomization from (kustomize api/konfig/general.go,
# RecognizedKustomizationFileNames)
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_patches(loaded: list[YamlFile], targeted: bool = True) -> dict[str, str]:
    """Each file a kustomization among ``loaded`` lists as a patch (``patches: - path: X``,
    ``patchesStrategicMerge: [X]``; the Kustomization reference at kubectl.docs.kubernetes.io) -> the first
    kustomization listing it. Such a file holds partial objects merged into its bases' resources, not
    objects of their own. ``targeted=False`` leaves out the ``patches`` entries with a ``target``: the files
    listed so are applied to what the target selects (``targeted_patch_files``), not to the objects they
    name."""
    return {path: listing[0] for path, listing in patch_listings(loaded, targeted).items()}


def patch_listings(loaded: list[YamlFile], targeted: bool = True) -> dict[str, list[str]]:
    """Each file a kustomization among ``loaded`` lists as a patch -> every kustomization listing it
    (``kustomize_patches``): a patch without a target names the resource by the ids the layers below its
    own kustomization give it (``kustomize.ids_had``)."""
    found: dict[str, list[str]] = {}
    for parsed in loaded:
        if posixpath.basename(parsed.path) not in KUSTOMIZATIONS:
            continue
        folder = posixpath.dirname(parsed.path)
        for _, document in parsed.objects():
            listed: list[object] = []
            patches = document.data.get("patches")
            if isinstance(patches, list):
                listed += [
                    p.get("path")
                    for p in patches
                    if isinstance(p, dict) and (targeted or not isinstance(p.get("target"), Mapping))
                ]
            merges = document.data.get("patchesStrategicMerge")
            if isinstance(merges, list):
                listed += merges
            for item in listed:
                if isinstance(item, str) and "\n" not in item and item.strip():
                    where = posixpath.normpath(posixpath.join(folder, item.strip()))
                    if parsed.path not in found.setdefault(where, []):
                        found[where].append(parsed.path)
    return found


@dataclass(frozen=True)
class InlinePatch:
    """A strategic-merge patch written in a kustomization rather than in a file it lists, or in a file a
    ``patches`` entry lists with a ``target`` (``file``): read alike, as the target, not the patch's own
    name, says what kustomize applies it to."""

    kustomization: str
    entry: str  # "patches[0]", "patchesStrategicMerge[1]"
    target: Mapping[str, Any] | None  # a patches entry's selector; None: the patch's own id picks
    documents: list[Document]
    file: str | None = None  # the patch file, for a patch not written inline

    def where(self, index: int) -> str:
        if self.file is not None:
            return (
                f"{self.file} (document {index + 1}; {self.kustomization}: {self.entry}, a strategic-merge "
                "patch with a target)"
            )
        document = f", document {index + 1}" if len(self.documents) > 1 else ""
        return f"{self.kustomization}: {self.entry} (an inline strategic-merge patch{document})"


def inline_patches(loaded: list[YamlFile]) -> Iterator[tuple[InlinePatch, int, Document]]:
    """Each object of the strategic-merge patches written inline in a kustomization among ``loaded``:
    ``patches: - patch: |-`` (with or without a ``target``) and ``patchesStrategicMerge: - |-`` items
    (the Kustomization reference at kubectl.docs.kubernetes.io, "patches" and "patchesStrategicMerge").
    Kustomize tells a strategic-merge patch from a JSON 6902 one by content (api/internal/builtins/
    PatchTransformer.go): a list of operations holds no object, and neither does a patch file's name."""
    for parsed in loaded:
        if posixpath.basename(parsed.path) not in KUSTOMIZATIONS:
            continue
        for _, kustomization in parsed.objects():
            for key in ("patches", "patchesStrategicMerge"):
                entries = kustomization.data.get(key)
                for number, entry in enumerate(entries if isinstance(entries, list) else []):
                    text, target = entry, None
                    if isinstance(entry, Mapping):
                        text, target = entry.get("patch"), entry.get("target")
                    if not isinstance(text, str):
                        continue
                    patch = YamlFile.parse(parsed.path, text.strip() + "\n")
                    if patch.error:
                        continue  # kustomize build of that overlay fails
                    selector = target if isinstance(target, Mapping) else None
                    found = InlinePatch(parsed.path, f"{key}[{number}]", selector, patch.documents)
                    for index, document in patch.objects():
                        yield found, index, document


def targeted_patch_files(loaded: list[YamlFile]) -> Iterator[tuple[InlinePatch, int, Document]]:
    """Each object of the patch files a kustomization among ``loaded`` lists with a target (``patches: -
    path: X`` beside ``target: {...}``), the file among ``loaded``. Kustomize applies such a strategic-merge
    patch to every resource its target selects, whatever the patch names (api/internal/builtins/
    PatchTransformer.go ``transformStrategicMerge``; api/resmap/reswrangler.go ``ApplySmPatch``), as an
    inline one (``inline_patches``). A JSON 6902 file holds a list of operations, no object
    (``kustomize.json_patches`` reads those)."""
    by_path = {parsed.path: parsed for parsed in loaded}
    for parsed in loaded:
        if posixpath.basename(parsed.path) not in KUSTOMIZATIONS:
            continue
        folder = posixpath.dirname(parsed.path)
        for _, kustomization in parsed.objects():
            entries = kustomization.data.get("patches")
            for number, entry in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(entry, Mapping) or not isinstance(entry.get("target"), Mapping):
                    continue
                path = entry.get("path")
                if not isinstance(path, str) or not path.strip() or "\n" in path:
                    continue
                patch_file = by_path.get(posixpath.normpath(posixpath.join(folder, path.strip())))
                if patch_file is None:
                    continue  # missing, or leaving the repository (which the service refuses)
                found = InlinePatch(
                    parsed.path, f"patches[{number}]", entry["target"], patch_file.documents, patch_file.path
                )
                for index, document in patch_file.objects():
                    yield found, index, document


def merge_patches(loaded: list[YamlFile]) -> Iterator[tuple[InlinePatch, int, Document]]:
    """The strategic-merge patches read by their kustomization's entry rather than by their own name: those
    written inline, and the files listed with a target."""
    yield from inline_patches(loaded)
    yield from targeted_patch_files(loaded)


def targeted_only(loaded: list[YamlFile]) -> set[str]:
    """The patch files every listing of which has a target: what they name is not what they patch."""
    return set(kustomize_patches(loaded)) - set(kustomize_patches(loaded, targeted=False))


def _template_note(files: dict[str, str], path: str) -> str:
    """What an unparsable file holding ``{{`` is: a Go template (Helm's, or a chart's under ``templates/``
    beside a ``Chart.yaml``, "Charts" in the Helm docs), YAML only once rendered. Said as such, the run's
    refusal reads as a chart to change by hand rather than a broken file."""
    if "{{" not in files[path]:
        return ""
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):
        chart = "/".join([*parts[:i], "Chart.yaml"])
        if parts[i] == "templates" and chart in files:
            return (
                f"{path}: a template of the Helm chart {chart}, YAML only once Helm renders it: not read "
                "(policygen edits manifests, not charts: change the chart's values or templates by hand)"
            )
    return f"{path}: a Go template ({{{{ ... }}}}), YAML only once it is rendered: not read"


def changes(files: list[YamlFile]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for parsed in files:
        text = parsed.render()
        if text != parsed.original:
            out[parsed.path] = text if text.strip() else None
    return out
