# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The guard's reads in memory on the controller: the chain against roots there
(chain_order, the filter wss.gateway.certificate_chain) and the leaf's remaining validity
when it comes from community.crypto's filter (no ``valid_at``), with real certificates, and
the guard task as the role runs it (the leaf read by the filter, the roots read from files)."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from task_harness import task_var

from ansible_collections.wss.gateway.plugins.module_utils._certificate_checks import (
    chain_order,
    guard,
)

NOW = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - the matrix runs 3.10


def make(name: str, issuer=None, *, ca: bool, days: int = 30, sans=()) -> tuple:
    """(PEM, certificate, key): signed by ``issuer`` (PEM, certificate, key) or self-signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[1].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(minutes=5))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False
        )
    cert = builder.sign(issuer[2] if issuer else key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode().strip(), cert, key


ROOT_CA = make("wss.gateway internal CA", ca=True)
OTHER_CA = make("wss.gateway internal CA", ca=True)  # same name, another key
INTERMEDIATE = make("intermediate", ROOT_CA, ca=True)
LEAF = make("chat.example.com", INTERMEDIATE, ca=False, sans=["chat.example.com"])
DIRECT = make("chat.example.com", ROOT_CA, ca=False, days=3, sans=["chat.example.com"])


@pytest.mark.parametrize(
    ("certs", "roots", "expected"),
    [
        ([DIRECT[0]], [ROOT_CA[0]], 2),
        ([LEAF[0], INTERMEDIATE[0]], [ROOT_CA[0]], 3),
        # The last certificate is a root itself (a provided file is its own root bundle).
        ([LEAF[0], INTERMEDIATE[0], ROOT_CA[0]], [ROOT_CA[0]], 3),
        ([LEAF[0], INTERMEDIATE[0]], [OTHER_CA[0] + "\n" + ROOT_CA[0]], 3),
        ([LEAF[0], INTERMEDIATE[0]], [LEAF[0] + "\n" + INTERMEDIATE[0]], 2),
        ([INTERMEDIATE[0], LEAF[0]], [ROOT_CA[0]], "certificate 1 is not issued by certificate 2"),
        ([LEAF[0]], [ROOT_CA[0]], "no root certificate issued certificate 1"),
        ([DIRECT[0]], [OTHER_CA[0]], "no root certificate issued certificate 1"),
        ([DIRECT[0]], [], "no root certificate issued certificate 1"),
        ([], [ROOT_CA[0]], "no certificate"),
        (["not a certificate"], [ROOT_CA[0]], "cannot read certificate 1"),
        ([DIRECT[0]], "not a list", "no root certificate issued certificate 1"),
        (None, None, "no certificate"),
    ],
)
def test_chain_order(certs, roots, expected) -> None:
    result = chain_order(certs, roots)
    if isinstance(expected, int):
        assert len(result["complete_chain"]) == expected, result
        assert result["complete_chain"][0] == certs[0]
    else:
        assert "complete_chain" not in result
        assert expected in result["msg"]


def test_remaining_validity_from_the_filter_result() -> None:
    info = {
        "not_after": DIRECT[1].not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
        "subject_alt_name": ["DNS:chat.example.com"],
        "public_key_fingerprints": {"sha256": "aa"},
        "expired": False,
    }
    endpoint = {"name": "chat", "dns_names": ["chat.example.com"], "ip_addresses": []}
    args = {
        "certs": [DIRECT[0]],
        "leaf": info,
        "key": {"public_key_fingerprints": {"sha256": "aa"}},
        "chain": {"complete_chain": [DIRECT[0]]},
        "cert_label": "c.pem",
        "key_label": "k.pem",
    }
    assert guard(endpoint, min_valid_days=2, now=NOW, **args)["errors"] == []
    errors = guard(endpoint, min_valid_days=7, now=NOW, **args)["errors"]
    assert len(errors) == 1 and "within certificate_min_valid_days (7 days)" in errors[0], errors
    assert guard(endpoint, min_valid_days="x", now=NOW, **args)["errors"] == []


def guard_task(tmp_path, chain: str, roots: list[str]) -> dict:
    """The guard task as the role runs it with roots on the controller."""
    files = []
    for index, text in enumerate(roots):
        path = tmp_path / f"root{index}.pem"
        path.write_text(text + "\n")
        files.append(str(path))
    endpoint = {"name": "chat", "dns_names": ["chat.example.com"], "ip_addresses": []}
    leaf = x509.load_pem_x509_certificate(
        chain.split("-----END CERTIFICATE-----", maxsplit=1)[0].encode()
        + b"-----END CERTIFICATE-----"
    )
    public = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(public)
    fingerprint = ":".join(f"{byte:02x}" for byte in digest.finalize())
    certs = [
        "-----BEGIN CERTIFICATE-----" + block
        for block in chain.split("-----BEGIN CERTIFICATE-----")[1:]
    ]
    return task_var(
        "roles/certificate/tasks/guard.yml",
        "Stop unless the certificate is fit to go live",
        "__certificate_guard",
        {
            "__certificate_endpoint": endpoint,
            "__certificate_guard_certs": [cert.strip() for cert in certs],
            "__certificate_guard_leaf": {
                "not_after": leaf.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
                "subject_alt_name": ["DNS:chat.example.com"],
                "public_key_fingerprints": {"sha256": fingerprint},
                "expired": False,
            },
            "__certificate_guard_key_info": {"public_key_fingerprints": {"sha256": fingerprint}},
            "__certificate_guard_roots": files,
            "__certificate_guard_on_controller": True,
            "__certificate_guard_cert_label": "c.pem",
            "__certificate_guard_key_label": "k.pem",
            "certificate_min_valid_days": 1,
        },
    )


def test_guard_task_checks_the_chain_against_roots_on_the_controller(tmp_path) -> None:
    chain = LEAF[0] + "\n" + INTERMEDIATE[0]
    assert guard_task(tmp_path, chain, [ROOT_CA[0]])["errors"] == []
    errors = guard_task(tmp_path, chain, [OTHER_CA[0]])["errors"]
    assert errors == [
        "endpoint 'chat': the chain in c.pem is not in order (each certificate must be issued by"
        " the next one): no root certificate issued certificate 2 (the last of the chain)"
    ]
