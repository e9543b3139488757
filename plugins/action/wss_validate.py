# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of wss.gateway.wss_validate (its documentation is the module's): the
collection's one validator (module_utils/_endpoints.py) run in the controller's process, its
answer published as facts and its messages as the failure, in one task."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# Imported when ansible-playbook loads this plugin, before it forks the task processes: they
# inherit the validator (and the filters that use it find it loaded).
from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    VALIDATE_ARGUMENT_SPEC,
    validation,
)

# What each published fact holds.
PARTS = ("validation", "endpoints", "checks", "views")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, params = self.validate_argument_spec(argument_spec=VALIDATE_ARGUMENT_SPEC)
        unknown = {
            f"{name}: {part}" for name, part in params["publish"].items() if part not in PARTS
        }
        if unknown:
            raise AnsibleActionFail(
                f"publish: each fact is one of {', '.join(PARTS)}; not {', '.join(sorted(unknown))}"
            )
        found = validation(
            params["endpoints"],
            params["backend"],
            params["hostname"],
            params["tls_dir"],
            params["settings"],
        )
        errors = found["errors"]
        result["errors"] = errors
        if errors:
            # The messages name variable paths and never repeat a secret: shown.
            result.update(failed=True, msg="; ".join(errors))
            return result
        parts = {
            "validation": {**found, "input": params["input_key"]},
            "endpoints": found["endpoints"],
            "checks": [endpoint["check"] for endpoint in found["endpoints"]],
            "views": found["views"],
        }
        result["ansible_facts"] = {name: parts[part] for name, part in params["publish"].items()}
        result["msg"] = f"{len(found['endpoints'])} endpoint(s) valid"
        # The normalised endpoints carry certificate.dns.key_secret (dns-01): never shown.
        result["_ansible_no_log"] = True
        return result
