# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The not_in_place filter; the logic lives in module_utils/_files.py (shared with wss_files)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: not_in_place
short_description: The files and directories a role writes that its look at the host did not find as wanted
version_added: 0.1.0
author: wss.gateway developers
description:
- Compares what a role would write with what its one look at the host found (the nginx role's
  C(nginx_state.py inspect), the certificate role's C(tls_state.py)), so that the role skips the
  C(wss.gateway.wss_files) run when everything is in place.
- An entry is in place when the path exists with owner C(root:root), the entry's mode and, for
  an entry with C(content), is a file whose SHA-1 is that of the content; without C(content), a
  directory.
- Total over any input - anything unexpected counts as not in place.
options:
  _input:
    description: The entries, each with C(path), C(mode) (octal text) and, for a file, C(content); other keys are kept.
    type: list
    elements: dict
    required: true
  found:
    description: Path to what the look saw (C(type), C(mode), C(uid), C(gid), C(sha1)), null for an absent path.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write what is not in place (one module run, skipped when all is)
  wss.gateway.wss_files:
    files: "{{ wanted | selectattr('content', 'defined') | list }}"
  when: wanted | wss.gateway.not_in_place(look.paths) | length > 0
"""

RETURN = r"""
_value:
  description: The entries that are not in place, in their order.
  type: list
  elements: dict
"""


# The logic is imported when the filter runs, not when this file loads: ansible loads every
# filter file of the collection in each task process that looks up any wss.gateway filter.
def not_in_place(*args, **kwargs):
    from ansible_collections.wss.gateway.plugins.module_utils import _files

    return _files.not_in_place(*args, **kwargs)


class FilterModule:
    def filters(self):
        return {"not_in_place": not_in_place}
