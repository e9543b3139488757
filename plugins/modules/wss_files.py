#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_files
short_description: Several files and directories in place in one module run, each compared first
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - What several C(ansible.builtin.file) and C(ansible.builtin.copy) tasks do, in one module
    run (each unchanged copy of those costs two). The wss.gateway roles write the files whose
    text they render on the controller with it.
  - First the O(directories), parents before children, are made (with their parents) or given
    their mode. Then each of the O(files), in the order given, is compared with the file on
    the host (bytes, mode and, as root, owner C(root:root)); when it differs it is written to a
    temporary file next to it, checked with its C(validate) command when it has one, and
    renamed over it (a reader sees the old file or the new one). A file whose bytes are the
    same only gets its mode and owner. Then the O(absent) paths are removed.
  - As root every path is given owner C(root:root); as another user the owner is left alone.
  - The first path that cannot be made fails the module, naming the path; what came before it
    in this order stays as written, and a file whose validation fails is not changed.
options:
  files:
    description:
      - The files, each written only when it differs.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file.
        type: path
        required: true
      name:
        description: A label for the entry (not used by the module).
        type: str
      content:
        description: Its whole text.
        type: str
        required: true
      mode:
        description: Its mode, octal, as a string.
        type: str
        default: "0644"
      validate:
        description:
          - A command run on the new text before it replaces the file; C(%s) is the path
            of the temporary file. A non-zero exit keeps the old file and fails the module.
        type: str
  directories:
    description:
      - The directories, made with their parents when missing.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      name:
        description: A label for the entry (not used by the module).
        type: str
      mode:
        description: Its mode, octal, as a string.
        type: str
        default: "0755"
  absent:
    description:
      - Paths to remove (files or links; a missing one is fine).
    type: list
    elements: path
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode everything is compared and the diff returned; nothing is written.
  diff_mode:
    support: full
  platform:
    support: full
    platforms: posix
seealso:
  - module: wss.gateway.wss_site
    description: The proxy site, staged and validated with the whole configuration.
  - module: ansible.builtin.copy
    description: One file per task, with templates, backups and remote sources.
"""

EXAMPLES = r"""
- name: The files nginx reads
  wss.gateway.wss_files:
    directories:
      - path: /usr/local/libexec/wss-gateway
    files:
      - path: /etc/nginx/ffdhe2048.pem
        content: "{{ lookup('ansible.builtin.file', 'ffdhe2048.pem') }}"
      - path: /etc/nginx/nginx.conf
        content: "{{ lookup('ansible.builtin.template', 'nginx.conf.j2') }}"
        validate: /usr/sbin/nginx -t -q -c %s
    absent: [/etc/nginx/sites-enabled/default]
  register: written
  notify: Reload nginx
"""

RETURN = r"""
changed_paths:
  description: The paths that were (in check mode, would be) made, changed or removed.
  returned: always
  type: list
  elements: str
  sample: [/etc/nginx/nginx.conf]
path:
  description: The path that could not be made.
  returned: failure
  type: str
  sample: /etc/nginx/nginx.conf
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._files import (  # noqa: E402
    FilesError,
    apply_files,
)


def _mode(module: AnsibleModule, value: str, path: str) -> int:
    try:
        mode = int(value, 8)
    except (TypeError, ValueError):
        mode = -1
    if not 0 <= mode <= 0o7777:
        module.fail_json(msg=f"{path}: mode must be octal digits (such as 0644), got {value!r}")
    return mode


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "files": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "name": {"type": "str"},
                    "content": {"type": "str", "required": True},
                    "mode": {"type": "str", "default": "0644"},
                    "validate": {"type": "str"},
                },
            },
            "directories": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "name": {"type": "str"},
                    "mode": {"type": "str", "default": "0755"},
                },
            },
            "absent": {"type": "list", "elements": "path", "default": []},
        },
        supports_check_mode=True,
    )
    params = module.params
    files = [
        {
            "path": item["path"],
            "content": item["content"].encode("utf-8"),
            "mode": _mode(module, item["mode"], item["path"]),
            "validate": item["validate"],
        }
        for item in params["files"]
    ]
    directories = [
        {"path": item["path"], "mode": _mode(module, item["mode"], item["path"])}
        for item in params["directories"]
    ]
    try:
        result = apply_files(
            files, directories, params["absent"], module.run_command, module.check_mode
        )
    except FilesError as error:
        module.fail_json(msg=str(error), path=error.path)
    diff = result.pop("diff")
    module.exit_json(**result, **({"diff": diff} if module._diff else {}))


if __name__ == "__main__":
    main()
