"""Run every molecule scenario under extensions/molecule/ as one pytest test each.

One runner reports everything: lint, sanity, unit, functional and these scenarios.
The test images are built (or found by their content hash) once per session by
scripts/build-images.sh; each scenario's full log is kept in tests/output/.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, require_tool, run_molecule

SCENARIO_ROOT = ROOT / "extensions" / "molecule"
OUTPUT = ROOT / "tests" / "output"
# Scenarios that a pytest fixture drives step by step instead of `molecule test`.
DRIVEN_BY_FIXTURES = {"proof"}
SCENARIOS = sorted(
    p.parent.name
    for p in SCENARIO_ROOT.glob("*/molecule.yml")
    if p.parent.name not in DRIVEN_BY_FIXTURES
)


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario: str, image_env: dict[str, str]) -> None:
    require_tool("molecule")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"molecule-{scenario}.log"
    result = run_molecule("test", scenario, image_env, log)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        pytest.fail(f"molecule scenario '{scenario}' failed (full log: {log}):\n{tail}")


def test_every_scenario_is_collected() -> None:
    """A scenario directory without molecule.yml would silently never run."""
    dirs = {p.name for p in SCENARIO_ROOT.iterdir() if p.is_dir() and p.name != "resources"}
    missing = dirs - set(SCENARIOS) - DRIVEN_BY_FIXTURES
    assert not missing, f"scenario folders without molecule.yml: {missing}"
