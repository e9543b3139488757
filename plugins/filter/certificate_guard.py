# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The certificate role's decisions over module results; the logic lives in
module_utils/_certificate_checks.py (provided_file_errors and acme_order_reason are
documented in their own files)."""

from __future__ import annotations

import os

DOCUMENTATION = r"""
name: certificate_guard
short_description: Decide whether a certificate is fit to go live, from the module results
version_added: 0.1.0
author: wss.gateway developers
description:
- The guard of P(wss.gateway.certificate#role) - given the normalised endpoint and what was read
  (the PEM certificates of the chain file, the C(community.crypto.x509_certificate_info) filter on the
  leaf, C(community.crypto.openssl_privatekey_info) on the key, C(community.crypto.certificate_complete_chain) or P(wss.gateway.certificate_chain#filter)
  on the chain), returns one message per problem - no certificate, unreadable certificate or key,
  a server name not covered, key and certificate that do not match, a chain out of order, expired
  or expiring within C(certificate_min_valid_days).
- Total over any input - a skipped or failed module result gives a message, never an exception.
options:
  _input:
    description: The normalised endpoint (an element of C(certificate_normalized_endpoints)).
    type: dict
    required: true
  certs:
    description: The PEM certificates of the chain file, leaf first.
    type: list
    elements: str
  leaf:
    description:
    - What the C(community.crypto.x509_certificate_info) filter reads of the leaf; it must be valid
      O(min_valid_days) more days.
    type: dict
  key:
    description: The result of C(community.crypto.openssl_privatekey_info) on the private key.
    type: dict
  chain:
    description:
    - The result of C(community.crypto.certificate_complete_chain) or of P(wss.gateway.certificate_chain#filter)
      on the chain.
    type: dict
  cert_label:
    description: Where the certificate comes from, for the messages.
    type: str
  key_label:
    description: Where the key comes from, for the messages.
    type: str
  min_valid_days:
    description: The certificate must be valid for this many more days.
    type: int
"""

EXAMPLES = r"""
- name: Stop unless the certificate is fit to go live
  ansible.builtin.assert:
    that: __guard.errors | length == 0
    fail_msg: "{{ __guard.errors | join(' ') }}"
  vars:
    __guard: >-
      {{ endpoint | wss.gateway.certificate_guard(certs=certs, leaf=leaf_info, key=key_info,
         chain=chain_result, cert_label='fullchain.pem', key_label='privkey.pem', min_valid_days=7) }}
"""

RETURN = r"""
_value:
  description:
  - C(errors), the messages (empty when the certificate may go live), and C(not_after), the leaf's
    expiry as C(YYYY-MM-DD HH:MM:SS UTC) (C(?) when unknown).
  type: dict
"""

# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.


def _checks():
    from ansible_collections.wss.gateway.plugins.module_utils import _certificate_checks

    return _certificate_checks


def certificate_guard(
    endpoint,
    *,
    certs=None,
    leaf=None,
    key=None,
    chain=None,
    cert_label="",
    key_label="",
    min_valid_days=0,
):
    return _checks().guard(
        endpoint,
        certs=certs,
        leaf=leaf,
        key=key,
        chain=chain,
        cert_label=cert_label,
        key_label=key_label,
        min_valid_days=min_valid_days,
    )


def certificate_chain(certs, roots=None):
    return _checks().chain_order(certs, roots)


def leaf_state(leaf, endpoint, *, renew_days, key_sha256="", ca="", rotating=False):
    return _checks().leaf_state(
        leaf, endpoint, renew_days=renew_days, key_sha256=key_sha256, ca=ca, rotating=rotating
    )


def provided_file_errors(endpoint, stats=None, hostname="localhost"):
    """On the host (``stats`` given) or, without ``stats``, on the controller."""
    if stats is not None:
        return _checks().host_file_errors(endpoint, stats, hostname)
    certificate = endpoint.get("certificate") if isinstance(endpoint, dict) else None
    certificate = certificate if isinstance(certificate, dict) else {}
    paths = [certificate.get("cert_src"), certificate.get("key_src")]
    missing = [
        path
        for path in paths
        if not isinstance(path, str) or not os.path.exists(os.path.expanduser(path))
    ]
    return _checks().controller_file_errors(endpoint, missing)


def acme_reason(endpoint, *, live=None, info=None, conf=None, server="", renew_days=0):
    return _checks().acme_order_reason(
        endpoint, live=live, info=info, conf=conf, server=server, renew_days=renew_days
    )


class FilterModule:
    def filters(self):
        return {"certificate_guard": certificate_guard}
