"""The execution environment builds, and deploys the gateway as an AWX job would.

`scripts/build-ee.sh` (`make ee`) builds execution-environment.yml on a local base image made
from the bookworm test image (tests/ee/Dockerfile.base). A bookworm target with systemd and
sshd (tests/ee/Dockerfile.target) is started on a user-defined Docker network, where the EE
reaches it by name over ssh, as AWX reaches hosts with a machine credential. The job is an
`ansible-runner run` of a fresh EE container over a private data directory (the project, the
inventory, the ssh key in env/ssh_key, a vault password file): the layout AWX gives a job.
The internal CA comes from the inventory, encrypted with Ansible Vault
(certificate_ca_source: vault), because the controller directory is empty in every job.

The job runs the demo's ws:// echo backend and wss.gateway.deploy_wss; a client on this
machine then echoes a message over wss:// through the published port, trusting only that CA.
(A re-run from an empty controller with the vault CA changing nothing is the `ca` scenario's
test; a second EE job would repeat it at the cost of another deploy.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import trustme
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.conftest import ROOT, require_tool, ws_connect

pytestmark = pytest.mark.ee

HERE = Path(__file__).resolve().parent
OUTPUT = ROOT / "tests" / "output" / "ee"
BASE_IMAGE = "wss-gateway-ee-base:test"
TARGET_IMAGE = "wss-gateway-ee-target:test"
EE_IMAGE = "wss-gateway-ee:test"
# Container and network names: WSS_EE_PREFIX (default wss-ee), so that two checkouts can
# run this test side by side.
PREFIX = os.environ.get("WSS_EE_PREFIX", "wss-ee")
NETWORK = f"{PREFIX}-net"
TARGET = f"{PREFIX}-target"
JOB = f"{PREFIX}-job"
VAULT_PASSWORD = "wss-ee-test-vault"  # a throwaway vault of this test's own throwaway CA
# systemd as PID 1, as the molecule platforms run it (tests/molecule, extensions/molecule/default).
SYSTEMD = ["--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined", "--cgroupns=host"]
SYSTEMD += ["-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock"]
RECAP = re.compile(
    r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M
)


def docker(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def checked(result: subprocess.CompletedProcess, what: str) -> str:
    assert result.returncode == 0, f"{what} failed:\n{(result.stdout + result.stderr)[-4000:]}"
    return result.stdout


def remove_containers() -> None:
    docker("rm", "-f", TARGET, JOB)
    docker("network", "rm", NETWORK)


def build_image(tag: str, dockerfile: str, base: str, context: Path) -> None:
    shutil.copy(HERE / dockerfile, context / "Dockerfile")
    checked(
        docker("build", "-q", "-t", tag, "--build-arg", f"BASE={base}", str(context)),
        f"docker build of {tag}",
    )


def host_ca_bundle() -> Path:
    """The trust store this machine's pip uses (the EE build installs from the package index)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (os.environ.get("PIP_CERT"), paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.fail("no CA bundle for pip found (PIP_CERT, the ssl module's default paths)")


def private_data_dir(root: Path, ca: trustme.CA) -> Path:
    """What AWX hands ansible-runner: project, inventory (vault-encrypted CA), env/ssh_key."""
    data = root / "job"
    project = data / "project"
    shutil.copytree(ROOT / "demo", project / "demo")
    (project / "site.yml").write_text(
        "---\n"
        "- name: Run the plain ws:// echo backend\n"
        "  ansible.builtin.import_playbook: demo/backend.yml\n"
        "- name: Deploy the gateway\n"
        "  ansible.builtin.import_playbook: wss.gateway.deploy_wss\n"
    )
    inventory = {
        "wss": {
            "hosts": {TARGET: {"ansible_host": TARGET, "ansible_user": "root"}},
            "vars": {
                # Logged in as root: the test image has no sudo.
                "wss_become": False,
                "wss_endpoints": [
                    {
                        "name": "ee",
                        "server_names": [TARGET],
                        "locations": [{"path": "/", "backends": ["127.0.0.1:19808"]}],
                    }
                ],
            },
        }
    }
    (data / "inventory" / "group_vars" / "wss").mkdir(parents=True)
    (data / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory))
    vault_vars = data / "inventory" / "group_vars" / "wss" / "ca.yml"
    vault_vars.write_text(
        yaml.safe_dump(
            {
                "certificate_ca_source": "vault",
                "certificate_ca_cert_pem": ca.cert_pem.bytes().decode(),
                "certificate_ca_key_pem": ca.private_key_pem.bytes().decode(),
            }
        )
    )
    (data / "vault").mkdir()
    password = data / "vault" / "password"
    password.write_text(VAULT_PASSWORD + "\n")
    require_tool("ansible-vault")
    checked(
        subprocess.run(
            ["ansible-vault", "encrypt", "--vault-password-file", str(password), str(vault_vars)],
            capture_output=True,
            text=True,
            check=False,
        ),
        "ansible-vault encrypt",
    )
    assert "BEGIN" not in vault_vars.read_text()
    env = data / "env"
    env.mkdir()
    key = ed25519.Ed25519PrivateKey.generate()
    (env / "ssh_key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    (root / "authorized_keys").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        + b" wss-ee-test\n"
    )
    (env / "envvars").write_text(
        yaml.safe_dump(
            {
                # A new target each run; AWX's default is the same.
                "ANSIBLE_HOST_KEY_CHECKING": "False",
                "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
                "ANSIBLE_CALLBACKS_ENABLED": "wss.gateway.rollout_report",
                "ANSIBLE_NOCOLOR": "1",
            }
        )
    )
    (env / "cmdline").write_text("--vault-password-file /runner/vault/password")
    return data


def run_job(name: str, data: Path) -> str:
    """One job: a fresh EE container runs ansible-runner over the private data directory."""
    log = OUTPUT / f"{name}.log"
    result = docker(
        "run",
        "--rm",
        "--name",
        name,
        "--network",
        NETWORK,
        "-v",
        f"{data}:/runner:z",
        EE_IMAGE,
        "ansible-runner",
        "run",
        "/runner",
        "-p",
        "site.yml",
    )
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"job {name} failed (log: {log}):\n{result.stdout[-5000:]}"
    return result.stdout


def wait_for_sshd() -> str:
    """The state of the target's ssh unit once systemd has started it, or given up on it."""
    state = ""
    for _attempt in range(1200):
        state = docker("exec", TARGET, "systemctl", "is-active", "ssh").stdout.strip()
        if state in ("active", "failed"):
            break
    return state


@pytest.fixture(scope="module")
def ee_image(image_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    require_tool("ansible-builder")
    context = tmp_path_factory.mktemp("ee-base")
    shutil.copy(host_ca_bundle(), context / "ca-bundle.crt")
    build_image(BASE_IMAGE, "Dockerfile.base", image_env["WSS_IMAGE_BOOKWORM"], context)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    venv = Path(sys.executable).parent.parent
    built = subprocess.run(
        [str(ROOT / "scripts" / "build-ee.sh")],
        cwd=ROOT,
        env={**os.environ, "BASE_IMAGE": BASE_IMAGE, "EE_IMAGE": EE_IMAGE, "VENV": str(venv)},
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    (OUTPUT / "build.log").write_text(built.stdout + built.stderr)
    checked(built, "scripts/build-ee.sh")
    return EE_IMAGE


def test_ee_deploys_and_echoes(ee_image: str, image_env: dict[str, str], tmp_path: Path) -> None:
    versions = checked(
        docker("run", "--rm", ee_image, "ansible-galaxy", "collection", "list", "--format", "json"),
        "ansible-galaxy collection list in the EE",
    )
    installed = {
        name: info["version"]
        for collections in json.loads(versions).values()
        for name, info in collections.items()
    }
    assert (
        installed.get("wss.gateway") == yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    )
    crypto = tuple(int(part) for part in installed["community.crypto"].split("."))
    assert crypto >= (3, 1, 1), installed

    target_context = tmp_path / "target"
    target_context.mkdir()
    build_image(
        TARGET_IMAGE, "Dockerfile.target", image_env["WSS_IMAGE_BOOKWORM_SYSTEMD"], target_context
    )
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    data = private_data_dir(tmp_path, ca)
    if os.geteuid() == 0:
        # The EE runs as its user 1000 (group 0), as on AWX: it writes the job's artifacts.
        for path in [data, *data.rglob("*")]:
            os.chown(path, 1000, 0)
    (data / "env" / "ssh_key").chmod(0o600)

    remove_containers()
    try:
        checked(docker("network", "create", NETWORK), "docker network create")
        checked(
            docker(
                *("run", "-d", "--name", TARGET, "--hostname", TARGET, "--network", NETWORK),
                *SYSTEMD,
                *("-v", f"{tmp_path / 'authorized_keys'}:/root/.ssh/authorized_keys:ro"),
                *("-p", "127.0.0.1::443", TARGET_IMAGE, "/lib/systemd/systemd"),
            ),
            "docker run of the target",
        )
        sshd = wait_for_sshd()
        assert sshd == "active", docker("exec", TARGET, "systemctl", "status", "ssh").stdout
        port = int(checked(docker("port", TARGET, "443/tcp"), "docker port").rsplit(":", 1)[1])

        output = run_job(JOB, data)
        recap = {host: counts for host, *counts in RECAP.findall(output)}
        # ok, changed, unreachable, failed
        assert recap[TARGET][2:] == ["0", "0"], output[-3000:]

        context = ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        with ws_connect(
            f"wss://{TARGET}/", sock=sock, ssl=context, server_hostname=TARGET, open_timeout=10
        ) as ws:
            ws.send("hello through the EE")
            assert ws.recv(timeout=10) == "hello through the EE"

    finally:
        remove_containers()
