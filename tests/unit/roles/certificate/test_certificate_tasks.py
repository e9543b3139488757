"""The certificate role's decisions, run through the real task files (Templar, the role's
filters) and directly in Python (module_utils/_certificate_checks.py)."""

from __future__ import annotations

import base64
import datetime

import pytest
from ansible.template import Templar
from task_harness import LOADER, ROOT, find_task, task_var

from ansible_collections.wss.gateway.plugins.module_utils._certificate_checks import (
    acme_order_reason,
    guard,
    host_file_errors,
    shown_time,
)
from tests.ansible_compat import trust_as_template

ENDPOINT = {
    "name": "chat",
    "server_names": ["chat.example.com", "192.0.2.7"],
    "dns_names": ["chat.example.com"],
    "ip_addresses": ["192.0.2.7"],
    "cert_file": "/etc/ssl/chat.pem",
    "key_file": "/etc/ssl/private/chat.key",
    "certificate": {"source": "acme", "key_type": "ecdsa"},
}
MISSING = {"stat": {"exists": False}}


def test_finding_9_provided_files_missing_on_the_host_give_the_message() -> None:
    errors = task_var(
        "roles/certificate/tasks/provided.yml",
        "Check that the provided files exist and the key is private",
        "__certificate_file_errors",
        {
            "__certificate_endpoint": ENDPOINT,
            "__certificate_host_files": {"results": [MISSING, MISSING]},
            "inventory_hostname": "gw1",
        },
    )
    assert errors == [
        "endpoint 'chat': cert_path /etc/ssl/chat.pem does not exist on gw1.",
        "endpoint 'chat': key_path /etc/ssl/private/chat.key does not exist on gw1.",
    ]


def test_world_readable_key_is_refused() -> None:
    present = {"stat": {"exists": True, "roth": False, "mode": "0644"}}
    readable = {"stat": {"exists": True, "roth": True, "mode": "0644"}}
    assert host_file_errors(ENDPOINT, [present, present], "gw1") == []
    assert host_file_errors(ENDPOINT, [present, readable], "gw1") == [
        "endpoint 'chat': key_path /etc/ssl/private/chat.key is readable by every user (mode 0644); make it 0600 or 0640."
    ]


def test_provided_files_missing_on_the_controller(tmp_path) -> None:
    cert = tmp_path / "chat.pem"
    cert.write_text("x")
    endpoint = {
        **ENDPOINT,
        "certificate": {
            "source": "provided",
            "cert_src": str(cert),
            "key_src": str(tmp_path / "no.key"),
        },
    }
    errors = task_var(
        "roles/certificate/tasks/provided.yml",
        "Check that the provided files exist on the controller",
        "__certificate_file_errors",
        {"__certificate_endpoint": endpoint},
    )
    assert errors == [f"endpoint 'chat': {tmp_path}/no.key does not exist on the controller."]


LEAF = {
    "not_after": "20311124211509Z",
    "subject_alt_name": ["DNS:chat.example.com", "IP Address:192.0.2.7"],
    "public_key_fingerprints": {"sha256": "aa"},
    "expired": False,
}
KEY = {"public_key_fingerprints": {"sha256": "aa"}}
CHAIN = {"complete_chain": ["x"]}


def run_guard(**changes: object) -> list[str]:
    args = {
        "endpoint": ENDPOINT,
        "certs": ["PEM"],
        "leaf": LEAF,
        "key": KEY,
        "chain": CHAIN,
        "cert_label": "c.pem",
        "key_label": "k.pem",
        "min_valid_days": 7,
    }
    args.update(changes)
    return guard(**args)["errors"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, None),
        ({"certs": []}, "endpoint 'chat': c.pem holds no PEM certificate."),
        ({"leaf": {"msg": "bad"}}, "endpoint 'chat': cannot read the certificate in c.pem: bad"),
        (
            {"leaf": {**LEAF, "subject_alt_name": ["DNS:*.example.com"]}},
            "does not cover server name '192.0.2.7'",
        ),
        (
            {"leaf": {**LEAF, "subject_alt_name": ["DNS:www.example.com", "IP:192.0.2.7"]}},
            "does not cover server name 'chat.example.com'",
        ),
        ({"key": {"skipped": True}}, "cannot read private key k.pem"),
        (
            {"key": {"public_key_fingerprints": {"sha256": "bb"}}},
            "private key k.pem does not match certificate c.pem",
        ),
        (
            {"chain": {"msg": "no issuer"}},
            "the chain in c.pem is not in order (each certificate must be issued by the next one): no issuer",
        ),
        (
            {"leaf": {**LEAF, "expired": True}},
            "certificate c.pem expired on 2031-11-24 21:15:09 UTC.",
        ),
        (
            {"now": datetime.datetime(2031, 11, 20, tzinfo=datetime.timezone.utc)},  # noqa: UP017
            "expires on 2031-11-24 21:15:09 UTC, within certificate_min_valid_days (7 days).",
        ),
        ({"leaf": "not a result", "key": None, "chain": 3}, "cannot read the certificate in c.pem"),
    ],
)
def test_guard(changes: dict, message: str | None) -> None:
    errors = run_guard(**changes)
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


def test_guard_task_hands_the_results_to_the_filter() -> None:
    result = task_var(
        "roles/certificate/tasks/guard.yml",
        "Stop unless the certificate is fit to go live",
        "__certificate_guard",
        {
            "__certificate_endpoint": ENDPOINT,
            "__certificate_guard_certs": ["PEM"],
            "__certificate_guard_leaf": LEAF,
            "__certificate_guard_key_info": {"public_key_fingerprints": {"sha256": "bb"}},
            "__certificate_guard_chain_host": CHAIN,
            "__certificate_guard_roots": ["/etc/ssl/certs"],
            "__certificate_guard_on_controller": False,
            "__certificate_guard_cert_label": "c.pem",
            "__certificate_guard_key_label": "k.pem",
            "certificate_min_valid_days": 7,
        },
    )
    assert result["not_after"] == "2031-11-24 21:15:09 UTC"
    assert result["errors"] == [
        "endpoint 'chat': private key k.pem does not match certificate c.pem (their public keys differ)."
    ]


CONF = {
    "content": base64.b64encode(
        b"version = 2.1\nserver = https://acme.test/dir\nkey_type = ecdsa\n"
    ).decode()
}
WEBROOT_CONF = {
    "content": base64.b64encode(
        base64.b64decode(CONF["content"]) + b"authenticator = webroot\n"
    ).decode()
}
DNS01 = {"key_type": "ecdsa", "challenge": "dns-01", "dns": {"provider": "rfc2136"}}
EXISTS = {"stat": {"exists": True}}
ACME_INFO = {
    "subject_alt_name": ["DNS:chat.example.com"],
    "valid_at": {"renewal": True},
    "not_after": "20311124211509Z",
}


@pytest.mark.parametrize(
    ("live", "info", "conf", "endpoint", "reason"),
    [
        (MISSING, {"skipped": True}, {}, ENDPOINT, "it has no ACME certificate yet"),
        (EXISTS, ACME_INFO, CONF, ENDPOINT, ""),
        (
            EXISTS,
            {**ACME_INFO, "subject_alt_name": ["DNS:old.example.com"]},
            CONF,
            ENDPOINT,
            "its server names changed (certificate: old.example.com)",
        ),
        (
            EXISTS,
            {**ACME_INFO, "valid_at": {"renewal": False}},
            CONF,
            ENDPOINT,
            "its certificate expires on 2031-11-24 21:15:09 UTC, within certificate_acme_renew_days (30)",
        ),
        (
            EXISTS,
            ACME_INFO,
            {"content": base64.b64encode(b"server = https://other/\n").decode()},
            ENDPOINT,
            "the ACME directory changed (certificate from https://other/)",
        ),
        (
            EXISTS,
            ACME_INFO,
            CONF,
            {**ENDPOINT, "certificate": {"key_type": "rsa"}},
            "its key type changed (certificate: ecdsa)",
        ),
        (
            EXISTS,
            ACME_INFO,
            WEBROOT_CONF,
            {**ENDPOINT, "certificate": DNS01},
            "its challenge changed (certificate validated through webroot)",
        ),
        (
            EXISTS,
            ACME_INFO,
            {
                "content": base64.b64encode(
                    base64.b64decode(CONF["content"]) + b"authenticator = dns-rfc2136\n"
                ).decode()
            },
            {**ENDPOINT, "certificate": DNS01},
            "",
        ),
        (
            EXISTS,
            ACME_INFO,
            {"content": "%%% not base64"},
            ENDPOINT,
            "the ACME directory changed (certificate from )",
        ),
    ],
)
def test_acme_order_reason(live: dict, info: dict, conf: dict, endpoint: dict, reason: str) -> None:
    assert (
        acme_order_reason(
            endpoint, live=live, info=info, conf=conf, server="https://acme.test/dir", renew_days=30
        )
        == reason
    )


def test_acme_order_task_hands_the_results_to_the_filter() -> None:
    tasks_vars = {
        "__certificate_endpoint": ENDPOINT,
        "__certificate_acme_live_stat": EXISTS,
        "__certificate_acme_info": ACME_INFO,
        "__certificate_acme_conf_content": CONF,
        "__certificate_acme_server": "https://acme.test/dir",
        "certificate_acme_renew_days": 30,
    }

    task = find_task(
        LOADER.load_from_file(str(ROOT / "roles/certificate/tasks/acme_order.yml")),
        "Decide whether this endpoint needs an ACME order",
    )
    expression = task["ansible.builtin.set_fact"]["__certificate_acme_reason"]
    assert (
        Templar(loader=LOADER, variables=tasks_vars).template(trust_as_template(expression)) == ""
    )
    tasks_vars["__certificate_acme_live_stat"] = MISSING
    assert (
        Templar(loader=LOADER, variables=tasks_vars).template(trust_as_template(expression))
        == "it has no ACME certificate yet"
    )


def test_shown_time_is_total() -> None:
    assert shown_time(None) == "?"
    assert shown_time("2031") == "?"
