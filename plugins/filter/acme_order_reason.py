# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The acme_order_reason filter; the logic lives in module_utils/_certificate_checks.py."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.filter.certificate_guard import acme_reason

DOCUMENTATION = r"""
name: acme_order_reason
short_description: Why an acme endpoint needs an order from the ACME CA, or nothing
version_added: 0.1.0
author: wss.gateway developers
description:
- Returns the first reason that applies - no certificate yet, server names changed, due within O(renew_days),
  ACME directory changed, key type changed - or an empty string, and then the CA is not contacted
  (rate limits).
- Total over any input - skipped module results count as absent.
options:
  _input:
    description: The normalised endpoint (an element of C(certificate_normalized_endpoints)).
    type: dict
    required: true
  live:
    description: The C(ansible.builtin.stat) result of the lineage's C(cert.pem).
    type: dict
  info:
    description: The C(community.crypto.x509_certificate_info) result on it, with C(valid_at.renewal).
    type: dict
  conf:
    description: The C(ansible.builtin.slurp) result of the lineage's renewal file.
    type: dict
  server:
    description: The ACME directory URL in use.
    type: str
  renew_days:
    description: C(certificate_acme_renew_days), for the message.
    type: int
"""

EXAMPLES = r"""
- name: Decide whether this endpoint needs an ACME order
  ansible.builtin.set_fact:
    __reason: >-
      {{ endpoint | wss.gateway.acme_order_reason(live=live_stat, info=cert_info, conf=renewal_conf,
         server=acme_server, renew_days=30) }}
"""

RETURN = r"""
_value:
  description: The reason, or an empty string.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"acme_order_reason": acme_reason}
