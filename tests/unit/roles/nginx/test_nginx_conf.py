"""The nginx role's real nginx.conf, rendered as Ansible does and checked by real ``nginx -t``:
the stub_status server on loopback (nginx_status_listen)."""

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
    for path in ("defaults/main.yml", "vars/main.yml", "vars/Debian-12.yml"):
        loaded = _LOADER.load_from_file(str(ROLE / path))
        variables.update(
            {k: trust_as_template(v) if isinstance(v, str) else v for k, v in loaded.items()}
        )
    facts = {
        "ansible_managed": "Ansible managed",
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
