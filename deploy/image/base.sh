#!/usr/bin/env bash
# The image's base layer: Debian bookworm's Essential packages plus Python 3.11, git (pull requests clone,
# commit and push with it), the CA certificates and libstdc++ (manylinux wheels such as pysimdjson link it), written by mmdebstrap as a tar (no container engine).
# Usage: base.sh OUT.tar   (as root; SOURCE_DATE_EPOCH makes the tar reproducible for the same archive state)
# The Debian mirror is the one this machine's apt uses (its sources file), so nothing names a host here.
set -euo pipefail
out=$1
sources=${DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$sources" ] || sources=/etc/apt/sources.list
exec mmdebstrap --quiet --variant=essential --mode=root --format=tar \
  --include=python3,git,ca-certificates,libstdc++6 \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook='echo "policygen:x:65532:65532:policygen:/tmp:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --customize-hook='echo "policygen:x:65532:" >> "$1/etc/group"' \
  --customize-hook='rm -f "$1/etc/machine-id" && touch "$1/etc/machine-id"' \
  bookworm "$out" "$sources"
