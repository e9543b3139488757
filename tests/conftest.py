"""Shared pytest set-up: make the collection importable and runnable as wss.gateway.

The checkout is linked into ``.cache/collections/ansible_collections/wss/gateway`` so
that Python imports (``ansible_collections.wss.gateway...``), ``ansible-playbook``,
``ansible-doc`` and molecule all resolve the collection from the work tree itself.
Collections from the PyPI ``ansible`` bundle (community.crypto, community.docker)
stay reachable through the sys.path scan.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / ".cache" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "wss" / "gateway"


def _link_collection() -> None:
    LINK.parent.mkdir(parents=True, exist_ok=True)
    if LINK.is_symlink() and LINK.resolve() == ROOT:
        return
    if LINK.is_symlink() or LINK.exists():
        LINK.unlink()
    LINK.symlink_to(ROOT, target_is_directory=True)


_link_collection()
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
# Tools of the venv that runs pytest (ansible-playbook, molecule, ...) come first.
_bin = str(Path(sys.executable).parent)
if not os.environ.get("PATH", "").startswith(_bin + os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    """Return the path of a command-line tool; skip without it, fail under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"required tool '{name}' is not installed"
        if IN_CI:
            pytest.fail(message + " (CI=true: nothing is skipped)")
        pytest.skip(message)
    return path


def tool_venv(name: str) -> Path:
    """The venv of a test tool with pins of its own (scripts/tool-venv.sh NAME, made once by
    ``make test``'s setup); skip without it, fail under CI."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "tool-venv.sh"), name],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        message = f"cannot install {name}: {done.stderr[-2000:]}"
        if IN_CI:
            pytest.fail(message + " (CI=true: nothing is skipped)")
        pytest.skip(message)
    return Path(done.stdout.strip())


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def collections_path() -> Path:
    return COLLECTIONS


@pytest.fixture(scope="session")
def image_env() -> dict[str, str]:
    """WSS_IMAGE_* names of the test images: built now, or found by their content hash."""
    require_tool("docker")
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        message = "no Docker engine answers (run scripts/ensure-docker.sh)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    built = subprocess.run(
        [str(ROOT / "scripts" / "build-images.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, f"building the test images failed:\n{built.stderr}"
    env = dict(line.split("=", 1) for line in built.stdout.split() if "=" in line)
    assert "WSS_IMAGE_BOOKWORM_SYSTEMD" in env, built.stdout
    return env


@functools.cache
def _wss_client():
    """The scenarios' controller-side client (a script, not a package), loaded on first use:
    it needs websockets, which the main venv has and the version matrix's venvs do not."""
    path = ROOT / "extensions" / "molecule" / "resources" / "wss_client.py"
    spec = importlib.util.spec_from_file_location("wss_client", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ws_connect(url: str, **kwargs: Any) -> Any:
    """A WebSocket for synchronous tests: wss_client.SyncWebSocket, websockets' asyncio client
    driven call by call, not websockets.sync, whose reader thread races the writer on the TLS
    socket (see the class)."""
    return _wss_client().SyncWebSocket(url, **kwargs)


def run_molecule(
    command: str,
    scenario: str,
    env: dict[str, str],
    log: Path,
    *extra: str,
) -> subprocess.CompletedProcess:
    """Run one molecule command for a scenario from the collection root, output to ``log``."""
    require_tool("molecule")
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **env, "ANSIBLE_NOCOLOR": "1", "PY_COLORS": "0"}
    with log.open("w") as stream:
        return subprocess.run(
            ["molecule", command, "--scenario-name", scenario, *extra],
            cwd=ROOT,
            env=full_env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            check=False,
        )


# `make test` runs the suite on two pytest-xdist workers (`-n 2`). The scheduler below hands
# each worker the next unit of work in collection order when it is free; the tests that share an
# expensive module or session fixture are one unit (one converge of the proof gateway, one EE
# image, one collection tarball), and the long units come first, longest first (figures from
# fresh runs), so that the short tests fill in at the end. (A scheduler of our own, not
# xdist_group marks: pytest-xdist 3.8 sets a node id attribute that pytest 9 no longer reads.)
SHARED_FIXTURES = {
    "tests/proof/": "proof",
    "tests/ee/": "ee",
    "tests/test_collection.py::": "collection",
}
LONG_FIRST = (
    "tests/proof/",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[fleet]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[acme]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[rollback]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[ca]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[provided]",
    "tests/matrix/test_versions.py::test_sanity",
    "tests/test_quality.py::test_ansible_test_sanity",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[backends]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[check]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[trixie]",
    "tests/molecule/test_scenarios.py::test_molecule_scenario[default]",
    "tests/matrix/test_versions.py::test_converge_idempotence_verify",
    "tests/ee/",
    "tests/molecule/",
    "tests/test_collection.py::",
    "tests/matrix/",
    "tests/test_quality.py::",
)


def _rank(nodeid: str) -> int:
    return next(
        (i for i, prefix in enumerate(LONG_FIRST) if nodeid.startswith(prefix)), len(LONG_FIRST)
    )


def _unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its shared fixture's, or its own."""
    return next((g for p, g in SHARED_FIXTURES.items() if nodeid.startswith(p)), nodeid)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long units first: a stable sort, the same on every worker (the order within a rank is
    the collection's)."""
    items.sort(key=lambda item: _rank(item.nodeid))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Units of work in collection order (see SHARED_FIXTURES and LONG_FIRST)."""
    # Only called under xdist, which the version matrix's venvs do not have.
    scheduling = importlib.import_module("xdist.scheduler").LoadScopeScheduling

    class Units(scheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    config.option.loadscopereorder = False
    return Units(config, log)
