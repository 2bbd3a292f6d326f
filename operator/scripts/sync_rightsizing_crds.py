"""Copy the PolicyGeneration CRD's shared spec blocks into the Rightsizing and ClusterRightsizing CRDs.

The parents accept the same ``sourceRef``, ``cloudTrail``, ``window``, ``schedule``, ``aws`` and
``output.pullRequest`` blocks and the same ``policy.resourceLevel``/``policy.excludeActions`` as a
PolicyGeneration (their children are PolicyGenerations with those blocks copied), so their schemas must not
drift (``output.pullRequest.grouping`` is the parents' own, added here): ``tests/unit/test_packaging.py``
fails when they do, and this script (``python operator/scripts/sync_rightsizing_crds.py``, from the
repository root) makes them equal again and refreshes the chart's copies. The files' leading comment
lines are kept.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "crds" / "policygen.io_policygenerations.yaml"
TARGETS = [ROOT / "crds" / f"policygen.io_{kind}.yaml" for kind in ("rightsizings", "clusterrightsizings")]
SHARED = ("sourceRef", "cloudTrail", "window", "schedule", "aws")
SHARED_POLICY = ("resourceLevel", "excludeActions")
# What a parent's output.pullRequest adds to the PolicyGeneration's block: the children's pull requests can
# be grouped per namespace (one pull request editing every role's file) instead of one per role.
GROUPING = {
    "type": "string",
    "enum": ["role", "namespace"],
    "default": "role",
    "description": "role: one pull request per role. namespace: one pull request per namespace editing the "
    "file of every role found there ({role} and {namespace} in path are filled in per role); all files or "
    "none. A role found in several namespaces goes with the first of them (sorted).",
}


def spec_schema(crd: dict) -> dict:  # type: ignore[type-arg]
    schema: dict = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]  # type: ignore[type-arg]
    return schema


def main() -> None:
    source_schema = spec_schema(yaml.safe_load(SOURCE.read_text()))
    source = source_schema["properties"]
    for target in TARGETS:
        text = target.read_text()
        header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        crd = yaml.safe_load(text)
        schema = spec_schema(crd)
        props = schema["properties"]
        for key in SHARED:
            props[key] = source[key]
        for key in SHARED_POLICY:
            props["policy"]["properties"][key] = source["policy"]["properties"][key]
        pull_request = copy.deepcopy(source["output"]["properties"]["pullRequest"])
        pull_request["properties"]["grouping"] = GROUPING
        props["output"]["properties"]["pullRequest"] = pull_request
        # The source rules (exactly one of sourceRef or cloudTrail; no roleArn with a source) apply as is.
        schema["x-kubernetes-validations"] = source_schema["x-kubernetes-validations"]
        target.write_text(header + yaml.safe_dump(crd, sort_keys=False, width=110))
        shutil.copyfile(target, ROOT / "charts" / "policygen-operator" / "crds" / target.name)


if __name__ == "__main__":
    main()
