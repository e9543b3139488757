#!/usr/bin/env bash
# Make the venv of one ansible-core version of the test matrix:
#   scripts/matrix-venv.sh 2.17      (reads tests/matrix/requirements-2.17.txt)
# The requirements file names the Python (`# python: 3.10`) and the PyPI `ansible` bundle
# whose community.crypto and community.docker the venv gets (`# collections: ansible==X`);
# those collections are unpacked into the venv's site-packages/ansible_collections, where
# ansible-core finds them through its sys.path scan (Galaxy is not reachable here).
# The venv is .cache/matrix/VERSION/venv; the stamp .cache/matrix/VERSION/.installed-HASH
# (HASH: the requirements file and this script) marks it complete. Without the named Python
# this prints why and leaves no stamp (the matrix test then skips); under CI=true it fails.
set -euo pipefail

version=${1:?usage: scripts/matrix-venv.sh VERSION}
here=$(cd "$(dirname "$0")/.." && pwd)
req=$here/tests/matrix/requirements-$version.txt
[ -f "$req" ] || { echo "no $req" >&2; exit 2; }
dir=$here/.cache/matrix/$version
hash=$(cat "$req" "$0" | sha256sum | cut -c1-12)
stamp=$dir/.installed-$hash
[ -f "$stamp" ] && exit 0

python_version=$(sed -n 's/^# python: *\([0-9.]*\).*/\1/p' "$req")
bundle=$(sed -n 's/^# collections: *\(ansible==[0-9.]*\).*/\1/p' "$req")
[ -n "$python_version" ] && [ -n "$bundle" ] || {
  echo "$req: needs '# python: X.Y' and '# collections: ansible==X' lines" >&2
  exit 2
}

python=$("$here/scripts/find-python.sh" "$python_version" || true)
if [ -z "$python" ]; then
  message="ansible-core $version: no usable Python $python_version (pyenv or PATH)"
  case ${CI:-} in
    1 | true | yes) echo "$message (CI=true: nothing is skipped)" >&2; exit 1 ;;
  esac
  echo "$message: its matrix tests will be skipped" >&2
  exit 0
fi

echo "matrix $version: venv from $python, collections from $bundle"
rm -rf "$dir"
mkdir -p "$dir"
"$python" -m venv "$dir/venv"
pip=("$dir/venv/bin/python" -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --upgrade pip
"${pip[@]}" install -r "$req"
# The bundle only as an archive to unpack: its own Python floor does not matter. Versions that
# share a bundle may be made at the same time (make -j): one download at a time.
mkdir -p "$here/.cache/matrix/wheels"
flock "$here/.cache/matrix/wheels.lock" "${pip[@]}" download --no-deps --only-binary=:all: --ignore-requires-python --dest "$here/.cache/matrix/wheels" "$bundle"
wheel=$(ls "$here/.cache/matrix/wheels/ansible-${bundle#ansible==}-"*.whl)
"$dir/venv/bin/python" - "$wheel" <<'PY'
import sys
import sysconfig
import zipfile

wanted = ("community/crypto/", "community/docker/", "community/library_inventory_filtering_v1/")
target = sysconfig.get_paths()["purelib"]
with zipfile.ZipFile(sys.argv[1]) as wheel:
    members = [
        name
        for name in wheel.namelist()
        if name.startswith("ansible_collections/") and name[20:].startswith(wanted)
    ]
    wheel.extractall(target, members)
print(f"unpacked {len(members)} files of {', '.join(w.rstrip('/') for w in wanted)}")
PY
touch "$stamp"
