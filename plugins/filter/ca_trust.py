# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""CA continuity filter; the logic lives in module_utils/_ca_trust.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: ca_trust
short_description: Decide whether a host may be signed for by this run's internal CA
version_added: 0.1.0
author: wss.gateway developers
description:
  - Compares the CA certificates a host trusts now (its C(<wss_tls_dir>/ca.pem), O(_input))
    with the CA this run signs with (O(signing)), by SHA-256 fingerprint of the DER form.
  - A host without a CA, or one that trusts the signing CA, goes on. A host that trusts only
    other CAs is refused, with a message naming the host, both fingerprints and O(variable),
    unless O(rotate) is set; then the host trusts the old and the new CA side by side.
options:
  _input:
    description: PEM text of the host's current CA bundle; empty when the host has none.
    type: str
    required: true
  signing:
    description: PEM certificate of the CA this run signs with; empty when there is none yet.
    type: str
    required: true
  rotate:
    description: The operator rotates to a new CA on purpose (C(certificate_ca_rotate)).
    type: bool
    default: false
  host:
    description: The host's name, for the message.
    type: str
    default: this host
  installed_path:
    description: Path of the host's CA bundle, for the message.
    type: str
    default: ca.pem
  signing_origin:
    description: Where this run's CA comes from, for the message.
    type: str
    default: this run's CA
  variable:
    description: The variable that chooses this run's CA, named in the message.
    type: str
    default: wss_certificate_ca_dir
"""

EXAMPLES = r"""
- name: Refuse a host that trusts another CA than the one this run signs with
  ansible.builtin.assert:
    that: __trust.ok
    fail_msg: "{{ __trust.msg }}"
  vars:
    __trust: "{{ __installed_pem | wss.gateway.ca_trust(signing=__ca_pem, host=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    ok:
      description: False when the host must be refused; nothing may change on it.
      type: bool
    msg:
      description: Why the host is refused; empty when O(ok) is true.
      type: str
    installed:
      description: SHA-256 fingerprints (C(AB:CD:...)) of the CAs the host trusts now.
      type: list
      elements: str
    signing:
      description: SHA-256 fingerprint of the signing CA; empty when there is none yet.
      type: str
    rotating:
      description: O(rotate) is set and the host still trusts an old CA besides the signing one.
      type: bool
    bundle:
      description: The CA bundle the host should hold after this run; empty when there is no CA.
      type: str
"""


# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.
def _ca_trust(installed, signing, **kwargs):
    from ansible_collections.wss.gateway.plugins.module_utils._ca_trust import ca_trust

    try:
        return ca_trust(installed, signing, **kwargs)
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from error


class FilterModule:
    def filters(self):
        return {"ca_trust": _ca_trust}
