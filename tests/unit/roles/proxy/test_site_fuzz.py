"""Property: whatever the validator accepts renders into a site that real nginx accepts,
with exactly what the input asked for; whatever it refuses, it refuses naming the path.

``wss_endpoints`` are generated from hostile alphabets (newlines, ``;{}#$"'\\``, ``%``,
unicode, very long strings), wrong types and missing and unknown keys, mixed with valid
values so that many inputs are accepted and reach ``nginx -t``.  ``make test`` runs a few
hundred examples with a fixed seed; ``make fuzz`` (WSS_FUZZ_EXAMPLES) runs many more.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import tempfile
from itertools import count
from pathlib import Path

import pytest
import trustme
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from render_harness import (
    ASKED_DIRECTIVES,
    BASE_DIRECTIVES,
    directives,
    install_certificates,
    nginx_test,
    render,
    validate,
)

from tests.conftest import require_tool

EXAMPLES = int(os.environ.get("WSS_FUZZ_EXAMPLES", "300"))
WORK = Path(tempfile.mkdtemp(prefix="wss-fuzz-"))
PROVIDED_DIR = WORK / "provided"
_RUNS = count()

HOSTILE = st.text(
    alphabet=st.sampled_from(
        list("abz09.-_:/[]*%;{}#$\"'\\`~@+= \n\t\r") + ["é", "\u2028", "\x00", "😀"]
    ),
    max_size=24,
)
LONG = st.text(alphabet=st.sampled_from(list("a.-;\n")), min_size=200, max_size=3000)
WRONG = st.one_of(
    st.none(),
    st.integers(-10, 10**6),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def inventories(bad: bool) -> st.SearchStrategy:
    """Inventories whose every field may be hostile (``bad``), or only near the edges."""

    def hostile(valid: st.SearchStrategy) -> st.SearchStrategy:
        """Mostly valid values, else hostile text, long strings or wrong types."""
        return st.one_of(valid, valid, HOSTILE, LONG, WRONG) if bad else valid

    LABEL = st.one_of(
        st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True),
        st.from_regex(r"[a-z0-9][a-z0-9-]{40,61}[a-z0-9]", fullmatch=True),
    )
    DNS = st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(LABEL, min_size=1, max_size=3),
        st.sampled_from(["example", "test", "com"]),
    )
    IP = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str))
    SERVER_NAME = hostile(
        st.one_of(DNS, DNS.map(lambda n: "*." + n), DNS.map(str.upper), IP, st.just("fe80::1%eth0"))
    )
    PORT = st.integers(1, 65535)
    NETWORK = st.one_of(
        st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=4), st.integers(1, 32)),
        st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=6), st.integers(1, 128)),
    ).map(lambda text: str(ipaddress.ip_network(text, strict=False)))
    # Networks and addresses; when bad, also host bits, /0 or a prefix too long.
    TRUSTED = hostile(
        st.one_of(
            IP,
            NETWORK,
            *(
                (st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(), st.sampled_from([0, 33])),)
                if bad
                else ()
            ),
        )
    )
    BACKEND = hostile(
        st.one_of(
            PORT.map(lambda p: f"127.0.0.1:{p}"),
            PORT.map(lambda p: f"[::1]:{p}"),
            PORT.map(lambda p: f"localhost:{p}"),
            st.from_regex(r"unix:/run/[a-z0-9._-]{1,20}\.sock", fullmatch=True),
        )
    )
    PATH = hostile(
        st.one_of(st.just("/"), st.from_regex(r"/[a-zA-Z0-9._~/+@-]{0,30}", fullmatch=True))
    )
    ORIGIN = hostile(
        st.builds(
            lambda scheme, host, port: f"{scheme}://{host}{port}",
            st.sampled_from(["https", "http", "HTTPS", "wss"]),
            st.one_of(
                DNS,
                DNS.map(str.upper),
                st.ip_addresses(v=4).map(str),
                st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
            ),
            st.one_of(
                st.just(""),
                st.sampled_from([":443", ":80", ":8443", ":0"]),
                PORT.map(lambda p: f":{p}"),
            ),
        )
    )
    DURATION = hostile(
        st.one_of(
            st.sampled_from(["1h", "60s", "1h30m", "1d", "0", "1h1h", "24d", "25d", "500ms", "90"]),
            st.from_regex(r"[0-9]{1,3}[smhd]", fullmatch=True),
        )
    )
    LIMIT = hostile(st.one_of(st.just(0), st.integers(-2, 70000), st.integers(0, 200000).map(str)))
    CERTIFICATE = st.one_of(
        st.none(),
        st.just({"source": "selfsigned"}),
        st.fixed_dictionaries(
            {"source": st.just("acme"), "key_type": hostile(st.sampled_from(["ecdsa", "rsa"]))}
        ),
        st.fixed_dictionaries(
            {
                "source": st.just("provided"),
                "cert_path": hostile(st.from_regex(r"[a-z0-9._-]{1,12}", fullmatch=True)).map(
                    lambda s: f"{PROVIDED_DIR}/{s}" if isinstance(s, str) else s
                ),
                "key_path": hostile(st.from_regex(r"[a-z0-9._-]{1,12}", fullmatch=True)).map(
                    lambda s: f"{PROVIDED_DIR}/{s}" if isinstance(s, str) else s
                ),
            }
        ),
        *((HOSTILE, WRONG) if bad else ()),
    )

    def with_extra(base: st.SearchStrategy) -> st.SearchStrategy:
        """Mappings with some keys dropped and, now and then, an unknown key added."""

        def mangle(mapping: dict, drop: list, extra: dict) -> dict:
            result = {key: value for key, value in mapping.items() if key not in drop}
            result.update(extra)
            return result

        return st.builds(
            mangle,
            base,
            st.lists(
                st.sampled_from(
                    ["name", "server_names", "locations", "backends", "path", "listen"]
                ),
                max_size=1 if bad else 0,
            ),
            st.one_of(st.just({}), st.just({}), st.dictionaries(HOSTILE, st.integers(), max_size=1))
            if bad
            else st.just({}),
        )

    BACKEND_MAP = st.fixed_dictionaries(
        {"address": BACKEND},
        optional={
            "weight": hostile(st.integers(0, 1001)),
            "max_fails": hostile(st.integers(-1, 101)),
            "fail_timeout": DURATION,
            "backup": hostile(st.booleans()),
            "down": hostile(st.sampled_from([True, False, False, "no", "yes"])),
        },
    )
    HASH_KEY = hostile(
        st.one_of(
            st.sampled_from(["$remote_addr", "$binary_remote_addr", "$request_uri", "$host"]),
            st.from_regex(r"\$(arg|cookie|http)_[a-z0-9_]{1,12}", fullmatch=True),
            st.sampled_from(["$remote_addr;", "$arg_", "$http_X", "remote_addr", "$uri$host"]),
        )
    )
    LOCATION = with_extra(
        st.fixed_dictionaries(
            {
                "backends": hostile(
                    st.lists(st.one_of(BACKEND, BACKEND_MAP), min_size=1, max_size=3)
                )
            },
            optional={
                "balance": hostile(
                    st.sampled_from(["round_robin", "least_conn", "ip_hash", "hash"])
                ),
                "hash_key": HASH_KEY,
                "consistent": hostile(st.booleans()),
                "next_upstream_tries": hostile(st.integers(0, 101)),
                "connect_timeout": DURATION,
                "path": PATH,
                "allowed_origins": hostile(st.lists(ORIGIN, max_size=3)),
                "read_timeout": DURATION,
                "send_timeout": DURATION,
                "buffer_size": hostile(
                    st.sampled_from(["2k", "4k", "64k", "256k", "1m", "1k", "4K", 4096])
                ),
                "limit_conn": LIMIT,
                "limit_req": LIMIT,
            },
        )
    )
    ENDPOINT = with_extra(
        st.fixed_dictionaries(
            {
                "name": hostile(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)),
                "server_names": hostile(st.lists(SERVER_NAME, min_size=1, max_size=3)),
                "locations": hostile(st.lists(LOCATION, min_size=1, max_size=3)),
            },
            optional={
                "listen": hostile(st.one_of(st.sampled_from([443, 8443, "8443", 80]), PORT)),
                "proxy_protocol": hostile(st.sampled_from([True, False, "true", "no"])),
                "certificate": CERTIFICATE,
            },
        )
    )
    INVENTORY = st.one_of(
        st.fixed_dictionaries(
            {"wss_endpoints": hostile(st.lists(ENDPOINT, min_size=1, max_size=3))},
            optional={
                "proxy_http2": hostile(st.sampled_from([True, False, "false", "yes"])),
                "proxy_ipv6": hostile(st.sampled_from([True, False, "false", "yes"])),
                "proxy_http_redirect": hostile(st.sampled_from([True, False, "false", "on"])),
                "wss_trusted_proxies": hostile(st.lists(TRUSTED, max_size=3)),
            },
        ),
        st.fixed_dictionaries({"wss_backend": BACKEND}),
    )
    return INVENTORY


INVENTORIES = st.one_of(inventories(bad=True), inventories(bad=False))


PATH_OF_ERROR = re.compile(
    r"(wss_endpoints|wss_backend|wss_trusted_proxies|proxy_http2|proxy_ipv6|proxy_http_redirect)"
    r"[\[.:]"
)
ALLOWED_DIRECTIVES = BASE_DIRECTIVES | ASKED_DIRECTIVES


@pytest.fixture(scope="module")
def nginx() -> str:
    return require_tool("nginx")


@pytest.fixture(scope="module")
def pems() -> tuple[bytes, bytes]:
    leaf = trustme.CA().issue_cert("fuzz.example")
    return leaf.private_key_and_cert_chain_pem.bytes(), leaf.private_key_pem.bytes()


def nginx_name(name: str) -> str:
    """A server name as server_name lists it: a wildcard as a regex of one label."""
    if name.startswith("*."):
        return "~^[a-z0-9-]+" + re.escape(name[1:]) + "$"
    return f"[{name}]" if ":" in name else name


def check_default_servers(site: str, endpoints: list, redirect: bool) -> None:
    """Per TLS port one default server, and a catch-all that refuses unknown SNI where the
    default answers handshakes without SNI (the port's one endpoint with an IP address)."""
    ports = sorted({e["listen"] for e in endpoints})
    for port in ports:
        defaults = re.findall(rf"^    listen {port} ssl[ a-z0-9]* default_server;$", site, re.M)
        assert len(defaults) == 1, (port, defaults)
        with_ip = [e["name"] for e in endpoints if e["listen"] == port and e["ip_addresses"]]
        assert len(with_ip) <= 1, with_ip
        assert (f'\n    "" {with_ip[0]};\n' in site) if with_ip else True
    catch_all = site.count("\n    server_name ~^;\n")
    assert catch_all == len({e["listen"] for e in endpoints if e["ip_addresses"]})
    for endpoint in endpoints:
        check = f"if ($wss_gateway_sni_{endpoint['listen']} != {endpoint['name']}) {{"
        assert site.count(check) == 1, check
    assert ("listen 80 default_server;" in site) == redirect


def server_line(site: str, backend: dict) -> str:
    """The upstream ``server`` line of one backend."""
    prefix = f"    server {backend['address']} "
    return next(line for line in site.splitlines() if line.startswith(prefix))


def check_site(site: str, endpoints: list, redirect: bool) -> None:
    """One server_name entry, location and upstream server per input item, nothing unasked."""
    check_default_servers(site, endpoints, redirect)
    tls, plain = (site.split("\n# Plain HTTP", 1) + [""])[:2]
    names = [name for e in endpoints for name in e["server_names"]]
    listed = [
        n
        for line in re.findall(r"^    server_name (.*);$", tls, re.M)
        for n in line.split(" ")
        if n != "~^"
    ]
    assert listed == [nginx_name(n) for n in names]
    paths = [loc["path"] for e in endpoints for loc in e["locations"]]
    implicit = ["/" for e in endpoints if "/" not in [loc["path"] for loc in e["locations"]]]
    assert sorted(re.findall(r"^    location (\S+) \{$", tls, re.M)) == sorted(paths + implicit)
    backends = [b for e in endpoints for loc in e["locations"] for b in loc["backends"]]
    assert re.findall(r"^    server (\S+)(?: weight=[0-9]+)? max_fails=.*;$", tls, re.M) == [
        b["address"] for b in backends
    ]
    for backend in backends:
        assert (" backup" in server_line(tls, backend)) == backend["backup"]
        assert (" down" in server_line(tls, backend)) == backend["down"]
    balances = {loc["balance"] for e in endpoints for loc in e["locations"]}
    asked = {
        "limit_conn": any(loc["limit_conn"] for e in endpoints for loc in e["locations"]),
        "limit_req": any(loc["limit_req"] for e in endpoints for loc in e["locations"]),
        "least_conn": "least_conn" in balances,
        "ip_hash": "ip_hash" in balances,
        "hash": "hash" in balances,
    }
    # Every location checks the handshake (RFC 6455) with two `if`s; an Origin check is asked.
    # PROXY protocol on exactly the listeners of the endpoints that ask for it, and the
    # client address from the trusted networks only.
    proxied = [e for e in endpoints if e["proxy_protocol"]]
    assert len(re.findall(r"^    listen \S+ ssl.* proxy_protocol;$", tls, re.M)) in (
        len(proxied),
        2 * len(proxied),
    )
    trusted = endpoints[0]["trusted_proxies"] if endpoints else []
    assert sorted(re.findall(r"^    set_real_ip_from (\S+);$", tls, re.M)) == sorted(
        trusted * len(endpoints)
    )
    assert len(re.findall(r"^    real_ip_header proxy_protocol;$", tls, re.M)) == (
        len(proxied) if trusted else 0
    )
    origins = any(loc["allowed_origins"] for e in endpoints for loc in e["locations"])
    assert ("_origin = 0)" in site) == origins
    found = set(directives(site))
    assert found <= ALLOWED_DIRECTIVES, found - ALLOWED_DIRECTIVES
    for directive, wanted in asked.items():
        assert (directive in found) == wanted, directive
    assert bool(plain) == redirect
    if redirect:
        assert sorted(
            n
            for line in re.findall(r"^    server_name (.*);$", plain, re.M)
            for n in line.split(" ")
        ) == sorted({nginx_name(n) for n in names})


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(inventory=INVENTORIES)
def test_accepted_input_renders_a_site_that_nginx_accepts(
    inventory: dict, nginx: str, pems: tuple
) -> None:
    run = WORK / f"run{next(_RUNS)}"
    inventory = {**inventory, "wss_tls_dir": str(run / "tls")}
    result = validate(inventory)
    event("refused" if result["errors"] else "accepted")
    if result["errors"]:
        assert result["endpoints"] == []
        for error in result["errors"]:
            assert PATH_OF_ERROR.match(error), error
            assert "\n" not in error and "Traceback" not in error
        return
    endpoints = result["endpoints"]
    try:
        for endpoint in endpoints:
            for path in (endpoint["cert_file"], endpoint["key_file"]):
                # Only the harness's own directories are ever written.
                assert Path(path).resolve().is_relative_to(WORK), path
        site = render(inventory, endpoints)
        install_certificates(endpoints, *pems)
        checked = nginx_test(nginx, run / "nginx", site)
        unresolved = (
            re.fullmatch(
                r'nginx: \[emerg\] host not found in upstream "([^"]+)".*',
                checked.stderr.splitlines()[0],
            )
            if checked.returncode
            else None
        )
        if unresolved:
            # A DNS name that does not resolve on this machine: the validator checks syntax,
            # the role's staged nginx -t finds this one (localhost is the only name here).
            backends = [
                b["address"] for e in endpoints for loc in e["locations"] for b in loc["backends"]
            ]
            event("accepted, a backend name that does not resolve here")
            assert unresolved.group(1) in backends and not unresolved.group(1).startswith(
                ("127.", "[", "localhost:")
            )
            return
        assert checked.returncode == 0, f"{checked.stderr}\n{inventory}\n{site}"
        redirect = str(inventory.get("proxy_http_redirect", True)).lower() not in (
            "false",
            "no",
            "off",
            "0",
        )
        check_site(site, endpoints, redirect)
    finally:
        shutil.rmtree(run, ignore_errors=True)


NETWORKS = st.lists(
    st.one_of(
        st.ip_addresses().map(str),
        st.builds(
            lambda a, n: str(ipaddress.ip_network(f"{a}/{n}", strict=False)),
            st.ip_addresses(v=4),
            st.integers(1, 32),
        ),
        st.builds(
            lambda a, n: str(ipaddress.ip_network(f"{a}/{n}", strict=False)),
            st.ip_addresses(v=6),
            st.integers(1, 128),
        ),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda text: str(ipaddress.ip_network(text)),
)


@settings(max_examples=min(EXAMPLES, 40), derandomize=True, deadline=None, database=None)
@given(
    trusted=NETWORKS,
    ports=st.lists(
        st.tuples(st.sampled_from([443, 8443, 9443]), st.booleans()), min_size=1, max_size=4
    ),
)
def test_trusted_proxies_and_proxy_protocol_render_what_nginx_accepts(
    trusted: list, ports: list, nginx: str, pems: tuple
) -> None:
    """Any trusted networks and any PROXY protocol setting per port: real nginx accepts the
    site, every server trusts exactly those networks, and PROXY listeners are those asked."""
    run = WORK / f"run{next(_RUNS)}"
    per_port = dict(ports)  # one setting per port (the validator refuses two)
    inventory = {
        "wss_tls_dir": str(run / "tls"),
        "wss_trusted_proxies": trusted,
        "wss_endpoints": [
            {
                "name": f"e{index}",
                "server_names": [f"e{index}.example"],
                "listen": port,
                "proxy_protocol": per_port[port],
                "locations": [{"backends": ["127.0.0.1:19808"]}],
            }
            for index, (port, _asked) in enumerate(ports)
        ],
    }
    result = validate(inventory)
    assert result["errors"] == []
    try:
        site = render(inventory, result["endpoints"])
        install_certificates(result["endpoints"], *pems)
        checked = nginx_test(nginx, run / "nginx", site)
        assert checked.returncode == 0, f"{checked.stderr}\n{site}"
        normal = [str(ipaddress.ip_network(text)) for text in trusted]
        assert re.findall(r"^    set_real_ip_from (\S+);$", site, re.M) == normal * len(ports)
        proxied = [port for port, _asked in ports if per_port[port]]
        assert re.findall(r"^    listen (\d+) ssl http2 proxy_protocol;$", site, re.M) == [
            str(port) for port in proxied
        ]
        assert site.count("real_ip_header proxy_protocol;") == len(proxied)
        assert site.count("real_ip_header X-Forwarded-For;") == len(ports) - len(proxied)
    finally:
        shutil.rmtree(run, ignore_errors=True)
