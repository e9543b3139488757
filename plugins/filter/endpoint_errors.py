# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The endpoint_errors filter; the logic lives in module_utils/_endpoints.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import endpoint_errors

DOCUMENTATION = r"""
name: endpoint_errors
short_description: List every problem with wss_endpoints, one message each
version_added: 0.1.0
author: wss.gateway developers
description:
  - Checks what an argument spec cannot say about C(wss_endpoints) (or the C(wss_backend)
    shorthand) and returns one message per problem, each naming the variable path,
    for example C(wss_endpoints[1].name) when two endpoints share a name.
  - Unique endpoint names, no two endpoints on one port with the same server name, port 80
    reserved, backends in C(host:port), C([ipv6]:port) or C(unix:/path) form, server names
    that are DNS names or IP addresses, paths, origins, nginx time values, and the files
    that a C(provided) certificate needs.
options:
  _input:
    description: The C(wss_endpoints) list.
    type: raw
    required: true
  backend:
    description: The C(wss_backend) shorthand.
    type: str
  hostname:
    description: Server name of the shorthand endpoint.
    type: str
    default: localhost
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
