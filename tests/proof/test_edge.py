"""The edge is closed by default: what a client gets on each port for names no endpoint serves.

The gateway has on port 443 the endpoints ``proof`` (wss.test, www.wss.test) and ``wild``
(``*.wild.test``, checked as probe.wild.test), and on port 8443 the endpoint ``ip``
(127.0.0.1, ip.wss.test), the only one with an IP address; port 80 redirects.
"""

from __future__ import annotations

import socket
import ssl
import uuid

import pytest

from tests.proof.conftest import Gateway
from tests.proof.test_probes import backend_saw, open_ws, raw_request, tls_context

EVIL = "evil.test"


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def get(host: str | None, marker: str, version: str = "1.1") -> bytes:
    host_line = f"Host: {host}\r\n" if host is not None else ""
    return f"GET {marker} HTTP/{version}\r\n{host_line}Connection: close\r\n\r\n".encode()


def handshake_refusal(gateway: Gateway, port: int, sni: str) -> str:
    """The TLS alert that refuses a handshake with ``sni`` (an IP address: no SNI)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        pytest.raises(ssl.SSLError) as refused,
    ):
        tls_context(gateway).wrap_socket(raw, server_hostname=sni)
    return refused.value.reason or str(refused.value)


def gateway_ports(gateway: Gateway) -> dict[str, int]:
    return {"443": gateway.port, "8443": gateway.ip_port}


@pytest.mark.parametrize("port", ["443", "8443"])
def test_an_sni_no_endpoint_serves_is_refused(gateway: Gateway, port: str) -> None:
    """With or without an endpoint with an IP address on the port: no certificate at all."""
    for sni in (gateway.other_name, "x.b.wild.test", "wild.test"):
        reason = handshake_refusal(gateway, gateway_ports(gateway)[port], sni)
        assert "UNRECOGNIZED_NAME" in reason, (sni, reason)


def test_without_sni_only_the_ip_endpoint_answers(gateway: Gateway) -> None:
    # Port 443 has no endpoint with an IP address: a handshake without SNI is refused.
    assert "UNRECOGNIZED_NAME" in handshake_refusal(gateway, gateway.port, "127.0.0.1")
    # Port 8443: the certificate of endpoint ip, verified for 127.0.0.1, and its backend.
    marker = f"/no-sni-{uuid.uuid4().hex}"
    with open_ws(gateway, marker, name="127.0.0.1", port=gateway.ip_port) as ws:
        ws.send("no sni")
        assert ws.recv(timeout=5) == "no sni"
    (seen,) = backend_saw(gateway, marker)
    # The backend gets the name as dialled, without the port (nginx's $host).
    assert seen["headers"]["host"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("port", "sni"),
    [("443", "wss.test"), ("443", "a.wild.test"), ("8443", "127.0.0.1"), ("8443", "ip.wss.test")],
    ids=["known-sni", "wildcard-sni", "no-sni", "ip-endpoint-sni"],
)
def test_an_unknown_host_gets_421_and_no_backend(gateway: Gateway, port: str, sni: str) -> None:
    for host, version in ((EVIL, "1.1"), (f"{EVIL}:{gateway.port}", "1.1"), (None, "1.0")):
        marker = f"/unknown-host-{uuid.uuid4().hex}"
        response = raw_request(
            gateway, get(host, marker, version), sni, gateway_ports(gateway)[port]
        )
        assert status(response) == 421, (host, response[:200])
        assert backend_saw(gateway, marker) == []


@pytest.mark.parametrize(
    ("sni", "host"),
    [("wss.test", "a.wild.test"), ("a.wild.test", "wss.test"), ("probe.wild.test", "www.wss.test")],
)
def test_a_host_of_another_endpoint_than_the_sni_gets_421(
    gateway: Gateway, sni: str, host: str
) -> None:
    marker = f"/cross-{uuid.uuid4().hex}"
    assert status(raw_request(gateway, get(host, marker), sni)) == 421
    assert backend_saw(gateway, marker) == []


@pytest.mark.parametrize(
    ("sni", "host"), [("wss.test", "www.wss.test"), ("a.wild.test", "b.wild.test")]
)
def test_names_of_one_certificate_share_a_connection(gateway: Gateway, sni: str, host: str) -> None:
    """The control: a Host that the SNI's certificate covers (the same endpoint) is served."""
    marker = f"/same-{uuid.uuid4().hex}"
    assert status(raw_request(gateway, get(host, marker), sni)) != 421
    (seen,) = backend_saw(gateway, marker)
    assert seen["headers"]["host"] == host


def test_a_wildcard_serves_exactly_one_label(gateway: Gateway) -> None:
    marker = f"/wild-{uuid.uuid4().hex}"
    with open_ws(gateway, marker, name="a.wild.test") as ws:
        ws.send("one label")
        assert ws.recv(timeout=5) == "one label"
    assert backend_saw(gateway, marker)[0]["headers"]["host"] == "a.wild.test"
    # Two labels: no certificate (the handshake is refused), and as Host: 421.
    assert "UNRECOGNIZED_NAME" in handshake_refusal(gateway, gateway.port, "a.b.wild.test")
    deeper = f"/deeper-{uuid.uuid4().hex}"
    assert status(raw_request(gateway, get("a.b.wild.test", deeper), "a.wild.test")) == 421
    assert backend_saw(gateway, deeper) == []


def test_the_live_check_dials_a_concrete_name_under_the_wildcard(gateway: Gateway) -> None:
    log = gateway.deploy_log.read_text(errors="replace")
    assert "wss://127.0.0.1:443/ as probe.wild.test: ok" in log
    assert "wss://127.0.0.1:8443/ as 127.0.0.1: ok" in log
    assert "as *.wild.test" not in log


def plain_http(gateway: Gateway, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", gateway.http_port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass  # closed without an answer, as 444 does, but with a reset
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("host", "location"),
    [
        ("wss.test", "https://wss.test/login?next=1"),
        ("WWW.wss.test", "https://www.wss.test/login?next=1"),
        ("a.wild.test", "https://a.wild.test/login?next=1"),
        ("ip.wss.test", "https://ip.wss.test:8443/login?next=1"),
        ("127.0.0.1", "https://127.0.0.1:8443/login?next=1"),
    ],
)
def test_port_80_redirects_configured_names_to_their_port(
    gateway: Gateway, host: str, location: str
) -> None:
    response = plain_http(gateway, get(host, "/login?next=1"))
    head = response.split(b"\r\n\r\n", 1)[0].decode()
    assert status(response) == 308, head
    assert f"\r\nLocation: {location}\r\n" in head + "\r\n", head


@pytest.mark.parametrize(
    ("host", "version"),
    [(EVIL, "1.1"), ("a.b.wild.test", "1.1"), ("wild.test", "1.1"), (None, "1.0")],
)
def test_port_80_closes_on_any_other_host(gateway: Gateway, host: str | None, version: str) -> None:
    for path in ("/login", "/.well-known/acme-challenge/proof-token"):
        assert plain_http(gateway, get(host, path, version)) == b"", (host, path)


def test_port_80_serves_the_acme_webroot_only_for_configured_names(gateway: Gateway) -> None:
    token = uuid.uuid4().hex
    path = f"/var/lib/wss-gateway/acme/.well-known/acme-challenge/{token}"
    written = gateway.exec("sh", "-c", f"echo {token} > {path}")
    assert written.returncode == 0, written.stderr
    try:
        url = f"/.well-known/acme-challenge/{token}"
        response = plain_http(gateway, get("wss.test", url))
        assert status(response) == 200, response[:300]
        assert response.split(b"\r\n\r\n", 1)[1].strip() == token.encode()
        assert plain_http(gateway, get(EVIL, url)) == b""
    finally:
        gateway.exec("rm", "-f", path)
