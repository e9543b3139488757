"""The nginx role's real nginx.conf, rendered as Ansible does and checked by real ``nginx -t``:
the stub_status server on loopback (nginx_status_listen), the cipher order and the TLS 1.3
tickets (nginx_tls_prefer_aes128, nginx_tls13_tickets), the per-connection buffers and the
request pool's block size (nginx_request_pool_size)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from tests.ansible_compat import trust_as_template
from tests.conftest import require_tool

ROLE = Path(__file__).resolve().parents[4] / "roles" / "nginx"
_LOADER = DataLoader()


def render(tmp_path: Path, **inventory: object) -> str:
    variables: dict = {}
    for path in ("defaults/main.yml", "vars/main.yml"):
        loaded = _LOADER.load_from_file(str(ROLE / path))
        variables.update(
            {k: trust_as_template(v) if isinstance(v, str) else v for k, v in loaded.items()}
        )
    facts = {
        "ansible_managed": "Ansible managed",
        "__nginx_version": "1.22.1",
        "__nginx_openssl_version": "3.0.17",
        "__nginx_ecdh_curve": variables["__nginx_groups"],
        "__nginx_dhparam": str(ROLE / "files" / "ffdhe2048.pem"),
        # The site is the proxy role's; nothing of it here.
        "__nginx_site_include": f"include {tmp_path}/site/*.conf;",
    }
    templar = Templar(loader=_LOADER, variables={**variables, **facts, **inventory})
    text = templar.template(trust_as_template((ROLE / "templates" / "nginx.conf.j2").read_text()))
    # Where this test may write: its own pid, error log and access log.
    return (
        text.replace("/run/nginx.pid", f"{tmp_path}/nginx.pid")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("include /etc/nginx/conf.d/*.conf;", "")
        .replace("include /etc/nginx/sites-enabled/*;", "")
    )


def nginx_t(tmp_path: Path, conf: str) -> subprocess.CompletedProcess:
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    return subprocess.run(
        [
            require_tool("nginx"),
            "-t",
            "-q",
            "-p",
            f"{tmp_path}/",
            "-e",
            f"{tmp_path}/error.log",
            "-c",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("listen", "expect"),
    [
        ("127.0.0.1:8089", "listen 127.0.0.1:8089;"),
        ("[::1]:9000", "listen [::1]:9000;"),
        ("", None),
    ],
)
def test_status_server_on_loopback(tmp_path: Path, listen: str, expect: str | None) -> None:
    conf = render(tmp_path, nginx_status_listen=listen)
    checked = nginx_t(tmp_path, conf)
    assert checked.returncode == 0, checked.stderr + conf
    if expect:
        server = conf.split(expect, 1)[1].split("\n    }\n", 1)[0]
        assert re.findall(r"location (.*) \{", server) == ["= /stub_status", "/"]
        assert "stub_status;" in server and "access_log off;" in server
    else:
        assert "stub_status" not in conf


@pytest.mark.parametrize(
    ("inventory", "expect", "absent"),
    [
        (
            {},
            [
                "ssl_prefer_server_ciphers on;",
                "ssl_conf_command Ciphersuites"
                " TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;",
                "ssl_conf_command Options PrioritizeChaCha;",
                "ssl_conf_command NumTickets 1;",
            ],
            ["ssl_prefer_server_ciphers off;"],
        ),
        (
            {"nginx_tls_prefer_aes128": False, "nginx_tls13_tickets": 2},
            ["ssl_prefer_server_ciphers off;", "ssl_conf_command NumTickets 2;"],
            ["Ciphersuites", "PrioritizeChaCha", "ssl_prefer_server_ciphers on;"],
        ),
        (
            {"nginx_tls13_tickets": 0, "wss_tls_profile": "modern"},
            ["ssl_protocols TLSv1.3;", "ssl_conf_command NumTickets 0;", "PrioritizeChaCha;"],
            [],
        ),
        # Before nginx 1.19.4 there is no ssl_conf_command: the server's order only.
        (
            {"__nginx_version": "1.18.0"},
            ["ssl_prefer_server_ciphers on;"],
            ["ssl_conf_command"],
        ),
    ],
)
def test_cipher_order_and_tickets(
    tmp_path: Path, inventory: dict, expect: list[str], absent: list[str]
) -> None:
    conf = render(tmp_path, **inventory)
    lines = [line.strip() for line in conf.splitlines()]
    for line in expect:
        assert [found for found in lines if line in found], line + conf
    for text in absent:
        assert text not in conf, text
    if inventory.get("__nginx_version", "1.22.1") == "1.22.1":
        checked = nginx_t(tmp_path, conf)
        assert checked.returncode == 0, checked.stderr + conf


@pytest.mark.parametrize(
    ("inventory", "expect"),
    [
        (
            {},
            [
                "client_header_buffer_size 1k;",
                "ssl_buffer_size 1k;",
                "request_pool_size 1k;",
            ],
        ),
        ({"nginx_request_pool_size": "4k"}, ["request_pool_size 4k;"]),
        ({"nginx_request_pool_size": 2048}, ["request_pool_size 2048;"]),
    ],
)
def test_per_connection_buffers(tmp_path: Path, inventory: dict, expect: list[str]) -> None:
    conf = render(tmp_path, **inventory)
    http = conf.split("\nhttp {\n", 1)[1]
    lines = [line.strip() for line in http.splitlines()]
    for line in expect:
        assert line in lines, line + conf
    checked = nginx_t(tmp_path, conf)
    assert checked.returncode == 0, checked.stderr + conf


@pytest.mark.parametrize(
    ("size", "message"), [("1000", "must be a multiple of"), ("64", "must be no less than")]
)
def test_request_pool_size_refused_by_nginx(tmp_path: Path, size: str, message: str) -> None:
    """A block size nginx cannot use never goes live: the role's ``nginx -t`` refuses it."""
    checked = nginx_t(tmp_path, render(tmp_path, nginx_request_pool_size=size))
    assert checked.returncode != 0
    assert message in checked.stderr, checked.stderr
