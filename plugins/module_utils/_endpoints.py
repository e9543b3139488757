# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The one validator of ``wss_endpoints``: every rule a spec cannot say, and normalisation.

Shapes and defaults come from ``_endpoint_schema.py``; the argument specs generated from it
check types when a role starts, but this module does not rely on them: it checks every value
itself (type, whitelist grammar, bounds), so that whatever it accepts is safe to print into
the nginx site.  Grammars are ``re.fullmatch`` without nested quantifiers (linear time, no
trailing newline), and every public function is total: bad input of any type gives messages
naming a ``wss_endpoints[...]`` path (or the variable), never an exception.

``validate`` returns ``(errors, endpoints)``; the normalised endpoints are what the roles and
the template use (defaults filled in, names lower-cased, origins normalised, file paths,
upstream names and check targets derived).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re

from ansible_collections.wss.gateway.plugins.module_utils._endpoint_schema import (
    CERTIFICATE_OPTIONS,
    DNS_OPTIONS,
    ENDPOINT_OPTIONS,
    LOCATION_OPTIONS,
    choices,
    defaults,
)

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
DNS_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
NUMERIC_RE = re.compile(r"[0-9]{1,10}")
PORT_RE = re.compile(r"[0-9]{1,5}")
# host:port and [v6]:port; the host is checked by is_dns_name/ipaddress afterwards.
HOST_PORT_RE = re.compile(
    r"(?P<host>[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):(?P<port>[0-9]{1,5})"
)
# Absolute paths printed into nginx: no whitespace, quotes, ;{}#$ or anything non-ASCII.
FILE_PATH_RE = re.compile(r"/[A-Za-z0-9._~+@=,/-]{0,1023}")
UNIX_RE = re.compile(r"unix:(?P<path>/[A-Za-z0-9._~+@=,/-]{0,106})")
LOCATION_PATH_RE = re.compile(r"/[A-Za-z0-9._~/+@-]{0,1023}")
ORIGIN_RE = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,15})://"
    r"(?P<host>[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::(?P<port>[0-9]{1,5}))?"
)
# nginx time (ngx_parse_time): units y M w d h m s ms, in this order, each at most once;
# or a bare number of seconds.
DURATION_RE = re.compile(
    r"(?:(?P<y>[0-9]{1,9})y)?(?:(?P<M>[0-9]{1,9})M)?(?:(?P<w>[0-9]{1,9})w)?"
    r"(?:(?P<d>[0-9]{1,9})d)?(?:(?P<h>[0-9]{1,9})h)?(?:(?P<m>[0-9]{1,9})m(?!s))?"
    r"(?:(?P<s>[0-9]{1,9})s)?(?:(?P<ms>[0-9]{1,9})ms)?"
)
ACME_URL_RE = re.compile(r"https://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]{1,2000}")
BARE_SECONDS_RE = re.compile(r"[0-9]{1,9}")
# certificate.dns (dns-01 through certbot's rfc2136 plugin), written into its credentials file:
# an address as ipaddress then reads it, a TSIG key name label by label (dots between, an
# optional final dot), and a base64 secret (whole 4-character groups, '=' padding only last).
DNS_SERVER_RE = re.compile(r"[0-9A-Fa-f:.]{2,45}")
TSIG_LABEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
TSIG_SECRET_RE = re.compile(r"[A-Za-z0-9+/]{2,1024}={0,2}")
MAX_TSIG_NAME = 253
PROPAGATION_MAX_SECONDS = 3600
_UNIT_MS = {
    "y": 365 * 86400000,
    "M": 30 * 86400000,
    "w": 7 * 86400000,
    "d": 86400000,
    "h": 3600000,
    "m": 60000,
    "s": 1000,
    "ms": 1,
}
TIMEOUT_MIN_MS = 1000
# nginx's timers compare as signed 32-bit milliseconds: 24 days is safely below 2**31 ms.
TIMEOUT_MAX_MS = 24 * 86400000
LIMIT_CONN_MAX = 65535  # "connection limit must be less 65536" (ngx_http_limit_conn_module)
LIMIT_REQ_MAX = 100000
MAX_SERVER_NAME = 253
DEFAULT_PORTS = {"http": 80, "https": 443}
RESERVED_PORTS = (80,)
CERT_SOURCES = choices(CERTIFICATE_OPTIONS, "source")
KEY_TYPES = choices(CERTIFICATE_OPTIONS, "key_type")
CHALLENGES = choices(CERTIFICATE_OPTIONS, "challenge")
DNS_PROVIDERS = choices(DNS_OPTIONS, "provider")
TSIG_ALGORITHMS = choices(DNS_OPTIONS, "key_algorithm")
DNS_DEFAULTS = defaults(DNS_OPTIONS)
LOCATION_DEFAULTS = defaults(LOCATION_OPTIONS)
ENDPOINT_DEFAULTS = defaults(ENDPOINT_OPTIONS)
CERTIFICATE_DEFAULTS = defaults(CERTIFICATE_OPTIONS)
TRUE_STRINGS = ("true", "yes", "on", "1", "y", "t")
FALSE_STRINGS = ("false", "no", "off", "0", "n", "f")


def show(value: object, limit: int = 60) -> str:
    """A value as messages quote it: repr-escaped (no raw newlines), cut after ``limit``."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("unicode_escape").decode("ascii").replace("'", "\\'")
    return f"'{text[:limit]}...'" if len(text) > limit else f"'{text}'"


def as_bool(value: object) -> bool | None:
    """Ansible's booleans: a bool, 0/1, or a string such as 'false' or 'yes'; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in TRUE_STRINGS:
            return True
        if lowered in FALSE_STRINGS:
            return False
    return None


def as_int(value: object) -> int | None:
    """A whole number: an int (not a bool) or a string of digits (as ``-e`` gives); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and NUMERIC_RE.fullmatch(value):
        return int(value)
    return None


def ip_address(name: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``name`` spells, or None; zone IDs (``fe80::1%eth0``) are refused."""
    if not isinstance(name, str) or "%" in name or not name.isascii():
        return None
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_ip(name: object) -> bool:
    return ip_address(name) is not None


def is_dns_name(name: object, wildcard: bool = True) -> bool:
    """RFC 1123 host name (any letter case); ``*`` only as the whole left-most label."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_SERVER_NAME or not name.isascii():
        return False
    labels = name.lower().split(".")
    if wildcard and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
    if not all(DNS_LABEL_RE.fullmatch(label) for label in labels):
        return False
    # An all-numeric last label would read as an IPv4 address (RFC 1123 2.1).
    return not labels[-1].isdigit()


def server_name_error(name: object) -> str | None:
    if not isinstance(name, str):
        return f"must be a DNS name or IP address, got {type(name).__name__}"
    if "%" in name:
        return f"{show(name)} carries a zone ID ('%'); a server name cannot have one"
    if is_ip(name) or is_dns_name(name):
        return None
    return f"{show(name)} is neither a DNS name (RFC 1123, '*' only as the whole first label) nor an IP address"


def normal_server_name(name: str) -> str:
    address = ip_address(name)
    return str(address) if address is not None else name.lower()


def port_error(text: str) -> str | None:
    port = int(text)
    return None if 0 < port < 65536 else f"has port {port}, outside 1-65535"


def backend_error(backend: object) -> str | None:
    """Why ``backend`` is not ``host:port``/``[v6]:port``/``unix:/path``, or None."""
    if not isinstance(backend, str):
        return f"must be a string 'host:port', got {type(backend).__name__}"
    if backend.startswith("unix:"):
        if UNIX_RE.fullmatch(backend):
            return None
        return (
            f"{show(backend)} is not a unix socket 'unix:/absolute/path' (at most 107 characters:"
            " ASCII letters, digits and ._~+@=,-/)"
        )
    match = HOST_PORT_RE.fullmatch(backend)
    if not match:
        return f"{show(backend)} is not 'host:port', '[ipv6]:port' or 'unix:/path'"
    problem = port_error(match.group("port"))
    if problem:
        return f"{show(backend)} {problem}"
    host = match.group("host")
    if host.startswith("["):
        if not isinstance(ip_address(host[1:-1]), ipaddress.IPv6Address):
            return f"{show(backend)} has an invalid IPv6 address"
    elif not (isinstance(ip_address(host), ipaddress.IPv4Address) or is_dns_name(host, False)):
        return f"{show(backend)} has an invalid host name (RFC 1123, or an IPv4 address)"
    return None


def normal_backend(backend: str) -> str:
    if backend.startswith("unix:"):
        return backend
    host, port = backend.rsplit(":", 1)
    if host.startswith("["):
        return f"[{ip_address(host[1:-1])}]:{int(port)}"
    return f"{normal_server_name(host)}:{int(port)}"


def duration_ms(value: object) -> int | None:
    """Milliseconds of an nginx time value as nginx parses it, or None."""
    if not isinstance(value, str) or not value:
        return None
    if BARE_SECONDS_RE.fullmatch(value):
        return int(value) * 1000
    match = DURATION_RE.fullmatch(value)
    if not match:
        return None
    return sum(int(count) * _UNIT_MS[unit] for unit, count in match.groupdict().items() if count)


def origin(value: object) -> tuple[str | None, str | None]:
    """``(normalised origin, None)`` or ``(None, why not)``: what a browser would send."""
    if not isinstance(value, str):
        return (
            None,
            f"must be a string such as 'https://chat.example.com', got {type(value).__name__}",
        )
    match = ORIGIN_RE.fullmatch(value)
    if not match:
        return None, (
            f"{show(value)} is not an origin such as 'https://chat.example.com'"
            " (scheme://host[:port], no path, no trailing '/')"
        )
    scheme = match.group("scheme").lower()
    if scheme not in DEFAULT_PORTS:
        return None, f"{show(value)} has scheme '{scheme}'; WebSocket pages are http:// or https://"
    host = match.group("host")
    if host.startswith("["):
        address = ip_address(host[1:-1])
        if not isinstance(address, ipaddress.IPv6Address):
            return None, f"{show(value)} has an invalid IPv6 address"
        host = f"[{address}]"
    elif is_ip(host):
        host = str(ip_address(host))
    elif is_dns_name(host, False):
        host = host.lower()
    else:
        return None, f"{show(value)} has an invalid host (RFC 1123 name or IP address, no wildcard)"
    port = match.group("port")
    if port is not None:
        problem = port_error(port)
        if problem:
            return None, f"{show(value)} {problem}"
        if int(port) == DEFAULT_PORTS[scheme]:
            port = None
    return f"{scheme}://{host}" + (f":{int(port)}" if port else ""), None


def file_path_error(value: object, what: str = "path") -> str | None:
    if not isinstance(value, str):
        return f"must be an absolute {what}, got {type(value).__name__}"
    if not FILE_PATH_RE.fullmatch(value):
        return (
            f"{show(value)} is not an absolute {what} of ASCII letters, digits and ._~+@=,-/"
            " (no spaces, quotes or ;{}#$)"
        )
    if any(part in ("", ".", "..") for part in value.split("/")[1:-1]) or value.endswith(
        ("/.", "/..")
    ):
        return f"{show(value)} is not a normalised absolute {what} (no '//', '.' or '..' parts)"
    if what.startswith("file") and value.endswith("/"):
        return f"{show(value)} ends in '/': a {what} names a file"
    return None


def tsig_key_name_error(value: object) -> str | None:
    """Why ``value`` is not a TSIG key name (a domain name, letters case kept), or None."""
    if not isinstance(value, str) or not value:
        return f"must be a TSIG key name such as 'acme-update.', got {type(value).__name__}"
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    if len(value) > MAX_TSIG_NAME or not all(TSIG_LABEL_RE.fullmatch(label) for label in labels):
        return (
            f"{show(value)} is not a TSIG key name (labels of ASCII letters, digits, _ and -"
            " separated by dots, an optional final dot, at most 253 characters)"
        )
    return None


def tsig_secret_error(value: object) -> str | None:
    """Why ``value`` is not a base64 TSIG secret, or None; never quotes the value."""
    if not isinstance(value, str) or not value:
        return f"must be the TSIG key's base64 secret, got {type(value).__name__}"
    if not TSIG_SECRET_RE.fullmatch(value) or len(value) % 4:
        return (
            f"is not base64 ({len(value)} characters; expected groups of four of A-Z a-z 0-9 + /,"
            " '=' padding only at the end, as tsig-keygen prints it); the value is not shown"
        )
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is not valid base64 (bad padding); the value is not shown"
    return None


def dns_server_error(value: object) -> str | None:
    if not isinstance(value, str) or not DNS_SERVER_RE.fullmatch(value) or not is_ip(value):
        return (
            f"{show(value)} is not an IPv4 or IPv6 address (certbot's rfc2136 plugin sends its"
            " updates to an address, not a host name)"
        )
    return None


def _unknown(where: str, mapping: dict, options: dict) -> list[str]:
    return [
        f"{where}: unknown key {show(key)} (known: {', '.join(options)})"
        for key in mapping
        if key not in options
    ]


def _whole(where: str, value: object, low: int, high: int, off: str = "") -> tuple[list, int]:
    number = as_int(value)
    if number is None or not (number == 0 and off or low <= number <= high):
        bounds = f"{low}-{high}" + (f", or 0 {off}" if off else "")
        return [f"{where}: {show(value)} is not a whole number {bounds}"], 0
    return [], number


def _location(where: str, location: object) -> tuple[list[str], dict | None]:
    if not isinstance(location, dict):
        return [f"{where}: must be a mapping with 'path' and 'backends'"], None
    errors = _unknown(where, location, LOCATION_OPTIONS)
    merged = dict(LOCATION_DEFAULTS)
    merged.update({key: value for key, value in location.items() if value is not None})
    path = merged["path"]
    if not isinstance(path, str) or not LOCATION_PATH_RE.fullmatch(path):
        errors.append(
            f"{where}.path: {show(path)} must start with '/' and hold only ASCII letters, digits"
            " and ._~/+@- (no spaces, quotes, '%' or ;{}#$)"
        )
    backends = location.get("backends")
    normal_backends = []
    if not isinstance(backends, list) or not backends:
        errors.append(f"{where}.backends: must be a non-empty list of 'host:port'")
    else:
        for index, backend in enumerate(backends):
            problem = backend_error(backend)
            if problem:
                errors.append(f"{where}.backends[{index}]: {problem}")
            else:
                normal_backends.append(normal_backend(backend))
    for key in ("read_timeout", "send_timeout"):
        value = merged[key]
        millis = duration_ms(value)
        if millis is None:
            errors.append(
                f"{where}.{key}: {show(value)} is not an nginx time such as 60s, 1h or 1h30m"
                " (units y M w d h m s ms, in this order, each at most once)"
            )
        elif not TIMEOUT_MIN_MS <= millis <= TIMEOUT_MAX_MS:
            why = " (0 would close every WebSocket at once)" if millis == 0 else ""
            errors.append(f"{where}.{key}: {show(value)} is outside 1s-24d{why}")
    origins = merged["allowed_origins"]
    normal_origins: list[str] = []
    if not isinstance(origins, list):
        errors.append(f"{where}.allowed_origins: must be a list of origins")
    else:
        for index, value in enumerate(origins):
            normal, problem = origin(value)
            if problem:
                errors.append(f"{where}.allowed_origins[{index}]: {problem}")
            elif normal in normal_origins:
                errors.append(f"{where}.allowed_origins[{index}]: {show(value)} is listed twice")
            else:
                normal_origins.append(normal)
    problems, limit_conn = _whole(
        f"{where}.limit_conn", merged["limit_conn"], 1, LIMIT_CONN_MAX, "(no limit)"
    )
    errors += problems
    problems, limit_req = _whole(
        f"{where}.limit_req", merged["limit_req"], 1, LIMIT_REQ_MAX, "(no limit)"
    )
    errors += problems
    if errors:
        return errors, None
    merged.update(
        {
            "backends": normal_backends,
            "allowed_origins": normal_origins,
            "limit_conn": limit_conn,
            "limit_req": limit_req,
        }
    )
    return [], merged


def _dns(where: str, dns: object) -> tuple[list[str], dict | None]:
    """``certificate.dns`` of a dns-01 endpoint: every key checked, the secret never quoted."""
    if dns is None:
        dns = {}
    if not isinstance(dns, dict):
        return [
            f"{where}: must be a mapping such as {{server: 192.0.2.53, key_name: acme., key_secret: ...}},"
            f" got {type(dns).__name__}"
        ], None
    errors = _unknown(where, dns, DNS_OPTIONS)
    merged = dict(DNS_DEFAULTS)
    merged.update({key: value for key, value in dns.items() if value is not None})
    if merged["provider"] not in DNS_PROVIDERS:
        errors.append(
            f"{where}.provider: {show(merged['provider'])} is not one of {', '.join(DNS_PROVIDERS)}"
            " (see the certificate role's README for other certbot DNS plugins)"
        )
    required = {
        "server": "the address of the DNS server that accepts the updates",
        "key_name": "the name of the TSIG key that signs them",
        "key_secret": "the TSIG key's secret (from Ansible Vault)",
    }
    checks = {
        "server": dns_server_error,
        "key_name": tsig_key_name_error,
        "key_secret": tsig_secret_error,
    }
    for key, what in required.items():
        if merged.get(key) in (None, ""):
            errors.append(f"{where}.{key}: challenge 'dns-01' needs {what}")
            continue
        problem = checks[key](merged[key])
        if problem:
            errors.append(f"{where}.{key}: {problem}")
    problems, port = _whole(f"{where}.port", merged["port"], 1, 65535)
    errors += problems
    if merged["key_algorithm"] not in TSIG_ALGORITHMS:
        errors.append(
            f"{where}.key_algorithm: {show(merged['key_algorithm'])} is not one of"
            f" {', '.join(TSIG_ALGORITHMS)}"
        )
    problems, seconds = _whole(
        f"{where}.propagation_seconds", merged["propagation_seconds"], 0, PROPAGATION_MAX_SECONDS
    )
    errors += problems
    if errors:
        return errors, None
    merged.update({"port": port, "propagation_seconds": seconds})
    merged["server"] = str(ip_address(merged["server"]))
    return [], merged


def _certificate(where: str, certificate: object) -> tuple[list[str], dict | None]:
    if certificate is None:
        certificate = {}
    if not isinstance(certificate, dict):
        return [
            f"{where}: must be a mapping such as {{source: selfsigned}}, got {type(certificate).__name__}"
        ], None
    errors = _unknown(where, certificate, CERTIFICATE_OPTIONS)
    merged = dict(CERTIFICATE_DEFAULTS)
    merged.update({key: value for key, value in certificate.items() if value is not None})
    if merged["source"] not in CERT_SOURCES:
        errors.append(
            f"{where}.source: {show(merged['source'])} is not one of {', '.join(CERT_SOURCES)}"
        )
    if merged["key_type"] not in KEY_TYPES:
        errors.append(
            f"{where}.key_type: {show(merged['key_type'])} is not one of {', '.join(KEY_TYPES)}"
        )
    for key in ("cert_path", "key_path"):
        if key in merged:
            problem = file_path_error(merged[key], "file path on the host")
            if problem:
                errors.append(f"{where}.{key}: {problem}")
    for key in ("cert_src", "key_src"):
        value = merged.get(key)
        if key in merged and (not isinstance(value, str) or not value or not value.isprintable()):
            errors.append(f"{where}.{key}: {show(value)} is not a file path on the controller")
    if merged["source"] == "provided":
        on_controller = merged.get("cert_src") and merged.get("key_src")
        on_host = merged.get("cert_path") and merged.get("key_path")
        if bool(on_controller) == bool(on_host):
            errors.append(
                f"{where}: source 'provided' needs either cert_src and key_src "
                "(files on the controller) or cert_path and key_path (files on the host)"
            )
    elif any(key in merged for key in ("cert_src", "key_src", "cert_path", "key_path")):
        errors.append(
            f"{where}: cert_src, key_src, cert_path and key_path belong to source 'provided'"
        )
    if merged["challenge"] not in CHALLENGES:
        errors.append(
            f"{where}.challenge: {show(merged['challenge'])} is not one of {', '.join(CHALLENGES)}"
        )
    elif merged["source"] != "acme" and "challenge" in certificate:
        errors.append(f"{where}.challenge: belongs to source 'acme'")
    elif merged["challenge"] == "dns-01":
        problems, merged["dns"] = _dns(f"{where}.dns", merged.get("dns"))
        errors += problems
    elif "dns" in merged:
        errors.append(f"{where}.dns: belongs to challenge 'dns-01' (this endpoint uses 'http-01')")
    if merged["source"] != "acme":
        merged.pop("challenge")
    return errors, (None if errors else merged)


def _endpoint(where: str, endpoint: dict) -> tuple[list[str], dict | None]:
    errors = _unknown(where, endpoint, ENDPOINT_OPTIONS)
    name = endpoint.get("name")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        errors.append(
            f"{where}.name: {show(name)} must match [a-z0-9][a-z0-9_-]*, at most 63 characters (it names files)"
        )
    names = endpoint.get("server_names")
    normal_names: list[str] = []
    if not isinstance(names, list) or not names:
        errors.append(f"{where}.server_names: must be a non-empty list of DNS names or IPs")
    else:
        for index, server_name in enumerate(names):
            problem = server_name_error(server_name)
            if problem:
                errors.append(f"{where}.server_names[{index}]: {problem}")
                continue
            normal = normal_server_name(server_name)
            if normal in normal_names:
                errors.append(
                    f"{where}.server_names[{index}]: {show(server_name)} is the same name as"
                    f" server_names[{normal_names.index(normal)}]"
                )
            normal_names.append(normal)
    listen_value = endpoint.get("listen")
    listen = as_int(ENDPOINT_DEFAULTS["listen"] if listen_value is None else listen_value)
    if listen is None or not 0 < listen < 65536:
        errors.append(f"{where}.listen: {show(listen_value)} is not a port number 1-65535")
    elif listen in RESERVED_PORTS:
        errors.append(f"{where}.listen: port {listen} is the plain-HTTP redirect and ACME port")
    problems, certificate = _certificate(f"{where}.certificate", endpoint.get("certificate"))
    errors += problems
    if certificate and certificate["source"] == "acme":
        # ACME validates DNS names only; a wildcard only through a DNS record (dns-01), as
        # HTTP-01 proves control of one name through its port 80.
        for index, server_name in enumerate(normal_names):
            if is_ip(server_name):
                errors.append(
                    f"{where}.server_names[{index}]: {show(server_name)} is an IP address; "
                    "certificate source 'acme' can only validate DNS names"
                )
            elif server_name.startswith("*.") and certificate["challenge"] != "dns-01":
                errors.append(
                    f"{where}.server_names[{index}]: {show(server_name)} is a wildcard; "
                    "certificate source 'acme' validates wildcards only with challenge 'dns-01'"
                    " (HTTP-01 cannot)"
                )
    locations = endpoint.get("locations")
    normal_locations = []
    if not isinstance(locations, list) or not locations:
        errors.append(f"{where}.locations: must be a non-empty list")
    else:
        seen_paths: dict[str, int] = {}
        for index, location in enumerate(locations):
            problems, normal = _location(f"{where}.locations[{index}]", location)
            errors += problems
            if normal is None:
                continue
            if normal["path"] in seen_paths:
                errors.append(
                    f"{where}.locations[{index}].path: {show(normal['path'])} appears twice"
                    f" (also locations[{seen_paths[normal['path']]}])"
                )
            seen_paths.setdefault(normal["path"], index)
            normal_locations.append(normal)
    if errors:
        return errors, None
    return [], {
        "name": name,
        "server_names": normal_names,
        "listen": listen,
        "certificate": certificate,
        "locations": normal_locations,
    }


def shorthand(backend: object, hostname: object) -> list[dict]:
    """The seed's three-line inventory: ``wss_backend`` alone means one endpoint."""
    return [
        {
            "name": "default",
            "server_names": [hostname],
            "locations": [{"path": "/", "backends": [backend]}],
        }
    ]


def upstream_name(name: str, index: int) -> str:
    return f"wss_{name.replace('-', '_')}_{index}"


def _top(endpoints: object, backend: object, hostname: object) -> tuple[list[str], list, bool]:
    """Errors about the top level, the endpoint list to check, and whether it is the shorthand."""
    if endpoints in (None, "", []):
        if backend in (None, ""):
            return (
                [
                    "wss_endpoints: no endpoints; set wss_endpoints (a list) or wss_backend ('host:port')"
                ],
                [],
                False,
            )
        errors = []
        problem = backend_error(backend)
        if problem:
            errors.append(f"wss_backend: {problem}")
        problem = server_name_error(hostname)
        if problem:
            errors.append(
                f"wss_backend: the shorthand serves inventory_hostname, and {problem}; "
                "use wss_endpoints with explicit server_names"
            )
        return errors, ([] if errors else shorthand(backend, hostname)), True
    if backend not in (None, ""):
        return (
            ["wss_backend: set either wss_backend (one backend) or wss_endpoints, not both"],
            [],
            False,
        )
    if not isinstance(endpoints, list):
        return (
            [f"wss_endpoints: must be a list of endpoints, got {type(endpoints).__name__}"],
            [],
            False,
        )
    return [], endpoints, False


def _settings_errors(settings: dict) -> list[str]:
    """Role settings that the site or the checks use (only those that are given)."""
    errors = []
    for key in ("proxy_http2", "proxy_ipv6", "proxy_http_redirect"):
        if key in settings and as_bool(settings[key]) is None:
            errors.append(f"{key}: {show(settings[key])} is not a boolean (true or false)")
    if "proxy_hsts_max_age" in settings:
        errors += _whole("proxy_hsts_max_age", settings["proxy_hsts_max_age"], 0, 10**9)[0]
    for key in ("wss_tls_dir", "wss_acme_webroot"):
        if key in settings:
            problem = file_path_error(settings[key], "directory")
            if problem:
                errors.append(f"{key}: {problem}")
    return errors


def _acme_settings_errors(settings: dict, acme: list[str], http01: list[str]) -> list[str]:
    """The certificate role's rules for ACME endpoints (``acme``: their names; ``http01``:
    those whose challenge is answered on port 80)."""
    errors = []
    listed = "', '".join(acme)
    if "certificate_acme_agree_tos" in settings and not as_bool(
        settings["certificate_acme_agree_tos"]
    ):
        errors.append(
            f"certificate_acme_agree_tos: endpoint '{listed}' uses certificate source 'acme'; set it"
            " to true to agree to the ACME CA's terms of service"
        )
    if (
        http01
        and "proxy_http_redirect" in settings
        and as_bool(settings["proxy_http_redirect"]) is False
    ):
        listed_http01 = "', '".join(http01)
        errors.append(
            f"proxy_http_redirect: endpoint '{listed_http01}' uses certificate source 'acme'"
            " with challenge 'http-01', which is answered on port 80; it must be true"
        )
    directory = settings.get("certificate_acme_directory")
    if directory not in (None, "") and (
        not isinstance(directory, str) or not ACME_URL_RE.fullmatch(directory)
    ):
        errors.append(f"certificate_acme_directory: {show(directory)} is not an https:// URL")
    if "certificate_acme_eab_kid" in settings or "certificate_acme_eab_hmac_key" in settings:
        kid = settings.get("certificate_acme_eab_kid") or ""
        key = settings.get("certificate_acme_eab_hmac_key") or ""
        if bool(kid) != bool(key):
            errors.append(
                "certificate_acme_eab_kid and certificate_acme_eab_hmac_key: set both (external"
                " account binding) or neither"
            )
    for path in settings.get("missing_controller_files") or []:
        errors.append(f"{path}: does not exist on the controller")
    return errors


def certificate_settings_errors(
    settings: dict, acme: list[str], http01: list[str] | None = None
) -> list[str]:
    """The certificate role's numeric settings, and its ACME rules when ``acme`` names endpoints
    (``http01``: those of them with challenge http-01; all of them when not given)."""
    errors = []
    bounds = {
        "certificate_acme_renew_days": (1, 10**4),
        "certificate_acme_throttle": (1, 10**6),
        "certificate_validity_days": (1, 366),
        "certificate_rsa_bits": (2048, 16384),
    }
    numbers = {}
    for key, (low, high) in bounds.items():
        if key in settings:
            problems, numbers[key] = _whole(key, settings[key], low, high)
            if key == "certificate_validity_days" and problems:
                problems = [f"{problems[0]} (browsers reject longer-lived leaf certificates)"]
            errors += problems
    validity = numbers.get("certificate_validity_days") or 366
    if "certificate_renew_days" in settings:
        problems, numbers["renew"] = _whole(
            "certificate_renew_days", settings["certificate_renew_days"], 1, max(validity - 1, 1)
        )
        errors += [f"{p} (less than certificate_validity_days, {validity})" for p in problems]
    if "certificate_min_valid_days" in settings:
        renew = numbers.get("renew") or 10**4
        problems = _whole(
            "certificate_min_valid_days",
            settings["certificate_min_valid_days"],
            0,
            max(renew - 1, 0),
        )[0]
        errors += [
            f"{p} (less than certificate_renew_days, {renew}, or a selfsigned certificate would be"
            " refused before it is renewed)"
            for p in problems
        ]
    if acme:
        errors += _acme_settings_errors(settings, acme, acme if http01 is None else http01)
    return errors


def validate(
    endpoints: object,
    backend: object = None,
    hostname: object = "localhost",
    tls_dir: object = "/etc/wss-gateway/tls",
    settings: object = None,
) -> tuple[list[str], list[dict]]:
    """``(errors, normalised endpoints)``; the endpoints are empty unless errors are."""
    errors = [] if isinstance(settings, (dict, type(None))) else ["settings: must be a mapping"]
    settings = settings if isinstance(settings, dict) else {}
    errors += _settings_errors({"wss_tls_dir": tls_dir, **settings})
    top_errors, items, is_shorthand = _top(endpoints, backend, hostname)
    errors += top_errors
    normal: list[dict] = []
    names: dict[str, int] = {}
    upstreams: dict[str, int] = {}
    ports: dict[tuple[int, str], str] = {}
    for index, endpoint in enumerate(items):
        where = "wss_backend" if is_shorthand else f"wss_endpoints[{index}]"
        if not isinstance(endpoint, dict):
            errors.append(f"{where}: must be a mapping, got {type(endpoint).__name__}")
            continue
        problems, result = _endpoint(where, endpoint)
        errors += problems
        name = endpoint.get("name")
        if isinstance(name, str) and NAME_RE.fullmatch(name):
            if name in names:
                errors.append(
                    f"{where}.name: '{name}' is already used by wss_endpoints[{names[name]}]"
                )
            elif name.replace("-", "_") in upstreams:
                other = upstreams[name.replace("-", "_")]
                errors.append(
                    f"{where}.name: '{name}' and wss_endpoints[{other}].name differ only in '-'"
                    " versus '_', and would share nginx upstream and zone names"
                )
            names.setdefault(name, index)
            upstreams.setdefault(name.replace("-", "_"), index)
        if result is None:
            continue
        for server_name in result["server_names"]:
            key = (result["listen"], server_name)
            if key in ports and ports[key] != name:
                errors.append(
                    f"{where}: port {result['listen']} with server name '{server_name}' clashes with "
                    f"endpoint '{ports[key]}'"
                )
            ports.setdefault(key, name)
        normal.append(result)
    acme = [endpoint["name"] for endpoint in normal if endpoint["certificate"]["source"] == "acme"]
    http01 = [
        endpoint["name"]
        for endpoint in normal
        if endpoint["certificate"]["source"] == "acme"
        and endpoint["certificate"]["challenge"] == "http-01"
    ]
    errors += certificate_settings_errors(settings, acme, http01)
    if errors:
        return errors, []
    return [], [_derive(endpoint, tls_dir) for endpoint in normal]


def _derive(endpoint: dict, tls_dir: str) -> dict:
    name = endpoint["name"]
    certificate = endpoint["certificate"]
    names = endpoint["server_names"]
    own_dir = f"{tls_dir}/{name}"
    locations = [
        {
            **location,
            "upstream": upstream_name(name, index),
            # Exact match of the normalised origin, as an anchored regular expression.
            "origin_patterns": [f"^{re.escape(value)}$" for value in location["allowed_origins"]],
        }
        for index, location in enumerate(endpoint["locations"])
    ]
    on_host = certificate["source"] == "provided" and certificate.get("cert_path")
    # The roots a client on the host trusts for the live check (provided: the OS store).
    check_ca_path = {
        "selfsigned": f"{tls_dir}/ca.pem",
        "acme": f"{tls_dir}/acme-roots.pem",
    }.get(certificate["source"])
    listen = endpoint["listen"]
    check = {"url": f"wss://127.0.0.1:{listen}{locations[0]['path']}", "server_hostname": names[0]}
    if check_ca_path:
        check["ca_path"] = check_ca_path
    if locations[0]["allowed_origins"]:
        check["origin"] = locations[0]["allowed_origins"][0]
    return {
        **endpoint,
        "locations": locations,
        "dns_names": [n for n in names if not is_ip(n)],
        "ip_addresses": [n for n in names if is_ip(n)],
        "tls_dir": own_dir,
        "cert_file": certificate["cert_path"] if on_host else f"{own_dir}/fullchain.pem",
        "key_file": certificate["key_path"] if on_host else f"{own_dir}/privkey.pem",
        "check_url": check["url"],
        "check_server_hostname": names[0],
        "check_ca_path": check_ca_path,
        "check": check,
    }


def endpoint_errors(
    endpoints: object,
    backend: object = None,
    hostname: object = "localhost",
    tls_dir: object = "/etc/wss-gateway/tls",
    settings: object = None,
) -> list[str]:
    """Every problem with ``wss_endpoints`` (or ``wss_backend``), one message each."""
    return validate(endpoints, backend, hostname, tls_dir, settings)[0]


class InvalidEndpoints(ValueError):
    """Raised by ``normalize`` for input that ``endpoint_errors`` refuses."""


def normalize(
    endpoints: object,
    backend: object = None,
    hostname: object = "localhost",
    tls_dir: object = "/etc/wss-gateway/tls",
    settings: object = None,
) -> list[dict]:
    """The normalised endpoints of valid input; ``InvalidEndpoints`` with every message else."""
    errors, result = validate(endpoints, backend, hostname, tls_dir, settings)
    if errors:
        raise InvalidEndpoints("; ".join(errors))
    return result
