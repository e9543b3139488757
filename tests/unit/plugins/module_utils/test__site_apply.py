# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The staged apply of wss.gateway.wss_site, against a real ``nginx -t`` in a temporary prefix.

The live layout is the one wss.gateway.nginx and wss.gateway.proxy write, under a temporary
directory: an nginx.conf that includes ``<tmp>/wss-gateway/*.conf``, the site in that
directory, the staging directory and the staged nginx.conf next to nginx.conf.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ansible_collections.wss.gateway.plugins.module_utils import _site_apply
from ansible_collections.wss.gateway.plugins.module_utils._site_apply import (
    STEP_DIRECTORIES,
    SiteApplyError,
    SitePaths,
    apply_site,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not os.access(NGINX, os.X_OK) and os.environ.get("CI") != "true",
    reason="nginx is not installed (under CI=true this fails instead)",
)

GOOD = b"""upstream wss_test_backend { server 127.0.0.1:19999; }
server {
    listen 127.0.0.1:18999;
    location / { proxy_pass http://wss_test_backend; }
}
"""
OTHER = GOOD.replace(b"19999", b"19998")
BROKEN = GOOD.replace(b"location /", b"wss_gateway_no_such_directive on;\n    location /")


class Host:
    """A temporary /etc/nginx, and a runner that records the nginx commands it runs."""

    def __init__(self, root: Path):
        self.root = root
        (root / "logs").mkdir()
        self.paths = SitePaths(
            site_file=str(root / "wss-gateway" / "wss-gateway.conf"),
            site_include=f"include {root}/wss-gateway/*.conf;",
            nginx_conf=str(root / "nginx.conf"),
            nginx_binary=NGINX,
            stage_dir=str(root / "wss-gateway.staging"),
            stage_conf=str(root / "nginx.wss-gateway-staging.conf"),
            stage_include=f"include {root}/wss-gateway.staging/*.conf;",
        )
        temp = "".join(
            f"    {name}_temp_path {root}/{name};\n"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.conf = (
            f"pid {root}/nginx.pid;\nerror_log {root}/logs/error.log;\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n{temp}    access_log off;\n"
            f"    {self.paths.site_include}\n}}\n"
        )
        Path(self.paths.nginx_conf).write_text(self.conf)
        self.commands: list[list[str]] = []

    def run(self, argv: list) -> tuple:
        """nginx -t as the module runs it, in this prefix (``-c`` defaults to nginx.conf)."""
        self.commands.append(list(argv))
        extra = ["-p", f"{self.root}/", "-e", f"{self.root}/logs/error.log"]
        if "-c" not in argv:
            extra += ["-c", self.paths.nginx_conf]
        done = subprocess.run(argv + extra, capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr

    def apply(self, content: bytes, check_mode: bool = False) -> dict:
        return apply_site(content, self.paths, self.run, check_mode)

    @property
    def site(self) -> Path:
        return Path(self.paths.site_file)

    def staging_left(self) -> list[str]:
        return [
            path for path in (self.paths.stage_dir, self.paths.stage_conf) if os.path.lexists(path)
        ]

    def stray_files(self) -> list[str]:
        """Temporary files of an atomic write left in the site directory."""
        site_dir = self.site.parent
        return (
            sorted(p.name for p in site_dir.iterdir() if p.name.startswith(".wss-gateway-"))
            if site_dir.exists()
            else []
        )


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host(tmp_path)


def test_first_apply_creates_the_site_after_both_nginx_tests(host):
    result = host.apply(GOOD)
    assert result["changed"] and result["site_changed"] and result["created"]
    assert host.site.read_bytes() == GOOD
    assert stat.S_IMODE(host.site.stat().st_mode) == 0o644
    assert stat.S_IMODE(host.site.parent.stat().st_mode) == 0o755
    assert host.commands == [
        [NGINX, "-t", "-q", "-c", host.paths.stage_conf],
        [NGINX, "-t", "-q"],
    ]
    assert host.staging_left() == [] and host.stray_files() == []
    assert result["diff"]["before"] == "" and result["diff"]["after"] == GOOD.decode()


def test_same_site_changes_nothing_and_runs_nothing(host):
    host.apply(GOOD)
    before = host.site.stat()
    host.commands.clear()
    result = host.apply(GOOD)
    assert not result["changed"] and not result["site_changed"]
    assert host.commands == []
    after = host.site.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_check_mode_reports_the_diff_and_writes_nothing(host):
    host.apply(GOOD)
    host.commands.clear()
    result = host.apply(OTHER, check_mode=True)
    assert result["changed"] and result["site_changed"] and not result["created"]
    assert result["diff"]["before"] == GOOD.decode()
    assert result["diff"]["after"] == OTHER.decode()
    assert host.site.read_bytes() == GOOD
    assert host.commands == [] and host.staging_left() == []


def test_check_mode_on_a_fresh_host_creates_nothing(host):
    result = host.apply(GOOD, check_mode=True)
    assert result["changed"] and result["created"]
    assert not host.site.parent.exists() and host.commands == []


def test_a_site_that_fails_the_staged_test_never_goes_live(host):
    host.apply(GOOD)
    os.chmod(host.site, 0o640)
    host.commands.clear()
    with pytest.raises(SiteApplyError) as failure:
        host.apply(BROKEN)
    error = failure.value
    assert error.step == _site_apply.STEP_STAGED_TEST and error.restored
    assert 'unknown directive "wss_gateway_no_such_directive"' in error.message
    assert "the site was not changed and nginx was not reloaded" in error.message
    assert host.site.read_bytes() == GOOD
    assert stat.S_IMODE(host.site.stat().st_mode) == 0o640
    assert host.commands == [[NGINX, "-t", "-q", "-c", host.paths.stage_conf]]
    assert host.staging_left() == [] and host.stray_files() == []


def test_a_failed_first_deploy_leaves_no_site(host):
    with pytest.raises(SiteApplyError):
        host.apply(BROKEN)
    assert not host.site.exists() and host.staging_left() == []


def _conflicting_file(host: Host) -> None:
    """Another file in the live site directory that only the live configuration includes: the
    staged test (staging directory only) passes, the live one (both files) fails."""
    (host.site.parent / "stale.conf").write_bytes(GOOD.replace(b"18999", b"18998"))


def test_a_failure_after_the_swap_puts_the_previous_site_back_byte_for_byte(host):
    previous = GOOD + b"# kept exactly, with its mode\n"
    host.apply(previous)
    os.chmod(host.site, 0o600)
    _conflicting_file(host)
    host.commands.clear()
    with pytest.raises(SiteApplyError) as failure:
        host.apply(OTHER)
    error = failure.value
    assert error.step == _site_apply.STEP_LIVE_TEST and error.restored
    assert 'duplicate upstream "wss_test_backend"' in error.message
    assert "the site was not changed and nginx was not reloaded" in error.message
    assert host.site.read_bytes() == previous
    assert stat.S_IMODE(host.site.stat().st_mode) == 0o600
    assert len(host.commands) == 2
    assert host.staging_left() == [] and host.stray_files() == []


def test_a_failure_after_the_swap_on_a_fresh_host_removes_the_new_site(host):
    host.site.parent.mkdir()
    _conflicting_file(host)
    with pytest.raises(SiteApplyError) as failure:
        host.apply(OTHER)
    assert failure.value.step == _site_apply.STEP_LIVE_TEST
    assert not host.site.exists() and host.staging_left() == []


def test_an_nginx_conf_without_the_include_stops_before_any_write(host):
    Path(host.paths.nginx_conf).write_text(host.conf.replace(host.paths.site_include, ""))
    with pytest.raises(SiteApplyError) as failure:
        host.apply(GOOD)
    assert failure.value.step == _site_apply.STEP_INCLUDE
    assert host.paths.site_include in failure.value.message
    assert not host.site.parent.exists() and host.commands == [] and host.staging_left() == []


def test_without_nginx_nothing_is_written(host, tmp_path):
    paths = SitePaths(**{**host.paths.__dict__, "nginx_binary": str(tmp_path / "no-nginx")})
    with pytest.raises(SiteApplyError) as failure:
        apply_site(GOOD, paths, host.run)
    assert failure.value.step == _site_apply.STEP_INSTALLED
    assert "run the wss.gateway.nginx role" in failure.value.message
    assert not host.site.parent.exists() and host.commands == []


def test_what_an_interrupted_run_left_in_staging_is_removed_first(host):
    os.makedirs(host.paths.stage_dir)
    Path(host.paths.stage_dir, "wss-gateway.conf").write_bytes(BROKEN)
    Path(host.paths.stage_dir, "leftover.conf").write_bytes(BROKEN)
    Path(host.paths.stage_conf).write_text("garbage")
    result = host.apply(GOOD)
    assert result["site_changed"] and host.site.read_bytes() == GOOD
    assert host.staging_left() == []


def test_only_the_mode_differs_fixes_it_without_nginx(host):
    host.apply(GOOD)
    os.chmod(host.site, 0o666)
    host.commands.clear()
    result = host.apply(GOOD)
    assert result["changed"] and not result["site_changed"]
    assert stat.S_IMODE(host.site.stat().st_mode) == 0o644
    assert host.commands == []
    assert not host.apply(GOOD)["changed"]


def test_a_new_site_replaces_the_old_one_after_both_tests(host):
    host.apply(GOOD)
    host.commands.clear()
    result = host.apply(OTHER)
    assert result["site_changed"] and not result["created"]
    assert host.site.read_bytes() == OTHER and len(host.commands) == 2
    assert result["diff"]["before"] == GOOD.decode()


def _with_webroot(host: Host) -> Path:
    webroot = host.root / "acme" / ".well-known" / "acme-challenge"
    host.paths = dataclasses.replace(host.paths, directories=(str(webroot),))
    return webroot


def test_the_directories_the_site_serves_are_made_and_fixed_without_nginx(host):
    webroot = _with_webroot(host)
    result = host.apply(GOOD)
    assert result["changed"] and result["site_changed"]
    assert webroot.is_dir() and stat.S_IMODE(webroot.stat().st_mode) == 0o755
    os.chmod(webroot, 0o700)
    host.commands.clear()
    result = host.apply(GOOD)
    assert result["changed"] and not result["site_changed"]
    assert stat.S_IMODE(webroot.stat().st_mode) == 0o755
    assert host.commands == []
    webroot.rmdir()
    assert host.apply(GOOD)["changed"] and webroot.is_dir()
    assert not host.apply(GOOD)["changed"]


def test_check_mode_leaves_a_missing_directory_missing(host):
    host.apply(GOOD)
    webroot = _with_webroot(host)
    result = host.apply(GOOD, check_mode=True)
    assert result["changed"] and not result["site_changed"]
    assert not webroot.exists() and host.site.read_bytes() == GOOD


def test_a_directory_that_cannot_be_made_stops_before_the_site_changes(host):
    host.apply(GOOD)
    webroot = _with_webroot(host)
    webroot.parent.parent.mkdir()
    webroot.parent.write_text("a file where a directory belongs\n")
    host.commands.clear()
    with pytest.raises(SiteApplyError) as raised:
        host.apply(OTHER)
    assert raised.value.step == STEP_DIRECTORIES and str(webroot) in raised.value.message
    assert host.site.read_bytes() == GOOD and host.commands == []
    assert host.staging_left() == []
