# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The one place that reads ``wss_endpoints``: cross-field checks and normalisation.

Shapes and types are checked by each role's ``meta/argument_specs.yml``; what a spec
cannot say (unique names, port clashes, backend syntax, ...) is checked here, and the
same code fills in defaults and derives the file paths and check targets that the
certificate role, the proxy role and the playbooks share.
"""

from __future__ import annotations

import ipaddress
import re

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DNS_LABEL_RE = re.compile(r"^(\*|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$")
HOST_PORT_RE = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>[0-9]{1,5})$")
UNIX_RE = re.compile(r"^unix:/\S+$")
PATH_RE = re.compile(r"^/[A-Za-z0-9._~/%+-]*$")
DURATION_RE = re.compile(r"^([0-9]+(ms|s|m|h|d)?)+$")
ORIGIN_RE = re.compile(
    r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$"
)
CERT_SOURCES = ("selfsigned", "provided", "acme")
KEY_TYPES = ("ecdsa", "rsa")
RESERVED_PORTS = (80,)

LOCATION_DEFAULTS = {
    "allowed_origins": [],
    "read_timeout": "1h",
    "send_timeout": "1h",
    "limit_conn": 0,
    "limit_req": 0,
}


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_dns_name(name: str) -> bool:
    if not name or len(name) > 253 or name.endswith("."):
        return False
    labels = name.split(".")
    if any(not DNS_LABEL_RE.match(label) for label in labels):
        return False
    # A wildcard may only be the whole left-most label.
    return all(label != "*" for label in labels[1:])


def backend_error(backend: object) -> str | None:
    """Return why ``backend`` is not ``host:port``/``[v6]:port``/``unix:/path``, or None."""
    if not isinstance(backend, str):
        return f"must be a string 'host:port', got {type(backend).__name__}"
    if UNIX_RE.match(backend):
        return None
    match = HOST_PORT_RE.match(backend)
    if not match:
        return f"'{backend}' is not 'host:port', '[ipv6]:port' or 'unix:/path'"
    port = int(match.group("port"))
    if not 0 < port < 65536:
        return f"'{backend}' has port {port}, outside 1-65535"
    host = match.group("host")
    if host.startswith("["):
        if not is_ip(host[1:-1]):
            return f"'{backend}' has an invalid IPv6 address"
    elif not (is_ip(host) or is_dns_name(host)):
        return f"'{backend}' has an invalid host name"
    return None


def _location_errors(where: str, location: object) -> list[str]:
    if not isinstance(location, dict):
        return [f"{where}: must be a mapping with 'path' and 'backends'"]
    errors = []
    path = location.get("path", "/")
    if not isinstance(path, str) or not PATH_RE.match(path):
        errors.append(f"{where}.path: '{path}' must start with '/' and hold no spaces or quotes")
    backends = location.get("backends")
    if not isinstance(backends, list) or not backends:
        errors.append(f"{where}.backends: must be a non-empty list of 'host:port'")
    else:
        for index, backend in enumerate(backends):
            problem = backend_error(backend)
            if problem:
                errors.append(f"{where}.backends[{index}]: {problem}")
    for key in ("read_timeout", "send_timeout"):
        value = location.get(key)
        if value is not None and not DURATION_RE.match(str(value)):
            errors.append(f"{where}.{key}: '{value}' is not an nginx time such as 60s, 1h or 1d")
    origins = location.get("allowed_origins") or []
    if not isinstance(origins, list):
        errors.append(f"{where}.allowed_origins: must be a list of origins")
    else:
        for index, origin in enumerate(origins):
            if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
                errors.append(
                    f"{where}.allowed_origins[{index}]: '{origin}' is not an origin such as "
                    "'https://chat.example.com' (scheme://host[:port], no path)"
                )
    for key in ("limit_conn", "limit_req"):
        value = location.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.append(f"{where}.{key}: must be a whole number >= 0 (0 turns it off)")
    return errors


def _endpoint_errors(where: str, endpoint: dict) -> list[str]:
    errors = []
    name = endpoint.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(f"{where}.name: '{name}' must match [a-z0-9][a-z0-9_-]* (it names files)")
    names = endpoint.get("server_names")
    if not isinstance(names, list) or not names:
        errors.append(f"{where}.server_names: must be a non-empty list of DNS names or IPs")
    else:
        for index, server_name in enumerate(names):
            if not isinstance(server_name, str) or not (
                is_ip(server_name) or is_dns_name(server_name)
            ):
                errors.append(
                    f"{where}.server_names[{index}]: '{server_name}' is neither a DNS name "
                    "nor an IP address"
                )
    listen = endpoint.get("listen", 443)
    if not isinstance(listen, int) or isinstance(listen, bool) or not 0 < listen < 65536:
        errors.append(f"{where}.listen: '{listen}' is not a port number 1-65535")
    elif listen in RESERVED_PORTS:
        errors.append(f"{where}.listen: port {listen} is the plain-HTTP redirect and ACME port")
    certificate = endpoint.get("certificate") or {}
    source = certificate.get("source", "selfsigned")
    if source not in CERT_SOURCES:
        errors.append(
            f"{where}.certificate.source: '{source}' is not one of {', '.join(CERT_SOURCES)}"
        )
    key_type = certificate.get("key_type", "ecdsa")
    if key_type not in KEY_TYPES:
        errors.append(
            f"{where}.certificate.key_type: '{key_type}' is not one of {', '.join(KEY_TYPES)}"
        )
    if source == "acme" and isinstance(names, list):
        # HTTP-01 proves control of a DNS name through port 80: no IP address, no wildcard.
        for index, server_name in enumerate(names):
            if isinstance(server_name, str) and is_ip(server_name):
                errors.append(
                    f"{where}.server_names[{index}]: '{server_name}' is an IP address; "
                    "certificate source 'acme' (HTTP-01) can only validate DNS names"
                )
            elif isinstance(server_name, str) and server_name.startswith("*."):
                errors.append(
                    f"{where}.server_names[{index}]: '{server_name}' is a wildcard; "
                    "certificate source 'acme' (HTTP-01) cannot validate wildcards"
                )
    if source == "provided":
        on_controller = certificate.get("cert_src") and certificate.get("key_src")
        on_host = certificate.get("cert_path") and certificate.get("key_path")
        if bool(on_controller) == bool(on_host):
            errors.append(
                f"{where}.certificate: source 'provided' needs either cert_src and key_src "
                "(files on the controller) or cert_path and key_path (files on the host)"
            )
    locations = endpoint.get("locations")
    if not isinstance(locations, list) or not locations:
        errors.append(f"{where}.locations: must be a non-empty list")
    else:
        seen_paths = set()
        for index, location in enumerate(locations):
            errors.extend(_location_errors(f"{where}.locations[{index}]", location))
            path = location.get("path", "/") if isinstance(location, dict) else None
            if path in seen_paths:
                errors.append(f"{where}.locations[{index}].path: '{path}' appears twice")
            seen_paths.add(path)
    return errors


def shorthand(backend: str | None, hostname: str) -> list[dict]:
    """The seed's three-line inventory: ``wss_backend`` alone means one endpoint."""
    if not backend:
        return []
    return [
        {
            "name": "default",
            "server_names": [hostname],
            "locations": [{"path": "/", "backends": [backend]}],
        }
    ]


def endpoint_errors(
    endpoints: object, backend: str | None = None, hostname: str = "localhost"
) -> list[str]:
    """Every problem with ``wss_endpoints`` (or ``wss_backend``), one message each."""
    if endpoints in (None, "", []):
        if backend:
            problem = backend_error(backend)
            return [f"wss_backend: {problem}"] if problem else []
        return [
            "wss_endpoints: no endpoints; set wss_endpoints (a list) or wss_backend ('host:port')"
        ]
    if backend:
        return ["wss_backend: set either wss_backend (one backend) or wss_endpoints, not both"]
    if not isinstance(endpoints, list):
        return ["wss_endpoints: must be a list of endpoints"]
    errors = []
    names: dict[str, int] = {}
    ports: dict[tuple[int, str], str] = {}
    for index, endpoint in enumerate(endpoints):
        where = f"wss_endpoints[{index}]"
        if not isinstance(endpoint, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        errors.extend(_endpoint_errors(where, endpoint))
        name = endpoint.get("name")
        if isinstance(name, str):
            if name in names:
                errors.append(
                    f"{where}.name: '{name}' is already used by wss_endpoints[{names[name]}]"
                )
            names.setdefault(name, index)
        listen = endpoint.get("listen", 443)
        for server_name in endpoint.get("server_names") or []:
            key = (listen, str(server_name).lower())
            if key in ports and ports[key] != name:
                errors.append(
                    f"{where}: port {listen} with server name '{server_name}' clashes with "
                    f"endpoint '{ports[key]}'"
                )
            ports.setdefault(key, name)
    return errors


def normalize(
    endpoints: list | None,
    backend: str | None = None,
    hostname: str = "localhost",
    tls_dir: str = "/etc/wss-gateway/tls",
) -> list[dict]:
    """Defaults filled in and shared facts derived, for valid input (see endpoint_errors)."""
    result = []
    for endpoint in endpoints or shorthand(backend, hostname):
        name = endpoint["name"]
        names = [str(server_name) for server_name in endpoint["server_names"]]
        certificate = {"source": "selfsigned", "key_type": "ecdsa"}
        certificate.update(endpoint.get("certificate") or {})
        own_dir = f"{tls_dir}/{name}"
        locations = []
        for index, location in enumerate(endpoint["locations"]):
            merged = dict(LOCATION_DEFAULTS)
            merged.update({k: v for k, v in location.items() if v is not None})
            merged.setdefault("path", "/")
            merged["upstream"] = f"wss_{name.replace('-', '_')}_{index}"
            locations.append(merged)
        on_host = certificate["source"] == "provided" and certificate.get("cert_path")
        # The roots a client on the host trusts for the live check (provided: the OS store).
        check_ca_path = {
            "selfsigned": f"{tls_dir}/ca.pem",
            "acme": f"{tls_dir}/acme-roots.pem",
        }.get(certificate["source"])
        listen = int(endpoint.get("listen", 443))
        result.append(
            {
                "name": name,
                "server_names": names,
                "dns_names": [n for n in names if not is_ip(n)],
                "ip_addresses": [n for n in names if is_ip(n)],
                "listen": listen,
                "certificate": certificate,
                "tls_dir": own_dir,
                "cert_file": certificate["cert_path"] if on_host else f"{own_dir}/fullchain.pem",
                "key_file": certificate["key_path"] if on_host else f"{own_dir}/privkey.pem",
                "locations": locations,
                "check_url": f"wss://127.0.0.1:{listen}{locations[0]['path']}",
                "check_server_hostname": names[0],
                "check_ca_path": check_ca_path,
            }
        )
    return result
