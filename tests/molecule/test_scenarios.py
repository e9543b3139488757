"""Run every molecule scenario under extensions/molecule/ as one pytest test each.

One runner reports everything: lint, sanity, unit, functional and these scenarios.
The test images are built (or found by their content hash) once per session by
scripts/build-images.sh; each scenario's full log is kept in tests/output/.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT, require_tool

SCENARIO_ROOT = ROOT / "extensions" / "molecule"
OUTPUT = ROOT / "tests" / "output"
SCENARIOS = sorted(p.parent.name for p in SCENARIO_ROOT.glob("*/molecule.yml"))


@pytest.fixture(scope="session")
def image_env() -> dict[str, str]:
    require_tool("docker")
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        message = "no Docker engine answers (run scripts/ensure-docker.sh)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
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


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario: str, image_env: dict[str, str]) -> None:
    require_tool("molecule")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"molecule-{scenario}.log"
    env = {**os.environ, **image_env, "ANSIBLE_NOCOLOR": "1", "PY_COLORS": "0"}
    with log.open("w") as stream:
        result = subprocess.run(
            ["molecule", "test", "--scenario-name", scenario],
            cwd=ROOT,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        pytest.fail(f"molecule scenario '{scenario}' failed (full log: {log}):\n{tail}")


def test_every_scenario_is_collected() -> None:
    """A scenario directory without molecule.yml would silently never run."""
    dirs = sorted(p.name for p in SCENARIO_ROOT.iterdir() if p.is_dir() and p.name != "resources")
    assert dirs == SCENARIOS, f"scenario folders without molecule.yml: {set(dirs) - set(SCENARIOS)}"
