# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Certificate facts and messages: pure, no sockets."""

from __future__ import annotations

import calendar
import ssl

import pytest

from ansible_collections.wss.gateway.plugins.module_utils import _wss_cert as cert

NOW = calendar.timegm((2026, 6, 1, 12, 0, 0))
DAY = 86400

PEERCERT = {
    "subject": ((("commonName", "chat.example.com"),), (("organizationName", "Example, Inc."),)),
    "issuer": ((("countryName", "DE"),), (("organizationName", "Example CA"),)),
    "version": 3,
    "notBefore": "Jan  1 00:00:00 2026 GMT",
    "notAfter": "Jun 15 12:00:00 2026 GMT",
    "subjectAltName": (
        ("DNS", "chat.example.com"),
        ("DNS", "*.chat.example.com"),
        ("IP Address", "127.0.0.1"),
        ("IP Address", "0:0:0:0:0:0:0:1\n"),
    ),
}


def test_info_from_peercert():
    info = cert.info_from_peercert(PEERCERT)
    assert info == {
        "subject": "O=Example\\, Inc.,CN=chat.example.com",
        "common_name": "chat.example.com",
        "sans": ["DNS:chat.example.com", "DNS:*.chat.example.com", "IP:127.0.0.1", "IP:::1"],
        "issuer": "O=Example CA,C=DE",
        "not_after_ts": calendar.timegm((2026, 6, 15, 12, 0, 0)),
    }


@pytest.mark.parametrize("peercert", [{}, None])
def test_info_from_peercert_unverified(peercert):
    assert cert.info_from_peercert(peercert) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ((), ""),
        (((("commonName", "a"),),), "CN=a"),
        (((("commonName", "a"), ("organizationalUnitName", "b")),), "CN=a+OU=b"),
        (((("commonName", " lead"),),), "CN=\\ lead"),
        (((("commonName", "#x"),),), "CN=\\#x"),
        (((("commonName", "a;b=c"),),), "CN=a\\;b\\=c"),
        (((("1.2.3.4", "v"),),), "1.2.3.4=v"),
    ],
)
def test_name_from_peercert(name, expected):
    assert cert.name_from_peercert(name) == expected


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (NOW, "2026-06-01T12:00:00Z"),
        (NOW + 0.9, "2026-06-01T12:00:00Z"),
    ],
)
def test_iso_utc(timestamp, expected):
    assert cert.iso_utc(timestamp) == expected


@pytest.mark.parametrize(
    ("not_after", "expected"),
    [
        (NOW + 14 * DAY, 14),
        (NOW + 14 * DAY - 1, 13),
        (NOW + 1, 0),
        (NOW - 1, -1),
        (NOW - 3 * DAY, -3),
    ],
)
def test_days_left(not_after, expected):
    assert cert.days_left(not_after, NOW) == expected


def test_cert_fields():
    fields = cert.cert_fields(cert.info_from_peercert(PEERCERT), NOW)
    assert fields["not_after"] == "2026-06-15T12:00:00Z"
    assert fields["days_left"] == 14
    assert fields["sans"][0] == "DNS:chat.example.com"
    assert cert.cert_fields(None, NOW) == {
        "subject": None,
        "sans": [],
        "issuer": None,
        "not_after": None,
        "days_left": None,
    }


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (None, []),
        ({"sans": ["DNS:a", "IP:::1"], "common_name": "c"}, ["a", "::1"]),
        ({"sans": [], "common_name": "c"}, ["c"]),
        ({"sans": [], "common_name": None}, []),
    ],
)
def test_cert_names(info, expected):
    assert cert.cert_names(info) == expected


@pytest.mark.parametrize(
    ("days", "minimum", "expected"),
    [
        (None, 14, None),
        (30, 14, None),
        (14, 14, None),
        (5, 14, "certificate expires in 5 days, min_cert_days is 14"),
        (0, 1, "certificate expires in 0 days, min_cert_days is 1"),
        (-2, 1, "certificate has expired, min_cert_days is 1"),
    ],
)
def test_expiry_error(days, minimum, expected):
    assert cert.expiry_error(days, minimum) == expected


INFO = {
    "subject": "CN=chat.example.com",
    "common_name": "chat.example.com",
    "sans": ["DNS:chat.example.com"],
    "issuer": "O=Example CA",
    "not_after_ts": NOW - 3 * DAY - 3600,
}


@pytest.mark.parametrize(
    ("code", "reason", "info", "expected"),
    [
        (
            cert.V_ERR_HOSTNAME_MISMATCH,
            "Hostname mismatch",
            INFO,
            "hostname mismatch: certificate is for chat.example.com, dialled ws.example.com",
        ),
        (
            cert.V_ERR_IP_ADDRESS_MISMATCH,
            "IP address mismatch",
            None,
            "hostname mismatch: certificate is for unknown names, dialled ws.example.com",
        ),
        (
            cert.V_ERR_CERT_HAS_EXPIRED,
            "certificate has expired",
            INFO,
            "certificate has expired (not after 2026-05-29T11:00:00Z, 3 day(s) ago)",
        ),
        (cert.V_ERR_CERT_HAS_EXPIRED, "certificate has expired", None, "certificate has expired"),
        (cert.V_ERR_CERT_NOT_YET_VALID, "x", None, "certificate is not valid yet"),
        (
            cert.V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            "unable to get local issuer certificate",
            INFO,
            "certificate is not trusted: unable to get local issuer certificate "
            "(issuer O=Example CA); set ca_path to the CA that issued it",
        ),
        (
            cert.V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            "self-signed certificate in certificate chain",
            None,
            "certificate is not trusted: self-signed certificate in certificate chain; "
            "set ca_path to the CA that issued it",
        ),
        (26, "unsuitable certificate purpose", None, "certificate verification failed: unsuitable"),
    ],
)
def test_verify_error_message(code, reason, info, expected):
    assert cert.verify_error_message(code, reason, "ws.example.com", info, NOW).startswith(expected)


def test_info_from_der_matches_peercert_form():
    trustme = pytest.importorskip("trustme")
    pytest.importorskip("cryptography")
    ca = trustme.CA(organization_name="Example CA")
    leaf = ca.issue_cert("chat.example.com", "127.0.0.1", "::1", common_name="chat.example.com")
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    info = cert.info_from_der(der)
    assert info["common_name"] == "chat.example.com"
    assert info["subject"].startswith("CN=chat.example.com")
    assert "O=Example CA" in info["issuer"]
    assert info["sans"] == ["DNS:chat.example.com", "IP:127.0.0.1", "IP:::1"]
    assert cert.iso_utc(info["not_after_ts"]) == "3000-01-01T00:00:00Z"


@pytest.mark.parametrize("der", [None, b"", b"not a certificate"])
def test_info_from_der_bad_input(der):
    assert cert.info_from_der(der) is None


def test_info_from_der_without_cryptography(monkeypatch):
    monkeypatch.setattr(cert, "HAS_CRYPTOGRAPHY", False)
    assert cert.info_from_der(b"\x30\x00") is None
