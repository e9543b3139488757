# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The endpoints filter; the logic lives in module_utils/_endpoints.py.

Its companion, endpoint_errors, has a file of its own (endpoint_errors.py), so that
ansible-doc and Galaxy find each filter's own documentation.
"""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.module_utils._endpoints import normalize

DOCUMENTATION = r"""
name: endpoints
short_description: Normalise wss_endpoints (defaults, file paths, check targets)
version_added: 0.1.0
author: wss.gateway developers
description:
  - Fills in the defaults of every endpoint and location of O(_input) and derives the facts
    that the certificate and proxy roles and the playbooks share (certificate and key
    paths, upstream names, the URL and name used by M(wss.gateway.wss_check)).
  - With an empty O(_input) and O(backend) set, returns the seed's single endpoint
    C(default) for O(hostname) with one location C(/) forwarding to O(backend).
  - Run P(wss.gateway.endpoint_errors#filter) first; this filter assumes valid input.
options:
  _input:
    description: The C(wss_endpoints) list.
    type: list
    elements: dict
    required: true
  backend:
    description: The C(wss_backend) shorthand, C(host:port).
    type: str
  hostname:
    description: The server name of the shorthand endpoint, usually C(inventory_hostname).
    type: str
    default: localhost
  tls_dir:
    description: Directory on the host under which each endpoint keeps its certificate and key.
    type: str
    default: /etc/wss-gateway/tls
"""

EXAMPLES = r"""
- name: Normalise the endpoints of this host
  ansible.builtin.set_fact:
    __wss_endpoints: "{{ wss_endpoints | wss.gateway.endpoints(backend=wss_backend, hostname=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The endpoints with defaults filled in and derived keys added.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"endpoints": normalize}
