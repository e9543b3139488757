# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The fleet health report filter; the logic lives in module_utils/_fleet_report.py."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_report
short_description: Turn the wss_check results of every host into one health report
version_added: 0.1.0
author: wss.gateway developers
description:
  - Takes the registered M(wss.gateway.wss_check) result of every host and returns one row
    per host and endpoint, one summary row per host, the counts, plain-text tables for the
    terminal and a self-contained HTML page (inline CSS and a small inline script, no
    external resources).
  - A host that could not be checked is given as a mapping with C(unreachable=true) or
    C(failed=true) and C(msg) instead of a result, and becomes one row with stage C(host).
  - A host checked from several places is given as a list with one result (or mapping as
    above) per view, each with a C(view) key naming where the check ran (C(host), C(controller)
    or C(group:probe host)); a result without C(view) is the view C(host).
  - A row needs attention when its check failed or its host was unreachable, or when its
    certificate expires in fewer than O(warn_days) days. Rows are sorted with failures
    first, then unreachable hosts, then certificates about to expire (fewest days first),
    then the rest, each by host and URL.
  - With O(host_facts), each host's summary row has its nginx's active connections (from the
    C(stub_status) answer; C(unknown) and why when stub_status is off or did not answer), the
    nginx and OpenSSL versions and the soonest certificate expiry over its endpoints; without
    it the host rows still have their status and soonest expiry.
  - The HTML page has a table of the hosts and one of the endpoints, in the report's order and
    complete without scripts; with scripts a click on a column header sorts by that column
    (numbers and dates as such, unknown values last) and a checkbox shows only the rows that
    need attention. Every value is HTML-escaped.
options:
  _input:
    description: Inventory hostname mapped to that host's M(wss.gateway.wss_check) result, or to a list of them, one per view.
    type: dict
    required: true
  warn_days:
    description: Certificates that expire in fewer days than this need attention.
    type: int
    default: 14
  generated:
    description: When the report was made, shown on the HTML page; omitted when not set.
    type: str
  host_facts:
    description:
      - Inventory hostname mapped to what was read on that host. Keys C(nginx_version) and
        C(openssl_version) (empty - unknown), C(status_listen) (C(nginx_status_listen); empty -
        stub_status is off) and C(stub_status), the registered M(ansible.builtin.uri) result
        of C(/stub_status) (C(status), C(content), C(msg); skipped or unreachable - unknown).
    type: dict
"""

EXAMPLES = r"""
- name: Show the health of every endpoint of every host that was checked
  ansible.builtin.debug:
    msg: "{{ (__wss_hosts | wss.gateway.fleet_report(warn_days=21)).table.split('\n') }}"
  vars:
    __wss_hosts: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, '__wss_verify_check'))) }}"
  run_once: true

- name: Write the HTML page, with a host that did not answer
  ansible.builtin.copy:
    content: "{{ (__wss_hosts | wss.gateway.fleet_report(generated=now(utc=true).isoformat())).html }}"
    dest: /tmp/wss-fleet.html
    mode: "0644"
  vars:
    __wss_hosts:
      gw1.example.com: "{{ hostvars['gw1.example.com'].__wss_verify_check }}"
      gw2.example.com: {unreachable: true, msg: "Failed to connect to the host via ssh"}
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    rows:
      description:
        - One row per host, view and endpoint, attention first. Keys C(host), C(view) (where
          the check ran from), C(url), C(server_hostname), C(status) (C(ok), C(failed) or
          C(unreachable)), C(stage), C(message), C(tls_version), C(issuer) (its CN),
          C(not_after), C(days_left), C(handshake_ms), C(attention) and C(line) (the row as one sentence
          that names the host, the view, the endpoint and its result).
      type: list
      elements: dict
    hosts:
      description:
        - One row per host, attention first. Keys C(host), C(status) (that of its worst row,
          C(failed), C(unreachable), C(warn) or C(ok)), C(active_connections) (an integer, or
          null), C(connections_note) (why the connections are unknown; empty when known),
          C(nginx_version), C(openssl_version) (null when unknown), C(cert_not_after) (the
          soonest expiry over its endpoints, ISO 8601 in UTC), C(cert_days_left), C(cert_url)
          (the endpoint whose certificate that is) and C(attention).
      type: list
      elements: dict
    summary:
      description: Counts C(hosts), C(endpoints), C(ok), C(failed), C(unreachable) and C(attention).
      type: dict
    table:
      description: A fixed-width plain-text table of the hosts, then one of the endpoints ending with a summary line.
      type: str
    html:
      description: One self-contained HTML page with the summary, the attention filter and the sortable tables.
      type: str
"""


# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.
def report(*args, **kwargs):
    from ansible_collections.wss.gateway.plugins.module_utils import _fleet_report

    return _fleet_report.report(*args, **kwargs)


class FilterModule:
    def filters(self):
        return {"fleet_report": report}
