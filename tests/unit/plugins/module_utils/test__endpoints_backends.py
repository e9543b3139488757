"""Balancing and per-backend options: what the validator accepts, normalises and refuses."""

from __future__ import annotations

import pytest

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    endpoint_errors,
    normalize,
)


def endpoints(**location: object) -> list[dict]:
    return [
        {
            "name": "chat",
            "server_names": ["chat.example.com"],
            "locations": [{"backends": ["127.0.0.1:1", "127.0.0.1:2"], **location}],
        }
    ]


def test_string_and_mapping_backends_normalise_alike() -> None:
    (endpoint,) = normalize(
        endpoints(backends=["LOCALHOST:01", {"address": "[::1]:2", "weight": "2", "down": "yes"}])
    )
    location = endpoint["locations"][0]
    assert location["backends"] == [
        {
            "address": "localhost:1",
            "weight": 1,
            "max_fails": 1,
            "fail_timeout": "10s",
            "backup": False,
            "down": False,
        },
        {
            "address": "[::1]:2",
            "weight": 2,
            "max_fails": 1,
            "fail_timeout": "10s",
            "backup": False,
            "down": True,
        },
    ]
    assert location["balance"] == "round_robin"
    assert location["next_upstream_tries"] == 3


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ({"balance": "random"}, "locations[0].balance: 'random' is not one of round_robin, least_conn, ip_hash, hash"),
        ({"hash_key": "$uri"}, "locations[0].hash_key: only with balance 'hash' (this location has 'round_robin')"),
        ({"balance": "ip_hash", "consistent": True}, "locations[0].consistent: only with balance 'hash'"),
        ({"balance": "hash", "hash_key": "$remote_addr$uri"}, "locations[0].hash_key: '$remote_addr$uri' is not one of"),
        ({"balance": "hash", "hash_key": "$request_body"}, "locations[0].hash_key: '$request_body' is not one of"),
        ({"balance": "hash", "hash_key": "$arg_A"}, "locations[0].hash_key: '$arg_A' is not one of"),
        ({"balance": "hash", "hash_key": "$remote_addr\n"}, "locations[0].hash_key: '$remote_addr\\n'"),
        ({"balance": "hash", "consistent": "maybe"}, "locations[0].consistent: 'maybe' is not a boolean"),
        (
            {"balance": "hash", "backends": ["127.0.0.1:1", {"address": "127.0.0.1:2", "backup": True}]},
            "locations[0].backends[1].backup: balance 'hash' cannot have backup backends",
        ),
        (
            {"balance": "ip_hash", "backends": ["127.0.0.1:1", {"address": "127.0.0.1:2", "backup": True}]},
            "locations[0].backends[1].backup: balance 'ip_hash' cannot have backup backends",
        ),
        ({"backends": [{"address": "127.0.0.1:1", "weight": 0}]}, "locations[0].backends[0].weight: '0' is not a whole number 1-1000"),
        ({"backends": [{"address": "127.0.0.1:1", "weight": 1001}]}, "locations[0].backends[0].weight: '1001' is not"),
        ({"backends": [{"address": "127.0.0.1:1", "weight": True}]}, "locations[0].backends[0].weight: 'True' is not"),
        ({"backends": [{"address": "127.0.0.1:1", "max_fails": -1}]}, "locations[0].backends[0].max_fails: '-1' is not a whole number 1-100, or 0"),
        ({"backends": [{"address": "127.0.0.1:1", "fail_timeout": "0"}]}, "locations[0].backends[0].fail_timeout: '0' is outside 1s-1h"),
        ({"backends": [{"address": "127.0.0.1:1", "fail_timeout": "2h"}]}, "locations[0].backends[0].fail_timeout: '2h' is outside 1s-1h"),
        ({"backends": [{"address": "127.0.0.1:1", "backup": "maybe"}]}, "locations[0].backends[0].backup: 'maybe' is not a boolean"),
        ({"backends": [{"address": "127.0.0.1:1", "drain": True}]}, "locations[0].backends[0]: unknown key 'drain'"),
        ({"backends": [{"weight": 2}]}, "locations[0].backends[0].address: must be a string 'host:port', got NoneType"),
        ({"backends": [{"address": "127.0.0.1:1 down"}]}, "locations[0].backends[0].address: '127.0.0.1:1 down' is not 'host:port'"),
        ({"backends": [7]}, "locations[0].backends[0]: must be 'host:port' or a mapping with 'address', got int"),
        ({"backends": ["127.0.0.1:1", "127.0.0.1:01"]}, "locations[0].backends[1]: '127.0.0.1:1' is listed twice (also backends[0])"),
        (
            {"backends": [{"address": "127.0.0.1:1", "down": True}, {"address": "127.0.0.1:2", "down": "true"}]},
            "locations[0].backends: every backend is down; at least one must take new connections",
        ),
        ({"backends": [{"address": "127.0.0.1:1", "backup": True}]}, "locations[0].backends: every backend is a backup"),
        ({"next_upstream_tries": 0}, "locations[0].next_upstream_tries: '0' is not a whole number 1-100"),
        ({"connect_timeout": "76s"}, "locations[0].connect_timeout: '76s' is outside 1s-75s"),
        ({"connect_timeout": "5x"}, "locations[0].connect_timeout: '5x' is not an nginx time"),
    ],
)  # fmt: skip
def test_refused_with_a_named_error(location: dict, message: str) -> None:
    errors = endpoint_errors(endpoints(**location))
    assert any(error.startswith(f"wss_endpoints[0].{message}") for error in errors), errors


@pytest.mark.parametrize(
    "location",
    [
        {"balance": "least_conn", "backends": ["127.0.0.1:1", {"address": "127.0.0.1:2", "backup": True}]},
        {"balance": "hash", "hash_key": "$cookie_io", "consistent": False},
        {"balance": "ip_hash", "backends": ["127.0.0.1:1", {"address": "127.0.0.1:2", "down": True}]},
        {"backends": [{"address": "127.0.0.1:1", "down": True}, {"address": "127.0.0.1:2", "backup": True}]},
        {"backends": [{"address": "127.0.0.1:1", "max_fails": 0, "weight": "1000"}]},
    ],
)  # fmt: skip
def test_accepted(location: dict) -> None:
    assert endpoint_errors(endpoints(**location)) == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"nginx_status_listen": "0.0.0.0:8089"}, "nginx_status_listen: '0.0.0.0:8089' is not on a loopback address"),
        ({"nginx_status_listen": "192.0.2.1:8089"}, "nginx_status_listen: '192.0.2.1:8089' is not on a loopback"),
        ({"nginx_status_listen": "localhost:8089"}, "nginx_status_listen: 'localhost:8089' is not on a loopback"),
        ({"nginx_status_listen": "8089"}, "nginx_status_listen: '8089' is not an address:port"),
        ({"nginx_status_listen": "127.0.0.1:8089;"}, "nginx_status_listen: '127.0.0.1:8089;' is not an address:port"),
        ({"nginx_status_listen": "127.0.0.1:80"}, "nginx_status_listen: '127.0.0.1:80' uses port 80"),
        ({"nginx_status_listen": "127.0.0.1:443"}, "nginx_status_listen: port 443 is the TLS port of endpoint 'chat'"),
        ({"nginx_exporter_listen": "unix:/run/x.sock"}, "nginx_exporter_listen: 'unix:/run/x.sock' is not an address:port"),
        ({"nginx_exporter_listen": "metrics.example:9113"}, "nginx_exporter_listen: 'metrics.example:9113' is not on an IP"),
        ({"wss_metrics_exporter": "maybe"}, "wss_metrics_exporter: 'maybe' is not a boolean"),
        ({"nginx_tls_prefer_aes128": "maybe"}, "nginx_tls_prefer_aes128: 'maybe' is not a boolean"),
        ({"nginx_tls13_tickets": 11}, "nginx_tls13_tickets: '11' is not a whole number 0-10"),
        ({"nginx_tls13_tickets": "1;"}, "nginx_tls13_tickets: '1;' is not a whole number 0-10"),
        ({"nginx_tls13_tickets": -1}, "nginx_tls13_tickets: '-1' is not a whole number 0-10"),
    ],
)  # fmt: skip
def test_monitoring_listeners_are_checked(settings: dict, message: str) -> None:
    errors = endpoint_errors(endpoints(), settings=settings)
    assert [error for error in errors if error.startswith(message)], errors


@pytest.mark.parametrize(
    "settings",
    [
        {"nginx_status_listen": "127.0.0.2:8089", "nginx_exporter_listen": "0.0.0.0:9113"},
        {"nginx_status_listen": "[::1]:8089", "wss_metrics_exporter": "yes"},
        {"nginx_status_listen": ""},
        {"nginx_tls_prefer_aes128": "false", "nginx_tls13_tickets": "0"},
        {"nginx_tls_prefer_aes128": True, "nginx_tls13_tickets": 10},
    ],
)
def test_monitoring_listeners_accepted(settings: dict) -> None:
    assert endpoint_errors(endpoints(), settings=settings) == []
