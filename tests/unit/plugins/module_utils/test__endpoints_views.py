"""Where verify_wss checks from (wss_verify_from) and what a client elsewhere dials
(wss_public_address, wss_public_ports): validated with the endpoints, one message each."""

from __future__ import annotations

import pytest

from ansible_collections.wss.gateway.plugins.filter.endpoints import endpoint_validation
from ansible_collections.wss.gateway.plugins.module_utils._endpoints import verify_views

GROUPS = {
    "all": ["gw1", "gw2", "probe1", "probe2"],
    "wss": ["gw1", "gw2"],
    "probes": ["probe1", "probe2"],
    "empty": [],
}
ENDPOINTS = [
    {
        "name": "chat",
        "server_names": ["chat.example.com", "*.chat.example.com", "192.0.2.7"],
        "locations": [
            {
                "path": "/ws",
                "backends": ["127.0.0.1:1"],
                "allowed_origins": ["https://chat.example.com"],
            }
        ],
    },
    {
        "name": "feed",
        "server_names": ["*.feed.example.com"],
        "listen": 8443,
        "certificate": {"source": "provided", "cert_src": "/c.pem", "key_src": "/k.pem"},
        "locations": [{"backends": ["127.0.0.1:2"]}],
    },
]


def validation(**settings: object) -> dict:
    return endpoint_validation(ENDPOINTS, settings={"inventory_groups": GROUPS, **settings})


@pytest.mark.parametrize(
    ("value", "views"),
    [
        (None, [{"view": "host", "probe": None}]),
        ("controller", [{"view": "controller", "probe": "localhost"}]),
        (
            "host, controller",
            [{"view": "host", "probe": None}, {"view": "controller", "probe": "localhost"}],
        ),
        (
            ["probes"],
            [
                {"view": "probes:probe1", "probe": "probe1"},
                {"view": "probes:probe2", "probe": "probe2"},
            ],
        ),
    ],
)
def test_views(value: object, views: list) -> None:
    assert verify_views(value, GROUPS) == ([], views)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            7,
            "wss_verify_from: must be host, controller or an inventory group (or a list of them), got int",
        ),
        ([], "wss_verify_from: is empty; name host, controller or an inventory group"),
        (["host", "host"], "wss_verify_from[1]: 'host' is listed twice"),
        (
            ["nowhere"],
            "wss_verify_from[0]: 'nowhere' is neither host nor controller nor a group of the inventory",
        ),
        (["empty"], "wss_verify_from[0]: the inventory group 'empty' has no hosts to probe from"),
        (["a b"], "wss_verify_from[0]: 'a b' is not host, controller or an inventory group name"),
        ([None], "wss_verify_from[0]: 'None' is not host, controller or an inventory group name"),
    ],
)
def test_bad_views_are_named(value: object, message: str) -> None:
    result = validation(wss_verify_from=value)
    assert result["endpoints"] == []
    assert [error for error in result["errors"] if error.startswith(message)] != [], result[
        "errors"
    ]


def test_public_checks_dial_every_concrete_name_on_the_listen_port() -> None:
    chat, feed = validation(wss_verify_from="controller")["endpoints"]
    assert chat["public_checks"] == [
        {
            "url": "wss://chat.example.com:443/ws",
            "server_hostname": "chat.example.com",
            "origin": "https://chat.example.com",
        },
        {
            "url": "wss://192.0.2.7:443/ws",
            "server_hostname": "192.0.2.7",
            "origin": "https://chat.example.com",
        },
    ]
    # Only wildcards: the concrete name the host's own check uses (check_name's default).
    assert feed["public_checks"] == [
        {
            "url": "wss://wss-check.feed.example.com:8443/",
            "server_hostname": "wss-check.feed.example.com",
        }
    ]


def test_public_address_and_ports() -> None:
    chat, feed = validation(wss_public_address="2001:DB8::1", wss_public_ports={"443": 18443})[
        "endpoints"
    ]
    assert [c["url"] for c in chat["public_checks"]] == ["wss://[2001:db8::1]:18443/ws"] * 2
    assert [c["server_hostname"] for c in chat["public_checks"]] == [
        "chat.example.com",
        "192.0.2.7",
    ]
    assert feed["public_checks"][0]["url"] == "wss://[2001:db8::1]:8443/"
    (chat, _feed) = validation(wss_public_address="LB.Example.com")["endpoints"]
    assert chat["public_checks"][0]["url"] == "wss://lb.example.com:443/ws"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"wss_public_address": "*.example.com"},
            "wss_public_address: '*.example.com' is neither an IP address (no zone ID) nor a DNS name",
        ),
        ({"wss_public_address": ["10.0.0.1"]}, "wss_public_address: "),
        ({"wss_public_address": "fe80::1%eth0"}, "wss_public_address: 'fe80::1%eth0' is neither"),
        (
            {"wss_public_ports": [443]},
            "wss_public_ports: must be a mapping of listen port to public port",
        ),
        (
            {"wss_public_ports": {"https": 1}},
            "wss_public_ports: key 'https' is not a port number 1-65535",
        ),
        (
            {"wss_public_ports": {9443: 1}},
            "wss_public_ports[9443]: no endpoint of this host listens on port 9443 (listen ports: 443, 8443)",
        ),
        ({"wss_public_ports": {443: 0}}, "wss_public_ports[443]: '0' is not a port number 1-65535"),
        (
            {"wss_public_ports": {443: "x"}},
            "wss_public_ports[443]: 'x' is not a port number 1-65535",
        ),
    ],
)
def test_bad_public_settings_are_named(settings: dict, message: str) -> None:
    result = validation(**settings)
    assert result["endpoints"] == []
    assert any(error.startswith(message) for error in result["errors"]), result["errors"]
