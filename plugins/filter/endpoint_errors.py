# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The endpoint_errors filter; the logic lives in module_utils/_endpoints.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.endpoints import endpoint_errors

DOCUMENTATION = r"""
name: endpoint_errors
short_description: List every problem with wss_endpoints, one message each
version_added: 0.1.0
author: wss.gateway developers
description:
- Checks what an argument spec cannot say about C(wss_endpoints) (or the C(wss_backend) shorthand)
  and returns one message per problem, each naming the variable path, for example C(wss_endpoints[1].name)
  when two endpoints share a name.
- Every value is checked against a whitelist grammar with bounds (unknown keys and wrong types included),
  so whatever passes is safe to write into the nginx site - unique endpoint names (also after C(-)
  and C(_) are made equal), no two endpoints on one port with the same server name, port 80 reserved,
  backends in C(host:port), C([ipv6]:port) or C(unix:/path) form, server names that are RFC 1123 DNS
  names or IP addresses without zone ID, URL paths, origins (normalised as browsers send them), nginx
  time values within 1s-24d, limits within nginx's bounds, absolute file paths, and the files that
  a C(provided) certificate needs; with O(settings), the role settings (booleans, certificate lifetimes,
  ACME rules).
- Total over any input - a message naming the variable path, never an exception.
extends_documentation_fragment:
  - wss.gateway.endpoints
options:
  _input:
    description: The C(wss_endpoints) list.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Check the endpoints before anything changes
  ansible.builtin.assert:
    that: __wss_errors | length == 0
    fail_msg: "{{ __wss_errors | join('; ') }}"
  vars:
    __wss_errors: "{{ wss_endpoints | wss.gateway.endpoint_errors(backend=wss_backend) }}"
"""

RETURN = r"""
_value:
  description: Messages, empty when the input is valid.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"endpoint_errors": endpoint_errors}
