"""Issue 14's findings, one named regression test each (each failed on the old validator)."""

from __future__ import annotations

import copy
import re

try:
    from re import _parser
except ImportError:  # Python 3.10 (the oldest column of the version matrix)
    import sre_parse as _parser

import pytest

from ansible_collections.wss.gateway.plugins.filter import endpoint_errors as errors_filter
from ansible_collections.wss.gateway.plugins.filter import endpoint_validation as validation_filter
from ansible_collections.wss.gateway.plugins.module_utils import _endpoints
from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    duration_ms,
    endpoint_errors,
    normalize,
)

OK_LOCATION = {"path": "/", "backends": ["127.0.0.1:19808"]}


def endpoint(**changes: object) -> dict:
    base = {"name": "chat", "server_names": ["chat.example.com"], "locations": [dict(OK_LOCATION)]}
    base.update(copy.deepcopy(changes))
    return base


def location(**changes: object) -> list[dict]:
    return [endpoint(locations=[{**OK_LOCATION, **changes}])]


def only_error(endpoints: object, **kwargs: object) -> str:
    errors = endpoint_errors(endpoints, **kwargs)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    "name",
    ["fe80::1%eth0", "fe80::1%eth0;\n    return 200 x", "fe80::1%25lo"],
)
def test_finding_1_zone_id_in_server_name_is_refused(name: str) -> None:
    error = only_error([endpoint(server_names=[name])])
    assert error.startswith("wss_endpoints[0].server_names[0]: ")
    assert "zone ID" in error
    assert "\n" not in error


@pytest.mark.parametrize("hostname", ["web;01", "web 01", "web\n01", "web_01", "{web}"])
def test_finding_1_shorthand_checks_inventory_hostname(hostname: str) -> None:
    error = only_error([], backend="127.0.0.1:19808", hostname=hostname)
    assert error.startswith("wss_backend: the shorthand serves inventory_hostname")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"name": "chat\n"}, "wss_endpoints[0].name"),
        ({"server_names": ["chat.example.com\n"]}, "wss_endpoints[0].server_names[0]"),
        ({"locations": [{**OK_LOCATION, "path": "/ws\n"}]}, "wss_endpoints[0].locations[0].path"),
        (
            {"locations": [{**OK_LOCATION, "backends": ["127.0.0.1:19808\n"]}]},
            "wss_endpoints[0].locations[0].backends[0]",
        ),
        (
            {"locations": [{**OK_LOCATION, "allowed_origins": ["https://a.example\n"]}]},
            "wss_endpoints[0].locations[0].allowed_origins[0]",
        ),
        (
            {"locations": [{**OK_LOCATION, "read_timeout": "1h\n"}]},
            "wss_endpoints[0].locations[0].read_timeout",
        ),
    ],
)
def test_finding_2_trailing_newline_is_refused(change: dict, where: str) -> None:
    assert only_error([endpoint(**change)]).startswith(where + ": ")


def test_finding_2_newline_name_cannot_slip_past_the_clash_check() -> None:
    first = endpoint()
    second = endpoint(name="other", server_names=["chat.example.com\n"])
    assert endpoint_errors([first, second])[0].startswith("wss_endpoints[1].server_names[0]")


def _nested_repeats(items: object, inside: bool = False) -> list[str]:
    """Repeats (max > 1) that hold another repeat: the shape that backtracks exponentially."""
    found = []
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            if inside:
                found.append(f"{name}{{{low},{high}}}")
            found += _nested_repeats(body, inside or high > 1)
        elif name == "SUBPATTERN":
            found += _nested_repeats(arg[-1], inside)
        elif name == "BRANCH":
            for branch in arg[1]:
                found += _nested_repeats(branch, inside)
        elif name in ("ASSERT", "ASSERT_NOT"):
            found += _nested_repeats(arg[1], inside)
    return found


def test_finding_3_grammars_have_no_nested_quantifiers() -> None:
    patterns = {
        name: value for name, value in vars(_endpoints).items() if isinstance(value, re.Pattern)
    }
    assert "DURATION_RE" in patterns
    nested = {name: _nested_repeats(_parser.parse(p.pattern)) for name, p in patterns.items()}
    assert {name: found for name, found in nested.items() if found} == {}


def test_finding_3_old_catastrophic_value_is_refused() -> None:
    assert duration_ms("1" * 30 + "!") is None
    assert duration_ms("1" * 5000 + "s") is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0", "outside 1s-24d (0 would close every WebSocket at once)"),
        ("0s", "outside 1s-24d"),
        ("1h1h", "is not an nginx time"),
        ("30m1h", "is not an nginx time"),
        ("12345678901234567890", "is not an nginx time"),
        ("25d", "outside 1s-24d"),
        ("500ms", "outside 1s-24d"),
    ],
)
@pytest.mark.parametrize("key", ["read_timeout", "send_timeout"])
def test_finding_3_durations_as_nginx_parses_them(key: str, value: str, fragment: str) -> None:
    error = only_error(location(**{key: value}))
    assert error.startswith(f"wss_endpoints[0].locations[0].{key}: ")
    assert fragment in error


@pytest.mark.parametrize(
    ("value", "millis"),
    [("1h30m", 5400000), ("1d", 86400000), ("90", 90000), ("1m30s", 90000), ("1s500ms", 1500)],
)
def test_finding_3_nginx_times_accepted(value: str, millis: int) -> None:
    assert duration_ms(value) == millis
    assert endpoint_errors(location(read_timeout=value)) == []


def test_finding_4_names_that_share_an_upstream_are_refused() -> None:
    error = only_error([endpoint(name="a-b"), endpoint(name="a_b", server_names=["b.example.com"])])
    assert error.startswith("wss_endpoints[1].name: 'a_b' and wss_endpoints[0].name differ only")


def test_finding_4_upstreams_are_unique() -> None:
    endpoints = [
        endpoint(
            name=name,
            server_names=[f"{name}.example.com"],
            locations=[OK_LOCATION, {**OK_LOCATION, "path": "/x"}],
        )
        for name in ("a-b", "ab", "a-b-0", "a")
    ]
    upstreams = [loc["upstream"] for e in normalize(endpoints) for loc in e["locations"]]
    assert len(upstreams) == len(set(upstreams))


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("https://x.example:443", "https://x.example"),
        ("http://x.example:80", "http://x.example"),
        ("HTTPS://Chat.Example.COM", "https://chat.example.com"),
        ("https://x.example:8443", "https://x.example:8443"),
        ("https://[2001:DB8::0001]:443", "https://[2001:db8::1]"),
    ],
)
def test_finding_5_origins_normalised_as_browsers_send_them(given: str, sent: str) -> None:
    (normal,) = normalize(location(allowed_origins=[given]))
    assert normal["locations"][0]["allowed_origins"] == [sent]
    assert normal["check"]["origin"] == sent


@pytest.mark.parametrize(
    ("origin", "fragment"),
    [
        ("https://x.example/", "no trailing '/'"),
        ("wss://x.example", "scheme 'wss'"),
        ("https://*.example.com", "is not an origin"),
        ("https://x.example:0", "outside 1-65535"),
        ("null", "is not an origin"),
    ],
)
def test_finding_5_origins_refused_saying_why(origin: str, fragment: str) -> None:
    error = only_error(location(allowed_origins=[origin]))
    assert error.startswith("wss_endpoints[0].locations[0].allowed_origins[0]: ")
    assert fragment in error


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"locations": [{**OK_LOCATION, "limit_conn": 65536}]}, "locations[0].limit_conn"),
        ({"locations": [{**OK_LOCATION, "limit_req": 10**7}]}, "locations[0].limit_req"),
        (
            {"locations": [{**OK_LOCATION, "backends": ["unix:/run/a;b.sock"]}]},
            "locations[0].backends[0]",
        ),
        (
            {"locations": [{**OK_LOCATION, "backends": ["unix:/run/a b.sock"]}]},
            "locations[0].backends[0]",
        ),
        (
            {
                "certificate": {
                    "source": "provided",
                    "cert_path": "/etc/ssl/a b.pem",
                    "key_path": "/k.pem",
                }
            },
            "certificate.cert_path",
        ),
        (
            {
                "certificate": {
                    "source": "provided",
                    "cert_path": "/a.pem",
                    "key_path": "/k.pem\nssl_x y",
                }
            },
            "certificate.key_path",
        ),
        (
            {
                "certificate": {
                    "source": "provided",
                    "cert_path": "relative.pem",
                    "key_path": "/k.pem",
                }
            },
            "certificate.cert_path",
        ),
    ],
)
def test_finding_6_bounds_and_paths_name_the_variable(change: dict, where: str) -> None:
    assert only_error([endpoint(**change)]).startswith(f"wss_endpoints[0].{where}: ")


@pytest.mark.parametrize(
    "hostile",
    [
        {"certificate": "selfsigned"},
        {"certificate": ["acme"]},
        {"locations": "/"},
        {"locations": [None]},
        {"server_names": "chat.example.com"},
        {"server_names": [None, 3, {"a": 1}]},
        {"listen": "https"},
        {"listen": True},
        {"name": ["chat"]},
        {
            "locations": [
                {"path": 1, "backends": [None], "allowed_origins": "x", "limit_conn": "many"}
            ]
        },
    ],
)
def test_finding_7_public_filters_are_total(hostile: dict) -> None:
    filters = {
        **errors_filter.FilterModule().filters(),
        **validation_filter.FilterModule().filters(),
    }
    errors = filters["endpoint_errors"]([endpoint(**hostile)])
    assert errors
    assert all(error.startswith("wss_endpoints[0]") for error in errors), errors
    result = filters["endpoint_validation"]([endpoint(**hostile)])
    assert result == {"errors": errors, "endpoints": [], "views": []}
