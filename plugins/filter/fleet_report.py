# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The fleet health report filter; the logic lives in module_utils/_fleet_report.py.

Documented in fleet_report.yml.
"""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.module_utils._fleet_report import report


class FilterModule:
    def filters(self):
        return {"fleet_report": report}
