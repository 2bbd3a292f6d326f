"""Static checks of the CRD, the chart and deploy/ that need no API server (those are in test_chart.py)."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
CRD = ROOT / "crds" / "policygen.io_policygenerations.yaml"
CHART = ROOT / "charts" / "policygen-operator"


def load_all(path: Path) -> list[Any]:
    return [doc for doc in YAML(typ="safe").load_all(path.read_text()) if doc]


@pytest.mark.parametrize("crd", sorted((ROOT / "crds").glob("policygen.io_*.yaml")), ids=lambda p: p.name)
def test_chart_crd_is_a_byte_identical_copy_of_the_source_of_truth(crd: Path) -> None:
    assert load_all(crd), crd  # ruamel refuses duplicate keys, which kubectl refuses too
    assert (CHART / "crds" / crd.name).read_bytes() == crd.read_bytes(), (
        f"the chart's copy drifted from crds/: cp crds/{crd.name} charts/policygen-operator/crds/"
    )


def test_crd_names_columns_and_status_subresource() -> None:
    [crd] = load_all(CRD)
    assert crd["spec"]["group"] == "policygen.io" and crd["spec"]["scope"] == "Namespaced"
    assert crd["spec"]["names"]["kind"] == "PolicyGeneration" and crd["spec"]["names"]["shortNames"] == [
        "pgen"
    ]
    [version] = crd["spec"]["versions"]
    assert version["name"] == "v1alpha1" and version["subresources"] == {"status": {}}
    assert [c["name"] for c in version["additionalPrinterColumns"] if not c.get("priority")] == [
        "Principal",
        "Ready",
        "Actions",
        "Parts",
        "Age",
    ]
    schema = version["schema"]["openAPIV3Schema"]
    assert schema["properties"]["spec"]["required"] == ["principalArn"]
    assert "x-kubernetes-preserve-unknown-fields" not in json.dumps(schema)  # strict structural schema


# What a CRD's structural schema may say about a property (apiextensions.k8s.io/v1 JSONSchemaProps, the subset
# worth allowing); a key outside it is almost always YAML gone wrong, e.g. a comma in an unquoted flow-style
# description turning the rest of the sentence into keys, which the API server refuses at apply time.
SCHEMA_KEYS = {
    "type", "format", "description", "properties", "items", "required", "enum", "default", "pattern",
    "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "uniqueItems", "nullable",
    "additionalProperties", "x-kubernetes-validations", "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type", "x-kubernetes-int-or-string", "oneOf", "anyOf", "allOf", "not", "maxProperties",
    "minProperties", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "title", "example",
}  # fmt: skip


def _schema_keys_outside_the_vocabulary(schema: Any, path: str) -> list[str]:
    bad = [f"{path}.{key}" for key in schema if key not in SCHEMA_KEYS]
    for name, prop in (schema.get("properties") or {}).items():
        bad += _schema_keys_outside_the_vocabulary(prop, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        bad += _schema_keys_outside_the_vocabulary(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        bad += _schema_keys_outside_the_vocabulary(schema["additionalProperties"], f"{path}{{}}")
    return bad


def test_policygeneration_schema_uses_only_schema_keys() -> None:
    [crd] = load_all(CRD)
    for version in crd["spec"]["versions"]:
        schema = version["schema"]["openAPIV3Schema"]
        assert _schema_keys_outside_the_vocabulary(schema, version["name"]) == []


def test_crds_folder_holds_only_manifests_kubectl_apply_f_can_read() -> None:
    """`kubectl apply -f crds/` reads every .yaml/.yml/.json there; deploy/ includes the folder through
    `crds/Kustomization`, a name kubectl skips (tests/integration/test_chart.py applies both for real)."""
    for path in (ROOT / "crds").iterdir():
        if path.suffix in (".yaml", ".yml", ".json"):
            assert [d["kind"] for d in load_all(path)] == ["CustomResourceDefinition"], path.name
    assert (ROOT / "crds" / "Kustomization").is_file()


def test_values_schema_accepts_the_default_values() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (helm lint checks it)")
    values = YAML(typ="safe").load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.validate(values, schema)


def test_deploy_rbac_deletes_only_policygenerations_and_secrets_are_get_only() -> None:
    roles = [d for d in load_all(ROOT / "deploy" / "rbac.yaml") if d["kind"] == "ClusterRole"]
    verbs = {
        (group, resource): set(rule["verbs"])
        for role in roles
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert all("*" not in v for v in verbs.values())
    # rightsizing deletes the children of roles no longer discovered; nothing else is ever deleted
    assert [k for k, v in verbs.items() if "delete" in v] == [("policygen.io", "policygenerations")]
    assert verbs[("", "secrets")] == {"get"}
    assert verbs[("", "configmaps")] == {"get", "create", "update"}


def test_deploy_binds_only_the_cluster_role_cluster_wide() -> None:
    """Issue 10: deploy/ binds the main and -secrets roles per namespace (RoleBindings), and the one role
    bound cluster-wide neither reads Secrets nor writes anything namespaced."""
    objects = load_all(ROOT / "deploy" / "rbac.yaml")
    cluster_wide = [d["roleRef"]["name"] for d in objects if d["kind"] == "ClusterRoleBinding"]
    assert cluster_wide == ["policygen-operator-cluster"]
    [role] = [d for d in objects if d["kind"] == "ClusterRole" and d["metadata"]["name"] in cluster_wide]
    for rule in role["rules"]:
        assert "secrets" not in rule["resources"] and "configmaps" not in rule["resources"]
        # writes only on the cluster-scoped kind it reconciles (kopf's annotations, status, owner finalizers)
        if not all(r.startswith("clusterrightsizings") for r in rule["resources"]):
            assert set(rule["verbs"]) <= {"get", "list", "watch"}, rule
    for folder in ("watch-namespace", "secrets-namespace"):
        [binding] = load_all(ROOT / "deploy" / folder / "rolebinding.yaml")
        assert binding["kind"] == "RoleBinding" and "namespace" not in binding["metadata"]


def test_deploy_may_post_only_a_cluster_rightsizings_events_in_default() -> None:
    """kubectl describe finds a cluster-scoped object's events only when they name no namespace for it, which
    the API server takes only in default: one Role there, events create only, bound to the operator alone;
    the deployment and the chart's values post them unless switched off."""
    objects = load_all(ROOT / "deploy" / "rbac.yaml")
    [role] = [d for d in objects if d["kind"] == "Role"]
    assert (role["metadata"]["namespace"], role["rules"]) == (
        "default",
        [{"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}],
    )
    in_default = [d for d in objects if d["metadata"].get("namespace") == "default"]
    assert sorted(d["kind"] for d in in_default) == ["Role", "RoleBinding"]
    [binding] = [d for d in in_default if d["kind"] == "RoleBinding"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "policygen-operator", "namespace": "policygen-system"}
    ]
    [deployment] = [d for d in load_all(ROOT / "deploy" / "deployment.yaml") if d["kind"] == "Deployment"]
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["POLICYGEN_CLUSTER_EVENTS"] == "true"
    values = YAML(typ="safe").load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    assert values["clusterEvents"] is True and schema["properties"]["clusterEvents"] == {"type": "boolean"}
    # the chart's one Role is the same (rendered, compared with deploy/'s in tests/integration/test_chart.py);
    # the -events Role kopf's posting needed in the release's namespace is gone
    chart = (CHART / "templates" / "rbac.yaml").read_text()
    roles = re.findall(r"kind: Role\nmetadata:\n  name: (.*)\n  namespace: (.*)\n", chart)
    assert roles == [('{{ include "policygen.fullname" . }}-cluster-events', "default")]


def test_every_rbac_rule_is_commented() -> None:
    for path in (ROOT / "deploy" / "rbac.yaml", CHART / "templates" / "rbac.yaml"):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.strip().startswith("- apiGroups:"):
                before = lines[number - 1].strip()
                assert before.startswith("#") or before.startswith("{{"), (
                    f"{path.name}:{number + 1} has no comment"
                )


def test_deployment_is_restricted_single_replica_recreate() -> None:
    [deployment] = [d for d in load_all(ROOT / "deploy" / "deployment.yaml") if d["kind"] == "Deployment"]
    spec = deployment["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    [container] = pod["containers"]
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["capabilities"]["drop"] == ["ALL"]
    assert sc["allowPrivilegeEscalation"] is False
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


@pytest.mark.parametrize("kind", ["rightsizings", "clusterrightsizings"])
def test_rightsizing_crds_share_the_policygeneration_blocks(kind: str) -> None:
    """A parent's cloudTrail/window/schedule/aws/policy become its children's: the schemas must be equal
    (fix drift with `python operator/scripts/sync_rightsizing_crds.py`)."""

    def spec(path: Path) -> Any:
        [crd] = load_all(path)
        return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]

    source, parent = spec(CRD), spec(ROOT / "crds" / f"policygen.io_{kind}.yaml")
    for key in ("sourceRef", "cloudTrail", "window", "schedule", "aws"):
        assert parent[key] == source[key], key
    pull_request = copy.deepcopy(parent["output"]["properties"]["pullRequest"])
    # The parents' own field: one pull request per role or per namespace.
    grouping = pull_request["properties"].pop("grouping")
    assert (grouping["enum"], grouping["default"]) == (["role", "namespace"], "role")
    assert pull_request == source["output"]["properties"]["pullRequest"]
    for key in ("resourceLevel", "excludeActions"):
        assert parent["policy"]["properties"][key] == source["policy"]["properties"][key], key


def test_rightsizing_printer_columns_make_a_fleet_dashboard() -> None:
    for kind in ("rightsizings", "clusterrightsizings"):
        [crd] = load_all(ROOT / "crds" / f"policygen.io_{kind}.yaml")
        [version] = crd["spec"]["versions"]
        shown = [c["name"] for c in version["additionalPrinterColumns"] if not c.get("priority")]
        fleet = ["Roles", "With-Unused", "Granted", "Unused", "Reduction%", "Ready", "Last-Scan", "Age"]
        assert shown == fleet
        assert version["subresources"] == {"status": {}}
    [cluster] = load_all(ROOT / "crds" / "policygen.io_clusterrightsizings.yaml")
    assert cluster["spec"]["scope"] == "Cluster"


def _build_py() -> Any:
    spec = importlib.util.spec_from_file_location("image_build", ROOT / "deploy" / "image" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dockerfile_builds_the_image_build_py_builds() -> None:
    """deploy/Dockerfile (for Docker users) and deploy/image/build.py (`make image`, tested in
    tests/integration/test_image.py) must ship the same image: it used to default to --all-namespaces
    (every namespace, cluster-wide, without the admin asking) and carried no OCI labels."""
    build = _build_py()
    text = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    final = text.rsplit("\nFROM ", 1)[1].splitlines()
    instructions: dict[str, list[str]] = {}
    for line in final[1:]:
        if line.strip() and not line.startswith("#"):
            word, _, rest = line.strip().partition(" ")
            instructions.setdefault(word, []).append(rest.strip())
    assert json.loads(instructions["CMD"][-1]) == ["operator"]
    assert json.loads(instructions["ENTRYPOINT"][-1]) == ["/" + build.ENTRYPOINT]
    assert instructions["USER"][-1] == f"{build.UID}:{build.GID}"
    assert instructions["WORKDIR"][-1] == "/tmp"
    env = " ".join(instructions["ENV"])
    assert "HOME=/tmp" in env and "TMPDIR=/tmp" in env
    label_text = " ".join(instructions["LABEL"])
    labels = dict(re.findall(r'(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"', label_text))
    args = dict(a.split("=", 1) for a in instructions["ARG"])
    labels = {k: v.replace("${VERSION}", args["VERSION"]) for k, v in labels.items()}
    assert labels["org.opencontainers.image.version"] == build.version()
    for key in ("title", "description", "source", "url", "licenses"):
        assert labels[f"org.opencontainers.image.{key}"], key
    assert labels["org.opencontainers.image.source"] == build.SOURCE_URL
    assert "org.opencontainers.image.revision" in labels


def test_the_dockerfile_builds_the_native_fast_path_as_build_py_does() -> None:
    """The Dockerfile's image scanned every record in Python (its build stage had no Rust toolchain): a
    cluster's rightsizing of many roles then cost several times more. Its native stage must build the
    wheel as build.py does (maturin from the same lock, the same arguments), the image install it and say
    so in the label build.py sets."""
    build = _build_py()
    text = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    stages = {
        line.split(" AS ")[1].strip(): body
        for line, _, body in (part.partition("\n") for part in text.split("\nFROM ")[1:])
        if " AS " in line
    }
    native = stages["native"]
    assert f'MATURIN_PEP517_ARGS="{build.MATURIN_ARGS}"' in native
    assert "--require-hashes -r requirements-build.lock" in native
    assert "COPY deploy/image/requirements-build.lock" in native
    assert re.search(r"pip wheel .*--no-build-isolation -w /wheels \./native", native)
    assert "COPY --from=native /wheels /wheels" in stages["build"]
    assert "/wheels/*.whl" in stages["build"]
    assert f'{build.NATIVE_LABEL}="true"' in text.rsplit("\nFROM ", 1)[1]
    # Debian 12 everywhere: the wheel is tagged for glibc 2.36 and checked against the stage it is built in
    assert all("bookworm" in line.split()[0] for line in text.split("\nFROM ")[1:])


def test_the_image_without_cargo_says_it_leaves_the_native_fast_path_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without cargo the image builds as before, only without the scan's native extension (the same
    result, slower): `make image` says so, and the image's io.policygen.native label is "false"."""
    build = _build_py()
    which = shutil.which
    monkeypatch.setattr(build.shutil, "which", lambda name: None if name == "cargo" else which(name))
    assert build.build_native_wheel(tmp_path, [sys.executable], {}, tmp_path / "wheels") is None
    said = capsys.readouterr().err
    assert "cargo not found: the image is built without the scan's native fast path" in said
    assert not (tmp_path / "wheels").exists()


def _setuptools_floor(requirements: list[str]) -> tuple[int, ...]:
    [bound] = [m[1] for r in requirements if (m := re.fullmatch(r"setuptools>=([0-9.]+)", r.strip()))]
    return tuple(int(part) for part in bound.split("."))


def test_the_license_is_an_spdx_expression_a_pinned_setuptools_reads() -> None:
    """`make install` on a fresh clone printed setuptools' "`project.license` as a TOML table is
    deprecated" banner three times (once per build hook) above everything a new user reads: the table
    form ({text = ...}) is deprecated since setuptools 77, which reads the SPDX string (PEP 639). The string
    needs that setuptools in both builds: pip's isolated one (build-system.requires) and the image's,
    which builds without isolation from deploy/image/requirements-build.lock."""
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "Apache-2.0"
    assert _setuptools_floor(pyproject["build-system"]["requires"]) >= (77,)
    build_in = (ROOT / "deploy" / "image" / "requirements-build.in").read_text().splitlines()
    assert _setuptools_floor([line for line in build_in if not line.startswith("#")]) >= (77,)
    lock = (ROOT / "deploy" / "image" / "requirements-build.lock").read_text()
    [pinned] = re.findall(r"^setuptools==([0-9.]+)", lock, re.M)
    assert tuple(int(part) for part in pinned.split(".")) >= (77,)
