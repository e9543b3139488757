# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The certificate_chain filter; the logic lives in module_utils/_certificate_checks.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.certificate_guard import certificate_chain

DOCUMENTATION = r"""
name: certificate_chain
short_description: Check in memory that a certificate chain is in order and ends at a root
version_added: 0.1.0
author: wss.gateway developers
description:
- For the guard of P(wss.gateway.certificate#role) when the roots are on the controller, without a
  module run - each certificate must be issued by the next one (names and signature, with the
  Python library C(cryptography) that community.crypto needs on the controller too), and the last
  one must be one of O(roots) or be issued by one of them.
- Returns what C(community.crypto.certificate_complete_chain) returns for the guard to read -
  C(complete_chain) (the chain, and the root when the last certificate is not one) or C(msg).
- Total over any input - text that is not a certificate gives C(msg), never an exception.
options:
  _input:
    description: The PEM certificates of the chain, leaf first.
    type: list
    elements: str
    required: true
  roots:
    description: PEM texts (a bundle may hold several certificates) with the roots the chain must end at.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Check the chain of a certificate against the internal CA on the controller
  ansible.builtin.assert:
    that: __chain.complete_chain is defined
    fail_msg: "{{ __chain.msg | default('') }}"
  vars:
    __chain: "{{ certs | wss.gateway.certificate_chain(roots=[lookup('ansible.builtin.file', 'ca/ca.pem')]) }}"
"""

RETURN = r"""
_value:
  description:
  - C(complete_chain), the chain in PEM (with the root when the last certificate is not one), when
    it is in order and ends at a root; otherwise C(msg), why not.
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"certificate_chain": certificate_chain}
