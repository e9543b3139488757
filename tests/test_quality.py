"""Linters at their strictest, and ansible-test sanity, as tests of one pytest run."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.quality


def run(*command: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_clean(result: subprocess.CompletedProcess, what: str) -> None:
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"{what} failed:\n{output}"


def test_ruff_check() -> None:
    require_tool("ruff")
    assert_clean(run("ruff", "check", "."), "ruff check")


def test_ruff_format() -> None:
    require_tool("ruff")
    assert_clean(run("ruff", "format", "--check", "."), "ruff format --check")


def test_yamllint() -> None:
    require_tool("yamllint")
    assert_clean(run("yamllint", "--strict", "."), "yamllint")


def test_ansible_lint_production() -> None:
    require_tool("ansible-lint")
    config = (ROOT / ".ansible-lint").read_text()
    assert "profile: production" in config
    assert "skip_list" not in config and "warn_list" not in config
    assert not list(ROOT.rglob(".ansible-lint-ignore")), "no ignore files allowed"
    assert_clean(run("ansible-lint", "--offline"), "ansible-lint")


def test_changelog_fragments() -> None:
    require_tool("antsibull-changelog")
    assert_clean(run("antsibull-changelog", "lint"), "antsibull-changelog lint")


def test_sanity_ignore_files_are_empty() -> None:
    for ignore in (ROOT / "tests" / "sanity").glob("ignore-*.txt"):
        assert ignore.read_text().strip() == "", f"{ignore} must stay empty"


def test_ansible_test_sanity() -> None:
    require_tool("git")
    result = run(str(ROOT / "scripts" / "sanity.sh"), timeout=1500)
    assert_clean(result, "ansible-test sanity")
