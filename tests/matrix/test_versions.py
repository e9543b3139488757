"""The version matrix: each ansible-core the collection claims, in a venv of its own.

Every ``requirements-VERSION.txt`` here is one column: ansible-core, the Python it runs on
(``# python:``) and the PyPI ``ansible`` bundle whose community.crypto and community.docker
it uses (``# collections:``). ``make matrix`` (a prerequisite of ``make test``) makes the
venvs under ``.cache/matrix/VERSION`` with scripts/matrix-venv.sh. Per version: the unit
tests, ``ansible-test sanity`` (oldest and newest, see SANITY_VERSIONS), and a real
``wss.gateway.deploy_wss`` run twice against a fresh container (the second run changes
nothing), then ``wss.gateway.verify_wss``. The newest line is not a column: it is the main
venv (requirements-dev.txt), on which the whole suite runs, its sanity test included.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from ansible.release import __version__ as MAIN_CORE

from tests.conftest import IN_CI, ROOT, require_tool

pytestmark = pytest.mark.matrix

HERE = Path(__file__).resolve().parent
SCRIPT = ROOT / "scripts" / "matrix-venv.sh"
OUTPUT = ROOT / "tests" / "output"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


VERSIONS = sorted(
    (p.name[len("requirements-") : -len(".txt")] for p in HERE.glob("requirements-*.txt")),
    key=_key,
)
OLDEST = VERSIONS[0]
# ansible-test sanity takes minutes per version on two cores: the oldest here (the newest runs
# in the main venv, tests/test_quality.py), every version with WSS_MATRIX_SANITY=all.
SANITY_VERSIONS = VERSIONS if os.environ.get("WSS_MATRIX_SANITY") == "all" else [OLDEST]
# The oldest community.crypto the collection accepts (galaxy.yml); the oldest column uses it.
CRYPTO_FLOOR = "3.1.1"


def _header(version: str) -> dict[str, str]:
    text = (HERE / f"requirements-{version}.txt").read_text()
    return {
        "core": re.search(r"(?m)^ansible-core==(\S+)$", text).group(1),
        "python": re.search(r"(?m)^# python: ([0-9.]+)", text).group(1),
        "bundle": re.search(r"(?m)^# collections: ansible==([0-9.]+)", text).group(1),
        "crypto": re.search(r"(?m)^# community.crypto: ([0-9.]+)$", text).group(1),
    }


def _venv(version: str) -> Path:
    """The venv of one version, complete for its requirements file; skip or fail without."""
    req = (HERE / f"requirements-{version}.txt").read_bytes()
    stamp = hashlib.sha256(req + SCRIPT.read_bytes()).hexdigest()[:12]
    directory = ROOT / ".cache" / "matrix" / version
    if not (directory / f".installed-{stamp}").is_file():
        message = (
            f"no venv for ansible-core {version} (Python {_header(version)['python']}):"
            f" run 'make matrix' or scripts/matrix-venv.sh {version}"
        )
        if IN_CI:
            pytest.fail(message + " (CI=true: nothing is skipped)")
        pytest.skip(message)
    return directory / "venv"


def _env(venv: Path) -> dict[str, str]:
    """The environment of a tool of ``venv``: its bin first, nothing of this pytest run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PY_COLORS="0")
    return env


def _run(venv: Path, *command: str, log: Path, timeout: int = 1800, **extra_env: str):
    """Run a command with ``venv``'s tools; the whole output goes to ``log`` and is returned."""
    log.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**_env(venv), **extra_env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    log.write_text(output)
    return result.returncode, output


def _assert_ok(rc: int, output: str, what: str, log: Path) -> None:
    assert rc == 0, f"{what} failed (rc={rc}, full log: {log}):\n{output[-6000:]}"


def test_the_matrix_spans_the_claimed_range() -> None:
    """The oldest column is the claimed minimum, with the oldest community.crypto accepted."""
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    claimed = re.fullmatch(r">=(\d+\.\d+)\.0", runtime["requires_ansible"])
    assert claimed, runtime["requires_ansible"]
    assert claimed.group(1) == OLDEST
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["dependencies"]["community.crypto"] == f">={CRYPTO_FLOOR},<4.0.0"
    for version in VERSIONS:
        header = _header(version)
        assert header["core"].startswith(version + "."), (version, header)
        text = (HERE / f"requirements-{version}.txt").read_text()
        assert not re.search(r"(?m)^cryptography\b", text), f"{version}: no cryptography pin"


def test_the_main_venv_is_the_next_line() -> None:
    """The columns and the main venv are consecutive ansible-core lines: the main venv (this
    pytest run) is the newest, one after the matrix's newest column, with no cryptography pin."""
    main_line = ".".join(MAIN_CORE.split(".")[:2])
    lines = [*VERSIONS, main_line]
    major, oldest_minor = _key(OLDEST)
    assert lines == [f"{major}.{oldest_minor + i}" for i in range(len(lines))], lines
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(rf"(?m)^ansible-core=={re.escape(MAIN_CORE)}$", dev), MAIN_CORE
    assert not re.search(r"(?m)^cryptography\b", dev), "no cryptography pin in the main venv"


def test_the_readme_table_is_the_matrix() -> None:
    """README's table of tested versions has a row per column: core, Python, community.crypto."""
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"(?m)^\| (\d+\.\d+\.\d+) \| (\d+\.\d+) \| (\d+\.\d+\.\d+) \|", readme)
    for version in VERSIONS:
        header = _header(version)
        assert (header["core"], header["python"], header["crypto"]) in rows, (version, rows)
    # The main venv's row: this run's ansible-core, Python and community.crypto.
    crypto = Path(sysconfig.get_paths()["purelib"], "ansible_collections/community/crypto")
    manifest = json.loads((crypto / "MANIFEST.json").read_text())
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    main_row = (MAIN_CORE, python, manifest["collection_info"]["version"])
    assert main_row in rows, (main_row, rows)


@pytest.mark.parametrize("version", VERSIONS)
def test_versions_in_the_venv(version: str) -> None:
    """The venv runs the pinned ansible-core on the named Python, with community.crypto from
    the named bundle (the oldest column: exactly the accepted minimum)."""
    venv = _venv(version)
    header = _header(version)
    log = OUTPUT / f"matrix-{version}-versions.log"
    rc, output = _run(venv, str(venv / "bin" / "ansible"), "--version", log=log)
    _assert_ok(rc, output, "ansible --version", log)
    assert re.search(rf"core {re.escape(header['core'])}\]", output), output
    assert re.search(rf"python version = {re.escape(header['python'])}\.", output), output
    rc, output = _run(
        venv,
        str(venv / "bin" / "ansible-galaxy"),
        "collection",
        "list",
        "--format",
        "json",
        "community.crypto",
        log=log,
    )
    _assert_ok(rc, output, "ansible-galaxy collection list", log)
    found = [
        info["version"]
        # The JSON object only: a library's warning on stderr may follow it.
        for path, collections in json.JSONDecoder()
        .raw_decode(output[output.index("{") :])[0]
        .items()
        if str(venv) in path
        for name, info in collections.items()
        if name == "community.crypto"
    ]
    assert found == [header["crypto"]], output
    assert _key(found[0]) >= _key(CRYPTO_FLOOR), found
    if version == OLDEST:
        assert found[0] == CRYPTO_FLOOR, found


@pytest.mark.parametrize("version", VERSIONS)
def test_unit_tests(version: str) -> None:
    venv = _venv(version)
    log = OUTPUT / f"matrix-{version}-unit.log"
    rc, output = _run(
        venv,
        str(venv / "bin" / "python"),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "tests/unit",
        log=log,
    )
    _assert_ok(rc, output, f"tests/unit under ansible-core {version}", log)
    # Nothing skipped: the unit tests' own requirements are in the venv.
    assert re.search(r"(?m)^\d+ passed in ", output), output[-2000:]


@pytest.mark.parametrize("version", SANITY_VERSIONS)
def test_sanity(version: str) -> None:
    require_tool("git")
    venv = _venv(version)
    log = OUTPUT / f"matrix-{version}-sanity.log"
    rc, output = _run(venv, str(ROOT / "scripts" / "sanity.sh"), log=log, VENV=str(venv))
    _assert_ok(rc, output, f"ansible-test sanity {version}", log)


def _recap(output: str, host: str) -> dict[str, int]:
    match = re.search(rf"(?m)^{re.escape(host)}\s*:\s*(.*)$", output)
    assert match, f"no PLAY RECAP line for {host}:\n{output[-4000:]}"
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


@pytest.fixture
def container(version: str, image_env: dict[str, str]):
    """A fresh bookworm container named after the version, removed afterwards."""
    _venv(version)  # skip (or fail) before starting anything
    # No dots: 'wss-matrix-2.21' would end in a label of digits only, which the validator
    # refuses as a host name (the wss_backend shorthand serves inventory_hostname).
    name = f"wss-matrix-{version.replace('.', '-')}"
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    started = subprocess.run(
        ["docker", "run", "-d", "--init", "--name", name, image_env["WSS_IMAGE_BOOKWORM"]]
        + ["sleep", "infinity"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    yield name
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_converge_idempotence_verify(version: str, container: str, tmp_path: Path) -> None:
    """deploy_wss on a fresh host, again with changed=0, then verify_wss finds it ok."""
    venv = _venv(version)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {
                        "localhost": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                        }
                    },
                    "children": {
                        "wss": {
                            "hosts": {
                                container: {
                                    "ansible_connection": "community.docker.docker",
                                    "ansible_python_interpreter": "/usr/bin/python3",
                                }
                            },
                            "vars": {
                                "wss_become": False,
                                "wss_backend": "127.0.0.1:19808",
                                "wss_certificate_ca_dir": str(tmp_path / "ca"),
                                "wss_report_dir": str(tmp_path / "report"),
                            },
                        }
                    },
                }
            }
        )
    )
    playbook = str(venv / "bin" / "ansible-playbook")
    inv = f"--inventory={inventory}"

    def play(step: str, *args: str) -> dict[str, int]:
        """Run a playbook against the container; return its PLAY RECAP counts."""
        log = OUTPUT / f"matrix-{version}-{step}.log"
        rc, output = _run(venv, playbook, inv, *args, log=log)
        _assert_ok(rc, output, f"{step} under ansible-core {version}", log)
        return _recap(output, container)

    play("backend", str(ROOT / "demo" / "backend.yml"))
    first = play("converge", "wss.gateway.deploy_wss")
    assert first["changed"] > 0 and first["failed"] == 0, first
    second = play("idempotence", "wss.gateway.deploy_wss")
    assert second["changed"] == 0 and second["failed"] == 0, second
    play("verify", "wss.gateway.verify_wss")
    report = json.loads((tmp_path / "report" / "wss-report.json").read_text())
    rows = [row for row in report["rows"] if row["host"] == container]
    assert rows and all(row["status"] == "ok" for row in rows), report
