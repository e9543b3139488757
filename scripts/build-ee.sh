#!/usr/bin/env bash
# Build the execution environment of execution-environment.yml (make ee):
#   BASE_IMAGE=<image> [EE_IMAGE=wss-gateway-ee:VERSION] scripts/build-ee.sh
# 1. the collection tarball of this checkout (ansible-galaxy collection build), and
#    community.crypto from the PyPI `ansible` release EE_COLLECTIONS_BUNDLE (its bundled
#    collections; Galaxy is not needed), into .cache/ee/collections/ under fixed names;
# 2. ansible-builder build on BASE_IMAGE, with the package manager found in that image.
# A tarball whose content did not change is left as it was (the same bytes), so that a
# second build reuses every cached layer. Tools come from VENV (default .venv).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
venv=${VENV:-.venv}
base=${BASE_IMAGE:-}
[ -n "$base" ] || {
  echo "BASE_IMAGE is not set: name the EE base image, e.g. make ee BASE_IMAGE=<registry>/<ee-minimal image>:<tag>" >&2
  exit 2
}
version=$(awk '/^version:/ {print $2}' galaxy.yml)
image=${EE_IMAGE:-wss-gateway-ee:$version}
# community.crypto 3.5.0 (>= 3.1.1: galaxy.yml), as in the newest line of tests/matrix.
bundle=${EE_COLLECTIONS_BUNDLE:-ansible==14.5.0}
out=.cache/ee/collections
wheels=.cache/matrix/wheels
mkdir -p "$out" "$wheels"

# Replace $2 by $1 unless both hold the same files (MANIFEST.json and FILES.json carry the
# SHA-256 of every file); the archives themselves differ in their time stamps.
keep_or_replace() {
  local new=$1 old=$2
  if [ -f "$old" ] && cmp -s <(tar -xzOf "$new" MANIFEST.json FILES.json) <(tar -xzOf "$old" MANIFEST.json FILES.json); then
    rm -f "$new"
  else
    mv -f "$new" "$old"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ANSIBLE_COLLECTIONS_PATH=$here/.cache/collections \
  "$venv/bin/ansible-galaxy" collection build --force --output-path "$tmp" . >/dev/null
keep_or_replace "$tmp"/wss-gateway-"$version".tar.gz "$out/wss-gateway.tar.gz"

# The bundle only as an archive to unpack (like scripts/matrix-venv.sh): its Python floor
# does not matter.
"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --ignore-requires-python --dest "$wheels" "$bundle"
"$venv/bin/python" scripts/bundle_collection.py "$wheels/ansible-${bundle#ansible==}-py3-none-any.whl" \
  community.crypto "$tmp/community-crypto.tar.gz"
keep_or_replace "$tmp/community-crypto.tar.gz" "$out/community-crypto.tar.gz"

# ansible-builder's scripts default to dnf/microdnf; a Debian-family base has apt-get.
pkgmgr=${EE_PKGMGR:-$(docker run --rm --entrypoint /bin/sh "$base" -c \
  'for p in /usr/bin/microdnf /usr/bin/dnf /usr/bin/apt-get; do [ -x "$p" ] && { echo "$p"; exit 0; }; done; exit 1')} || {
  echo "no package manager (microdnf, dnf, apt-get) in $base: set EE_PKGMGR" >&2
  exit 2
}

"$venv/bin/ansible-builder" build --file execution-environment.yml --context .cache/ee/context \
  --container-runtime docker --tag "$image" \
  --build-arg EE_BASE_IMAGE="$base" --build-arg PKGMGR="$pkgmgr" ${EE_BUILDER_ARGS:-}
echo "built $image on $base"
