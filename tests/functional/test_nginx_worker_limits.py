"""The nginx role's settings checks: a bad pair of worker limits is refused with both variables
named, and extra packages that are not Debian package names are refused.

Runs the role's set_vars step (it loads data and asserts; nothing on the host changes)
against localhost with the local connection, so no container is needed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.functional.local_play import run_role_step


def run_limits(tmp_path: Path, extra: dict) -> subprocess.CompletedProcess:
    return run_role_step(tmp_path, "nginx", "set_vars", extra)


def test_fewer_open_files_than_connections_is_refused(tmp_path: Path) -> None:
    result = run_limits(
        tmp_path, {"nginx_worker_connections": 20000, "nginx_worker_rlimit_nofile": 10000}
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert (
        "nginx_worker_rlimit_nofile (10000) must be at least nginx_worker_connections (20000)"
        in output
    ), output


@pytest.mark.parametrize(
    "extra",
    [
        {},  # the defaults: 16384 connections, 16384 + 1024 open files
        {"nginx_worker_connections": 5000, "nginx_worker_rlimit_nofile": 5000},
    ],
    ids=["defaults", "equal"],
)
def test_as_many_open_files_as_connections_is_accepted(tmp_path: Path, extra: dict) -> None:
    result = run_limits(tmp_path, extra)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Check the operating system and the settings of nginx" in result.stdout


def test_extra_packages_that_are_not_package_names_are_refused(tmp_path: Path) -> None:
    result = run_limits(
        tmp_path, {"nginx_extra_packages": ["python3-cryptography", "certbot; rm -rf /", "a\n"]}
    )
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    assert (
        "nginx_extra_packages must list Debian package names (lower-case letters, digits, '+',"
        " '-', '.'); not: 'certbot; rm -rf /', 'a\\n'" in output
    ), output


def test_extra_package_names_are_accepted(tmp_path: Path) -> None:
    result = run_limits(tmp_path, {"nginx_extra_packages": ["python3-cryptography", "libc++1"]})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
