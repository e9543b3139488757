"""Behind a real load balancer: Debian's HAProxy in its own container, TCP passthrough with
PROXY protocol v2 to the gateway's endpoint proof-lb (port 9443, ``proxy_protocol: true``),
and the gateway trusting only HAProxy's address (``wss_trusted_proxies``).

This machine dials HAProxy's port on 127.0.0.1; HAProxy sees the connection come from the
Docker host's address on the scenario's network, and that is the client the backend must be
told about. Anyone else who sends a PROXY header or X-Forwarded-For is not believed.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import uuid
from dataclasses import dataclass

import pytest

from tests.conftest import ws_connect
from tests.proof.conftest import LB_CONTAINER, LB_PORT, NETWORK, Gateway
from tests.proof.test_probes import backend_saw, tls_context

FORGED = "203.0.113.9"


@dataclass(frozen=True)
class Network:
    host: str  # the Docker host's address on the scenario's network
    haproxy: str
    gateway: str


def _inspect(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=True, timeout=30)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def network(gateway: Gateway) -> Network:
    address = '{{(index .NetworkSettings.Networks "' + NETWORK + '").IPAddress}}'
    return Network(
        host=_inspect("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", NETWORK),
        haproxy=_inspect("inspect", "-f", address, LB_CONTAINER),
        gateway=_inspect("inspect", "-f", address, gateway.container),
    )


def ws_through(sock: socket.socket, gateway: Gateway, port: int, path: str, headers: dict) -> None:
    """One echo round trip over ``sock`` as wss://wss.test:<port><path>."""
    with ws_connect(
        f"wss://{gateway.name}:{port}{path}",
        sock=sock,
        ssl=tls_context(gateway),
        server_hostname=gateway.name,
        additional_headers=headers,
        open_timeout=10,
    ) as ws:
        ws.send("through")
        assert ws.recv(timeout=5) == "through"


def forwarded_for(address: str) -> str:
    return f'"[{address}]"' if ":" in address else address


def test_through_haproxy_the_backend_sees_the_client_not_forged_headers(
    gateway: Gateway, network: Network
) -> None:
    marker = f"/lb-{uuid.uuid4().hex}"
    forged = {
        "X-Forwarded-For": FORGED,
        "X-Real-IP": FORGED,
        "Forwarded": f"for={FORGED};proto=http",
    }
    sock = socket.create_connection(("127.0.0.1", LB_PORT), timeout=10)
    ws_through(sock, gateway, LB_PORT, marker, forged)
    (seen,) = backend_saw(gateway, marker)
    headers = seen["headers"]
    assert network.host != network.haproxy
    assert headers["x-real-ip"] == network.host, (network, headers)
    assert headers["x-forwarded-for"] == network.host
    assert headers["forwarded"] == (
        f'for={forwarded_for(network.host)};host="{gateway.name}";proto=https'
    )
    assert FORGED not in json.dumps(headers)


def test_wss_check_passes_through_haproxy(gateway: Gateway, network: Network, tmp_path) -> None:
    """The module, run by Ansible on this machine, dials HAProxy (which adds the header)."""
    marker = f"/check-{uuid.uuid4().hex}"
    args = {
        "url": f"wss://127.0.0.1:{LB_PORT}{marker}",
        "server_hostname": gateway.name,
        "ca_path": str(gateway.ca),
        "echo_message": "through haproxy",
    }
    done = subprocess.run(
        [
            "ansible",
            "localhost",
            "-c",
            "local",
            "-m",
            "wss.gateway.wss_check",
            "-a",
            json.dumps(args),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_NOCOLOR": "1"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"ok_count": 1' in done.stdout, done.stdout
    (seen,) = backend_saw(gateway, marker)
    assert seen["headers"]["x-real-ip"] == network.host


def test_a_proxy_header_from_an_untrusted_client_is_not_taken(
    gateway: Gateway, network: Network
) -> None:
    """This machine, outside wss_trusted_proxies, dials the PROXY listener itself and claims
    to be someone else: the header is read, its address is not taken."""
    marker = f"/forged-proxy-{uuid.uuid4().hex}"
    sock = socket.create_connection((network.gateway, 9443), timeout=10)
    sock.sendall(f"PROXY TCP4 {FORGED} {network.gateway} 40000 9443\r\n".encode())
    ws_through(sock, gateway, 9443, marker, {"X-Forwarded-For": FORGED})
    (seen,) = backend_saw(gateway, marker)
    assert seen["headers"]["x-real-ip"] == network.host
    assert FORGED not in json.dumps(seen["headers"])


def test_without_a_proxy_header_the_proxy_listener_closes(
    gateway: Gateway, network: Network
) -> None:
    context = tls_context(gateway)
    with (
        socket.create_connection((network.gateway, 9443), timeout=10) as raw,
        pytest.raises((ssl.SSLError, ConnectionResetError, ssl.SSLEOFError)),
    ):
        context.wrap_socket(raw, server_hostname=gateway.name)


def test_x_forwarded_for_from_the_trusted_proxy_names_the_client(
    gateway: Gateway, network: Network
) -> None:
    """An HTTP load balancer at a trusted address (here HAProxy's container itself, dialling
    the plain endpoint on 443): the right-most X-Forwarded-For entry that is not trusted is
    the client; what a client wrote before it is ignored. Only the header trust is under
    test, so this client does not verify the certificate."""
    marker = f"/xff-{uuid.uuid4().hex}"
    script = (
        "import socket, ssl, sys\n"
        "context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
        "context.check_hostname = False\n"
        "context.verify_mode = ssl.CERT_NONE\n"
        f"raw = socket.create_connection(({gateway.container!r}, 443), timeout=10)\n"
        f"tls = context.wrap_socket(raw, server_hostname={gateway.name!r})\n"
        f"tls.sendall(b'GET {marker} HTTP/1.1\\r\\nHost: {gateway.name}\\r\\n'\n"
        f"            b'X-Forwarded-For: {FORGED}, 198.51.100.7\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "sys.stdout.write(tls.recv(100).decode(errors='replace'))\n"
    )
    done = subprocess.run(
        ["docker", "exec", "-i", LB_CONTAINER, "python3", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.startswith("HTTP/1.1 "), done.stdout + done.stderr
    (seen,) = backend_saw(gateway, marker)
    assert seen["headers"]["x-real-ip"] == "198.51.100.7", (network, seen)
    assert seen["headers"]["x-forwarded-for"] == "198.51.100.7"
