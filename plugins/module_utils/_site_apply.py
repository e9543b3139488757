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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

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


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _owner() -> tuple[int, int] | None:
    """root:root when the module runs as root (as it does with become), else leave as is."""
    return (0, 0) if os.geteuid() == 0 else None


def _attributes_fit(path: str, mode: int) -> bool:
    info = os.stat(path)
    owner = _owner()
    return stat.S_IMODE(info.st_mode) == mode and (
        owner is None or (info.st_uid, info.st_gid) == owner
    )


def _write_atomic(path: str, content: bytes, mode: int, owner: tuple[int, int] | None) -> None:
    """Write a file next to ``path`` and rename it over ``path``: readers see old or new."""
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(prefix=".wss-site-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if owner is not None:
            os.chown(temporary, *owner)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _make_dir(path: str) -> bool:
    """Create ``path`` (and its parents) as a 0755 directory; True when it was created."""
    if os.path.isdir(path):
        return False
    os.makedirs(path, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    owner = _owner()
    if owner is not None:
        os.chown(path, *owner)
    return True


def _directory_fits(path: str) -> bool:
    """Whether ``path`` is a directory with mode 0755 (and, as root, owner root:root)."""
    try:
        info = os.stat(path)
    except OSError:  # absent, or a file where a parent directory belongs
        return False
    owner = _owner()
    if not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != DIR_MODE:
        return False
    return owner is None or (info.st_uid, info.st_gid) == owner


def _fix_directory(path: str) -> None:
    """Make ``path`` (parents too) a 0755 directory, root:root as root."""
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    os.chmod(path, DIR_MODE)
    owner = _owner()
    if owner is not None:
        os.chown(path, *owner)


def _remove_staging(paths: SitePaths) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(paths.stage_conf)
    shutil.rmtree(paths.stage_dir, ignore_errors=True)


def _decode(content: bytes | None) -> str:
    return "" if content is None else content.decode("utf-8", errors="replace")


def _nginx_test(run: Runner, paths: SitePaths, step: str, conf: str | None) -> None:
    argv = [paths.nginx_binary, "-t", "-q"] + (["-c", conf] if conf else [])
    rc, out, err = run(argv)
    if rc != 0:
        raise SiteApplyError(step, err or out or f"nginx -t exited with {rc}")


def plan(content: bytes, paths: SitePaths) -> dict:
    """What applying ``content`` would change, without writing anything."""
    live = _read(paths.site_file)
    site_dir = os.path.dirname(paths.site_file)
    return {
        "live": live,
        "directories": [path for path in paths.directories if not _directory_fits(path)],
        "create_dir": not os.path.isdir(site_dir),
        "content_changed": live != content,
        "attributes_changed": live is not None and not _attributes_fit(paths.site_file, SITE_MODE),
        "diff": {
            "before_header": paths.site_file,
            "after_header": paths.site_file,
            "before": _decode(live),
            "after": _decode(content),
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
    owner = _owner()
    for directory in wanted["directories"]:
        try:
            _fix_directory(directory)
        except OSError as error:
            raise SiteApplyError(STEP_DIRECTORIES, f"{directory}: {error}") from error
    if not wanted["content_changed"]:
        if not wanted["attributes_changed"]:
            return result
        # Same bytes, other mode or owner: nothing for nginx to read again.
        os.chmod(paths.site_file, SITE_MODE)
        if owner is not None:
            os.chown(paths.site_file, *owner)
        return result

    if not os.access(paths.nginx_binary, os.X_OK):
        raise SiteApplyError(
            STEP_INSTALLED,
            f"{paths.nginx_binary} is not installed; run the wss.gateway.nginx role before "
            "wss.gateway.proxy",
        )
    live_conf = _read(paths.nginx_conf)
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
            _write_atomic(os.path.join(paths.stage_dir, STAGED_NAME), content, SITE_MODE, owner)
            staged_conf = live_conf.replace(
                paths.site_include.encode(), paths.stage_include.encode()
            )
            _write_atomic(paths.stage_conf, staged_conf, SITE_MODE, owner)
        except OSError as error:
            raise SiteApplyError(STEP_STAGE, str(error)) from error
        _nginx_test(run, paths, STEP_STAGED_TEST, paths.stage_conf)
        try:
            swapped = True
            _write_atomic(paths.site_file, content, SITE_MODE, owner)
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
            _write_atomic(
                paths.site_file,
                live,
                stat.S_IMODE(live_info.st_mode),
                (live_info.st_uid, live_info.st_gid) if os.geteuid() == 0 else None,
            )
    except OSError:
        return False
    return True
