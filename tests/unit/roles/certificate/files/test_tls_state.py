# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The certificate role's one look at the host (roles/certificate/files/tls_state.py)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

import pytest
from ansible_collections.community.crypto.plugins.module_utils._crypto.support import (
    get_fingerprint_of_privatekey,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SCRIPT = Path(__file__).resolve().parents[5] / "roles" / "certificate" / "files" / "tls_state.py"


def load():
    spec = importlib.util.spec_from_file_location("tls_state", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tls_state():
    return load()


def run(module, capsys, *argv) -> dict:
    assert module.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_paths_and_contents(tls_state, capsys, tmp_path):
    tls = tmp_path / "tls"
    (tls / "chat").mkdir(parents=True)
    (tls / "chat").chmod(0o700)
    cert = tls / "chat" / "fullchain.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    (tls / "link").symlink_to(cert)
    found = run(
        tls_state,
        capsys,
        "--stat",
        str(tls / "chat"),
        str(cert),
        str(tls / "link"),
        str(tls / "absent"),
        "--read",
        str(cert),
        str(tls / "absent"),
    )
    assert found["packages"] == {}
    assert found["paths"][str(tls / "chat")] == {
        "type": "directory",
        "mode": "0700",
        "uid": os.getuid(),
        "gid": os.getgid(),
    }
    assert found["paths"][str(cert)]["sha1"] == hashlib.sha1(cert.read_bytes()).hexdigest()
    assert found["paths"][str(tls / "link")]["type"] == "link"
    assert found["paths"][str(tls / "absent")] is None
    assert found["contents"] == {str(cert): cert.read_text(), str(tls / "absent"): None}


def test_packages_from_dpkg(tls_state, capsys, monkeypatch):
    class Done:
        stdout = "python3-cryptography installed\ncertbot config-files\n"

    calls = []
    monkeypatch.setattr(
        tls_state.subprocess, "run", lambda argv, **kwargs: calls.append(argv) or Done()
    )
    found = run(tls_state, capsys, "--packages", "python3-cryptography", "certbot", "unknown")
    assert found["packages"] == {
        "python3-cryptography": "installed",
        "certbot": "config-files",
        "unknown": "",
    }
    assert calls[0][:2] == ["dpkg-query", "--show"]


def test_no_dpkg_means_nothing_installed(tls_state, capsys, monkeypatch):
    def missing(argv, **kwargs):
        raise FileNotFoundError(argv[0])

    monkeypatch.setattr(tls_state.subprocess, "run", missing)
    assert run(tls_state, capsys, "--packages", "certbot")["packages"] == {"certbot": ""}


def test_arguments_before_an_option_are_refused(tls_state, capsys):
    assert tls_state.main(["/etc/wss-gateway/tls"]) == 2
    assert "usage: tls_state.py" in capsys.readouterr().err


def _write_key(path, key) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def test_keys_give_public_facts_only(tls_state, capsys, tmp_path):
    ecc = ec.generate_private_key(ec.SECP256R1())
    _write_key(tmp_path / "ecc.pem", ecc)
    _write_key(tmp_path / "rsa.pem", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    (tmp_path / "garbage.pem").write_text("not a key\n")
    (tmp_path / "dir.pem").mkdir()
    found = run(
        tls_state,
        capsys,
        "--keys",
        *(
            str(tmp_path / name)
            for name in ("ecc.pem", "rsa.pem", "garbage.pem", "dir.pem", "absent")
        ),
    )["private_keys"]
    public = ecc.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(public).hexdigest()
    assert found[str(tmp_path / "ecc.pem")] == {
        "type": "ECC",
        "curve": "secp256r1",
        "mode": "0600",
        "uid": os.getuid(),
        "gid": os.getgid(),
        "sha256": ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
    }
    assert found[str(tmp_path / "rsa.pem")]["type"] == "RSA"
    assert found[str(tmp_path / "rsa.pem")]["size"] == 2048
    assert [found[str(tmp_path / name)] for name in ("garbage.pem", "dir.pem", "absent")] == [
        None,
        None,
        None,
    ]
    # Nothing secret in the output: no PEM block and no private number.
    text = json.dumps(found)
    assert "PRIVATE" not in text and str(ecc.private_numbers().private_value) not in text


def test_the_fingerprint_is_community_cryptos(tls_state, capsys, tmp_path):
    """The role compares it with x509_certificate_info's public_key_fingerprints.sha256."""
    key = ec.generate_private_key(ec.SECP256R1())
    _write_key(tmp_path / "key.pem", key)
    found = run(tls_state, capsys, "--keys", str(tmp_path / "key.pem"))["private_keys"]
    assert (
        found[str(tmp_path / "key.pem")]["sha256"] == get_fingerprint_of_privatekey(key)["sha256"]
    )
