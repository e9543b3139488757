# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Benchmark deployment speed: deploy_wss.yml first run and re-run on 1 and on 10 hosts.

For each host count, starts that many containers ``wss-bench-deploy-N`` from the project's
bookworm test image (docker connection, nothing published), runs the demo's ws:// echo
backend in each (``demo/backend.yml``, not timed), then times ``wss.gateway.deploy_wss``
twice with the ``ansible.posix.profile_tasks`` callback: the first run and the idempotent
re-run. Reports the re-run/first-run ratio (with ``changed=0``), N hosts against one, and the
slowest task of a re-run. ``--mitogen`` repeats it with Mitogen's ``mitogen_linear`` strategy
when Mitogen can be imported and works with the installed ansible-core.

Bounded: every ansible-playbook run has a time limit; the containers are removed at the
end (also on failure and Ctrl-C). Run: ``.venv/bin/python benchmarks/bench_deploy.py``
(``make bench``), ``--smoke`` for 1 and 2 hosts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The shared helpers of the benchmarks (this script's folder is on sys.path when it runs).
import bench_datapath
from bench_datapath import BenchError, docker, image_name, interrupted

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PREFIX = "wss-bench-deploy-"
LISTEN = 19540
BACKEND = "127.0.0.1:19808"  # demo/backend.yml's echo service, inside each container
TARGET_RERUN_RATIO = 0.40
TARGET_SCALE = 3.0
TARGET_SLOWEST_S = 1.0
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)
PROFILE = re.compile(r"^(?P<task>\S.*?) -{3,} (?P<seconds>\d+\.\d+)s$", re.MULTILINE)
ENGINE = ("dockerd", "containerd", "containerd-shim")  # comm: 15 characters at most
CGROUP_CPU = (  # cgroup v1 (cpuacct, nanoseconds) and v2 (cpu.stat usage_usec) layouts
    "/sys/fs/cgroup/cpuacct/docker/{id}/cpuacct.usage",
    "/sys/fs/cgroup/cpu,cpuacct/docker/{id}/cpuacct.usage",
    "/sys/fs/cgroup/docker/{id}/cpu.stat",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/cpu.stat",
)


def mitogen_strategy_dir(path: str | None) -> Path | None:
    """The directory of Mitogen's strategy plugins, from --mitogen-path or the venv."""
    code = (
        "import ansible_mitogen, os; "
        "print(os.path.join(os.path.dirname(ansible_mitogen.__file__), 'plugins', 'strategy'))"
    )
    env = {**os.environ, "PYTHONPATH": path} if path else None
    found = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def ansible_env(hosts: int, mitogen: Path | None, mitogen_path: str | None) -> dict:
    env = {
        **bench_datapath.ansible_env(),
        # One fork per host, so that N hosts run each task at once (ansible's default is 5).
        "ANSIBLE_FORKS": str(max(5, hosts)),
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
        "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "5",
    }
    if mitogen:
        env["ANSIBLE_STRATEGY_PLUGINS"] = str(mitogen)
        env["ANSIBLE_STRATEGY"] = "mitogen_linear"
        if mitogen_path:
            env["PYTHONPATH"] = mitogen_path
    return env


def inventory(workdir: Path, hosts: list, mitogen: bool) -> Path:
    host_vars = {
        # Mitogen replaces connection plugins by their short name only.
        "ansible_connection": "docker" if mitogen else "community.docker.docker",
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    data = {
        "all": {
            "children": {
                "wss": {
                    "hosts": {host: dict(host_vars) for host in hosts},
                    "vars": {
                        "wss_become": False,
                        "wss_certificate_ca_dir": str(workdir / "ca"),
                        "wss_endpoints": [
                            {
                                "name": "bench",
                                "server_names": [
                                    "{{ inventory_hostname }}.wss.test",
                                ],
                                "listen": LISTEN,
                                "locations": [{"path": "/", "backends": [BACKEND]}],
                            }
                        ],
                    },
                }
            }
        }
    }
    path = workdir / "inventory.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def container_cpu_seconds(container_id: str) -> float | None:
    """CPU time of everything that ran in a container (its cgroup), or None if not found."""
    for pattern in CGROUP_CPU:
        path = Path(pattern.format(id=container_id))
        with contextlib.suppress(OSError, ValueError):
            text = path.read_text()
            if path.name == "cpuacct.usage":
                return int(text) / 1e9
            for line in text.splitlines():
                if line.startswith("usage_usec "):
                    return int(line.split()[1]) / 1e6
    return None


def cpu_snapshot(container_ids: list) -> dict:
    """CPU seconds so far: this process's waited-for children (ansible-playbook and all it
    ran on the controller, docker CLI included), the hosts (their cgroups) and the Docker
    engine that serves every `docker exec` (dockerd, containerd and the shims)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    hosts = [container_cpu_seconds(cid) for cid in container_ids]
    engine = bench_datapath.cpu_seconds(
        [pid for name in ENGINE for pid in bench_datapath.host_pids(name)]
    )
    return {
        "controller": children.ru_utime + children.ru_stime,
        "hosts": None if None in hosts else sum(hosts),
        "engine": engine,
    }


def playbook(
    env: dict, inventory_file: Path, play: str, log: Path, timeout: float, *, ids: list
) -> dict:
    before = cpu_snapshot(ids)
    started = time.monotonic()
    with log.open("w") as stream:
        result = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory_file), play],
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    elapsed = time.monotonic() - started
    after = cpu_snapshot(ids)
    cpu = {
        key: None if before[key] is None or after[key] is None else after[key] - before[key]
        for key in before
    }
    text = log.read_text(errors="replace")
    if result.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise BenchError(f"{play} failed (log: {log}):\n{tail}")
    recap = [m.groupdict() for m in RECAP.finditer(text)]
    tasks = sorted(
        ((m["task"].strip(), float(m["seconds"])) for m in PROFILE.finditer(text)),
        key=lambda item: -item[1],
    )
    return {
        "seconds": elapsed,
        "changed": sum(int(r["changed"]) for r in recap),
        "failed": sum(int(r["failed"]) + int(r["unreachable"]) for r in recap),
        "slowest": tasks[:3],
        "cpu_s": cpu,
    }


def run_variant(count: int, image: str, args, output: Path, mitogen: Path | None) -> dict:
    """Fresh containers, the backend, then deploy_wss twice. Containers removed after."""
    names = [f"{PREFIX}{index}" for index in range(1, count + 1)]
    label = f"{count}-{'mitogen' if mitogen else 'default'}"
    with tempfile.TemporaryDirectory(prefix="wss-bench-deploy-") as tmp:
        workdir = Path(tmp)
        try:
            ids = []
            for name in names:
                docker("rm", "-f", name, check=False)
                started = docker("run", "-d", "--name", name, "--init", image, "sleep", "infinity")
                ids.append(started.stdout.strip())
            env = ansible_env(count, mitogen, args.mitogen_path)
            inventory_file = inventory(workdir, names, mitogen is not None)
            playbook(
                env,
                inventory_file,
                str(ROOT / "demo" / "backend.yml"),
                output / f"deploy-{label}-backend.log",
                args.timeout,
                ids=ids,
            )
            first = playbook(
                env,
                inventory_file,
                "wss.gateway.deploy_wss",
                output / f"deploy-{label}-first.log",
                args.timeout,
                ids=ids,
            )
            rerun = playbook(
                env,
                inventory_file,
                "wss.gateway.deploy_wss",
                output / f"deploy-{label}-rerun.log",
                args.timeout,
                ids=ids,
            )
        finally:
            for name in names:
                docker("rm", "-f", name, check=False)
    return {"first": first, "rerun": rerun}


def report(results: dict, counts: list, smoke: bool) -> int:
    one, many = counts[0], counts[-1]
    variants = [v for v in ("default", "mitogen") if (one, v) in results]
    header = ["measurement"]
    for variant in variants:
        header += [f"{n} host{'s' if n > 1 else ''} ({variant})" for n in counts]
    header += ["target", "met"]
    rows = []
    base = {n: results[(n, "default")] for n in counts}

    def cells(function) -> list:
        return [function(results[(n, v)]) for v in variants for n in counts]

    worst = max(r["rerun"]["slowest"][0][1] if r["rerun"]["slowest"] else 0 for r in base.values())
    ratios = [r["rerun"]["seconds"] / r["first"]["seconds"] for r in base.values()]
    rows.append(["first run (s)", *cells(lambda r: f"{r['first']['seconds']:.1f}"), "", ""])
    rows.append(
        [
            "re-run (s), changed",
            *cells(lambda r: f"{r['rerun']['seconds']:.1f}, changed={r['rerun']['changed']}"),
            "changed=0",
            "yes" if all(r["rerun"]["changed"] == 0 for r in base.values()) else "NO",
        ]
    )
    rows.append(
        [
            "re-run / first run",
            *cells(lambda r: f"{r['rerun']['seconds'] / r['first']['seconds']:.2f}"),
            f"<= {TARGET_RERUN_RATIO:.2f}",
            "yes" if max(ratios) <= TARGET_RERUN_RATIO else "NO",
        ]
    )
    for kind in ("first", "rerun"):
        scale = base[many][kind]["seconds"] / base[one][kind]["seconds"]
        values = []
        for variant in variants:
            s = results[(many, variant)][kind]["seconds"] / results[(one, variant)][kind]["seconds"]
            values += ["", f"{s:.2f}x"]
        rows.append(
            [
                f"{many} hosts / {one} host, {'first run' if kind == 'first' else 're-run'}",
                *values,
                f"<= {TARGET_SCALE:g}x",
                "yes" if scale <= TARGET_SCALE else "NO",
            ]
        )
    rows.append(
        [
            "slowest task of the re-run (s)",
            *cells(
                lambda r: f"{r['rerun']['slowest'][0][1]:.2f}" if r["rerun"]["slowest"] else "-"
            ),
            f"<= {TARGET_SLOWEST_S:g} s",
            "yes" if worst <= TARGET_SLOWEST_S else "NO",
        ]
    )

    def cpu(r: dict, kind: str) -> str:
        used = r[kind]["cpu_s"]
        parts = [used.get(k) for k in ("controller", "hosts", "engine")]
        return "/".join("?" if v is None else f"{v:.0f}" for v in parts)

    for kind, label in (("first", "first run"), ("rerun", "re-run")):
        rows.append(
            [
                f"CPU-s, {label}: controller/hosts/engine",
                *cells(lambda r, kind=kind: cpu(r, kind)),
                "(information)",
                "",
            ]
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"deploy_wss.yml benchmark{' (smoke)' if smoke else ''}: {os.cpu_count()} CPU(s)")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for (count, variant), result in sorted(results.items()):
        slowest = "; ".join(f"{name} {sec:.2f}s" for name, sec in result["rerun"]["slowest"])
        print(f"slowest re-run tasks, {count} host(s), {variant}: {slowest}")
    return 0 if all(row[-1] != "NO" for row in rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="1 and 2 hosts instead of 1 and 10")
    parser.add_argument("--hosts", type=int, help="the larger host count (10; smoke 2)")
    parser.add_argument("--mitogen", action="store_true", help="also with Mitogen's strategy")
    parser.add_argument(
        "--mitogen-path", help="directory holding ansible_mitogen (pip install --target DIR)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="per playbook run, s (900)")
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "benchmarks" / "output",
        help="logs and deploy.json go here (benchmarks/output)",
    )
    args = parser.parse_args()
    many = args.hosts or (2 if args.smoke else 10)
    if not 2 <= many <= 30:
        parser.error("--hosts must be between 2 and 30")
    counts = [1, many]
    signal.signal(signal.SIGTERM, interrupted)
    args.output.mkdir(parents=True, exist_ok=True)
    try:
        image = image_name()
        strategy = None
        if args.mitogen:
            strategy = mitogen_strategy_dir(args.mitogen_path)
            if strategy is None:
                print(
                    "mitogen: ansible_mitogen cannot be imported (pip install mitogen, or "
                    "--mitogen-path DIR): skipped",
                    file=sys.stderr,
                )
        results = {}
        for count in counts:
            print(f"[{time.strftime('%H:%M:%S')}] {count} host(s)", file=sys.stderr, flush=True)
            results[(count, "default")] = run_variant(count, image, args, args.output, None)
        if strategy is not None:
            try:
                for count in counts:
                    print(
                        f"[{time.strftime('%H:%M:%S')}] {count} host(s), mitogen",
                        file=sys.stderr,
                        flush=True,
                    )
                    results[(count, "mitogen")] = run_variant(
                        count, image, args, args.output, strategy
                    )
            except BenchError as error:
                print(f"mitogen does not work here, skipped: {error}", file=sys.stderr)
                for count in counts:
                    results.pop((count, "mitogen"), None)
    except BenchError as error:
        print(f"bench_deploy: {error}", file=sys.stderr)
        return 2
    with contextlib.suppress(OSError):
        (args.output / "deploy.json").write_text(
            json.dumps({f"{c}-{v}": r for (c, v), r in results.items()}, indent=2)
        )
    return report(results, counts, args.smoke)


if __name__ == "__main__":
    sys.exit(main())
