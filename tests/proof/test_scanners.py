"""Scanners nobody here wrote: sslyze against Mozilla's guideline, testssl.sh findings.

Gate on what the scanners found (sslyze's compliance verdict, testssl.sh's JSON findings),
not on testssl.sh's exit code. Both run for every server name in the certificate.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool, tool_venv
from tests.proof.conftest import OUTPUT, Gateway

SERVER_NAMES = ["wss.test", "www.wss.test"]
# testssl.sh ids that must say "not offered": every protocol below TLS 1.2 and every
# weak cipher class.
NOT_OFFERED = [
    "SSLv2",
    "SSLv3",
    "TLS1",
    "TLS1_1",
    "cipherlist_NULL",
    "cipherlist_aNULL",
    "cipherlist_EXPORT",
    "cipherlist_LOW",
    "cipherlist_3DES_IDEA",
]


@pytest.fixture(scope="module")
def sslyze_python() -> str:
    """The Python of sslyze's own venv (it pins cryptography < 47)."""
    return str(tool_venv("sslyze") / "bin" / "python")


def sslyze(python: str, gateway: Gateway, name: str, profile: str) -> None:
    """Run sslyze's Mozilla check for one server name; assert it says compliant."""
    result = subprocess.run(
        [
            python,
            "-m",
            "sslyze",
            f"--mozilla_config={profile}",
            f"--certinfo_ca_file={gateway.ca}",
            f"{name}:{gateway.port}{{127.0.0.1}}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout + result.stderr
    (OUTPUT / f"sslyze-{profile}-{name}.txt").write_text(report)
    target = f"{name}:{gateway.port}: "
    verdict = [line.strip() for line in report.splitlines() if line.strip().startswith(target)]
    assert verdict == [f"{target}OK - Compliant."], report[-3000:]
    assert result.returncode == 0, report[-3000:]


@pytest.mark.parametrize("name", SERVER_NAMES)
def test_sslyze_intermediate_compliant(sslyze_python: str, gateway: Gateway, name: str) -> None:
    sslyze(sslyze_python, gateway, name, "intermediate")


def run_testssl(gateway: Gateway, name: str, out: Path) -> dict[str, dict]:
    testssl = require_tool("testssl")
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            testssl,
            "--quiet",
            "--warnings",
            "off",
            "--color",
            "0",
            "--ip",
            "127.0.0.1",
            "--add-ca",
            str(gateway.ca),
            "--protocols",
            "--std",
            "--headers",
            "--server-defaults",
            "--jsonfile",
            str(out),
            gateway.url("https", name=name),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    findings = json.loads(out.read_text())
    return {finding["id"]: finding for finding in findings}


@pytest.mark.parametrize("name", SERVER_NAMES)
def test_testssl_findings(gateway: Gateway, name: str) -> None:
    findings = run_testssl(gateway, name, OUTPUT / f"testssl-{name}.json")
    for finding_id in NOT_OFFERED:
        assert finding_id in findings, f"testssl.sh did not report {finding_id}"
        assert "not offered" in findings[finding_id]["finding"], findings[finding_id]
    assert "offered" in findings["TLS1_2"]["finding"], findings["TLS1_2"]
    assert findings["HSTS_time"]["severity"] == "OK", findings["HSTS_time"]
    trust = [f for i, f in findings.items() if i.startswith("cert_chain_of_trust")]
    assert trust and all(f["severity"] == "OK" for f in trust), trust
    bad = {
        i: f
        for i, f in findings.items()
        if f.get("severity") in ("HIGH", "CRITICAL")
        # An internal CA publishes no CRL or OCSP responder; ACME certificates carry them.
        and i != "cert_revocation"
    }
    assert not bad, bad


def test_sslyze_modern_compliant_after_switching_profile(
    sslyze_python: str, gateway: Gateway
) -> None:
    """wss_tls_profile: modern, deployed over the running gateway, is Mozilla-modern compliant."""
    try:
        switched = gateway.converge("converge-modern.log", WSS_PROOF_PROFILE="modern")
        assert switched.returncode == 0, (OUTPUT / "converge-modern.log").read_text()[-3000:]
        for name in SERVER_NAMES:
            sslyze(sslyze_python, gateway, name, "modern")
    finally:
        restored = gateway.converge("converge-intermediate.log")
        assert restored.returncode == 0, (OUTPUT / "converge-intermediate.log").read_text()[-3000:]
