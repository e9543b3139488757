"""The rollout_report callback: reasons, and which hosts failed, stopped or never started."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.wss.gateway.plugins.callback.rollout_report import (
    CallbackModule,
    one_line,
    reason_of,
)


def test_reason_prefers_the_module_stderr_of_a_failed_fact_module() -> None:
    result = {
        "msg": "The following modules failed to execute: ansible.legacy.setup.",
        "failed_modules": {
            "ansible.legacy.setup": {
                "module_stderr": "Error response from daemon: Container abc is not running\n",
                "msg": "Module result deserialization failed",
            }
        },
    }
    assert reason_of(result) == "Error response from daemon: Container abc is not running"


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"msg": "nginx -t failed:\n  unknown directive"}, "nginx -t failed: unknown directive"),
        ({"stderr": "boom"}, "boom"),
        ({}, "no message"),
    ],
)
def test_reason_of_plain_results(result: dict, reason: str) -> None:
    assert reason_of(result) == reason


def test_one_line_cuts_long_text() -> None:
    assert one_line("x" * 50, limit=10) == "xxxxxxx..."


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def banner(self, text: str) -> None:
        self.lines.append(f"== {text}")

    def display(self, text: str, color: str | None = None) -> None:
        self.lines.append(text)


def run(
    batches: list[tuple[list[str], object]],
    targeted: list[str],
    started: set[str],
    failures: dict,
    dark: dict | None = None,
) -> list[str]:
    callback = CallbackModule()
    callback._display = Recorder()
    callback._targeted = targeted
    callback._started = started
    callback._batches = batches
    for name in failures:
        callback._errors[name] = ("FAILED", "Some task", "it broke")
    callback.v2_playbook_on_stats(SimpleNamespace(failures=failures, dark=dark or {}))
    return callback._display.lines


HOSTS = ["h1", "h2", "h3", "h4", "h5"]


def test_failed_canary_stops_before_the_other_batches() -> None:
    lines = run([(["h1"], 0)], HOSTS, {"h1"}, {"h1": 1})
    assert (
        lines[1]
        == "5 hosts: 0 completed, 1 failed or unreachable, 0 stopped with their batch, 4 not started"
    )
    assert lines[2] == "h1: FAILED at 'Some task': it broke"
    assert lines[3] == "not started (the rollout stopped before their batch): h2, h3, h4, h5"


def test_a_failure_in_a_batch_stops_the_rest_of_that_batch() -> None:
    batches = [(["h1"], 0), (["h2", "h3"], 0)]
    lines = run(batches, HOSTS, {"h1", "h2", "h3"}, {"h3": 1})
    assert (
        lines[1]
        == "5 hosts: 1 completed, 1 failed or unreachable, 1 stopped with their batch, 2 not started"
    )
    assert "stopped with their batch (the rollout stopped there): h2" in lines


@pytest.mark.parametrize(
    ("max_fail", "stopped"),
    [(50, False), (49, True), (None, False)],
)
def test_the_tolerance_decides_whether_a_batch_stopped(max_fail: object, stopped: bool) -> None:
    lines = run([(["h1", "h2"], max_fail)], ["h1", "h2"], {"h1", "h2"}, {"h2": 1})
    assert (f"{1 - stopped} completed" in lines[1]) and (f"{int(stopped)} stopped" in lines[1])


def test_everything_fine_is_one_count() -> None:
    lines = run([(HOSTS, 0)], HOSTS, set(HOSTS), {})
    assert lines == [
        "== WSS ROLLOUT REPORT",
        "5 hosts: 5 completed, 0 failed or unreachable, 0 stopped with their batch, 0 not started",
    ]


def test_unreachable_host_counts_as_bad() -> None:
    lines = run([(["h1"], 0)], ["h1"], {"h1"}, {}, dark={"h1": 1})
    assert (
        lines[1]
        == "1 host: 0 completed, 1 failed or unreachable, 0 stopped with their batch, 0 not started"
    )


@pytest.mark.parametrize(
    ("msg", "kind"),
    [
        ("rolled back: after the change, 1 of 1 WebSocket endpoint(s) failed", "ROLLED BACK"),
        ("1 of 1 WebSocket endpoint(s) failed: ... (not rolled back: ...)", "FAILED"),
    ],
)
def test_a_rolled_back_host_is_listed_as_such(msg: str, kind: str) -> None:
    callback = CallbackModule()
    callback._display = Recorder()
    task = SimpleNamespace(
        get_name=lambda: (
            "Report the check of each endpoint, and fail when one does not answer wss://"
        )
    )
    host = SimpleNamespace(get_name=lambda: "h1")
    callback.v2_runner_on_failed(SimpleNamespace(_host=host, _task=task, _result={"msg": msg}))
    callback._targeted = ["h1"]
    callback._batches = [(["h1"], 0)]
    callback.v2_playbook_on_stats(SimpleNamespace(failures={"h1": 1}, dark={}))
    assert callback._display.lines[2].startswith(f"h1: {kind} at 'Report the check of each")


class Inventory:
    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts

    def get_hosts(self, pattern: object, ignore_restrictions: bool = False) -> list:
        return [SimpleNamespace(name=name) for name in self.hosts]


def play(hosts: list[str], **play_vars: object) -> SimpleNamespace:
    manager = SimpleNamespace(_inventory=Inventory(hosts))
    return SimpleNamespace(
        hosts="wss", vars=play_vars, max_fail_percentage=0, get_variable_manager=lambda: manager
    )


def ok(host: str) -> SimpleNamespace:
    return SimpleNamespace(_host=SimpleNamespace(get_name=lambda: host))


def test_a_validation_play_starts_no_host() -> None:
    """deploy_wss.yml validates every host first: that alone does not start their deploy."""
    callback = CallbackModule()
    callback._display = Recorder()
    callback.v2_playbook_on_play_start(play(HOSTS, __wss_rollout_validation_only=True))
    for host in HOSTS:
        callback.v2_runner_on_ok(ok(host))
    callback.v2_playbook_on_play_start(play(["h1"]))
    callback.v2_runner_on_ok(ok("h1"))
    callback.v2_playbook_on_stats(SimpleNamespace(failures={}, dark={}))
    assert callback._display.lines[1] == (
        "5 hosts: 1 completed, 0 failed or unreachable, 0 stopped with their batch, 4 not started"
    )


def test_a_host_refused_by_the_validation_play_counts_once() -> None:
    callback = CallbackModule()
    callback._display = Recorder()
    callback.v2_playbook_on_play_start(play(["h1", "h2", "h3"], __wss_rollout_validation_only=True))
    for host in ("h1", "h2", "h3"):
        callback.v2_runner_on_ok(ok(host))
    callback.v2_runner_on_failed(
        SimpleNamespace(
            _host=ok("h2")._host,
            _task=SimpleNamespace(get_name=lambda: "Stop"),
            _result={"msg": "2 host(s) have invalid input"},
        )
    )
    callback.v2_playbook_on_stats(SimpleNamespace(failures={"h2": 1}, dark={}))
    assert callback._display.lines[1] == (
        "3 hosts: 0 completed, 1 failed or unreachable, 0 stopped with their batch, 2 not started"
    )
    assert callback._display.lines[2] == "h2: FAILED at 'Stop': 2 host(s) have invalid input"
