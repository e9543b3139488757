# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The record of what nginx loaded (roles/nginx/files/nginx_state.py): digests, no clock.

The status logic runs against a fake pid file pointing at this test's own process (a process
that exists); no nginx is needed here. tests/functional/test_nginx_state.py runs the reload
against a real nginx.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[5] / "roles" / "nginx" / "files" / "nginx_state.py"


def load():
    spec = importlib.util.spec_from_file_location("nginx_state", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def state(tmp_path, monkeypatch):
    module = load()
    run = tmp_path / "run"
    monkeypatch.setattr(module, "RECORD", str(run / "nginx-loaded.json"))
    monkeypatch.setattr(module, "SNAPSHOT", str(run / "nginx-starting.json"))
    pid_file = tmp_path / "nginx.pid"
    pid_file.write_text(f"{os.getpid()}\n")
    monkeypatch.setattr(module, "PID_FILE", str(pid_file))
    etc = tmp_path / "etc"
    (etc / "conf.d").mkdir(parents=True)
    (etc / "nginx.conf").write_text("events {}\n")
    (etc / "conf.d" / "site.conf").write_text("server {}\n")
    module.tops = [str(etc)]
    module.etc = etc
    return module


def test_digest_is_stable_and_ignores_times(state):
    first = state.digest(state.tops)
    os.utime(state.etc / "nginx.conf", (0, 0))  # a touch, or a clock that jumps
    assert state.digest(state.tops) == first


@pytest.mark.parametrize(
    "change",
    [
        lambda etc: (etc / "nginx.conf").write_text("events { }\n"),
        lambda etc: (etc / "conf.d" / "new.conf").write_text(""),
        lambda etc: (etc / "conf.d" / "site.conf").unlink(),
        lambda etc: (etc / "conf.d" / "site.conf").rename(etc / "conf.d" / "other.conf"),
    ],
    ids=["content", "new-file", "removed", "renamed"],
)
def test_digest_sees_every_change(state, change):
    before = state.digest(state.tops)
    change(state.etc)
    assert state.digest(state.tops) != before


def test_digest_follows_symlinks_and_survives_loops(state, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "cert1.pem").write_text("one")
    (state.etc / "live").symlink_to(archive)
    (state.etc / "loop").symlink_to(state.etc)
    before = state.digest(state.tops)
    (archive / "cert1.pem").write_text("two")  # a renewal changes the target, not the link
    assert state.digest(state.tops) != before


def test_status_without_nginx_is_stopped(state, tmp_path):
    (tmp_path / "nginx.pid").unlink()
    assert state.status(state.tops) == "stopped"


def test_status_without_a_record_is_stale(state):
    assert state.status(state.tops).startswith("stale: there is no record")


def test_record_then_status_is_current(state):
    state.record(state.tops)
    assert state.status(state.tops) == "current"
    assert json.loads(Path(state.RECORD).read_text())["master"] == os.getpid()


def test_a_reload_just_after_a_write_is_current(state):
    """The bug of issue 13: a write and a reload within the same second read as stale."""
    (state.etc / "conf.d" / "site.conf").write_text("server { listen 443; }\n")
    state.record(state.tops)  # what the reload command records after nginx took the files
    assert state.status(state.tops) == "current"


def test_a_write_in_the_same_second_after_the_record_is_stale(state):
    state.record(state.tops)
    mtime = os.stat(state.etc / "nginx.conf").st_mtime
    (state.etc / "nginx.conf").write_text("events { worker_connections 8; }\n")
    os.utime(state.etc / "nginx.conf", (mtime, mtime))  # same time stamp: only content tells
    assert state.status(state.tops) == "stale: files nginx reads changed after its last reload"


def test_a_reload_lost_by_a_failed_run_is_stale(state):
    state.record(state.tops)  # the last good reload
    (state.etc / "nginx.conf").write_text("events {}\nworker_shutdown_timeout 6m;\n")
    # ...the run failed here, so its handler never reloaded: the record stays behind.
    assert state.status(state.tops).startswith("stale: files nginx reads changed")


def test_a_restart_without_a_record_is_stale(state):
    state.record(state.tops)
    record = json.loads(Path(state.RECORD).read_text())
    record["master"] = record["master"] + 100000  # the record of an earlier master
    Path(state.RECORD).write_text(json.dumps(record))
    assert state.status(state.tops).startswith("stale: nginx was started or restarted")


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"digest": 1}'])
def test_a_broken_record_is_stale_never_an_error(state, content):
    Path(state.RECORD).parent.mkdir(parents=True, exist_ok=True)
    Path(state.RECORD).write_text(content)
    assert state.status(state.tops).startswith("stale")


def test_start_records_the_digest_taken_before_nginx_read_its_files(state):
    state.start_pre(state.tops)
    (state.etc / "nginx.conf").write_text("events { }\n")  # written while nginx starts
    state.start_post(state.tops)
    assert not Path(state.SNAPSHOT).exists()
    # nginx may have read either version: stale (one reload too many), never a missed one.
    assert state.status(state.tops).startswith("stale: files nginx reads changed")


def test_start_post_without_a_snapshot_records_nothing(state):
    assert "nothing recorded" in state.start_post(state.tops)
    assert not Path(state.RECORD).exists()


def test_main_usage_and_failures(state, capsys, tmp_path):
    assert state.main([]) == 2
    assert state.main(["frobnicate", "/etc"]) == 2
    (tmp_path / "nginx.pid").unlink()
    assert state.main(["record", *state.tops]) == 1
    assert "nginx does not run" in capsys.readouterr().err


def snapshot_tree(top: Path) -> dict:
    """Every entry under ``top``: kind, mode, owner, content or link target."""
    tree = {}
    for path in sorted(top.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            tree[str(path)] = ("link", os.readlink(path))
        elif path.is_dir():
            tree[str(path)] = ("dir", info.st_mode, info.st_uid)
        else:
            tree[str(path)] = ("file", info.st_mode, info.st_uid, path.read_bytes())
    return tree


@pytest.fixture
def kept(state, tmp_path, monkeypatch):
    monkeypatch.setattr(state, "KEEP_DIR", str(tmp_path / "keep"))
    tls = tmp_path / "tls"
    (tls / "chat").mkdir(parents=True)
    (tls / "chat" / "privkey.pem").write_text("old key")
    (tls / "chat" / "privkey.pem").chmod(0o600)
    (tls / "chat" / "fullchain.pem").write_text("old cert")
    (tls / "live").symlink_to("/etc/wss-gateway/certbot/live/chat")  # dangling, kept as a link
    state.tops = [str(state.etc), str(tls)]
    state.tls = tls
    return state


def test_keep_is_private(kept, tmp_path):
    kept.keep(kept.tops)
    assert (tmp_path / "keep").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "keep" / "previous.tar").stat().st_mode & 0o777 == 0o600


def test_rollback_restores_byte_for_byte_and_reapply_the_rejected(kept, monkeypatch):
    before = {top: snapshot_tree(Path(top)) for top in kept.tops}
    kept.keep(kept.tops)
    # The change: a new key and cert, a new site file, a removed file, a changed link.
    (kept.tls / "chat" / "privkey.pem").write_text("new key")
    (kept.tls / "chat" / "fullchain.pem").unlink()
    (kept.etc / "conf.d" / "new.conf").write_text("server { }\n")
    (kept.tls / "live").unlink()
    (kept.tls / "live").symlink_to("/elsewhere")
    after = {top: snapshot_tree(Path(top)) for top in kept.tops}
    reloads = []
    monkeypatch.setattr(kept, "reload", lambda tops: reloads.append(tops) or "reloaded")
    assert kept.rollback(kept.tops) == "rolled back: reloaded"
    assert {top: snapshot_tree(Path(top)) for top in kept.tops} == before
    assert kept.reapply(kept.tops) == "re-applied: reloaded"
    assert {top: snapshot_tree(Path(top)) for top in kept.tops} == after
    assert len(reloads) == 2
    assert not list(Path(kept.etc).parent.glob("*.wss-gateway-re*"))


def test_rollback_of_a_directory_that_did_not_exist_removes_it(kept, tmp_path, monkeypatch):
    fresh = tmp_path / "fresh"
    tops = [*kept.tops, str(fresh)]
    kept.keep(tops)
    fresh.mkdir()
    (fresh / "made-by-the-change").write_text("x")
    monkeypatch.setattr(kept, "reload", lambda tops: "reloaded")
    assert kept.rollback(tops).startswith("rolled back")
    assert not fresh.exists()


def test_no_rollback_without_a_change_or_without_a_kept_state(kept, monkeypatch):
    monkeypatch.setattr(kept, "reload", lambda tops: pytest.fail("must not reload"))
    assert kept.rollback(kept.tops).startswith("nothing kept")
    kept.keep(kept.tops)
    assert kept.rollback(kept.tops).startswith("unchanged")


def test_forget_removes_the_kept_keys(kept, tmp_path, monkeypatch):
    kept.keep(kept.tops)
    (kept.tls / "chat" / "privkey.pem").write_text("new key")
    monkeypatch.setattr(kept, "reload", lambda tops: "reloaded")
    kept.rollback(kept.tops)
    kept.forget(kept.tops)
    assert list((tmp_path / "keep").iterdir()) == []


def test_keep_removes_the_rejected_files_of_an_earlier_run(kept, tmp_path, monkeypatch):
    """A run that rolled back and stopped before `forget` left the rejected files (new keys):
    the next run's keep removes them, even when that run changes nothing (and so skips
    `forget`)."""
    kept.keep(kept.tops)
    (kept.tls / "chat" / "privkey.pem").write_text("rejected key")
    monkeypatch.setattr(kept, "reload", lambda tops: "reloaded")
    kept.rollback(kept.tops)
    assert (tmp_path / "keep" / "rejected.tar").exists()
    kept.keep(kept.tops)
    assert sorted(path.name for path in (tmp_path / "keep").iterdir()) == [
        "previous.json",
        "previous.tar",
    ]


def test_status_keep_prints_the_status_and_keeps(kept, capsys, tmp_path):
    assert kept.main(["status", "--keep", *kept.tops]) == 0
    assert capsys.readouterr().out.startswith("stale: there is no record")
    assert (tmp_path / "keep" / "previous.tar").exists()


@pytest.fixture
def inspected(kept, tmp_path, monkeypatch):
    """`inspect` with a fake nginx binary (a shell script printing what `nginx -V` prints)."""
    binary = tmp_path / "nginx"
    binary.write_text("#!/bin/sh\necho 'nginx version: nginx/1.26.3' >&2\n")
    binary.chmod(0o755)
    monkeypatch.setattr(kept, "NGINX_BINARY", str(binary))
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "deb.example_dists_stable_main_binary-amd64_Packages.lz4").write_text("")
    (lists / "lock").write_text("")
    monkeypatch.setattr(kept, "APT_LISTS", str(lists))
    return kept


def run_inspect(state, capsys, *args) -> dict:
    assert state.main(["inspect", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_inspect_reads_version_status_lists_and_paths_in_one_run(inspected, capsys, tmp_path):
    conf = inspected.etc / "nginx.conf"
    conf.chmod(0o640)
    found = run_inspect(
        inspected,
        capsys,
        *inspected.tops,
        "--stat",
        str(conf),
        str(inspected.tls / "live"),
        str(inspected.etc),
        str(tmp_path / "absent"),
    )
    assert found["nginx"] == {"rc": 0, "output": "nginx version: nginx/1.26.3\n"}
    assert found["status"].startswith("stale: there is no record")
    assert found["kept"] is False and found["apt_lists"] == 1
    paths = found["paths"]
    assert paths[str(conf)] == {
        "type": "file",
        "mode": "0640",
        "uid": os.getuid(),
        "gid": os.getgid(),
        # The checksum Ansible's copy and template compare (SHA-1 of the bytes).
        "sha1": hashlib.sha1(b"events {}\n").hexdigest(),
    }
    assert paths[str(inspected.tls / "live")]["type"] == "link"  # the link, not its target
    assert paths[str(inspected.etc)]["type"] == "directory"
    assert "sha1" not in paths[str(inspected.etc)]
    assert paths[str(tmp_path / "absent")] is None
    assert not (tmp_path / "keep").exists()  # read-only without --keep


def test_inspect_keeps_only_an_installed_nginx(inspected, capsys, tmp_path, monkeypatch):
    assert run_inspect(inspected, capsys, "--keep", *inspected.tops)["kept"] is True
    assert (tmp_path / "keep" / "previous.tar").exists()
    (tmp_path / "keep" / "previous.tar").unlink()
    monkeypatch.setattr(inspected, "NGINX_BINARY", str(tmp_path / "no-nginx"))
    found = run_inspect(inspected, capsys, "--keep", *inspected.tops, "--stat")
    assert found["nginx"]["rc"] == 127 and found["kept"] is False and found["paths"] == {}
    assert not (tmp_path / "keep" / "previous.tar").exists()


def test_inspect_needs_a_directory(inspected, capsys):
    assert inspected.main(["inspect", "--keep", "--stat", "/etc/nginx/nginx.conf"]) == 2
    assert "usage: nginx-state inspect" in capsys.readouterr().err


def test_inspect_reports_start_at_boot_and_ipv6(inspected, capsys, tmp_path, monkeypatch):
    """SysV start links in every multi-user runlevel (no systemd here), and the kernel's IPv6."""
    monkeypatch.setattr(inspected, "SYSTEMD", str(tmp_path / "no-systemd"))
    monkeypatch.setattr(inspected, "RC_DIR", str(tmp_path / "rc{level}.d"))
    monkeypatch.setattr(inspected, "IF_INET6", str(tmp_path / "if_inet6"))
    for level in "2345":
        (tmp_path / f"rc{level}.d").mkdir()
        (tmp_path / f"rc{level}.d" / "S01nginx").write_text("")
    (tmp_path / "rc3.d" / "S01nginx").rename(tmp_path / "rc3.d" / "K01nginx")
    found = run_inspect(inspected, capsys, *inspected.tops)
    assert found["enabled"] is False and found["ipv6"] is False
    (tmp_path / "rc3.d" / "K01nginx").rename(tmp_path / "rc3.d" / "S02nginx")
    (tmp_path / "if_inet6").write_text("")
    found = run_inspect(inspected, capsys, *inspected.tops)
    assert found["enabled"] is True and found["ipv6"] is True
    # nginx not installed: not enabled, whatever links are left.
    monkeypatch.setattr(inspected, "NGINX_BINARY", str(tmp_path / "no-nginx"))
    assert run_inspect(inspected, capsys, *inspected.tops)["enabled"] is False
