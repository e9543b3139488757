"""Each wss_endpoints option is defined once (_endpoint_schema.py): the role argument specs are
generated from it, and the role READMEs show its defaults and choices."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from ansible_collections.wss.gateway.plugins.module_utils import _endpoint_schema as schema
from ansible_collections.wss.gateway.plugins.module_utils import _endpoints

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "gen_argument_specs", ROOT / "scripts" / "gen_argument_specs.py"
)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


@pytest.mark.parametrize("role", gen.ROLES)
def test_committed_argument_spec_is_the_generated_one(role: str) -> None:
    committed = gen.spec_path(role).read_text()
    assert committed == gen.generated(role), f"run python3 scripts/gen_argument_specs.py ({role})"


@pytest.mark.parametrize("role", gen.ROLES)
def test_every_entry_point_declares_the_schema(role: str) -> None:
    specs = yaml.safe_load(gen.spec_path(role).read_text())["argument_specs"]
    expected = schema.role_options(role)
    for entry, spec in specs.items():
        for key, option in expected.items():
            assert spec["options"][key] == option, (entry, key)


def test_validator_uses_the_schema_defaults_and_choices() -> None:
    assert _endpoints.LOCATION_DEFAULTS == {
        "path": "/",
        "allowed_origins": [],
        "read_timeout": "1h",
        "send_timeout": "1h",
        "limit_conn": 0,
        "limit_req": 0,
        "balance": "round_robin",
        "hash_key": "$remote_addr",
        "consistent": True,
        "next_upstream_tries": 3,
        "connect_timeout": "5s",
        "buffer_size": "2k",
    }
    assert tuple(schema.CERTIFICATE_OPTIONS["source"]["choices"]) == _endpoints.CERT_SOURCES
    assert tuple(schema.CERTIFICATE_OPTIONS["key_type"]["choices"]) == _endpoints.KEY_TYPES
    (endpoint,) = _endpoints.normalize(
        [{"name": "a", "server_names": ["a.example"], "locations": [{"backends": ["127.0.0.1:1"]}]}]
    )
    location = endpoint["locations"][0]
    for key, option in schema.LOCATION_OPTIONS.items():
        if "default" in option:
            assert location[key] == option["default"], key
    assert endpoint["listen"] == schema.ENDPOINT_OPTIONS["listen"]["default"]
    for key in ("source", "key_type"):
        assert endpoint["certificate"][key] == schema.CERTIFICATE_OPTIONS[key]["default"]


def _scalar_defaults(options: dict) -> dict:
    result = {}
    for key, option in options.items():
        if isinstance(option.get("default"), bool):
            result[key] = str(option["default"]).lower()
        elif isinstance(option.get("default"), (int, str)):
            result[key] = option["default"]
        result.update(_scalar_defaults(option.get("options", {})))
    return result


def test_proxy_readme_shows_every_option_with_its_default() -> None:
    readme = (ROOT / "roles" / "proxy" / "README.md").read_text()
    for key in [*schema.ENDPOINT_OPTIONS, *schema.LOCATION_OPTIONS]:
        assert f"{key}:" in readme, key
    # The certificate's options are the certificate role's (its README test below).
    certificate = _scalar_defaults(schema.CERTIFICATE_OPTIONS)
    for key, default in _scalar_defaults(schema.ENDPOINT_OPTIONS).items():
        if key != "path" and key not in certificate:
            shown = str(default).lower() if isinstance(default, bool) else default
            assert f"{key}: {shown}" in readme, key
    assert "`wss_trusted_proxies` | `[]`" in readme


def test_certificate_readme_names_every_source_and_key_type() -> None:
    readme = (ROOT / "roles" / "certificate" / "README.md").read_text()
    for key in ("source", "key_type", "challenge"):
        for choice in schema.CERTIFICATE_OPTIONS[key]["choices"]:
            assert f"`{choice}`" in readme, choice
    for key in [*schema.CERTIFICATE_OPTIONS, *schema.DNS_OPTIONS]:
        assert f"`{key}`" in readme or f"`certificate.{key}`" in readme or f"`{key}:" in readme, key
    for key, default in _scalar_defaults(schema.DNS_OPTIONS).items():
        assert f"{key}: {default}" in readme, key
