#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the tracked tree laid out as
# ansible_collections/wss/gateway (ansible-test needs that path and no symlinks).
# Extra arguments go to ansible-test (for example: --test pylint).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$here/.venv}
python_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# ansible-test bootstraps pip in its own venvs with a get-pip script that it downloads from
# a host this network cannot reach; it first looks for a cached copy. This stand-in does the
# same job offline: pip from ensurepip, then the requested pip version from the package index
# that pip is configured for on this machine.
pip_version=$("$venv/bin/python" -c '
import pathlib, re, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
match = re.search(r"pip=.([0-9.]+).", source.read_text())
print(match.group(1) if match else "")')
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
write_stub() {
  cat >"$1" <<'PY'
# Offline stand-in for get-pip.py, written by wss.gateway's scripts/sanity.sh.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
if any(not a.startswith("-") for a in args):
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args])
PY
}
if [ -n "$pip_version" ]; then
  stub="$cache/get_pip_${pip_version//./_}.py"
  [ -f "$stub" ] || write_stub "$stub"
else
  # Unknown version: cover the ones ansible-core 2.19 may ask for.
  for v in 24_0 24_2 25_0 25_1 25_2; do [ -f "$cache/get_pip_$v.py" ] || write_stub "$cache/get_pip_$v.py"; done
fi

work=$(mktemp -d /tmp/wss-sanity.XXXXXX)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/wss/gateway"
mkdir -p "$dest"
# Tracked and not-yet-committed (but not ignored) files: what a commit would hold.
(cd "$here" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$here" && xargs -0 cp --parents -t "$dest" 2>/dev/null || true)
(cd "$dest" && git init -q . && git add -A >/dev/null)
cd "$dest"
PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" sanity --local --requirements \
  --python "$python_version" --color no "$@"
