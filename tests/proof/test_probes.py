"""Security probes against the deployed gateway, as an attacker or a careless client would."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import uuid
from contextlib import ExitStack
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from websockets.exceptions import InvalidStatus

from tests.conftest import ws_connect
from tests.proof.conftest import Gateway


def tls_context(gateway: Gateway) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(gateway.ca))


def open_ws(
    gateway: Gateway,
    path: str = "/ws",
    origin: str | None = None,
    *,
    headers: dict | None = None,
    name: str | None = None,
    port: int | None = None,
) -> Any:
    """A WebSocket to ``name`` (SNI and Host; an IP address sends no SNI) on ``port``."""
    name, port = name or gateway.name, port or gateway.port
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ws_connect(
        f"wss://{name}:{port}{path}",
        sock=sock,
        ssl=tls_context(gateway),
        server_hostname=name,
        origin=origin,
        additional_headers=headers,
        open_timeout=10,
    )


def raw_request(
    gateway: Gateway, request: bytes, sni: str | None = None, port: int | None = None
) -> bytes:
    """``request`` over verified TLS to ``port``, with ``sni`` (an IP address: no SNI)."""
    context = tls_context(gateway)
    with (
        socket.create_connection(("127.0.0.1", port or gateway.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=sni or gateway.name) as tls,
    ):
        tls.sendall(request)
        chunks = []
        while True:
            try:
                chunk = tls.recv(65536)
            except (TimeoutError, ssl.SSLError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"101 " not in chunks[0][:20]:
                # The whole head is in; bodies of error pages are short.
                tls.settimeout(1)
    return b"".join(chunks)


def backend_saw(gateway: Gateway, marker: str) -> list[dict]:
    log = gateway.exec("cat", "/var/log/ws-echo/requests.jsonl").stdout
    entries = [json.loads(line) for line in log.splitlines()]
    return [
        {"path": e["path"], "headers": {k.lower(): v for k, v in e["headers"].items()}}
        for e in entries
        if marker in e["path"]
    ]


def test_h2c_upgrade_never_reaches_the_backend_as_an_upgrade(gateway: Gateway) -> None:
    marker = f"/h2c-{uuid.uuid4().hex}"
    response = raw_request(
        gateway,
        (
            f"GET {marker} HTTP/1.1\r\nHost: {gateway.name}\r\n"
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
        ).encode(),
    )
    status_line = response.split(b"\r\n", 1)[0]
    assert b" 101 " not in status_line, status_line
    (seen,) = backend_saw(gateway, marker)
    assert "upgrade" not in seen["headers"], seen
    assert seen["headers"].get("connection", "").lower() == "close", seen


def test_websocket_upgrade_is_forwarded_with_client_details(gateway: Gateway) -> None:
    marker = f"/ws-{uuid.uuid4().hex}"
    with open_ws(gateway, marker, origin=gateway.origin) as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
    (seen,) = backend_saw(gateway, marker)
    headers = seen["headers"]
    assert headers["upgrade"].lower() == "websocket"
    assert headers["connection"].lower() == "upgrade"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-for"] == headers["x-real-ip"]
    assert headers["host"].startswith(gateway.name)


def test_client_headers_about_the_client_are_replaced_not_passed(gateway: Gateway) -> None:
    """Forwarded, X-Forwarded-* and X-Real-IP come from the gateway, whatever the client says."""
    marker = f"/forged-{uuid.uuid4().hex}"
    forged = {
        "Forwarded": "for=203.0.113.9;host=evil.test;proto=http",
        "X-Forwarded-For": "203.0.113.9",
        "X-Real-IP": "203.0.113.9",
        "X-Forwarded-Host": "evil.test",
        "X-Forwarded-Port": "1",
        "X-Forwarded-Proto": "http",
    }
    with open_ws(gateway, marker, origin=gateway.origin, headers=forged) as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
    (seen,) = backend_saw(gateway, marker)
    headers = seen["headers"]
    client = headers["x-real-ip"]
    assert client != "203.0.113.9"
    assert headers["x-forwarded-for"] == client
    assert headers["x-forwarded-host"] == gateway.name
    assert headers["x-forwarded-port"] == "443"
    assert headers["x-forwarded-proto"] == "https"
    expected_for = f'"[{client}]"' if ":" in client else client
    assert headers["forwarded"] == f'for={expected_for};host="{gateway.name}";proto=https'
    assert "evil.test" not in json.dumps(headers)


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ("Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", 426),
        ("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", 400),
        ("Sec-WebSocket-Version: 13\r\n", 400),
        ("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not-sixteen-bytes\r\n", 400),
    ],
    ids=["version-99", "no-version", "no-key", "bad-key"],
)
def test_a_non_rfc6455_handshake_never_reaches_the_backend(
    gateway: Gateway, extra: str, status: int
) -> None:
    marker = f"/handshake-{uuid.uuid4().hex}"
    response = raw_request(
        gateway,
        (
            f"GET {marker} HTTP/1.1\r\nHost: {gateway.name}\r\n"
            f"Connection: Upgrade\r\nUpgrade: websocket\r\n{extra}\r\n"
        ).encode(),
    )
    head = response.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    assert head.split(" ", 2)[1] == str(status), head
    if status == 426:
        assert "\r\nSec-WebSocket-Version: 13" in head, head
    assert backend_saw(gateway, marker) == []


def test_foreign_origin_gets_403_before_the_backend(gateway: Gateway) -> None:
    marker = f"/origin-{uuid.uuid4().hex}"
    with pytest.raises(InvalidStatus) as refused, open_ws(gateway, marker, "https://evil.example"):
        pass
    assert refused.value.response.status_code == 403
    assert backend_saw(gateway, marker) == []
    with open_ws(gateway, marker, origin=gateway.origin) as ws:
        ws.send("allowed")
        assert ws.recv(timeout=5) == "allowed"
    # Scheme and host are compared without regard to letter case (RFC 6454), the rest exactly.
    with open_ws(gateway, marker, origin=gateway.origin.upper()) as ws:
        ws.send("same origin")
        assert ws.recv(timeout=5) == "same origin"
    with pytest.raises(InvalidStatus) as refused, open_ws(gateway, marker, gateway.origin + "1"):
        pass
    assert refused.value.response.status_code == 403


def test_connection_limit_refuses_then_frees(gateway: Gateway) -> None:
    with ExitStack() as held:
        first = held.enter_context(open_ws(gateway, "/limited"))
        held.enter_context(open_ws(gateway, "/limited"))
        with pytest.raises(InvalidStatus) as refused, open_ws(gateway, "/limited"):
            pass
        assert refused.value.response.status_code in (429, 503)
        first.close()
        with open_ws(gateway, "/limited") as third:
            third.send("slot freed")
            assert third.recv(timeout=5) == "slot freed"


def test_oversized_headers_get_4xx(gateway: Gateway) -> None:
    response = raw_request(
        gateway,
        f"GET / HTTP/1.1\r\nHost: {gateway.name}\r\nX-Big: {'a' * 65536}\r\n\r\n".encode(),
    )
    status = int(response.split(b" ", 2)[1])
    assert 400 <= status < 500, response[:200]


def test_server_header_reveals_no_version(gateway: Gateway) -> None:
    response = raw_request(
        gateway, f"GET / HTTP/1.1\r\nHost: {gateway.name}\r\nConnection: close\r\n\r\n".encode()
    )
    head = response.split(b"\r\n\r\n", 1)[0].decode()
    servers = [line for line in head.split("\r\n") if line.lower().startswith("server:")]
    assert servers == ["Server: nginx"], head
    assert "strict-transport-security:" in head.lower(), head


def test_private_key_is_0600_root(gateway: Gateway) -> None:
    listing = gateway.exec(
        "stat",
        "-c",
        "%a %U %G %n",
        "/etc/wss-gateway/tls/proof",
        "/etc/wss-gateway/tls/proof/privkey.pem",
    )
    assert listing.returncode == 0, listing.stderr
    directory, key = listing.stdout.splitlines()
    assert directory.startswith("700 root root"), directory
    assert key.startswith("600 root root"), key


def private_values(pem: str) -> list[str]:
    """The secret part of a key in the forms a log could show: decimal, hex, base64."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    numbers = key.private_numbers()
    secrets = [numbers.private_value] if hasattr(numbers, "private_value") else [numbers.d]
    forms = []
    for secret in secrets:
        raw = secret.to_bytes((secret.bit_length() + 7) // 8, "big")
        forms += [str(secret), raw.hex(), raw.hex(":"), base64.b64encode(raw).decode()[:24]]
    return forms


def test_verbose_diff_deploy_output_holds_no_key_material(gateway: Gateway) -> None:
    keys = {
        "host key": gateway.exec("cat", "/etc/wss-gateway/tls/proof/privkey.pem").stdout,
        "CA key": (gateway.ca.parent / "ca-key.pem").read_text(),
    }
    output = gateway.deploy_log.read_text(errors="replace")
    assert "ESTABLISH DOCKER CONNECTION" in output, "the deploy did not run with -vvv"
    assert "--- before" in output or "+++ after" in output, "the deploy did not run with --diff"
    assert "PRIVATE KEY" not in output
    for what, pem in keys.items():
        assert "PRIVATE KEY" in pem, f"could not read the {what}"
        for form in private_values(pem):
            assert form not in output, f"the {what} appears in the deploy output"
