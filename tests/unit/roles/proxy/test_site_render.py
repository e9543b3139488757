"""The real site template, rendered as Ansible does and checked by real ``nginx -t``, per feature.

Also the cases that the ``invalid`` molecule scenario used to run in a container: the input is
refused by the validate step with a message naming the variable.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import trustme
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from render_harness import (
    BASE_DIRECTIVES,
    ROLE_VARS,
    directives,
    install_certificates,
    nginx_test,
    render,
    validate,
)

from tests.conftest import require_tool

BACKEND = {"path": "/", "backends": ["127.0.0.1:19808"]}


@pytest.fixture(scope="module")
def nginx() -> str:
    return require_tool("nginx")


@pytest.fixture(scope="module")
def pems() -> tuple[bytes, bytes]:
    authority = trustme.CA()
    leaf = authority.issue_cert("chat.example.com")
    return leaf.private_key_and_cert_chain_pem.bytes(), leaf.private_key_pem.bytes()


def deploy(inventory: dict, tmp_path: Path, nginx: str, pems: tuple, **render_args: object) -> str:
    """Validate, render, install throwaway certificates, ``nginx -t``: the site on success."""
    inventory = {"wss_tls_dir": str(tmp_path / "tls"), **copy.deepcopy(inventory)}
    result = validate(inventory)
    assert result["errors"] == []
    site = render(inventory, result["endpoints"], **render_args)
    install_certificates(result["endpoints"], *pems)
    checked = nginx_test(nginx, tmp_path / "nginx", site)
    assert checked.returncode == 0, checked.stderr + site
    return site


def endpoint(name: str = "chat", **changes: object) -> dict:
    return {
        "name": name,
        "server_names": [f"{name}.example.com"],
        "locations": [BACKEND],
        **changes,
    }


def test_shorthand(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy({"wss_backend": "127.0.0.1:19808"}, tmp_path, nginx, pems)
    assert "server_name gw.example.com;" in site


@pytest.mark.parametrize(("version", "syntax"), [("1.22.1", "ssl http2;"), ("1.26.3", "http2 on;")])
def test_http2_in_the_syntax_of_the_nginx(
    tmp_path: Path, nginx: str, pems: tuple, version: str, syntax: str
) -> None:
    site = render(
        {"wss_tls_dir": "/x"},
        validate({"wss_endpoints": [endpoint()], "wss_tls_dir": "/x"})["endpoints"],
        nginx_version=version,
    )
    assert syntax in site
    # This machine's nginx is the bookworm one: the old syntax is the one it can check.
    deploy({"wss_endpoints": [endpoint()]}, tmp_path, nginx, pems)


@pytest.mark.parametrize("false", [False, "false", "no", "0", "off"])
def test_finding_8_string_booleans_turn_features_off(
    tmp_path: Path, nginx: str, pems: tuple, false: object
) -> None:
    inventory = {
        "wss_endpoints": [endpoint()],
        "proxy_ipv6": false,
        "proxy_http2": false,
        "proxy_http_redirect": false,
    }
    site = deploy(inventory, tmp_path, nginx, pems)
    assert "[::]" not in site
    assert "http2" not in site
    assert "listen 80;" not in site
    assert "return 308" not in site


@pytest.mark.parametrize("true", [True, "true", "yes", "1"])
def test_string_booleans_turn_features_on(
    tmp_path: Path, nginx: str, pems: tuple, true: object
) -> None:
    inventory = {
        "wss_endpoints": [endpoint()],
        "proxy_ipv6": true,
        "proxy_http2": true,
        "proxy_http_redirect": true,
    }
    site = deploy(inventory, tmp_path, nginx, pems)
    assert "listen [::]:443 ssl http2;" in site
    assert "listen 80;" in site


def test_finding_8_non_boolean_is_refused() -> None:
    errors = validate({"wss_endpoints": [endpoint()], "proxy_ipv6": "maybe"})["errors"]
    assert errors == ["proxy_ipv6: 'maybe' is not a boolean (true or false)"]


def test_ipv6_off_where_the_kernel_has_none(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy({"wss_endpoints": [endpoint()]}, tmp_path, nginx, pems, kernel_ipv6=False)
    assert "[::]" not in site


def test_ip_server_names(tmp_path: Path, nginx: str, pems: tuple) -> None:
    names = ["chat.example.com", "192.0.2.7", "2001:DB8::0:1"]
    site = deploy({"wss_endpoints": [endpoint(server_names=names)]}, tmp_path, nginx, pems)
    assert "server_name chat.example.com 192.0.2.7 [2001:db8::1];" in site


def test_origins(tmp_path: Path, nginx: str, pems: tuple) -> None:
    location = {
        **BACKEND,
        "allowed_origins": ["https://Chat.Example.com:443", "http://localhost:8080"],
    }
    site = deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)
    assert '"~*^https://chat\\.example\\.com$" 1;' in site
    assert '"~*^http://localhost:8080$" 1;' in site
    assert "if ($wss_chat_0_origin = 0)" in site


def test_long_origins_pass_nginx(tmp_path: Path, nginx: str, pems: tuple) -> None:
    origins = [
        "https://[10:1000:1000:1000:1000:1000:1000:1000]",
        "https://" + ".".join(["b" * 63] * 3) + ".example:8443",
    ]
    location = {**BACKEND, "allowed_origins": origins}
    deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)


def test_limits(tmp_path: Path, nginx: str, pems: tuple) -> None:
    location = {**BACKEND, "limit_conn": 65535, "limit_req": "100000"}
    site = deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)
    assert "limit_conn wss_chat_0_conn 65535;" in site
    assert "rate=100000r/s" in site
    assert "burst=100000 nodelay;" in site


def test_timeouts(tmp_path: Path, nginx: str, pems: tuple) -> None:
    location = {**BACKEND, "read_timeout": "1d12h", "send_timeout": "1m30s"}
    site = deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)
    assert "proxy_read_timeout 1d12h;" in site
    assert "proxy_send_timeout 1m30s;" in site


def test_buffer_size(tmp_path: Path, nginx: str, pems: tuple) -> None:
    locations = [BACKEND, {**BACKEND, "path": "/bulk", "buffer_size": "64k"}]
    site = deploy({"wss_endpoints": [endpoint(locations=locations)]}, tmp_path, nginx, pems)
    lean, bulk = site.split("location /bulk {", 1)
    assert "proxy_buffer_size 2k;" in lean
    assert "proxy_buffers 4 2k;" in lean
    assert "proxy_busy_buffers_size 2k;" in lean
    assert "proxy_buffer_size 64k;" in bulk
    assert "proxy_buffers 4 64k;" in bulk
    assert "proxy_busy_buffers_size 64k;" in bulk


def test_several_endpoints_per_port_and_locations(tmp_path: Path, nginx: str, pems: tuple) -> None:
    endpoints = [
        endpoint(
            "chat",
            locations=[
                {"path": "/ws", "backends": ["127.0.0.1:1", "[::1]:2", "unix:/run/ws.sock"]},
                {"path": "/admin", "backends": ["localhost:3"]},
            ],
        ),
        endpoint("chat-b"),
        endpoint("alt", listen=8443),
        endpoint("alt2", listen="8443", server_names=["*.example.org"]),
    ]
    site = deploy({"wss_endpoints": endpoints}, tmp_path, nginx, pems)
    # Four TLS servers and a default server per TLS port; port 80 once for the names of 443,
    # once for those of 8443, and its default server.
    assert site.count("\nserver {") == 9
    assert site.count("\nupstream ") == 5
    assert "server_name alt.example.com ~^[a-z0-9-]+\\.example\\.org$;" in site
    assert "return 308 https://$host:8443$request_uri;" in site
    assert "return 308 https://$host$request_uri;" in site


def servers(site: str) -> list[str]:
    return ["server {" + block.split("\n}\n", 1)[0] for block in site.split("\nserver {")[1:]]


def test_default_servers_refuse_unknown_names(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy({"wss_endpoints": [endpoint()]}, tmp_path, nginx, pems)
    chat, default, http, http_default = servers(site)
    # TLS: no SNI or an unknown one is refused; an unknown Host (or none) gets 421.
    assert "listen 443 ssl http2 default_server;" in default
    assert "listen [::]:443 ssl http2 default_server;" in default
    assert "ssl_reject_handshake on;" in default
    assert "ssl_certificate" not in default
    assert "return 421;" in default
    assert " default_server;" not in chat
    assert "~^;" not in site
    # A Host that another endpoint's SNI got a certificate for: 421 before any location.
    assert chat.index("if ($wss_gateway_sni_443 != chat) {\n        return 421;") < chat.index(
        "location"
    )
    assert chat.index('if ($http_host = "") {\n        return 421;') < chat.index("location")
    assert '"~*^chat\\.example\\.com\\.?$" chat;' in site
    assert '"" chat;' not in site
    # Port 80: only the configured names are redirected; any other Host is closed (444).
    assert "server_name chat.example.com;" in http
    assert "listen 80 default_server;" in http_default
    assert "return 444;" in http_default
    assert "location" not in http_default


def test_an_ip_endpoint_answers_handshakes_without_sni(
    tmp_path: Path, nginx: str, pems: tuple
) -> None:
    endpoints = [
        endpoint("chat"),
        endpoint("ip", server_names=["ip.example.com", "192.0.2.7"]),
        endpoint("wild", server_names=["*.example.net"]),
    ]
    site = deploy({"wss_endpoints": endpoints}, tmp_path, nginx, pems)
    chat, ip, wild, default, catch_all = servers(site)[:5]
    assert "ssl_reject_handshake" not in default
    assert f"ssl_certificate {tmp_path}/tls/ip/fullchain.pem;" in default
    assert "return 421;" in default
    # Every SNI that no endpoint's name matches meets this regular expression, which nginx
    # tries after those of the endpoints (in the order of the file).
    assert "server_name ~^;" in catch_all
    assert "ssl_reject_handshake on;" in catch_all
    assert " default_server;" not in catch_all
    sni_map = site.split("map $ssl_server_name $wss_gateway_sni_443 {", 1)[1].split("}", 1)[0]
    assert sni_map.splitlines() == [
        "",
        '    default "";',
        '    "" ip;',
        '    "~*^chat\\.example\\.com\\.?$" chat;',
        '    "~*^ip\\.example\\.com\\.?$" ip;',
        '    "~*^192\\.0\\.2\\.7\\.?$" ip;',
        # Wildcards after every exact name, as nginx picks servers.
        '    "~*^[a-z0-9-]+\\.example\\.net\\.?$" wild;',
    ]
    assert "server_name ~^[a-z0-9-]+\\.example\\.net$;" in wild


def test_long_names_on_another_port_pass_nginx(tmp_path: Path, nginx: str, pems: tuple) -> None:
    name = ".".join(["a" * 63] * 3) + ".example"
    deploy({"wss_endpoints": [endpoint(listen=8443, server_names=[name])]}, tmp_path, nginx, pems)


def test_hsts_from_a_string(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy(
        {"wss_endpoints": [endpoint()], "proxy_hsts_max_age": "300"}, tmp_path, nginx, pems
    )
    assert 'max-age=300"' in site


def test_nothing_unasked(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy(
        {"wss_endpoints": [endpoint()], "proxy_http_redirect": False}, tmp_path, nginx, pems
    )
    assert "limit_conn " not in site
    assert "limit_req " not in site
    assert "_origin = 0" not in site
    assert set(directives(site)) == BASE_DIRECTIVES


# The cases of the former `invalid` molecule scenario: refused by the validate step, with a
# message naming the variable (the proxy role, or the certificate role where its settings are).
INVALID = [
    ({"wss_backend": "127.0.0.1"}, ["wss_backend: '127.0.0.1' is not 'host:port'"]),
    (
        {"wss_endpoints": [endpoint(locations=[{"path": "/", "backends": ["127.0.0.1:99999"]}])]},
        ["wss_endpoints[0].locations[0].backends[0]", "outside 1-65535"],
    ),
    (
        {"wss_endpoints": [endpoint(), endpoint(server_names=["b.example.com"])]},
        ["wss_endpoints[1].name: 'chat' is already used by wss_endpoints[0]"],
    ),
    (
        {
            "wss_endpoints": [
                endpoint("one", listen=8443, server_names=["chat.example.com"]),
                endpoint("two", listen=8443, server_names=["chat.example.com"]),
            ]
        },
        [
            "wss_endpoints[1]: port 8443 with server name 'chat.example.com' clashes with endpoint 'one'"
        ],
    ),
    ({"wss_endpoints": [endpoint(listen=80)]}, ["wss_endpoints[0].listen: port 80"]),
    (
        {
            "wss_endpoints": [
                endpoint(
                    server_names=["chat.example.com", "192.0.2.7"], certificate={"source": "acme"}
                )
            ]
        },
        [
            "wss_endpoints[0].server_names[1]: '192.0.2.7' is an IP address; certificate source 'acme' can only"
        ],
    ),
    (
        {
            "wss_endpoints": [endpoint(certificate={"source": "acme"})],
            "proxy_http_redirect": "false",
        },
        ["proxy_http_redirect: endpoint 'chat' uses certificate source 'acme'"],
    ),
    ({}, ["wss_endpoints: no endpoints"]),
    (
        {
            "wss_endpoints": [
                {
                    "name": "Bad Name",
                    "server_names": ["not a name"],
                    "locations": [{**BACKEND, "allowed_origins": ["https://x.example.com/path"]}],
                }
            ]
        },
        [
            "wss_endpoints[0].name",
            "wss_endpoints[0].server_names[0]",
            "wss_endpoints[0].locations[0].allowed_origins[0]",
        ],
    ),
    (
        {"wss_endpoints": [{"name": "chat", "locations": [{"backends": ["127.0.0.1:19808"]}]}]},
        ["wss_endpoints[0].server_names: must be a non-empty list"],
    ),
    (
        {
            "wss_endpoints": [
                endpoint("one", server_names=["one.example.com", "192.0.2.1"]),
                endpoint("two", server_names=["192.0.2.2"]),
            ]
        },
        [
            "wss_endpoints[1]: port 443 has IP addresses among the server names of both 'one'"
            " and 'two'; a client that dials an address sends no SNI"
        ],
    ),
    (
        {"wss_endpoints": [endpoint(server_names=["*.example.com"], check_name="a.b.example.com")]},
        ["wss_endpoints[0].check_name: 'a.b.example.com' is not a name this endpoint serves"],
    ),
]


@pytest.mark.parametrize(("inventory", "expect"), INVALID)
def test_invalid_input_is_refused_naming_the_variable(inventory: dict, expect: list[str]) -> None:
    message = "; ".join(validate(inventory)["errors"])
    assert [text for text in expect if text not in message] == [], message


def _validated(inventory: dict, validation: dict | None) -> tuple[str, bool]:
    variables = {**ROLE_VARS, "inventory_hostname": "gw.example.com", **inventory}
    if validation is not None:
        variables["__proxy_validation"] = validation
    templar = Templar(loader=DataLoader(), variables=variables)
    key = templar.template(ROLE_VARS["__proxy_validation_key"])
    return key, templar.template(ROLE_VARS["__proxy_validated"])


def test_main_reuses_a_validation_only_for_the_same_input() -> None:
    inventory = {"wss_endpoints": [endpoint()]}
    key, validated = _validated(inventory, None)
    assert validated is False
    assert _validated(inventory, {"errors": [], "input": key})[1] is True
    assert _validated(inventory, {"errors": ["x"], "input": key})[1] is False
    changed = {"wss_endpoints": [endpoint(listen=8443)]}
    assert _validated(changed, {"errors": [], "input": key})[1] is False
    assert _validated({**inventory, "proxy_ipv6": False}, {"errors": [], "input": key})[1] is False


def test_trusted_proxies_take_the_client_from_x_forwarded_for(
    tmp_path: Path, nginx: str, pems: tuple
) -> None:
    inventory = {
        "wss_endpoints": [endpoint()],
        "wss_trusted_proxies": ["10.0.0.0/8", "192.0.2.7", "2001:DB8::/32"],
    }
    site = deploy(inventory, tmp_path, nginx, pems)
    wanted = [
        "set_real_ip_from 10.0.0.0/8;",
        "set_real_ip_from 192.0.2.7/32;",
        "set_real_ip_from 2001:db8::/32;",
        "real_ip_header X-Forwarded-For;",
        "real_ip_recursive on;",
        # The backend gets the one address the gateway determined, never the client's chain.
        "proxy_set_header X-Forwarded-For $remote_addr;",
    ]
    assert [line for line in wanted if line not in site] == []
    unwanted = ["proxy_protocol", "$proxy_add_x_forwarded_for", "$http_x_forwarded_for"]
    assert [text for text in unwanted if text in site] == []


def test_proxy_protocol_endpoint_takes_the_client_from_the_proxy_header(
    tmp_path: Path, nginx: str, pems: tuple
) -> None:
    inventory = {
        "wss_endpoints": [
            endpoint(),
            endpoint("lb", listen=8443, proxy_protocol=True),
            endpoint("lb2", listen="8443", proxy_protocol="true"),
        ],
        "wss_trusted_proxies": ["10.1.2.3"],
    }
    site = deploy(inventory, tmp_path, nginx, pems)
    servers = site.split("\nserver {")[1:]
    plain, *proxied = (server for server in servers if "ssl_certificate " in server)
    assert "listen 443 ssl http2;" in plain
    assert "real_ip_header X-Forwarded-For;" in plain
    wanted = [
        "listen 8443 ssl http2 proxy_protocol;",
        "listen [::]:8443 ssl http2 proxy_protocol;",
        "set_real_ip_from 10.1.2.3/32;",
        "real_ip_header proxy_protocol;",
    ]
    for server in proxied:
        assert [line for line in wanted if line not in server] == []
        assert "real_ip_recursive" not in server
    # The port's default server says so too (nginx takes it per address and port), 443's not.
    assert "listen 8443 ssl http2 default_server proxy_protocol;" in site
    assert "listen 443 ssl http2 default_server;" in site
    # Port 80 takes no PROXY header.
    assert "listen 80;" in site
    result = validate({**inventory, "wss_tls_dir": "/x"})
    checks = [e["check"] for e in result["endpoints"]]
    assert [check.get("proxy_protocol", False) for check in checks] == [False, True, True]


def test_without_trusted_proxies_no_real_ip(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy({"wss_endpoints": [endpoint()], "wss_trusted_proxies": []}, tmp_path, nginx, pems)
    assert "real_ip" not in site


INVALID_PROXIES = [
    (
        {"wss_endpoints": [endpoint(proxy_protocol=True)]},
        ["wss_endpoints[0].proxy_protocol: true needs wss_trusted_proxies"],
    ),
    (
        {
            "wss_endpoints": [endpoint(proxy_protocol=True), endpoint("b")],
            "wss_trusted_proxies": ["10.0.0.0/8"],
        },
        [
            "wss_endpoints[1].proxy_protocol: false on port 443, where endpoint 'chat' has true;"
            " nginx accepts PROXY headers per port, so every endpoint on a port must agree"
        ],
    ),
    (
        {"wss_endpoints": [endpoint(proxy_protocol="maybe")], "wss_trusted_proxies": ["::1"]},
        ["wss_endpoints[0].proxy_protocol: 'maybe' is not a boolean (true or false)"],
    ),
    (
        {"wss_endpoints": [endpoint()], "wss_trusted_proxies": "10.0.0.0/8"},
        [
            "wss_trusted_proxies: must be a list of addresses or CIDRs such as ['10.0.0.0/8'], got a string"
        ],
    ),
    (
        {"wss_endpoints": [endpoint()], "wss_trusted_proxies": ["10.0.0.1/8", "0.0.0.0/0"]},
        [
            "wss_trusted_proxies[0]: '10.0.0.1/8' has bits set after the prefix; the network is"
            " '10.0.0.0/8'",
            "wss_trusted_proxies[1]: '0.0.0.0/0' trusts every address",
        ],
    ),
    (
        {"wss_endpoints": [endpoint()], "wss_trusted_proxies": ["10.0.0.0/8; allow all"]},
        ["wss_trusted_proxies[0]: '10.0.0.0/8; allow all' is not an IPv4 or IPv6 address or CIDR"],
    ),
]


@pytest.mark.parametrize(("inventory", "expect"), INVALID_PROXIES)
def test_invalid_proxy_settings_are_refused_naming_the_variable(
    inventory: dict, expect: list[str]
) -> None:
    message = "; ".join(validate(inventory)["errors"])
    assert [text for text in expect if text not in message] == [], message


@pytest.mark.parametrize(
    ("balancing", "line"),
    [
        ({"balance": "round_robin"}, None),
        ({"balance": "least_conn"}, "    least_conn;"),
        ({"balance": "ip_hash"}, "    ip_hash;"),
        ({"balance": "hash"}, "    hash $remote_addr consistent;"),
        (
            {"balance": "hash", "hash_key": "$cookie_io", "consistent": False},
            "    hash $cookie_io;",
        ),
        ({"balance": "hash", "hash_key": "$arg_sid"}, "    hash $arg_sid consistent;"),
        ({"balance": "hash", "hash_key": "$http_x_id"}, "    hash $http_x_id consistent;"),
    ],
)
def test_balancing_methods_pass_nginx(
    tmp_path: Path, nginx: str, pems: tuple, balancing: dict, line: str | None
) -> None:
    location = {
        "path": "/",
        "backends": ["127.0.0.1:1", {"address": "127.0.0.1:2", "weight": 3, "down": True}],
        **balancing,
    }
    site = deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)
    upstream = site.split("upstream wss_chat_0 {\n", 1)[1].split("}", 1)[0]
    assert upstream.splitlines() == [
        "    # Shared by the workers: one count of open connections (least_conn) and one view of",
        "    # failed backends, whichever worker a client reaches.",
        "    zone wss_chat_0 64k;",
        *([line] if line else []),
        "    server 127.0.0.1:1 max_fails=1 fail_timeout=10s;",
        "    server 127.0.0.1:2 weight=3 max_fails=1 fail_timeout=10s down;",
    ]


def test_backend_options_and_retries_pass_nginx(tmp_path: Path, nginx: str, pems: tuple) -> None:
    location = {
        "path": "/",
        "balance": "least_conn",
        "backends": [
            {"address": "127.0.0.1:1", "max_fails": 0, "fail_timeout": "1h"},
            {"address": "[::1]:2", "max_fails": "5", "fail_timeout": "1s", "backup": "yes"},
            {"address": "unix:/run/ws.sock", "weight": 1000},
        ],
        "next_upstream_tries": 1,
        "connect_timeout": "75s",
    }
    site = deploy({"wss_endpoints": [endpoint(locations=[location])]}, tmp_path, nginx, pems)
    assert "    server 127.0.0.1:1 max_fails=0 fail_timeout=1h;" in site
    assert "    server [::1]:2 max_fails=5 fail_timeout=1s backup;" in site
    assert "    server unix:/run/ws.sock weight=1000 max_fails=1 fail_timeout=10s;" in site
    assert "        proxy_next_upstream error timeout;" in site
    assert "        proxy_next_upstream_tries 1;" in site
    assert "        proxy_connect_timeout 75s;" in site


def test_defaults_retry_a_dead_backend_on_the_next(tmp_path: Path, nginx: str, pems: tuple) -> None:
    site = deploy({"wss_endpoints": [endpoint()]}, tmp_path, nginx, pems)
    assert "    server 127.0.0.1:19808 max_fails=1 fail_timeout=10s;" in site
    assert "        proxy_next_upstream_tries 3;" in site
    assert "        proxy_connect_timeout 5s;" in site


def test_json_access_logs_per_endpoint_and_syslog(tmp_path: Path, nginx: str, pems: tuple) -> None:
    inventory = {
        "wss_endpoints": [endpoint(), endpoint("chat-b")],
        "proxy_access_log_syslog": "[::1]:514",
    }
    site = deploy(inventory, tmp_path, nginx, pems)
    assert "log_format wss_gateway_json escape=json" in site
    assert "/wss-gateway-chat.access.log wss_gateway_json;" in site
    assert "/wss-gateway-chat-b.access.log wss_gateway_json;" in site
    assert site.count("access_log syslog:server=[::1]:514,tag=wss_gateway wss_gateway_json;") == 2
    for field in ("$request_time", "$upstream_addr", "$upstream_connect_time", "$upstream_status",
                  "$ssl_protocol", "$ssl_cipher", "$http_origin", "$bytes_sent",
                  "$upstream_bytes_sent", "$wss_gateway_refusal", "$remote_addr"):  # fmt: skip
        assert field in site, field


def test_the_json_log_line_is_json(tmp_path: Path) -> None:
    """The log_format with every variable replaced by a value nginx would escape as JSON."""
    site = render({"wss_tls_dir": "/x"}, validate({"wss_endpoints": [endpoint()]})["endpoints"])
    body = site.split("log_format wss_gateway_json escape=json\n", 1)[1].split(";\n", 1)[0]
    text = "".join(re.findall(r"'([^']*)'", body))
    numbers = ("$status", "$request_time", "$bytes_sent", "$request_length")
    line = re.sub(r"\$[a-z_0-9]+", lambda m: "1.5" if m.group(0) in numbers else 'x\\"y', text)
    assert set(json.loads(line)) >= {"time", "client", "status", "refused", "origin"}


@pytest.mark.parametrize("bad", ["syslog.example.com", "127.0.0.1:514,facility=local7", 514])
def test_bad_syslog_server_is_refused(bad: object) -> None:
    errors = validate({"wss_endpoints": [endpoint()], "proxy_access_log_syslog": bad})["errors"]
    assert len(errors) == 1 and errors[0].startswith("proxy_access_log_syslog: "), errors
