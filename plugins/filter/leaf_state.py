# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The leaf_state filter; the logic lives in module_utils/_certificate_checks.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.certificate_guard import leaf_state

DOCUMENTATION = r"""
name: leaf_state
short_description: Whether an internal-CA certificate is due, and whether it can stay, in memory
version_added: 0.1.0
author: wss.gateway developers
description:
- For P(wss.gateway.certificate#role), endpoints with a C(selfsigned) certificate - reads the current
  certificate in memory with the Python library C(cryptography) (no module run) and returns
  C(due) (it expires within O(renew_days) days) and C(keep) (it stays - no signing request and no
  signature in this run).
- It stays when it is not due and carries exactly the names of the endpoint (O(endpoint) C(dns_names)
  and C(ip_addresses)); during a CA rotation (O(rotating)) nothing more is asked (it may come from the
  old CA); otherwise its common name is the endpoint's first server name (none when that is longer
  than 64 characters), its public key is the one whose fingerprint is O(key_sha256), and the CA
  certificate O(ca) issued it (issuer name and authority key identifier).
- Total over any input - no certificate, or text it cannot read, is due and does not stay.
options:
  _input:
    description: The current certificate (PEM), or an empty string when there is none.
    type: str
    required: true
  endpoint:
    description: The normalised endpoint (C(server_names), C(dns_names), C(ip_addresses)).
    type: dict
    required: true
  renew_days:
    description: A certificate that expires within this many days is due.
    type: int
    required: true
  key_sha256:
    description:
    - The SHA-256 fingerprint of the endpoint's public key, hex pairs joined by colons (as
      community.crypto reports it); empty when unknown (then it does not stay, outside a rotation).
    type: str
    default: ''
  ca:
    description: The CA certificate (PEM) this run signs with; empty when there is none yet.
    type: str
    default: ''
  rotating:
    description: Whether the internal CA is being rotated.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Decide whether the current certificate is renewed
  ansible.builtin.set_fact:
    current: "{{ leaf_pem | wss.gateway.leaf_state(endpoint, renew_days=30, key_sha256=fingerprint, ca=ca_pem) }}"
"""

RETURN = r"""
_value:
  description: C(due) and C(keep), booleans.
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"leaf_state": leaf_state}
