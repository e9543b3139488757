"""Render the proxy role's real site template as Ansible does, and check it with real nginx.

``render`` runs the validator exactly as ``roles/proxy/tasks/validate.yml`` does (the filter
``wss.gateway.endpoint_validation`` with the role's ``__proxy_settings``), then renders
``roles/proxy/templates/wss-gateway.conf.j2`` with ansible-core's Templar over the role's
``defaults/main.yml`` and ``vars/main.yml`` and the facts of ``tasks/facts.yml``.
``nginx_test`` wraps the site in a minimal nginx.conf (the http{} settings of the nginx role
that matter to a site) in a temporary prefix and runs ``nginx -t`` on it.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.wss.gateway.plugins.filter import (
    endpoint_errors,
    endpoint_validation,
    endpoints,
)
from tests.ansible_compat import trust_as_template

ROOT = Path(__file__).resolve().parents[4]
ROLE = ROOT / "roles" / "proxy"
NGINX_ROLE = ROOT / "roles" / "nginx"
_LOADER = DataLoader()
# Each filter is a plugin file of its own (its documentation lives there).
_FILTERS = {
    **endpoints.FilterModule().filters(),
    **endpoint_errors.FilterModule().filters(),
    **endpoint_validation.FilterModule().filters(),
}


def _trusted(value: object) -> object:
    """Role files are trusted templates in Ansible; loaded here they need the same trust."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    if isinstance(value, dict):
        return {key: _trusted(item) for key, item in value.items()}
    return value


def _role_vars() -> dict:
    variables = {}
    for path in (ROLE / "defaults" / "main.yml", ROLE / "vars" / "main.yml"):
        variables.update(_trusted(_LOADER.load_from_file(str(path))))
    return variables


ROLE_VARS = _role_vars()
TEMPLATE = trust_as_template((ROLE / "templates" / "wss-gateway.conf.j2").read_text())
# The site's access logs go here instead of /var/log/nginx (nginx -t opens them).
LOG_DIR = tempfile.mkdtemp(prefix="wss-render-logs-")
NGINX_DEFAULTS = _LOADER.load_from_file(str(NGINX_ROLE / "defaults" / "main.yml"))


def validate(inventory: dict, hostname: str = "gw.example.com") -> dict:
    """The proxy role's validate step: ``{'errors': [...], 'endpoints': [...]}``."""
    templar = Templar(loader=_LOADER, variables={**ROLE_VARS, **inventory})
    settings = templar.template(ROLE_VARS["__proxy_settings"])
    tls_dir = templar.template(ROLE_VARS["__proxy_tls_dir"])
    return _FILTERS["endpoint_validation"](
        inventory.get("wss_endpoints", []),
        backend=inventory.get("wss_backend"),
        hostname=hostname,
        tls_dir=tls_dir,
        settings=settings,
    )


def render(
    inventory: dict, endpoints: list, nginx_version: str = "1.22.1", kernel_ipv6: bool = True
) -> str:
    """The site for already validated ``endpoints``, as the template task writes it."""
    variables = {
        **ROLE_VARS,
        "__proxy_log_dir": LOG_DIR,
        **inventory,
        "proxy_normalized_endpoints": endpoints,
    }
    templar = Templar(loader=_LOADER, variables=variables)
    http2_version = templar.template(ROLE_VARS["__proxy_http2_directive_version"])
    facts = {
        # roles/proxy/vars/main.yml derives them; here from the nginx and the kernel as given.
        "__proxy_http2_on": templar.template(
            trust_as_template(f"{{{{ '{nginx_version}' is version('{http2_version}', '>=') }}}}")
        ),
        "__proxy_listen_ipv6": templar.template(
            trust_as_template(f"{{{{ proxy_ipv6 | bool and {kernel_ipv6} }}}}")
        ),
        "ansible_managed": "Ansible managed",
    }
    templar = Templar(loader=_LOADER, variables={**variables, **facts})
    return templar.template(TEMPLATE)


def install_certificates(endpoints: list, cert_pem: bytes, key_pem: bytes) -> None:
    """Put the throwaway certificate and key where each endpoint's site expects them (one
    file with both where cert_path and key_path name the same file, as a combined PEM)."""
    files: dict[str, bytes] = {}
    for endpoint in endpoints:
        for path, data in ((endpoint["cert_file"], cert_pem), (endpoint["key_file"], key_pem)):
            if data not in files.get(path, b""):
                files[path] = files.get(path, b"") + data
    for path, data in files.items():
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def nginx_test(nginx: str, prefix: Path, site: str) -> subprocess.CompletedProcess:
    """``nginx -t`` of ``site`` included at http{} level of a minimal nginx.conf."""
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "logs").mkdir(exist_ok=True)
    (prefix / "site.conf").write_text(site)
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (prefix / "nginx.conf").write_text(
        f"""pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    server_names_hash_bucket_size {NGINX_DEFAULTS["nginx_server_names_hash_bucket_size"]};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    access_log off;
    include {prefix}/site.conf;
}}
"""
    )
    return subprocess.run(
        [
            nginx,
            "-t",
            "-q",
            "-p",
            f"{prefix}/",
            "-e",
            f"{prefix}/logs/error.log",
            "-c",
            f"{prefix}/nginx.conf",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


# The directives of every site (a minimal endpoint, no redirect), and those that inputs add.
BASE_DIRECTIVES = frozenset(
    {
        "map", "default", "websocket", "upstream", "server", "listen", "server_name",
        "ssl_certificate", "ssl_certificate_key", "limit_conn_status", "limit_req_status",
        "location", "if", "return", "proxy_pass", "proxy_http_version", "proxy_set_header",
        "proxy_read_timeout", "proxy_send_timeout", "proxy_buffering", "add_header",
        "proxy_buffer_size", "proxy_buffers", "proxy_busy_buffers_size",
        "ssl_reject_handshake",
        "proxy_next_upstream", "proxy_next_upstream_tries", "proxy_connect_timeout",
        "log_format", "access_log", "zone",
    }
)  # fmt: skip
ASKED_DIRECTIVES = frozenset(
    {"http2", "limit_conn", "limit_req", "limit_conn_zone", "limit_req_zone", "root",
     "default_type", "try_files", "set_real_ip_from", "real_ip_header", "real_ip_recursive",
     "least_conn", "ip_hash", "hash"}
)  # fmt: skip

DIRECTIVE_RE = re.compile(r"^\s*([a-z_0-9]+)\b", re.MULTILINE)


def directives(site: str) -> list[str]:
    """The directive (or block) names of a site, comments and blank lines left out."""
    lines = [line.split("#", 1)[0] for line in site.splitlines()]
    return DIRECTIVE_RE.findall("\n".join(lines))
