# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The ca_fit filter; the logic lives in module_utils/_internal_ca.py."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ca_fit
short_description: Whether the internal CA on the controller can be used as it is, in memory
version_added: 0.1.0
author: wss.gateway developers
description:
- For P(wss.gateway.certificate#role) on every run with the CA on the controller - reads the CA key
  and certificate in memory with the Python library C(cryptography) (no module run) and returns
  C(differs), each way the CA is not what the settings make (the key's type and size or curve, a key
  of another certificate, the subject, the basic constraints and key usage), and C(fit) - it is there,
  nothing differs and it has more than O(validity_days) days left.
- A CA that differs is never replaced - the role stops the run and names the differences.
- Total over any input - text it cannot read gives no difference and no fit (making the CA then names
  the file).
options:
  _input:
    description: The CA private key (PEM), or an empty string when there is none.
    type: str
    required: true
  certificate:
    description: The CA certificate (PEM), or an empty string when there is none.
    type: str
    default: ''
  key_type:
    description: C(rsa) or C(ecdsa), as C(certificate_ca_key_type).
    type: str
    required: true
  key_size:
    description: The size of an RSA key.
    type: int
    required: true
  curve:
    description: The curve of an ECDSA key (C(secp256r1)).
    type: str
    required: true
  common_name:
    description: The CA's common name, its whole subject.
    type: str
    required: true
  constraints:
    description: The basic constraints the role makes, in community.crypto's notation (C(CA:TRUE), C(pathlen:0)).
    type: list
    elements: str
    required: true
  usages:
    description: The key usages the role makes, in community.crypto's notation (C(keyCertSign), C(cRLSign)).
    type: list
    elements: str
    required: true
  validity_days:
    description: The CA must have more than this many days left (a leaf signed today must not outlive it).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Read the CA on the controller
  ansible.builtin.set_fact:
    ca: >-
      {{ lookup('ansible.builtin.file', 'ca/ca-key.pem') | wss.gateway.ca_fit(
           certificate=lookup('ansible.builtin.file', 'ca/ca.pem'), key_type='rsa', key_size=3072,
           curve='secp256r1', common_name='wss.gateway internal CA', constraints=['CA:TRUE', 'pathlen:0'],
           usages=['keyCertSign', 'cRLSign'], validity_days=397) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: C(differs), a list of messages, and C(fit), a boolean.
  type: dict
"""


# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.
def ca_fit(key, certificate="", **settings):
    from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import ca_fit as fit

    return fit(key, certificate, **settings)


class FilterModule:
    def filters(self):
        return {"ca_fit": ca_fit}
