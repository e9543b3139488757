"""wss.gateway.wss_validate on localhost: the validator's answer as facts in one task, hidden
(the endpoints may carry a TSIG secret), or every message at once and nothing published."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import require_tool

# A play on localhost whose first task (named Validate) runs wss.gateway.wss_validate.
TASK = (
    "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
    "    - name: Validate\n      wss.gateway.wss_validate:\n"
)

ENDPOINT = {
    "name": "chat",
    "server_names": ["chat.example.test"],
    "locations": [{"path": "/", "backends": ["127.0.0.1:19808"]}],
}


def run(
    tmp_path: Path,
    endpoints: list,
    publish: dict,
    *,
    role_spec: str = "",
    extra: dict | None = None,
) -> subprocess.CompletedProcess:
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        TASK + '        endpoints: "{{ endpoints }}"\n'
        "        hostname: gw.example.test\n"
        "        tls_dir: /etc/wss-gateway/tls\n"
        "        input_key: the-digest\n"
        '        publish: "{{ publish }}"\n'
        + (f"        role_spec: {role_spec}\n" if role_spec else "")
        + "      ignore_errors: true\n"
        "      register: answer\n"
        "    - name: Show\n"
        "      ansible.builtin.debug:\n"
        "        msg: >-\n"
        "          {{ {'published': published | default('none'), 'validation': validation | default('none'),\n"
        "              'checks': checks | default('none'), 'errors': answer.errors | default('none'),\n"
        "              'argument_errors': answer.argument_errors | default('none')} | to_json }}\n"
    )
    return play(playbook, {"endpoints": endpoints, "publish": publish, **(extra or {})}, "-v")


def play(playbook: Path, extra: dict, *options: str) -> subprocess.CompletedProcess:
    """ansible-playbook on localhost with ``extra`` as extra variables."""
    return subprocess.run(
        [require_tool("ansible-playbook"), "-i", "localhost,", *options, str(playbook)]
        + ["-e", json.dumps(extra)],
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_STDOUT_CALLBACK": "default"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def shown(result: subprocess.CompletedProcess) -> dict:
    line = next(line for line in result.stdout.splitlines() if '"msg": "{' in line)
    return json.loads(json.loads("{" + line.strip().rstrip(",") + "}")["msg"])


def test_valid_input_is_published_and_hidden(tmp_path: Path) -> None:
    publish = {"published": "endpoints", "validation": "validation", "checks": "checks"}
    result = run(tmp_path, [ENDPOINT], publish)
    assert result.returncode == 0, result.stdout + result.stderr
    # The task's own result (with -v) is hidden: the endpoints may carry a TSIG secret.
    task = result.stdout.split("TASK [Validate]", 1)[1].split("TASK [Show]", 1)[0]
    assert "output has been hidden" in task, task
    assert "chat.example.test" not in task
    facts = shown(result)
    assert [endpoint["name"] for endpoint in facts["published"]] == ["chat"]
    assert facts["validation"]["input"] == "the-digest"
    assert facts["validation"]["errors"] == []
    assert facts["validation"]["endpoints"] == facts["published"]
    assert facts["checks"] == [facts["published"][0]["check"]]
    assert facts["errors"] == []


def test_invalid_input_fails_with_every_message_and_publishes_nothing(tmp_path: Path) -> None:
    bad = [
        {**ENDPOINT, "server_names": ["bad name"]},
        {**ENDPOINT, "name": "two", "locations": [{"path": "/", "backends": ["nowhere"]}]},
    ]
    result = run(tmp_path, bad, {"published": "endpoints"})
    assert result.returncode == 0, result.stdout + result.stderr  # ignore_errors
    task = result.stdout.split("TASK [Validate]", 1)[1].split("TASK [Show]", 1)[0]
    assert "fatal:" in task
    facts = shown(result)
    assert facts["published"] == "none"
    messages = facts["errors"]
    assert any(m.startswith("wss_endpoints[0].server_names") for m in messages), messages
    assert any(m.startswith("wss_endpoints[1].locations[0].backends") for m in messages), messages
    # The failure shows the messages, joined.
    assert "wss_endpoints[0].server_names" in task and "wss_endpoints[1].locations" in task


def test_an_unknown_part_to_publish_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path, [ENDPOINT], {"published": "everything"})
    task = result.stdout.split("TASK [Validate]", 1)[1].split("TASK [Show]", 1)[0]
    assert "publish: each fact is one of validation, endpoints, checks, views" in task, task
    assert "published: everything" in task
    assert shown(result)["published"] == "none"


def test_the_argument_spec_of_a_role_entry_point_is_checked_first(tmp_path: Path) -> None:
    """role_spec: the role's variables against its entry point's argument spec, with
    ansible-core's messages, before the values are checked (and nothing is published)."""
    result = run(
        tmp_path,
        [{**ENDPOINT, "server_names": ["bad name"]}],
        {"published": "endpoints"},
        role_spec="{role: proxy, entry_point: validate}",
        extra={"wss_tls_profile": "ancient", "proxy_http_redirect": "perhaps"},
    )
    facts = shown(result)
    assert facts["published"] == "none"
    assert facts["errors"] == "none", facts  # the values were not checked
    errors = facts["argument_errors"]
    assert any("value of wss_tls_profile must be one of: intermediate, modern" in e for e in errors)
    assert any("proxy_http_redirect" in e and "bool" in e for e in errors), errors
    task = result.stdout.split("TASK [Validate]", 1)[1].split("TASK [Show]", 1)[0]
    assert "Validation of arguments failed:" in task, task


def test_a_valid_role_spec_goes_on_to_the_values(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        [ENDPOINT],
        {"published": "endpoints"},
        role_spec="{role: certificate, entry_point: validate}",
        extra={"wss_tls_profile": "modern"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    facts = shown(result)
    assert [endpoint["name"] for endpoint in facts["published"]] == ["chat"]
    assert facts["argument_errors"] == "none"


def test_an_unknown_role_or_entry_point_is_refused(tmp_path: Path) -> None:
    for role_spec, message in (
        (
            "{role: nowhere, entry_point: validate}",
            "role_spec.role: 'nowhere' has no argument specs",
        ),
        ("{role: proxy, entry_point: nowhere}", "role_spec: role proxy has no entry point nowhere"),
        ("{role: ../proxy, entry_point: validate}", "is not a role of wss.gateway"),
    ):
        result = run(tmp_path, [ENDPOINT], {"published": "endpoints"}, role_spec=role_spec)
        task = result.stdout.split("TASK [Validate]", 1)[1].split("TASK [Show]", 1)[0]
        assert message in task, task
        assert shown(result)["published"] == "none"


def run_nginx(tmp_path: Path, extra: dict, problems: list) -> subprocess.CompletedProcess:
    playbook = tmp_path / "nginx.yml"
    playbook.write_text(
        TASK + "        scope: nginx\n"
        "        settings:\n"
        '          nginx_worker_connections: "{{ nginx_worker_connections | default(1024) }}"\n'
        '          nginx_worker_rlimit_nofile: "{{ nginx_worker_rlimit_nofile | default(2048) }}"\n'
        '        problems: "{{ problems }}"\n'
        "        role_spec: {role: nginx, entry_point: main}\n"
    )
    return play(playbook, {**extra, "problems": problems})


def test_the_nginx_scope_checks_the_argument_spec_then_the_settings(tmp_path: Path) -> None:
    """scope nginx: the nginx role's argument spec (entry point main), then the problems the
    caller found and the settings' own, every message at once."""
    assert run_nginx(tmp_path, {}, []).returncode == 0
    typed = run_nginx(tmp_path, {"nginx_worker_connections": "many"}, [])
    assert typed.returncode != 0
    assert "Validation of arguments failed:" in typed.stdout, typed.stdout
    assert "nginx_worker_connections" in typed.stdout
    both = run_nginx(
        tmp_path,
        {"nginx_worker_connections": 20000, "nginx_worker_rlimit_nofile": 10000},
        ["this host runs Plan 9"],
    )
    assert both.returncode != 0
    output = " ".join(both.stdout.split())
    assert (
        "this host runs Plan 9; nginx_worker_rlimit_nofile (10000) must be at least"
        " nginx_worker_connections (20000)"
    ) in output, output
