#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_ca
short_description: The internal CA in two files, made once and never replaced
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - Makes what is missing of a CA kept in two files, in one step - the directory of
    O(certificate_path) (mode C(0700)), the private key O(key_path) (C(0600), PEM, no
    passphrase) and the self-signed CA certificate of that key (C(0644)), with O(common_name) as
    its subject, O(basic_constraints) and O(key_usage) critical, a subject key identifier and a
    SHA-256 signature, valid from now for O(validity_days).
  - A file that is there is never replaced (a CA that hosts trust, whose key would be gone) -
    it only gets its mode. A key that cannot be read, a certificate without its key or a key
    that does not belong to the certificate fail the module before anything is written. A new
    key or certificate is written next to its place and linked in only where no file is, so a
    failed run leaves no part of a key.
  - It does not compare a CA that is there with the other options; the wss.gateway.certificate
    role checks the controller's CA before it runs this.
  - On the controller (a local connection without become) its action plugin runs it in the
    controller's own process; elsewhere it runs as a module. Needs the Python library
    C(cryptography) where it runs.
options:
  certificate_path:
    description: The CA certificate.
    type: path
    required: true
  key_path:
    description: The CA private key.
    type: path
    required: true
  key_type:
    description: The key a new CA gets.
    type: str
    choices: [rsa, ecdsa]
    default: rsa
  key_size:
    description: Bits of a new RSA key.
    type: int
    default: 3072
  curve:
    description: Curve of a new ECDSA key.
    type: str
    choices: [secp256r1, secp384r1, secp521r1]
    default: secp256r1
  common_name:
    description: The subject of a new CA certificate.
    type: str
    required: true
  validity_days:
    description: Lifetime of a new CA certificate.
    type: int
    default: 3650
  basic_constraints:
    description: Basic constraints of a new CA certificate (critical), as C(CA:TRUE) and C(pathlen:N).
    type: list
    elements: str
    default: ["CA:TRUE", "pathlen:0"]
  key_usage:
    description: Key usage of a new CA certificate (critical), by the names of RFC 5280 (C(keyCertSign)).
    type: list
    elements: str
    default: [keyCertSign, cRLSign]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode nothing is written; RV(certificate) is empty when the CA is not there yet.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
seealso:
  - module: wss.gateway.wss_ca_sign
    description: Sign a request with this CA.
  - module: community.crypto.x509_certificate
    description: Certificates of every kind, from files or providers.
"""

EXAMPLES = r"""
- name: Make the internal CA on the controller, once
  wss.gateway.wss_ca:
    certificate_path: "{{ ca_dir }}/ca.pem"
    key_path: "{{ ca_dir }}/ca-key.pem"
    common_name: Example internal CA
    key_type: ecdsa
  delegate_to: localhost
  run_once: true
  register: ca
"""

RETURN = r"""
certificate:
  description: The CA certificate, PEM; empty in check mode when it is not there yet.
  returned: success
  type: str
ready:
  description: Whether the CA is there and can sign (false only in check mode, before it is made).
  returned: success
  type: bool
changed_paths:
  description: The paths that were (in check mode, would be) made or given their mode.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (  # noqa: E402
    CA_ARGUMENT_SPEC,
    CAError,
    run_ca,
)


def main() -> None:
    module = AnsibleModule(argument_spec=CA_ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = run_ca(module.params, module.check_mode)
    except CAError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
