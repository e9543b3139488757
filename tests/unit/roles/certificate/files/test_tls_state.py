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
