# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""What nginx runs, recorded without a clock: a digest of the files it loaded.

    nginx-state status DIR...     print "current", "stale: <why>" or "stopped"
    nginx-state reload DIR...     nginx -t, a graceful reload (a start when nginx is stopped),
                                  wait for the new workers, then record what they loaded
    nginx-state record DIR...     record the files as they are now (after a start)
    nginx-state start-pre DIR...  (systemd ExecStartPre) digest the files before nginx reads them
    nginx-state start-post DIR... (systemd ExecStartPost) record that digest for the new master

DIR... are the directories whose files nginx reads (e.g. /etc/nginx /etc/wss-gateway/tls).
The record (JSON: the master's PID and the digest) lives in /run, so it goes with a reboot.
The digest of a reload is taken before `nginx -t`: a file written while nginx reloads makes
the record older than nginx, never newer, so a lost reload is always seen (at worst one
reload too many, never one too few). A reload by anything else than this script leaves the
record behind, which also reads as stale. There is no clock in any of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

RECORD = "/run/wss-gateway/nginx-loaded.json"
SNAPSHOT = "/run/wss-gateway/nginx-starting.json"
PID_FILE = "/run/nginx.pid"
NGINX_TEST = ["/usr/sbin/nginx", "-t", "-q"]
ERROR_LOG = "/var/log/nginx/error.log"
SYSTEMD = "/run/systemd/system"  # present when systemd runs the host
# How long a reload may take to bring up its workers (a bound on waiting, not a measure).
RELOAD_WAIT = 120.0


class Failure(Exception):
    """A reload that did not happen, with the reason for the operator."""


def digest(tops: list[str]) -> str:
    """SHA-256 over every file's path and content under ``tops``, symlinks followed."""
    total = hashlib.sha256()
    for top in tops:
        seen: set[str] = set()
        for directory, dirs, files in os.walk(top, followlinks=True):
            real = os.path.realpath(directory)
            if real in seen:  # a symlink loop: each real directory once
                dirs[:] = []
                continue
            seen.add(real)
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                total.update(path.encode("utf-8", "surrogateescape") + b"\0")
                total.update(_file_digest(path) + b"\n")
    return total.hexdigest()


def _file_digest(path: str) -> bytes:
    one = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 16), b""):
                one.update(chunk)
    except OSError as error:  # a dangling link, a socket, no permission
        return f"unreadable:{error.errno}".encode()
    return one.hexdigest().encode()


def running_master() -> int | None:
    try:
        with open(PID_FILE, encoding="ascii") as stream:
            master = int(stream.read().strip())
        os.kill(master, 0)
    except (OSError, ValueError):
        return None
    return master


def workers(master: int) -> set[int]:
    """PIDs of the master's workers that serve (not those shutting down after a reload)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stream:
                ppid = int(stream.read().rsplit(")", 1)[1].split()[1])
            if ppid != master:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                title = stream.read().replace(b"\0", b" ").strip()
        except (OSError, IndexError, ValueError):
            continue
        if title.endswith(b"worker process"):
            found.add(int(entry))
    return found


def read_json(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as stream:
            value = json.load(stream)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_json(path: str, value: dict) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    temporary = f"{path}.{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(value, stream)
    os.replace(temporary, path)


def status(tops: list[str]) -> str:
    master = running_master()
    if master is None:
        return "stopped"
    record = read_json(RECORD)
    if record is None:
        return "stale: there is no record of what nginx loaded"
    if record.get("master") != master:
        return "stale: nginx was started or restarted without a record of what it loaded"
    if record.get("digest") != digest(tops):
        return "stale: files nginx reads changed after its last reload"
    return "current"


def _service(action: str) -> list[str]:
    if os.path.isdir(SYSTEMD):
        return ["systemctl", action, "nginx"]
    return ["service", "nginx", action]


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise Failure(f"{what} failed (exit {done.returncode}): {output}")


def _error_log_size() -> int:
    try:
        return os.stat(ERROR_LOG).st_size
    except OSError:
        return 0


def _new_errors(offset: int) -> list[str]:
    try:
        with open(ERROR_LOG, "rb") as stream:
            stream.seek(offset)
            text = stream.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if "[emerg]" in line or "[alert]" in line]


def reload(tops: list[str]) -> str:
    loaded = digest(tops)
    done = subprocess.run(NGINX_TEST, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Failure(f"nginx -t failed, nginx NOT reloaded: {done.stderr.strip()}")
    master = running_master()
    if master is None:
        _run(_service("start"), "starting nginx")
        master = running_master()
        if master is None:
            raise Failure(f"nginx was started but {PID_FILE} names no running process")
        write_json(RECORD, {"master": master, "digest": loaded})
        return f"started nginx (master {master})"
    before = workers(master)
    offset = _error_log_size()
    if os.path.isdir(SYSTEMD):
        _run(_service("reload"), "systemctl reload nginx")
    else:
        os.kill(master, signal.SIGHUP)
    # Wait for the state, not for a time: new workers mean the master loaded the files; an
    # [emerg] line means it kept the old configuration (a port in use, a file gone since -t).
    deadline = time.monotonic() + RELOAD_WAIT
    while True:
        if running_master() != master:
            raise Failure(f"nginx's master {master} is gone after the reload")
        fresh = workers(master) - before
        if fresh:
            break
        errors = _new_errors(offset)
        if errors:
            raise Failure("nginx kept its old configuration: " + " | ".join(errors[-3:]))
        if time.monotonic() > deadline:
            raise Failure(
                f"nginx started no new workers within {RELOAD_WAIT:.0f} s of the reload; "
                f"see {ERROR_LOG}"
            )
        time.sleep(0.02)
    write_json(RECORD, {"master": master, "digest": loaded})
    return f"reloaded nginx (master {master}, new workers {sorted(fresh)})"


def record(tops: list[str]) -> str:
    master = running_master()
    if master is None:
        raise Failure("nginx does not run: nothing to record")
    write_json(RECORD, {"master": master, "digest": digest(tops)})
    return f"recorded what nginx (master {master}) loaded"


def start_pre(tops: list[str]) -> str:
    write_json(SNAPSHOT, {"digest": digest(tops)})
    return "noted the files nginx is about to load"


def start_post(tops: list[str]) -> str:
    master = running_master()
    snapshot = read_json(SNAPSHOT)
    if master is None or snapshot is None:
        return "nothing recorded (no master or no snapshot)"
    write_json(RECORD, {"master": master, "digest": snapshot.get("digest")})
    os.unlink(SNAPSHOT)
    return f"recorded what nginx (master {master}) loaded at its start"


COMMANDS = {
    "status": status,
    "reload": reload,
    "record": record,
    "start-pre": start_pre,
    "start-post": start_post,
}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in COMMANDS:
        print("usage: nginx-state " + "|".join(COMMANDS) + " DIR...", file=sys.stderr)
        return 2
    try:
        print(COMMANDS[argv[0]](argv[1:]))
    except Failure as failure:
        print(f"wss-gateway: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
