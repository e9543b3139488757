# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The ca_trust filter: the module_utils decision, with errors as Ansible filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wss.gateway.plugins.filter.ca_trust import FilterModule
from tests.unit.plugins.module_utils.test__ca_trust import NEW, NEW_FP, OLD, OLD_FP

ca_trust = FilterModule().filters()["ca_trust"]


def test_the_filter_refuses_another_ca_by_keyword() -> None:
    result = ca_trust(OLD, signing=NEW, host="gw1", variable="certificate_ca_cert_pem")
    assert not result["ok"]
    assert OLD_FP in result["msg"] and NEW_FP in result["msg"]
    assert "Set certificate_ca_cert_pem so that" in result["msg"]


def test_a_signing_bundle_is_a_filter_error() -> None:
    with pytest.raises(AnsibleFilterError, match="expected one"):
        ca_trust(OLD, signing=OLD + NEW)
