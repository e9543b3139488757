# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Real peers on 127.0.0.1 for the wss_check tests.

- ``ws_server``: the ``websockets`` library's server (asyncio, in a background thread),
  plain or TLS, with a chosen handler and subprotocols; it records each request's headers.
- ``raw_server``: a small TCP/TLS server written here that answers the handshake with
  whatever bytes a test gives it (for peers that break the protocol).
- ``blackhole``: a port that accepts TCP into its backlog but never answers, or one whose
  backlog is full so that connecting itself times out.
- ``pki``: certificates made at test time: a trustme CA and leaf, a second (wrong) CA, a
  leaf that expires in 5 days and an expired leaf issued with ``cryptography``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import serve

from ansible_collections.wss.gateway.plugins.module_utils._wsproto import accept_for

NAME = "chat.example.com"
LOCALHOST = "127.0.0.1"


@dataclass
class Pki:
    ca_file: Path
    wrong_ca_file: Path
    good: ssl.SSLContext
    expiring: ssl.SSLContext
    expired: ssl.SSLContext
    mutual: ssl.SSLContext  # wants a client certificate issued by the CA
    client_cert: Path
    client_key: Path


def _server_context_from(leaf: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)
    return context


def _expired_leaf(ca: trustme.CA, directory: Path) -> ssl.SSLContext:
    """A leaf for NAME signed by ``ca`` whose validity ended yesterday."""
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=3, hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(NAME)]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_file = directory / "expired.pem"
    key_file = directory / "expired.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = trustme.CA(organization_name="wss.gateway test CA")
    wrong_ca = trustme.CA(organization_name="some other CA")
    ca.cert_pem.write_to_path(directory / "ca.pem")
    wrong_ca.cert_pem.write_to_path(directory / "wrong-ca.pem")
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=5, hours=1)
    client = ca.issue_cert("probe@example.com", common_name="probe")
    client.cert_chain_pems[0].write_to_path(directory / "client.pem")
    client.private_key_pem.write_to_path(directory / "client.key")
    mutual = _server_context_from(ca.issue_cert(NAME, LOCALHOST))
    mutual.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(mutual)
    return Pki(
        ca_file=directory / "ca.pem",
        wrong_ca_file=directory / "wrong-ca.pem",
        good=_server_context_from(ca.issue_cert(NAME, LOCALHOST, common_name=NAME)),
        expiring=_server_context_from(ca.issue_cert(NAME, LOCALHOST, not_after=soon)),
        expired=_expired_leaf(ca, directory),
        mutual=mutual,
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
    )


# -- websockets servers ------------------------------------------------------------------


@pytest.fixture(scope="session")
def loop():
    """One asyncio loop in a background thread for every websockets server."""
    event_loop = asyncio.new_event_loop()
    thread = threading.Thread(target=event_loop.run_forever, name="ws-test-loop", daemon=True)
    thread.start()
    yield event_loop
    event_loop.call_soon_threadsafe(event_loop.stop)
    thread.join(5)


async def echo(websocket) -> None:
    async for message in websocket:
        await websocket.send(message)


@dataclass
class WsServer:
    port: int
    secure: bool
    requests: list = field(default_factory=list)

    def url(self, path: str = "/ws", host: str = LOCALHOST) -> str:
        scheme = "wss" if self.secure else "ws"
        return f"{scheme}://{host}:{self.port}{path}"


@pytest.fixture
def ws_server(loop):
    """Start websockets servers: ``ws_server(handler=echo, tls=None, subprotocols=None)``."""
    started = []

    def start(handler=echo, tls: ssl.SSLContext | None = None, subprotocols=None) -> WsServer:
        record: list = []

        def process_request(connection, request):
            record.append(dict(request.headers.raw_items()))

        async def open_server():
            return await serve(
                handler,
                LOCALHOST,
                0,
                ssl=tls,
                subprotocols=subprotocols,
                process_request=process_request,
            )

        server = asyncio.run_coroutine_threadsafe(open_server(), loop).result(5)
        started.append(server)
        port = server.sockets[0].getsockname()[1]
        return WsServer(port=port, secure=tls is not None, requests=record)

    yield start

    async def close(server):
        server.close()
        await server.wait_closed()

    for server in started:
        asyncio.run_coroutine_threadsafe(close(server), loop).result(5)


# -- raw peers ---------------------------------------------------------------------------


def handshake_key(head: bytes) -> str:
    for line in head.decode("latin-1").split("\r\n"):
        name, _sep, value = line.partition(":")
        if name.strip().lower() == "sec-websocket-key":
            return value.strip()
    return ""


def upgrade_response(key: str, extra: str = "", accept: str | None = None) -> bytes:
    """A valid 101 answer to ``key`` (or one with a chosen accept value and extra lines)."""
    accept = accept_for(key) if accept is None else accept
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
    ).encode("latin-1")


class RawServer:
    """Answers each connection's request head with ``respond(key) -> bytes``, then waits."""

    def __init__(
        self, respond, tls: ssl.SSLContext | None = None, proxy_protocol: bool = False
    ) -> None:
        self.respond = respond
        self.tls = tls
        # With proxy_protocol, each connection's PROXY v1 line (read before TLS) and its peer.
        self.proxy_protocol = proxy_protocol
        self.proxy_lines: list = []
        self.listener = socket.create_server((LOCALHOST, 0))
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.connections: list = []
        self.thread = threading.Thread(target=self._accept, name="raw-server", daemon=True)
        self.thread.start()

    def url(self, path: str = "/ws") -> str:
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://{LOCALHOST}:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(5)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.proxy_protocol:
                line = b""
                while not line.endswith(b"\r\n") and len(line) < 108:
                    byte = conn.recv(1)
                    if not byte:
                        return
                    line += byte
                self.proxy_lines.append((line, conn.getpeername()))
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
                self.connections.append(conn)
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            conn.sendall(self.respond(handshake_key(head)))
            # Hold the connection until the client goes away.
            while conn.recv(4096):
                pass

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.close()
        self.thread.join(5)


@pytest.fixture
def raw_server():
    servers = []

    def start(
        respond, tls: ssl.SSLContext | None = None, proxy_protocol: bool = False
    ) -> RawServer:
        server = RawServer(respond, tls, proxy_protocol)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def blackhole():
    """``blackhole(full=False) -> port``: nothing ever answers there.

    With ``full=False`` TCP connects (the kernel queues it) but no byte ever comes back;
    with ``full=True`` the accept queue is already full, so the TCP connect itself hangs.
    """
    sockets = []

    def make(full: bool = False) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((LOCALHOST, 0))
        listener.listen(0 if full else 64)
        sockets.append(listener)
        port = listener.getsockname()[1]
        if full:
            filler = socket.create_connection((LOCALHOST, port), timeout=1)
            sockets.append(filler)
        return port

    yield make
    for sock in sockets:
        sock.close()
