# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The internal CA (plugins/module_utils/_internal_ca.py): made once with the modes and the
shape the role checks, never replaced, and signing leaves as community.crypto's ownca provider
did; the signatures are checked with OpenSSL's own `openssl verify`."""

from __future__ import annotations

import datetime
import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.wss.gateway.plugins.module_utils import _internal_ca
from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (
    CAError,
    ensure_ca,
    run_sign,
    sign,
    sign_with_files,
)

SHAPE = {
    "key_type": "ecdsa",
    "key_size": 3072,
    "curve": "secp256r1",
    "common_name": "wss.gateway internal CA",
    "validity_days": 3650,
    "constraints": ["CA:TRUE", "pathlen:0"],
    "usages": ["keyCertSign", "cRLSign"],
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make(tmp_path: Path, check_mode: bool = False, **changes) -> dict:
    return ensure_ca(
        str(tmp_path / "ca" / "ca.pem"),
        str(tmp_path / "ca" / "ca-key.pem"),
        **{**SHAPE, **changes},
        check_mode=check_mode,
    )


def snapshot(directory: Path) -> dict:
    return {p.name: (p.read_bytes(), mode(p)) for p in sorted(directory.iterdir())}


def request(names: list, key=None, *, ca: bool = False) -> tuple:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode(), key


def verify(tmp_path: Path, ca_pem: str, leaf_pem: str) -> subprocess.CompletedProcess:
    (tmp_path / "roots.pem").write_text(ca_pem)
    (tmp_path / "leaf.pem").write_text(leaf_pem)
    return subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "roots.pem"), str(tmp_path / "leaf.pem")],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("key_type", "size", "header"),
    [("rsa", 2048, "RSA PRIVATE KEY"), ("ecdsa", 0, "EC PRIVATE KEY")],
)
def test_a_new_ca_has_the_modes_the_key_and_the_shape_asked(tmp_path, key_type, size, header):
    made = make(tmp_path, key_type=key_type, key_size=size or 3072)
    directory = tmp_path / "ca"
    assert made["changed"] and made["ready"]
    assert made["changed_paths"] == [
        str(directory),
        str(directory / "ca-key.pem"),
        str(directory / "ca.pem"),
    ]
    assert (mode(directory), mode(directory / "ca-key.pem"), mode(directory / "ca.pem")) == (
        0o700,
        0o600,
        0o644,
    )
    assert sorted(os.listdir(directory)) == ["ca-key.pem", "ca.pem"]  # no temporary file left
    key_text = (directory / "ca-key.pem").read_text()
    assert key_text.startswith(f"-----BEGIN {header}-----")
    key = serialization.load_pem_private_key(key_text.encode(), password=None)
    if key_type == "rsa":
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert made["certificate"] == (directory / "ca.pem").read_text()
    cert = x509.load_pem_x509_certificate(made["certificate"].encode())
    assert (
        cert.subject.rfc4514_string()
        == "CN=wss.gateway internal CA"
        == cert.issuer.rfc4514_string()
    )
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not (usage.value.digital_signature or usage.value.key_encipherment)
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value == (
        x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    )
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 3650
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_a_ca_that_is_there_is_kept_byte_for_byte_and_only_given_its_modes(tmp_path):
    make(tmp_path)
    directory = tmp_path / "ca"
    before = snapshot(directory)
    again = make(tmp_path, key_type="rsa", common_name="Another CA", validity_days=1)
    assert not again["changed"] and again["ready"]
    assert snapshot(directory) == before
    os.chmod(directory / "ca-key.pem", 0o644)
    os.chmod(directory, 0o755)
    fixed = make(tmp_path)
    assert fixed["changed_paths"] == [str(directory), str(directory / "ca-key.pem")]
    assert snapshot(directory) == before and mode(directory) == 0o700


def test_check_mode_writes_nothing(tmp_path):
    fresh = make(tmp_path, check_mode=True)
    assert fresh == {
        "changed": True,
        "changed_paths": [str(tmp_path / "ca"), str(tmp_path / "ca" / "ca-key.pem")],
        "certificate": "",
        "ready": False,
    }
    assert not (tmp_path / "ca").exists()
    make(tmp_path)
    (tmp_path / "ca" / "ca.pem").unlink()
    half = make(tmp_path, check_mode=True)
    assert half["changed_paths"] == [str(tmp_path / "ca" / "ca.pem")] and not half["ready"]
    assert not (tmp_path / "ca" / "ca.pem").exists()


def test_a_certificate_from_the_key_that_is_there(tmp_path):
    make(tmp_path)
    key_before = (tmp_path / "ca" / "ca-key.pem").read_bytes()
    (tmp_path / "ca" / "ca.pem").unlink()
    made = make(tmp_path)
    assert made["changed_paths"] == [str(tmp_path / "ca" / "ca.pem")]
    assert (tmp_path / "ca" / "ca-key.pem").read_bytes() == key_before
    key = serialization.load_pem_private_key(key_before, password=None)
    cert = x509.load_pem_x509_certificate(made["certificate"].encode())
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()


@pytest.mark.parametrize(
    "fault", ["certificate-alone", "another-key", "unreadable-key", "unreadable-cert"]
)
def test_a_ca_it_cannot_use_stops_it_before_anything_is_written(tmp_path, fault):
    make(tmp_path)
    directory = tmp_path / "ca"
    if fault == "certificate-alone":
        (directory / "ca-key.pem").unlink()
    elif fault == "another-key":
        other = tmp_path / "other"
        ensure_ca(str(other / "ca.pem"), str(other / "ca-key.pem"), **SHAPE)
        (directory / "ca-key.pem").write_bytes((other / "ca-key.pem").read_bytes())
    elif fault == "unreadable-key":
        (directory / "ca-key.pem").write_text("not a key\n")
    else:
        (directory / "ca.pem").write_text("not a certificate\n")
    os.chmod(directory, 0o755)  # a change it would make, were it to go on
    before = snapshot(directory)
    expected = {
        "certificate-alone": "is there without its key",
        "another-key": "ca-key.pem does not belong to",
        "unreadable-key": "ca-key.pem is not a PEM private key",
        "unreadable-cert": "ca.pem is not a PEM certificate",
    }[fault]
    with pytest.raises(CAError, match=expected):
        make(tmp_path)
    assert snapshot(directory) == before and mode(directory) == 0o755


def test_a_key_that_appears_while_it_is_made_is_kept(tmp_path, monkeypatch):
    """Two runs making the CA at once: the second to link its key in keeps the first one's."""
    key_path = tmp_path / "ca" / "ca-key.pem"
    real_new_key = _internal_ca.new_key

    def racing_new_key(*args):
        key = real_new_key(*args)
        key_path.write_text("the other run's key\n")
        return key

    monkeypatch.setattr(_internal_ca, "new_key", racing_new_key)
    with pytest.raises(CAError, match="appeared while this run made it"):
        make(tmp_path)
    assert key_path.read_text() == "the other run's key\n"
    assert sorted(os.listdir(tmp_path / "ca")) == ["ca-key.pem"]


def test_a_failed_write_leaves_no_part_of_the_key(tmp_path, monkeypatch):
    def no_link(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_internal_ca.os, "link", no_link)
    with pytest.raises(CAError, match="ca-key.pem cannot be written"):
        make(tmp_path)
    assert os.listdir(tmp_path / "ca") == []


@pytest.fixture
def ca(tmp_path) -> dict:
    made = ensure_ca(str(tmp_path / "ca" / "ca.pem"), str(tmp_path / "ca" / "ca-key.pem"), **SHAPE)
    return {
        "cert": made["certificate"],
        "key": (tmp_path / "ca" / "ca-key.pem").read_text(),
        "cert_path": str(tmp_path / "ca" / "ca.pem"),
        "key_path": str(tmp_path / "ca" / "ca-key.pem"),
    }


def test_a_signed_leaf_is_the_request_signed_by_the_ca(tmp_path, ca):
    csr_pem, key = request(["chat.example.test", "www.example.test"])
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)  # noqa: UP017 - the matrix runs 3.10
    signed = sign_with_files(ca["cert_path"], ca["key_path"], csr_pem=csr_pem, validity_days=90)
    assert signed["changed"]
    done = verify(tmp_path, ca["cert"], signed["certificate"])
    assert done.returncode == 0, done.stdout + done.stderr
    leaf = x509.load_pem_x509_certificate(signed["certificate"].encode())
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    ca_cert = x509.load_pem_x509_certificate(ca["cert"].encode())
    assert leaf.subject == csr.subject and leaf.issuer == ca_cert.subject
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    for extension in csr.extensions:
        assert leaf.extensions.get_extension_for_oid(extension.oid) == extension
    assert leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value == (
        x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    )
    assert leaf.extensions.get_extension_for_class(
        x509.AuthorityKeyIdentifier
    ).value.key_identifier == (
        ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    )
    assert started - datetime.timedelta(minutes=5) <= leaf.not_valid_before_utc
    assert leaf.not_valid_before_utc <= started - datetime.timedelta(minutes=4)
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == datetime.timedelta(
        days=90, minutes=5
    )
    again = sign_with_files(ca["cert_path"], ca["key_path"], csr_pem=csr_pem, validity_days=90)
    assert again["certificate"] != signed["certificate"]
    assert (
        x509.load_pem_x509_certificate(again["certificate"].encode()).serial_number
        != leaf.serial_number
    )


def test_the_current_leaf_stays_while_it_fits_and_is_re_signed_when_due(tmp_path, ca):
    csr_pem, key = request(["chat.example.test"])
    current = sign(csr_pem, ca["cert"].encode(), ca["key"].encode(), validity_days=90)[
        "certificate"
    ]
    kept = sign(
        csr_pem, ca["cert"].encode(), ca["key"].encode(), validity_days=90, current_pem=current
    )
    assert kept == {"changed": False, "certificate": current}
    due = sign(
        csr_pem,
        ca["cert"].encode(),
        ca["key"].encode(),
        validity_days=90,
        current_pem=current,
        force=True,
    )
    assert due["changed"] and due["certificate"] != current
    # Other names (the same key), another key, another CA, or text that is not a certificate.
    other_names = request(["chat.example.test", "new.example.test"], key)[0]
    other_key = request(["chat.example.test"])[0]
    other_ca_dir = tmp_path / "other"
    other_ca = ensure_ca(str(other_ca_dir / "ca.pem"), str(other_ca_dir / "ca-key.pem"), **SHAPE)
    from_other_ca = sign(
        csr_pem,
        other_ca["certificate"].encode(),
        (other_ca_dir / "ca-key.pem").read_bytes(),
        validity_days=90,
    )["certificate"]
    for csr, present in (
        (other_names, current),
        (other_key, current),
        (csr_pem, from_other_ca),
        (csr_pem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    ):
        fresh = sign(
            csr, ca["cert"].encode(), ca["key"].encode(), validity_days=90, current_pem=present
        )
        assert fresh["changed"] and fresh["certificate"] != present
        assert verify(tmp_path, ca["cert"], fresh["certificate"]).returncode == 0


def test_the_ca_from_the_inventory_signs_in_memory(tmp_path, ca):
    csr_pem = request(["chat.example.test"])[0]
    params = {
        "csr": csr_pem,
        "ca_certificate_path": None,
        "ca_key_path": None,
        "ca_certificate_content": ca["cert"],
        "ca_key_content": ca["key"],
        "validity_days": 30,
        "content": "",
        "force": False,
    }
    signed = run_sign(params)
    assert verify(tmp_path, ca["cert"], signed["certificate"]).returncode == 0
    other_dir = tmp_path / "other"
    ensure_ca(str(other_dir / "ca.pem"), str(other_dir / "ca-key.pem"), **SHAPE)
    with pytest.raises(CAError, match="the CA key does not belong to the CA certificate"):
        run_sign({**params, "ca_key_content": (other_dir / "ca-key.pem").read_text()})
    with pytest.raises(CAError, match="is not there: the internal CA is not made yet"):
        run_sign(
            {
                **params,
                "ca_certificate_path": str(other_dir / "none.pem"),
                "ca_key_path": ca["key_path"],
            }
        )
    with pytest.raises(CAError, match="not a PEM request"):
        run_sign({**params, "csr": "nonsense"})


# ca_fit: the controller's CA read in memory on every run (wss.gateway.ca_fit).
FIT = {key: SHAPE[key] for key in SHAPE if key != "validity_days"} | {"validity_days": 397}


def read_ca(tmp_path: Path) -> tuple:
    return (tmp_path / "ca" / "ca-key.pem").read_text(), (tmp_path / "ca" / "ca.pem").read_text()


@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_a_ca_the_role_made_fits(tmp_path: Path, key_type: str) -> None:
    make(tmp_path, key_type=key_type)
    found = _internal_ca.ca_fit(*read_ca(tmp_path), **{**FIT, "key_type": key_type})
    assert found == {"differs": [], "fit": True}


def test_a_ca_that_a_leaf_would_outlive_does_not_fit(tmp_path: Path) -> None:
    make(tmp_path, validity_days=397)
    key, cert = read_ca(tmp_path)
    assert _internal_ca.ca_fit(key, cert, **FIT) == {"differs": [], "fit": False}
    assert _internal_ca.ca_fit(key, cert, **{**FIT, "validity_days": 395})["fit"] is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"key_type": "rsa"},
            "its key is ECC secp256r1, certificate_ca_key_type rsa makes RSA 3072",
        ),
        (
            {"curve": "secp384r1"},
            "its key is ECC secp256r1, certificate_ca_key_type ecdsa makes ECC secp384r1",
        ),
        (
            {"common_name": "Another CA"},
            "its subject is commonName=wss.gateway internal CA, certificate_ca_common_name is"
            " Another CA",
        ),
        (
            {"constraints": ["CA:TRUE"]},
            "its basic constraints or key usage are not those the role makes",
        ),
        (
            {"usages": ["keyCertSign"]},
            "its basic constraints or key usage are not those the role makes",
        ),
    ],
)
def test_a_ca_that_differs_is_named_and_does_not_fit(
    tmp_path: Path, changes: dict, message: str
) -> None:
    make(tmp_path)
    assert _internal_ca.ca_fit(*read_ca(tmp_path), **{**FIT, **changes}) == {
        "differs": [message],
        "fit": False,
    }


def test_a_key_of_another_certificate_differs(tmp_path: Path) -> None:
    make(tmp_path / "one")
    make(tmp_path / "two")
    key = read_ca(tmp_path / "one")[0]
    found = _internal_ca.ca_fit(key, read_ca(tmp_path / "two")[1], **FIT)
    assert found == {"differs": ["ca-key.pem does not belong to ca.pem"], "fit": False}


def test_missing_or_unreadable_files_do_not_fit(tmp_path: Path) -> None:
    make(tmp_path)
    key, cert = read_ca(tmp_path)
    assert _internal_ca.ca_fit("", "", **FIT) == {"differs": [], "fit": False}
    assert _internal_ca.ca_fit(key, "", **FIT) == {"differs": [], "fit": False}
    assert _internal_ca.ca_fit("not a key", cert, **FIT) == {"differs": [], "fit": False}
    assert _internal_ca.ca_fit(key, "not a certificate", **FIT) == {"differs": [], "fit": False}


# leaf_request: the endpoint's key and its request in one module run on the host.
def request_of(result: dict) -> x509.CertificateSigningRequest:
    return x509.load_pem_x509_csr(result["csr"].encode())


LEAF = {
    "key_type": "ecdsa",
    "key_size": 3072,
    "curve": "secp256r1",
    "common_name": "chat.example.com",
    "dns_names": ["chat.example.com", "www.example.com"],
    "ip_addresses": ["10.0.0.5", "2001:db8::1"],
}


@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_leaf_request_makes_the_key_once_and_the_request_it_asks_for(
    tmp_path: Path, key_type: str
) -> None:
    path = tmp_path / "privkey.pem"
    first = _internal_ca.leaf_request(str(path), **{**LEAF, "key_type": key_type})
    assert first["changed"] is True
    assert mode(path) == 0o600
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey if key_type == "rsa" else ec.EllipticCurvePrivateKey)
    csr = request_of(first)
    assert csr.is_signature_valid
    assert csr.public_key().public_numbers() == key.public_key().public_numbers()
    assert csr.subject.rfc4514_string() == "CN=chat.example.com"
    sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert not sans.critical
    assert [str(name.value) for name in sans.value] == [*LEAF["dns_names"], *LEAF["ip_addresses"]]
    constraints = csr.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is False
    usage = csr.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature
    assert usage.value.key_encipherment is (key_type == "rsa")
    assert list(csr.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(public).hexdigest()
    assert first["fingerprint"]["sha256"] == ":".join(
        digest[index : index + 2] for index in range(0, len(digest), 2)
    )
    second = _internal_ca.leaf_request(str(path), **{**LEAF, "key_type": key_type})
    assert second["changed"] is False
    assert second["fingerprint"] == first["fingerprint"]
    assert path.read_bytes() == key_pem_bytes(key)


def key_pem_bytes(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def test_leaf_request_replaces_a_key_of_another_shape_and_fixes_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "privkey.pem"
    _internal_ca.leaf_request(str(path), **LEAF)
    ecdsa = path.read_bytes()
    path.chmod(0o644)
    fixed = _internal_ca.leaf_request(str(path), **LEAF)
    assert fixed["changed"] is True and mode(path) == 0o600 and path.read_bytes() == ecdsa
    replaced = _internal_ca.leaf_request(str(path), **{**LEAF, "curve": "secp384r1"})
    assert replaced["changed"] is True and path.read_bytes() != ecdsa
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert key.curve.name == "secp384r1"
    path.write_text("not a key")
    assert _internal_ca.leaf_request(str(path), **LEAF)["changed"] is True
    serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["privkey.pem"]


def test_leaf_request_in_check_mode_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "privkey.pem"
    result = _internal_ca.leaf_request(str(path), **LEAF, check_mode=True)
    assert result == {"changed": True, "fingerprint": {}, "csr": ""}
    assert not path.exists()
    _internal_ca.leaf_request(str(path), **LEAF)
    before = path.read_bytes()
    path.chmod(0o640)
    checked = _internal_ca.leaf_request(
        str(path), **{**LEAF, "curve": "secp384r1"}, check_mode=True
    )
    assert checked["changed"] is True and path.read_bytes() == before and mode(path) == 0o640


def test_leaf_request_without_a_long_common_name_and_signed_by_the_ca(tmp_path: Path) -> None:
    make(tmp_path)
    name = "a" * 60 + ".example.com"
    result = _internal_ca.leaf_request(
        str(tmp_path / "privkey.pem"),
        **{**LEAF, "common_name": "", "dns_names": [name], "ip_addresses": []},
    )
    assert len(request_of(result).subject) == 0
    signed = sign_with_files(
        str(tmp_path / "ca" / "ca.pem"),
        str(tmp_path / "ca" / "ca-key.pem"),
        csr_pem=result["csr"],
        validity_days=30,
        current_pem="",
        force=False,
    )
    ca_pem = (tmp_path / "ca" / "ca.pem").read_text()
    assert verify(tmp_path, ca_pem, signed["certificate"]).returncode == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dns_names": [], "ip_addresses": []}, "at least one name"),
        ({"ip_addresses": ["not-an-address"]}, "not an IP address"),
        ({"key_size": 1024, "key_type": "rsa"}, "key_size must be 2048 or more"),
    ],
)
def test_leaf_request_refuses(tmp_path: Path, changes: dict, message: str) -> None:
    params = {"path": str(tmp_path / "privkey.pem"), **LEAF, **changes}
    with pytest.raises(CAError, match=message):
        _internal_ca.run_leaf_request(params, False)
