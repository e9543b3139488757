# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""At the end of a run, the hosts that failed, were unreachable or were never started."""

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_report
type: aggregate
short_description: List failed, unreachable and untouched hosts at the end of a rollout
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - At the end of a run, prints one line per host that failed or was unreachable, with the
    task and the reason (the last error of that host), and the hosts of the plays that were
    never started because the rollout stopped before their batch (C(serial) with
    C(max_fail_percentage), as in C(wss.gateway.deploy_wss)).
  - Hosts of the batch where the rollout stopped that had not failed themselves are listed as
    stopped with their batch (Ansible ends the whole batch when it breaks the play).
  - A host whose deploy was rolled back counts as failed and is listed as C(ROLLED BACK), with
    the rollback's message (the change failed its live check and the previous configuration
    answers again).
  - A play with the play variable C(__wss_rollout_validation_only) set (the first play of
    C(wss.gateway.deploy_wss), which validates every host on the controller) starts no host;
    a host that fails there is listed as failed.
  - Prints nothing more when every host succeeded, apart from a one-line count.
requirements:
  - Enable it, e.g. C(ANSIBLE_CALLBACKS_ENABLED=wss.gateway.rollout_report) or
    C(callbacks_enabled = wss.gateway.rollout_report) in C(ansible.cfg).
"""

import re  # noqa: E402

from ansible.plugins.callback import CallbackBase  # noqa: E402

MAX_REASON = 400


def one_line(text: str, limit: int = MAX_REASON) -> str:
    """Whitespace folded to single spaces, cut at ``limit`` characters."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reason_of(result: dict) -> str:
    """The most useful message of a task result (a module's own stderr before a summary)."""
    nested = [
        reason_of(sub)
        for sub in (result.get("failed_modules") or {}).values()
        if isinstance(sub, dict)
    ]
    if nested:
        return one_line("; ".join(nested))
    for key in ("module_stderr", "msg", "stderr", "stdout", "exception"):
        value = result.get(key)
        if value:
            return one_line(value)
    return "no message"


# A play var that marks a play which only validates input on the controller: its hosts have
# not started a deploy (deploy_wss.yml's first play sets it).
VALIDATION_ONLY = "__wss_rollout_validation_only"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wss.gateway.rollout_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._targeted: list[str] = []
        self._started: set[str] = set()
        self._errors: dict[str, tuple[str, str, str]] = {}
        # Each batch of each play: its hosts and the play's max_fail_percentage.
        self._batches: list[tuple[list[str], object]] = []
        # Whether results of the current play count as a started deploy (not in a play that
        # only validates the input on the controller, as deploy_wss.yml's first play).
        self._counting = True

    # Every batch of a serial play starts the play again, restricted to the batch; the hosts
    # of all batches are the play's pattern without that restriction (but with --limit).
    def v2_playbook_on_play_start(self, play) -> None:
        inventory = play.get_variable_manager()._inventory
        for host in inventory.get_hosts(play.hosts, ignore_restrictions=True):
            if host.name not in self._targeted:
                self._targeted.append(host.name)
        self._counting = not (play.vars or {}).get(VALIDATION_ONLY)
        if self._counting:
            batch = [host.name for host in inventory.get_hosts(play.hosts)]
            self._batches.append((batch, play.max_fail_percentage))

    def _started_on(self, result) -> None:
        if self._counting:
            self._started.add(result._host.get_name())

    def v2_runner_on_ok(self, result) -> None:
        self._started_on(result)

    def v2_runner_on_skipped(self, result) -> None:
        self._started_on(result)

    def v2_runner_on_failed(self, result, ignore_errors: bool = False) -> None:
        self._started_on(result)
        if not ignore_errors:
            reason = reason_of(result._result)
            self._errors[result._host.get_name()] = (
                "ROLLED BACK" if reason.startswith("rolled back:") else "FAILED",
                result._task.get_name(),
                reason,
            )

    def v2_runner_on_unreachable(self, result) -> None:
        self._started_on(result)
        self._errors[result._host.get_name()] = (
            "UNREACHABLE",
            result._task.get_name(),
            reason_of(result._result),
        )

    def _stopped_with_batch(self, bad: set[str]) -> list[str]:
        """Hosts that did not fail but whose batch broke the play (Ansible's own rule)."""
        if not self._batches:
            return []
        batch, max_fail = self._batches[-1]
        failed = [name for name in batch if name in bad]
        if not failed:
            return []
        if max_fail is None:
            stopped = len(failed) == len(batch)
        else:
            stopped = len(failed) * 100.0 / len(batch) > float(max_fail)
        return [name for name in batch if name not in bad] if stopped else []

    def v2_playbook_on_stats(self, stats) -> None:
        bad = [name for name in self._targeted if stats.failures.get(name) or stats.dark.get(name)]
        interrupted = self._stopped_with_batch(set(bad))
        # A host that failed counts once, as failed (also when it failed in a validation play).
        not_started = [n for n in self._targeted if n not in self._started and n not in bad]
        done = len(self._targeted) - len(bad) - len(interrupted) - len(not_started)
        total = len(self._targeted)
        self._display.banner("WSS ROLLOUT REPORT")
        self._display.display(
            f"{total} host{'' if total == 1 else 's'}: {done} completed, "
            f"{len(bad)} failed or unreachable, {len(interrupted)} stopped with their batch, "
            f"{len(not_started)} not started"
        )
        for name in bad:
            kind, task, reason = self._errors.get(name, ("FAILED", "?", "see the output above"))
            self._display.display(f"{name}: {kind} at '{task}': {reason}", color="red")
        if interrupted:
            self._display.display(
                "stopped with their batch (the rollout stopped there): " + ", ".join(interrupted),
                color="yellow",
            )
        if not_started:
            self._display.display(
                "not started (the rollout stopped before their batch): " + ", ".join(not_started),
                color="yellow",
            )
