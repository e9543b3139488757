"""Server names as the site matches them: wildcards of one label, the live check's name, the
one endpoint per port that answers without SNI (module_utils/_endpoints.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    endpoint_errors,
    name_pattern,
    normalize,
)

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
BASE = st.lists(LABEL, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "test"]))
# Anything a Host or SNI could carry in place of one label, hostile characters included.
OTHER = st.text(alphabet=st.sampled_from(list("aZ09-._*#?@:/%\\ \n")), max_size=12)


def endpoint(names: list[str], **changes: object) -> dict:
    return {
        "name": "chat",
        "server_names": names,
        "locations": [{"path": "/", "backends": ["127.0.0.1:1"]}],
        **changes,
    }


def matches(pattern: str, name: str) -> bool:
    """As nginx applies the pattern (PCRE, the same semantics for this syntax): anchored by
    the pattern itself, without regard to letter case."""
    return re.search(pattern, name, re.IGNORECASE) is not None


@settings(max_examples=150, derandomize=True, database=None)
@given(base=BASE, label=LABEL, deeper=LABEL)
def test_a_wildcard_matches_exactly_one_label(base: str, label: str, deeper: str) -> None:
    for trailing_dot in (False, True):
        pattern = name_pattern(f"*.{base}", trailing_dot)
        assert matches(pattern, f"{label}.{base}")
        assert matches(pattern, f"{label.upper()}.{base}")
        assert not matches(pattern, f"{deeper}.{label}.{base}")
        assert not matches(pattern, base)
        assert not matches(pattern, f".{base}")
        assert not matches(pattern, f"{label}.{base}x")
        assert not matches(pattern, f"{label}x{base}")
        assert matches(pattern, f"{label}.{base}.") == trailing_dot


@settings(max_examples=150, derandomize=True, database=None)
@given(base=BASE, other=OTHER)
def test_a_wildcard_label_is_a_host_name_label(base: str, other: str) -> None:
    """What stands for ``*`` is letters, digits and hyphens only: a redirect to a matched
    Host stays a host under the wildcard (no ``#``, ``?``, ``@`` or ``/`` in it)."""
    matched = matches(name_pattern(f"*.{base}"), f"{other}.{base}")
    assert matched == bool(re.fullmatch(r"[A-Za-z0-9-]+", other))


@settings(max_examples=100, derandomize=True, database=None)
@given(name=BASE, other=BASE)
def test_an_exact_name_matches_itself_only(name: str, other: str) -> None:
    pattern = name_pattern(name)
    assert matches(pattern, name)
    assert matches(pattern, name.upper())
    assert matches(pattern, other) == (other == name)
    assert not matches(pattern, f"x.{name}")
    assert not matches(pattern, name.replace(".", "x", 1))


def test_check_name_defaults_to_the_first_name() -> None:
    (chat,) = normalize([endpoint(["chat.example.com", "*.example.com"])])
    assert chat["check"]["server_hostname"] == "chat.example.com"
    (wild,) = normalize([endpoint(["*.example.com", "chat.example.org"])])
    assert wild["check"]["server_hostname"] == "wss-check.example.com"
    assert wild["check_name"] == "wss-check.example.com"


@pytest.mark.parametrize("name", ["Probe.Example.COM", "chat.example.org", "192.0.2.1"])
def test_check_name_is_a_name_the_endpoint_serves(name: str) -> None:
    names = ["*.example.com", "chat.example.org", "192.0.2.1"]
    (normal,) = normalize([endpoint(names, check_name=name)])
    assert normal["check"]["server_hostname"] == name.lower()
    assert normal["check_server_hostname"] == name.lower()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("*.example.com", "'*.example.com' is a wildcard; the live check dials a concrete name"),
        ("a.b.example.com", "'a.b.example.com' is not a name this endpoint serves"),
        ("example.com", "'example.com' is not a name this endpoint serves"),
        ("other.test", "'other.test' is not a name this endpoint serves"),
        ("bad name", "'bad name' is neither a DNS name"),
        (5, "must be a DNS name or IP address, got int"),
    ],
)
def test_check_name_refused(value: object, message: str) -> None:
    errors = endpoint_errors([endpoint(["*.example.com"], check_name=value)])
    assert [e for e in errors if e.startswith("wss_endpoints[0].check_name: ")] == errors
    assert any(message in e for e in errors), errors


def test_check_name_default_too_long_is_refused() -> None:
    base = ".".join(["a" * 61] * 4)  # 247 characters: '*.' fits, 'wss-check.' does not
    errors = endpoint_errors([endpoint([f"*.{base}"])])
    assert errors == [
        "wss_endpoints[0].check_name: the first server name is a wildcard, and 'wss-check'"
        " under it is longer than 253 characters; set check_name to a name under it"
    ]
    assert endpoint_errors([endpoint([f"*.{base}"], check_name=f"a.{base}")]) == []


def test_one_endpoint_per_port_with_ip_addresses() -> None:
    one = endpoint(["one.example.com", "192.0.2.1"], name="one")
    other_port = endpoint(["192.0.2.2"], name="two", listen=8443)
    assert endpoint_errors([one, other_port]) == []
    normal = normalize([one, other_port, endpoint(["three.example.com"], name="three")])
    assert [e["no_sni_default"] for e in normal] == [True, True, False]
    errors = endpoint_errors([one, endpoint(["2001:db8::1"], name="two")])
    assert errors == [
        "wss_endpoints[1]: port 443 has IP addresses among the server names of both 'one' and"
        " 'two'; a client that dials an address sends no SNI, so one endpoint per port can"
        " answer it"
    ]
