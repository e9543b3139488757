# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""CA continuity decisions: fingerprints and refuse / go on / rotate."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.wss.gateway.plugins.module_utils import _ca_trust as ca


def make_ca(name: str = "wss.gateway internal CA") -> tuple[str, str]:
    """A self-signed CA certificate: its PEM text and its SHA-256 fingerprint by cryptography."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - the matrix runs 3.10
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    fp = ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))
    return pem, fp


# Two CAs with the same subject, as an old and a new internal CA have by default.
OLD, OLD_FP = make_ca()
NEW, NEW_FP = make_ca()


def test_fingerprint_matches_cryptography() -> None:
    assert ca.fingerprint(OLD) == OLD_FP
    assert ca.fingerprint(NEW) == NEW_FP
    assert OLD_FP != NEW_FP


def test_fingerprint_ignores_line_endings_and_surroundings() -> None:
    messy = "subject=CN = x\r\n" + OLD.replace("\n", "\r\n") + "trailing text\n"
    assert ca.fingerprint(messy) == OLD_FP


@pytest.mark.parametrize("text", ["", "no pem here", OLD + NEW])
def test_fingerprint_wants_exactly_one_certificate(text: str) -> None:
    with pytest.raises(ValueError, match="expected one PEM certificate"):
        ca.fingerprint(text)


def test_pem_certificates_skips_broken_blocks() -> None:
    broken = "-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n"
    bad_padding = "-----BEGIN CERTIFICATE-----\nQUJD=A\n-----END CERTIFICATE-----\n"
    assert ca.pem_certificates(broken + OLD + bad_padding + NEW) == [OLD.strip(), NEW.strip()]
    assert ca.pem_certificates(None) == []


@pytest.mark.parametrize("installed", [None, "", "not a certificate\n"])
def test_a_host_without_a_ca_gets_the_signing_ca(installed: str | None) -> None:
    result = ca.ca_trust(installed, NEW)
    assert result == {
        "ok": True,
        "msg": "",
        "installed": [],
        "signing": NEW_FP,
        "rotating": False,
        "bundle": NEW,
    }


def test_the_same_ca_goes_on_and_the_bundle_is_unchanged() -> None:
    result = ca.ca_trust(OLD, OLD)
    assert result["ok"] and not result["rotating"]
    assert result["bundle"] == OLD


def test_a_different_ca_is_refused_naming_both_fingerprints_and_the_variable() -> None:
    result = ca.ca_trust(
        OLD,
        NEW,
        host="gw1",
        installed_path="/etc/wss-gateway/tls/ca.pem",
        signing_origin="wss_certificate_ca_dir /tmp/empty",
        variable="wss_certificate_ca_dir",
    )
    assert not result["ok"]
    assert result["bundle"] == ""
    assert result["installed"] == [OLD_FP]
    assert result["signing"] == NEW_FP
    assert result["msg"] == (
        f"host gw1: /etc/wss-gateway/tls/ca.pem holds the internal CA {OLD_FP}, but this run "
        f"would sign with the CA {NEW_FP} (wss_certificate_ca_dir /tmp/empty); nothing was "
        "changed on gw1. Set wss_certificate_ca_dir so that this run uses the CA the host "
        "trusts, or set certificate_ca_rotate: true to move the hosts to the new CA on purpose "
        "(see 'Rotating the internal CA' in the README of the wss.gateway.certificate role)."
    )


def test_no_ca_yet_on_a_host_that_trusts_one_is_refused() -> None:
    result = ca.ca_trust(OLD, "", signing_origin="wss_certificate_ca_dir /tmp/empty")
    assert not result["ok"]
    assert OLD_FP in result["msg"]
    assert (
        "has no CA yet (wss_certificate_ca_dir /tmp/empty) and would make a new one"
        in result["msg"]
    )


def test_no_ca_yet_on_a_fresh_host_goes_on_with_nothing_to_install() -> None:
    assert ca.ca_trust("", "")["ok"]
    assert ca.ca_trust("", "")["bundle"] == ""


def test_rotation_trusts_old_and_new() -> None:
    result = ca.ca_trust(OLD, NEW, rotate=True)
    assert result["ok"] and result["rotating"]
    assert ca.pem_certificates(result["bundle"]) == [OLD.strip(), NEW.strip()]


def test_a_rotation_run_again_keeps_both_in_the_same_order() -> None:
    first = ca.ca_trust(OLD, NEW, rotate=True)["bundle"]
    again = ca.ca_trust(first, NEW, rotate=True)
    assert again["ok"] and again["rotating"]
    assert again["bundle"] == first


def test_rotation_with_nothing_old_is_a_plain_run() -> None:
    result = ca.ca_trust(NEW, NEW, rotate=True)
    assert result["ok"] and not result["rotating"]
    assert result["bundle"] == NEW


def test_after_the_rotation_a_plain_run_drops_the_old_ca() -> None:
    during = ca.ca_trust(OLD, NEW, rotate=True)["bundle"]
    result = ca.ca_trust(during, NEW)
    assert result["ok"] and not result["rotating"]
    assert result["installed"] == [OLD_FP, NEW_FP]
    assert result["bundle"] == NEW


def test_mid_rotation_to_a_third_ca_is_refused_listing_every_trusted_ca() -> None:
    third, third_fp = make_ca()
    during = ca.ca_trust(OLD, NEW, rotate=True)["bundle"]
    result = ca.ca_trust(during, third)
    assert not result["ok"]
    assert f"holds the internal CAs {OLD_FP}, {NEW_FP}, but" in result["msg"]
    assert third_fp in result["msg"]


def test_duplicates_in_the_installed_bundle_count_once() -> None:
    result = ca.ca_trust(OLD + OLD, NEW, rotate=True)
    assert ca.pem_certificates(result["bundle"]) == [OLD.strip(), NEW.strip()]


def test_a_signing_bundle_of_two_is_an_error() -> None:
    with pytest.raises(ValueError, match="holds 2 certificates, expected one"):
        ca.ca_trust(OLD, OLD + NEW)
