# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The reload command (roles/nginx/files/nginx_state.py) against a real nginx on loopback.

A private nginx (own prefix, pid file, error log and port) is started for each test and
stopped by its PID at the end. The command must: reload gracefully (same master, new
workers) and record it; refuse a configuration that fails `nginx -t` without a signal; see a
reload that nginx refused after `nginx -t` passed (a port in use) and not record it.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require_tool

SCRIPT = Path(__file__).resolve().parents[2] / "roles" / "nginx" / "files" / "nginx_state.py"

CONF = """\
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
worker_processes 2;
events {{ worker_connections 64; }}
http {{
    access_log off;
    include {prefix}/conf.d/*.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serving(state, master: int) -> set[int]:
    """The workers once the old ones of a reload have left (a state to wait for, bounded)."""
    deadline = time.monotonic() + 60
    while len(found := state.workers(master)) != 2:
        assert time.monotonic() < deadline, f"workers of {master}: {found}"
        time.sleep(0.02)
    return found


def site(port: int) -> str:
    return f"server {{ listen 127.0.0.1:{port}; return 200 'ok'; }}\n"


@pytest.fixture
def nginx(tmp_path, monkeypatch):
    binary = require_tool("nginx")
    spec = importlib.util.spec_from_file_location("nginx_state", SCRIPT)
    state = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(state)
    prefix = tmp_path / "nginx"
    (prefix / "conf.d").mkdir(parents=True)
    (prefix / "logs").mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(CONF.format(prefix=prefix))
    (prefix / "conf.d" / "site.conf").write_text(site(free_port()))
    command = [binary, "-p", str(prefix), "-c", str(conf)]
    monkeypatch.setattr(state, "NGINX_TEST", [*command, "-t", "-q"])
    monkeypatch.setattr(state, "PID_FILE", str(prefix / "nginx.pid"))
    monkeypatch.setattr(state, "ERROR_LOG", str(prefix / "error.log"))
    monkeypatch.setattr(state, "RECORD", str(tmp_path / "run" / "nginx-loaded.json"))
    monkeypatch.setattr(state, "SNAPSHOT", str(tmp_path / "run" / "nginx-starting.json"))
    monkeypatch.setattr(state, "SYSTEMD", str(tmp_path / "no-systemd"))  # signal the master
    subprocess.run(command, check=True)  # daemonises: the master writes its pid file
    master = state.running_master()
    assert master is not None
    state.tops = [str(prefix)]
    state.prefix = prefix
    yield state
    os.kill(master, signal.SIGTERM)  # the master this test started, by its PID
    deadline = time.monotonic() + 60
    while alive(master):
        assert time.monotonic() < deadline, f"nginx {master} did not stop"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent has stopped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_reload_is_graceful_and_recorded(nginx):
    master = nginx.running_master()
    before = serving(nginx, master)  # the workers of a fresh start may not be forked yet
    assert nginx.status(nginx.tops).startswith("stale: there is no record")
    message = nginx.reload(nginx.tops)
    assert nginx.running_master() == master
    assert serving(nginx, master).isdisjoint(before)
    assert "reloaded nginx" in message
    assert nginx.status(nginx.tops) == "current"


def test_a_write_right_after_a_reload_is_stale_and_the_next_reload_current(nginx):
    nginx.reload(nginx.tops)
    (nginx.prefix / "conf.d" / "site.conf").write_text(site(free_port()))
    assert nginx.status(nginx.tops) == "stale: files nginx reads changed after its last reload"
    nginx.reload(nginx.tops)
    assert nginx.status(nginx.tops) == "current"


def test_a_configuration_that_fails_nginx_t_is_not_signalled(nginx):
    nginx.reload(nginx.tops)
    master = nginx.running_master()
    workers = serving(nginx, master)
    (nginx.prefix / "conf.d" / "site.conf").write_text("server { listen 127.0.0.1:1; nonsense; }\n")
    with pytest.raises(nginx.Failure, match="nginx -t failed, nginx NOT reloaded:.*nonsense"):
        nginx.reload(nginx.tops)
    assert nginx.workers(master) == workers
    assert nginx.status(nginx.tops).startswith("stale")


def test_a_reload_that_nginx_refuses_after_nginx_t_is_reported_and_not_recorded(nginx):
    nginx.reload(nginx.tops)
    master = nginx.running_master()
    workers = serving(nginx, master)
    with socket.socket() as taken:  # `nginx -t` does not bind; the reload must
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (nginx.prefix / "conf.d" / "site.conf").write_text(site(port))
        with pytest.raises(
            nginx.Failure, match="kept its old configuration.*Address already in use"
        ):
            nginx.reload(nginx.tops)
    assert nginx.running_master() == master
    assert nginx.workers(master) == workers
    assert nginx.status(nginx.tops).startswith("stale: files nginx reads changed")
