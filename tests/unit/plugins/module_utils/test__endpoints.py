"""Cross-field checks and normalisation of wss_endpoints (module_utils/_endpoints.py)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    backend_error,
    endpoint_errors,
    normalize,
)

GOOD = {
    "name": "chat",
    "server_names": ["chat.example.com", "10.0.0.5", "2001:db8::1"],
    "listen": 443,
    "certificate": {"source": "selfsigned"},
    "locations": [
        {"path": "/ws", "backends": ["127.0.0.1:19808", "[::1]:19809", "unix:/run/ws.sock"]},
        {"path": "/admin", "backends": ["ws-admin.internal:8080"], "read_timeout": "10m"},
    ],
}


def with_change(path: str, value: object) -> list[dict]:
    endpoint = copy.deepcopy(GOOD)
    target = endpoint
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return [endpoint]


@pytest.mark.parametrize(
    "backend",
    ["127.0.0.1:19808", "localhost:1", "ws.example.com:65535", "[::1]:80", "unix:/run/a.sock"],
)
def test_backend_accepted(backend: str) -> None:
    assert backend_error(backend) is None


@pytest.mark.parametrize(
    ("backend", "fragment"),
    [
        ("127.0.0.1", "is not 'host:port'"),
        ("127.0.0.1:0", "outside 1-65535"),
        ("127.0.0.1:70000", "outside 1-65535"),
        ("http://x:80", "is not 'host:port'"),
        ("[1:2:3:4:5:6:7:8:9]:80", "invalid IPv6"),
        ("bad_host!:80", "is not 'host:port'"),
        ("-bad.example:80", "invalid host name"),
        (19808, "must be a string"),
    ],
)
def test_backend_rejected(backend: object, fragment: str) -> None:
    assert fragment in backend_error(backend)


def test_good_endpoint_has_no_errors() -> None:
    assert endpoint_errors([GOOD]) == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("name", "Chat!", "wss_endpoints[0].name: 'Chat!' must match"),
        ("name", KeyError, "wss_endpoints[0].name: 'None' must match"),
        ("server_names", [], "wss_endpoints[0].server_names: must be a non-empty list"),
        ("server_names", ["bad name"], "wss_endpoints[0].server_names[0]: 'bad name' is neither"),
        ("listen", 80, "wss_endpoints[0].listen: port 80 is the plain-HTTP redirect"),
        ("listen", 70000, "wss_endpoints[0].listen: '70000' is not a port number"),
        ("certificate", {"source": "letsencrypt"}, "certificate.source: 'letsencrypt' is not one"),
        ("certificate", {"key_type": "dsa"}, "certificate.key_type: 'dsa' is not one"),
        ("certificate", {"source": "provided"}, "source 'provided' needs either cert_src"),
        ("locations", [], "wss_endpoints[0].locations: must be a non-empty list"),
        ("locations.0.backends", ["127.0.0.1"], "locations[0].backends[0]: '127.0.0.1' is not"),
        ("locations.0.backends", [], "locations[0].backends: must be a non-empty list"),
        ("locations.0.path", "ws", "locations[0].path: 'ws' must start with '/'"),
        ("locations.1.path", "/ws", "locations[1].path: '/ws' appears twice"),
        ("locations.0.read_timeout", "forever", "read_timeout: 'forever' is not an nginx time"),
        ("locations.0.allowed_origins", ["chat.example.com"], "allowed_origins[0]: 'chat.exa"),
        ("locations.0.allowed_origins", ["https://a.example/x"], "is not an origin"),
        ("locations.0.buffer_size", "1m", "locations[0].buffer_size: '1m' is not one of 2k, 4k,"),
        ("locations.0.limit_conn", -1, "locations[0].limit_conn: '-1' is not a whole number"),
    ],
)
def test_each_rule_names_the_variable(path: str, value: object, message: str) -> None:
    errors = endpoint_errors(with_change(path, value))
    assert any(message in error for error in errors), errors


def test_duplicate_name_and_port_clash() -> None:
    second = copy.deepcopy(GOOD)
    third = copy.deepcopy(GOOD)
    third["name"] = "other"
    errors = endpoint_errors([GOOD, second, third])
    assert "wss_endpoints[1].name: 'chat' is already used by wss_endpoints[0]" in errors
    assert any(
        e.startswith("wss_endpoints[2]: port 443 with server name 'chat.example.com' clashes")
        for e in errors
    ), errors


def test_same_port_different_names_is_fine() -> None:
    other = copy.deepcopy(GOOD)
    other["name"] = "other"
    other["server_names"] = ["other.example.com"]
    assert endpoint_errors([GOOD, other]) == []


@pytest.mark.parametrize(
    ("endpoints", "backend", "message"),
    [
        (None, None, "wss_endpoints: no endpoints; set wss_endpoints"),
        ([], "127.0.0.1", "wss_backend: '127.0.0.1' is not 'host:port'"),
        ([GOOD], "127.0.0.1:1", "wss_backend: set either wss_backend"),
        ({"name": "x"}, None, "wss_endpoints: must be a list"),
        (["chat"], None, "wss_endpoints[0]: must be a mapping"),
    ],
)
def test_top_level_errors(endpoints: object, backend: str | None, message: str) -> None:
    errors = endpoint_errors(endpoints, backend=backend)
    assert any(message in error for error in errors), errors


def test_seed_shorthand_is_one_endpoint() -> None:
    assert endpoint_errors([], backend="127.0.0.1:19808", hostname="your.domain.com") == []
    (endpoint,) = normalize([], backend="127.0.0.1:19808", hostname="your.domain.com")
    assert endpoint["name"] == "default"
    assert endpoint["server_names"] == ["your.domain.com"]
    assert [b["address"] for b in endpoint["locations"][0]["backends"]] == ["127.0.0.1:19808"]
    assert endpoint["locations"][0]["read_timeout"] == "1h"
    assert endpoint["check_url"] == "wss://127.0.0.1:443/"
    assert endpoint["check_server_hostname"] == "your.domain.com"


def test_normalize_derives_shared_facts() -> None:
    (endpoint,) = normalize([GOOD], tls_dir="/srv/tls")
    assert endpoint["dns_names"] == ["chat.example.com"]
    assert endpoint["ip_addresses"] == ["10.0.0.5", "2001:db8::1"]
    assert endpoint["cert_file"] == "/srv/tls/chat/fullchain.pem"
    assert endpoint["key_file"] == "/srv/tls/chat/privkey.pem"
    assert endpoint["certificate"] == {"source": "selfsigned", "key_type": "ecdsa"}
    assert [loc["upstream"] for loc in endpoint["locations"]] == ["wss_chat_0", "wss_chat_1"]
    assert endpoint["locations"][1]["read_timeout"] == "10m"
    assert endpoint["locations"][1]["send_timeout"] == "1h"
    assert endpoint["check_url"] == "wss://127.0.0.1:443/ws"


def test_provided_on_host_keeps_its_paths() -> None:
    endpoint = copy.deepcopy(GOOD)
    endpoint["certificate"] = {
        "source": "provided",
        "cert_path": "/etc/ssl/chat.pem",
        "key_path": "/etc/ssl/private/chat.key",
    }
    assert endpoint_errors([endpoint]) == []
    (normal,) = normalize([endpoint])
    assert normal["cert_file"] == "/etc/ssl/chat.pem"
    assert normal["key_file"] == "/etc/ssl/private/chat.key"


def test_normalize_does_not_mutate_input() -> None:
    endpoint = copy.deepcopy(GOOD)
    normalize([endpoint])
    assert endpoint == GOOD


ACME = {
    "name": "public",
    "server_names": ["chat.example.com", "www.example.com"],
    "certificate": {"source": "acme"},
    "locations": [{"path": "/", "backends": ["127.0.0.1:19808"]}],
}


def test_acme_endpoint_accepted_and_normalised() -> None:
    assert endpoint_errors([ACME]) == []
    (endpoint,) = normalize([ACME], tls_dir="/etc/tls")
    assert endpoint["cert_file"] == "/etc/tls/public/fullchain.pem"
    assert endpoint["check_ca_path"] == "/etc/tls/acme-roots.pem"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "192.0.2.7",
            "wss_endpoints[0].server_names[1]: '192.0.2.7' is an IP address; certificate source 'acme'",
        ),
        (
            "*.example.com",
            "wss_endpoints[0].server_names[1]: '*.example.com' is a wildcard; certificate source 'acme'",
        ),
    ],
)
def test_acme_refuses_what_http01_cannot_validate(name: str, message: str) -> None:
    endpoint = copy.deepcopy(ACME)
    endpoint["server_names"][1] = name
    errors = endpoint_errors([endpoint])
    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_check_trusts_the_source_roots() -> None:
    provided = copy.deepcopy(ACME)
    provided["certificate"] = {"source": "provided", "cert_src": "a.pem", "key_src": "k.pem"}
    selfsigned = copy.deepcopy(ACME)
    selfsigned["certificate"] = {"source": "selfsigned"}
    assert normalize([provided], tls_dir="/t")[0]["check_ca_path"] is None
    assert normalize([selfsigned], tls_dir="/t")[0]["check_ca_path"] == "/t/ca.pem"
