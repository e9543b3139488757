"""Every public filter of the collection over wss_endpoints is total: any input, of any type,
gives a result or a message (AnsibleFilterError for ``endpoints``), never another exception."""

from __future__ import annotations

import importlib

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=5),
)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYWORDS = {
    "endpoints": ("backend", "hostname", "tls_dir", "settings"),
    "endpoint_errors": ("backend", "hostname", "tls_dir", "settings"),
    "endpoint_validation": ("backend", "hostname", "tls_dir", "settings"),
    "certificate_guard": (
        "certs",
        "leaf",
        "key",
        "chain",
        "cert_label",
        "key_label",
        "min_valid_days",
    ),
    "certificate_chain": ("roots",),
    "leaf_state": ("endpoint", "renew_days", "key_sha256", "ca", "rotating"),
    "ca_fit": (
        "certificate",
        "key_type",
        "key_size",
        "curve",
        "common_name",
        "constraints",
        "usages",
        "validity_days",
    ),
    "nginx_settings_errors": (),
    "provided_file_errors": ("stats", "hostname"),
    "acme_order_reason": ("live", "info", "conf", "server", "renew_days"),
}


# Each filter lives (and is documented) in a plugin file of its own name.
FILTERS = {
    name: importlib.import_module(f"ansible_collections.wss.gateway.plugins.filter.{name}")
    .FilterModule()
    .filters()[name]
    for name in KEYWORDS
}


def test_every_filter_is_listed() -> None:
    assert set(FILTERS) == set(KEYWORDS)


@pytest.mark.parametrize("name", sorted(KEYWORDS))
@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(value=ANY, options=st.lists(ANY, min_size=8, max_size=8))
def test_filter_is_total(name: str, value: object, options: list) -> None:
    keywords = dict(zip(KEYWORDS[name], options, strict=False))
    try:
        result = FILTERS[name](value, **keywords)
    except AnsibleFilterError as error:
        assert name == "endpoints"
        assert str(error)
    else:
        assert result is not None
