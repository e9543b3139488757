# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""wss.gateway.wss_check run by Ansible itself (ansible-playbook, ansible-doc)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import NAME

PLAYBOOK = """\
- name: Check a WebSocket endpoint
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run wss_check
      wss.gateway.wss_check: "{{ check_args }}"
"""


# The module needs only the standard library: run it with the venv's Python and with the
# system's (no ansible installed there; Debian's older cryptography, if any).
INTERPRETERS = [sys.executable] + [p for p in ("/usr/bin/python3",) if Path(p).exists()]


def run_playbook(tmp_path, args: dict, *extra: str, python: str = sys.executable) -> tuple:
    """Run the one-task playbook with ``args``; return (returncode, task result)."""
    playbook = tmp_path / "check.yml"
    playbook.write_text(PLAYBOOK)
    extra_vars = tmp_path / "vars.json"
    extra_vars.write_text(json.dumps({"check_args": args, "ansible_python_interpreter": python}))
    env = dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        # ansible-core 2.21 adds a result's `invocation` (the masked arguments) only when asked.
        ANSIBLE_INJECT_INVOCATION="true",
    )
    completed = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", str(playbook), "-e", f"@{extra_vars}", *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        output = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON from ansible-playbook:\n{completed.stdout}\n{completed.stderr}")
    (task,) = output["plays"][0]["tasks"]
    return completed.returncode, task["hosts"]["localhost"]


@pytest.mark.parametrize("python", INTERPRETERS)
def test_check_mode_against_live_server(tmp_path, ws_server, pki, python):
    server = ws_server(tls=pki.good, subprotocols=["chat.v1"])
    code, result = run_playbook(
        tmp_path,
        {
            "endpoints": [
                {"url": server.url()},
                {"url": server.url(), "validate_certs": False, "min_cert_days": 0},
            ],
            "server_hostname": NAME,
            "ca_path": str(pki.ca_file),
            "subprotocols": ["chat.v1"],
            "echo_message": "over ansible",
            "min_cert_days": 14,
        },
        "--check",
        python=python,
    )
    assert code == 0, result
    assert result["changed"] is False
    assert not result.get("failed")
    assert (result["ok_count"], result["failed_count"]) == (2, 0)
    assert any("verification is disabled" in w for w in result["warnings"])
    endpoint, unverified = result["endpoints"]
    assert unverified["tls"]["verified"] is False
    assert unverified["tls"]["days_left"] > 300  # read by cryptography, old or new
    assert set(endpoint) >= {
        "ok",
        "url",
        "stage",
        "msg",
        "status",
        "headers",
        "subprotocol",
        "tls",
        "timings_ms",
    }
    assert endpoint["ok"] is True
    assert endpoint["status"] == 101
    assert endpoint["subprotocol"] == "chat.v1"
    assert set(endpoint["tls"]) >= {
        "version",
        "cipher",
        "alpn",
        "subject",
        "sans",
        "issuer",
        "not_after",
        "days_left",
    }
    assert set(endpoint["timings_ms"]) >= {"connect", "tls", "upgrade", "echo", "total"}


def test_failing_endpoint_fails_the_task(tmp_path, ws_server, pki):
    server = ws_server(tls=pki.good)
    code, result = run_playbook(
        tmp_path,
        {
            "endpoints": [
                {"url": server.url(), "server_hostname": NAME},
                {"url": server.url(), "server_hostname": "ws.example.com"},
            ],
            "ca_path": str(pki.ca_file),
            "timeout": 5,
        },
        "--check",
    )
    assert code != 0
    assert result["failed"] is True
    assert result["changed"] is False
    assert (result["ok_count"], result["failed_count"]) == (1, 1)
    failing = result["endpoints"][1]
    assert failing["stage"] == "tls"
    assert failing["msg"].startswith("hostname mismatch: certificate is for chat.example.com")
    assert f"{server.url()} (as ws.example.com): tls: hostname mismatch" in result["msg"]


def test_report_only_and_argument_spec(tmp_path):
    code, result = run_playbook(
        tmp_path, {"url": "ws://127.0.0.1:1/", "report_only": True, "timeout": 2}
    )
    assert code == 0, result
    assert result["failed_count"] == 1
    assert result["endpoints"][0]["stage"] == "tcp"

    code, result = run_playbook(
        tmp_path, {"url": "ws://127.0.0.1:1/", "endpoints": [{"url": "ws://127.0.0.1:2/"}]}
    )
    assert code != 0
    assert "mutually exclusive" in result["msg"]

    code, result = run_playbook(tmp_path, {"url": "ws://a/", "headers": {"Host": "other.example"}})
    assert code != 0
    assert result["msg"] == (
        "endpoint 'ws://a/': header 'Host' cannot be set in headers: use the server_hostname option"
    )


SECRET = "Bearer t0p-s3cret-\u20ac"


def test_non_ascii_header_is_refused_by_name_and_never_shown(tmp_path, ws_server):
    server = ws_server()
    code, result = run_playbook(
        tmp_path, {"url": server.url(), "headers": {"X-Ok": "fine", "Authorization": SECRET}}
    )
    assert code != 0
    assert result["msg"] == (
        f"endpoint '{server.url()}': header 'Authorization' has a non-ASCII character in its "
        "value; HTTP header values must be ASCII (encode it first, for example with the "
        "urlencode or b64encode filter)"
    )
    assert "t0p-s3cret" not in json.dumps(result)
    assert not server.requests, "nothing may be sent when an option is refused"


def test_header_values_are_no_log(tmp_path, ws_server):
    server = ws_server()
    code, result = run_playbook(
        tmp_path,
        {
            "endpoints": [{"url": server.url(), "headers": {"Authorization": "Bearer ep-s3cret"}}],
            "headers": {"Authorization": "Bearer top-s3cret"},
        },
    )
    assert code == 0, result
    assert [r["Authorization"] for r in server.requests] == ["Bearer ep-s3cret"]
    shown = json.dumps(result)
    assert "s3cret" not in shown
    hidden = {"Authorization": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}
    assert result["invocation"]["module_args"]["headers"] == hidden
    assert result["invocation"]["module_args"]["endpoints"][0]["headers"] == hidden


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-1"])
def test_timeout_must_be_finite_and_positive(tmp_path, timeout):
    code, result = run_playbook(tmp_path, {"url": "ws://127.0.0.1:1/", "timeout": timeout})
    assert code != 0
    assert result["msg"] == (
        "endpoint 'ws://127.0.0.1:1/': timeout must be a finite number of seconds greater "
        f"than 0 and at most 86400, got {float(timeout)!r}"
    )


def test_ansible_doc_renders():
    completed = subprocess.run(
        ["ansible-doc", "wss.gateway.wss_check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(os.environ, ANSIBLE_NOCOLOR="1", PAGER="cat"),
    )
    assert completed.returncode == 0, completed.stderr
    for word in ("server_hostname", "min_cert_days", "max_parallel", "report_only", "RETURN"):
        assert word in completed.stdout, word
