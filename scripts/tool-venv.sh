#!/usr/bin/env bash
# A venv of its own for a test tool whose pins the toolchain of requirements-dev.txt does not
# share: scripts/tool-venv.sh NAME installs tests/NAME-requirements.txt (the file's
# `# python: X.Y` line names the interpreter, default python3) into .cache/NAME-HASH once
# per requirements file, and prints the venv's path.
#   galaxy-importer  (tests/test_collection.py): attrs<24, flake8 6
#   sslyze           (tests/proof/test_scanners.py): cryptography < 47
# `make test` makes them while the other setup steps run; the tests call this script too (it
# returns at once when the venv is complete).
set -euo pipefail

name=${1:?usage: scripts/tool-venv.sh NAME}
here=$(cd "$(dirname "$0")/.." && pwd)
req=$here/tests/$name-requirements.txt
[ -f "$req" ] || { echo "no $req" >&2; exit 2; }
venv=$here/.cache/$name-$(cat "$req" "$0" | sha256sum | cut -c1-12)
if [ ! -f "$venv/.installed" ]; then
  version=$(sed -n 's/^# python: *\([0-9.]*\).*/\1/p' "$req")
  python=python3
  if [ -n "$version" ]; then
    python=$("$here/scripts/find-python.sh" "$version") || { echo "no Python $version" >&2; exit 1; }
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" 2>&1 |
    { grep -v "^WARNING: Location" || true; } >&2
  touch "$venv/.installed"
fi
echo "$venv"
