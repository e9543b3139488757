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
import os
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
# wss_trusted_proxies: an address, or an address and a prefix length (checked by ipaddress).
CIDR_RE = re.compile(r"(?P<address>[0-9A-Fa-f:.]{2,45})(?:/(?P<prefix>[0-9]{1,3}))?")
# The nginx variables that balance: hash may hash on (one each; nothing else reaches the site).
HASH_KEY_RE = re.compile(
    r"\$(?:remote_addr|binary_remote_addr|request_uri|uri|host|(?:arg|cookie|http)_[a-z0-9_]{1,64})"
)
ACME_URL_RE = re.compile(r"https://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]{1,2000}")
BARE_SECONDS_RE = re.compile(r"[0-9]{1,9}")
# An inventory group or host name as wss_verify_from names it (Ansible's own names, and '-').
GROUP_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
VIEW_KINDS = ("host", "controller")
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
WEIGHT_MAX = 1000
MAX_FAILS_MAX = 100
TRIES_MAX = 100
FAIL_TIMEOUT_MAX_MS = 3600000
CONNECT_TIMEOUT_MAX_MS = 75000  # "usually cannot exceed 75 seconds" (proxy_connect_timeout)
BALANCES = choices(LOCATION_OPTIONS, "balance")
BUFFER_SIZES = choices(LOCATION_OPTIONS, "buffer_size")
# Balancing methods whose nginx module has no `backup` server parameter.
NO_BACKUP_BALANCES = ("hash", "ip_hash")
BACKEND_DEFAULTS = {
    "weight": 1,
    "max_fails": 1,
    "fail_timeout": "10s",
    "backup": False,
    "down": False,
}
BACKEND_KEYS = ("address", *BACKEND_DEFAULTS)
MAX_SERVER_NAME = 253
# What a wildcard's "*" stands for in the site: one label of a host name (nginx compares
# server names and these patterns without regard to letter case).
WILDCARD_LABEL = "[a-z0-9-]+"
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


def is_wildcard(name: str) -> bool:
    return name.startswith("*.")


def name_pattern(name: str, trailing_dot: bool = False) -> str:
    """An anchored regular expression that matches what the certificate's name matches.

    ``name`` is a normalised server name ([a-z0-9.-] or an IP address, or ``*.`` and a DNS
    name): a wildcard matches exactly one label in place of its ``*`` (RFC 6125 6.4.3), of
    the letters, digits and hyphens of a host name (so a redirect to it names a host under
    the wildcard, never ``evil#.example.com``): ``*.example.com`` becomes
    ``^[a-z0-9-]+\\.example\\.com$``; any other name matches itself.
    ``trailing_dot``: also with one final dot (``example.com.``).
    """
    body = f"{WILDCARD_LABEL}{re.escape(name[1:])}" if is_wildcard(name) else re.escape(name)
    return f"^{body}" + ("\\.?$" if trailing_dot else "$")


def serves(server_names: list[str], name: str) -> bool:
    """Whether an endpoint with these normalised ``server_names`` answers ``name`` (concrete)."""
    return name in server_names or "*." + name.partition(".")[2] in server_names


def check_name_default(server_names: list[str]) -> str:
    """The name the live check dials unless ``check_name`` says: the first server name, with a
    wildcard's ``*`` replaced by ``wss-check``."""
    first = server_names[0]
    return "wss-check" + first[1:] if is_wildcard(first) else first


def network(value: object) -> tuple[str | None, str | None]:
    """``(normalised CIDR, None)`` or ``(None, why not)`` for one entry of wss_trusted_proxies."""
    example = "such as '10.0.0.0/8', '192.0.2.7' or '2001:db8::/32'"
    if not isinstance(value, str):
        return None, f"must be an address or CIDR {example}, got {type(value).__name__}"
    match = CIDR_RE.fullmatch(value)
    address = ip_address(match.group("address")) if match else None
    if address is None:
        return None, f"{show(value)} is not an IPv4 or IPv6 address or CIDR {example}"
    prefix = match.group("prefix")
    if prefix is None:
        return str(ipaddress.ip_network(address)), None
    if int(prefix) > address.max_prefixlen:
        return (
            None,
            f"{show(value)} has prefix /{int(prefix)}, longer than {address.max_prefixlen} bits",
        )
    try:
        result = ipaddress.ip_network(f"{address}/{int(prefix)}")
    except ValueError:
        base = ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
        return None, f"{show(value)} has bits set after the prefix; the network is '{base}'"
    if result.prefixlen == 0:
        return None, (
            f"{show(value)} trusts every address, so any client could name its own address;"
            " list the networks of the load balancers"
        )
    return str(result), None


def trusted_proxies(value: object) -> tuple[list[str], list[str]]:
    """``(errors, normalised CIDRs)`` of ``wss_trusted_proxies``; unset or empty trusts no one."""
    if value in (None, ""):
        return [], []
    if not isinstance(value, list):
        got = "a string" if isinstance(value, str) else type(value).__name__
        return [
            "wss_trusted_proxies: must be a list of addresses or CIDRs such as"
            f" ['10.0.0.0/8'], got {got}"
        ], []
    errors: list[str] = []
    normal: list[str] = []
    for index, item in enumerate(value):
        cidr, problem = network(item)
        if problem:
            errors.append(f"wss_trusted_proxies[{index}]: {problem}")
        elif cidr in normal:
            errors.append(
                f"wss_trusted_proxies[{index}]: {show(item)} is the same network as"
                f" wss_trusted_proxies[{normal.index(cidr)}]"
            )
        normal.append(cidr)
    return errors, ([] if errors else normal)


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


def listen_error(value: object, loopback: bool) -> str | None:
    """Why ``value`` is not an ``address:port`` to listen on (a loopback one), or None."""
    if not isinstance(value, str) or value.startswith("unix:") or backend_error(value):
        return f"{show(value)} is not an address:port such as 127.0.0.1:8089 or [::1]:8089"
    host, port = value.rsplit(":", 1)
    address = ip_address(host.strip("[]"))
    if loopback and (address is None or not address.is_loopback):
        return f"{show(value)} is not on a loopback address (127.0.0.0/8 or [::1])"
    if loopback is False and address is None and host != "localhost":
        return f"{show(value)} is not on an IP address"
    if int(port) in RESERVED_PORTS:
        return f"{show(value)} uses port {int(port)}, the plain-HTTP redirect and ACME port"
    return None


def normal_backend(backend: str) -> str:
    if backend.startswith("unix:"):
        return backend
    host, port = backend.rsplit(":", 1)
    if host.startswith("["):
        return f"[{ip_address(host[1:-1])}]:{int(port)}"
    return f"{normal_server_name(host)}:{int(port)}"


def _backend(where: str, backend: object) -> tuple[list[str], dict | None]:
    """One backend, ``host:port`` or a mapping with ``address``, as a normalised mapping."""
    if not isinstance(backend, dict):
        problem = backend_error(backend)
        if problem and not isinstance(backend, str):
            problem = (
                f"must be 'host:port' or a mapping with 'address', got {type(backend).__name__}"
            )
        return (
            ([f"{where}: {problem}"], None)
            if problem
            else (
                [],
                {"address": normal_backend(backend), **BACKEND_DEFAULTS},
            )
        )
    errors = [
        f"{where}: unknown key {show(key)} (known: {', '.join(BACKEND_KEYS)})"
        for key in backend
        if key not in BACKEND_KEYS
    ]
    merged = dict(BACKEND_DEFAULTS)
    merged.update({key: value for key, value in backend.items() if value is not None})
    address = backend.get("address")
    problem = backend_error(address)
    if problem:
        errors.append(f"{where}.address: {problem}")
    problems, merged["weight"] = _whole(f"{where}.weight", merged["weight"], 1, WEIGHT_MAX)
    errors += problems
    problems, merged["max_fails"] = _whole(
        f"{where}.max_fails", merged["max_fails"], 1, MAX_FAILS_MAX, "(never taken out)"
    )
    errors += problems
    errors += _duration_errors(f"{where}.fail_timeout", merged["fail_timeout"], FAIL_TIMEOUT_MAX_MS)
    for key in ("backup", "down"):
        flag = as_bool(merged[key])
        if flag is None:
            errors.append(f"{where}.{key}: {show(merged[key])} is not a boolean (true or false)")
        merged[key] = flag
    if errors:
        return errors, None
    merged["address"] = normal_backend(address)
    return [], merged


def _backends(where: str, location: dict, balance: object) -> tuple[list[str], list[dict]]:
    """The backends of a location and the rules between them and the balancing method."""
    backends = location.get("backends")
    if not isinstance(backends, list) or not backends:
        return [f"{where}.backends: must be a non-empty list of 'host:port' or mappings"], []
    errors, normal, seen = [], [], {}
    for index, backend in enumerate(backends):
        problems, result = _backend(f"{where}.backends[{index}]", backend)
        errors += problems
        if result is None:
            continue
        if result["address"] in seen:
            errors.append(
                f"{where}.backends[{index}]: {show(result['address'])} is listed twice (also"
                f" backends[{seen[result['address']]}])"
            )
        seen.setdefault(result["address"], index)
        if result["backup"] and balance in NO_BACKUP_BALANCES:
            errors.append(
                f"{where}.backends[{index}].backup: balance '{balance}' cannot have backup"
                " backends (nginx's hash methods have none); use round_robin or least_conn"
            )
        normal.append(result)
    if errors:
        return errors, []
    if all(backend["down"] for backend in normal):
        errors.append(
            f"{where}.backends: every backend is down; at least one must take new connections"
        )
    elif all(backend["backup"] for backend in normal):
        errors.append(f"{where}.backends: every backend is a backup; at least one must be primary")
    return errors, normal


def _duration_errors(where: str, value: object, high_ms: int, low_ms: int = TIMEOUT_MIN_MS) -> list:
    millis = duration_ms(value)
    if millis is None:
        return [
            f"{where}: {show(value)} is not an nginx time such as 60s, 1h or 1h30m"
            " (units y M w d h m s ms, in this order, each at most once)"
        ]
    if not low_ms <= millis <= high_ms:
        why = " (0 would close every WebSocket at once)" if millis == 0 else ""
        return [f"{where}: {show(value)} is outside {_span(low_ms)}-{_span(high_ms)}{why}"]
    return []


def _span(millis: int) -> str:
    for unit in ("d", "h", "m", "s"):
        if millis % _UNIT_MS[unit] == 0:
            return f"{millis // _UNIT_MS[unit]}{unit}"
    return f"{millis}ms"


def _balance(where: str, location: dict, merged: dict) -> list[str]:
    """The balancing method and its options (hash_key and consistent belong to hash)."""
    balance = merged["balance"]
    if balance not in BALANCES:
        return [f"{where}.balance: {show(balance)} is not one of {', '.join(BALANCES)}"]
    errors = []
    for key in ("hash_key", "consistent"):
        if location.get(key) is not None and balance != "hash":
            errors.append(
                f"{where}.{key}: only with balance 'hash' (this location has '{balance}')"
            )
    key = merged["hash_key"]
    if not isinstance(key, str) or not HASH_KEY_RE.fullmatch(key):
        errors.append(
            f"{where}.hash_key: {show(key)} is not one of $remote_addr, $binary_remote_addr,"
            " $request_uri, $uri, $host, $arg_NAME, $cookie_NAME or $http_NAME (NAME of a-z 0-9 _)"
        )
    consistent = as_bool(merged["consistent"])
    if consistent is None:
        errors.append(
            f"{where}.consistent: {show(merged['consistent'])} is not a boolean (true or false)"
        )
    merged["consistent"] = consistent
    return errors


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


def _options(
    where: str, value: object, example: str, options: dict, defaults: dict
) -> tuple[list[str], dict | None]:
    """An optional mapping of ``options`` (unset: empty): ``(errors, the defaults updated with
    the keys it sets)``; not a mapping, or with unknown keys, is an error naming ``where``."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return [f"{where}: must be a mapping such as {example}, got {type(value).__name__}"], None
    merged = dict(defaults)
    merged.update({key: item for key, item in value.items() if item is not None})
    return _unknown(where, value, options), merged


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
    errors += _balance(where, location, merged)
    problems, normal_backends = _backends(where, location, merged["balance"])
    errors += problems
    for key in ("read_timeout", "send_timeout"):
        errors += _duration_errors(f"{where}.{key}", merged[key], TIMEOUT_MAX_MS)
    errors += _duration_errors(
        f"{where}.connect_timeout", merged["connect_timeout"], CONNECT_TIMEOUT_MAX_MS
    )
    if merged["buffer_size"] not in BUFFER_SIZES:
        errors.append(
            f"{where}.buffer_size: {show(merged['buffer_size'])} is not one of"
            f" {', '.join(BUFFER_SIZES)}"
        )
    problems, tries = _whole(
        f"{where}.next_upstream_tries", merged["next_upstream_tries"], 1, TRIES_MAX
    )
    errors += problems
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
            "next_upstream_tries": tries,
            "allowed_origins": normal_origins,
            "limit_conn": limit_conn,
            "limit_req": limit_req,
        }
    )
    return [], merged


def _dns(where: str, dns: object) -> tuple[list[str], dict | None]:
    """``certificate.dns`` of a dns-01 endpoint: every key checked, the secret never quoted."""
    example = "{server: 192.0.2.53, key_name: acme., key_secret: ...}"
    errors, merged = _options(where, dns, example, DNS_OPTIONS, DNS_DEFAULTS)
    if merged is None:
        return errors, None
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
    errors, merged = _options(
        where, certificate, "{source: selfsigned}", CERTIFICATE_OPTIONS, CERTIFICATE_DEFAULTS
    )
    if merged is None:
        return errors, None
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
    elif merged["source"] != "acme" and (certificate or {}).get("challenge") is not None:
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
    errors += _check_name_errors(where, endpoint.get("check_name"), normal_names)
    listen_value = endpoint.get("listen")
    listen = as_int(ENDPOINT_DEFAULTS["listen"] if listen_value is None else listen_value)
    if listen is None or not 0 < listen < 65536:
        errors.append(f"{where}.listen: {show(listen_value)} is not a port number 1-65535")
    elif listen in RESERVED_PORTS:
        errors.append(f"{where}.listen: port {listen} is the plain-HTTP redirect and ACME port")
    proxy_value = endpoint.get("proxy_protocol")
    proxy_protocol = as_bool(
        ENDPOINT_DEFAULTS["proxy_protocol"] if proxy_value is None else proxy_value
    )
    if proxy_protocol is None:
        errors.append(
            f"{where}.proxy_protocol: {show(proxy_value)} is not a boolean (true or false)"
        )
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
        "check_name": normal_server_name(endpoint["check_name"])
        if endpoint.get("check_name") is not None
        else check_name_default(normal_names),
        "proxy_protocol": proxy_protocol,
        "certificate": certificate,
        "locations": normal_locations,
    }


def _check_name_errors(where: str, value: object, server_names: list[str]) -> list[str]:
    """``check_name``: a concrete name that the endpoint serves (or unset: the default)."""
    where = f"{where}.check_name"
    if value is None:
        if server_names and len(check_name_default(server_names)) > MAX_SERVER_NAME:
            return [
                f"{where}: the first server name is a wildcard, and 'wss-check' under it is longer"
                f" than {MAX_SERVER_NAME} characters; set check_name to a name under it"
            ]
        return []
    problem = server_name_error(value)
    if problem:
        return [f"{where}: {problem}"]
    name = normal_server_name(value)
    if is_wildcard(name):
        return [
            f"{where}: {show(value)} is a wildcard; the live check dials a concrete name such as"
            f" 'www{name[1:]}'"
        ]
    if server_names and not serves(server_names, name):
        return [
            f"{where}: {show(value)} is not a name this endpoint serves (one of its server_names,"
            " or one label under a wildcard among them)"
        ]
    return []


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


def verify_views(value: object, groups: object = None) -> tuple[list[str], list[dict]]:
    """``wss_verify_from`` as ``(errors, views)``; ``groups`` maps each inventory group to its hosts.

    A view is ``{"view": name, "probe": where wss_check runs}``: ``host`` (probe None: the
    gateway host itself), ``controller`` (probe ``localhost``) or ``group:probe host`` for each
    host of a named group.
    """
    where = "wss_verify_from"
    if value in (None, ""):
        value = ["host"]
    elif isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        return [
            f"{where}: must be host, controller or an inventory group (or a list of them), got"
            f" {type(value).__name__}"
        ], []
    if not value:
        return [f"{where}: is empty; name host, controller or an inventory group"], []
    groups = groups if isinstance(groups, dict) else {}
    errors: list[str] = []
    views: list[dict] = []
    for index, name in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(name, str) or not GROUP_RE.fullmatch(name):
            errors.append(
                f"{at}: {show(name)} is not host, controller or an inventory group name"
                " (ASCII letters, digits and _.-)"
            )
        elif name in value[:index]:
            errors.append(f"{at}: {show(name)} is listed twice")
        elif name in VIEW_KINDS:
            views.append({"view": name, "probe": None if name == "host" else "localhost"})
        elif name not in groups:
            errors.append(
                f"{at}: {show(name)} is neither host nor controller nor a group of the inventory"
            )
        elif not isinstance(groups[name], list) or not groups[name]:
            errors.append(f"{at}: the inventory group {show(name)} has no hosts to probe from")
        else:
            views += [{"view": f"{name}:{probe}", "probe": str(probe)} for probe in groups[name]]
    return errors, ([] if errors else views)


def public_address_error(value: object) -> str | None:
    """Why ``wss_public_address`` is not an IP address or a DNS name (no wildcard), or None."""
    if value in (None, "") or is_ip(value) or is_dns_name(value, wildcard=False):
        return None
    return (
        f"wss_public_address: {show(value)} is neither an IP address (no zone ID) nor a DNS name"
        " (RFC 1123, no wildcard)"
    )


def public_ports(value: object, listen: list[int]) -> tuple[list[str], dict[int, int]]:
    """``wss_public_ports`` as ``(errors, {listen port: public port})``."""
    if value in (None, "", {}):
        return [], {}
    if not isinstance(value, dict):
        return [
            "wss_public_ports: must be a mapping of listen port to public port, such as"
            f" {{443: 8443}}, got {type(value).__name__}"
        ], {}
    errors: list[str] = []
    ports: dict[int, int] = {}
    for key, public in value.items():
        port = as_int(key)
        if port is None or not 0 < port < 65536:
            errors.append(f"wss_public_ports: key {show(key)} is not a port number 1-65535")
            continue
        if port not in listen:
            errors.append(
                f"wss_public_ports[{port}]: no endpoint of this host listens on port {port}"
                f" (listen ports: {', '.join(str(p) for p in sorted(set(listen)))})"
            )
        number = as_int(public)
        if number is None or not 0 < number < 65536:
            errors.append(f"wss_public_ports[{port}]: {show(public)} is not a port number 1-65535")
        else:
            ports[port] = number
    return errors, (ports if not errors else {})


# nginx_tls13_tickets: OpenSSL's NumTickets per full TLS 1.3 handshake (OpenSSL sends 2).
TLS13_TICKETS_MAX = 10


def _nginx_shared_errors(settings: dict) -> list[str]:
    """The nginx role's settings that the proxy role's settings carry too (those given): the
    TLS options, the metrics exporter switch, and the status and exporter addresses."""
    errors = []
    prefer = settings.get("nginx_tls_prefer_aes128", True)
    if as_bool(prefer) is None:
        errors.append(f"nginx_tls_prefer_aes128: {show(prefer)} is not a boolean (true or false)")
    if "nginx_tls13_tickets" in settings:
        tickets = settings["nginx_tls13_tickets"]
        errors += _whole("nginx_tls13_tickets", tickets, 0, TLS13_TICKETS_MAX)[0]
    if as_bool(settings.get("wss_metrics_exporter", False)) is None:
        errors.append(
            f"wss_metrics_exporter: {show(settings['wss_metrics_exporter'])} is not a boolean"
            " (true or false)"
        )
    for key, loopback in (("nginx_status_listen", True), ("nginx_exporter_listen", False)):
        if settings.get(key) not in (None, ""):
            problem = listen_error(settings[key], loopback)
            if problem:
                errors.append(f"{key}: {problem}")
    return errors


def _settings_errors(settings: dict) -> list[str]:
    """Role settings that the site or the checks use (only those that are given)."""
    errors = []
    for key in ("proxy_http2", "proxy_ipv6", "proxy_http_redirect"):
        if key in settings and as_bool(settings[key]) is None:
            errors.append(f"{key}: {show(settings[key])} is not a boolean (true or false)")
    if "proxy_hsts_max_age" in settings:
        errors += _whole("proxy_hsts_max_age", settings["proxy_hsts_max_age"], 0, 10**9)[0]
    errors += _nginx_shared_errors(settings)
    syslog = settings.get("proxy_access_log_syslog")
    if syslog not in (None, ""):
        problem = backend_error(syslog)
        if problem:
            errors.append(
                f"proxy_access_log_syslog: {problem.replace('host:port', 'syslog server host:port')}"
            )
    for key in ("wss_tls_dir", "wss_acme_webroot"):
        if key in settings:
            problem = file_path_error(settings[key], "directory")
            if problem:
                errors.append(f"{key}: {problem}")
    if "wss_verify_from" in settings:
        errors += verify_views(settings["wss_verify_from"], settings.get("inventory_groups"))[0]
    problem = public_address_error(settings.get("wss_public_address"))
    if problem:
        errors.append(problem)
    return errors


# nginx sizes (ngx_parse_size): a number of bytes, or of k or m; a Debian package name; an
# https:// URL of a package repository or its key (host, port, path: nothing for a shell or a
# file to read as anything else).
SIZE_RE = re.compile(r"[1-9][0-9]{0,9}[kKmM]?")
HEADER_BUFFERS_RE = re.compile(r"[1-9][0-9]{0,3} [1-9][0-9]{0,9}[kKmM]?")
PACKAGE_RE = re.compile(r"[a-z0-9][a-z0-9+.-]{1,99}")
HTTPS_URL_RE = re.compile(
    r"https://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/+-]{0,1023})?"
)
NGINX_SHUTDOWN_MAX_MS = 30 * 86_400_000
# Bounds of the sizes in bytes (low, high, multiple of): nginx wants a pool block of a multiple
# of 16 bytes and at least 112 (64-bit); TLS records are at most 16 KiB.
NGINX_SIZES = {
    "nginx_ssl_buffer_size": (512, 65_536, 1),
    "nginx_client_header_buffer_size": (128, 1_048_576, 1),
    "nginx_request_pool_size": (128, 1_048_576, 16),
}


def size_bytes(value: object) -> int | None:
    """Bytes of an nginx size (a number, or of k or m), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = str(value)
    if not SIZE_RE.fullmatch(text):
        return None
    unit = {"k": 1024, "m": 1_048_576}.get(text[-1].lower(), 1)
    return int(text.rstrip("kKmM")) * unit


def nginx_settings_errors(settings: object) -> list[str]:
    """The nginx role's settings (those given), one message each naming the variable: what the
    argument spec cannot say, and a whitelist grammar for every value nginx.conf is written
    with (nothing else reaches the template)."""
    if not isinstance(settings, dict):
        return [f"the nginx settings must be a mapping, got {type(settings).__name__}"]
    errors = _nginx_shared_errors(settings)
    workers = settings.get("nginx_worker_processes", "auto")
    if workers != "auto" and not 1 <= (as_int(workers) or 0) <= 1024:
        errors.append(
            f"nginx_worker_processes: {show(workers)} is not auto or a whole number 1-1024"
        )
    limits = {}
    for key, high in (
        ("nginx_worker_connections", 1_000_000),
        ("nginx_worker_rlimit_nofile", 10_000_000),
    ):
        if key in settings:
            problems, limits[key] = _whole(key, settings[key], 1, high)
            errors += problems
    connections = limits.get("nginx_worker_connections", 0)
    nofile = limits.get("nginx_worker_rlimit_nofile", 0)
    if connections and nofile and nofile < connections:
        errors.append(
            f"nginx_worker_rlimit_nofile ({nofile}) must be at least nginx_worker_connections"
            f" ({connections}): every connection (a proxied WebSocket holds two, client and"
            " backend) is an open file of the worker"
        )
    if "nginx_worker_shutdown_timeout" in settings:
        errors += _duration_errors(
            "nginx_worker_shutdown_timeout",
            settings["nginx_worker_shutdown_timeout"],
            NGINX_SHUTDOWN_MAX_MS,
        )
    for key, (low, high, step) in NGINX_SIZES.items():
        if key not in settings:
            continue
        size = size_bytes(settings[key])
        if size is None:
            errors.append(
                f"{key}: {show(settings[key])} is not an nginx size such as 1k, 4k or 1024"
            )
        elif not low <= size <= high or size % step:
            multiple = f", a multiple of {step}" if step > 1 else ""
            errors.append(f"{key}: {show(settings[key])} is not {low}-{high} bytes{multiple}")
    if "nginx_large_client_header_buffers" in settings:
        buffers = settings["nginx_large_client_header_buffers"]
        if not isinstance(buffers, str) or not HEADER_BUFFERS_RE.fullmatch(buffers):
            errors.append(
                f"nginx_large_client_header_buffers: {show(buffers)} is not a number and an nginx"
                " size such as '4 8k'"
            )
        elif not 512 <= (size_bytes(buffers.split(" ")[1]) or 0) <= 1_048_576:
            # nginx: at least connection_pool_size (512 bytes on 64-bit hosts).
            errors.append(
                f"nginx_large_client_header_buffers: the size in {show(buffers)} is not"
                " 512-1048576 bytes"
            )
    if "nginx_server_names_hash_bucket_size" in settings:
        errors += _whole(
            "nginx_server_names_hash_bucket_size",
            settings["nginx_server_names_hash_bucket_size"],
            32,
            4096,
        )[0]
    if as_bool(settings.get("nginx_upstream_repo", False)):
        urls = [
            settings.get(key) for key in ("nginx_upstream_repo_url", "nginx_upstream_repo_key_url")
        ]
        if not all(isinstance(url, str) and HTTPS_URL_RE.fullmatch(url) for url in urls):
            errors.append(
                "nginx_upstream_repo is true, so nginx_upstream_repo_url and"
                " nginx_upstream_repo_key_url must be the https:// URLs of nginx.org's package"
                f" repository and signing key (see the role README); got {show(urls[0])} and"
                f" {show(urls[1])}"
            )
    packages = settings.get("nginx_extra_packages", [])
    bad = (
        [name for name in packages if not isinstance(name, str) or not PACKAGE_RE.fullmatch(name)]
        if isinstance(packages, list)
        else [packages]
    )
    if bad:
        errors.append(
            "nginx_extra_packages must list Debian package names (lower-case letters, digits,"
            " '+', '-', '.'); not: " + ", ".join(show(name) for name in bad)
        )
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
    redirect_off = as_bool(settings.get("proxy_http_redirect", True)) is False
    if http01 and "proxy_http_redirect" in settings and redirect_off:
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
    trusted_errors, trusted = trusted_proxies(settings.get("wss_trusted_proxies"))
    errors += trusted_errors
    normal: list[dict] = []
    names: dict[str, int] = {}
    upstreams: dict[str, int] = {}
    ports: dict[tuple[int, str], str] = {}
    no_sni: dict[int, str] = {}
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
        if any(is_ip(server_name) for server_name in result["server_names"]):
            # A client that dials an address sends no SNI: nginx can answer it with one
            # certificate per port, that of the port's default server.
            if result["listen"] in no_sni:
                errors.append(
                    f"{where}: port {result['listen']} has IP addresses among the server names of"
                    f" both '{no_sni[result['listen']]}' and '{name}'; a client that dials an"
                    " address sends no SNI, so one endpoint per port can answer it"
                )
            no_sni.setdefault(result["listen"], name)
        errors += _proxy_protocol_errors(where, result, normal, settings, trusted or trusted_errors)
        normal.append(result)
    status = settings.get("nginx_status_listen")
    if isinstance(status, str) and status and not listen_error(status, True):
        port = int(status.rsplit(":", 1)[1])
        clashing = [endpoint["name"] for endpoint in normal if endpoint["listen"] == port]
        if clashing:
            errors.append(
                f"nginx_status_listen: port {port} is the TLS port of endpoint '{clashing[0]}'"
            )
    acme = [endpoint["name"] for endpoint in normal if endpoint["certificate"]["source"] == "acme"]
    certificates = [(endpoint["name"], endpoint["certificate"]) for endpoint in normal]
    http01 = [
        name
        for name, certificate in certificates
        if certificate["source"] == "acme" and certificate["challenge"] == "http-01"
    ]
    errors += certificate_settings_errors(settings, acme, http01)
    problems, ports = public_ports(
        settings.get("wss_public_ports"), [endpoint["listen"] for endpoint in normal]
    )
    errors += problems
    if errors:
        return errors, []
    public = {"address": settings.get("wss_public_address") or None, "ports": ports}
    return [], [_derive(endpoint, tls_dir, trusted, public) for endpoint in normal]


def _proxy_protocol_errors(
    where: str, endpoint: dict, earlier: list[dict], settings: dict, trusted: object
) -> list[str]:
    """PROXY protocol needs trusted proxies (when the proxy role's settings are given), and
    nginx sets it per address and port: every endpoint on a port must agree."""
    errors = []
    if endpoint["proxy_protocol"] and "wss_trusted_proxies" in settings and not trusted:
        errors.append(
            f"{where}.proxy_protocol: true needs wss_trusted_proxies, the addresses of the load"
            " balancers that send the PROXY header (no other is taken at its word)"
        )
    for other in earlier:
        same_port = other["listen"] == endpoint["listen"]
        if same_port and other["proxy_protocol"] != endpoint["proxy_protocol"]:
            errors.append(
                f"{where}.proxy_protocol: {str(endpoint['proxy_protocol']).lower()} on port"
                f" {endpoint['listen']}, where endpoint '{other['name']}' has"
                f" {str(other['proxy_protocol']).lower()}; nginx accepts PROXY headers per port,"
                " so every endpoint on a port must agree"
            )
            break
    return errors


def public_checks(endpoint: dict, check: dict, public: dict) -> list[dict]:
    """What a client elsewhere dials: each name that is not a wildcard, on the public port,
    at the public address when one is set (the name still sent as SNI and Host)."""
    port = public["ports"].get(endpoint["listen"], endpoint["listen"])
    path = endpoint["locations"][0]["path"]
    names = [name for name in endpoint["server_names"] if not name.startswith("*.")]
    checks = []
    for name in names or [check["server_hostname"]]:
        host = normal_server_name(public["address"]) if public["address"] else name
        if isinstance(ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
        entry = {"url": f"wss://{host}:{port}{path}", "server_hostname": name}
        if "origin" in check:
            entry["origin"] = check["origin"]
        checks.append(entry)
    return checks


def _derive(endpoint: dict, tls_dir: str, trusted: list[str], public: dict | None = None) -> dict:
    name = endpoint["name"]
    certificate = endpoint["certificate"]
    names = endpoint["server_names"]
    own_dir = f"{tls_dir}/{name}"
    locations = [
        {
            **location,
            "upstream": upstream_name(name, index),
            # The normalised origin as an anchored regular expression (the site compares it
            # without regard to letter case).
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
    check = {
        "url": f"wss://127.0.0.1:{listen}{locations[0]['path']}",
        "server_hostname": endpoint["check_name"],
    }
    if check_ca_path:
        check["ca_path"] = check_ca_path
    if locations[0]["allowed_origins"]:
        check["origin"] = locations[0]["allowed_origins"][0]
    if endpoint["proxy_protocol"]:
        check["proxy_protocol"] = True
    return {
        **endpoint,
        "locations": locations,
        # set_real_ip_from in the endpoint's server, and the header that names the client.
        "trusted_proxies": list(trusted),
        "real_ip_header": "proxy_protocol" if endpoint["proxy_protocol"] else "X-Forwarded-For",
        "dns_names": [n for n in names if not is_ip(n)],
        "ip_addresses": [n for n in names if is_ip(n)],
        "tls_dir": own_dir,
        "cert_file": certificate["cert_path"] if on_host else f"{own_dir}/fullchain.pem",
        "key_file": certificate["key_path"] if on_host else f"{own_dir}/privkey.pem",
        # server_name entries (a wildcard as a regular expression of one label; IPv6 in
        # brackets) and the patterns of $ssl_server_name (any letter case, a trailing dot as
        # nginx's own server selection ignores it) that select this endpoint.
        "nginx_server_names": [
            f"~{name_pattern(n)}" if is_wildcard(n) else f"[{n}]" if ":" in n else n for n in names
        ],
        "sni_patterns": [name_pattern(n, True) for n in names if not is_wildcard(n)],
        "sni_wildcard_patterns": [name_pattern(n, True) for n in names if is_wildcard(n)],
        # The endpoint that answers handshakes without SNI on its port (one per port).
        "no_sni_default": any(is_ip(n) for n in names),
        "check_url": check["url"],
        "check_server_hostname": endpoint["check_name"],
        "check_ca_path": check_ca_path,
        "check": check,
        "public_checks": public_checks(endpoint, check, public or {"address": None, "ports": {}}),
    }


# The options of wss.gateway.wss_validate (its action plugin and its module, which only refuses
# to run on a host).
VALIDATE_ARGUMENT_SPEC = {
    "scope": {"type": "str", "default": "endpoints", "choices": ["endpoints", "nginx"]},
    "endpoints": {"type": "raw", "default": []},
    "backend": {"type": "raw"},
    "hostname": {"type": "str"},
    "tls_dir": {"type": "str"},
    "settings": {"type": "dict", "default": {}},
    "problems": {"type": "list", "elements": "str", "default": []},
    "input_key": {"type": "str", "default": "", "no_log": False},
    "publish": {"type": "dict", "default": {}},
    "role_spec": {
        "type": "dict",
        "options": {
            "role": {"type": "str", "required": True},
            "entry_point": {"type": "str", "required": True},
        },
    },
}


def with_controller_files(settings: object) -> object:
    """Settings with ``missing_controller_files``: the controller files that the ACME settings
    name and that are not there (call it on the controller: the filters and the action
    wss.gateway.wss_validate run there)."""
    if not isinstance(settings, dict):
        return settings
    wanted = []
    bundle = settings.get("certificate_acme_ca_bundle")
    if isinstance(bundle, str) and bundle:
        wanted.append(("certificate_acme_ca_bundle", bundle))
    roots = settings.get("certificate_acme_roots")
    if isinstance(roots, list):
        wanted += [("certificate_acme_roots", root) for root in roots]
    elif roots not in (None, ""):
        wanted.append(("certificate_acme_roots", roots))
    missing = [
        f"{key}: {path!s}"
        for key, path in wanted
        if not isinstance(path, str) or not os.path.isfile(os.path.expanduser(path))
    ]
    return {**settings, "missing_controller_files": missing}


def validation(
    endpoints: object,
    backend: object = None,
    hostname: object = "localhost",
    tls_dir: object = "/etc/wss-gateway/tls",
    settings: object = None,
) -> dict:
    """On the controller: ``errors``, the normalised ``endpoints`` (empty unless errors are) and
    the ``views`` that wss_verify_from names (empty with errors), in one pass."""
    errors, normal = validate(
        endpoints, backend, hostname, tls_dir, with_controller_files(settings)
    )
    given = settings if isinstance(settings, dict) else {}
    views = verify_views(given.get("wss_verify_from"), given.get("inventory_groups"))[1]
    return {"errors": errors, "endpoints": normal, "views": views if not errors else []}


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
