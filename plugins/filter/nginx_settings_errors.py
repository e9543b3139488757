# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The nginx_settings_errors filter; the logic lives in module_utils/_endpoints.py."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nginx_settings_errors
short_description: List every problem with the settings of the nginx role, one message each
version_added: 0.1.0
author: wss.gateway developers
description:
- Checks the settings of P(wss.gateway.nginx#role) that are given, each against a whitelist grammar
  with bounds, so that whatever passes is safe to write into nginx.conf - worker processes,
  connections and open files (at least one per connection), nginx times and sizes, the header
  buffers, the hash bucket size, the TLS 1.3 tickets and the cipher order switch, the status and
  exporter addresses, the https:// URLs of nginx.org's repository, and Debian package names for
  C(nginx_extra_packages).
- Each message names the variable. Total over any input - a value of any type gives a message,
  never an exception.
options:
  _input:
    description: The settings, by variable name (C(nginx_worker_connections), C(nginx_ssl_buffer_size), ...).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop on any problem with the settings of nginx
  ansible.builtin.assert:
    that: __errors | length == 0
    fail_msg: "{{ __errors | join('; ') }}"
  vars:
    __errors: "{{ {'nginx_request_pool_size': nginx_request_pool_size} | wss.gateway.nginx_settings_errors }}"
"""

RETURN = r"""
_value:
  description: Messages, empty when every setting is fit.
  type: list
  elements: str
"""


# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.
def nginx_settings_errors(*args, **kwargs):
    from ansible_collections.wss.gateway.plugins.module_utils import _endpoints

    return _endpoints.nginx_settings_errors(*args, **kwargs)


class FilterModule:
    def filters(self):
        return {"nginx_settings_errors": nginx_settings_errors}
