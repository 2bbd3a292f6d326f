"""The operator's image (`make image`: dist/policygen-<version>-oci.tar), unpacked and run from its own root.

No container engine: skopeo checks and copies the archive, umoci unpacks it, and image_runner.py runs a
command in a private mount namespace, chrooted into the image's root file system mounted read-only, with a
tmpfs /tmp, as the image's numeric user: what the Deployment's securityContext asks of a pod.
`make test` builds the image first; run alone, these tests skip when it was not built (and fail under CI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from policygen_operator.domain.iam.canonical import canonical_json
from policygen_operator.services.publish import policies_sha256
from tests.controlplane.client import KubeClient
from tests.integration.image_runner import (
    Image,
    archive_path,
    image_command,
    missing_tools,
    run_in_image,
    unpack,
    version,
)
from tests.integration.operator_harness import (
    ROOT,
    SAMPLE_PRINCIPAL,
    SAMPLES,
    Operator,
    condition,
    configmap,
    create,
    wait_ready,
)
from tests.integration.test_operator import expected_policies, local_spec

REPOSITORY = "ghcr.io/policygen/policygen"
SITE = "usr/local/lib/python3.11/dist-packages"
IN_IMAGE_SAMPLES = "/var/lib/policygen/cloudtrail"
IN_IMAGE_CONFIG = "/etc/policygen"
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]
# deploy/image/build.py's label: "false" when it was built without cargo, so without the native fast path.
NATIVE_LABEL = "io.policygen.native"


def _unavailable(reason: str) -> None:
    """Under CI `make test` built the image and installed the tools, so their absence is a failure there."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    archive = archive_path()
    if not archive.exists():
        _unavailable(f"{archive.relative_to(ROOT)} not built; run `make image`")
    missing = missing_tools()
    if missing:
        _unavailable(f"{', '.join(missing)} missing; `make image-tools` installs them")
    if os.geteuid() != 0:
        _unavailable("running the image needs root (mount namespace, chroot)")
    return unpack(archive, tmp_path_factory.mktemp("image"))


def test_config_labels_and_user(image: Image) -> None:
    config = image.config["config"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"] == version()
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert labels["org.opencontainers.image.source"].startswith("https://")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert labels["org.opencontainers.image.revision"] in (
        head.stdout.strip(),
        head.stdout.strip() + "-dirty",
    )
    assert config["Entrypoint"] == ["/usr/local/bin/policygen"]
    # No namespace choice baked in: without POLICYGEN_WATCH_NAMESPACES (or ..._ALL_NAMESPACES) it won't start.
    assert config["Cmd"] == ["operator"]
    # umoci's runtime config follows the image's: a non-root numeric user, HOME and TMPDIR on the emptyDir.
    runtime = image.runtime
    assert runtime["user"]["uid"] == 65532 and runtime["user"]["gid"] == 65532
    assert {"HOME=/tmp", "TMPDIR=/tmp"} <= set(runtime["env"])
    assert len(image.manifest["layers"]) == 2


def test_chart_and_deploy_name_this_image() -> None:
    yaml = YAML(typ="safe")
    chart = yaml.load((ROOT / "charts/policygen-operator/Chart.yaml").read_text())
    values = yaml.load((ROOT / "charts/policygen-operator/values.yaml").read_text())
    deployment = yaml.load((ROOT / "deploy/deployment.yaml").read_text())
    assert chart["appVersion"] == version() and values["image"]["repository"] == REPOSITORY
    assert values["image"]["tag"] in ("", version())
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{REPOSITORY}:{version()}"


def test_version(image: Image) -> None:
    run = run_in_image(image, ["--version"])
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["policygen", version()]


def test_read_only_root_writable_tmp_unprivileged_user(image: Image) -> None:
    script = (
        "import os, sys\n"
        "open('/tmp/scratch', 'w').write('ok')\n"
        "try:\n"
        "    open('/usr/local/probe', 'w')\n"
        "except OSError as error:\n"
        "    print(error.errno, os.getuid(), os.getgid(), sys.version_info[:2])\n"
    )
    run = run_in_image(image, ["/usr/bin/python3", "-c", script], entrypoint=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().split(maxsplit=3) == ["30", "65532", "65532", "(3, 11)"]  # 30: EROFS


def test_the_scan_native_fast_path_imports_in_the_image(image: Image) -> None:
    """The operator runs the cluster-wide rightsizing scans, where matched records are most of the logs, and
    its image left `policygen_native` out, so it read every one in Python (docs/architecture.md, "The native
    fast path"). build.py builds it when cargo is there; the wheel must suit the image's glibc, and like the
    others be installed without a path of the build machine in its metadata."""
    labels = image.config["config"]["Labels"]
    if labels.get(NATIVE_LABEL) == "false":
        pytest.skip(
            f"the image was built without cargo, so without the native fast path ({NATIVE_LABEL}=false)"
        )
    script = (
        "import policygen_native\n"
        "from policygen_operator.domain.cloudtrail import native\n"
        "print(native.available(), policygen_native.__file__)\n"
    )
    run = run_in_image(image, ["/usr/bin/python3", "-c", script], entrypoint=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", f"/{SITE}/policygen_native/__init__.py"]
    assert labels[NATIVE_LABEL] == "true"
    [info] = (image.rootfs / SITE).glob("policygen_native-*.dist-info")
    wheel = dict(line.split(": ", 1) for line in (info / "WHEEL").read_text().splitlines() if ": " in line)
    tag = re.fullmatch(r"cp311-abi3-manylinux_2_(\d+)_x86_64", wheel["Tag"])
    assert tag and int(tag.group(1)) <= 36, wheel["Tag"]  # Debian bookworm's glibc is 2.36
    assert not (info / "direct_url.json").exists()
    assert all(not line.startswith(("/", "..")) for line in (info / "RECORD").read_text().splitlines())


def test_generate_on_the_shipped_samples_matches_the_source_tree(image: Image) -> None:
    args = ["generate", "--principal", SAMPLE_PRINCIPAL, *WINDOW]
    inside = run_in_image(image, [*args, "--logs", IN_IMAGE_SAMPLES], binds=[(SAMPLES, IN_IMAGE_SAMPLES)])
    assert inside.returncode == 0, inside.stderr
    outside = subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", *args, "--logs", str(SAMPLES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    policy = json.loads(inside.stdout)
    assert policy["Statement"] and canonical_json(policy) == canonical_json(json.loads(outside.stdout))


def test_sbom_lists_exactly_the_image_python_packages(image: Image) -> None:
    sbom = json.loads((ROOT / "dist" / f"policygen-{version()}-sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    crates = [c for c in sbom["components"] if c.get("purl", "").startswith("pkg:cargo/")]
    listed = {(c["name"].lower(), c["version"]) for c in sbom["components"] if c not in crates}
    listed.add((sbom["metadata"]["component"]["name"], sbom["metadata"]["component"]["version"]))
    installed = {
        (d.metadata["Name"].lower(), d.version)
        for d in metadata.distributions(path=[str(image.rootfs / SITE)])
    }
    assert ("policygen", version()) in installed
    assert listed == installed
    locked = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert locked and {(_normalize(n), v) for n, v in locked} <= {(_normalize(n), v) for n, v in installed}
    # the crates the native fast path is built from, each as Cargo.lock pins it (its checksum too); those in
    # the .so required, the build-time ones (proc-macros) excluded
    if any(name == "policygen-native" for name, _ in installed):
        pinned = {
            (entry["name"], entry["version"]): entry.get("checksum")
            for entry in tomllib.loads((ROOT / "native" / "Cargo.lock").read_text())["package"]
        }
        by_name = {c["name"]: c for c in crates}
        assert by_name["pyo3"]["scope"] == "required" and by_name["syn"]["scope"] == "excluded"
        for crate in crates:
            assert crate["hashes"] == [
                {"alg": "SHA-256", "content": pinned[(crate["name"], crate["version"])]}
            ]
    else:
        assert crates == []


def _normalize(name: str) -> str:
    """PEP 503 names: the lock says ruamel-yaml where the metadata says ruamel.yaml."""
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture
def image_config_dir(tmp_path: Path, operator_kubeconfig: Path) -> Iterator[Path]:
    """The ServiceAccount kubeconfig in a folder the image's user can read (bound into the image)."""
    folder = tmp_path / "config"
    folder.mkdir(mode=0o755)
    shutil.copyfile(operator_kubeconfig, folder / "kubeconfig")
    (folder / "kubeconfig").chmod(0o644)
    yield folder


def test_operator_in_the_image_reconciles_to_ready(
    image: Image, kube_admin: KubeClient, namespace: str, image_config_dir: Path, tmp_path: Path
) -> None:
    """`policygen operator` from the image, with deploy/'s RBAC, publishes what the engine makes of the logs.

    The operator reads the logs where a pod would mount them and its kubeconfig from a read-only bind."""
    command = image_command(
        image, [], binds=[(SAMPLES, IN_IMAGE_SAMPLES), (image_config_dir, IN_IMAGE_CONFIG)]
    )
    operator = Operator(namespace, Path(IN_IMAGE_CONFIG) / "kubeconfig", tmp_path, command=command)
    operator.start(timeout=60)
    try:
        create(kube_admin, namespace, "in-image", local_spec(Path(IN_IMAGE_SAMPLES)))
        obj = wait_ready(kube_admin, namespace, "in-image", timeout=120)
    finally:
        operator.stop()
    expected = expected_policies()
    assert obj["status"]["policy"]["sha256"] == policies_sha256(expected), operator.log_tail()
    assert condition(obj, "Published")["status"] == "True"
    cm = configmap(kube_admin, namespace, "in-image-policy")
    assert cm is not None
    assert canonical_json(json.loads(cm["data"]["policy.json"])) == canonical_json(expected[0])
