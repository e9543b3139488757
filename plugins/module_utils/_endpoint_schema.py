# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The one definition of ``wss_endpoints``, ``wss_backend`` and ``wss_trusted_proxies``.

Every option's type, default, choices and description is written here once.  The suboptions
in ``roles/proxy/meta/argument_specs.yml`` and ``roles/certificate/meta/argument_specs.yml``
are generated from it (``scripts/gen_argument_specs.py``; a unit test fails when the committed
files differ), and ``_endpoints.py`` takes its defaults and choices from it.  What a spec
cannot say (grammars, bounds, clashes) is the validator's, in ``_endpoints.py``.
"""

from __future__ import annotations

import copy

DNS_OPTIONS: dict = {
    "provider": {
        "description": [
            "The certbot DNS plugin that publishes the C(_acme-challenge) TXT records: C(rfc2136)"
            " (RFC 2136 dynamic updates signed with a TSIG key, such as BIND, Knot or PowerDNS"
            " accept; Debian's C(python3-certbot-dns-rfc2136))."
        ],
        "type": "str",
        "choices": ["rfc2136"],
        "default": "rfc2136",
    },
    "server": {
        "description": [
            "IPv4 or IPv6 address (not a host name, as the plugin requires) of the DNS server that"
            " accepts the updates: the primary authoritative server of the zone."
        ],
        "type": "str",
    },
    "port": {
        "description": ["DNS port of O(wss_endpoints[].certificate.dns.server), 1-65535."],
        "type": "int",
        "default": 53,
    },
    "key_name": {
        "description": [
            "Name of the TSIG key the server allows to update the zone's C(_acme-challenge)"
            " records: labels of ASCII letters, digits, C(_) and C(-) separated by dots, an"
            " optional final dot, at most 253 characters."
        ],
        "type": "str",
    },
    "key_algorithm": {
        "description": ["Algorithm of the TSIG key."],
        "type": "str",
        "choices": [
            "HMAC-SHA512",
            "HMAC-SHA384",
            "HMAC-SHA256",
            "HMAC-SHA224",
            "HMAC-SHA1",
            "HMAC-MD5",
        ],
        "default": "HMAC-SHA512",
    },
    "key_secret": {
        "description": [
            "The TSIG key's secret, base64 (as C(tsig-keygen) prints it); keep it in Ansible Vault.",
            "Never logged; written only to the endpoint's credentials file on the host (mode"
            " C(0600), owner root), which certbot reads at every renewal.",
        ],
        "type": "str",
        "no_log": True,
    },
    "propagation_seconds": {
        "description": [
            "Seconds certbot waits after the update before it asks the CA to validate (the time"
            " the zone's secondary servers need to receive it), 0-3600; 0 when the CA queries the"
            " updated server itself."
        ],
        "type": "int",
        "default": 60,
    },
}

CERTIFICATE_OPTIONS: dict = {
    "source": {
        "description": [
            "C(selfsigned) (internal CA on the controller), C(provided) (your PEM files) or"
            " C(acme) (an ACME CA such as Let's Encrypt; DNS names only, wildcards with"
            " C(challenge=dns-01))."
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
    "challenge": {
        "description": [
            "C(acme) - how the CA checks control of the names: C(http-01) (a file on port 80 of"
            " each name, served by nginx; no wildcards) or C(dns-01) (a TXT record that certbot"
            " publishes through O(wss_endpoints[].certificate.dns); wildcards allowed, and the CA"
            " never needs to reach the gateway)."
        ],
        "type": "str",
        "choices": ["http-01", "dns-01"],
        "default": "http-01",
    },
    "dns": {
        "description": [
            "C(acme) with C(challenge=dns-01) - the DNS server and TSIG key that certbot updates;"
            " O(wss_endpoints[].certificate.dns.server), O(wss_endpoints[].certificate.dns.key_name)"
            " and O(wss_endpoints[].certificate.dns.key_secret) are required then.",
            "A complete endpoint: C(name: tenants), C(server_names: [example.com, '*.example.com'])"
            " (the deploy's check dials O(wss_endpoints[].check_name)), C(certificate: {source: acme,"
            " challenge: dns-01, dns: {provider: rfc2136, server: 192.0.2.53, port: 53, key_name:"
            " acme-update., key_algorithm: HMAC-SHA512, key_secret: <a vault-encrypted variable>,"
            " propagation_seconds: 60}}), with the key allowed to update only the TXT records"
            " C(_acme-challenge.example.com); see the role's README for the BIND side.",
        ],
        "type": "dict",
        "options": DNS_OPTIONS,
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
            " C(https://chat.example.com), normalised as browsers send it (scheme and host"
            " lower-cased, the scheme's default port dropped) and compared without regard to letter"
            " case (scheme and host are case-insensitive, RFC 6454).",
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
    "buffer_size": {
        "description": [
            "Size of each of the two relay buffers of a WebSocket here (C(proxy_buffer_size):"
            " backend to client, and client to backend), from C(2k) (lean) up to C(256k). nginx"
            " reads and writes at most this much per call, and each TLS record it sends to the"
            " client carries at most this much.",
            "C(2k) suits many mostly idle connections with small messages: every held connection"
            " keeps both buffers, 4 KiB less per connection than C(4k), and messages up to about"
            " 1 KiB cost the proxy the same CPU; larger messages take more calls and records"
            " (benchmarks/README.md: 1.1-1.6 x the proxy CPU per message of 2-64 KiB against"
            " C(4k)). For bulk endpoints (messages of hundreds of KiB or more) C(64k) moves the"
            " same data with a fraction of the system calls and TLS records (about half the proxy"
            " CPU per MiB echoed against C(4k)), and C(256k) with 0.8 x the proxy CPU per MiB of"
            " C(64k) (1 MiB echoes about 10 % faster). A connection keeps the pages of its"
            " buffers once it has used them: up to two buffers per busy connection (512 KiB at"
            " C(256k)).",
            "The backend's 101 response head (status line and headers, Set-Cookie included)"
            " must fit in it: a larger one gets 502 from nginx (C(upstream sent too big header) in"
            " its error log); the deploy's live check, which opens each endpoint's first location,"
            " then fails the endpoint with a message that says to raise C(buffer_size), and rolls"
            " the change back when the previous configuration passes. A 101 of the Python websockets library is 230-340 bytes; C(2k)"
            " leaves room for about 1.7 KiB of cookies.",
        ],
        "type": "str",
        "choices": ["2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k"],
        "default": "2k",
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
            " names.",
            "A wildcard C(*.example.com) matches exactly one label, as the certificate does:"
            " C(a.example.com), not C(a.b.example.com) nor C(example.com).",
            "An IP address makes this endpoint the one that answers TLS handshakes without SNI on"
            " its port (clients send none when they dial an address); one endpoint per port may"
            " have IP addresses.",
            "A wildcard with certificate source C(acme) needs C(challenge=dns-01).",
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
    "check_name": {
        "description": [
            "The server name that the live check after a deploy (and C(verify_wss.yml)) dials, as"
            " SNI and C(Host): one of O(wss_endpoints[].server_names), or a name one label under a"
            " wildcard among them; not a wildcard.",
            "Default: the first server name, with a wildcard's C(*) replaced by C(wss-check)"
            " (C(*.example.com) is checked as C(wss-check.example.com)).",
        ],
        "type": "str",
    },
    "proxy_protocol": {
        "description": [
            "Accept the PROXY protocol (v1 or v2) on this endpoint's listeners, as a TCP load"
            " balancer sends it (HAProxy C(send-proxy-v2), AWS NLB, ...): every connection must"
            " then start with a PROXY header, and nginx closes one that does not.",
            "The client address in that header is taken (C(real_ip_header proxy_protocol)) only"
            " when the connection comes from O(wss_trusted_proxies), which must be set; from any"
            " other address the header is read and its address ignored.",
            "Every endpoint on the same port must agree (nginx sets this per address and port).",
            "The deploy's live check then sends a PROXY v1 header that names its own connection.",
        ],
        "type": "bool",
        "default": False,
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

WSS_TRUSTED_PROXIES: dict = {
    "description": [
        "Addresses or networks (CIDR, IPv4 or IPv6, such as C(10.0.0.0/8) or C(2001:db8::/32)) of"
        " the load balancers or proxies in front of the gateway whose word about the client's"
        " address is taken: C(set_real_ip_from) for each.",
        "From these, the client address is the right-most address of C(X-Forwarded-For) that is"
        " not itself trusted (C(real_ip_recursive on)), or, on an endpoint with"
        " O(wss_endpoints[].proxy_protocol), the source address of the PROXY header.",
        "That address is what the backend gets in C(X-Real-IP), C(X-Forwarded-For) and"
        " C(Forwarded), and what C(limit_conn) and C(limit_req) count; the headers a client"
        " sends are never passed on.",
        "Empty (the default) trusts no one: the client address is the TCP peer's.",
        "A network with host bits set, or one that trusts every address (C(/0)), is refused.",
    ],
    "type": "list",
    "elements": "str",
    "default": [],
}

# Where the checks of wss.gateway.verify_wss run from, and how a client outside the host
# reaches it: read by the validator with the endpoints (per host), declared by the proxy role.
VIEW_OPTIONS: dict = {
    "wss_verify_from": {
        "description": [
            "Where the playbook C(wss.gateway.verify_wss) opens the WebSockets from, one or more of:"
            " C(host) (the gateway host itself, to C(127.0.0.1) on the listen port), C(controller)"
            " (the machine that runs Ansible) and the name of an inventory group (each of its hosts"
            " is a probe).",
            "From the controller and from probes, each endpoint is dialled as clients dial it:"
            " every server name that is not a wildcard, on its public port"
            " (O(wss_public_ports)), at the address the probe resolves for it or at"
            " O(wss_public_address), with the name sent as TLS SNI and C(Host).",
            "A comma-separated string is a list (C(-e wss_verify_from=host,controller)).",
        ],
        "type": "list",
        "elements": "str",
        "default": ["host"],
    },
    "wss_public_address": {
        "description": [
            "The IP address or DNS name at which clients reach this host's endpoints (a load"
            " balancer, a NAT address), for probes where the endpoints' names do not resolve to"
            " it. Unset, each probe resolves the server names themselves.",
        ],
        "type": "str",
    },
    "wss_public_ports": {
        "description": [
            "Listen port mapped to the port clients dial (a published, forwarded or load-balanced"
            " port), such as C({443: 8443}); a listen port not given here is public as itself."
            " Each key must be the C(listen) port of an endpoint of this host.",
        ],
        "type": "dict",
        "default": {},
    },
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
    """``wss_endpoints`` and ``wss_backend`` as the argument spec of ``role`` declares them, and
    for the proxy role ``wss_trusted_proxies`` (which only the site reads) and the views of
    ``verify_wss``."""
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
        return {"wss_endpoints": endpoints, "wss_backend": copy.deepcopy(WSS_BACKEND)}
    if role != "proxy":
        raise ValueError(f"no endpoint options for role {role!r}")
    return {
        "wss_endpoints": endpoints,
        "wss_backend": copy.deepcopy(WSS_BACKEND),
        "wss_trusted_proxies": copy.deepcopy(WSS_TRUSTED_PROXIES),
        **copy.deepcopy(VIEW_OPTIONS),
    }
