# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The endpoints filter, and the functions of endpoint_errors and endpoint_validation (each
filter is documented in its own file); the logic lives in module_utils/_endpoints.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

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
  - Validates first, with the same code as P(wss.gateway.endpoint_errors#filter); input that
    it refuses fails the task with every message, never a traceback.
  - P(wss.gateway.endpoint_validation#filter) returns the messages and the endpoints in one
    call; the roles use it and publish the result as C(proxy_normalized_endpoints) and
    C(certificate_normalized_endpoints).
extends_documentation_fragment:
  - wss.gateway.endpoints
options:
  _input:
    description: The C(wss_endpoints) list.
    type: list
    elements: dict
    required: true
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

# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.


def _logic():
    from ansible_collections.wss.gateway.plugins.module_utils import _endpoints

    return _endpoints


def endpoint_validation(
    endpoints, backend=None, hostname="localhost", tls_dir="/etc/wss-gateway/tls", settings=None
):
    return _logic().validation(endpoints, backend, hostname, tls_dir, settings)


def endpoint_errors(
    endpoints, backend=None, hostname="localhost", tls_dir="/etc/wss-gateway/tls", settings=None
):
    logic = _logic()
    return logic.endpoint_errors(
        endpoints, backend, hostname, tls_dir, logic.with_controller_files(settings)
    )


def endpoints(
    endpoints, backend=None, hostname="localhost", tls_dir="/etc/wss-gateway/tls", settings=None
):
    logic = _logic()
    try:
        return logic.normalize(
            endpoints, backend, hostname, tls_dir, logic.with_controller_files(settings)
        )
    except logic.InvalidEndpoints as error:
        raise AnsibleFilterError(str(error)) from error


class FilterModule:
    def filters(self):
        return {"endpoints": endpoints}
