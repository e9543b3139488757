# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The one definition of ``wss_endpoints`` and the ``wss_backend`` shorthand.

Every option's type, default, choices and description is written here once.  The suboptions
in ``roles/proxy/meta/argument_specs.yml`` and ``roles/certificate/meta/argument_specs.yml``
are generated from it (``scripts/gen_argument_specs.py``; a unit test fails when the committed
files differ), and ``_endpoints.py`` takes its defaults and choices from it.  What a spec
cannot say (grammars, bounds, clashes) is the validator's, in ``_endpoints.py``.
"""

from __future__ import annotations

import copy

CERTIFICATE_OPTIONS: dict = {
    "source": {
        "description": [
            "C(selfsigned) (internal CA on the controller), C(provided) (your PEM files) or"
            " C(acme) (an ACME CA such as Let's Encrypt; DNS names only)."
        ],
        "type": "str",
        "choices": ["selfsigned", "provided", "acme"],
        "default": "selfsigned",
    },
    "key_type": {
        "description": [
            "Key algorithm of a C(selfsigned) or C(acme) certificate, ECDSA P-256 or RSA"
            " (C(certificate_rsa_bits))."
        ],
        "type": "str",
        "choices": ["ecdsa", "rsa"],
        "default": "ecdsa",
    },
    "cert_src": {
        "description": [
            "C(provided) - PEM file on the controller, leaf first then its chain; copied to the host."
        ],
        "type": "path",
    },
    "key_src": {
        "description": [
            "C(provided) - PEM private key (no passphrase) on the controller; copied with mode C(0600)."
        ],
        "type": "path",
    },
    "cert_path": {
        "description": [
            "C(provided) - PEM file already on the host, leaf first then its chain; used where it is.",
            "An absolute path of ASCII letters, digits and C(._~+@=,-) (it is written into the nginx site).",
        ],
        "type": "path",
    },
    "key_path": {
        "description": [
            "C(provided) - PEM private key already on the host; used where it is, must not be"
            " world-readable. Same path grammar as O(wss_endpoints[].certificate.cert_path).",
        ],
        "type": "path",
    },
}

LOCATION_OPTIONS: dict = {
    "path": {
        "description": [
            "URL path prefix (an nginx prefix C(location)): C(/) then ASCII letters, digits and"
            " C(._~/+@-), unique within the endpoint."
        ],
        "type": "str",
        "default": "/",
    },
    "backends": {
        "description": [
            "The plain ws:// services, each C(host:port) (a DNS name that resolves on the host, or"
            " an IPv4 address), C([ipv6]:port) or C(unix:/path), or a mapping with C(address) (one"
            " of those) and any of C(weight) (1-1000, default 1), C(max_fails) (failed attempts"
            " within C(fail_timeout) that take the backend out for C(fail_timeout); 0-100,"
            " default 1; 0 never takes it out), C(fail_timeout) (an nginx time 1s-1h, default"
            " C(10s)), C(backup) (serves only when every other backend is unavailable; not with"
            " O(wss_endpoints[].locations[].balance) C(hash) or C(ip_hash)) and C(down) (no new"
            " connections; the open ones stay until they close, so a backend can drain before"
            " a restart; not on every backend).",
            "An address appears once per location. No upstream keepalive (WebSockets hold their"
            " own connections).",
        ],
        "type": "list",
        "elements": "raw",
        "required": True,
    },
    "balance": {
        "description": [
            "How new connections are spread over the backends: C(round_robin) (in turn, by"
            " weight), C(least_conn) (to the backend with the fewest open connections: suits"
            " long-lived WebSockets), C(ip_hash) (by the client's IPv4 /24 or whole IPv6 address)"
            " or C(hash) (by O(wss_endpoints[].locations[].hash_key): one client, one backend,"
            " which Socket.IO's HTTP long-polling fallback needs)."
        ],
        "type": "str",
        "choices": ["round_robin", "least_conn", "ip_hash", "hash"],
        "default": "round_robin",
    },
    "hash_key": {
        "description": [
            "With C(balance: hash) - the one nginx variable hashed: C($remote_addr),"
            " C($binary_remote_addr), C($request_uri), C($uri), C($host), or C($arg_NAME),"
            " C($cookie_NAME), C($http_NAME) with NAME of C([a-z0-9_]), at most 64 characters."
        ],
        "type": "str",
        "default": "$remote_addr",
    },
    "consistent": {
        "description": [
            "With C(balance: hash) - ketama consistent hashing: adding or removing a backend"
            " moves only its share of the clients."
        ],
        "type": "bool",
        "default": True,
    },
    "next_upstream_tries": {
        "description": [
            "How many backends a new connection tries at most when one cannot be reached or"
            " times out before it answers (C(proxy_next_upstream error timeout)), 1-100. Only the"
            " opening handshake is ever retried: once a backend has answered, nothing is replayed."
        ],
        "type": "int",
        "default": 3,
    },
    "connect_timeout": {
        "description": [
            "nginx time allowed to connect to a backend (C(proxy_connect_timeout)) before the next"
            " one is tried, between 1s and 75s."
        ],
        "type": "str",
        "default": "5s",
    },
    "allowed_origins": {
        "description": [
            "Origins allowed to open a WebSocket here, C(scheme://host[:port]) such as"
            " C(https://chat.example.com), compared exactly after normalisation (scheme and host"
            " lower-cased, the scheme's default port dropped, as browsers send it).",
            "Any other C(Origin) gets 403 before the backend sees the request.",
            "A request without C(Origin) passes; browsers always send one with a WebSocket"
            " handshake (and none with a plain page load), so it is not a cross-site hijack.",
            "Empty means no Origin check.",
        ],
        "type": "list",
        "elements": "str",
        "default": [],
    },
    "read_timeout": {
        "description": [
            "nginx time after which an idle WebSocket is closed (C(proxy_read_timeout)), such as"
            " C(60s), C(1h) or C(1h30m): units C(y M w d h m s ms) in this order, each at most once;"
            " between 1s and 24d."
        ],
        "type": "str",
        "default": "1h",
    },
    "send_timeout": {
        "description": [
            "nginx time allowed between two writes to the backend (C(proxy_send_timeout)); the same"
            " grammar and bounds as O(wss_endpoints[].locations[].read_timeout)."
        ],
        "type": "str",
        "default": "1h",
    },
    "limit_conn": {
        "description": [
            "Concurrent connections per client address (C(limit_conn)), 1-65535, or C(0) for no"
            " limit; beyond it 429."
        ],
        "type": "int",
        "default": 0,
    },
    "limit_req": {
        "description": [
            "New connections (handshakes) per second per client address, with the same burst,"
            " 1-100000, or C(0) for no limit; beyond it 429."
        ],
        "type": "int",
        "default": 0,
    },
}

ENDPOINT_OPTIONS: dict = {
    "name": {
        "description": [
            "Endpoint name, C([a-z0-9][a-z0-9_-]*), at most 63 characters; names the files of its"
            " certificate. Two names that differ only in C(-) versus C(_) are refused (they would"
            " share nginx names)."
        ],
        "type": "str",
        "required": True,
    },
    "server_names": {
        "description": [
            "DNS names (RFC 1123; a wildcard only as the whole left-most label) or IP addresses (no"
            " zone ID) that clients dial; every one goes into the certificate's subject alternative"
            " names. The first is the one checked after a deploy.",
        ],
        "type": "list",
        "elements": "str",
        "required": True,
    },
    "listen": {
        "description": [
            "TLS port of the endpoint (not 80, which answers redirects and ACME challenges)."
        ],
        "type": "int",
        "default": 443,
    },
    "certificate": {
        "description": ["Where the certificate comes from; see P(wss.gateway.certificate#role)."],
        "type": "dict",
        "options": CERTIFICATE_OPTIONS,
    },
    "locations": {
        "description": ["URL paths forwarded to plain ws:// backends."],
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": LOCATION_OPTIONS,
    },
}

WSS_ENDPOINTS: dict = {
    "description": [
        "The wss:// endpoints of this host (shared by every role of the collection).",
        "Leave empty and set O(wss_backend) for the single-endpoint shorthand.",
        "Rules beyond types (grammars, bounds, unique names, port and name clashes) are checked by"
        " P(wss.gateway.endpoint_errors#filter), with one message each naming the"
        " C(wss_endpoints[...]) path.",
    ],
    "type": "list",
    "elements": "dict",
    "default": [],
    "options": ENDPOINT_OPTIONS,
}

WSS_BACKEND: dict = {
    "description": [
        "Shorthand for one endpoint C(default) whose server name is C(inventory_hostname) (which"
        " must then be a DNS name or IP address), with one location C(/) in front of this"
        " C(host:port) backend and a C(selfsigned) certificate.",
        "Set this or O(wss_endpoints), not both.",
    ],
    "type": "str",
}

# What each role's spec says about the endpoints: the certificate role reads name,
# server_names and certificate, and only names the other keys (so that they are allowed).
_CERTIFICATE_READS = ("name", "server_names", "certificate")


def defaults(options: dict) -> dict:
    """The defaults of one level of options (deep copies)."""
    return {
        key: copy.deepcopy(spec["default"]) for key, spec in options.items() if "default" in spec
    }


def choices(options: dict, key: str) -> tuple:
    return tuple(options[key]["choices"])


def role_options(role: str) -> dict:
    """``wss_endpoints`` and ``wss_backend`` as the argument spec of ``role`` declares them."""
    endpoints = copy.deepcopy(WSS_ENDPOINTS)
    if role == "certificate":
        endpoints["description"][0] = (
            "The wss:// endpoints (shared by all roles of the collection). The certificate role"
            " reads C(name), C(server_names) and C(certificate); the other keys belong to"
            " P(wss.gateway.proxy#role)."
        )
        for key, spec in endpoints["options"].items():
            if key not in _CERTIFICATE_READS:
                spec.pop("options", None)
                spec.pop("required", None)
                spec["description"] = ["Read by P(wss.gateway.proxy#role); see its argument spec."]
    elif role != "proxy":
        raise ValueError(f"no endpoint options for role {role!r}")
    return {"wss_endpoints": endpoints, "wss_backend": copy.deepcopy(WSS_BACKEND)}
