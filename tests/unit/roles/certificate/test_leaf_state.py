# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Whether the current internal-CA certificate of an endpoint is due and whether it stays
(leaf_state, the filter wss.gateway.leaf_state), with real certificates made here: each
condition that makes the role sign again is shown to flip the answer on its own."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.wss.gateway.plugins.module_utils._certificate_checks import leaf_state

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.timezone.utc)  # noqa: UP017
ENDPOINT = {
    "server_names": ["chat.example.com", "10.0.0.5"],
    "dns_names": ["chat.example.com"],
    "ip_addresses": ["10.0.0.5"],
}


def ca(name: str = "wss.gateway internal CA") -> tuple:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


CA = ca()
OTHER_CA = ca()  # the same name, another key
LEAF_KEY = ec.generate_private_key(ec.SECP256R1())


def fingerprint(key) -> str:
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(public).hexdigest()
    return ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))


def pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def leaf(
    *,
    issuer=CA,
    key=LEAF_KEY,
    days: float = 90,
    common_name: str | None = "chat.example.com",
    dns=("chat.example.com",),
    ips=("10.0.0.5",),
    authority: bool = True,
) -> str:
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    )
    sans = [x509.DNSName(name) for name in dns] + [
        x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips
    ]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(minutes=5))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
    )
    if authority:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    return pem(builder.sign(issuer[1], hashes.SHA256()))


def state(text: str, **options) -> dict:
    given = {"renew_days": 30, "key_sha256": fingerprint(LEAF_KEY), "ca": pem(CA[0])}
    return leaf_state(text, options.pop("endpoint", ENDPOINT), now=NOW, **{**given, **options})


def test_a_fitting_certificate_stays() -> None:
    assert state(leaf()) == {"due": False, "keep": True}


def test_names_compare_without_case_or_order() -> None:
    endpoint = {**ENDPOINT, "dns_names": ["CHAT.example.com"]}
    assert state(leaf(), endpoint=endpoint)["keep"] is True


@pytest.mark.parametrize(
    ("text", "options"),
    [
        pytest.param(leaf(dns=("chat.example.com", "old.example.com")), {}, id="a name more"),
        pytest.param(leaf(ips=()), {}, id="an address less"),
        pytest.param(leaf(common_name="other.example.com"), {}, id="another common name"),
        pytest.param(leaf(common_name=None), {}, id="no common name"),
        pytest.param(leaf(key=ec.generate_private_key(ec.SECP256R1())), {}, id="another key"),
        pytest.param(leaf(issuer=OTHER_CA), {}, id="another CA of the same name"),
        pytest.param(leaf(authority=False), {}, id="no authority key identifier"),
        pytest.param(leaf(), {"key_sha256": ""}, id="key fingerprint unknown"),
        pytest.param(leaf(), {"ca": ""}, id="no CA yet"),
        pytest.param(leaf(), {"ca": "not a certificate"}, id="CA unreadable"),
    ],
)
def test_a_certificate_that_no_longer_fits_is_signed_again(text: str, options: dict) -> None:
    assert state(text, **options) == {"due": False, "keep": False}


def test_due_within_renew_days_and_not_kept() -> None:
    assert state(leaf(days=29.9)) == {"due": True, "keep": False}
    assert state(leaf(days=30.1)) == {"due": False, "keep": True}
    assert state(leaf(days=10), renew_days=5) == {"due": False, "keep": True}


def test_long_first_name_means_no_common_name() -> None:
    name = "a" * 60 + ".example.com"
    endpoint = {"server_names": [name], "dns_names": [name], "ip_addresses": []}
    assert state(leaf(common_name=None, dns=(name,), ips=()), endpoint=endpoint)["keep"] is True
    assert (
        state(leaf(common_name="x.example.com", dns=(name,), ips=()), endpoint=endpoint)["keep"]
        is False
    )


def test_during_a_rotation_names_and_expiry_are_enough() -> None:
    old = leaf(issuer=OTHER_CA)
    assert state(old, rotating=True) == {"due": False, "keep": True}
    assert state(leaf(issuer=OTHER_CA, ips=()), rotating=True)["keep"] is False
    assert state(leaf(issuer=OTHER_CA, days=3), rotating=True) == {"due": True, "keep": False}


@pytest.mark.parametrize(
    "text", ["", "   ", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", None, 5]
)
def test_no_or_unreadable_certificate_is_due(text) -> None:
    assert state(text) == {"due": True, "keep": False}
