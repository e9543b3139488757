"""wss_trusted_proxies and proxy_protocol in the validator: the CIDR grammar (examples and
hypothesis properties against ipaddress) and the rules between them and the endpoints."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    network,
    trusted_proxies,
    validate,
)

PROXIES = {"wss_trusted_proxies": ["10.0.0.0/8"]}


def endpoint(name: str = "chat", **changes: object) -> dict:
    return {
        "name": name,
        "server_names": [f"{name}.example.com"],
        "locations": [{"backends": ["127.0.0.1:19808"]}],
        **changes,
    }


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.0.2.7", "192.0.2.7/32"),
        ("192.0.2.7/32", "192.0.2.7/32"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:db8:0:0::1", "2001:db8::1/128"),
        ("::1/128", "::1/128"),
        ("0.0.0.0/1", "0.0.0.0/1"),
    ],
)
def test_network_accepted_and_normalised(value: str, normal: str) -> None:
    assert network(value) == (normal, None)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("10.0.0.1/8", "has bits set after the prefix; the network is '10.0.0.0/8'"),
        ("0.0.0.0/0", "trusts every address"),
        ("::/0", "trusts every address"),
        ("10.0.0.0/33", "has prefix /33, longer than 32 bits"),
        ("::1/129", "longer than 128 bits"),
        ("fe80::1%eth0", "is not an IPv4 or IPv6 address or CIDR"),
        ("10.0.0.0/8\n", "is not an IPv4 or IPv6 address or CIDR"),
        ("10.0.0.0/8;", "is not an IPv4 or IPv6 address or CIDR"),
        ("unix:", "is not an IPv4 or IPv6 address or CIDR"),
        ("localhost", "is not an IPv4 or IPv6 address or CIDR"),
        ("010.0.0.1", "is not an IPv4 or IPv6 address or CIDR"),
        ("", "is not an IPv4 or IPv6 address or CIDR"),
        (None, "got NoneType"),
        (8, "got int"),
    ],
)
def test_network_refused(value: object, fragment: str) -> None:
    normal, problem = network(value)
    assert normal is None
    assert fragment in problem


def test_list_rules() -> None:
    assert trusted_proxies(None) == ([], [])
    assert trusted_proxies([]) == ([], [])
    errors, normal = trusted_proxies(["10.0.0.1", "10.0.0.1/32"])
    assert errors == [
        "wss_trusted_proxies[1]: '10.0.0.1/32' is the same network as wss_trusted_proxies[0]"
    ]
    assert normal == []
    assert trusted_proxies({"a": 1})[0] == [
        "wss_trusted_proxies: must be a list of addresses or CIDRs such as ['10.0.0.0/8'], got dict"
    ]


NETWORKS = st.one_of(
    st.builds(
        lambda address, prefix: ipaddress.ip_network(f"{address}/{prefix}", strict=False),
        st.ip_addresses(v=4),
        st.integers(1, 32),
    ),
    st.builds(
        lambda address, prefix: ipaddress.ip_network(f"{address}/{prefix}", strict=False),
        st.ip_addresses(v=6),
        st.integers(1, 128),
    ),
)


@settings(max_examples=300, derandomize=True, database=None)
@given(NETWORKS)
def test_property_every_network_is_accepted_as_ipaddress_writes_it(net) -> None:
    assert network(str(net)) == (str(net), None)
    assert network(str(net).upper()) == (str(net), None)


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789abcdefABCDEF:./%;{} \n#$x")), max_size=50))
def test_property_whatever_is_accepted_is_an_exact_network(text: str) -> None:
    normal, problem = network(text)
    if normal is None:
        assert problem and "\n" not in problem
        return
    parsed = ipaddress.ip_network(normal)  # strict: no host bits
    assert parsed.prefixlen > 0
    assert str(parsed) == normal
    assert ipaddress.ip_network(text if "/" in text else f"{text}/{parsed.max_prefixlen}") == parsed


def test_proxy_protocol_needs_trusted_proxies() -> None:
    errors = validate([endpoint(proxy_protocol=True)], settings={"wss_trusted_proxies": []})[0]
    assert errors == [
        "wss_endpoints[0].proxy_protocol: true needs wss_trusted_proxies, the addresses of the"
        " load balancers that send the PROXY header (no other is taken at its word)"
    ]
    # A bad list is one message, not two.
    errors = validate([endpoint(proxy_protocol=True)], settings={"wss_trusted_proxies": ["x"]})[0]
    assert len(errors) == 1
    assert errors[0].startswith("wss_trusted_proxies[0]:")


def test_certificate_role_settings_do_not_judge_proxy_protocol() -> None:
    """The certificate role validates without the proxy role's settings."""
    assert validate([endpoint(proxy_protocol=True)], settings={})[0] == []


def test_one_port_one_proxy_protocol_setting() -> None:
    endpoints = [
        endpoint("a", proxy_protocol=True, listen=8443),
        endpoint("b", proxy_protocol=True, listen=8443),
        endpoint("c", listen=8443),
        endpoint("d"),
    ]
    errors = validate(endpoints, settings=PROXIES)[0]
    assert errors == [
        "wss_endpoints[2].proxy_protocol: false on port 8443, where endpoint 'a' has true; nginx"
        " accepts PROXY headers per port, so every endpoint on a port must agree"
    ]


def test_normalised_endpoints_carry_the_real_ip_settings() -> None:
    errors, (plain, proxied) = validate(
        [endpoint(), endpoint("lb", listen=8443, proxy_protocol="yes")],
        settings={"wss_trusted_proxies": ["2001:DB8::/32", "192.0.2.7"]},
    )
    assert errors == []
    assert plain["proxy_protocol"] is False
    assert plain["real_ip_header"] == "X-Forwarded-For"
    assert "proxy_protocol" not in plain["check"]
    assert proxied["proxy_protocol"] is True
    assert proxied["real_ip_header"] == "proxy_protocol"
    assert proxied["check"]["proxy_protocol"] is True
    assert (
        plain["trusted_proxies"]
        == proxied["trusted_proxies"]
        == [
            "2001:db8::/32",
            "192.0.2.7/32",
        ]
    )
