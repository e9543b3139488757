# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Print "stale" when a file nginx reads is newer than nginx's newest worker, else "current".

Workers are started by each start and reload, so a configuration file, certificate or key
changed after the newest worker started is not live yet: a reload notified in an earlier run
was lost (that run failed after the change). Prints "stopped" when nginx does not run.
Arguments: the directories to scan (e.g. /etc/nginx /etc/wss-gateway/tls).
"""

from __future__ import annotations

import os
import sys


def boot_time() -> float:
    with open("/proc/stat", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("btime "):
                return float(line.split()[1])
    raise RuntimeError("no btime in /proc/stat")


def newest_worker_start(master: int) -> float | None:
    ticks = os.sysconf("SC_CLK_TCK")
    newest = None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state (field 3 of proc(5)): ppid is field 4, starttime field 22.
        if int(fields[1]) == master:
            start = int(fields[19]) / ticks
            newest = start if newest is None else max(newest, start)
    return None if newest is None else boot_time() + newest


def newest_file(paths: list[str]) -> float:
    newest = 0.0
    for top in paths:
        for directory, _dirs, files in os.walk(top, followlinks=True):
            for name in files:
                try:
                    newest = max(newest, os.stat(os.path.join(directory, name)).st_mtime)
                except OSError:
                    continue
    return newest


def main() -> int:
    try:
        with open("/run/nginx.pid", encoding="ascii") as stream:
            master = int(stream.read().strip())
        os.kill(master, 0)
    except (OSError, ValueError):
        print("stopped")
        return 0
    started = newest_worker_start(master)
    if started is None:
        print("stopped")
        return 0
    print("stale" if newest_file(sys.argv[1:]) > started else "current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
