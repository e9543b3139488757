# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The endpoint_validation filter; the logic lives in module_utils/_endpoints.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.endpoints import endpoint_validation

DOCUMENTATION = r"""
name: endpoint_validation
short_description: Validate and normalise wss_endpoints in one call
version_added: 0.1.0
author: wss.gateway developers
description:
- Runs the collection's one validator over C(wss_endpoints) (or the C(wss_backend) shorthand) and
  the role settings given, and returns both the messages (as P(wss.gateway.endpoint_errors#filter))
  and, when there are none, the normalised endpoints (as P(wss.gateway.endpoints#filter)).
- Total over any input - every problem is a message naming its variable path, never an exception.
extends_documentation_fragment:
  - wss.gateway.endpoints
options:
  _input:
    description: The C(wss_endpoints) list.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Validate and normalise the endpoints of this host
  ansible.builtin.set_fact:
    __validation: >-
      {{ wss_endpoints | wss.gateway.endpoint_validation(backend=wss_backend | default(none),
         hostname=inventory_hostname, settings={'proxy_http_redirect': proxy_http_redirect}) }}

- name: Stop on any problem, with every message
  ansible.builtin.assert:
    that: __validation.errors | length == 0
    fail_msg: "{{ __validation.errors | join('; ') }}"
"""

RETURN = r"""
_value:
  description: C(errors), the messages (empty when the input is valid), C(endpoints), the normalised
    endpoints (empty unless C(errors) is), and C(views), where the checks run from after the setting
    C(wss_verify_from) (with C(inventory_groups), the inventory's C(groups)) as a list of C(view) (its
    name) and C(probe) (the host the check is delegated to, null for the gateway host itself).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"endpoint_validation": endpoint_validation}
