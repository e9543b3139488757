# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of wss.gateway.wss_ca and wss.gateway.wss_ca_sign (their documentation is the
modules'): on the controller itself (a local connection, no become) the work is done in this
process, with the code the module runs elsewhere (module_utils/_internal_ca.py); a module run
on the controller would first start a Python and import Ansible, which costs more than the
signature. Anywhere else (a CA host) it runs the module there."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (
    CA_ARGUMENT_SPEC,
    SIGN_ARGUMENT_RULES,
    SIGN_ARGUMENT_SPEC,
    CAError,
    run_ca,
    run_sign,
)

# The short name of the module -> its options, their rules and what runs it here.
WORK = {
    "wss_ca": (CA_ARGUMENT_SPEC, {}, run_ca),
    "wss_ca_sign": (
        SIGN_ARGUMENT_SPEC,
        SIGN_ARGUMENT_RULES,
        lambda params, check_mode: run_sign(params),
    ),
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        name = self._task.action.rsplit(".", 1)[-1]
        if name not in WORK:
            raise AnsibleActionFail(f"the action wss_ca does not serve {self._task.action}")
        spec, rules, work = WORK[name]
        if self._connection.transport != "local" or self._play_context.become:
            result.update(
                self._execute_module(
                    module_name=f"wss.gateway.{name}",
                    module_args=self._task.args,
                    task_vars=task_vars,
                )
            )
            return result
        dummy, params = self.validate_argument_spec(argument_spec=spec, **rules)
        try:
            result.update(work(params, bool(self._task.check_mode)))
        except CAError as error:
            result.update(failed=True, msg=str(error))
        return result
