"""The internal CA made by the certificate role on the controller, in the controller's own
process (the action plugin of wss.gateway.wss_ca), and the same code run as a module.

The role's ``ca_check`` entry point runs against localhost with the local connection (no
container): check mode on a fresh controller writes nothing; the first run makes the CA with
modes 0700/0600/0644 and starts no module process for it; the CA it made is the one the fit
check of ca_source.yml recognizes, so a second run does not even include ca_make.yml and
changes nothing. The modules themselves (what a CA host runs) are run as Ansible runs a
module: their file, with the arguments in a JSON file.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.conftest import ROOT
from tests.functional.local_play import run_ca_check

MAKE_TASK = "Make the internal CA where it is kept"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa"])
def test_the_controller_ca_is_made_in_process_once_and_then_recognized(tmp_path, key_type):
    extra = {"certificate_ca_key_type": key_type}
    checked = run_ca_check(tmp_path, extra, ("--check",))
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert not (tmp_path / "ca").exists()

    made = run_ca_check(tmp_path, extra, ("-vvv",))
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-2000:]
    assert f"TASK [wss.gateway.certificate : {MAKE_TASK}]" in made.stdout
    # No module process for it: the only AnsiballZ files are those of the other tasks.
    assert "AnsiballZ_wss_ca" not in made.stdout
    directory = tmp_path / "ca"
    assert (mode(directory), mode(directory / "ca-key.pem"), mode(directory / "ca.pem")) == (
        0o700,
        0o600,
        0o644,
    )
    key = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), password=None)
    wanted = "rsa 3072" if key_type == "rsa" else "ecdsa secp256r1"
    found = (
        f"rsa {key.key_size}" if isinstance(key, rsa.RSAPrivateKey) else f"ecdsa {key.curve.name}"
    )
    assert found == wanted
    files = {p.name: p.read_bytes() for p in directory.iterdir()}

    again = run_ca_check(tmp_path, extra)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]
    assert MAKE_TASK not in again.stdout, "the fit check did not recognize the CA the role made"
    assert "changed=0" in again.stdout
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == files


def run_module(tmp_path: Path, name: str, args: dict, check_mode: bool = False) -> dict:
    """The module file run as Ansible runs a module (arguments in a JSON file)."""
    arguments = tmp_path / f"{name}-args.json"
    arguments.write_text(
        json.dumps({"ANSIBLE_MODULE_ARGS": {**args, "_ansible_check_mode": check_mode}})
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "plugins" / "modules" / f"{name}.py"), str(arguments)],
        env={**os.environ, "PYTHONPATH": str(ROOT / ".cache" / "collections")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return json.loads(done.stdout)


def test_the_modules_make_the_ca_and_sign_where_they_run(tmp_path):
    ca = {
        "certificate_path": str(tmp_path / "ca" / "ca.pem"),
        "key_path": str(tmp_path / "ca" / "ca-key.pem"),
        "common_name": "CA host",
        "key_type": "ecdsa",
    }
    checked = run_module(tmp_path, "wss_ca", ca, check_mode=True)
    assert checked["changed"] and not checked["ready"] and not (tmp_path / "ca").exists()
    made = run_module(tmp_path, "wss_ca", ca)
    assert made["changed"] and made["ready"], made
    assert mode(tmp_path / "ca" / "ca-key.pem") == 0o600
    again = run_module(tmp_path, "wss_ca", {**ca, "common_name": "Another name"})
    assert not again["changed"] and again["certificate"] == made["certificate"]

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gw1.example.test")]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("gw1.example.test")]), critical=False
        )
        .sign(leaf_key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    sign = {
        "csr": csr,
        "ca_certificate_path": ca["certificate_path"],
        "ca_key_path": ca["key_path"],
        "validity_days": 30,
    }
    signed = run_module(tmp_path, "wss_ca_sign", sign)
    assert signed["changed"], signed
    kept = run_module(tmp_path, "wss_ca_sign", {**sign, "content": signed["certificate"]})
    assert not kept["changed"] and kept["certificate"] == signed["certificate"]
    refused = run_module(
        tmp_path, "wss_ca_sign", {**sign, "ca_certificate_content": made["certificate"]}
    )
    assert refused["failed"] and "mutually exclusive" in refused["msg"]
    (tmp_path / "roots.pem").write_text(made["certificate"])
    (tmp_path / "leaf.pem").write_text(signed["certificate"])
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "roots.pem"), str(tmp_path / "leaf.pem")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
