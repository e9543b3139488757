"""The controller's internal CA is never replaced by a run whose settings differ from it.

Runs the certificate role's ``ca_check`` entry point against localhost with the local
connection (no container): the first run makes the CA in a temporary directory; a run with
another key type or CA name then stops with a message that names what differs, and the CA's
files are byte for byte what they were (a new key would leave the fleet trusting a CA whose
key is gone).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.functional.local_play import run_ca_check


def digests(directory: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"certificate_ca_key_type": "ecdsa"},
            "its key is RSA 3072, certificate_ca_key_type ecdsa makes ECC secp256r1",
        ),
        (
            {"certificate_ca_common_name": "Another CA"},
            "its subject is commonName=wss.gateway internal CA, certificate_ca_common_name is Another CA",
        ),
    ],
    ids=["key-type", "name"],
)
def test_a_ca_that_differs_from_the_settings_is_refused_and_kept(
    tmp_path: Path, change: dict, message: str
) -> None:
    made = run_ca_check(tmp_path, {})
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-2000:]
    before = digests(tmp_path / "ca")
    assert set(before) == {"ca.pem", "ca-key.pem"}

    refused = run_ca_check(tmp_path, change)
    output = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode != 0, output[-3000:]
    assert "holds an internal CA that differs from the settings" in output, output[-3000:]
    assert message in output, output[-3000:]
    assert "Nothing was changed." in output
    assert digests(tmp_path / "ca") == before

    again = run_ca_check(tmp_path, {})
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]
    assert digests(tmp_path / "ca") == before
