#!/usr/bin/python
# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wss_check
short_description: Check that a client can open a WebSocket over verified TLS
version_added: 0.1.0
author: wss.gateway developers (@wss-gateway)
description:
  - Opens a real WebSocket connection to each endpoint, the way a browser would, and
    reports per endpoint whether it worked and, if not, at which stage and why.
  - For each endpoint it resolves the host name, connects over TCP, for C(wss://) URLs
    completes a TLS handshake that verifies the certificate chain and the name (TLS 1.2 or
    later), sends the RFC 6455 opening handshake (random 16-byte key, C(Upgrade),
    C(Connection), C(Sec-WebSocket-Version) 13, C(Host) with the port when it is not the
    default), and requires status 101, an C(Upgrade) header of C(websocket), a
    C(Connection) header with the C(upgrade) token, the correct C(Sec-WebSocket-Accept),
    and no extension or subprotocol that was not offered.
  - With O(echo_message), it sends that text in a masked frame and expects the same text back,
    answering pings and reassembling fragmented messages while it waits.
  - It ends with the closing handshake, sending close code 1000 and requiring the server's
    close frame back (with code 1000 or no code).
  - Endpoints are checked concurrently, at most O(max_parallel) at once, so slow or
    unreachable endpoints overlap instead of adding up.
  - The check only reads, so it runs in check mode too and never reports a change.
  - The module fails when any endpoint fails, unless O(report_only=true).
  - Uses only the Python standard library. When the Python library C(cryptography) is
    present on the host, it is used to describe certificates that were refused or not
    verified.
options:
  url:
    description:
      - The C(ws://) or C(wss://) URL of one endpoint to check.
      - A host name that is not ASCII is sent in its IDNA (C(xn--)) form; characters of the
        path and query that are not printable ASCII are sent percent-encoded as UTF-8, as
        browsers do.
      - Exactly one of O(url) and O(endpoints) is required.
    type: str
  endpoints:
    description:
      - Several endpoints to check in one call, concurrently.
      - Each entry takes O(endpoints[].url) and, optionally, any of the per-endpoint options;
        an option set in an entry replaces the top-level option of the same name for that
        entry (lists and dictionaries are replaced, not merged).
      - Exactly one of O(url) and O(endpoints) is required.
    type: list
    elements: dict
    suboptions:
      url:
        description: The C(ws://) or C(wss://) URL of the endpoint.
        type: str
        required: true
      server_hostname:
        description: Overrides O(server_hostname) for this endpoint.
        type: str
      ca_path:
        description: Overrides O(ca_path) for this endpoint.
        type: path
      ca_content:
        description: Overrides O(ca_content) for this endpoint.
        type: str
      validate_certs:
        description: Overrides O(validate_certs) for this endpoint.
        type: bool
      client_cert:
        description: Overrides O(client_cert) for this endpoint.
        type: path
      client_key:
        description: Overrides O(client_key) for this endpoint.
        type: path
      origin:
        description: Overrides O(origin) for this endpoint.
        type: str
      subprotocols:
        description: Overrides O(subprotocols) for this endpoint.
        type: list
        elements: str
      headers:
        description: Overrides O(headers) for this endpoint.
        type: dict
      echo_message:
        description: Overrides O(echo_message) for this endpoint.
        type: str
      timeout:
        description: Overrides O(timeout) for this endpoint.
        type: float
      min_cert_days:
        description: Overrides O(min_cert_days) for this endpoint.
        type: int
      proxy_protocol:
        description: Overrides O(proxy_protocol) for this endpoint.
        type: bool
  server_hostname:
    description:
      - The name to check the endpoint as. It is sent as TLS SNI, verified against the
        certificate, and sent in the C(Host) header, while the connection goes to the host
        of the URL. This checks V(wss://127.0.0.1:8443/ws) as C(chat.example.com).
      - Defaults to the host of the URL.
      - A name that is not ASCII is used in its IDNA (C(xn--)) form.
    type: str
  ca_path:
    description:
      - A PEM file (or an OpenSSL hashed directory) of CA certificates to verify the server
        certificate against, instead of the system's trust store.
    type: path
  ca_content:
    description:
      - CA certificates as PEM text to verify the server certificate against, instead of the
        system's trust store (and in addition to O(ca_path) when both are set).
      - For a check that runs elsewhere than where the CA file is, such as a CA read from the
        gateway host and checked from the controller.
    type: str
  validate_certs:
    description:
      - Verify the server certificate chain and name.
      - V(false) is reported in the result (RV(endpoints[].tls.verified)) and warned about;
        the check then proves the handshake only, not that clients will trust the server.
    type: bool
    default: true
  client_cert:
    description:
      - A PEM client certificate (it may also hold the key) for servers that require one.
    type: path
  client_key:
    description:
      - The PEM private key of O(client_cert), if it is not in that file. Only the path is
        ever reported, never the content. Encrypted keys are not supported.
    type: path
  origin:
    description:
      - The C(Origin) header to send, as a browser on that site would, for example
        V(https://chat.example.com). No C(Origin) header is sent when unset.
    type: str
  subprotocols:
    description:
      - Subprotocols to offer in C(Sec-WebSocket-Protocol), in order of preference.
      - The server may select one of them (reported in RV(endpoints[].subprotocol)) or
        none; selecting one that was not offered fails the check.
    type: list
    elements: str
    default: []
  headers:
    description:
      - Extra request headers, for example C(Authorization) or C(Cookie).
      - The handshake headers (C(Host), C(Upgrade), C(Connection), C(Sec-WebSocket-*),
        C(Origin)) cannot be set here; use O(server_hostname), O(subprotocols), O(origin).
      - Values must be ASCII without control characters; a value with any other character
        is refused with a message naming the header (never quoting its value). Encode such
        values first, for example with the C(urlencode) or
        P(ansible.builtin.b64encode#filter) filter.
      - The values are secrets to Ansible (C(no_log)) and are hidden wherever they appear in
        the task's output; a short value such as V(1) therefore also hides that text in the
        messages.
    type: dict
    default: {}
  echo_message:
    description:
      - A text message for an echo round trip; it is sent after the upgrade and the server
        must answer with the same text as its first message.
      - No message is sent when unset.
    type: str
  timeout:
    description:
      - The wall-clock budget in seconds for the whole check of one endpoint, from DNS to
        the closing handshake; it is per endpoint, not per stage. Each stage gets what is
        left of it; a stage that runs out fails with a message naming the stage and the
        budget.
      - The budget starts when the endpoint's check starts, which is at once for the first
        O(max_parallel) endpoints and when a slot frees up for the others.
      - Must be a finite number greater than V(0) and at most V(86400) (a day).
    type: float
    default: 10
  min_cert_days:
    description:
      - Fail when the server certificate expires in fewer days than this.
      - V(0) only requires a currently valid certificate.
      - With O(validate_certs=false), this needs the Python library C(cryptography) on the
        host to read the certificate; without it the check fails rather than skip this.
    type: int
    default: 0
  proxy_protocol:
    description:
      - Start each connection with a PROXY protocol v1 header, for a listener that expects
        one from a TCP load balancer (nginx C(listen ... proxy_protocol), the endpoints of
        P(wss.gateway.proxy#role) with C(proxy_protocol) true).
      - The header names this connection truthfully (its own source and destination address
        and port), so the server sees the checking host as the client.
      - Leave it V(false) when dialling the load balancer itself, which adds the header.
    type: bool
    default: false
  max_parallel:
    description:
      - How many endpoints are checked at the same time (one socket each).
      - With more endpoints than this, a call takes up to
        ceil(endpoints / max_parallel) times O(timeout) when every endpoint times out.
    type: int
    default: 32
  report_only:
    description:
      - Report failed endpoints in the result without failing the task.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The check is read-only, so it runs in check mode exactly as in normal mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
notes:
  - The stages, in order, are C(dns), C(tcp), C(tls) (handshake, certificate checks,
    O(min_cert_days)), C(http) (sending the request and reading a well-formed HTTP response),
    C(upgrade) (the response is not a valid WebSocket upgrade, for example a status other than
    101 or a wrong C(Sec-WebSocket-Accept)), C(echo) and C(close).
  - Extensions such as C(permessage-deflate) are never offered.
seealso:
  - name: RFC 6455, The WebSocket Protocol
    description: The opening handshake (section 4.1) and framing the check implements.
    link: https://www.rfc-editor.org/rfc/rfc6455
  - module: ansible.builtin.uri
    description: For plain HTTP(S) checks.
"""

EXAMPLES = r"""
- name: Check the gateway answers as chat.example.com with the internal CA
  wss.gateway.wss_check:
    url: wss://127.0.0.1:443/ws
    server_hostname: chat.example.com
    ca_path: /etc/wss-gateway/tls/ca.pem
    origin: https://chat.example.com
    echo_message: ping
    min_cert_days: 14

- name: Check the whole fleet, report without failing
  wss.gateway.wss_check:
    endpoints:
      - url: wss://chat.example.com/ws
      - url: wss://feed.example.com/stream
        subprotocols: [v2.feed]
        timeout: 5
      - url: ws://10.0.0.5:19808/
    timeout: 3
    max_parallel: 64
    report_only: true
  register: wss_report

- name: Show the endpoints that failed
  ansible.builtin.debug:
    msg: "{{ wss_report.endpoints | rejectattr('ok') | map(attribute='msg') | list }}"
"""

RETURN = r"""
msg:
  description: A summary naming each endpoint that failed, its stage and the reason.
  returned: always
  type: str
  sample: >-
    1 of 2 WebSocket endpoint(s) failed: wss://127.0.0.1:8443/ws (as chat.example.com): tls:
    certificate expires in 5 days, min_cert_days is 14
ok_count:
  description: How many endpoints passed.
  returned: always
  type: int
  sample: 1
failed_count:
  description: How many endpoints failed.
  returned: always
  type: int
  sample: 1
endpoints:
  description: One report per endpoint, in the order of the input.
  returned: always
  type: list
  elements: dict
  contains:
    ok:
      description: Whether every stage of the check passed.
      returned: always
      type: bool
      sample: true
    url:
      description: The URL that was checked.
      returned: always
      type: str
      sample: wss://127.0.0.1:8443/ws
    server_hostname:
      description: The name used for SNI, the certificate check and the C(Host) header.
      returned: always
      type: str
      sample: chat.example.com
    address:
      description: The address and port connected to; null when no connection was made.
      returned: always
      type: str
      sample: "127.0.0.1:8443"
    stage:
      description:
        - The stage that failed, one of C(dns), C(tcp), C(tls), C(http), C(upgrade),
          C(echo), C(close); null when the endpoint passed.
      returned: always
      type: str
      sample: tls
    msg:
      description: What happened, in words a person can act on.
      returned: always
      type: str
      sample: "hostname mismatch: certificate is for chat.example.com, dialled ws.example.com"
    status:
      description: The HTTP status of the response to the upgrade request; null when none came.
      returned: always
      type: int
      sample: 101
    headers:
      description: The response headers, names in lower case, repeated headers joined with C(, ).
      returned: always
      type: dict
      sample:
        upgrade: websocket
        connection: Upgrade
        sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
    subprotocol:
      description: The subprotocol the server selected; null when none.
      returned: always
      type: str
      sample: chat.v1
    tls:
      description:
        - The TLS session and the server certificate.
        - Null for C(ws://) URLs and when no TLS handshake was attempted.
      returned: always
      type: dict
      contains:
        version:
          description: The TLS version; null when the handshake failed.
          returned: always
          type: str
          sample: TLSv1.3
        cipher:
          description: The cipher suite; null when the handshake failed.
          returned: always
          type: str
          sample: TLS_AES_256_GCM_SHA384
        alpn:
          description: The ALPN protocol the server selected (C(http/1.1) is offered), or null.
          returned: always
          type: str
          sample: http/1.1
        verified:
          description:
            - Whether the chain and the name were verified.
            - False with O(validate_certs=false) and when verification failed.
          returned: always
          type: bool
          sample: true
        subject:
          description: The certificate subject (RFC 4514); null when it could not be read.
          returned: always
          type: str
          sample: CN=chat.example.com
        sans:
          description: The subject alternative names, prefixed C(DNS:) or C(IP:).
          returned: always
          type: list
          elements: str
          sample: ["DNS:chat.example.com", "IP:127.0.0.1"]
        issuer:
          description: The certificate issuer (RFC 4514); null when it could not be read.
          returned: always
          type: str
          sample: O=Example internal CA
        not_after:
          description: When the certificate expires, ISO 8601 in UTC; null when unknown.
          returned: always
          type: str
          sample: "2026-09-01T12:00:00Z"
        days_left:
          description: Whole days until the certificate expires (negative once expired), or null.
          returned: always
          type: int
          sample: 89
    timings_ms:
      description: How long each stage took, in milliseconds; null for stages that did not complete.
      returned: always
      type: dict
      contains:
        dns:
          description: Name resolution.
          returned: always
          type: float
          sample: 0.05
        connect:
          description: The TCP connection.
          returned: always
          type: float
          sample: 0.2
        tls:
          description: The TLS handshake, including certificate checks.
          returned: always
          type: float
          sample: 2.1
        upgrade:
          description: From sending the upgrade request to a validated 101 response.
          returned: always
          type: float
          sample: 0.8
        echo:
          description: The echo round trip of O(echo_message).
          returned: always
          type: float
          sample: 0.3
        close:
          description: The closing handshake.
          returned: always
          type: float
          sample: 0.2
        total:
          description: The whole check of this endpoint.
          returned: always
          type: float
          sample: 3.8
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.wss.gateway.plugins.module_utils._wss_client import (  # noqa: E402
    DEFAULT_MAX_PARALLEL,
    InvalidParams,
    run_checks,
)

ENDPOINT_SPEC = {
    "url": {"type": "str", "required": True},
    "server_hostname": {"type": "str"},
    "ca_path": {"type": "path"},
    "ca_content": {"type": "str"},
    "validate_certs": {"type": "bool"},
    "client_cert": {"type": "path"},
    "client_key": {"type": "path"},
    "origin": {"type": "str"},
    "subprotocols": {"type": "list", "elements": "str"},
    "headers": {"type": "dict", "no_log": True},
    "echo_message": {"type": "str"},
    "timeout": {"type": "float"},
    "min_cert_days": {"type": "int"},
    "proxy_protocol": {"type": "bool"},
}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str"},
            "endpoints": {"type": "list", "elements": "dict", "options": ENDPOINT_SPEC},
            "server_hostname": {"type": "str"},
            "ca_path": {"type": "path"},
            "ca_content": {"type": "str"},
            "validate_certs": {"type": "bool", "default": True},
            "client_cert": {"type": "path"},
            "client_key": {"type": "path"},
            "origin": {"type": "str"},
            "subprotocols": {"type": "list", "elements": "str", "default": []},
            "headers": {"type": "dict", "default": {}, "no_log": True},
            "echo_message": {"type": "str"},
            "timeout": {"type": "float", "default": 10},
            "min_cert_days": {"type": "int", "default": 0},
            "proxy_protocol": {"type": "bool", "default": False},
            "max_parallel": {"type": "int", "default": DEFAULT_MAX_PARALLEL},
            "report_only": {"type": "bool", "default": False},
        },
        mutually_exclusive=[("url", "endpoints")],
        required_one_of=[("url", "endpoints")],
        supports_check_mode=True,
    )
    try:
        report = run_checks(module.params)
    except InvalidParams as exc:
        module.fail_json(msg=str(exc), changed=False)
    for warning in report.pop("warnings"):
        module.warn(warning)
    failed = report.pop("failed")
    if failed:
        module.fail_json(changed=False, **report)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
