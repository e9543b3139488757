# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Several files and directories in one module run (plugins/module_utils/_files.py), with a
real `nginx -t` as the validation of nginx.conf."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ansible_collections.wss.gateway.plugins.module_utils._files import (
    FilesError,
    apply_files,
    not_in_place,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def run(argv: list) -> tuple:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_makes_compares_and_changes_nothing_the_second_time(tmp_path):
    helpers = tmp_path / "libexec" / "wss-gateway"
    script = helpers / "nginx-state"
    files = [{"path": str(script), "content": b"#!/bin/sh\n", "mode": 0o755, "validate": None}]
    directories = [{"path": str(helpers), "mode": 0o755}]
    stale = tmp_path / "default"
    stale.write_text("server {}\n")
    result = apply_files(files, directories, [str(stale), str(tmp_path / "absent")], run)
    assert result["changed"]
    assert result["changed_paths"] == [str(helpers), str(script), str(stale)]
    assert script.read_bytes() == b"#!/bin/sh\n" and mode(script) == 0o755
    assert mode(helpers) == 0o755 and not stale.exists()
    assert [d["before"] for d in result["diff"]] == [""]
    again = apply_files(files, directories, [str(stale)], run)
    assert again == {"changed": False, "changed_paths": [], "diff": []}
    assert not [p.name for p in helpers.iterdir() if p.name.startswith(".")]  # no temporaries


def test_check_mode_reports_and_writes_nothing(tmp_path):
    target = tmp_path / "etc" / "a.conf"
    result = apply_files(
        [{"path": str(target), "content": b"x\n", "mode": 0o644, "validate": None}],
        [{"path": str(target.parent), "mode": 0o755}],
        [],
        run,
        check_mode=True,
    )
    assert result["changed_paths"] == [str(target.parent), str(target)]
    assert result["diff"][0]["after"] == "x\n"
    assert not target.parent.exists()


def test_only_the_mode_differs_keeps_the_file(tmp_path):
    target = tmp_path / "ca.pem"
    target.write_bytes(b"pem\n")
    target.chmod(0o600)
    before = target.stat().st_ino
    result = apply_files(
        [{"path": str(target), "content": b"pem\n", "mode": 0o644, "validate": None}], [], [], run
    )
    assert result["changed_paths"] == [str(target)] and result["diff"] == []
    assert mode(target) == 0o644 and target.stat().st_ino == before


@pytest.mark.skipif(
    not os.access(NGINX, os.X_OK) and os.environ.get("CI") != "true",
    reason="nginx is not installed (under CI=true this fails instead)",
)
def test_a_file_that_fails_its_validation_is_not_changed(tmp_path):
    conf = tmp_path / "nginx.conf"
    good = (
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
    ).encode()
    conf.write_bytes(good)
    validate = f"{NGINX} -t -q -p {tmp_path}/ -e {tmp_path}/error.log -c %s"
    ok = apply_files(
        [{"path": str(conf), "content": good + b"# new\n", "mode": 0o644, "validate": validate}],
        [],
        [],
        run,
    )
    assert ok["changed"] and conf.read_bytes() == good + b"# new\n"
    with pytest.raises(FilesError) as raised:
        apply_files(
            [
                {
                    "path": str(conf),
                    "content": good + b"no_such_directive on;\n",
                    "mode": 0o644,
                    "validate": validate,
                }
            ],
            [],
            [],
            run,
        )
    assert raised.value.path == str(conf)
    assert "no_such_directive" in raised.value.detail and "not changed" in raised.value.detail
    assert conf.read_bytes() == good + b"# new\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_path_that_cannot_be_made_is_named(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(FilesError) as raised:
        apply_files([], [{"path": str(tmp_path / "file" / "dir"), "mode": 0o755}], [], run)
    assert raised.value.path == str(tmp_path / "file" / "dir")


def _state(kind: str, mode: str, uid: int = 0, sha1: str | None = None) -> dict:
    state = {"type": kind, "mode": mode, "uid": uid, "gid": 0}
    if sha1 is not None:
        state["sha1"] = sha1
    return state


def test_not_in_place_names_what_a_look_at_the_host_did_not_find():
    text = "events {}\n"
    digest = hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - Ansible's checksum
    wants = [
        {"name": "conf", "path": "/etc/nginx/nginx.conf", "mode": "0644", "content": text},
        {"name": "helpers", "path": "/usr/local/libexec/wss-gateway", "mode": "0755"},
        {"name": "tls", "path": "/etc/wss-gateway/tls", "mode": "0755"},
    ]
    found = {
        "/etc/nginx/nginx.conf": _state("file", "0644", sha1=digest),
        "/usr/local/libexec/wss-gateway": _state("directory", "0755"),
        "/etc/wss-gateway/tls": None,
    }
    assert not_in_place(wants, found) == [wants[2]]
    for other in (
        _state("file", "0640", sha1=digest),  # another mode
        _state("file", "0644", uid=1000, sha1=digest),  # another owner
        _state("file", "0644", sha1="0" * 40),  # other text
        _state("directory", "0644"),  # not a file
        _state("link", "0644", sha1=digest),
    ):
        found["/etc/nginx/nginx.conf"] = other
        assert wants[0] in not_in_place(wants, found), other
    found["/usr/local/libexec/wss-gateway"] = _state("file", "0755", sha1=digest)
    assert wants[1] in not_in_place(wants, found)


@pytest.mark.parametrize(
    ("wants", "found"),
    [(None, {}), ("x", {}), ([1, None], {}), ([{"path": "/a", "mode": "0644"}], None)],
)
def test_not_in_place_is_total(wants, found):
    result = not_in_place(wants, found)
    assert isinstance(result, list)
    if isinstance(wants, list):
        assert result == [want for want in wants if isinstance(want, dict)]
