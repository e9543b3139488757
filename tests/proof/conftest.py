"""A gateway deployed by the collection, for the proof suite's real clients and scanners.

The `proof` molecule scenario is driven step by step: create and converge (the first
deploy runs with ``-vvv --diff`` and its output is kept, so a test can look for key
material in it), then the tests run from this machine against the published port, then
destroy. The browser dials the names in the certificate, mapped to 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_molecule

OUTPUT = ROOT / "tests" / "output" / "proof"
PORT = int(os.environ.get("WSS_PROOF_PORT", "18450"))
# The gateway's port 80 and its port 8443 (an endpoint with an IP address), published too.
HTTP_PORT = int(os.environ.get("WSS_PROOF_HTTP_PORT", "18460"))
IP_PORT = int(os.environ.get("WSS_PROOF_IP_PORT", "18461"))
CONTAINER = os.environ.get("WSS_PROOF_CONTAINER", "wss-proof")
# HAProxy in front of the gateway (molecule.yml): its container and published port.
LB_PORT = int(os.environ.get("WSS_PROOF_LB_PORT", "18462"))
LB_CONTAINER = f"{CONTAINER}-haproxy"
NETWORK = f"{CONTAINER}-net"


@dataclass(frozen=True)
class Gateway:
    port: int
    http_port: int  # the gateway's port 80
    ip_port: int  # the gateway's port 8443, whose endpoint has the IP address 127.0.0.1
    name: str  # a server name in the certificate
    other_name: str  # a name the certificate lacks, also mapped to 127.0.0.1
    ca: Path
    container: str
    deploy_log: Path
    env: dict

    def url(self, scheme: str = "wss", path: str = "/", name: str | None = None) -> str:
        return f"{scheme}://{name or self.name}:{self.port}{path}"

    @property
    def origin(self) -> str:
        return f"https://{self.name}:{self.port}"

    def exec(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker", "exec", self.container, *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def converge(self, log_name: str, **extra_env: str) -> subprocess.CompletedProcess:
        return run_molecule(
            "converge", "proof", {**self.env, **extra_env}, OUTPUT / log_name, "--", "--diff"
        )


@pytest.fixture(scope="session")
def gateway(image_env: dict[str, str]) -> Gateway:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = {
        **image_env,
        "WSS_PROOF_PORT": str(PORT),
        "WSS_PROOF_HTTP_PORT": str(HTTP_PORT),
        "WSS_PROOF_IP_PORT": str(IP_PORT),
        "WSS_PROOF_LB_PORT": str(LB_PORT),
        "WSS_PROOF_DIR": str(OUTPUT),
        "WSS_PROOF_PROFILE": "intermediate",
    }
    run_molecule("destroy", "proof", env, OUTPUT / "destroy-before.log")
    created = run_molecule("create", "proof", env, OUTPUT / "create.log")
    assert created.returncode == 0, (OUTPUT / "create.log").read_text()[-3000:]
    deploy_log = OUTPUT / "converge.log"
    converged = run_molecule("converge", "proof", env, deploy_log, "--", "-vvv", "--diff")
    assert converged.returncode == 0, deploy_log.read_text(errors="replace")[-5000:]
    yield Gateway(
        port=PORT,
        http_port=HTTP_PORT,
        ip_port=IP_PORT,
        name="wss.test",
        other_name="stranger.test",
        ca=OUTPUT / "ca" / "ca.pem",
        container=CONTAINER,
        deploy_log=deploy_log,
        env=env,
    )
    run_molecule("destroy", "proof", env, OUTPUT / "destroy.log")
