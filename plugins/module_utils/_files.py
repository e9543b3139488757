# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files and directories written in place, compared first (wss.gateway.wss_files, wss_site).

Each file is compared with what the host has (bytes, mode and, as root, owner root:root) and
written only when it differs: to a temporary file next to it, checked by the caller's
``validate`` command when there is one, then renamed over it, so that a reader sees the old
file or the new one, never a part. Directories are made with their parents, or given their
mode and owner. Nothing is written in check mode.

Only the standard library: the modules run on the managed host.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import stat
import tempfile
from collections.abc import Callable

Runner = Callable[[list], tuple]


class FilesError(Exception):
    """A path that could not be made as asked; ``path`` names it."""

    def __init__(self, path: str, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def owner() -> tuple[int, int] | None:
    """root:root when the module runs as root (as it does with become), else leave as is."""
    return (0, 0) if os.geteuid() == 0 else None


def read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def attributes_fit(path: str, mode: int) -> bool:
    info = os.stat(path)
    wanted = owner()
    if stat.S_IMODE(info.st_mode) != mode:
        return False
    return wanted is None or (info.st_uid, info.st_gid) == wanted


def directory_fits(path: str, mode: int) -> bool:
    """Whether ``path`` is a directory with ``mode`` (and, as root, owner root:root)."""
    try:
        info = os.stat(path)
    except OSError:  # absent, or a file where a parent directory belongs
        return False
    wanted = owner()
    if not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != mode:
        return False
    return wanted is None or (info.st_uid, info.st_gid) == wanted


def fix_directory(path: str, mode: int) -> None:
    """Make ``path`` (parents too) a directory with ``mode``, root:root as root."""
    os.makedirs(path, mode=mode, exist_ok=True)
    os.chmod(path, mode)
    wanted = owner()
    if wanted is not None:
        os.chown(path, *wanted)


def write_atomic(
    path: str,
    content: bytes,
    mode: int,
    file_owner: tuple[int, int] | None,
    check: Callable[[str], None] | None = None,
) -> None:
    """Write a file next to ``path`` and rename it over ``path``: readers see old or new.

    ``check(temporary_path)`` runs before the rename and raises to keep the old file.
    """
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(prefix=".wss-gateway-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if file_owner is not None:
            os.chown(temporary, *file_owner)
        if check is not None:
            check(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def not_in_place(wants: object, found: object) -> list:
    """The entries of ``wants`` (``{path, mode, content?, ...}``, mode as octal text) that
    ``found`` (path -> what a role's look at the host saw: ``type``, ``mode``, ``uid``,
    ``gid`` and, for a file, ``sha1``; None when absent) does not show as wanted: owner
    root:root, the mode, and a directory or, with ``content``, a file holding exactly it.
    Total over any input: anything unexpected counts as not in place.
    """
    seen = found if isinstance(found, dict) else {}
    missing = []
    for want in wants if isinstance(wants, list) else []:
        if not isinstance(want, dict):
            continue
        state = seen.get(want.get("path"))
        if not isinstance(state, dict):
            missing.append(want)
            continue
        if "content" in want:
            text = str(want["content"]).encode("utf-8")
            # The checksum Ansible's copy compares; not a secret.
            kind_fits = state.get("type") == "file" and (
                state.get("sha1") == hashlib.sha1(text).hexdigest()  # noqa: S324
            )
        else:
            kind_fits = state.get("type") == "directory"
        owner_fits = state.get("uid") == 0 and state.get("gid") == 0
        if not (kind_fits and owner_fits and state.get("mode") == want.get("mode")):
            missing.append(want)
    return missing


def decode(content: bytes | None) -> str:
    return "" if content is None else content.decode("utf-8", errors="replace")


def apply_files(
    files: list[dict],
    directories: list[dict],
    absent: list[str],
    run: Runner,
    check_mode: bool = False,
) -> dict:
    """Directories first (parents before children), then the files in their order, then the
    paths to remove. ``files``: ``{path, content (bytes), mode (int), validate (str or
    None: a command with %s for the temporary file)}``; ``directories``: ``{path, mode}``.

    Returns ``{'changed', 'changed_paths', 'diff'}``; raises FilesError on the first path
    that cannot be made (what came before it stays written).
    """
    changed: list[str] = []
    diff: list[dict] = []
    for directory in sorted(directories, key=lambda item: item["path"].count("/")):
        if directory_fits(directory["path"], directory["mode"]):
            continue
        changed.append(directory["path"])
        if not check_mode:
            try:
                fix_directory(directory["path"], directory["mode"])
            except OSError as error:
                raise FilesError(directory["path"], str(error)) from error
    for wanted in files:
        path, content, mode = wanted["path"], wanted["content"], wanted["mode"]
        live = read(path)
        if live == content and attributes_fit(path, mode):
            continue
        changed.append(path)
        if live != content:
            diff.append(
                {
                    "before_header": path,
                    "after_header": path,
                    "before": decode(live),
                    "after": decode(content),
                }
            )
        if check_mode:
            continue
        if live == content:  # only the mode or the owner
            os.chmod(path, mode)
            if owner() is not None:
                os.chown(path, *owner())
            continue
        try:
            write_atomic(path, content, mode, owner(), _validator(wanted.get("validate"), run))
        except FilesError as error:  # the validation: named by the file, not the temporary
            raise FilesError(path, error.detail) from error
        except OSError as error:
            raise FilesError(path, str(error)) from error
    for path in absent:
        if not os.path.lexists(path):
            continue
        changed.append(path)
        if not check_mode:
            try:
                os.unlink(path)
            except OSError as error:
                raise FilesError(path, str(error)) from error
    return {"changed": bool(changed), "changed_paths": changed, "diff": diff}


def _validator(command: str | None, run: Runner) -> Callable[[str], None] | None:
    if not command:
        return None

    def check(temporary: str) -> None:
        argv = [word.replace("%s", temporary) for word in shlex.split(command)]
        rc, out, err = run(argv)
        if rc != 0:
            output = (err or out).strip()
            raise FilesError(
                temporary,
                f"validation ({command}) failed with exit {rc}, so the file was not changed: {output}",
            )

    return check
