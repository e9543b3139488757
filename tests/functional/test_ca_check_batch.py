"""The certificate role's ca_check step on a batch of two local hosts, one with a selfsigned
endpoint and one without: the batch's need for the internal CA is noted once for every host
of the batch, and only the host with one is compared with the CA (its own need, per host)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool


def endpoint(name: str, certificate: dict) -> dict:
    return {
        "name": name,
        "server_names": [f"{name}.example.test"],
        "locations": [{"path": "/", "backends": ["127.0.0.1:19808"]}],
        "certificate": certificate,
    }


HOST = {
    "ansible_connection": "local",
    "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    "wss_become": False,
}


# The play's head: every host of the inventory, with the OS facts the role reads.
PLAY = "- hosts: all\n  gather_facts: true\n  gather_subset: [min]\n  tasks:\n"


def run(tmp_path: Path, inventory: dict, playbook: str) -> subprocess.CompletedProcess:
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    (tmp_path / "play.yml").write_text(playbook)
    return subprocess.run(
        [
            require_tool("ansible-playbook"),
            "-i",
            str(tmp_path / "inventory.json"),
            "-f",
            "2",
            str(tmp_path / "play.yml"),
        ],
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_STDOUT_CALLBACK": "default"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("first", ["signed", "given"])
def test_the_batch_needs_the_ca_when_one_host_does(tmp_path: Path, first: str) -> None:
    """In either order: the CA is found once for the batch (the first host of the batch
    includes it), and every host of the batch has what it found."""
    host = HOST
    inventory = {
        "all": {
            "hosts": {
                "signed": {**host, "wss_endpoints": [endpoint("a", {"source": "selfsigned"})]},
                "given": {
                    **host,
                    "wss_endpoints": [
                        endpoint(
                            "b",
                            {
                                "source": "provided",
                                "cert_path": "/etc/ssl/b/fullchain.pem",
                                "key_path": "/etc/ssl/b/privkey.pem",
                            },
                        )
                    ],
                },
            },
            "vars": {
                "wss_certificate_ca_dir": str(tmp_path / "ca"),
                "wss_tls_dir": str(tmp_path / "tls"),
            },
        }
    }
    hosts = inventory["all"]["hosts"]
    inventory["all"]["hosts"] = {
        name: hosts[name] for name in sorted(hosts, key=lambda n: n != first)
    }
    result = run(
        tmp_path,
        inventory,
        PLAY + "    - ansible.builtin.include_role:\n"
        "        name: wss.gateway.certificate\n"
        "        tasks_from: ca_check\n"
        "    - ansible.builtin.debug:\n"
        "        msg: \"NEEDS {{ {'batch': __certificate_ca_needed | bool,\n"
        "                        'trust': __certificate_ca_trust,\n"
        "                        'signing': __certificate_ca_signing_pem | length > 0} | to_json }}\"\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    lines = result.stdout.splitlines()
    for before, line in zip(lines, lines[1:], strict=False):
        if '"msg": "NEEDS ' in line:
            host = before.split("[", 1)[1].split("]", 1)[0]
            found[host] = json.loads(json.loads("{" + line.strip() + "}")["msg"][len("NEEDS ") :])
    assert found["signed"]["batch"] is True and found["given"]["batch"] is True, found
    # The host without a selfsigned endpoint is not compared with the CA; the other is, and
    # trusts none yet (this run made the CA, once).
    assert found["given"]["trust"] == {}, found
    assert found["signed"]["trust"]["ok"] is True, found
    assert found["signed"]["signing"] is True and found["given"]["signing"] is True, found
    assert (tmp_path / "ca").is_dir()
    # The batch's need was noted by one task run, not one per host.
    noted = result.stdout.split("Note whether any host of the batch uses", 1)[1].split("TASK", 1)[0]
    assert noted.count("ok: [") == 1, noted


def test_a_host_of_another_os_family_is_stopped_before_any_change(tmp_path: Path) -> None:
    """The package names come from the OS family (a cacheable fact stands in for another OS
    here): on another family the step stops with a message that names it, and has written
    nothing on the host."""
    inventory = {
        "all": {
            "hosts": {
                "other": {**HOST, "wss_endpoints": [endpoint("a", {"source": "selfsigned"})]}
            },
            "vars": {
                "wss_certificate_ca_dir": str(tmp_path / "ca"),
                "wss_tls_dir": str(tmp_path / "tls"),
            },
        }
    }
    result = run(
        tmp_path,
        inventory,
        PLAY + "    - ansible.builtin.set_fact:\n"
        "        os_family: Solaris\n"
        "        distribution: OpenIndiana\n"
        "        cacheable: true\n"
        "    - ansible.builtin.include_role:\n"
        "        name: wss.gateway.certificate\n"
        "        tasks_from: ca_check\n",
    )
    assert result.returncode != 0, result.stdout
    assert (
        "wss.gateway.certificate supports the Debian family (Debian tested, Ubuntu untested);"
        " host other is OpenIndiana (Solaris family)"
    ) in result.stdout, result.stdout
    assert not (tmp_path / "tls").exists()
