"""Build the operator's OCI image without a container engine: `make image` runs this.

Two layers, written as an OCI image-layout archive at dist/policygen-<version>-oci.tar:
  1. the Debian base (deploy/image/base.sh: mmdebstrap, Python 3.11, git, CA certificates), cached under
     .cache/image/ by the hash of its definition, since it takes minutes and changes rarely;
  2. the application: the project's wheel and its hash-locked dependencies (requirements.lock) installed with
     `pip --require-hashes --no-deps` into /usr/local/lib/python3.11/dist-packages, bytecode compiled ahead
     (the root file system is read-only at run time), and the `policygen` entry point; when cargo is on this
     machine, also the scan's native fast path (native/, `policygen_native`, built by maturin from
     requirements-build.lock against native/Cargo.lock; without cargo the image scans in Python only, the
     same result slower, says so in the build log and in its `io.policygen.native` label).
Everything that goes into a digest is deterministic: sorted tar entries, owner 0:0, mtimes clamped to
SOURCE_DATE_EPOCH, gzip without name or time, JSON with sorted keys. SOURCE_DATE_EPOCH defaults to the commit
time of HEAD for the application layer and of base.sh's last change for the base layer, so two builds of one
commit give one digest as long as the Debian archive serves the same packages.
Also writes dist/policygen-<version>-sbom.cdx.json (CycloneDX, cyclonedx-py over the installed packages,
and the crates the native extension is built from, by ``cargo metadata``).
Skips all work when the inputs (sources, lock, this script, base) hash to what the last build recorded.
Standard library only, except the SBOM step (cyclonedx-py from the dev dependencies).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REPOSITORY = "ghcr.io/policygen/policygen"
SOURCE_URL = "https://github.com/policygen/policygen"
SITE = "usr/local/lib/python3.11/dist-packages"
ENTRYPOINT = "usr/local/bin/policygen"
UID = GID = 65532
ENV = [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C.UTF-8",
    "PYTHONUNBUFFERED=1",
    "PYTHONDONTWRITEBYTECODE=1",
    "HOME=/tmp",
    "TMPDIR=/tmp",
]
GZIP_LEVEL = 6
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
# Whether the image carries the scan's native fast path ("true"/"false"): a scan gives the same result
# either way, so only this label (and the build log) tells an operator's slow scans from a missing extension.
NATIVE_LABEL = "io.policygen.native"
# maturin's arguments for the native wheel (deploy/Dockerfile's native stage passes the same): the crates as
# native/Cargo.lock pins them, tagged for the image's glibc 2.36 and refused if it needs more.
MATURIN_ARGS = "--locked --compatibility manylinux_2_36 --auditwheel check"


def log(message: str) -> None:
    print(f"image: {message}", file=sys.stderr, flush=True)


def _shown(path: Path) -> str:
    """A path relative to the checkout when it is inside it (as in messages), else as given."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def revision() -> str:
    """HEAD's commit, with -dirty when tracked files differ from it (then the label says so)."""
    head = git("rev-parse", "HEAD")
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--"], cwd=ROOT).returncode != 0
    return head + ("-dirty" if dirty else "")


def epoch(path: str | None = None) -> int:
    """SOURCE_DATE_EPOCH if set, else the commit time of HEAD (or of the last commit touching ``path``)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    stamp = git("log", "-1", "--format=%ct", *(["--", path] if path else []))
    return int(stamp) if stamp else int(git("log", "-1", "--format=%ct"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tracked_sources() -> list[Path]:
    """The files the wheel is built from: tracked ones only, as they are in the work tree."""
    names = git("ls-files", "-z", "--", "pyproject.toml", "README.md", "operator").split("\0")
    return [ROOT / name for name in sorted(names) if name and (ROOT / name).is_file()]


def native_sources() -> list[Path]:
    """The files the native extension is built from (native/: crates pinned by its Cargo.lock)."""
    names = git("ls-files", "-z", "--", "native").split("\0")
    return [ROOT / name for name in sorted(names) if name and (ROOT / name).is_file()]


def native_toolchain() -> str | None:
    """cargo's and rustc's versions when cargo is on PATH (they decide the extension's bytes), else None."""
    if shutil.which("cargo") is None:
        return None
    versions = (
        subprocess.run([tool, "--version"], check=True, capture_output=True, text=True)
        for tool in ("cargo", "rustc")
    )
    return "; ".join(run.stdout.strip() for run in versions)


def inputs_key(parts: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in parts:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _project_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def unlocked(lock: Path, extras: tuple[str, ...] = ()) -> list[str]:
    """Dependencies pyproject.toml names (with ``extras``) that ``lock`` pins no version of."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *(r for e in extras for r in project["optional-dependencies"][e])]
    pinned = {_project_name(n) for n in re.findall(r"^([A-Za-z0-9._-]+)==", lock.read_text(), re.M)}
    names = (re.match(r"[A-Za-z0-9._-]+", requirement) for requirement in wanted)
    return sorted({_project_name(m.group(0)) for m in names if m} - pinned)


def check_locks() -> int:
    """`make install` asks: a dependency added to pyproject.toml without `make lock` is named, not hidden."""
    missing = {
        "requirements.lock": unlocked(ROOT / "requirements.lock"),
        "requirements-dev.lock": unlocked(ROOT / "requirements-dev.lock", ("dev",)),
    }
    for lock, names in missing.items():
        if names:
            log(f"{lock} pins no version of {', '.join(names)} (pyproject.toml names them): run `make lock`")
    return 1 if any(missing.values()) else 0


# --- layers -------------------------------------------------------------------------------------------


def base_layer_tar(cache: Path) -> Path:
    """The Debian base as an uncompressed tar, rebuilt only when base.sh, the sources or its epoch change."""
    script = HERE / "base.sh"
    sources = Path(os.environ.get("DEBIAN_SOURCES", "/etc/apt/sources.list.d/debian.sources"))
    if not sources.exists():
        sources = Path("/etc/apt/sources.list")
    base_epoch = epoch(str(script.relative_to(ROOT)))
    key = inputs_key(
        [
            ("base.sh", script.read_bytes()),
            ("sources", sources.read_bytes()),
            ("epoch", str(base_epoch).encode()),
        ]
    )[:16]
    out = cache / f"base-{key}.tar"
    if out.exists():
        log(f"base layer cached ({out.name})")
        return out
    if shutil.which("mmdebstrap") is None:
        sys.exit("image: mmdebstrap is missing: `apt-get install mmdebstrap` (make image-tools does it)")
    log(f"building the Debian base layer with mmdebstrap (SOURCE_DATE_EPOCH={base_epoch}; minutes)")
    started = time.monotonic()
    partial = out.with_suffix(".partial.tar")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(base_epoch), "DEBIAN_SOURCES": str(sources)}
    subprocess.run(["bash", str(script), str(partial)], check=True, env=env)
    partial.rename(out)
    for old in cache.glob("base-*.tar"):
        if old != out:
            old.unlink()
    log(f"base layer built in {time.monotonic() - started:.0f} s")
    return out


def build_native_wheel(work: Path, pip: list[str], env: dict[str, str], wheels: Path) -> str | None:
    """The native extension's wheel into ``wheels``; its version, or None without cargo (then logged).

    maturin (pinned and hash-checked in requirements-build.lock, run from the build venv on PATH) builds
    native/ against native/Cargo.lock (``--locked``: cargo checks each crate's checksum there), tagged for
    the image's glibc 2.36: ``--auditwheel check`` refuses a library the image would lack or a newer glibc
    symbol instead of grafting this machine's libraries in, and pip then installs the wheel only because its
    manylinux_2_36 tag is one the image runs. The build's own paths (the temporary source copy and target
    folder, cargo's registry where the crates' sources are) are remapped, so no path of this machine ends up
    in the .so's panic messages, and the .so is the same from one build to the next.
    """
    toolchain = native_toolchain()
    if toolchain is None:
        log(
            "cargo not found: the image is built without the scan's native fast path (docs/architecture.md, "
            '"The native fast path"): it scans every record in Python, the same result, slower'
        )
        return None
    src = work / "native-src"
    for path in native_sources():
        target = src / path.relative_to(ROOT / "native")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    cargo_home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    native_env = {
        **{k: v for k, v in env.items() if k not in ("CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS")},
        "PATH": f"{Path(pip[0]).parent}{os.pathsep}{env.get('PATH', os.defpath)}",
        "CARGO_TARGET_DIR": str(work / "native-target"),
        # Only these flags, not this machine's RUSTFLAGS (target-cpu=native, say): the image runs elsewhere.
        # Encoded (0x1f between flags), so a path with a space stays one argument.
        "CARGO_ENCODED_RUSTFLAGS": "\x1f".join(
            (f"--remap-path-prefix={work}=/build", f"--remap-path-prefix={cargo_home}=/cargo")
        ),
        "MATURIN_PEP517_ARGS": MATURIN_ARGS,
    }
    log(f"building the native fast path with maturin ({toolchain})")
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        env=native_env,
        cwd=work,
    )
    return str(tomllib.loads((src / "pyproject.toml").read_text())["project"]["version"])


def install_application(stage: Path, work: Path, python: str) -> bool:
    """The wheel and the locked dependencies into ``stage`` (laid out as the image's root); True when the
    native fast path is among them."""
    src = work / "src"
    for path in tracked_sources():
        target = src / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    wheels = work / "wheels"
    build_env = work / "buildenv"
    subprocess.run([python, "-m", "venv", str(build_env)], check=True)
    pip = [str(build_env / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    quiet_env = {**os.environ, "PIP_FIND_LINKS": "", "PIP_NO_INPUT": "1"}
    subprocess.run(
        [*pip, "install", "--require-hashes", "-r", str(HERE / "requirements-build.lock")],
        check=True,
        env=quiet_env,
    )
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        env=quiet_env,
        cwd=work,
    )
    native = build_native_wheel(work, pip, quiet_env, wheels)
    site = stage / SITE
    # The image's interpreter is Debian's CPython 3.11 on glibc 2.36 (x86_64): take wheels for exactly that
    # (pip takes one --platform literally, so every manylinux level that glibc 2.36 runs is listed).
    platform = [
        "--only-binary=:all:",
        *(f"--platform=manylinux_2_{minor}_x86_64" for minor in range(36, 4, -1)),
        "--python-version=3.11",
        "--implementation=cp",
        "--abi=cp311",
        "--no-compile",
        "--no-deps",
        "--target",
        str(site),
    ]
    subprocess.run(
        [*pip, "install", *platform, "--require-hashes", "-r", str(ROOT / "requirements.lock")],
        check=True,
        env=quiet_env,
    )
    shutil.rmtree(site / "bin", ignore_errors=True)  # scripts with this machine's interpreter in the shebang
    # By name from the wheel folder (not by file path), so pip records no direct_url.json with this
    # machine's path in it.
    built = [f"policygen=={version()}", *([f"policygen-native=={native}"] if native else [])]
    subprocess.run(
        [*pip, "install", *platform, "--no-index", "--find-links", str(wheels), *built],
        check=True,
        env=quiet_env,
    )
    shutil.rmtree(site / "bin", ignore_errors=True)  # scripts with this machine's interpreter in the shebang
    for record in site.glob("*.dist-info/RECORD"):
        # Those scripts are gone, and their hashes covered the build's temporary path: drop them from RECORD.
        lines = record.read_text().splitlines(keepends=True)
        record.write_text("".join(line for line in lines if not line.startswith("../../bin/")))
    entry = stage / ENTRYPOINT
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(
        "#!/usr/bin/python3\nimport sys\nfrom policygen_operator.cli.main import main\nsys.exit(main())\n"
    )
    entry.chmod(0o755)
    # Bytecode ahead of time: the root file system is read-only in the pod, so Python could not cache it, and
    # importing botocore from source costs seconds. unchecked-hash pycs carry no mtime (reproducible).
    subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(stage),
            "-p",
            "/",
            str(site),
        ],
        check=True,
    )
    return native is not None


def _normalize(info: tarfile.TarInfo, mtime: int) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = min(int(info.mtime), mtime)
    if info.isdir() or info.mode & 0o111:
        info.mode = 0o755
    elif not info.issym():
        info.mode = 0o644
    return info


def tree_to_tar(stage: Path, out: Path, mtime: int) -> None:
    """A tar of ``stage`` in sorted order with normalized owners, modes and times."""
    paths = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*"))
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in paths:
            info = _normalize(tar.gettarinfo(str(stage / name), arcname=name), mtime)
            if info.isfile():
                with (stage / name).open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def compress(tar_path: Path, blobs: Path) -> tuple[str, str, int]:
    """gzip ``tar_path`` into the blob store; returns (digest, diff_id, size)."""
    diff_id = "sha256:" + sha256_file(tar_path)
    tmp = blobs / "layer.partial"
    with (
        tar_path.open("rb") as src,
        tmp.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as gz,
    ):
        shutil.copyfileobj(src, gz, 1 << 20)
    digest = sha256_file(tmp)
    tmp.rename(blobs / digest)
    return "sha256:" + digest, diff_id, (blobs / digest).stat().st_size


def put_json(blobs: Path, document: dict[str, object]) -> tuple[str, int]:
    data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return "sha256:" + digest, len(data)


def write_layout(
    layout: Path, layers: list[tuple[str, str, int]], created: int, rev: str, native: bool
) -> str:
    """OCI layout: config, manifest, index.json (ref name: the version). Returns the manifest's digest."""
    blobs = layout / "blobs" / "sha256"
    ver = version()
    stamp = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    labels = {
        "org.opencontainers.image.title": "policygen",
        "org.opencontainers.image.description": "Least-privilege IAM policies from CloudTrail activity.",
        "org.opencontainers.image.source": SOURCE_URL,
        "org.opencontainers.image.url": SOURCE_URL,
        "org.opencontainers.image.version": ver,
        "org.opencontainers.image.revision": rev,
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.created": stamp,
        "org.opencontainers.image.ref.name": ver,
        NATIVE_LABEL: "true" if native else "false",
    }
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": stamp,
        "config": {
            "User": f"{UID}:{GID}",
            "Env": ENV,
            "Entrypoint": ["/" + ENTRYPOINT],
            "Cmd": ["operator"],  # watched namespaces: POLICYGEN_WATCH_NAMESPACES or ..._ALL_NAMESPACES
            "WorkingDir": "/tmp",
            "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id for _, diff_id, _ in layers]},
        "history": [
            {"created": stamp, "created_by": "deploy/image/base.sh (mmdebstrap)"},
            {"created": stamp, "created_by": "deploy/image/build.py (wheel + requirements.lock)"},
        ],
    }
    config_digest, config_size = put_json(blobs, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": d, "size": s} for d, _, s in layers],
        "annotations": labels,
    }
    manifest_digest, manifest_size = put_json(blobs, manifest)
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": MEDIA_MANIFEST,
                "digest": manifest_digest,
                "size": manifest_size,
                "annotations": {"org.opencontainers.image.ref.name": ver},
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    }
    (layout / "index.json").write_text(json.dumps(index, sort_keys=True, separators=(",", ":")))
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    return manifest_digest


def write_sbom(stage: Path, out: Path, created: int) -> None:
    """CycloneDX of the image's Python packages: cyclonedx-py reads the installed distributions' metadata.

    cyclonedx-py asks an interpreter for its sys.path; PYTHONPATH reaches that child only (the tool itself
    runs with -I), and -S keeps this machine's site-packages out, so the path is the image's dist-packages.
    """
    env = {**os.environ, "PYTHONPATH": str(stage / SITE), "SOURCE_DATE_EPOCH": str(created)}
    subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "cyclonedx_py",
            "environment",
            "-S",
            "--pyproject",
            str(ROOT / "pyproject.toml"),
            "--mc-type",
            "application",
            "--output-reproducible",
            "--of",
            "JSON",
            "-o",
            str(out),
            sys.executable,
        ],
        check=True,
        env=env,
    )


def native_crates() -> list[dict[str, object]]:
    """CycloneDX components of the crates the native extension is built from: the normal-dependency closure
    of native/ in ``cargo metadata`` (resolved by Cargo.lock, ``--locked``), each with Cargo.lock's SHA-256 of
    its source. Proc-macro crates and those only they use run at build time and are not in the .so: their
    scope is ``excluded``; the others' ``required``. cyclonedx-py sees Python distributions only."""
    manifest = ROOT / "native" / "Cargo.toml"
    command = ["cargo", "metadata", "--locked", "--offline", "--format-version", "1"]
    # the image's platform only: a crate other targets need (portable-atomic) is not built for it
    command += ["--filter-platform", "x86_64-unknown-linux-gnu", "--manifest-path", str(manifest)]
    metadata = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    packages = {package["id"]: package for package in metadata["packages"]}
    nodes = {node["id"]: node for node in metadata["resolve"]["nodes"]}
    root = metadata["resolve"]["root"]

    def normal(node_id: str) -> list[str]:
        return [
            dep["pkg"]
            for dep in nodes[node_id]["deps"]
            if any(kind["kind"] is None for kind in dep["dep_kinds"])
        ]

    def proc_macro(node_id: str) -> bool:
        return any("proc-macro" in target["kind"] for target in packages[node_id]["targets"])

    linked: set[str] = set()  # reached from the root without passing through a proc-macro
    built: set[str] = set()  # reached at all
    stack = [(dep, False) for dep in normal(root)]
    while stack:
        node_id, under_macro = stack.pop()
        excluded = under_macro or proc_macro(node_id)
        if node_id in (built if excluded else linked):
            continue
        (built if excluded else linked).add(node_id)
        stack.extend((dep, excluded) for dep in normal(node_id))
    checksums = {
        (entry["name"], entry["version"]): entry.get("checksum")
        for entry in tomllib.loads((ROOT / "native" / "Cargo.lock").read_text())["package"]
    }
    components: list[dict[str, object]] = []
    for node_id in sorted(linked | built, key=lambda n: (packages[n]["name"], packages[n]["version"])):
        name, ver = packages[node_id]["name"], packages[node_id]["version"]
        purl = f"pkg:cargo/{name}@{ver}"
        component: dict[str, object] = {
            "type": "library",
            "bom-ref": purl,
            "name": name,
            "version": ver,
            "purl": purl,
            "scope": "required" if node_id in linked else "excluded",
        }
        if checksums.get((name, ver)):
            component["hashes"] = [{"alg": "SHA-256", "content": checksums[(name, ver)]}]
        if packages[node_id].get("license"):
            component["licenses"] = [{"expression": packages[node_id]["license"]}]
        components.append(component)
    return components


def add_native_crates(sbom: Path) -> int:
    """The crates of ``native_crates`` added to the SBOM cyclonedx-py wrote; how many."""
    document = json.loads(sbom.read_text())
    crates = native_crates()
    document["components"] = [*document.get("components", []), *crates]
    sbom.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return len(crates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "image")
    parser.add_argument("--force", action="store_true", help="build even if the inputs are unchanged")
    parser.add_argument("--check-locks", action="store_true", help="only name dependencies the locks lack")
    args = parser.parse_args()
    if args.check_locks:
        return check_locks()
    missing = unlocked(ROOT / "requirements.lock")
    if missing:
        sys.exit(f"image: requirements.lock lacks {', '.join(missing)} (in pyproject.toml): make lock")
    ver = version()
    dist: Path = args.dist
    cache: Path = args.cache
    dist.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    archive = dist / f"policygen-{ver}-oci.tar"
    sbom = dist / f"policygen-{ver}-sbom.cdx.json"
    stamp_file = dist / f".policygen-{ver}-oci.inputs"
    started = time.monotonic()
    created = epoch()
    rev = revision()
    base_tar = base_layer_tar(cache)
    key = inputs_key(
        [
            *((str(p.relative_to(ROOT)), p.read_bytes()) for p in tracked_sources()),
            ("requirements.lock", (ROOT / "requirements.lock").read_bytes()),
            ("requirements-build.lock", (HERE / "requirements-build.lock").read_bytes()),
            *((str(p.relative_to(ROOT)), p.read_bytes()) for p in native_sources()),
            ("native toolchain", (native_toolchain() or "none").encode()),
            ("build.py", Path(__file__).read_bytes()),
            ("base", base_tar.name.encode()),
            ("meta", f"{created} {rev} {sys.version_info[:2]}".encode()),
        ]
    )
    if (
        not args.force
        and archive.exists()
        and sbom.exists()
        and stamp_file.exists()
        and stamp_file.read_text() == key
    ):
        log(f"{_shown(archive)} is up to date (inputs unchanged)")
        return 0
    with tempfile.TemporaryDirectory(prefix="image-", dir=cache) as tmp:
        work = Path(tmp)
        layout = work / "layout"
        blobs = layout / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        base_blob = cache / f"{base_tar.stem}.gz.json"
        if base_blob.exists() and (cache / json.loads(base_blob.read_text())["file"]).exists():
            meta = json.loads(base_blob.read_text())
            shutil.copyfile(cache / meta["file"], blobs / meta["digest"].split(":")[1])
            base = (meta["digest"], meta["diff_id"], meta["size"])
        else:
            log("compressing the base layer")
            base = compress(base_tar, blobs)
            shutil.copyfile(blobs / base[0].split(":")[1], cache / f"{base_tar.stem}.gz")
            base_blob.write_text(
                json.dumps(
                    {"file": f"{base_tar.stem}.gz", "digest": base[0], "diff_id": base[1], "size": base[2]}
                )
            )
        log("installing the wheel and requirements.lock into the application layer")
        stage = work / "stage"
        native = install_application(stage, work, sys.executable)
        app_tar = work / "app.tar"
        tree_to_tar(stage, app_tar, created)
        app = compress(app_tar, blobs)
        digest = write_layout(layout, [base, app], created, rev, native)
        partial = archive.with_suffix(".partial")
        tree_to_tar(layout, partial, created)
        partial.rename(archive)
        write_sbom(stage, sbom, created)
        if native:
            log(f"the SBOM lists the {add_native_crates(sbom)} crates the native fast path is built from")
    stamp_file.write_text(key)
    size = archive.stat().st_size
    log(
        f"{_shown(archive)}: manifest {digest}, {size / 1e6:.1f} MB, "
        f"built in {time.monotonic() - started:.0f} s, {'with' if native else 'without'} the native fast "
        f"path; SBOM {_shown(sbom)}"
    )
    print(digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
