# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of wss.gateway.wss_ca_sign: the one of wss.gateway.wss_ca, which serves both."""

from __future__ import annotations

from ansible_collections.wss.gateway.plugins.action.wss_ca import ActionModule

__all__ = ["ActionModule"]
