# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The certificate role's decisions over module results; the logic lives in
module_utils/_certificate_checks.py (each filter is documented in its own .yml file)."""

from __future__ import annotations

import os

from ansible_collections.wss.gateway.plugins.module_utils._certificate_checks import (
    acme_order_reason,
    controller_file_errors,
    guard,
    host_file_errors,
)


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
    return guard(
        endpoint,
        certs=certs,
        leaf=leaf,
        key=key,
        chain=chain,
        cert_label=cert_label,
        key_label=key_label,
        min_valid_days=min_valid_days,
    )


def provided_file_errors(endpoint, stats=None, hostname="localhost"):
    """On the host (``stats`` given) or, without ``stats``, on the controller."""
    if stats is not None:
        return host_file_errors(endpoint, stats, hostname)
    certificate = endpoint.get("certificate") if isinstance(endpoint, dict) else None
    certificate = certificate if isinstance(certificate, dict) else {}
    paths = [certificate.get("cert_src"), certificate.get("key_src")]
    missing = [
        path
        for path in paths
        if not isinstance(path, str) or not os.path.exists(os.path.expanduser(path))
    ]
    return controller_file_errors(endpoint, missing)


def acme_reason(endpoint, *, live=None, info=None, conf=None, server="", renew_days=0):
    return acme_order_reason(
        endpoint, live=live, info=info, conf=conf, server=server, renew_days=renew_days
    )


class FilterModule:
    def filters(self):
        return {
            "certificate_guard": certificate_guard,
            "provided_file_errors": provided_file_errors,
            "acme_order_reason": acme_reason,
        }
