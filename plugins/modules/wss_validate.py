#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_validate
short_description: Validate wss_endpoints and the role settings, and publish the result, in one task
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - Runs the collection's one validator (the same as P(wss.gateway.endpoint_validation#filter))
    over O(endpoints) (or the O(backend) shorthand) and O(settings) on the controller, in the
    controller's own process. Every problem is one message naming its variable path.
  - With problems, the task fails with every message at once (joined by C(; )) and returns
    them as RV(errors); nothing is published.
  - Without, it publishes the facts that O(publish) names, and hides its result (the normalised
    endpoints carry C(certificate.dns.key_secret)).
  - With O(role_spec), the role's variables are checked against its argument spec first.
  - The validate entry points of the wss.gateway.certificate and wss.gateway.proxy roles run it,
    and the first step of wss.gateway.nginx (O(scope=nginx)); it needs no connection to the host.
options:
  scope:
    description:
      - What to validate - C(endpoints), O(endpoints) (or O(backend)) with O(settings), the
        settings of the roles wss.gateway.certificate and wss.gateway.proxy; or C(nginx), the
        settings of the role wss.gateway.nginx in O(settings) (as
        P(wss.gateway.nginx_settings_errors#filter)), with no endpoints and nothing published.
    type: str
    choices: [endpoints, nginx]
    default: endpoints
  endpoints:
    description: The C(wss_endpoints) list.
    type: raw
    default: []
  backend:
    description: The C(wss_backend) shorthand (used when O(endpoints) is empty).
    type: raw
  hostname:
    description:
      - The host's name (the shorthand's server name), usually C(inventory_hostname).
      - Required with O(scope=endpoints).
    type: str
  tls_dir:
    description:
      - The directory of the certificates and keys (C(wss_tls_dir)).
      - Required with O(scope=endpoints).
    type: str
  problems:
    description:
      - Problems that the caller found itself (for example an operating system that the role
        does not support), reported first with the validator's.
    type: list
    elements: str
    default: []
  settings:
    description:
      - The role settings that the validator checks with the endpoints, by variable name (as
        the O(settings) of P(wss.gateway.endpoint_validation#filter)).
      - Controller files that the ACME settings name are looked for on the controller.
    type: dict
    default: {}
  input_key:
    description: A digest of the input, kept as C(input) in the C(validation) fact (a role step
      reuses an earlier validation only for the same input).
    type: str
    default: ""
  publish:
    description:
      - The facts to set, fact name to what it holds - C(validation) (C(errors), C(endpoints),
        C(views) and C(input)), C(endpoints) (the normalised endpoints), C(checks) (what
        M(wss.gateway.wss_check) needs to open each endpoint) or C(views) (where
        C(wss_verify_from) checks from).
    type: dict
    default: {}
  role_spec:
    description:
      - A role of this collection and one of its entry points - first, the role's variables are
        checked against that entry point's argument spec (C(meta/argument_specs.yml)) as
        ansible-core's role argument validation checks them, with the same messages, returned
        as RV(argument_errors). The validate entry points use it, so that a play that imports
        them with C(rolespec_validate=false) checks every variable in one task.
    type: dict
    suboptions:
      role:
        description: The role's name in this collection (C(proxy), C(certificate)).
        type: str
        required: true
      entry_point:
        description: The entry point (C(validate), C(main)).
        type: str
        required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
  action:
    support: full
    details: Runs on the controller, in its own process (the module only refuses to run on a host).
  async:
    support: none
  bypass_host_loop:
    support: none
notes:
  - Never changes anything and never connects to the host.
"""

EXAMPLES = r"""
- name: Validate the endpoints and publish the normalised ones
  wss.gateway.wss_validate:
    endpoints: "{{ wss_endpoints | default([]) }}"
    backend: "{{ wss_backend | default(omit) }}"
    hostname: "{{ inventory_hostname }}"
    tls_dir: "{{ wss_tls_dir | default('/etc/wss-gateway/tls') }}"
    settings:
      proxy_http_redirect: true
    publish:
      my_endpoints: endpoints
"""

RETURN = r"""
errors:
  description: Every problem with the input (empty when it is valid).
  returned: when the argument spec of O(role_spec) passed
  type: list
  elements: str
argument_errors:
  description: Every problem that the argument spec of O(role_spec) found; the values are not
    checked further.
  returned: when the argument spec of O(role_spec) failed
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import (  # noqa: E402
    VALIDATE_ARGUMENT_SPEC,
)


def main() -> None:
    module = AnsibleModule(argument_spec=VALIDATE_ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="wss.gateway.wss_validate runs on the controller (its action plugin)")


if __name__ == "__main__":
    main()
