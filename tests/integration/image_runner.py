"""Run the built OCI image from its own root file system, the way a container runtime would, without one.

`unpack` checks and unpacks dist/policygen-<version>-oci.tar with Debian's skopeo (which verifies every
blob's digest while copying) and umoci (which lays out rootfs/ and the runtime config.json that the image's
config implies: user, environment, working directory). `image_command` builds the argv that runs a command
inside it: `unshare --mount` gives a private mount namespace, and this file's `main` (run there) mounts
/proc, /dev, a tmpfs /tmp (the pod's emptyDir) and read-only binds, remounts the root read-only
(readOnlyRootFilesystem), chroots, drops to the image's numeric user and execs. The network namespace is
the host's, so the process reaches the test control plane on 127.0.0.1.
Standard library only: `main` runs under `unshare`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("skopeo", "umoci", "unshare", "mount")
# What a test may hand through to the process in the image; everything else comes from the image's config.
PASS_ENV_PREFIXES = ("KUBECONFIG", "POLICYGEN_", "AWS_")


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def archive_path() -> Path:
    return ROOT / "dist" / f"policygen-{version()}-oci.tar"


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@dataclass(frozen=True)
class Image:
    """An unpacked image: its OCI layout (config, manifest) and the runtime bundle umoci made of it."""

    layout: Path
    bundle: Path
    manifest: dict[str, Any]
    config: dict[str, Any]

    @property
    def rootfs(self) -> Path:
        return self.bundle / "rootfs"

    @property
    def runtime(self) -> dict[str, Any]:
        process: dict[str, Any] = json.loads((self.bundle / "config.json").read_text())["process"]
        return process

    @property
    def entrypoint(self) -> list[str]:
        return list(self.config["config"]["Entrypoint"])


def _blob(layout: Path, digest: str) -> dict[str, Any]:
    algorithm, hexdigest = digest.split(":", 1)
    result: dict[str, Any] = json.loads((layout / "blobs" / algorithm / hexdigest).read_text())
    return result


def unpack(archive: Path, work: Path) -> Image:
    tag = version()
    layout, bundle = work / "layout", work / "bundle"
    subprocess.run(
        ["skopeo", "copy", "--quiet", f"oci-archive:{archive}:{tag}", f"oci:{layout}:{tag}"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["umoci", "unpack", "--image", f"{layout}:{tag}", str(bundle)], check=True, capture_output=True
    )
    index = json.loads((layout / "index.json").read_text())
    [entry] = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag]
    manifest = _blob(layout, entry["digest"])
    return Image(layout, bundle, manifest, _blob(layout, manifest["config"]["digest"]))


def image_command(
    image: Image, args: Sequence[str], binds: Sequence[tuple[Path, str]] = (), entrypoint: bool = True
) -> list[str]:
    """argv that runs ``args`` in the image (after its entry point unless ``entrypoint`` is False)."""
    argv = [*(image.entrypoint if entrypoint else ()), *args]
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        sys.executable,
        str(Path(__file__).resolve()),
        "--bundle",
        str(image.bundle),
        *(f"--bind={source}:{target}" for source, target in binds),
        "--",
        *argv,
    ]


def run_in_image(
    image: Image,
    args: Sequence[str],
    binds: Sequence[tuple[Path, str]] = (),
    env: dict[str, str] | None = None,
    entrypoint: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        image_command(image, args, binds, entrypoint),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


# --- inside the mount namespace ----------------------------------------------------------------------


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--bind", action="append", default=[], help="HOST:TARGET, mounted read-only")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    bundle: Path = args.bundle.resolve()
    process = json.loads((bundle / "config.json").read_text())["process"]
    root = bundle / "rootfs"
    _mount("--bind", str(root), str(root))
    for name in ("proc", "dev", "tmp"):
        (root / name).mkdir(exist_ok=True)
    _mount("-t", "proc", "proc", str(root / "proc"))
    _mount("--rbind", "/dev", str(root / "dev"))
    _mount("-t", "tmpfs", "-o", "mode=1777,size=1g", "tmpfs", str(root / "tmp"))
    for spec in args.bind:
        source, target = spec.rsplit(":", 1)
        mountpoint = root / target.lstrip("/")
        # An absolute symlink on the way (Debian's /var/run -> /run) would lead out of the image.
        for parent in (mountpoint, *mountpoint.parents):
            if parent.is_symlink():
                raise SystemExit(f"bind target {target}: {parent} is a symlink")
            if parent == root:
                break
        mountpoint.mkdir(parents=True, exist_ok=True)
        _mount("--bind", source, str(mountpoint))
        _mount("-o", "remount,bind,ro", str(mountpoint))
    _mount("-o", "remount,bind,ro", str(root))
    env = dict(item.split("=", 1) for item in process["env"] if item.split("=", 1)[0] != "TERM")
    env.update({k: v for k, v in os.environ.items() if k.startswith(PASS_ENV_PREFIXES)})
    os.chroot(root)
    os.chdir(process.get("cwd") or "/")
    user = process["user"]
    os.setgroups(list(user.get("additionalGids") or ()))
    os.setgid(user["gid"])
    os.setuid(user["uid"])
    program = args.command[0]
    if "/" not in program:
        program = shutil.which(program, path=env.get("PATH")) or program
    os.execve(program, args.command, env)


if __name__ == "__main__":
    main(sys.argv[1:])
