"""The real site template, rendered as Ansible does and checked by real ``nginx -t``, per feature.

Also the cases that the ``invalid`` molecule scenario used to run in a container: the input is
refused by the validate step with a message naming the variable.
"""

from __future__ import annotations

import copy
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
    assert '"~^https://chat\\.example\\.com$" 1;' in site
    assert '"~^http://localhost:8080$" 1;' in site
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
    # Four TLS servers, and port 80 once for the names of 443 and once for those of 8443.
    assert site.count("\nserver {") == 6
    assert site.count("upstream ") == 5
    assert "server_name alt.example.com *.example.org;" in site
    assert "return 308 https://$host:8443$request_uri;" in site
    assert "return 308 https://$host$request_uri;" in site


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
    assert "_origin" not in site
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
