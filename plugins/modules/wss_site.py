#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_site
short_description: Put an nginx site live only after nginx validated it, and put it back on failure
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - The transactional apply of the wss.gateway.proxy role, in one module run.
  - Compares O(content) with the live site O(path). When they are the same (bytes, mode
    C(0644) and, as root, owner C(root:root)), nothing is written or run.
  - Otherwise stages the site in O(stage_dir) with a copy of O(nginx_conf) that includes the
    staged site instead of the live one (O(stage_conf), next to O(nginx_conf) so that relative
    paths resolve the same way), and validates the whole configuration with
    C(nginx -t -c) on that copy while the live files are untouched.
  - Then swaps the site in with an atomic rename and runs C(nginx -t) on the live
    configuration. When that fails, the previous site is put back byte for byte, with its mode
    and owner (or the new site removed when there was none).
  - The staging files are removed in every case, and what an interrupted run left there is
    removed first.
  - The module never reloads nginx. Notify a reload handler when RV(site_changed) is true.
options:
  content:
    description:
      - The new site, in full (for example C(lookup('ansible.builtin.template', ...))).
    type: str
    required: true
  path:
    description:
      - The live site file. Its directory is created (C(0755)) when it is missing.
    type: path
    required: true
  include:
    description:
      - The line of O(nginx_conf) that includes the site's directory. The module fails
        when O(nginx_conf) does not contain it.
    type: str
    required: true
  stage_dir:
    description:
      - Where the new site is staged. Removed at the end.
    type: path
    required: true
  stage_include:
    description:
      - The line that replaces O(include) in the staged copy of O(nginx_conf).
    type: str
    required: true
  stage_conf:
    description:
      - Where the staged copy of O(nginx_conf) is written. Removed at the end.
    type: path
    required: true
  directories:
    description:
      - Directories the site serves files from (such as the ACME webroot). Each is created
        when missing (with its parents) and given mode C(0755) and, as root, owner
        C(root:root), before the site is compared; that alone does not set RV(site_changed).
    type: list
    elements: path
    default: []
  nginx_conf:
    description:
      - The live main configuration file of nginx.
    type: path
    default: /etc/nginx/nginx.conf
  nginx_binary:
    description:
      - The nginx binary that validates the configuration.
    type: path
    default: /usr/sbin/nginx
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode the site is compared and the diff returned; nothing is written or run.
  diff_mode:
    support: full
  platform:
    support: full
    platforms: posix
seealso:
  - module: wss.gateway.wss_check
    description: Prove after the reload that a client can open a WebSocket through the site.
  - name: nginx command-line parameters
    description: C(-t) tests the configuration, C(-c) names the configuration file to test.
    link: https://nginx.org/en/docs/switches.html
"""

EXAMPLES = r"""
- name: Apply the site (validated, swapped, put back on failure)
  wss.gateway.wss_site:
    content: "{{ lookup('ansible.builtin.template', 'wss-gateway.conf.j2') }}"
    path: /etc/nginx/wss-gateway/wss-gateway.conf
    include: include /etc/nginx/wss-gateway/*.conf;
    stage_dir: /etc/nginx/wss-gateway.staging
    stage_include: include /etc/nginx/wss-gateway.staging/*.conf;
    stage_conf: /etc/nginx/nginx.wss-gateway-staging.conf
    directories: [/var/lib/wss-gateway/acme/.well-known/acme-challenge]
  register: site
  notify: Reload nginx
"""

RETURN = r"""
site_changed:
  description: Whether the site's content changed (nginx has to reload to serve it).
  returned: success
  type: bool
  sample: true
created:
  description: Whether there was no live site before.
  returned: success
  type: bool
  sample: false
step:
  description: The step that failed (one of the steps above, or creating O(directories)).
  returned: failure
  type: str
  sample: Validate the whole configuration with the staged site
restored:
  description:
    - On failure, whether the live site is what it was before the call. It is false only
      when putting the previous site back failed too.
  returned: failure
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._site_apply import (  # noqa: E402
    SiteApplyError,
    SitePaths,
    apply_site,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "content": {"type": "str", "required": True},
            "path": {"type": "path", "required": True},
            "include": {"type": "str", "required": True},
            "stage_dir": {"type": "path", "required": True},
            "stage_include": {"type": "str", "required": True},
            "stage_conf": {"type": "path", "required": True},
            "directories": {"type": "list", "elements": "path", "default": []},
            "nginx_conf": {"type": "path", "default": "/etc/nginx/nginx.conf"},
            "nginx_binary": {"type": "path", "default": "/usr/sbin/nginx"},
        },
        supports_check_mode=True,
    )
    params = module.params
    paths = SitePaths(
        site_file=params["path"],
        site_include=params["include"],
        nginx_conf=params["nginx_conf"],
        nginx_binary=params["nginx_binary"],
        stage_dir=params["stage_dir"],
        stage_conf=params["stage_conf"],
        stage_include=params["stage_include"],
        directories=tuple(params["directories"]),
    )

    def run(argv: list) -> tuple:
        return module.run_command(argv)

    try:
        result = apply_site(params["content"].encode("utf-8"), paths, run, module.check_mode)
    except SiteApplyError as error:
        module.fail_json(msg=error.message, step=error.step, restored=error.restored)
    diff = result.pop("diff")
    module.exit_json(**result, **({"diff": diff} if module._diff else {}))


if __name__ == "__main__":
    main()
