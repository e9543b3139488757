#!/usr/bin/env bash
# Print the path of a Python X.Y that can make venvs: pyenv's build of that version (newest
# patch) or python X.Y on PATH. Exit 1, printing nothing, when there is none.
#   scripts/find-python.sh 3.13
set -euo pipefail

version=${1:?usage: scripts/find-python.sh X.Y}
python=
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python"$version"; do
  [ -x "$candidate" ] && python=$candidate
done
[ -n "$python" ] || python=$(command -v "python$version" || true)
[ -n "$python" ] && "$python" -c 'import venv, ensurepip' 2>/dev/null || exit 1
echo "$python"
