#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_ca_sign
short_description: Sign a certificate request with the internal CA, or keep the current certificate
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - Signs O(csr) with the CA in O(ca_certificate_path) and O(ca_key_path) (files where it
    runs) or in O(ca_certificate_content) and O(ca_key_content) (PEM text), as the C(ownca)
    provider of community.crypto does - the request's subject, public key and extensions, its
    subject key identifier (made from its key when it has none), an authority key identifier
    of the CA, a random serial number, valid from 5 minutes ago for O(validity_days), SHA-256.
  - The current certificate O(content), when given, is returned unchanged if it still fits -
    the request's key, subject and extensions, and the CA's name, key identifier and signature
    (its validity is not looked at) - unless O(force).
  - It writes nothing. On the controller (a local connection without become) its action plugin
    runs it in the controller's own process; on a CA host it runs as a module there, so the
    CA key never leaves that host. Needs the Python library C(cryptography) where it runs.
options:
  csr:
    description: The certificate signing request, PEM.
    type: str
    required: true
  ca_certificate_path:
    description: The CA certificate file, with O(ca_key_path).
    type: path
  ca_key_path:
    description: The CA private key file (PEM, no passphrase).
    type: path
  ca_certificate_content:
    description: The CA certificate, PEM text, with O(ca_key_content).
    type: str
  ca_key_content:
    description: The CA private key, PEM text without passphrase.
    type: str
  validity_days:
    description: Lifetime of a new certificate.
    type: int
    required: true
  content:
    description: The current certificate, PEM; empty for none.
    type: str
    default: ""
  force:
    description: Sign a new certificate even when O(content) still fits (it is due).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: It writes nothing, so it signs in check mode as well.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
seealso:
  - module: wss.gateway.wss_ca
    description: Make the CA.
  - module: community.crypto.x509_certificate_pipe
    description: Certificates of every provider, returned as text.
"""

EXAMPLES = r"""
- name: Sign the request of a host with the CA on the controller
  wss.gateway.wss_ca_sign:
    csr: "{{ request.csr }}"
    ca_certificate_path: "{{ ca_dir }}/ca.pem"
    ca_key_path: "{{ ca_dir }}/ca-key.pem"
    validity_days: 365
    content: "{{ current_certificate }}"
  delegate_to: localhost
  register: signed
"""

RETURN = r"""
certificate:
  description: The certificate, PEM - the new one, or O(content) when it still fits.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (  # noqa: E402
    SIGN_ARGUMENT_RULES,
    SIGN_ARGUMENT_SPEC,
    CAError,
    run_sign,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec=SIGN_ARGUMENT_SPEC, supports_check_mode=True, **SIGN_ARGUMENT_RULES
    )
    try:
        result = run_sign(module.params)
    except CAError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
