# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of wss.gateway.wss_validate (its documentation is the module's): the
collection's one validator (module_utils/_endpoints.py) run in the controller's process, its
answer published as facts and its messages as the failure, in one task."""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path

import yaml
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

try:  # ansible-core 2.21 and later: host variables from an action, as set_fact sets them
    from ansible.plugins.action import VariableLayer
except ImportError:  # earlier: the action's ansible_facts
    VariableLayer = None

# Imported when ansible-playbook loads this plugin, before it forks the task processes: they
# inherit the validator (and the filters that use it find it loaded).
from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (
    VALIDATE_ARGUMENT_SPEC,
    nginx_settings_errors,
    validation,
)

# What each published fact holds.
PARTS = ("validation", "endpoints", "checks", "views")

# The collection's roles (role_spec names one of them).
ROLES = Path(__file__).resolve().parents[2] / "roles"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SPECS: dict = {}


def role_argument_specs(role: str) -> dict:
    """The argument specs of a role of this collection (meta/argument_specs.yml), by entry
    point; read once per process."""
    if role not in _SPECS:
        if not role.isidentifier():
            raise AnsibleActionFail(f"role_spec.role: {role!r} is not a role of wss.gateway")
        path = ROLES / role / "meta" / "argument_specs.yml"
        try:
            with path.open(encoding="utf-8") as stream:
                _SPECS[role] = (yaml.load(stream, Loader=_LOADER) or {}).get("argument_specs", {})
        except OSError as error:
            raise AnsibleActionFail(
                f"role_spec.role: {role!r} has no argument specs ({error})"
            ) from error
    return _SPECS[role]


# Read before ansible-playbook forks the task processes (see above): they inherit them.
for _role in ("proxy", "certificate", "nginx"):
    with contextlib.suppress(AnsibleActionFail):
        role_argument_specs(_role)

# The same for the collection's filters and the logic they import when they run (cryptography
# with it): each task process that looks up a wss.gateway filter loads every filter file of
# the collection, and those that compare certificates or files import their logic; loaded
# here once, they are found loaded. A deploy's validation play runs this plugin first.
PRELOADED = [
    *(
        f"module_utils.{name}"
        for name in ("_files", "_ca_trust", "_internal_ca", "_certificate_checks")
    ),
    *(f"filter.{path.stem}" for path in sorted((ROLES.parent / "plugins" / "filter").glob("*.py"))),
]
for _name in PRELOADED:
    with contextlib.suppress(ImportError):
        importlib.import_module(f"ansible_collections.wss.gateway.plugins.{_name}")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, params = self.validate_argument_spec(
            argument_spec=VALIDATE_ARGUMENT_SPEC,
            required_if=[("scope", "endpoints", ("hostname", "tls_dir"))],
        )
        unknown = {
            f"{name}: {part}" for name, part in params["publish"].items() if part not in PARTS
        }
        if unknown:
            raise AnsibleActionFail(
                f"publish: each fact is one of {', '.join(PARTS)}; not {', '.join(sorted(unknown))}"
            )
        if params["role_spec"]:
            errors = self.role_argument_errors(params["role_spec"], task_vars or {})
            if errors:
                # As the role argument validation that ansible-core runs would report them.
                result.update(
                    failed=True,
                    argument_errors=errors,
                    msg="Validation of arguments failed:\n" + "\n".join(errors),
                )
                return result
        if params["scope"] == "nginx":
            # The nginx role's settings (no endpoints, nothing to publish).
            errors = params["problems"] + nginx_settings_errors(params["settings"])
            result["errors"] = errors
            if errors:
                result.update(failed=True, msg="; ".join(errors))
            else:
                result["msg"] = "the nginx settings are valid"
            return result
        found = validation(
            params["endpoints"],
            params["backend"],
            params["hostname"],
            params["tls_dir"],
            params["settings"],
        )
        errors = params["problems"] + found["errors"]
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
        published = {name: parts[part] for name, part in params["publish"].items()}
        if VariableLayer is None:
            result["ansible_facts"] = published
        else:
            # Variables of this run, as set_fact's: facts returned as ansible_facts would be
            # cached facts, which ansible-core 2.21 warns will no longer be top-level variables.
            self.register_host_variables({}, VariableLayer.CACHEABLE_FACT)
            self.register_host_variables(published, VariableLayer.EPHEMERAL_FACT)
        result["msg"] = f"{len(found['endpoints'])} endpoint(s) valid"
        # The normalised endpoints carry certificate.dns.key_secret (dns-01): never shown.
        result["_ansible_no_log"] = True
        return result

    def role_argument_errors(self, role_spec: dict, task_vars: dict) -> list:
        """What ansible-core's role argument validation (validate_argument_spec) would report
        for the entry point: the variables of its options, templated, against its spec."""
        entry = role_argument_specs(role_spec["role"]).get(role_spec["entry_point"])
        if entry is None:
            raise AnsibleActionFail(
                f"role_spec: role {role_spec['role']} has no entry point {role_spec['entry_point']}"
            )
        spec = entry.get("options") or {}
        provided = self._templar.template(
            {name: task_vars[name] for name in spec if name in task_vars}
        )
        checked = ArgumentSpecValidator(spec).validate(provided, validate_role_argument_spec=True)
        return list(checked.error_messages)
