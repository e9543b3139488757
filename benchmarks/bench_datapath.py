# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Benchmark the wss:// data path: direct ws, the deployed gateway, the naive config, Caddy.

In one run, on loopback, side by side:

- ``direct``: plain ws:// to the backend (the floor);
- ``gateway``: nginx as ``wss.gateway.deploy_wss`` deploys it (ansible-playbook with the
  docker connection, the role defaults) into a container of the project's bookworm test
  image (``--release trixie``: the trixie image, for all three proxies);
- ``naive``: the classic blog recipe: Debian's stock nginx.conf (Debian's TLS defaults) and
  one ``location /`` with ``proxy_pass``, ``proxy_http_version 1.1``,
  ``Upgrade $http_upgrade`` and ``Connection "Upgrade"``, with the gateway's certificate;
- ``caddy``: Debian's Caddy 2 as ``reverse_proxy`` with ``tls cert key``, same certificate.

The backend is a websockets echo server on 127.0.0.1. Every container runs with
``--network host`` (no docker-proxy in the data path) and ``--cpuset-cpus`` on the proxy
core; the backend runs on the proxy core too (the server side: a gateway and its ws service
share a host), this process and its clients on the client core (the remote side), so every
path, direct or proxied, crosses between the cores the same way.

Measured for each, one target after the other: idle wss:// connections held (memory per
connection from a freshly started proxy: proxy PSS growth from /proc/<pid>/smaps_rollup and
kernel socket memory from /proc/net/sockstat; again after one 64 KiB echo on each
connection), connection set-up time (TCP + TLS + upgrade), round-trip latency of 64-byte
messages. Then, the proxies restarted, in rounds that take the targets in turn (in reverse
order every other round):
throughput of 1 MiB messages and the proxy CPU per MiB, full TLS handshakes per proxy
CPU-second (ECDSA P-256 and RSA-2048) and resumed ones. Proxy CPU time comes from the
container's cgroup (nanoseconds; /proc/<pid>/stat ticks where it is not found). The
comparisons with Caddy are the median of the rounds' ratios.

Bounded: fixed counts, a time limit on every stage, containers ``wss-bench-*`` removed at
the end (also on failure and Ctrl-C). Run: ``.venv/bin/python benchmarks/bench_datapath.py``
(``make bench``), ``--smoke`` for a quick run with small counts.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import logging
import os
import platform
import resource
import select
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
COLLECTIONS = ROOT / ".cache" / "collections"
NAME = "bench.wss.test"
BACKEND_PORT = 19500
PORTS = {"gateway": (19510, 19511), "naive": (19520, 19521), "caddy": (19530, 19531)}
CONTAINERS = {
    "gateway": "wss-bench-gateway",
    "naive": "wss-bench-naive",
    "caddy": "wss-bench-caddy",
}
PAGE = 4096
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Targets of issue 8 (the gateway's figures).
TARGET_MEM_VS_NAIVE = 0.7
TARGET_ECDSA_VS_RSA = 2.0
TARGET_RESUMED_VS_FULL = 2.0
TARGET_LATENCY_EXTRA_US = 150.0
TARGET_THROUGHPUT_VS_DIRECT = 0.6
# Targets of issue 19 (the gateway beside Caddy, on the same machine in the same run).
TARGET_MEM_KIB = {"bookworm": 34.5}  # idle memory per connection not above issue 8's figure
TARGET_MEM_VS_NAIVE_19 = {"trixie": 0.7}
# The gateway's location for bulk messages (buffer_size, --gateway-bulk-buffer); its idle
# connections, latency and handshakes are measured on '/', which keeps the lean default.
BULK_PATH = "/bulk"

FULL = {
    "connections": 10000,
    "handshakes": 2000,
    "round_trips": 5000,
    "messages": 256,
    "setups": 300,
    "hold": 5.0,
    "rounds": 8,
}
SMOKE = {
    "connections": 200,
    "handshakes": 150,
    "round_trips": 300,
    "messages": 8,
    "setups": 30,
    "hold": 1.0,
    "rounds": 2,
}


class BenchError(Exception):
    """A step of the benchmark failed; the message says which."""


# -- small helpers -----------------------------------------------------------------------


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def run(command: list, *, timeout: float = 120, check: bool = True, **kwargs):
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    if check and result.returncode != 0:
        raise BenchError(f"{' '.join(command[:4])} ... failed: {result.stderr.strip()[-2000:]}")
    return result


def docker(*args: str, timeout: float = 300, check: bool = True):
    return run(["docker", *args], timeout=timeout, check=check)


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise BenchError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


def wait_port_free(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                pass
        except OSError:
            return
        time.sleep(0.1)
    raise BenchError(f"127.0.0.1:{port} still answers after {timeout:g} s")


def percentile(values: list, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- /proc readings ----------------------------------------------------------------------


def host_pids(comm: str, container_id: str = "") -> list:
    """Host PIDs of the processes named ``comm`` (in a container, from their cgroup, if given)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != comm:
                continue
            if container_id in (entry / "cgroup").read_text():
                pids.append(int(entry.name))
        except OSError:
            continue
    return sorted(pids)


def rss_bytes(pids: list) -> int:
    """Resident memory of the processes, each shared page counted once (PSS, in bytes).

    Plain RSS would count the pages that nginx's workers share (the master's heap, the TLS
    session cache in shared memory) once per worker.
    """
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(pids: list, part: slice = slice(0, 2)) -> float:
    """CPU time of the processes (utime + stime; ``part`` picks one of them)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(value) for value in fields[11:13][part])  # utime, stime
    return ticks / CLK_TCK


CGROUP_CPU = (  # cgroup v1 (cpuacct, nanoseconds) and v2 (cpu.stat usage_usec) layouts
    "/sys/fs/cgroup/cpuacct/docker/{id}/cpuacct.usage",
    "/sys/fs/cgroup/cpu,cpuacct/docker/{id}/cpuacct.usage",
    "/sys/fs/cgroup/docker/{id}/cpu.stat",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/cpu.stat",
)


def container_cpu_seconds(container_id: str) -> float | None:
    """CPU time of everything that ran in a container (its cgroup, to the nanosecond or
    microsecond), or None if the cgroup is not found."""
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


def sockstat() -> dict:
    """TCP sockets in use and TCP buffer memory (bytes) of this network namespace."""
    for line in Path("/proc/net/sockstat").read_text().splitlines():
        if line.startswith("TCP:"):
            parts = line.split()[1:]
            values = dict(zip(parts[::2], (int(v) for v in parts[1::2]), strict=True))
            return {"inuse": values["inuse"], "mem": values["mem"] * PAGE}
    return {"inuse": 0, "mem": 0}


# -- the targets -------------------------------------------------------------------------


@dataclass
class Target:
    """One way of reaching the backend: direct, or through a proxy in a container."""

    key: str
    label: str
    port: int
    rsa_port: int | None = None
    container: str | None = None
    comm: str = ""
    container_id: str = ""
    bulk_path: str = "/"
    results: dict = field(default_factory=dict)

    @property
    def tls(self) -> bool:
        return self.container is not None

    def pids(self) -> list:
        return host_pids(self.comm, self.container_id) if self.container else []

    def cpu(self) -> float:
        """The proxy's CPU seconds so far: its container's cgroup (the proxy is all that runs
        there during a measurement; nanoseconds or microseconds), else its processes' ticks."""
        found = container_cpu_seconds(self.container_id) if self.container_id else None
        return found if found is not None else cpu_seconds(self.pids())

    def restart(self) -> None:
        """A freshly started proxy, listening again."""
        if self.comm == "nginx":
            docker("exec", self.container, "/etc/init.d/nginx", "restart", timeout=60)
        elif self.comm == "caddy":
            for pid in self.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            wait_port_free(self.port)
            docker(
                "exec",
                "-d",
                self.container,
                "caddy",
                "run",
                "--config",
                "/bench/Caddyfile",
                "--adapter",
                "caddyfile",
            )
        if self.container:
            wait_port(self.port)
            if self.rsa_port:
                wait_port(self.rsa_port)
            time.sleep(0.5)


# -- the backend (child process) -----------------------------------------------------------


def serve_backend(port: int) -> None:
    """Child: a websockets echo server on 127.0.0.1; prints 'ready', stops on stdin EOF."""
    raise_nofile()
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    from websockets.asyncio.server import serve  # noqa: PLC0415

    async def echo(websocket) -> None:
        with contextlib.suppress(Exception):
            async for message in websocket:
                await websocket.send(message)

    async def main() -> None:
        async with serve(
            echo,
            "127.0.0.1",
            port,
            compression=None,
            ping_interval=None,
            max_size=None,
            backlog=4096,
        ):
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


def start_backend(cpu: int) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-backend", str(BACKEND_PORT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise BenchError(f"the backend did not start on 127.0.0.1:{BACKEND_PORT}")
    os.sched_setaffinity(child.pid, {cpu})
    return child


def stop_backend(child: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=10)


# -- the proxies (containers) -------------------------------------------------------------


def image_name(release: str = "bookworm") -> str:
    """The test image of a Debian release (make images), from the environment or .cache."""
    variable = f"WSS_IMAGE_{release.upper()}"
    image = os.environ.get(variable, "")
    env_file = ROOT / ".cache" / "images.env"
    if not image and env_file.is_file():
        for line in env_file.read_text().splitlines():
            if line.startswith(f"{variable}="):
                image = line.split("=", 1)[1].strip()
    if not image:
        raise BenchError(f"{variable} is not set and .cache/images.env has none: make images")
    return image


def start_container(name: str, image: str, cpu: int, peer_dir: Path) -> str:
    docker("rm", "-f", name, check=False)
    started = docker(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "host",
        "--cpuset-cpus",
        str(cpu),
        "--init",
        "-v",
        f"{peer_dir}:/bench:ro",
        image,
        "sleep",
        "infinity",
    )
    # Packages must not start their services on install (nginx's default site binds port 80
    # of the host network): the benchmark starts each proxy itself.
    docker(
        "exec",
        name,
        "sh",
        "-c",
        "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
    )
    return started.stdout.strip()


def apt_install(name: str, *packages: str) -> None:
    docker(
        "exec",
        "-e",
        "DEBIAN_FRONTEND=noninteractive",
        name,
        "sh",
        "-c",
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends "
        + " ".join(packages),
        timeout=600,
    )


def ansible_env() -> dict:
    link = COLLECTIONS / "ansible_collections" / "wss" / "gateway"
    if not link.exists():
        run(["make", "-C", str(ROOT), "collection"])
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_PIPELINING": "true",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_INTERPRETER_PYTHON": "auto_silent",
    }


def gateway_inventory(workdir: Path, args) -> Path:
    location = {"path": "/", "backends": [f"127.0.0.1:{BACKEND_PORT}"]}
    if args.gateway_buffer:
        location["buffer_size"] = args.gateway_buffer
    ecdsa_port, rsa_port = PORTS["gateway"]
    inventory = {
        "all": {
            "children": {
                "wss": {
                    "hosts": {
                        CONTAINERS["gateway"]: {
                            "ansible_connection": "community.docker.docker",
                            "ansible_python_interpreter": "/usr/bin/python3",
                        }
                    },
                    "vars": {
                        "wss_become": False,
                        "wss_certificate_ca_dir": str(workdir / "ca"),
                        # Nothing on port 80 of the host network.
                        "proxy_http_redirect": False,
                        "proxy_ipv6": False,
                        # --gateway-directive: to try a setting before it becomes a default.
                        "proxy_extra_directives": args.gateway_directive,
                        "wss_endpoints": [
                            {
                                "name": "bench",
                                "server_names": [NAME],
                                "listen": ecdsa_port,
                                "locations": [
                                    location,
                                    {
                                        **location,
                                        "path": BULK_PATH,
                                        "buffer_size": args.gateway_bulk_buffer,
                                    },
                                ],
                            },
                            {
                                "name": "benchrsa",
                                "server_names": [NAME],
                                "listen": rsa_port,
                                "certificate": {"source": "selfsigned", "key_type": "rsa"},
                                "locations": [location],
                            },
                        ],
                    },
                }
            }
        }
    }
    group_vars = inventory["all"]["children"]["wss"]["vars"]
    # The role's defaults unless a run asks for other worker settings.
    if args.gateway_workers is not None:
        group_vars["nginx_worker_processes"] = args.gateway_workers
    if args.gateway_worker_connections is not None:
        group_vars["nginx_worker_connections"] = args.gateway_worker_connections
    path = workdir / "inventory.json"
    path.write_text(json.dumps(inventory, indent=2))
    return path


def deploy_gateway(workdir: Path, args, log: Path) -> float:
    inventory = gateway_inventory(workdir, args)
    started = time.monotonic()
    with log.open("w") as stream:
        result = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "wss.gateway.deploy_wss"],
            env=ansible_env(),
            stdout=stream,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=False,
        )
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise BenchError(f"deploy_wss.yml failed (log: {log}):\n{tail}")
    return time.monotonic() - started


NAIVE_SITE = """\
# The classic recipe, under Debian's stock nginx.conf (its TLS defaults untouched).
upstream backend {{
    server 127.0.0.1:{backend};
}}
{servers}"""

NAIVE_SERVER = """
server {{
    listen {port} ssl;
    server_name {name};
    ssl_certificate /bench/{kind}/fullchain.pem;
    ssl_certificate_key /bench/{kind}/privkey.pem;

    location / {{
        proxy_pass http://backend;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "Upgrade";
    }}
}}
"""

CADDYFILE = """\
{{
    admin off
    auto_https off
}}
{sites}"""

CADDY_SITE = """
https://{name}:{port} {{
    tls /bench/{kind}/fullchain.pem /bench/{kind}/privkey.pem
    reverse_proxy 127.0.0.1:{backend}
}}
"""


def write_peer_configs(peer_dir: Path) -> None:
    pairs = {"naive": PORTS["naive"], "caddy": PORTS["caddy"]}
    naive = "".join(
        NAIVE_SERVER.format(port=port, name=NAME, kind=kind)
        for port, kind in zip(pairs["naive"], ("ecdsa", "rsa"), strict=True)
    )
    (peer_dir / "naive.conf").write_text(NAIVE_SITE.format(backend=BACKEND_PORT, servers=naive))
    sites = "".join(
        CADDY_SITE.format(name=NAME, port=port, kind=kind, backend=BACKEND_PORT)
        for port, kind in zip(pairs["caddy"], ("ecdsa", "rsa"), strict=True)
    )
    (peer_dir / "Caddyfile").write_text(CADDYFILE.format(sites=sites))


def copy_certificates(peer_dir: Path) -> None:
    """The gateway's certificates and keys, for the naive config and Caddy."""
    for kind, endpoint in (("ecdsa", "bench"), ("rsa", "benchrsa")):
        target = peer_dir / kind
        target.mkdir(mode=0o700, exist_ok=True)
        for name in ("fullchain.pem", "privkey.pem"):
            source = f"{CONTAINERS['gateway']}:/etc/wss-gateway/tls/{endpoint}/{name}"
            docker("cp", "-L", source, str(target / name))


def prepare_naive() -> None:
    name = CONTAINERS["naive"]
    docker(
        "exec",
        name,
        "sh",
        "-c",
        "rm -f /etc/nginx/sites-enabled/default && cp /bench/naive.conf /etc/nginx/conf.d/ "
        "&& nginx -t -q",
    )


def versions() -> dict:
    found = {}
    with contextlib.suppress(BenchError):
        found["nginx"] = docker("exec", CONTAINERS["gateway"], "nginx", "-v").stderr.strip()
        found["openssl"] = docker("exec", CONTAINERS["gateway"], "openssl", "version").stdout
        found["caddy"] = docker("exec", CONTAINERS["caddy"], "caddy", "version").stdout.strip()
    found["openssl"] = found.get("openssl", "").split(" ")[1] if found.get("openssl") else "?"
    return found


# -- clients: raw wss:// opening for counts and set-up times ------------------------------


def client_context(ca_file: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_file))


def upgrade_request(port: int, path: str = "/") -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {NAME}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


async def open_raw(target: Target, context: ssl.SSLContext | None):
    reader, writer = await asyncio.open_connection(
        "127.0.0.1",
        target.port,
        ssl=context if target.tls else None,
        server_hostname=NAME if target.tls else None,
    )
    writer.write(upgrade_request(target.port))
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        writer.transport.abort()
        raise BenchError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    return reader, writer


PING = b"\x81\x81" + bytes(4) + b"x"  # a masked text frame "x" (mask 0)


async def echo_once(reader, writer) -> bool:
    writer.write(PING)
    return await reader.readexactly(3) == b"\x81\x01x"


BURST = 64 * 1024  # one message of this size per held connection, for the memory after traffic
BURST_FRAME = b"\x82\xff" + BURST.to_bytes(8, "big") + bytes(4) + bytes(BURST)  # masked, mask 0


async def echo_burst(reader, writer) -> bool:
    """One 64 KiB binary message there and back (the proxy's relay buffers see traffic)."""
    writer.write(BURST_FRAME)
    head = await reader.readexactly(10)
    return (
        head == b"\x82\x7f" + BURST.to_bytes(8, "big")
        and len(await reader.readexactly(BURST)) == BURST
    )


async def hold_connections(target: Target, context, count: int, hold: float) -> dict:
    """Open ``count`` idle wss:// connections to a fresh proxy, hold them, echo on each."""
    target.restart()
    pids = target.pids()
    time.sleep(0.5)
    before_rss, before_sock = rss_bytes(pids), sockstat()
    connections, errors = [], Counter()
    limit = asyncio.Semaphore(64)
    stop = asyncio.Event()
    max_errors = max(50, count // 100)

    async def one() -> None:
        if stop.is_set():
            return
        async with limit:
            if stop.is_set():
                return
            try:
                async with asyncio.timeout(15):
                    connections.append(await open_raw(target, context))
            except (OSError, TimeoutError, asyncio.IncompleteReadError, BenchError) as error:
                errors[str(error)[:60] or type(error).__name__] += 1
                if sum(errors.values()) >= max_errors:
                    stop.set()

    started = time.monotonic()
    await asyncio.gather(*(one() for _index in range(count)))
    opened = time.monotonic() - started
    await asyncio.sleep(1.0)
    after_rss, after_sock = rss_bytes(target.pids()), sockstat()
    await asyncio.sleep(hold)

    async def alive(pair) -> bool:
        try:
            async with asyncio.timeout(20):
                return await echo_once(*pair)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return False

    checked = await asyncio.gather(*(alive(pair) for pair in connections))
    held = sum(checked)
    # Then one 64 KiB message on each connection, 64 at a time: what the connections keep
    # once their relay buffers have carried data (buffers larger than the traffic stay clean).
    burst_limit, burst_failed = asyncio.Semaphore(64), Counter()

    async def burst(pair, ok) -> None:
        if not ok:
            return
        async with burst_limit:
            try:
                async with asyncio.timeout(30):
                    if not await echo_burst(*pair):
                        burst_failed["wrong echo"] += 1
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
                burst_failed[type(error).__name__] += 1

    await asyncio.gather(*(burst(pair, ok) for pair, ok in zip(connections, checked, strict=True)))
    await asyncio.sleep(1.0)
    burst_rss, burst_sock = rss_bytes(target.pids()), sockstat()
    for _reader, writer in connections:
        writer.transport.abort()
    await asyncio.sleep(1.0)
    opened_count = len(connections) or 1
    return {
        "requested": count,
        "opened": len(connections),
        "held": held,
        "failed": count - held,
        "errors": dict(errors.most_common(3)),
        "open_s": round(opened, 2),
        "rss_per_conn": (after_rss - before_rss) / opened_count if pids else None,
        "sock_per_conn": (after_sock["mem"] - before_sock["mem"]) / opened_count,
        "sockets_per_conn": (after_sock["inuse"] - before_sock["inuse"]) / opened_count,
        "burst_rss_per_conn": (burst_rss - before_rss) / opened_count if pids else None,
        "burst_sock_per_conn": (burst_sock["mem"] - before_sock["mem"]) / opened_count,
        "burst_failed": sum(burst_failed.values()),
        "rss_before": before_rss,
    }


async def setup_times(target: Target, context, count: int) -> dict:
    times = []
    for _index in range(count):
        started = time.perf_counter()
        _reader, writer = await open_raw(target, context)
        times.append(time.perf_counter() - started)
        writer.transport.abort()
    return {"setup_p50_ms": statistics.median(times) * 1000}


# -- clients: a blocking raw client for latency and throughput ----------------------------
# Blocking sockets (C-level reads and writes, no event loop between frames), so that the
# client adds as little as possible on top of what the path costs; the same code for ws://.


def raw_connect(target: Target, context, path: str = "/") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", target.port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if target.tls:
        sock = context.wrap_socket(sock, server_hostname=NAME)
    sock.sendall(upgrade_request(target.port, path))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise BenchError(f"{target.label}: connection closed during the upgrade")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        raise BenchError(f"{target.label}: {status}")
    return sock


def send_frame(sock: socket.socket, payload: bytes, apply_mask) -> None:
    """One masked binary frame (clients must mask)."""
    size = len(payload)
    if size < 126:
        header = bytes([0x82, 0x80 | size])
    elif size < 1 << 16:
        header = bytes([0x82, 0xFE]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x82, 0xFF]) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    sock.sendall(header + mask + apply_mask(payload, mask))


def recv_exactly(sock: socket.socket, view: memoryview) -> None:
    while view:
        got = sock.recv_into(view)
        if not got:
            raise BenchError("connection closed while reading a frame")
        view = view[got:]


def recv_frame(sock: socket.socket, buffer: bytearray) -> int:
    """Read one unmasked frame from the server into ``buffer``; its payload length."""
    head = bytearray(2)
    recv_exactly(sock, memoryview(head))
    size = head[1] & 0x7F
    if size >= 126:
        extra = bytearray(2 if size == 126 else 8)
        recv_exactly(sock, memoryview(extra))
        size = int.from_bytes(extra, "big")
    recv_exactly(sock, memoryview(buffer)[:size])
    return size


def mask_function():
    try:
        from websockets.speedups import apply_mask  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the wheels carry the C speedups
        from websockets.utils import apply_mask  # noqa: PLC0415
    return apply_mask


def latency(target: Target, context, round_trips: int) -> dict:
    """64-byte round trips, one at a time, on one connection (after 200 unmeasured)."""
    apply_mask = mask_function()
    buffer = bytearray(1 << 20)
    sock = raw_connect(target, context)
    try:
        small = os.urandom(64)
        for _index in range(200):
            send_frame(sock, small, apply_mask)
            recv_frame(sock, buffer)
        samples = []
        for _index in range(round_trips):
            started = time.perf_counter_ns()
            send_frame(sock, small, apply_mask)
            recv_frame(sock, buffer)
            samples.append((time.perf_counter_ns() - started) / 1000)
    finally:
        sock.close()
    return {"p50_us": statistics.median(samples), "p99_us": percentile(samples, 0.99)}


def bulk_echoes(target: Target, context, messages: int) -> dict:
    """``messages`` 1 MiB echoes, one at a time, on a new connection to the target's bulk
    location (after 2 unmeasured): the time and the proxy CPU they took."""
    apply_mask = mask_function()
    buffer = bytearray(1 << 20)
    sock = raw_connect(target, context, target.bulk_path)
    try:
        big = os.urandom(1 << 20)
        for _index in range(2):
            send_frame(sock, big, apply_mask)
            recv_frame(sock, buffer)
        cpu_before = target.cpu()
        started = time.perf_counter()
        for _index in range(messages):
            send_frame(sock, big, apply_mask)
            if recv_frame(sock, buffer) != len(big):
                raise BenchError("a 1 MiB message came back truncated")
        elapsed = time.perf_counter() - started
        proxy_cpu = target.cpu() - cpu_before if target.tls else None
    finally:
        sock.close()
    return {"messages": messages, "elapsed": elapsed, "cpu_s": proxy_cpu}


# -- clients: TLS handshakes (blocking sockets in threads) --------------------------------


def tls_connection(port: int, context: ssl.SSLContext, session):
    """One TLS connection: handshake, read the session tickets, close. (session, reused)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        tls = context.wrap_socket(raw, server_hostname=NAME, session=session)
        reused = tls.session_reused
        tls.setblocking(False)
        # TLS 1.3 tickets follow the handshake: read them (no application data comes).
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([tls], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                if not tls.recv(4096):
                    break
            except ssl.SSLWantReadError:
                if tls.session is not None and tls.session.has_ticket:
                    break
            except (ssl.SSLError, OSError):
                break
        new_session = tls.session
        tls.close()
        return new_session, reused


def handshakes(target: Target, port: int, context, count: int, resume: bool) -> dict:
    """``count`` handshakes from 4 threads; the proxy CPU time they took (``Target.cpu``).

    Resumed: each thread first gets a session (not counted), then each connection resumes
    the previous one's session."""
    threads = 4
    per_thread = max(1, count // threads)
    reused = Counter()
    first = [
        tls_connection(port, context, None)[0] if resume else None for _index in range(threads)
    ]

    def worker(session) -> None:
        for _index in range(per_thread):
            new_session, was_reused = tls_connection(port, context, session)
            reused[was_reused] += 1
            if resume:
                session = new_session

    pids = target.pids()
    cpu_before, started = target.cpu(), time.monotonic()
    ticks_before = cpu_seconds(pids), cpu_seconds(pids, slice(1, 2))
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker, session) for session in first]:
            future.result()
    cpu = target.cpu() - cpu_before
    ticks = cpu_seconds(pids) - ticks_before[0]
    return {
        "count": per_thread * threads,
        "cpu_s": cpu,
        "elapsed": time.monotonic() - started,
        "reused": reused[True],
        # The share of system time, from the processes' ticks (information).
        "sys_ticks": cpu_seconds(pids, slice(1, 2)) - ticks_before[1],
        "ticks": ticks,
    }


# -- the run ---------------------------------------------------------------------------------


HANDSHAKE_KINDS = (  # result key, port attribute, resumed
    ("full_ecdsa", "port", False),
    ("full_rsa", "rsa_port", False),
    ("resumed", "port", True),
    ("resumed_rsa", "rsa_port", True),
)


def measure(target: Target, ca_file: Path, counts: dict, log) -> None:
    """What each target is measured for alone: held connections from a freshly started
    proxy, set-up time and latency."""
    context = client_context(ca_file)
    loop = asyncio.new_event_loop()
    try:
        log(f"{target.label}: holding {counts['connections']} idle connections")
        target.results.update(
            loop.run_until_complete(
                hold_connections(target, context, counts["connections"], counts["hold"])
            )
        )
        log(f"{target.label}: set-up time, latency")
        target.results.update(
            loop.run_until_complete(setup_times(target, context, counts["setups"]))
        )
    finally:
        loop.close()
    target.results.update(latency(target, context, counts["round_trips"]))


def compare(targets: list, ca_file: Path, counts: dict, log) -> None:
    """Throughput and handshakes in ``counts['rounds']`` rounds, the targets one after the
    other in each (in reverse order every other round), each round a share of the counts.

    A VM's speed drifts by 10-30 % within minutes: measured one after the other, two proxies
    would be compared across that drift. In rounds, each round's ratio compares figures taken
    a few seconds apart, and the issue's ratios are the median of the rounds' ratios."""
    context = client_context(ca_file)
    rounds = counts["rounds"]
    # main() keeps rounds <= messages and <= handshakes / 4: every round has some of each.
    messages = counts["messages"] // rounds
    shakes = counts["handshakes"] // rounds
    for target in targets:
        target.results["bulk_rounds"] = []
        for kind, _port, _resume in HANDSHAKE_KINDS:
            target.results[f"{kind}_rounds"] = []
    for number in range(rounds):
        order = targets if number % 2 == 0 else targets[::-1]
        log(f"round {number + 1} of {rounds}: " + ", ".join(t.key for t in order))
        # Each measurement of the targets back to back: the VM's speed moves within seconds.
        for target in order:
            target.results["bulk_rounds"].append(bulk_echoes(target, context, messages))
        for kind, port, resume in HANDSHAKE_KINDS:
            for target in order:
                if target.tls:
                    target.results[f"{kind}_rounds"].append(
                        handshakes(target, getattr(target, port), context, shakes, resume)
                    )
    for target in targets:
        results = target.results
        bulk = results["bulk_rounds"]
        elapsed = sum(part["elapsed"] for part in bulk)
        moved = sum(part["messages"] for part in bulk)
        results["mib_s"] = moved / elapsed
        results["mib_s_rounds"] = [part["messages"] / part["elapsed"] for part in bulk]
        cpu = sum(part["cpu_s"] for part in bulk) if target.tls else None
        results["proxy_cpu_share"] = cpu / elapsed if cpu is not None else None
        results["proxy_cpu_ms_per_mib"] = cpu * 1000 / moved if cpu is not None else None
        if not target.tls:
            continue
        for kind, _port, _resume in HANDSHAKE_KINDS:
            parts = results[f"{kind}_rounds"]
            count = sum(part["count"] for part in parts)
            cpu = sum(part["cpu_s"] for part in parts)
            ticks = sum(part["ticks"] for part in parts)
            results[kind] = {
                "count": count,
                "cpu_s": cpu,
                "per_cpu_s": count / cpu if cpu > 0 else float("inf"),
                "per_s": count / sum(part["elapsed"] for part in parts),
                "reused": sum(part["reused"] for part in parts) / count,
                "sys_share": sum(part["sys_ticks"] for part in parts) / ticks if ticks else 0.0,
                "per_cpu_s_rounds": [
                    part["count"] / part["cpu_s"] if part["cpu_s"] > 0 else float("inf")
                    for part in parts
                ],
            }


def round_ratios(results: dict, peer: dict, key: str) -> list:
    """The ratios, round by round, of a figure (``mib_s`` or a handshake kind) to a peer's."""
    if key == "mib_s":
        mine, theirs = results.get("mib_s_rounds"), peer.get("mib_s_rounds")
    else:
        mine = results.get(key, {}).get("per_cpu_s_rounds")
        theirs = peer.get(key, {}).get("per_cpu_s_rounds")
    if not mine or not theirs:
        return []
    return [a / b for a, b in zip(mine, theirs, strict=True)]


def fmt(value, spec: str = ".0f") -> str:
    return "-" if value is None else format(value, spec)


def table(targets: list, counts: dict, release: str = "bookworm") -> tuple:
    """The printed rows and whether each of the issue's targets is met."""
    by = {t.key: t.results for t in targets}
    direct, gateway, naive, caddy = by["direct"], by["gateway"], by["naive"], by["caddy"]

    def kib(results: dict, prefix: str = "") -> float | None:
        if results.get(f"{prefix}rss_per_conn") is None:
            return None
        kernel = max(0.0, results[f"{prefix}sock_per_conn"] - direct[f"{prefix}sock_per_conn"])
        return (results[f"{prefix}rss_per_conn"] + kernel) / 1024

    def ratio(value, floor) -> str:
        return f" ({value / floor:.2f}x)" if value and floor else ""

    def hs(results: dict, name: str) -> float | None:
        return results[name]["per_cpu_s"] if name in results else None

    rows = []

    def row(name, cells, target="", met=None):
        rows.append((name, *cells, target, "" if met is None else ("yes" if met else "NO")))

    order = (direct, gateway, naive, caddy)
    row(
        f"idle connections held (of {counts['connections']})",
        [f"{r['held']} ({r['failed']} failed)" for r in order],
        f"{counts['connections']}, 0 failed",
        gateway["held"] == counts["connections"] and gateway["failed"] == 0,
    )
    row(
        "memory per held connection (KiB)",
        [fmt(kib(r), ".1f") for r in order],
        f"<= {TARGET_MEM_VS_NAIVE} x naive, < caddy",
        kib(gateway) is not None
        and kib(gateway) <= TARGET_MEM_VS_NAIVE * kib(naive)
        and kib(gateway) < kib(caddy),
    )
    row(
        "  proxy memory (PSS) growth per conn (KiB)",
        [fmt(r["rss_per_conn"] / 1024 if r.get("rss_per_conn") else None, ".1f") for r in order],
    )
    row(
        "  kernel TCP memory per connection (KiB)",
        [fmt(r["sock_per_conn"] / 1024, ".2f") for r in order],
        "(whole netns; floor subtracted above)",
    )
    row(
        f"  after one {BURST // 1024} KiB echo on each (KiB)",
        [
            fmt(kib(r, "burst_"), ".1f")
            + (f" ({r['burst_failed']} failed)" if r.get("burst_failed") else "")
            for r in order
        ],
        "(information)",
    )
    row(
        "full TLS handshakes / proxy CPU-s, ECDSA",
        [fmt(hs(r, "full_ecdsa")) for r in order],
        "> caddy",
        (hs(gateway, "full_ecdsa") or 0) > (hs(caddy, "full_ecdsa") or 0),
    )
    row(
        "  proxy CPU per full ECDSA handshake (us)",
        [
            f"{1e6 / hs(r, 'full_ecdsa'):.0f} ({r['full_ecdsa']['sys_share']:.0%} sys)"
            if "full_ecdsa" in r
            else "-"
            for r in order
        ],
    )
    row("full TLS handshakes / proxy CPU-s, RSA", [fmt(hs(r, "full_rsa")) for r in order])
    row(
        "  ECDSA / RSA",
        [
            fmt(hs(r, "full_ecdsa") / hs(r, "full_rsa") if hs(r, "full_rsa") else None, ".2f")
            for r in order
        ],
        f">= {TARGET_ECDSA_VS_RSA:g}",
        hs(gateway, "full_ecdsa") >= TARGET_ECDSA_VS_RSA * hs(gateway, "full_rsa"),
    )
    for resumed, full, kind in (
        ("resumed", "full_ecdsa", "ECDSA"),
        ("resumed_rsa", "full_rsa", "RSA"),
    ):
        row(f"resumed handshakes / proxy CPU-s, {kind}", [fmt(hs(r, resumed)) for r in order])
        row(
            "  resumed / full (share resumed)",
            [
                f"{hs(r, resumed) / hs(r, full):.2f} ({r[resumed]['reused']:.0%})"
                if resumed in r
                else "-"
                for r in order
            ],
            f">= {TARGET_RESUMED_VS_FULL:g}",
            hs(gateway, resumed) >= TARGET_RESUMED_VS_FULL * hs(gateway, full)
            and gateway[resumed]["reused"] > 0.9,
        )
    row(
        "latency p50, 64 B round trip (us)",
        [f"{r['p50_us']:.0f}{ratio(r['p50_us'], direct['p50_us'])}" for r in order],
        f"<= direct + {TARGET_LATENCY_EXTRA_US:g} us",
        gateway["p50_us"] <= direct["p50_us"] + TARGET_LATENCY_EXTRA_US,
    )
    row(
        "latency p99, 64 B round trip (us)",
        [f"{r['p99_us']:.0f}{ratio(r['p99_us'], direct['p99_us'])}" for r in order],
    )
    row(
        "throughput, 1 MiB messages (MiB/s)",
        [f"{r['mib_s']:.0f}{ratio(r['mib_s'], direct['mib_s'])}" for r in order],
        f">= {TARGET_THROUGHPUT_VS_DIRECT:g} x direct",
        gateway["mib_s"] >= TARGET_THROUGHPUT_VS_DIRECT * direct["mib_s"],
    )
    row(
        "  proxy CPU busy during the 1 MiB echoes",
        [fmt(r["proxy_cpu_share"], ".0%") for r in order],
    )
    row(
        "  proxy CPU per MiB echoed (ms)",
        [fmt(r.get("proxy_cpu_ms_per_mib"), ".1f") for r in order],
        "(less noisy than MiB/s)",
    )
    row(
        "set-up TCP+TLS+upgrade p50 (ms)",
        [f"{r['setup_p50_ms']:.2f}" for r in order],
    )

    # Issue 19: beside Caddy, in this run: the median of the rounds' ratios (their range).
    def versus_caddy(results: dict, key: str) -> tuple:
        if results is caddy:
            return 1.0, "1.00x"
        ratios = round_ratios(results, caddy, key)
        if not ratios:
            return None, "-"
        median = statistics.median(ratios)
        if len(ratios) == 1:
            return median, f"{median:.2f}x"
        return median, f"{median:.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"

    for key, name in (
        ("mib_s", f"issue 19: throughput vs caddy ({release})"),
        ("full_ecdsa", "issue 19: full ECDSA handshakes/CPU-s vs caddy"),
    ):
        median = versus_caddy(gateway, key)[0]
        row(
            name,
            [versus_caddy(r, key)[1] for r in order],
            f">= 1.0 x caddy (median of {counts['rounds']} rounds)",
            median is not None and median >= 1.0,
        )
    memory = kib(gateway)
    if release in TARGET_MEM_KIB:
        row(
            "issue 19: memory per held connection (KiB)",
            [fmt(kib(r), ".1f") for r in order],
            f"<= {TARGET_MEM_KIB[release]} KiB ({release})",
            memory is not None and memory <= TARGET_MEM_KIB[release],
        )
    if release in TARGET_MEM_VS_NAIVE_19:
        limit = TARGET_MEM_VS_NAIVE_19[release]
        row(
            "issue 19: memory per held conn vs naive",
            [fmt(kib(r) / kib(naive), ".2f") if kib(r) and kib(naive) else "-" for r in order],
            f"<= {limit} x naive ({release})",
            memory is not None and kib(naive) is not None and memory <= limit * kib(naive),
        )
    row(
        "issue 19: idle connections held",
        [f"{r['held']}" for r in order],
        f"{counts['connections']}, 0 failed",
        gateway["held"] == counts["connections"] and gateway["failed"] == 0,
    )
    return rows


def print_table(rows: list, header_note: str) -> None:
    header = ("measurement", "direct ws", "gateway", "naive nginx", "caddy", "target", "met")
    widths = (42, 16, 16, 16, 16, 30, 3)
    print(header_note)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for cells in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def chart(targets: list, path: Path, note: str) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    labels = [t.key for t in targets]
    res = [t.results for t in targets]
    colours = ["#888888", "#2a7ab9", "#d9822b", "#3c9d5d"]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))

    def bars(ax, values, title, unit):
        shown = [v if v is not None else 0 for v in values]
        ax.bar(labels, shown, color=colours)
        for index, value in enumerate(values):
            ax.annotate(
                "-" if value is None else f"{value:.3g}" if value < 1000 else f"{value:.0f}",
                (index, shown[index]),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)

    direct_sock = res[0]["sock_per_conn"]
    bars(axes[0][0], [r["held"] for r in res], "idle connections held", "connections")
    bars(
        axes[0][1],
        [
            None
            if r.get("rss_per_conn") is None
            else (r["rss_per_conn"] + max(0.0, r["sock_per_conn"] - direct_sock)) / 1024
            for r in res
        ],
        "memory per held connection",
        "KiB",
    )
    ax = axes[0][2]
    kinds = (
        ("full_ecdsa", "full ECDSA"),
        ("resumed", "resumed ECDSA"),
        ("full_rsa", "full RSA"),
        ("resumed_rsa", "resumed RSA"),
    )
    width = 0.2
    for offset, (name, title) in enumerate(kinds):
        xs = [i + (offset - 1.5) * width for i in range(len(labels))]
        ax.bar(xs, [r[name]["per_cpu_s"] if name in r else 0 for r in res], width, label=title)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_title("TLS handshakes per proxy CPU-second", fontsize=10)
    ax.set_ylim(top=ax.get_ylim()[1] * 1.25)  # room for the legend above the bars
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    ax = axes[1][0]
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], [r["p50_us"] for r in res], 0.4, label="p50")
    ax.bar([x + 0.2 for x in xs], [r["p99_us"] for r in res], 0.4, label="p99")
    ax.set_xticks(list(xs), labels)
    ax.set_title("64 B round trip", fontsize=10)
    ax.set_ylabel("us (log scale)")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    bars(axes[1][1], [r["mib_s"] for r in res], "throughput, 1 MiB messages", "MiB/s")
    bars(axes[1][2], [r["setup_p50_ms"] for r in res], "set-up TCP+TLS+upgrade p50", "ms")
    fig.suptitle(note, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    # Flat bars and text: a 64-colour palette keeps the image small enough to commit.
    from PIL import Image  # noqa: PLC0415 (matplotlib's own dependency)

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)


def machine_note(found: dict, args) -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPU(s) {cpu}, kernel {platform.release()}; proxies on CPU "
        f"{args.proxy_cpu}, ws backend on CPU {args.backend_cpu}, clients on CPU "
        f"{args.client_cpu}; "
        f"{found.get('nginx', '?')}, OpenSSL {found.get('openssl', '?')}, "
        f"caddy {found.get('caddy', '?').split(' ')[0]}; Python {sys.version.split()[0]}"
    )


def interrupted(_signum, _frame) -> None:
    """SIGTERM: unwind like Ctrl-C, so the containers are removed."""
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="small counts, short durations")
    for name, kind, text in (
        ("connections", int, "idle connections to hold (10000)"),
        ("handshakes", int, "TLS handshakes of each kind, in all rounds (2000)"),
        ("rounds", int, "rounds of throughput and handshakes, the targets alternated in each (8)"),
        ("round-trips", int, "64-byte round trips (5000)"),
        ("messages", int, "1 MiB messages echoed, in all rounds (256)"),
        ("setups", int, "connections timed for set-up (300)"),
        ("hold", float, "seconds the connections are held (5)"),
    ):
        parser.add_argument(f"--{name}", type=kind, help=text)
    parser.add_argument(
        "--gateway-workers", type=int, help="nginx_worker_processes (the role's default: auto)"
    )
    parser.add_argument(
        "--gateway-worker-connections",
        type=int,
        help="nginx_worker_connections (the role's default: 16384)",
    )
    parser.add_argument(
        "--gateway-directive",
        action="append",
        default=[],
        metavar="LINE",
        help="an nginx line added to the gateway's servers (proxy_extra_directives), repeatable",
    )
    parser.add_argument(
        "--gateway-bulk-buffer",
        default="256k",
        help="buffer_size of the gateway's /bulk location, where the 1 MiB echoes run (256k;"
        " 2k: the lean default of '/')",
    )
    parser.add_argument(
        "--gateway-buffer",
        help="buffer_size of the gateway's '/' locations, where the connections are held and the"
        " 64-byte round trips run (default: the role's, 2k)",
    )
    parser.add_argument("--proxy-cpu", type=int, default=0, help="core of the proxies (0)")
    parser.add_argument("--client-cpu", type=int, default=1, help="core of the clients (1)")
    parser.add_argument(
        "--backend-cpu",
        type=int,
        help="core of the ws backend (default: the proxies' core, as on one server)",
    )
    parser.add_argument(
        "--chart",
        type=Path,
        default=ROOT / "benchmarks" / "output" / "datapath.png",
        help="PNG chart to write (benchmarks/output/datapath.png); results go next to it (.json)",
    )
    parser.add_argument(
        "--release",
        choices=("bookworm", "trixie"),
        default="bookworm",
        help="Debian release of the three proxy containers (bookworm: nginx 1.22, OpenSSL 3.0)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the containers (debugging)")
    parser.add_argument("--serve-backend", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_backend:
        serve_backend(args.serve_backend)
        return 0
    counts = dict(SMOKE if args.smoke else FULL)
    for name in counts:
        value = getattr(args, name)
        if value is not None:
            counts[name] = value
    if not 1 <= counts["connections"] <= 15000:
        parser.error("--connections must be between 1 and 15000 (open-file limits)")
    if not 1 <= counts["rounds"] <= min(counts["messages"], counts["handshakes"] // 4):
        parser.error("--rounds must be between 1 and --messages (and --handshakes / 4)")
    cpus = os.sched_getaffinity(0)
    if {args.proxy_cpu, args.client_cpu} - cpus or args.proxy_cpu == args.client_cpu:
        parser.error(f"--proxy-cpu and --client-cpu must be two different CPUs of {sorted(cpus)}")
    if args.backend_cpu is None:
        args.backend_cpu = args.proxy_cpu
    if args.backend_cpu not in cpus:
        parser.error(f"--backend-cpu must be one of the CPUs {sorted(cpus)}")
    if shutil.which("docker") is None:
        parser.error("docker is not installed: make docker")
    # Clients, the backend and ansible-playbook run on the client core (children inherit it).
    os.sched_setaffinity(0, {args.client_cpu})
    raise_nofile()
    signal.signal(signal.SIGTERM, interrupted)
    try:
        return bench(args, counts)
    except BenchError as error:
        print(f"bench_datapath: {error}", file=sys.stderr)
        return 2


def bench(args, counts: dict) -> int:
    image = image_name(args.release)
    output = args.chart.parent
    output.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="wss-bench-datapath-") as tmp:
        workdir = Path(tmp)
        peer_dir = workdir / "peer"
        peer_dir.mkdir()
        backend = start_backend(args.backend_cpu)
        started = []
        try:
            log(f"starting containers from {image}")
            ids = {}
            for key, name in CONTAINERS.items():
                ids[key] = start_container(name, image, args.proxy_cpu, peer_dir)
                started.append(name)
            errors = []

            def install(name: str, *packages: str) -> None:
                try:
                    apt_install(name, *packages)
                except BenchError as error:
                    errors.append(error)

            installers = [
                threading.Thread(target=install, args=(CONTAINERS["naive"], "nginx")),
                threading.Thread(target=install, args=(CONTAINERS["caddy"], "caddy")),
            ]
            for thread in installers:
                thread.start()
            log("deploying the gateway with wss.gateway.deploy_wss")
            deploy_s = deploy_gateway(workdir, args, output / "datapath-deploy.log")
            log(f"deployed in {deploy_s:.0f} s")
            for thread in installers:
                thread.join(timeout=600)
            if errors:
                raise errors[0]
            copy_certificates(peer_dir)
            write_peer_configs(peer_dir)
            prepare_naive()
            found = versions()
            targets = [
                Target("direct", "direct ws", BACKEND_PORT),
                Target("gateway", "gateway", *PORTS["gateway"], CONTAINERS["gateway"], "nginx"),
                Target("naive", "naive nginx", *PORTS["naive"], CONTAINERS["naive"], "nginx"),
                Target("caddy", "caddy", *PORTS["caddy"], CONTAINERS["caddy"], "caddy"),
            ]
            for target in targets:
                target.container_id = ids.get(target.key, "")
            targets[1].bulk_path = BULK_PATH
            ca_file = workdir / "ca" / "ca.pem"
            for target in targets:
                measure(target, ca_file, counts, log)
            # The rounds start from freshly started proxies, like the memory figures: right
            # after its 10,000 connections closed, Caddy's full handshakes took 0.85 x the CPU
            # (the gateway's the same), likely because its Go runtime kept the heap goal they
            # had raised and skipped its garbage collections for a while.
            log("restarting the proxies for the rounds")
            for target in targets:
                target.restart()
            compare(targets, ca_file, counts, log)
        finally:
            if not args.keep:
                for name in started:
                    docker("rm", "-f", name, check=False)
            stop_backend(backend)

    note = machine_note(found, args)
    rows = table(targets, counts, args.release)
    print_table(rows, f"wss data path benchmark{' (smoke)' if args.smoke else ''}: {note}")
    print(
        "memory = proxy PSS growth (RSS, shared pages once) + the proxy's own kernel TCP memory (netns growth minus the "
        "direct floor), per connection, from a freshly started proxy; (Nx) = ratio to direct ws"
    )
    held_note = {t.key: t.results.get("errors") for t in targets if t.results.get("errors")}
    if held_note:
        print(f"connection errors (first kinds): {held_note}")
    results = {
        "machine": note,
        "counts": counts,
        "gateway_settings": {
            "nginx_worker_processes": args.gateway_workers or "role default",
            "nginx_worker_connections": args.gateway_worker_connections or "role default",
            "proxy_extra_directives": args.gateway_directive,
            "bulk_location_buffer_size": args.gateway_bulk_buffer,
            "location_buffer_size": args.gateway_buffer or "role default",
        },
        "deploy_s": deploy_s,
        "results": {t.key: t.results for t in targets},
        "rows": rows,
    }
    args.chart.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    chart(targets, args.chart, note)
    print(f"chart: {args.chart}")
    return 0 if all(r[-1] != "NO" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
