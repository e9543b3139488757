# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""What nginx runs, recorded without a clock: a digest of the files it loaded.

    nginx-state status DIR...     print "current", "stale: <why>" or "stopped"
    nginx-state reload DIR...     nginx -t, a graceful reload (a start when nginx is stopped),
                                  wait for the new workers, then record what they loaded
    nginx-state record DIR...     record the files as they are now (after a start)
    nginx-state start-pre DIR...  (systemd ExecStartPre) digest the files before nginx reads them
    nginx-state start-post DIR... (systemd ExecStartPost) record that digest for the new master
    nginx-state keep DIR...       keep the files as they are (before a change) for a rollback
                                  (and remove the rejected files a rollback left)
    nginx-state rollback DIR...   put the kept files back byte for byte and reload, keeping the
                                  rejected ones for `reapply`; "unchanged" when nothing changed
    nginx-state reapply DIR...    put the rejected files back and reload (the kept state was
                                  no better)
    nginx-state forget DIR...     remove the kept and rejected files (they hold private keys)
    nginx-state inspect [--keep] DIR... [--stat PATH...]
                                  one JSON object: `nginx -V` (rc and output), the status above,
                                  with --keep the files kept (only when nginx is installed), the
                                  number of apt package lists, and each PATH's type, mode, owner
                                  and (regular files) SHA-1, or null when it does not exist

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
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import time

RECORD = "/run/wss-gateway/nginx-loaded.json"
SNAPSHOT = "/run/wss-gateway/nginx-starting.json"
PID_FILE = "/run/nginx.pid"
NGINX_BINARY = "/usr/sbin/nginx"
NGINX_TEST = [NGINX_BINARY, "-t", "-q"]
APT_LISTS = "/var/lib/apt/lists"
ERROR_LOG = "/var/log/nginx/error.log"
SYSTEMD = "/run/systemd/system"  # present when systemd runs the host
RC_DIR = "/etc/rc{level}.d"  # SysV start links, without systemd
IF_INET6 = "/proc/net/if_inet6"  # present when the kernel has IPv6
# The state kept for a rollback: tar archives (0600 in a 0700 directory) and their digests.
KEEP_DIR = "/var/lib/wss-gateway/rollback"
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
        serving = workers(master)
        fresh = serving - before
        # New workers run, and every old one has closed its listeners ("shutting down"):
        # from now on each new connection meets the new configuration.
        if fresh and not serving & before:
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


def _kept(name: str) -> tuple[str, str]:
    return os.path.join(KEEP_DIR, f"{name}.tar"), os.path.join(KEEP_DIR, f"{name}.json")


def _archive(tops: list[str], name: str) -> None:
    """Every file, directory and symlink under ``tops`` (links as links), owners and modes."""
    os.makedirs(KEEP_DIR, mode=0o700, exist_ok=True)
    os.chmod(KEEP_DIR, 0o700)
    archive_path, meta_path = _kept(name)
    temporary = f"{archive_path}.part"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream, tarfile.open(fileobj=stream, mode="w") as tar:
        for top in tops:
            if os.path.lexists(top):
                tar.add(top, arcname=top.strip("/"))
    os.replace(temporary, archive_path)
    write_json(meta_path, {"digest": digest(tops), "tops": tops})


def _restore(tops: list[str], name: str) -> None:
    """Make each of ``tops`` exactly what the archive holds (absent where it holds nothing).

    Each directory is unpacked next to itself, then swapped in by two renames, so that nginx
    never finds a half-written directory; files made since the archive are gone with it.
    """
    archive_path, _meta = _kept(name)
    if not os.path.exists(archive_path):
        raise Failure(f"nothing was kept to restore ({archive_path} is missing)")
    with tarfile.open(archive_path) as tar:
        members = tar.getmembers()
        for top in tops:
            relative = top.strip("/")
            staging = f"{top.rstrip('/')}.wss-gateway-restore"
            replaced = f"{top.rstrip('/')}.wss-gateway-replaced"
            for leftover in (staging, replaced):
                if os.path.lexists(leftover):
                    shutil.rmtree(leftover)
            chosen = []
            for member in members:
                if member.name == relative or member.name.startswith(relative + "/"):
                    member.name = staging.strip("/") + member.name[len(relative) :]
                    if member.islnk() and member.linkname.startswith(relative + "/"):
                        member.linkname = staging.strip("/") + member.linkname[len(relative) :]
                    chosen.append(member)
            if chosen:
                options = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall("/", members=chosen, numeric_owner=True, **options)
            if os.path.lexists(top):
                os.rename(top, replaced)
            if chosen:
                os.rename(staging, top)
            if os.path.lexists(replaced):
                shutil.rmtree(replaced)


def keep(tops: list[str]) -> str:
    _archive(tops, "previous")
    # Files rejected by a rollback are for `reapply` in the same run: any left are stale.
    for path in _kept("rejected"):
        if os.path.exists(path):
            os.unlink(path)
    return f"kept the files under {' '.join(tops)} for a rollback"


def rollback(tops: list[str]) -> str:
    kept = read_json(_kept("previous")[1])
    if kept is None or not os.path.exists(_kept("previous")[0]):
        return "nothing kept: no rollback"
    if kept.get("digest") == digest(tops):
        return "unchanged: the files are those kept before the change, no rollback"
    _archive(tops, "rejected")
    _restore(tops, "previous")
    return "rolled back: " + reload(tops)


def reapply(tops: list[str]) -> str:
    _restore(tops, "rejected")
    return "re-applied: " + reload(tops)


def forget(tops: list[str]) -> str:
    for name in ("previous", "rejected"):
        for path in _kept(name):
            if os.path.exists(path):
                os.unlink(path)
    return "forgot the kept files"


def path_state(path: str) -> dict | None:
    """What a managed path is now (the link itself, not its target), or None when absent."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(found.st_mode):
        kind = "link"
    elif stat.S_ISDIR(found.st_mode):
        kind = "directory"
    elif stat.S_ISREG(found.st_mode):
        kind = "file"
    else:
        kind = "other"
    state = {
        "type": kind,
        "mode": f"{stat.S_IMODE(found.st_mode):04o}",
        "uid": found.st_uid,
        "gid": found.st_gid,
    }
    if kind == "file":
        one = hashlib.sha1()  # noqa: S324 - compared with Ansible's checksum, not a secret
        try:
            with open(path, "rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 16), b""):
                    one.update(chunk)
            state["sha1"] = one.hexdigest()
        except OSError:
            state["sha1"] = None
    return state


def enabled() -> bool:
    """Whether nginx starts at boot: systemd's verdict, else a start link of a SysV runlevel."""
    if os.path.isdir(SYSTEMD):
        try:
            done = subprocess.run(
                ["systemctl", "is-enabled", "nginx"], capture_output=True, text=True, check=False
            )
        except OSError:
            return False
        return done.stdout.strip() == "enabled"
    for level in "2345":
        try:
            names = os.listdir(RC_DIR.format(level=level))
        except OSError:
            return False
        if not any(name.startswith("S") and name[3:] == "nginx" for name in names):
            return False
    return True


def inspect(tops: list[str], paths: list[str], keep_files: bool) -> dict:
    """Everything the nginx role reads on the host before it changes anything, in one run."""
    try:
        version = subprocess.run([NGINX_BINARY, "-V"], capture_output=True, text=True, check=False)
        nginx = {"rc": version.returncode, "output": version.stderr + version.stdout}
    except OSError as error:  # not installed
        nginx = {"rc": 127, "output": str(error)}
    installed = nginx["rc"] == 0
    kept = installed and keep_files
    if kept:
        keep(tops)
    try:
        lists = sum("_Packages" in name for name in os.listdir(APT_LISTS))
    except OSError:
        lists = 0
    return {
        "nginx": nginx,
        "status": status(tops),
        "enabled": installed and enabled(),
        "kept": kept,
        "apt_lists": lists,
        # Whether the kernel has IPv6 (the proxy role listens on [::] only then).
        "ipv6": os.path.exists(IF_INET6),
        "paths": {path: path_state(path) for path in paths},
    }


def _inspect_main(argv: list[str]) -> int:
    keep_files = bool(argv) and argv[0] == "--keep"
    argv = argv[1:] if keep_files else argv
    tops, paths = (
        (argv[: argv.index("--stat")], argv[argv.index("--stat") + 1 :])
        if ("--stat" in argv)
        else (argv, [])
    )
    if not tops:
        print("usage: nginx-state inspect [--keep] DIR... [--stat PATH...]", file=sys.stderr)
        return 2
    print(json.dumps(inspect(tops, paths, keep_files), sort_keys=True))
    return 0


COMMANDS = {
    "status": status,
    "reload": reload,
    "record": record,
    "start-pre": start_pre,
    "start-post": start_post,
    "keep": keep,
    "rollback": rollback,
    "reapply": reapply,
    "forget": forget,
    "inspect": inspect,
}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in COMMANDS:
        print("usage: nginx-state " + "|".join(COMMANDS) + " DIR...", file=sys.stderr)
        return 2
    command, tops = argv[0], argv[1:]
    try:
        if command == "inspect":
            return _inspect_main(tops)
        if command == "status" and tops[0] == "--keep":  # one run: the status, then keep
            tops = tops[1:]
            print(status(tops))
            keep(tops)
            return 0
        print(COMMANDS[command](tops))
    except Failure as failure:
        print(f"wss-gateway: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
