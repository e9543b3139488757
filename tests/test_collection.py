"""The collection as a user gets it: built, installed offline, playbooks resolvable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, require_tool

GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())
# A PEM private key with its body, not just the words in a test or a doc.
PEM_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40,}")
PLAYBOOKS = sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))


def run(*command: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**(env or os.environ), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the tarball and install it, offline, into an empty collections path."""
    require_tool("ansible-galaxy")
    out = tmp_path_factory.mktemp("build")
    built = run("ansible-galaxy", "collection", "build", "--output-path", str(out), ".")
    assert built.returncode == 0, built.stderr
    tarball = out / f"wss-gateway-{GALAXY['version']}.tar.gz"
    assert tarball.is_file(), built.stdout
    target = tmp_path_factory.mktemp("collections")
    # --no-deps: community.crypto comes from the `ansible` package on PyPI, Galaxy is offline.
    # --force: a copy elsewhere on the collections path (molecule's) must not make it a no-op.
    install = run(
        "ansible-galaxy",
        "collection",
        "install",
        "--no-deps",
        "--force",
        "-p",
        str(target),
        str(tarball),
    )
    assert install.returncode == 0, install.stderr
    return target


def test_galaxy_metadata() -> None:
    assert GALAXY["namespace"] == "wss" and GALAXY["name"] == "gateway"
    assert {"security", "networking"} <= set(GALAXY["tags"])
    assert "community.crypto" in GALAXY["dependencies"]
    for ignored in (".venv", ".cache", "build"):
        assert ignored in GALAXY["build_ignore"]
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"].startswith(">=")


def test_tarball_holds_no_caches_or_keys(installed: Path) -> None:
    tree = installed / "ansible_collections" / "wss" / "gateway"
    names = [str(p.relative_to(tree)) for p in tree.rglob("*")]
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert not [n for n in names if n.startswith((".venv", ".cache", "build", "tests/output"))]
    for path in tree.rglob("*"):
        if path.is_file():
            assert not PEM_KEY.search(path.read_text(errors="replace")), path


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_installed_playbook_syntax(installed: Path, playbook: str) -> None:
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(installed)}
    result = run(
        "ansible-playbook",
        "-i",
        "localhost,",
        f"wss.gateway.{playbook}",
        "--syntax-check",
        env=env,
        cwd=installed,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_role(role: str) -> None:
    result = run("ansible-doc", "-t", "role", f"wss.gateway.{role}")
    assert result.returncode == 0, result.stderr
    assert re.search(r"ENTRY POINT: \W*main\W", result.stdout), result.stdout[:500]


PLUGINS = [
    ("module", "wss_check"),
    ("filter", "endpoints"),
    ("filter", "endpoint_errors"),
    ("filter", "endpoint_validation"),
    ("filter", "certificate_guard"),
    ("filter", "provided_file_errors"),
    ("filter", "acme_order_reason"),
    ("filter", "fleet_report"),
    ("callback", "rollout_report"),
]


@pytest.mark.parametrize(("kind", "name"), PLUGINS)
def test_ansible_doc_plugin(kind: str, name: str) -> None:
    """Every plugin renders in ansible-doc, and none is left out of this list."""
    result = run("ansible-doc", "-t", kind, f"wss.gateway.{name}")
    assert result.returncode == 0, result.stderr
    assert f"wss.gateway.{name}" in result.stdout


def test_every_plugin_is_in_the_list_above() -> None:
    plugins = ROOT / "plugins"
    present = (
        {("module", p.stem) for p in plugins.glob("modules/*.py")}
        | {("callback", p.stem) for p in plugins.glob("callback/*.py")}
        # Filters are documented by .yml files, or in the .py file that defines them.
        | {("filter", p.stem) for p in plugins.glob("filter/*.yml")}
        | {("filter", p.stem) for p in plugins.glob("filter/*.py")}
    )
    assert present <= set(PLUGINS), present - set(PLUGINS)


def test_execution_environment_definition(tmp_path: Path) -> None:
    require_tool("ansible-builder")
    result = run(
        "ansible-builder",
        "create",
        "--file",
        str(ROOT / "execution-environment.yml"),
        "--context",
        str(tmp_path / "context"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    dockerfile = (tmp_path / "context" / "Dockerfile").read_text()
    assert "ARG EE_BASE_IMAGE" in dockerfile
    assert "community.crypto" in (tmp_path / "context" / "_build" / "requirements.yml").read_text()


def test_python_is_the_venv() -> None:
    """The suite runs with the pinned toolchain, not whatever python3 is on PATH."""
    assert Path(sys.executable).parent == Path(require_tool("ansible-playbook")).parent
