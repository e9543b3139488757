# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The proxy site's transactional apply, in one process (wss.gateway.wss_site).

``apply_site`` compares the new site with the live one and, when it differs: stages it with a
copy of nginx.conf that includes the staged site instead of the live one, validates the whole
configuration with ``nginx -t -c`` on that copy, swaps the site in atomically, validates the
live configuration and, on any failure after the swap, puts the previous site back byte for
byte (or removes the new one when there was none). The staging files are removed in every
case. Nothing here reloads nginx: the caller does, only when ``changed`` (one reload per run).

Only the standard library: the module runs on the managed host.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass

from ansible_collections.wss.gateway.plugins.module_utils._files import (
    attributes_fit,
    decode,
    directory_fits,
    fix_directory,
    owner,
    read,
    write_atomic,
)

# The step names appear in failure messages (and in the fleet report through them).
STEP_INSTALLED = "Find nginx"
STEP_INCLUDE = "Check that nginx.conf includes the site directory"
STEP_STAGE = "Stage the new site"
STEP_STAGED_TEST = "Validate the whole configuration with the staged site"
STEP_SWAP = "Swap the staged site in"
STEP_LIVE_TEST = "Validate the live configuration"
STEP_DIRECTORIES = "Create the directories the site serves"

SITE_MODE = 0o644
DIR_MODE = 0o755
STAGED_NAME = "wss-gateway.conf"

# run(argv) -> (rc, stdout, stderr)
Runner = Callable[[list], tuple]


class SiteApplyError(Exception):
    """A step failed; the live site is what it was before the call."""

    def __init__(self, step: str, detail: str, restored: bool = True):
        self.step = step
        self.detail = detail.strip() or "no message"
        self.restored = restored
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if not self.restored:
            return (
                f"'{self.step}' failed and the previous site could not be put back, so "
                f"nginx was not reloaded but its next reload may fail: {self.detail}"
            )
        return (
            f"'{self.step}' failed, so the site was not changed and nginx was not "
            f"reloaded: {self.detail}"
        )


@dataclass(frozen=True)
class SitePaths:
    """Where the live site, nginx.conf and the staging files are."""

    site_file: str
    site_include: str
    nginx_conf: str
    nginx_binary: str
    stage_dir: str
    stage_conf: str
    stage_include: str
    # Directories the site serves files from (the ACME webroot): 0755, root:root as root.
    directories: tuple = ()


def _make_dir(path: str) -> bool:
    """Create ``path`` (and its parents) as a 0755 directory; True when it was created."""
    if os.path.isdir(path):
        return False
    fix_directory(path, DIR_MODE)
    return True


def _remove_staging(paths: SitePaths) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(paths.stage_conf)
    shutil.rmtree(paths.stage_dir, ignore_errors=True)


def _nginx_test(run: Runner, paths: SitePaths, step: str, conf: str | None) -> None:
    argv = [paths.nginx_binary, "-t", "-q"] + (["-c", conf] if conf else [])
    rc, out, err = run(argv)
    if rc != 0:
        raise SiteApplyError(step, err or out or f"nginx -t exited with {rc}")


def plan(content: bytes, paths: SitePaths) -> dict:
    """What applying ``content`` would change, without writing anything."""
    live = read(paths.site_file)
    site_dir = os.path.dirname(paths.site_file)
    return {
        "live": live,
        "directories": [path for path in paths.directories if not directory_fits(path, DIR_MODE)],
        "create_dir": not os.path.isdir(site_dir),
        "content_changed": live != content,
        "attributes_changed": live is not None and not attributes_fit(paths.site_file, SITE_MODE),
        "diff": {
            "before_header": paths.site_file,
            "after_header": paths.site_file,
            "before": decode(live),
            "after": decode(content),
        },
    }


def apply_site(content: bytes, paths: SitePaths, run: Runner, check_mode: bool = False) -> dict:
    """Put ``content`` live as the site, validated and reversible; see the module docstring.

    Returns ``{'changed', 'site_changed', 'created', 'diff'}``: ``site_changed`` is true when
    the site's bytes changed (nginx needs a reload), ``created`` when there was no site.
    The directories the site serves are made or fixed first (no reload needed for them).
    Raises SiteApplyError when a step fails, after putting the previous site back.
    """
    wanted = plan(content, paths)
    result = {
        "changed": any(
            wanted[key]
            for key in ("directories", "create_dir", "content_changed", "attributes_changed")
        ),
        "site_changed": wanted["content_changed"],
        "created": wanted["live"] is None,
        "diff": wanted["diff"],
    }
    if check_mode or not result["changed"]:
        return result
    site_owner = owner()
    for directory in wanted["directories"]:
        try:
            fix_directory(directory, DIR_MODE)
        except OSError as error:
            raise SiteApplyError(STEP_DIRECTORIES, f"{directory}: {error}") from error
    if not wanted["content_changed"]:
        if not wanted["attributes_changed"]:
            return result
        # Same bytes, other mode or owner: nothing for nginx to read again.
        os.chmod(paths.site_file, SITE_MODE)
        if site_owner is not None:
            os.chown(paths.site_file, *site_owner)
        return result

    if not os.access(paths.nginx_binary, os.X_OK):
        raise SiteApplyError(
            STEP_INSTALLED,
            f"{paths.nginx_binary} is not installed; run the wss.gateway.nginx role before "
            "wss.gateway.proxy",
        )
    live_conf = read(paths.nginx_conf)
    if live_conf is None or paths.site_include.encode() not in live_conf:
        raise SiteApplyError(
            STEP_INCLUDE,
            f"{paths.nginx_conf} has no line '{paths.site_include}'; it is written by the "
            "wss.gateway.nginx role, run it first",
        )
    _make_dir(os.path.dirname(paths.site_file))

    live = wanted["live"]
    live_info = os.stat(paths.site_file) if live is not None else None
    swapped = False
    try:
        try:
            _remove_staging(paths)  # what an interrupted run may have left
            _make_dir(paths.stage_dir)
            write_atomic(os.path.join(paths.stage_dir, STAGED_NAME), content, SITE_MODE, site_owner)
            staged_conf = live_conf.replace(
                paths.site_include.encode(), paths.stage_include.encode()
            )
            write_atomic(paths.stage_conf, staged_conf, SITE_MODE, site_owner)
        except OSError as error:
            raise SiteApplyError(STEP_STAGE, str(error)) from error
        _nginx_test(run, paths, STEP_STAGED_TEST, paths.stage_conf)
        try:
            swapped = True
            write_atomic(paths.site_file, content, SITE_MODE, site_owner)
        except OSError as error:
            raise SiteApplyError(STEP_SWAP, str(error)) from error
        _nginx_test(run, paths, STEP_LIVE_TEST, None)
    except SiteApplyError as error:
        if swapped:
            error.restored = _restore(paths, live, live_info)
        raise
    finally:
        _remove_staging(paths)
    return result


def _restore(paths: SitePaths, live: bytes | None, live_info: os.stat_result | None) -> bool:
    """Put the previous site back byte for byte (mode and owner too); True when it worked."""
    try:
        if live is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(paths.site_file)
        else:
            write_atomic(
                paths.site_file,
                live,
                stat.S_IMODE(live_info.st_mode),
                (live_info.st_uid, live_info.st_gid) if os.geteuid() == 0 else None,
            )
    except OSError:
        return False
    return True
