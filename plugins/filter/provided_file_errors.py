# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The provided_file_errors filter; the logic lives in module_utils/_certificate_checks.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.certificate_guard import provided_file_errors

DOCUMENTATION = r"""
name: provided_file_errors
short_description: Check the files of a provided certificate, on the host or on the controller
version_added: 0.1.0
author: wss.gateway developers
description:
- With O(stats) (the C(ansible.builtin.stat) results of the certificate and the key on the host, in
  this order), one message per file that does not exist and for a key that every user can read.
- Without O(stats), looks for C(cert_src) and C(key_src) on the controller (where filters run).
- Total over any input - a stat result without C(mode) or C(exists) gives a message, never an exception.
options:
  _input:
    description: The normalised endpoint (an element of C(certificate_normalized_endpoints)).
    type: dict
    required: true
  stats:
    description: The stat results of the certificate and the key on the host.
    type: list
    elements: dict
  hostname:
    description: The host, for the messages.
    type: str
    default: localhost
"""

EXAMPLES = r"""
- name: Check that the provided files exist and the key is private
  ansible.builtin.assert:
    that: __errors | length == 0
    fail_msg: "{{ __errors | join(' ') }}"
  vars:
    __errors: "{{ endpoint | wss.gateway.provided_file_errors(stats=host_files.results, hostname=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: Messages, empty when the files are fit.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"provided_file_errors": provided_file_errors}
