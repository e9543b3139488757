"""Role settings checked with the endpoints: the certificate role's rules (formerly Jinja in
roles/certificate/tasks/validate.yml) and the proxy role's booleans."""

from __future__ import annotations

import pytest

from ansible_collections.wss.gateway.plugins.filter.endpoints import endpoint_errors

ACME = [
    {
        "name": "chat",
        "server_names": ["chat.example.com"],
        "certificate": {"source": "acme"},
        "locations": [{"backends": ["127.0.0.1:1"]}],
    }
]
SELF = [
    {
        "name": "chat",
        "server_names": ["chat.example.com"],
        "locations": [{"backends": ["127.0.0.1:1"]}],
    }
]
DEFAULTS = {
    "certificate_validity_days": 365,
    "certificate_renew_days": 30,
    "certificate_min_valid_days": 7,
    "certificate_rsa_bits": 2048,
    "certificate_acme_agree_tos": True,
    "certificate_acme_directory": "",
    "certificate_acme_eab_kid": "",
    "certificate_acme_eab_hmac_key": "",
    "certificate_acme_ca_bundle": "",
    "certificate_acme_roots": [],
    "certificate_acme_renew_days": 30,
    "certificate_acme_throttle": 1,
}


def errors(endpoints: list, **changes: object) -> list[str]:
    return endpoint_errors(endpoints, settings={**DEFAULTS, **changes})


def test_defaults_pass() -> None:
    assert errors(ACME) == []
    assert errors(SELF, certificate_acme_agree_tos=False) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"certificate_acme_agree_tos": "false"},
            "certificate_acme_agree_tos: endpoint 'chat' uses certificate source 'acme'; set it to true",
        ),
        (
            {"certificate_acme_eab_kid": "kid-1"},
            "certificate_acme_eab_kid and certificate_acme_eab_hmac_key: set both",
        ),
        (
            {"certificate_acme_directory": "http://acme.test/dir"},
            "certificate_acme_directory: 'http://acme.test/dir' is not an https:// URL",
        ),
        (
            {"certificate_acme_directory": "https://acme.test/dir\n"},
            "certificate_acme_directory: 'https://acme.test/dir\\n' is not an https:// URL",
        ),
        (
            {"certificate_acme_ca_bundle": "/no/such/bundle.pem"},
            "certificate_acme_ca_bundle: /no/such/bundle.pem: does not exist on the controller",
        ),
        (
            {"certificate_acme_roots": ["/no/root.pem"]},
            "certificate_acme_roots: /no/root.pem: does not exist on the controller",
        ),
        (
            {"certificate_acme_renew_days": 0},
            "certificate_acme_renew_days: '0' is not a whole number",
        ),
        (
            {"certificate_acme_throttle": "x"},
            "certificate_acme_throttle: 'x' is not a whole number",
        ),
    ],
)
def test_acme_rules(changes: dict, message: str) -> None:
    found = errors(ACME, **changes)
    assert any(error.startswith(message) for error in found), found


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"certificate_validity_days": 400},
            "certificate_validity_days: '400' is not a whole number 1-366 (browsers reject",
        ),
        (
            {"certificate_renew_days": 365},
            "certificate_renew_days: '365' is not a whole number 1-364 (less than certificate_validity_days, 365)",
        ),
        (
            {"certificate_min_valid_days": 30},
            "certificate_min_valid_days: '30' is not a whole number 0-29 (less than certificate_renew_days, 30",
        ),
        (
            {"certificate_min_valid_days": -1},
            "certificate_min_valid_days: '-1' is not a whole number",
        ),
        (
            {"certificate_rsa_bits": 1024},
            "certificate_rsa_bits: '1024' is not a whole number 2048-16384",
        ),
    ],
)
def test_certificate_numbers(changes: dict, message: str) -> None:
    found = errors(SELF, **changes)
    assert any(error.startswith(message) for error in found), found


def test_numbers_from_extra_vars_are_strings() -> None:
    assert errors(SELF, certificate_validity_days="90", certificate_renew_days="30") == []


def test_proxy_redirect_needed_for_acme() -> None:
    found = endpoint_errors(ACME, settings={"proxy_http_redirect": "false"})
    assert found == [
        "proxy_http_redirect: endpoint 'chat' uses certificate source 'acme' with challenge"
        " 'http-01', which is answered on port 80; it must be true"
    ]


def test_settings_of_the_wrong_type_are_a_message() -> None:
    assert endpoint_errors(SELF, settings="x") == ["settings: must be a mapping"]
    assert endpoint_errors(SELF, tls_dir="relative/tls") == [
        "wss_tls_dir: 'relative/tls' is not an absolute directory of ASCII letters, digits and ._~+@=,-/ (no spaces, quotes or ;{}#$)"
    ]
