"""Run a small playbook of the collection's roles against localhost with the local
connection (no container), with extra variables as JSON: for role steps that only check
input, or that only touch the controller."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import require_tool


def run_role_step(
    tmp_path: Path, role: str, tasks_from: str, variables: dict, options: tuple = ()
) -> subprocess.CompletedProcess:
    """One entry point of a role of the collection on localhost (facts: the min subset), as
    root or not (``wss_become`` false), with ``variables`` as extra variables and ``options``
    for ansible-playbook (such as --check)."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: true\n"
        "  gather_subset: [min]\n"
        "  vars:\n"
        '    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n'
        "    wss_become: false\n"
        "  tasks:\n"
        "    - ansible.builtin.include_role:\n"
        f"        name: wss.gateway.{role}\n"
        f"        tasks_from: {tasks_from}\n"
    )
    command = [require_tool("ansible-playbook"), "-i", "localhost,", *options, str(playbook)]
    if variables:
        command += ["-e", json.dumps(variables)]
    return subprocess.run(
        command,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_ca_check(tmp_path: Path, extra: dict, options: tuple = ()) -> subprocess.CompletedProcess:
    """The certificate role's ca_check step on localhost, with the controller's CA under
    ``tmp_path``/ca and one selfsigned endpoint (nothing on this machine trusts the test CA: the
    host's bundle is looked for under ``tmp_path``/tls); ``extra`` adds or changes variables."""
    variables = {
        "wss_certificate_ca_dir": str(tmp_path / "ca"),
        "wss_tls_dir": str(tmp_path / "tls"),
        "wss_endpoints": [
            {
                "name": "chat",
                "server_names": ["chat.example.test"],
                "locations": [{"path": "/", "backends": ["127.0.0.1:19808"]}],
            }
        ],
        **extra,
    }
    return run_role_step(tmp_path, "certificate", "ca_check", variables, options)
