# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The options that the filters over wss_endpoints share (endpoints, endpoint_errors,
endpoint_validation): one description each."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  backend:
    description: The C(wss_backend) shorthand, C(host:port).
    type: str
  hostname:
    description: The server name of the shorthand endpoint, usually C(inventory_hostname).
    type: str
    default: localhost
  tls_dir:
    description: Directory on the host under which each endpoint keeps its certificate and key.
    type: str
    default: /etc/wss-gateway/tls
  settings:
    description:
      - Role variables that the rules read, by name (for example C(proxy_http_redirect),
        C(proxy_ipv6), C(certificate_acme_agree_tos), C(certificate_validity_days)); only the
        settings given are checked.
    type: dict
"""
