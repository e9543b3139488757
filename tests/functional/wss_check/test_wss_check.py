# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""wss_check against real servers on 127.0.0.1, through ``run_checks`` (the module's logic)."""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading
import time

import pytest

from ansible_collections.wss.gateway.plugins.module_utils import _wss_cert as cert
from ansible_collections.wss.gateway.plugins.module_utils._wss_client import run_checks

from .conftest import NAME, upgrade_response

TIMEOUT = 0.5


def check(url=None, **params):
    if url is not None:
        params["url"] = url
    params.setdefault("timeout", 3)
    return run_checks(params)


def only(report):
    (result,) = report["endpoints"]
    return result


# -- success -----------------------------------------------------------------------------


def test_wss_success_with_right_ca_and_name(ws_server, pki):
    server = ws_server(tls=pki.good)
    report = check(
        server.url(), server_hostname=NAME, ca_path=str(pki.ca_file), echo_message="hello"
    )
    result = only(report)
    assert result["ok"] is True, result["msg"]
    assert (result["stage"], result["status"]) == (None, 101)
    assert report["failed"] is False
    assert (report["ok_count"], report["failed_count"]) == (1, 0)
    assert result["headers"]["upgrade"].lower() == "websocket"
    assert result["address"] == f"127.0.0.1:{server.port}"
    tls = result["tls"]
    assert tls["version"] in ("TLSv1.2", "TLSv1.3")
    assert tls["cipher"]
    assert tls["verified"] is True
    assert f"CN={NAME}" in tls["subject"]
    assert tls["sans"] == [f"DNS:{NAME}", "IP:127.0.0.1"]
    assert "wss.gateway test CA" in tls["issuer"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", tls["not_after"])
    assert tls["days_left"] > 300
    timings = result["timings_ms"]
    for key in ("dns", "connect", "tls", "upgrade", "echo", "close", "total"):
        assert timings[key] is not None and timings[key] >= 0, key
    assert timings["total"] >= timings["tls"]
    # The Host header carries the checked name and the non-default port.
    assert server.requests[0]["Host"] == f"{NAME}:{server.port}"


def test_ca_content_is_trusted_like_ca_path(ws_server, pki):
    """PEM text (a CA read from another host) verifies the chain, and only that CA's chain."""
    server = ws_server(tls=pki.good)
    common = {"server_hostname": NAME}
    report = check(
        endpoints=[
            {"url": server.url(), "ca_content": pki.ca_file.read_text()},
            {"url": server.url(), "ca_content": pki.wrong_ca_file.read_text()},
        ],
        **common,
    )
    good, wrong = report["endpoints"]
    assert good["ok"] is True, good["msg"]
    assert good["tls"]["verified"] is True
    assert (wrong["ok"], wrong["stage"]) == (False, "tls")


def test_ip_address_is_checked_against_ip_san(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), ca_path=str(pki.ca_file)))
    assert result["ok"] is True, result["msg"]
    assert result["server_hostname"] == "127.0.0.1"


def test_ws_plain(ws_server):
    server = ws_server()
    result = only(check(server.url("/"), echo_message="plain"))
    assert result["ok"] is True, result["msg"]
    assert result["tls"] is None
    assert result["timings_ms"]["tls"] is None
    assert result["timings_ms"]["echo"] is not None


def test_origin_and_headers_sent_as_given(ws_server):
    server = ws_server()
    result = only(
        check(
            server.url(),
            origin="https://chat.example.com",
            headers={"Authorization": "Bearer t0ken", "X-Probe": "1"},
        )
    )
    assert result["ok"] is True, result["msg"]
    (request,) = server.requests
    assert request["Origin"] == "https://chat.example.com"
    assert request["Authorization"] == "Bearer t0ken"
    assert request["Sec-WebSocket-Version"] == "13"
    assert request["Upgrade"] == "websocket"
    assert request["Connection"] == "Upgrade"
    assert "Sec-WebSocket-Extensions" not in request


async def answer_with_path(websocket) -> None:
    """Answer every message with the request path the server received."""
    async for _message in websocket:
        await websocket.send(websocket.request.path)


def test_non_ascii_path_reaches_the_server_percent_encoded(ws_server):
    server = ws_server(handler=answer_with_path)
    result = only(
        check(
            server.url("/caf\u00e9/\u20ac?q=\u00fc"), echo_message="/caf%C3%A9/%E2%82%AC?q=%C3%BC"
        )
    )
    assert result["ok"] is True, result["msg"]
    assert result["url"] == server.url("/caf\u00e9/\u20ac?q=\u00fc")


def test_non_ascii_server_hostname_goes_out_as_idna(ws_server):
    server = ws_server()
    result = only(check(server.url(), server_hostname="b\u00fccher.example"))
    assert result["ok"] is True, result["msg"]
    assert result["server_hostname"] == "xn--bcher-kva.example"
    assert server.requests[0]["Host"] == f"xn--bcher-kva.example:{server.port}"


def test_subprotocol_negotiation(ws_server):
    server = ws_server(subprotocols=["chat.v2", "chat.v1"])
    result = only(check(server.url(), subprotocols=["chat.v1"], echo_message="hi"))
    assert result["ok"] is True, result["msg"]
    assert result["subprotocol"] == "chat.v1"
    assert server.requests[0]["Sec-WebSocket-Protocol"] == "chat.v1"


def test_ping_and_fragmented_echo(ws_server):
    async def chatty(websocket):
        async for message in websocket:
            await websocket.ping(b"are you there")
            await websocket.send([message[:2], message[2:]])  # a fragmented message

    server = ws_server(handler=chatty)
    result = only(check(server.url(), echo_message="fragmented"))
    assert result["ok"] is True, result["msg"]


def test_endpoint_entries_override_defaults(ws_server, pki):
    server = ws_server(tls=pki.good)
    report = check(
        endpoints=[
            {"url": server.url(), "server_hostname": NAME},
            {"url": server.url(), "server_hostname": NAME, "ca_path": str(pki.wrong_ca_file)},
        ],
        ca_path=str(pki.ca_file),
    )
    assert [r["ok"] for r in report["endpoints"]] == [True, False]
    assert report["failed_count"] == 1


# -- certificates -----------------------------------------------------------------------


def test_wrong_ca(ws_server, pki):
    server = ws_server(tls=pki.good)
    report = check(server.url(), server_hostname=NAME, ca_path=str(pki.wrong_ca_file))
    result = only(report)
    assert (result["ok"], result["stage"]) == (False, "tls")
    assert result["msg"].startswith("certificate is not trusted:")
    assert "set ca_path" in result["msg"]
    assert "wss.gateway test CA" in result["msg"]  # the issuer of the refused certificate
    assert report["failed"] is True
    assert report["msg"].startswith(f"1 of 1 WebSocket endpoint(s) failed: {server.url()}")


def test_system_trust_store_refuses_test_ca(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), server_hostname=NAME))
    assert result["stage"] == "tls"
    assert "not trusted" in result["msg"]


def test_hostname_mismatch_names_both(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), server_hostname="ws.example.com", ca_path=str(pki.ca_file)))
    assert (result["ok"], result["stage"]) == (False, "tls")
    assert result["msg"] == (
        "hostname mismatch: certificate is for chat.example.com, 127.0.0.1, dialled ws.example.com"
    )
    assert result["tls"]["verified"] is False
    assert result["tls"]["sans"] == [f"DNS:{NAME}", "IP:127.0.0.1"]


def test_expired_certificate(ws_server, pki):
    server = ws_server(tls=pki.expired)
    result = only(check(server.url(), server_hostname=NAME, ca_path=str(pki.ca_file)))
    assert (result["ok"], result["stage"]) == (False, "tls")
    assert result["msg"].startswith("certificate has expired (not after ")
    assert "3 day(s) ago" in result["msg"]
    assert result["tls"]["days_left"] == -4  # whole days left, rounded down


def test_min_cert_days(ws_server, pki):
    server = ws_server(tls=pki.expiring)
    common = {"server_hostname": NAME, "ca_path": str(pki.ca_file)}
    failing = only(check(server.url(), min_cert_days=14, **common))
    assert (failing["ok"], failing["stage"]) == (False, "tls")
    assert failing["msg"] == "certificate expires in 5 days, min_cert_days is 14"
    assert failing["tls"]["days_left"] == 5
    passing = only(check(server.url(), min_cert_days=5, **common))
    assert passing["ok"] is True, passing["msg"]


def test_validate_certs_false_is_reported(ws_server, pki):
    server = ws_server(tls=pki.expired)
    report = check(server.url(), validate_certs=False, echo_message="x")
    result = only(report)
    assert result["ok"] is True, result["msg"]
    assert result["tls"]["verified"] is False
    assert result["tls"]["days_left"] == -4  # read with cryptography, verification off
    assert "NOT verified" in result["msg"]
    assert any("verification is disabled" in w for w in report["warnings"])


def test_tls_to_plain_port(ws_server):
    server = ws_server()
    result = only(check(f"wss://127.0.0.1:{server.port}/"))
    assert result["stage"] == "tls"
    assert "plain ws:// port" in result["msg"]


# -- broken peers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "expected 101, got 200 OK (the server answered as plain HTTP",
        ),
        (
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 19\r\n\r\nmissing upgrade key",
            "expected 101, got 400 Bad Request (the server rejected the handshake request); "
            "the body says: missing upgrade key",
        ),
        (
            b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "expected 101, got 426 Upgrade Required",
        ),
    ],
)
def test_status_other_than_101(raw_server, pki, answer, expected):
    server = raw_server(lambda key: answer, tls=pki.good)
    result = only(check(server.url(), server_hostname=NAME, ca_path=str(pki.ca_file)))
    assert (result["ok"], result["stage"]) == (False, "upgrade")
    assert result["msg"].startswith(expected)
    assert result["status"] == int(answer.split()[1])


def test_wrong_accept(raw_server):
    server = raw_server(lambda key: upgrade_response(key, accept="AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    result = only(check(server.url()))
    assert (result["ok"], result["stage"]) == (False, "upgrade")
    assert result["msg"].startswith(
        "wrong Sec-WebSocket-Accept: got 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='"
    )


def test_unrequested_subprotocol(raw_server):
    server = raw_server(lambda key: upgrade_response(key, "Sec-WebSocket-Protocol: mqtt\r\n"))
    result = only(check(server.url()))
    assert (result["ok"], result["stage"]) == (False, "upgrade")
    assert "subprotocol 'mqtt' which was not offered (offered: none)" in result["msg"]


def test_unrequested_extension(raw_server):
    server = raw_server(
        lambda key: upgrade_response(key, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
    )
    result = only(check(server.url()))
    assert result["stage"] == "upgrade"
    assert "permessage-deflate" in result["msg"]


def test_not_http(raw_server):
    server = raw_server(lambda key: b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    result = only(check(server.url()))
    assert result["stage"] == "http"
    assert result["msg"].startswith("not an HTTP/1.1 response: 'SSH-2.0-OpenSSH_9.2'")


def test_masked_server_frame(raw_server):
    masked = bytes.fromhex("818537fa213d7f9f4d5158")
    server = raw_server(lambda key: upgrade_response(key) + masked)
    result = only(check(server.url(), echo_message="Hello"))
    assert (result["stage"], result["msg"]) == (
        "echo",
        "the server sent a masked frame (servers must not mask)",
    )


def test_echo_mismatch(ws_server):
    async def wrong(websocket):
        async for _message in websocket:
            await websocket.send("something else")

    server = ws_server(handler=wrong)
    result = only(check(server.url(), echo_message="hello"))
    assert (result["ok"], result["stage"]) == (False, "echo")
    assert result["msg"] == "echo mismatch: sent 'hello', got 'something else'"


def test_server_closes_instead_of_echo(ws_server):
    async def refuse(websocket):
        await websocket.close(1008, "not allowed")

    server = ws_server(handler=refuse)
    result = only(check(server.url(), echo_message="hello"))
    assert result["stage"] == "echo"
    assert "1008 (policy violation): 'not allowed'" in result["msg"]


def test_server_closes_with_error_code(ws_server):
    async def fail(websocket):
        await websocket.close(1011, "boom")

    server = ws_server(handler=fail)
    result = only(check(server.url()))
    assert (result["ok"], result["stage"]) == (False, "close")
    assert "1011 (internal error)" in result["msg"]


def test_refused_port():
    # Port 1 on 127.0.0.1: nothing listens there in the test environment.
    result = only(check("ws://127.0.0.1:1/"))
    assert (result["stage"], result["msg"]) == (
        "tcp",
        "connection refused by 127.0.0.1:1 (nothing listens there)",
    )


def test_unresolvable_name():
    result = only(check("wss://no-such-host.invalid/ws", timeout=2))
    assert result["stage"] == "dns"
    assert (
        result["msg"].startswith("cannot resolve no-such-host.invalid")
        or "timed out" in (result["msg"])
    )


# -- timeouts and concurrency ------------------------------------------------------------


def test_blackhole_tls_times_out_in_tls(blackhole):
    port = blackhole()
    result = only(check(f"wss://127.0.0.1:{port}/", timeout=TIMEOUT))
    assert (result["ok"], result["stage"]) == (False, "tls")
    assert result["msg"] == f"timed out after 0.5 s in the TLS handshake with 127.0.0.1:{port}"
    assert TIMEOUT <= result["timings_ms"]["total"] / 1000 < TIMEOUT * 1.5


def test_blackhole_plain_times_out_in_http(blackhole):
    port = blackhole()
    result = only(check(f"ws://127.0.0.1:{port}/", timeout=TIMEOUT))
    assert result["stage"] == "http"
    assert result["msg"] == (
        f"timed out after 0.5 s waiting for the HTTP response from 127.0.0.1:{port}"
    )


def test_full_backlog_times_out_in_tcp(blackhole):
    port = blackhole(full=True)
    result = only(check(f"wss://127.0.0.1:{port}/", timeout=TIMEOUT))
    assert result["stage"] == "tcp"
    assert result["msg"] == f"timed out after 0.5 s connecting to 127.0.0.1:{port}"


def test_echo_timeout(ws_server):
    async def silent(websocket):
        await websocket.wait_closed()

    server = ws_server(handler=silent)
    result = only(check(server.url(), echo_message="anyone?", timeout=TIMEOUT))
    assert result["stage"] == "echo"
    assert result["msg"] == "timed out after 0.5 s waiting for the echo of 'anyone?'"


def test_blackholed_endpoints_overlap(blackhole, ws_server):
    good = ws_server()
    ports = [blackhole() for _index in range(4)] + [blackhole(full=True) for _index in range(2)]
    endpoints = [{"url": f"wss://127.0.0.1:{port}/"} for port in ports]
    endpoints.insert(3, {"url": good.url()})
    timeout = 1.0
    started = time.perf_counter()
    report = check(endpoints=endpoints, timeout=timeout)
    elapsed = time.perf_counter() - started
    assert elapsed < 2 * timeout, f"{len(endpoints)} endpoints took {elapsed:.2f} s"
    assert [r["url"] for r in report["endpoints"]] == [e["url"] for e in endpoints]
    assert (report["ok_count"], report["failed_count"]) == (1, 6)
    assert [r["stage"] for r in report["endpoints"]] == [
        "tls",
        "tls",
        "tls",
        None,
        "tls",
        "tcp",
        "tcp",
    ]
    # The summary names every failed endpoint.
    for port in ports:
        assert f"wss://127.0.0.1:{port}/: " in report["msg"]


def test_max_parallel_bounds_concurrency(blackhole):
    ports = [blackhole() for _index in range(3)]
    started = time.perf_counter()
    check(endpoints=[{"url": f"ws://127.0.0.1:{p}/"} for p in ports], timeout=0.3, max_parallel=1)
    elapsed = time.perf_counter() - started
    assert elapsed >= 0.9  # one at a time: three timeouts in a row


def test_report_only(blackhole, ws_server):
    good = ws_server()
    report = check(endpoints=[{"url": good.url()}, {"url": "ws://127.0.0.1:1/"}], report_only=True)
    assert report["failed"] is False
    assert (report["ok_count"], report["failed_count"]) == (1, 1)
    assert report["msg"].startswith("1 of 2 WebSocket endpoint(s) failed: ws://127.0.0.1:1/: tcp:")


# -- without the optional cryptography library -------------------------------------------


@pytest.fixture
def no_cryptography(monkeypatch):
    monkeypatch.setattr(cert, "HAS_CRYPTOGRAPHY", False)


@pytest.mark.usefixtures("no_cryptography")
def test_hostname_mismatch_without_cryptography(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), server_hostname="ws.example.com", ca_path=str(pki.ca_file)))
    assert result["msg"] == (
        "hostname mismatch: certificate is for chat.example.com, 127.0.0.1, dialled ws.example.com"
    )


@pytest.mark.usefixtures("no_cryptography")
def test_unverified_without_cryptography(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), validate_certs=False))
    assert result["ok"] is True, result["msg"]
    assert (result["tls"]["subject"], result["tls"]["days_left"]) == (None, None)
    result = only(check(server.url(), validate_certs=False, min_cert_days=1))
    assert result["stage"] == "tls"
    assert result["msg"].startswith("min_cert_days cannot be checked")


@pytest.mark.usefixtures("no_cryptography")
def test_wrong_ca_without_cryptography(ws_server, pki):
    server = ws_server(tls=pki.good)
    result = only(check(server.url(), ca_path=str(pki.wrong_ca_file)))
    assert result["stage"] == "tls"
    assert result["msg"].startswith("certificate is not trusted: ")
    assert result["tls"]["issuer"] is None


# -- client certificates -------------------------------------------------------------------


def test_client_certificate(ws_server, pki):
    server = ws_server(tls=pki.mutual)
    common = {"server_hostname": NAME, "ca_path": str(pki.ca_file), "echo_message": "mtls"}
    result = only(
        check(
            server.url(), client_cert=str(pki.client_cert), client_key=str(pki.client_key), **common
        )
    )
    assert result["ok"] is True, result["msg"]

    refused = only(check(server.url(), **common))
    assert refused["ok"] is False
    # Whether the refusal arrives as a TLS alert or as a bare close depends on the server.
    assert refused["stage"] in ("tls", "http")
    assert "set client_cert" in refused["msg"]


def test_a_reset_after_the_tls_handshake_hints_at_a_client_certificate(pki):
    """A TLS 1.3 server that refuses a client without a certificate may reset the connection
    (instead of its alert) when the request arrives: the message still points at client_cert."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _address = listener.accept()
            tls = pki.good.wrap_socket(conn, server_side=True)
            tls.recv(4096)  # the upgrade request
            tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            tls.close()  # an RST, not a FIN

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        result = only(
            check(f"wss://127.0.0.1:{port}/ws", server_hostname=NAME, ca_path=str(pki.ca_file))
        )
    finally:
        thread.join(timeout=30)
        listener.close()
    assert result["ok"] is False
    assert result["stage"] == "http", result
    assert result["msg"].startswith("connection reset by 127.0.0.1:"), result["msg"]
    assert result["msg"].endswith("(does the server want a client certificate? set client_cert)")


def test_client_key_is_never_shown(ws_server, pki, tmp_path):
    server = ws_server(tls=pki.mutual)
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("c2VjcmV0IG1hdGVyaWFs\n")  # not a key; must not be echoed back
    report = check(
        server.url(),
        ca_path=str(pki.ca_file),
        client_cert=str(pki.client_cert),
        client_key=str(bad_key),
    )
    result = only(report)
    assert result["stage"] == "tls"
    assert result["msg"].startswith(f"cannot load client_cert '{pki.client_cert}' / client_key")
    assert "c2VjcmV0" not in str(report)


def test_proxy_protocol_header_names_the_connection(raw_server, pki):
    """A listener that expects a load balancer's PROXY header gets a true one, before TLS."""
    closing = b"\x88\x02\x03\xe8"  # the server's close frame, code 1000
    server = raw_server(
        lambda key: upgrade_response(key) + closing, tls=pki.good, proxy_protocol=True
    )
    result = only(
        check(server.url(), server_hostname=NAME, ca_path=str(pki.ca_file), proxy_protocol=True)
    )
    assert result["ok"], result["msg"]
    ((line, (client_host, client_port)),) = server.proxy_lines
    assert line == f"PROXY TCP4 {client_host} 127.0.0.1 {client_port} {server.port}\r\n".encode()


def test_without_proxy_protocol_no_header_is_sent(raw_server, pki):
    server = raw_server(upgrade_response, tls=pki.good, proxy_protocol=True)
    result = only(check(server.url(), server_hostname=NAME, ca_path=str(pki.ca_file)))
    # The server took the TLS ClientHello for its PROXY line: no handshake.
    assert (result["ok"], result["stage"]) == (False, "tls")
    assert not server.proxy_lines[0][0].startswith(b"PROXY ")
