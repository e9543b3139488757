# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Benchmark wss_check against real websockets echo servers, next to the websockets client.

Starts websockets echo servers over TLS (a trustme CA, made now) in child processes on
127.0.0.1, then measures, for wss_check (``run_checks``) and for the ``websockets``
client in the same run:

1. one check over verified TLS with an echo round trip: median of ``--runs`` runs;
2. ``--endpoints`` endpoints in one call;
3. the same with ``--blackholed`` of them blackholed (TCP accepted, never answered) and a
   timeout of ``--timeout`` seconds.

Bounded: a fixed number of runs, every wait has a timeout, the servers are stopped at the
end. Run with the project's venv: ``.venv/bin/python benchmarks/bench_wss_check.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "chat.example.com"
TARGET_ONE_MS = 10.0
TARGET_MANY_S = 1.0


def import_collection(workdir: Path):
    """Make ``ansible_collections.wss.gateway`` importable from this checkout."""
    link = workdir / "ansible_collections" / "wss" / "gateway"
    link.parent.mkdir(parents=True)
    link.symlink_to(ROOT, target_is_directory=True)
    sys.path.insert(0, str(workdir))
    from ansible_collections.wss.gateway.plugins.module_utils import _wss_client  # noqa: PLC0415

    return _wss_client


# -- servers (child processes) ----------------------------------------------------------


def serve(cert_file: str, key_file: str) -> None:
    """Child process: a websockets TLS echo server; prints its port, stops on stdin EOF."""
    from websockets.asyncio.server import serve as ws_serve  # noqa: PLC0415

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    async def echo(websocket) -> None:
        async for message in websocket:
            await websocket.send(message)

    async def main() -> None:
        async with ws_serve(echo, "127.0.0.1", 0, ssl=context, backlog=512) as server:
            print(server.sockets[0].getsockname()[1], flush=True)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


def start_servers(count: int, cert_file: Path, key_file: Path) -> tuple:
    children, ports = [], []
    for _index in range(count):
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(cert_file), str(key_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
    for child in children:
        line = child.stdout.readline()
        if not line.strip():
            stop_servers(children)
            raise SystemExit("a benchmark server did not start")
        ports.append(int(line))
    return children, ports


def stop_servers(children: list) -> None:
    for child in children:
        with contextlib.suppress(OSError):
            child.stdin.close()
    for child in children:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)


# -- the websockets client, for comparison ---------------------------------------------
# The asyncio client, on one event loop for the whole run. (The sync client was tried
# first: about one connection in 150 stalled in its handshake for 10 s on this machine.)


def client_context(ca_file: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_file))


async def websockets_check(url: str, context: ssl.SSLContext, timeout: float) -> bool:
    """Open, echo 'ping', close: what wss_check does, with the websockets client."""
    from websockets.asyncio.client import connect  # noqa: PLC0415

    try:
        async with asyncio.timeout(timeout):
            async with connect(
                url, ssl=context, server_hostname=NAME, compression=None
            ) as websocket:
                await websocket.send("ping")
                return await websocket.recv() == "ping"
    except Exception:  # pylint: disable=broad-exception-caught
        return False  # any failure counts as a failed endpoint


def websockets_one(loop, url: str, ca_file: Path, timeout: float) -> bool:
    # A new context per check, as wss_check makes one per call.
    return loop.run_until_complete(websockets_check(url, client_context(ca_file), timeout))


def websockets_many(loop, urls: list, ca_file: Path, timeout: float) -> list:
    context = client_context(ca_file)

    async def all_of_them() -> list:
        return await asyncio.gather(*(websockets_check(url, context, timeout) for url in urls))

    return loop.run_until_complete(all_of_them())


# -- measurements ------------------------------------------------------------------------


def timed(function, *args) -> tuple:
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def blackholes(count: int) -> tuple:
    sockets, ports = [], []
    for _index in range(count):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        sockets.append(listener)
        ports.append(listener.getsockname()[1])
    return sockets, ports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50, help="runs of the single check")
    parser.add_argument("--endpoints", type=int, default=100, help="endpoints in one call")
    parser.add_argument("--blackholed", type=int, default=10, help="of them blackholed")
    parser.add_argument("--timeout", type=float, default=1.0, help="timeout T in seconds")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the many-endpoint calls")
    parser.add_argument("--servers", type=int, default=2, help="echo server processes")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return 0
    for name in ("runs", "endpoints", "repeat", "servers"):
        if not 1 <= getattr(args, name) <= 1000:
            parser.error(f"--{name} must be between 1 and 1000")

    import trustme  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-wss-check-") as tmp:
        workdir = Path(tmp)
        client = import_collection(workdir / "collections")
        ca = trustme.CA()
        leaf = ca.issue_cert(NAME, "127.0.0.1")
        ca_file, cert_file, key_file = workdir / "ca.pem", workdir / "c.pem", workdir / "k.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        leaf.cert_chain_pems[0].write_to_path(str(cert_file))
        leaf.private_key_pem.write_to_path(str(key_file))
        children, ports = start_servers(args.servers, cert_file, key_file)
        holes, hole_ports = blackholes(args.blackholed)
        try:
            return run(args, client, ca_file, ports, hole_ports)
        finally:
            for hole in holes:
                hole.close()
            stop_servers(children)


def run(args, client, ca_file: Path, ports: list, hole_ports: list) -> int:
    loop = asyncio.new_event_loop()
    try:
        return measure(args, client, loop, ca_file=ca_file, ports=ports, hole_ports=hole_ports)
    finally:
        loop.close()


def measure(args, client, loop, *, ca_file: Path, ports: list, hole_ports: list) -> int:
    timeout = args.timeout
    urls = [f"wss://127.0.0.1:{ports[i % len(ports)]}/ws" for i in range(args.endpoints)]
    mixed = list(urls)
    for index, port in enumerate(hole_ports):
        mixed[(index * len(mixed)) // max(len(hole_ports), 1)] = f"wss://127.0.0.1:{port}/ws"
    common = {"server_hostname": NAME, "ca_path": str(ca_file), "echo_message": "ping"}

    def check_one():
        report = client.run_checks({"url": urls[0], "timeout": 5.0, **common})
        if report["ok_count"] != 1:
            raise RuntimeError(report["msg"])

    def check_many(endpoints, limit, parallel=client.DEFAULT_MAX_PARALLEL):
        report = client.run_checks(
            {
                "endpoints": [{"url": u} for u in endpoints],
                "timeout": limit,
                "max_parallel": parallel,
                **common,
            }
        )
        return report["ok_count"]

    # Warm up both clients (imports, first handshakes) before measuring.
    check_one()
    if not websockets_one(loop, urls[0], ca_file, 5.0):
        raise RuntimeError(f"the websockets client cannot check {urls[0]}")

    one_ours = statistics.median(timed(check_one)[0] for _run in range(args.runs)) * 1000
    one_theirs = (
        statistics.median(
            timed(websockets_one, loop, urls[0], ca_file, 5.0)[0] for _run in range(args.runs)
        )
        * 1000
    )

    def best(function, *fargs):
        results = [timed(function, *fargs) for _run in range(args.repeat)]
        return min(results, key=lambda item: item[0])

    many_ours, ok_ours = best(check_many, urls, 5.0)
    many_theirs, ok_theirs_list = best(websockets_many, loop, urls, ca_file, 5.0)
    # Every endpoint gets its own socket at once (as the asyncio client does), so a
    # blackholed endpoint does not wait for a free slot before its timeout starts.
    mixed_ours, mixed_ok_ours = best(check_many, mixed, timeout, len(mixed))
    default_ours, default_ok_ours = best(check_many, mixed, timeout)
    mixed_theirs, mixed_ok_theirs = best(websockets_many, loop, mixed, ca_file, timeout)

    expected_mixed = len(mixed) - len(hole_ports)
    rows = [
        (
            "one check, verified TLS + echo (median ms)",
            f"{one_ours:.2f}",
            f"{one_theirs:.2f}",
            one_ours / one_theirs,
            f"< {TARGET_ONE_MS:g} ms",
            one_ours < TARGET_ONE_MS,
        ),
        (
            f"{len(urls)} endpoints in one call (s)",
            f"{many_ours:.3f} ({ok_ours} ok)",
            f"{many_theirs:.3f} ({sum(ok_theirs_list)} ok)",
            many_ours / many_theirs,
            f"< {TARGET_MANY_S:g} s",
            many_ours < TARGET_MANY_S and ok_ours == len(urls),
        ),
        (
            f"{len(mixed)} endpoints, {len(hole_ports)} blackholed, T={timeout:g} s, "
            f"max_parallel {len(mixed)} (s)",
            f"{mixed_ours:.3f} ({mixed_ok_ours} ok)",
            f"{mixed_theirs:.3f} ({sum(mixed_ok_theirs)} ok)",
            mixed_ours / mixed_theirs,
            f"< {timeout * 1.1:.2f} s (T + 10%)",
            mixed_ours < timeout * 1.1 and mixed_ok_ours == expected_mixed,
        ),
        (
            f"  the same with the default max_parallel {client.DEFAULT_MAX_PARALLEL} (s)",
            f"{default_ours:.3f} ({default_ok_ours} ok)",
            "-",
            default_ours / mixed_theirs,
            "(information)",
            default_ok_ours == expected_mixed,
        ),
    ]
    print(f"wss_check benchmark: {args.servers} websockets TLS echo server process(es), ", end="")
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    header = ("measurement", "wss_check", "websockets", "ratio", "target", "met")
    widths = (62, 16, 16, 5, 18, 3)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for name, ours, theirs, ratio, target, met in rows:
        cells = (name, ours, theirs, f"{ratio:.2f}", target, "yes" if met else "NO")
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    print("ratio = wss_check / websockets (lower is faster for wss_check)")
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
