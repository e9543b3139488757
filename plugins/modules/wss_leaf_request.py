#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_leaf_request
short_description: The private key of an endpoint and its certificate signing request, in one run
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - Makes the private key in O(path) when it is not there, cannot be read or is not the key
    O(key_type) asks for (RSA of O(key_size) bits, ECDSA on O(curve)), as
    C(community.crypto.openssl_privatekey) does - PEM, mode 0600, owned by root when it runs as
    root, written to a temporary file beside it and renamed over it. A key that fits only gets
    its mode and owner.
  - Returns the certificate signing request of that key, as the certificate role asked
    C(community.crypto.openssl_csr_pipe) for it - the subject O(common_name) (none when empty),
    O(dns_names) and O(ip_addresses) as subject alternative names, basic constraints C(CA:FALSE)
    and key usage C(digitalSignature) (and C(keyEncipherment) for RSA), both critical, extended key
    usage C(serverAuth), SHA-256 - and the SHA-256 fingerprint of the public key. The key never
    leaves the host.
  - One module run where the two community.crypto modules took two. Needs the Python library
    C(cryptography) on the host.
options:
  path:
    description: The private key file.
    type: path
    required: true
  key_type:
    description: The kind of key.
    type: str
    choices: [rsa, ecdsa]
    default: ecdsa
  key_size:
    description: Bits of an RSA key (2048 or more).
    type: int
    default: 3072
  curve:
    description: The curve of an ECDSA key.
    type: str
    choices: [secp256r1, secp384r1, secp521r1]
    default: secp256r1
  common_name:
    description: The subject's common name; empty for an empty subject.
    type: str
    default: ""
  dns_names:
    description: DNS names of the request (at least one name, or O(ip_addresses)).
    type: list
    elements: str
    default: []
  ip_addresses:
    description: IP addresses of the request.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: A key that is not there yet is reported as changed, with no request.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
seealso:
  - module: wss.gateway.wss_ca_sign
    description: Sign the request with the internal CA.
  - module: community.crypto.openssl_privatekey
    description: Private keys of every kind and format.
  - module: community.crypto.openssl_csr_pipe
    description: Certificate signing requests with every extension.
"""

EXAMPLES = r"""
- name: Make the key of chat.example.com and its request
  wss.gateway.wss_leaf_request:
    path: /etc/wss-gateway/tls/chat/privkey.pem
    key_type: ecdsa
    common_name: chat.example.com
    dns_names: [chat.example.com]
  register: request
"""

RETURN = r"""
csr:
  description: The certificate signing request, PEM; empty in check mode when the key is not there yet.
  returned: success
  type: str
fingerprint:
  description: C(sha256), the fingerprint of the public key (hex pairs joined by colons); empty in check mode when the key is not there yet.
  returned: success
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (  # noqa: E402
    LEAF_REQUEST_ARGUMENT_SPEC,
    CAError,
    run_leaf_request,
)


def main() -> None:
    module = AnsibleModule(argument_spec=LEAF_REQUEST_ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = run_leaf_request(module.params, module.check_mode)
    except CAError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
