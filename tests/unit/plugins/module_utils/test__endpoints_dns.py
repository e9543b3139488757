"""ACME dns-01 (certificate.challenge and certificate.dns): the validator's rules, and properties
of the grammars it writes into certbot's credentials file."""

from __future__ import annotations

import base64
import copy
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    dns_server_error,
    endpoint_errors,
    normalize,
    tsig_key_name_error,
    tsig_secret_error,
)

SECRET = base64.b64encode(bytes(range(64))).decode()
DNS = {"server": "192.0.2.53", "key_name": "acme-update.", "key_secret": SECRET}
WILDCARD = {
    "name": "tenants",
    "server_names": ["example.test", "*.example.test"],
    "certificate": {"source": "acme", "challenge": "dns-01", "dns": DNS},
    "locations": [{"backends": ["127.0.0.1:19808"]}],
}


def with_certificate(**certificate: object) -> list[dict]:
    endpoint = copy.deepcopy(WILDCARD)
    endpoint["certificate"] = certificate
    return [endpoint]


def with_dns(**changes: object) -> list[dict]:
    dns = {**DNS, **changes}
    return with_certificate(
        source="acme", challenge="dns-01", dns={k: v for k, v in dns.items() if v is not None}
    )


def test_wildcard_with_dns01_is_accepted_and_normalised() -> None:
    assert endpoint_errors(copy.deepcopy([WILDCARD])) == []
    (endpoint,) = normalize(copy.deepcopy([WILDCARD]))
    assert endpoint["dns_names"] == ["example.test", "*.example.test"]
    assert endpoint["check_server_hostname"] == "example.test"
    assert endpoint["certificate"] == {
        "source": "acme",
        "key_type": "ecdsa",
        "challenge": "dns-01",
        "dns": {
            "provider": "rfc2136",
            "server": "192.0.2.53",
            "port": 53,
            "key_name": "acme-update.",
            "key_algorithm": "HMAC-SHA512",
            "key_secret": SECRET,
            "propagation_seconds": 60,
        },
    }


def test_http01_stays_the_default() -> None:
    (endpoint,) = normalize(
        [{**WILDCARD, "server_names": ["example.test"], "certificate": {"source": "acme"}}]
    )
    assert endpoint["certificate"]["challenge"] == "http-01"
    assert "dns" not in endpoint["certificate"]
    (endpoint,) = normalize(with_certificate(source="selfsigned"))
    assert "challenge" not in endpoint["certificate"]


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        (
            with_certificate(source="acme"),
            "wss_endpoints[0].server_names[1]: '*.example.test' is a wildcard; certificate source"
            " 'acme' validates wildcards only with challenge 'dns-01' (HTTP-01 cannot)",
        ),
        (
            with_certificate(source="acme", challenge="http-01"),
            "wss_endpoints[0].server_names[1]: '*.example.test' is a wildcard",
        ),
        (
            with_certificate(source="acme", challenge="dns-01"),
            "wss_endpoints[0].certificate.dns.server: challenge 'dns-01' needs the address of the"
            " DNS server that accepts the updates",
        ),
        (
            with_dns(server=None),
            "wss_endpoints[0].certificate.dns.server: challenge 'dns-01' needs the address",
        ),
        (
            with_dns(key_name=None),
            "wss_endpoints[0].certificate.dns.key_name: challenge 'dns-01' needs the name of the"
            " TSIG key",
        ),
        (
            with_dns(key_secret=None),
            "wss_endpoints[0].certificate.dns.key_secret: challenge 'dns-01' needs the TSIG key's"
            " secret",
        ),
        (
            with_dns(key_secret=""),
            "wss_endpoints[0].certificate.dns.key_secret: challenge 'dns-01' needs",
        ),
        (
            with_dns(server="ns1.example.test"),
            "wss_endpoints[0].certificate.dns.server: 'ns1.example.test' is not an IPv4 or IPv6"
            " address",
        ),
        (
            with_dns(port=0),
            "wss_endpoints[0].certificate.dns.port: '0' is not a whole number 1-65535",
        ),
        (
            with_dns(key_name="bad name"),
            "wss_endpoints[0].certificate.dns.key_name: 'bad name' is not a TSIG key name",
        ),
        (
            with_dns(key_algorithm="hmac-sha512"),
            "wss_endpoints[0].certificate.dns.key_algorithm: 'hmac-sha512' is not one of HMAC-SHA512",
        ),
        (
            with_dns(propagation_seconds=3601),
            "wss_endpoints[0].certificate.dns.propagation_seconds: '3601' is not a whole number 0-3600",
        ),
        (
            with_dns(provider="route53"),
            "wss_endpoints[0].certificate.dns.provider: 'route53' is not one of rfc2136",
        ),
        (with_dns(ttl=5), "wss_endpoints[0].certificate.dns: unknown key 'ttl'"),
        (
            with_certificate(source="acme", challenge="dns-02"),
            "wss_endpoints[0].certificate.challenge: 'dns-02' is not one of http-01, dns-01",
        ),
        (
            with_certificate(source="selfsigned", challenge="dns-01"),
            "wss_endpoints[0].certificate.challenge: belongs to source 'acme'",
        ),
        (
            [
                {
                    **WILDCARD,
                    "server_names": ["example.test"],
                    "certificate": {"source": "acme", "dns": DNS},
                }
            ],
            "wss_endpoints[0].certificate.dns: belongs to challenge 'dns-01'",
        ),
        (
            [{**WILDCARD, "server_names": ["example.test", "192.0.2.1"]}],
            "wss_endpoints[0].server_names[1]: '192.0.2.1' is an IP address; certificate source"
            " 'acme' can only validate DNS names",
        ),
    ],
)
def test_each_dns01_rule_is_a_named_error(endpoints: list, message: str) -> None:
    found = endpoint_errors(endpoints)
    assert any(error.startswith(message) for error in found), found


@pytest.mark.parametrize(
    "secret",
    ["not base64!", SECRET[:-1], SECRET + "\n", SECRET.replace("A", "=", 1), "QUJD=A==", "é" * 8],
)
def test_bad_secret_is_refused_without_showing_it(secret: str) -> None:
    found = endpoint_errors(with_dns(key_secret=secret))
    assert len(found) == 1, found
    assert found[0].startswith("wss_endpoints[0].certificate.dns.key_secret: is not")
    assert secret.strip() not in found[0]


def test_dns01_does_not_need_the_port_80_redirect() -> None:
    assert endpoint_errors([WILDCARD], settings={"proxy_http_redirect": False}) == []


def test_ipv6_server_is_normalised() -> None:
    (endpoint,) = normalize(with_dns(server="2001:DB8:0::53"))
    assert endpoint["certificate"]["dns"]["server"] == "2001:db8::53"


# Properties: whatever a grammar accepts is safe in an ini line (no whitespace, '#', ';', '=' in
# names), and what it must accept, it does.
LABEL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(LABEL, min_size=1, max_size=5), st.booleans())
def test_every_dotted_key_name_is_accepted(labels: list[str], final_dot: bool) -> None:
    assert tsig_key_name_error(".".join(labels) + ("." if final_dot else "")) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_an_accepted_key_name_is_one_ini_token(text: str) -> None:
    if tsig_key_name_error(text) is None:
        assert text.isascii() and text.isprintable()
        assert not any(char in text for char in " \t#;=[]\"'")
        assert ".." not in text and not text.startswith(".")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=256))
def test_every_base64_secret_is_accepted(secret: bytes) -> None:
    assert tsig_secret_error(base64.b64encode(secret).decode()) is None


B64_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_an_accepted_secret_decodes_and_a_refused_one_is_never_quoted(text: str) -> None:
    problem = tsig_secret_error(text)
    if problem is None:
        assert set(text) <= B64_ALPHABET
        assert base64.b64decode(text, validate=True)
    else:
        # The message depends on the length alone, so it cannot carry the secret.
        assert problem == tsig_secret_error("!" * len(text)) or "bad padding" in problem


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses())
def test_every_address_is_accepted_as_server(address: object) -> None:
    assert dns_server_error(str(address)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=50))
def test_an_accepted_server_is_an_address(text: str) -> None:
    if dns_server_error(text) is None:
        ipaddress.ip_address(text)
        assert "%" not in text and text.isascii()
