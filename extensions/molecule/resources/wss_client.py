# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Controller-side probes of a deployed gateway, printed as one JSON object.

Run with the controller's Python (ansible_playbook_python), which has `websockets`.
  ws       open a WebSocket (websockets library), send a message, report status and echo
  many     open several WebSockets in a row (optionally holding them open), report statuses
  tls      a bare TLS handshake limited to one protocol version
  raw      send one raw HTTP/1.1 request over TLS and report the status line
  hold     open a WebSocket, echo once, signal --ready, wait for --until to appear, echo again
  repeat   new WebSockets (handshake, echo, close) one after another until --until appears;
           signal --ready after the first; report how many worked, how many the server
           refused (certificate not trusted, no 101) and how many failed otherwise (timeouts)
  spread   open --count WebSockets one after another (each once: no retry), ask each which
           backend answered ("__backend__", demo/files/ws_echo.py), report the count per
           backend and the failures; with --until, hold them all (signal --ready) until it
           appears, then echo on each again; --payload sends that many bytes once on each
  cert     the SHA-256 fingerprint, serial and issuer of the certificate the server presents
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import pathlib
import socket
import ssl
import sys
import time

from websockets.asyncio.client import connect as aconnect
from websockets.exceptions import InvalidStatus, WebSocketException

VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


class SyncWebSocket:
    """A WebSocket for synchronous code: websockets' asyncio client, driven call by call.

    Not websockets.sync: its reader thread reads the TLS socket while the caller's thread
    writes it, and CPython's ssl module does not serialise the two (python/cpython#137583).
    When the reader handled the server's TLS 1.3 session tickets at the moment the client
    wrote its upgrade request, the request now and then never reached nginx (its access log
    has no line for it) and the probe failed with "timed out while waiting for handshake
    response" (about 1 handshake in 100 here). Here one thread does everything: the event
    loop runs only inside a call, nothing reads between calls, and no keepalive ping is sent.
    """

    def __init__(self, url: str, **kwargs) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._ws = self._loop.run_until_complete(aconnect(url, ping_interval=None, **kwargs))
        except BaseException:
            self._loop.close()
            raise
        self.response = self._ws.response

    def send(self, message: str | bytes) -> None:
        self._loop.run_until_complete(self._ws.send(message))

    def recv(self, timeout: float | None = None) -> str | bytes:
        return self._loop.run_until_complete(asyncio.wait_for(self._ws.recv(), timeout))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._loop.run_until_complete(self._ws.close())
        finally:
            self._loop.close()

    def __enter__(self) -> SyncWebSocket:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def connect(url: str, **kwargs) -> SyncWebSocket:
    """Open ``url`` (websockets' asyncio client options: sock, ssl, origin, ...)."""
    return SyncWebSocket(url, **kwargs)


def context(args: argparse.Namespace) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=args.ca)


def probe_ws(args: argparse.Namespace) -> dict:
    # The URL names the server (Host, SNI, certificate check); the socket goes to --host:--port.
    url = f"wss://{args.server_hostname}:{args.port}{args.path}"
    result: dict = {"url": url, "origin": args.origin}
    sock = socket.create_connection((args.host, args.port), timeout=10)
    try:
        with connect(
            url,
            sock=sock,
            ssl=context(args),
            origin=args.origin,
            open_timeout=10,
        ) as websocket:
            result["status"] = websocket.response.status_code
            result["response_headers"] = dict(websocket.response.headers.raw_items())
            websocket.send(args.message)
            result["echo"] = websocket.recv(timeout=10)
            websocket.send("__headers__")
            result["backend_saw"] = json.loads(websocket.recv(timeout=10))
    except InvalidStatus as error:
        result["status"] = error.response.status_code
        result["response_headers"] = dict(error.response.headers.raw_items())
    return result


def probe_many(args: argparse.Namespace) -> dict:
    """Open --count WebSockets one after another, keeping them all open with --hold."""
    url = f"wss://{args.server_hostname}:{args.port}{args.path}"
    statuses, held = [], []
    try:
        for _attempt in range(args.count):
            sock = socket.create_connection((args.host, args.port), timeout=10)
            try:
                websocket = connect(url, sock=sock, ssl=context(args), open_timeout=10)
            except InvalidStatus as error:
                statuses.append(error.response.status_code)
                continue
            statuses.append(websocket.response.status_code)
            if args.hold:
                held.append(websocket)
            else:
                websocket.close()
    finally:
        for websocket in held:
            websocket.close()
    return {"url": url, "statuses": statuses}


def probe_tls(args: argparse.Namespace) -> dict:
    # No security level: the client must really offer old versions, so that a refusal is the
    # server's (a protocol_version alert), not the local OpenSSL's policy.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(args.ca)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = VERSIONS[args.version]
    ctx.maximum_version = VERSIONS[args.version]
    result: dict = {"version": args.version}
    try:
        with (
            socket.create_connection((args.host, args.port), timeout=10) as sock,
            ctx.wrap_socket(sock, server_hostname=args.server_hostname) as tls,
        ):
            result.update(accepted=True, negotiated=tls.version())
    except ssl.SSLError as error:
        result.update(accepted=False, reason=error.reason, error=str(error))
    return result


def probe_raw(args: argparse.Namespace) -> dict:
    ctx = context(args)
    request = f"GET {args.path} HTTP/1.1\r\nHost: {args.server_hostname}\r\n"
    for header in args.header:
        request += header + "\r\n"
    request += "\r\n"
    with (
        socket.create_connection((args.host, args.port), timeout=10) as sock,
        ctx.wrap_socket(sock, server_hostname=args.server_hostname) as tls,
    ):
        tls.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = tls.recv(4096)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    status_line = head.split("\r\n", 1)[0]
    parts = status_line.split(" ")
    return {
        "status": int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None,
        "status_line": status_line,
        "head": head,
    }


def probe_hold(args: argparse.Namespace) -> dict:
    """--count connections held open across whatever happens until --until exists (a reload).

    Each echoes a numbered message before and after; the report counts the echoes that came
    back right, so that a dropped connection or a lost message shows. One asyncio loop holds
    them all (the threaded client starves its handshakes with a hundred reader threads).
    """
    return asyncio.run(_hold(args))


async def _hold(args: argparse.Namespace) -> dict:
    url = f"wss://{args.server_hostname}:{args.port}{args.path}"
    result: dict = {"url": url, "count": args.count}
    async with contextlib.AsyncExitStack() as stack:
        held, echoed = [], []
        for index in range(args.count):
            sock = socket.create_connection((args.host, args.port), timeout=10)
            sock.setblocking(False)
            websocket = await stack.enter_async_context(
                aconnect(url, sock=sock, ssl=context(args), open_timeout=10, ping_interval=None)
            )
            held.append(websocket)
            await websocket.send(f"before {index}")
            echoed.append(await asyncio.wait_for(websocket.recv(), 10))
        result["status"] = held[0].response.status_code
        result["statuses"] = sorted({ws.response.status_code for ws in held})
        result["before"] = echoed[0].split(" ")[0]
        result["echoed_before"] = sum(m == f"before {i}" for i, m in enumerate(echoed))
        peer = held[0].transport.get_extra_info("ssl_object").getpeercert(binary_form=True)
        result["peer_cert_before"] = cert_summary(peer)
        pathlib.Path(args.ready).touch()
        deadline = time.monotonic() + args.max_wait
        while not pathlib.Path(args.until).exists():
            if time.monotonic() > deadline:
                result["error"] = f"{args.until} did not appear within {args.max_wait} s"
                return result
            await asyncio.sleep(0.2)
        after = []
        for index, websocket in enumerate(held):
            try:
                await websocket.send(f"after {index}")
                after.append(await asyncio.wait_for(websocket.recv(), 10))
            except Exception as error:  # noqa: BLE001 - a dropped connection is the finding
                after.append(f"error: {error!r}")
        result["after"] = after[0].split(" ")[0]
        result["echoed_after"] = sum(m == f"after {i}" for i, m in enumerate(after))
        result["errors"] = [m for m in after if m.startswith("error")][:5]
        result["held_s"] = round(args.max_wait - (deadline - time.monotonic()), 1)
    return result


def probe_repeat(args: argparse.Namespace) -> dict:
    """New handshakes, one after another, while something happens (until --until exists)."""
    url = f"wss://{args.server_hostname}:{args.port}{args.path}"
    result: dict = {"url": url, "ok": 0, "refused": 0, "failed": 0, "errors": []}
    deadline = time.monotonic() + args.max_wait
    while not pathlib.Path(args.until).exists():
        if time.monotonic() > deadline:
            result["errors"].append(f"{args.until} did not appear within {args.max_wait} s")
            break
        try:
            sock = socket.create_connection((args.host, args.port), timeout=10)
            with connect(url, sock=sock, ssl=context(args), open_timeout=10) as websocket:
                websocket.send("again")
                if websocket.recv(timeout=10) != "again":
                    raise ValueError("wrong echo")
            result["ok"] += 1
            pathlib.Path(args.ready).touch()
        except (OSError, ValueError, WebSocketException) as error:
            # A certificate the client does not trust, or an answer other than 101.
            refused = isinstance(error, (ssl.SSLCertVerificationError, InvalidStatus))
            result["refused" if refused else "failed"] += 1
            if len(result["errors"]) < 5:
                when = time.strftime("%H:%M:%S", time.gmtime())
                result["errors"].append(f"{when} UTC {type(error).__name__}: {error}")
        # Pacing between handshakes (a few per second), not a wait for a state.
        time.sleep(args.interval)
    return result


def probe_spread(args: argparse.Namespace) -> dict:
    return asyncio.run(_spread(args))


async def _spread(args: argparse.Namespace) -> dict:
    url = f"wss://{args.server_hostname}:{args.port}{args.path}"
    result: dict = {"url": url, "backends": {}, "failed": 0, "errors": []}
    started = time.monotonic()
    async with contextlib.AsyncExitStack() as stack:
        held = []
        for _index in range(args.count):
            try:
                sock = socket.create_connection((args.host, args.port), timeout=10)
                sock.setblocking(False)
                websocket = await stack.enter_async_context(
                    aconnect(url, sock=sock, ssl=context(args), open_timeout=10, ping_interval=None)
                )
                await websocket.send("__backend__")
                name = await asyncio.wait_for(websocket.recv(), 10)
                if args.payload:
                    # Random bytes: permessage-deflate (negotiated by default) cannot shrink them.
                    await websocket.send(os.urandom(args.payload))
                    if len(await asyncio.wait_for(websocket.recv(), 10)) != args.payload:
                        raise ValueError("wrong echo")
            except (OSError, ValueError, WebSocketException, TimeoutError) as error:
                result["failed"] += 1
                if len(result["errors"]) < 5:
                    result["errors"].append(f"{type(error).__name__}: {error}")
                continue
            result["backends"][name] = result["backends"].get(name, 0) + 1
            held.append(websocket)
        if args.until:
            pathlib.Path(args.ready).touch()
            inner_start = time.monotonic()
            deadline = inner_start + args.max_wait
            while not pathlib.Path(args.until).exists():
                if time.monotonic() > deadline:
                    result["errors"].append(f"{args.until} did not appear within {args.max_wait} s")
                    return result
                await asyncio.sleep(0.2)
            after: dict = {}
            for websocket in held:
                try:
                    await websocket.send("__backend__")
                    again = await asyncio.wait_for(websocket.recv(), 10)
                except (OSError, WebSocketException, TimeoutError) as error:
                    again = f"error: {type(error).__name__}"
                after[again] = after.get(again, 0) + 1
            result["backends_after"] = after
            result["inner_s"] = time.monotonic() - inner_start
    # Closed: every closing handshake is done when the exit stack has unwound.
    result["outer_s"] = time.monotonic() - started
    return result


def cert_summary(der: bytes | None) -> dict:
    if not der:
        return {}
    return {"sha256": hashlib.sha256(der).hexdigest()}


def probe_cert(args: argparse.Namespace) -> dict:
    with (
        socket.create_connection((args.host, args.port), timeout=10) as sock,
        context(args).wrap_socket(sock, server_hostname=args.server_hostname) as tls,
    ):
        info = tls.getpeercert()
        result = cert_summary(tls.getpeercert(binary_form=True))
    result["serial"] = info.get("serialNumber")
    result["issuer"] = dict(item[0] for item in info.get("issuer", ()))
    result["not_after"] = info.get("notAfter")
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    for name in ("ws", "many", "tls", "raw", "hold", "repeat", "spread", "cert"):
        mode = sub.add_parser(name)
        mode.add_argument("--ca", required=True)
        mode.add_argument("--server-hostname", required=True)
        mode.add_argument("--host", default="127.0.0.1")
        mode.add_argument("--port", type=int, required=True)
        mode.add_argument("--path", default="/")
        if name == "ws":
            mode.add_argument("--origin")
            mode.add_argument("--message", default="hello through wss")
        if name == "many":
            mode.add_argument("--count", type=int, default=3)
            mode.add_argument("--hold", action="store_true")
        if name == "tls":
            mode.add_argument("--version", choices=sorted(VERSIONS), required=True)
        if name == "raw":
            mode.add_argument("--header", action="append", default=[])
        if name in ("hold", "repeat"):
            mode.add_argument("--ready", required=True, help="file touched once the echo works")
            mode.add_argument("--until", required=True, help="file whose appearance ends the hold")
            mode.add_argument("--max-wait", type=float, default=300.0)
        if name == "hold":
            mode.add_argument("--count", type=int, default=1, help="connections to hold")
        if name == "repeat":
            mode.add_argument("--interval", type=float, default=0.25)
        if name == "spread":
            mode.add_argument("--count", type=int, default=10)
            mode.add_argument("--payload", type=int, default=0, help="bytes echoed once on each")
            mode.add_argument("--ready", help="file touched once every connection is open")
            mode.add_argument("--until", help="hold the connections until this file appears")
            mode.add_argument("--max-wait", type=float, default=300.0)
    args = parser.parse_args()
    probe = {
        "ws": probe_ws,
        "many": probe_many,
        "tls": probe_tls,
        "raw": probe_raw,
        "hold": probe_hold,
        "repeat": probe_repeat,
        "spread": probe_spread,
        "cert": probe_cert,
    }[args.mode]
    json.dump(probe(args), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
