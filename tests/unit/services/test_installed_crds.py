"""The start-up guard against CRDs older than the operator (``helm upgrade`` never upgrades a chart's crds/):
the fields it relies on, read from the API server's OpenAPI v3 document of the group. The document is built
here from crds/ the way the API server publishes it (one ``components.schemas`` entry per kind, named by the
reversed group); tests/integration/test_upgrade.py reads the real one from kube-apiserver."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from policygen_operator.adapters.errors import Permanence
from policygen_operator.adapters.kubernetes.client import KubernetesError
from policygen_operator.services.installed_crds import (
    RELIED_ON,
    OutdatedCrds,
    check_installed_crds,
    has_field,
    missing_fields,
    schema_name,
)

CRDS = Path(__file__).resolve().parents[3] / "crds"


def published(crds: Path = CRDS) -> dict[str, Any]:
    schemas = {}
    for path in sorted(crds.glob("*.yaml")):
        crd = YAML(typ="safe").load(path.read_text())
        [version] = crd["spec"]["versions"]
        schemas[schema_name(crd["spec"]["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return {"openapi": "3.0.0", "components": {"schemas": schemas}}


def without(document: dict[str, Any], kind: str, *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node = changed["components"]["schemas"][schema_name(kind)]
    for step in path[:-1]:
        node = node["properties"][step] if step != "[]" else node["items"]
    del node["properties"][path[-1]]
    return changed


class Schemas:
    def __init__(self, document: dict[str, Any] | None = None, error: KubernetesError | None = None) -> None:
        self.document = document
        self.error = error

    async def published_schemas(self) -> dict[str, Any] | None:
        if self.error:
            raise self.error
        return self.document


def test_the_schema_names_are_the_api_servers() -> None:
    """As kube-apiserver v1.33 names them in /openapi/v3/apis/policygen.io/v1alpha1 (seen on the test
    control plane: io.policygen.v1alpha1.PolicyGeneration)."""
    assert schema_name("PolicyGeneration") == "io.policygen.v1alpha1.PolicyGeneration"


def test_this_trees_crds_have_every_field_the_operator_relies_on() -> None:
    """Also keeps RELIED_ON honest: a path misspelt there would be reported missing here."""
    document = published()
    for kind in RELIED_ON:
        assert schema_name(kind) in document["components"]["schemas"]
    assert missing_fields(document) == []


def test_a_crd_without_dry_run_is_named_field_by_field() -> None:
    document = without(published(), "PolicyGeneration", "spec", "output", "pullRequest", "dryRun")
    document = without(document, "ClusterRightsizing", "status", "roles", "[]", "pullRequest", "baseSha")
    assert missing_fields(document) == [
        "PolicyGeneration spec.output.pullRequest.dryRun",
        "ClusterRightsizing status.roles[].pullRequest.baseSha",
    ]


def test_a_kind_whose_crd_is_not_installed_is_not_checked() -> None:
    document = published()
    del document["components"]["schemas"][schema_name("Rightsizing")]
    assert missing_fields(document) == []
    assert missing_fields({}) == []


def test_has_field_walks_objects_and_list_items() -> None:
    schema = {"properties": {"a": {"type": "array", "items": {"properties": {"b": {"type": "string"}}}}}}
    assert has_field(schema, "a[].b")
    assert not has_field(schema, "a.b")
    assert not has_field(schema, "a[].c")
    assert not has_field(schema, "x")


async def test_outdated_crds_stop_the_start_naming_the_fields_and_the_fix() -> None:
    old = without(published(), "PolicyGeneration", "spec", "output", "pullRequest", "dryRun")
    with pytest.raises(OutdatedCrds) as raised:
        await check_installed_crds(Schemas(old))
    message = str(raised.value)
    assert "PolicyGeneration spec.output.pullRequest.dryRun" in message
    assert "kubectl apply --server-side --force-conflicts -f charts/policygen-operator/crds/" in message
    assert "kubectl apply -k deploy/" in message
    await check_installed_crds(Schemas(published()))
    await check_installed_crds(Schemas(None))  # the group not served: nothing installed to check


async def test_schemas_that_cannot_be_read_are_a_loud_warning_not_a_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forbidden = KubernetesError(
        "reading /openapi/v3/apis/policygen.io/v1alpha1: HTTP 403: forbidden", permanence=Permanence.PERMANENT
    )
    with caplog.at_level(logging.WARNING):
        await check_installed_crds(Schemas(error=forbidden))
    [record] = [r for r in caplog.records if r.name == "policygen_operator.services.installed_crds"]
    assert record.levelno == logging.WARNING
    assert "HTTP 403" in record.getMessage() and "dryRun" in record.getMessage()
