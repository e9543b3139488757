# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The client side of the WebSocket protocol (RFC 6455) as pure functions.

No sockets and no clock here: URL parsing, the opening handshake (request, response
parsing, the checks of section 4.1), frame encoding and decoding, message reassembly and
the closing handshake. ``_wss_client.py`` drives these over a real connection.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
from typing import NamedTuple
from urllib.parse import quote, urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HEAD_END = b"\r\n\r\n"
MAX_HEAD = 64 * 1024
MAX_MESSAGE = 1024 * 1024
DEFAULT_PORTS = {"ws": 80, "wss": 443}

OP_CONT = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
OPCODE_NAMES = {
    OP_CONT: "continuation",
    OP_TEXT: "text",
    OP_BINARY: "binary",
    OP_CLOSE: "close",
    OP_PING: "ping",
    OP_PONG: "pong",
}
CONTROL_OPCODES = (OP_CLOSE, OP_PING, OP_PONG)

CLOSE_NORMAL = 1000
CLOSE_NAMES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1005: "no status received",
    1006: "abnormal closure",
    1007: "invalid payload data",
    1008: "policy violation",
    1009: "message too big",
    1010: "mandatory extension",
    1011: "internal error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
    1015: "TLS handshake failure",
}
# Codes a peer may put on the wire (RFC 6455 7.4.1, IANA registry, 3000-4999 for apps).
_SENDABLE_CLOSE_CODES = frozenset(
    (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014)
)

# Request headers the check writes itself; a user header of the same name would break the
# handshake or hide what is being tested, so the option that sets it must be used instead.
RESERVED_HEADERS = {
    "host": "server_hostname",
    "upgrade": None,
    "connection": None,
    "sec-websocket-key": None,
    "sec-websocket-version": None,
    "sec-websocket-accept": None,
    "sec-websocket-extensions": None,
    "sec-websocket-protocol": "subprotocols",
    "origin": "origin",
    "content-length": None,
    "transfer-encoding": None,
}
_TOKEN_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_FIELD_VALUE_BAD_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# What a request target may carry as it is: printable ASCII. Anything else in a path or
# query (non-ASCII, control characters) is percent-encoded as UTF-8, as browsers do.
_NOT_URL_SAFE_RE = re.compile(r"[^\x21-\x7e]")

STATUS_HINTS = {
    200: "the server answered as plain HTTP; a proxy in front did not pass the upgrade on "
    "(nginx needs proxy_http_version 1.1 and the Upgrade/Connection headers set)",
    400: "the server rejected the handshake request",
    401: "the server wants authentication (pass it with headers)",
    403: "forbidden; is the Origin allowed by the server's allow-list?",
    404: "nothing at this path; check the URL path",
    405: "method not allowed; this path does not serve WebSocket upgrades",
    426: "Upgrade Required: the server did not receive a usable upgrade request "
    "(a proxy may drop the Upgrade/Connection headers)",
    502: "the proxy could not reach its ws:// backend, or the backend's response headers did not"
    " fit in the proxy's buffer for them (nginx logs 'upstream sent too big header'; with"
    " wss.gateway raise the location's buffer_size)",
    503: "the service is unavailable",
    504: "the proxy timed out reaching its ws:// backend",
}
_REDIRECTS = (301, 302, 303, 307, 308)


class ProtocolError(Exception):
    """The peer broke RFC 6455 (or HTTP/1.1) in a way that ends the check."""


class WsUrl(NamedTuple):
    scheme: str
    host: str
    port: int
    resource: str

    @property
    def secure(self) -> bool:
        return self.scheme == "wss"


class Response(NamedTuple):
    version: str
    status: int
    reason: str
    headers: list  # of (name, value) tuples, names as received


class Frame(NamedTuple):
    fin: bool
    opcode: int
    payload: bytes


class Event(NamedTuple):
    """One complete thing read from the server: a message or a control frame."""

    kind: str  # text, binary, ping, pong, close
    data: bytes
    code: int | None = None
    reason: str = ""


# ---------------------------------------------------------------------------
# URLs and headers


def parse_url(url: str) -> WsUrl:
    """Split a ``ws://``/``wss://`` URL; raise ValueError saying what is wrong."""
    if not isinstance(url, str) or not url:
        raise ValueError("the URL is empty")
    if any(ch.isspace() for ch in url):
        raise ValueError(f"'{url}' contains white space")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"'{url}' is not a ws:// or wss:// URL")
    if parts.fragment or url.endswith("#"):
        raise ValueError(f"'{url}' has a fragment (#...), which WebSocket URLs may not carry")
    if "@" in parts.netloc:
        raise ValueError(f"'{url}' carries user information; pass credentials with headers")
    host = parts.hostname
    if not host:
        raise ValueError(f"'{url}' has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"'{url}' has an invalid port") from None
    if port is None:
        port = DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise ValueError(f"'{url}' has an invalid port")
    try:
        host = ascii_host(host)
    except ValueError:
        raise ValueError(f"'{url}' has a host name that is not valid IDNA") from None
    resource = parts.path or "/"
    if parts.query:
        resource += "?" + parts.query
    try:
        resource = percent_encode(resource)
    except ValueError:
        raise ValueError(
            f"'{url}' has a path or query with a character that cannot be encoded as UTF-8"
        ) from None
    return WsUrl(scheme, host, port, resource)


def ascii_host(name: str) -> str:
    """``name`` as it goes on the wire: ASCII as it is, other names in IDNA (``xn--``).

    Raises ValueError (without the name) when the name is not valid IDNA.
    """
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("is not a valid internationalised (IDNA) host name") from None


def percent_encode(resource: str) -> str:
    """Percent-encode (UTF-8) what is not printable ASCII in a path and query.

    ``%`` and reserved characters are kept, so what is already encoded stays as it is.
    Raises ValueError (without the text) when a character has no UTF-8 form.
    """
    try:
        return _NOT_URL_SAFE_RE.sub(lambda match: quote(match.group(0), safe=""), resource)
    except UnicodeEncodeError:
        raise ValueError("holds a character that cannot be encoded as UTF-8") from None


def host_port(host: str, port: int) -> str:
    """``host:port`` with IPv6 literals in brackets (for messages and the Host header)."""
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def host_header(host: str, port: int, scheme: str) -> str:
    """The Host header value: the port only when it is not the scheme's default."""
    if port == DEFAULT_PORTS[scheme]:
        return f"[{host}]" if ":" in host else host
    return host_port(host, port)


def is_token(value: str) -> bool:
    return bool(_TOKEN_RE.match(value))


def header_errors(headers: dict) -> list:
    """Why the user-supplied request ``headers`` cannot be sent (empty list: fine)."""
    errors = []
    for name, value in headers.items():
        if not isinstance(name, str) or not is_token(name):
            errors.append(f"header name {name!r} is not a valid HTTP token")
            continue
        if name.lower() in RESERVED_HEADERS:
            option = RESERVED_HEADERS[name.lower()]
            how = f"use the {option} option" if option else "the check sets it itself"
            errors.append(f"header '{name}' cannot be set in headers: {how}")
            continue
        error = value_error(
            f"header '{name}'",
            str(value),
            "in its value",
            " (encode it first, for example with the urlencode or b64encode filter)",
        )
        if error:
            errors.append(error)
    return errors


def value_error(what: str, value: str, where: str = "in it", hint: str = "") -> str | None:
    """A message when ``value`` cannot go into a header line; it never quotes ``value``.

    Header lines carry ASCII only: control characters (CR, LF, ...) would split the request
    and other characters have no agreed encoding, so both are refused rather than guessed.
    """
    if _FIELD_VALUE_BAD_RE.search(value):
        return f"{what} has a control character (CR, LF, ...) {where}"
    if not value.isascii():
        return f"{what} has a non-ASCII character {where}; HTTP header values must be ASCII{hint}"
    return None


# ---------------------------------------------------------------------------
# Opening handshake


def make_key(random_bytes: bytes | None = None) -> str:
    """A fresh ``Sec-WebSocket-Key``: 16 random bytes, base64."""
    if random_bytes is None:
        random_bytes = os.urandom(16)
    if len(random_bytes) != 16:
        raise ValueError("the key must be made of 16 bytes")
    return base64.b64encode(random_bytes).decode("ascii")


def accept_for(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value a server must answer ``key`` with."""
    digest = hashlib.sha1((key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def build_request(
    resource: str,
    host: str,
    key: str,
    *,
    origin: str | None = None,
    subprotocols: list | tuple = (),
    headers: dict | None = None,
) -> bytes:
    """The GET request of the opening handshake (RFC 6455 4.1), in ASCII.

    Raises ValueError naming the field (never its value: it may be a credential) when one
    holds a character that cannot be sent; ``settings_errors`` refuses those beforehand.
    """
    lines = [
        ("the path", f"GET {resource} HTTP/1.1"),
        ("the Host header", f"Host: {host}"),
        (None, "Upgrade: websocket"),
        (None, "Connection: Upgrade"),
        (None, f"Sec-WebSocket-Key: {key}"),
        (None, "Sec-WebSocket-Version: 13"),
    ]
    if origin:
        lines.append(("origin", f"Origin: {origin}"))
    if subprotocols:
        lines.append(("subprotocols", "Sec-WebSocket-Protocol: " + ", ".join(subprotocols)))
    extra = dict(headers or {})
    if not any(name.lower() == "user-agent" for name in extra):
        lines.append((None, "User-Agent: wss.gateway-wss_check"))
    lines.extend((f"header '{name}'", f"{name}: {value}") for name, value in extra.items())
    for field, line in lines:
        if not line.isascii() or _FIELD_VALUE_BAD_RE.search(line):
            raise ValueError(f"{field} cannot be sent: it holds a non-ASCII or control character")
    return ("\r\n".join(line for _field, line in lines) + "\r\n\r\n").encode("ascii")


def split_head(buffer: bytes) -> tuple | None:
    """``(head, rest)`` once ``buffer`` holds a complete response head, else None."""
    index = buffer.find(HEAD_END)
    if index < 0:
        if len(buffer) > MAX_HEAD:
            raise ProtocolError(f"the response head is larger than {MAX_HEAD // 1024} KiB")
        return None
    rest = index + len(HEAD_END)
    return bytes(buffer[:index]), bytes(buffer[rest:])


def parse_response_head(head: bytes) -> Response:
    """Parse the status line and header fields of an HTTP/1.x response."""
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    status_line = lines[0]
    match = re.match(r"^(HTTP/1\.[01]) ([0-9]{3})(?: (.*))?$", status_line)
    if not match:
        raise ProtocolError(f"not an HTTP/1.1 response: {preview(status_line)}")
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep or not is_token(name):
            raise ProtocolError(f"malformed response header line: {preview(line)}")
        headers.append((name, value.strip(" \t")))
    return Response(match.group(1), int(match.group(2)), (match.group(3) or "").strip(), headers)


def header_values(headers: list, name: str) -> list:
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def header_tokens(headers: list, name: str) -> list:
    """The comma-separated tokens of every ``name`` field, lower-cased."""
    tokens = []
    for value in header_values(headers, name):
        tokens.extend(part.strip().lower() for part in value.split(",") if part.strip())
    return tokens


def headers_dict(headers: list) -> dict:
    """Response headers with lower-case names; repeated fields joined with ', '."""
    result: dict = {}
    for name, value in headers:
        key = name.lower()
        result[key] = f"{result[key]}, {value}" if key in result else value
    return result


def status_message(response: Response, body: bytes = b"") -> str:
    """'expected 101, got 400 Bad Request' plus what that usually means."""
    got = f"{response.status} {response.reason}".strip()
    msg = f"expected 101, got {got}"
    hint = STATUS_HINTS.get(response.status)
    if response.status in _REDIRECTS:
        location = ", ".join(header_values(response.headers, "location")) or "nowhere"
        hint = f"redirected to {location}"
    if hint:
        msg += f" ({hint})"
    snippet = body_preview(body)
    if snippet:
        msg += f"; the body says: {snippet}"
    return msg


def body_preview(body: bytes, limit: int = 120) -> str:
    text = body.decode("utf-8", "replace")
    text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_upgrade(
    response: Response, key: str, offered_subprotocols: list | tuple = (), body: bytes = b""
) -> tuple:
    """Check the server's answer to the opening handshake (RFC 6455 4.1, client side).

    Returns ``(error, subprotocol)``: ``error`` is None when the upgrade is valid.
    ``body`` is whatever followed the head (quoted in the message of a refusal).
    """
    if response.status != 101:
        return status_message(response, body), None
    upgrade = header_tokens(response.headers, "upgrade")
    if "websocket" not in upgrade:
        got = ", ".join(header_values(response.headers, "upgrade")) or "none"
        return f"the 101 response lacks 'Upgrade: websocket' (Upgrade: {got})", None
    if "upgrade" not in header_tokens(response.headers, "connection"):
        got = ", ".join(header_values(response.headers, "connection")) or "none"
        return f"the 101 response lacks 'Connection: Upgrade' (Connection: {got})", None
    accepts = header_values(response.headers, "sec-websocket-accept")
    expected = accept_for(key)
    if len(accepts) != 1:
        what = "no" if not accepts else f"{len(accepts)}"
        return f"the 101 response has {what} Sec-WebSocket-Accept header(s), expected one", None
    if accepts[0].strip() != expected:
        return (
            f"wrong Sec-WebSocket-Accept: got '{accepts[0].strip()}', expected '{expected}' "
            "for the key sent (the server or a proxy does not implement RFC 6455)",
            None,
        )
    extensions = header_tokens(response.headers, "sec-websocket-extensions")
    if extensions:
        names = ", ".join(sorted({ext.split(";")[0].strip() for ext in extensions}))
        return f"the server enabled extension(s) that were not offered: {names}", None
    protocols = header_tokens(response.headers, "sec-websocket-protocol")
    if not protocols:
        return None, None
    offered = [p.lower() for p in offered_subprotocols]
    raw = ", ".join(header_values(response.headers, "sec-websocket-protocol"))
    if len(protocols) != 1:
        return f"the server selected several subprotocols ({raw}), expected at most one", None
    if protocols[0] not in offered:
        offer = ", ".join(offered_subprotocols) if offered_subprotocols else "none"
        return (
            f"the server selected subprotocol '{raw}' which was not offered (offered: {offer})",
            None,
        )
    # Report the subprotocol in the spelling that was offered.
    return None, offered_subprotocols[offered.index(protocols[0])]


# ---------------------------------------------------------------------------
# Frames


def mask_bytes(payload: bytes, mask_key: bytes) -> bytes:
    """XOR ``payload`` with the 4-byte ``mask_key`` repeated (masking and unmasking)."""
    length = len(payload)
    if not length:
        return b""
    repeated = (mask_key * (length // 4 + 1))[:length]
    value = int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")
    return value.to_bytes(length, "big")


def encode_frame(
    opcode: int, payload: bytes = b"", fin: bool = True, mask_key: bytes | None = None
) -> bytes:
    """One frame; client frames carry a ``mask_key`` (4 random bytes), server frames none."""
    if opcode not in OPCODE_NAMES:
        raise ValueError(f"unknown opcode {opcode:#x}")
    if opcode in CONTROL_OPCODES and (len(payload) > 125 or not fin):
        raise ValueError("control frames must be final and carry at most 125 bytes")
    first = (0x80 if fin else 0) | opcode
    mask_bit = 0x80 if mask_key is not None else 0
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if mask_key is None:
        return header + payload
    if len(mask_key) != 4:
        raise ValueError("the mask key must be 4 bytes")
    return header + mask_key + mask_bytes(payload, mask_key)


def client_frame(opcode: int, payload: bytes = b"") -> bytes:
    """A final, masked frame with a fresh random mask (what a client sends)."""
    return encode_frame(opcode, payload, mask_key=os.urandom(4))


def decode_frame(buffer: bytes, max_size: int = MAX_MESSAGE) -> tuple | None:
    """Decode one server frame from the start of ``buffer``.

    Returns ``(frame, consumed)``, or None when more bytes are needed. Raises
    ProtocolError for what a client must fail the connection on (RFC 6455 5.1-5.5).
    """
    if len(buffer) < 2:
        return None
    first, second = buffer[0], buffer[1]
    fin = bool(first & 0x80)
    opcode = first & 0x0F
    if first & 0x70:
        raise ProtocolError("the server set reserved frame bits without a negotiated extension")
    if opcode not in OPCODE_NAMES:
        raise ProtocolError(f"the server sent a frame with unknown opcode {opcode:#x}")
    if second & 0x80:
        raise ProtocolError("the server sent a masked frame (servers must not mask)")
    length = second & 0x7F
    offset = 2
    if length == 126:
        if len(buffer) < 4:
            return None
        (length,) = struct.unpack_from("!H", buffer, 2)
        offset = 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        (length,) = struct.unpack_from("!Q", buffer, 2)
        if length >> 63:
            raise ProtocolError("the server sent a frame length with the top bit set")
        offset = 10
    if opcode in CONTROL_OPCODES:
        if not fin:
            raise ProtocolError(f"the server fragmented a {OPCODE_NAMES[opcode]} frame")
        if length > 125:
            raise ProtocolError(f"the server sent a {OPCODE_NAMES[opcode]} frame over 125 bytes")
    if length > max_size:
        raise ProtocolError(f"the server sent a frame of {length} bytes (limit {max_size})")
    end = offset + length
    if len(buffer) < end:
        return None
    return Frame(fin, opcode, bytes(buffer[offset:end])), end


def encode_close(code: int = CLOSE_NORMAL, reason: str = "") -> bytes:
    """The payload of a close frame."""
    data = struct.pack("!H", code) + reason.encode("utf-8")
    if len(data) > 125:
        raise ValueError("the close reason is too long")
    return data


def parse_close(payload: bytes) -> tuple:
    """``(code, reason)`` of a close frame; code None when the frame carries none."""
    if not payload:
        return None, ""
    if len(payload) == 1:
        raise ProtocolError("the server sent a close frame with a 1-byte payload")
    (code,) = struct.unpack_from("!H", payload)
    if code not in _SENDABLE_CLOSE_CODES and not 3000 <= code <= 4999:
        raise ProtocolError(f"the server sent the invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the server sent a close reason that is not UTF-8") from None
    return code, reason


def describe_close(code: int | None, reason: str = "") -> str:
    """'1008 (policy violation): origin not allowed' for messages."""
    if code is None:
        text = "no status code"
    else:
        name = CLOSE_NAMES.get(code)
        text = f"{code} ({name})" if name else str(code)
    if reason:
        text += f": {preview(reason)}"
    return text


class MessageReader:
    """Turn the server's byte stream into events, reassembling fragmented messages."""

    def __init__(self, max_size: int = MAX_MESSAGE) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        self._opcode: int | None = None
        self._parts: list = []
        self._size = 0

    def feed(self, data: bytes) -> list:
        """Add received bytes; return the events now complete, in order."""
        self._buffer.extend(data)
        events = []
        while True:
            decoded = decode_frame(self._buffer, self.max_size)
            if decoded is None:
                return events
            frame, consumed = decoded
            del self._buffer[:consumed]
            event = self._frame(frame)
            if event is not None:
                events.append(event)

    def _frame(self, frame: Frame) -> Event | None:
        if frame.opcode == OP_CLOSE:
            code, reason = parse_close(frame.payload)
            return Event("close", frame.payload, code, reason)
        if frame.opcode in (OP_PING, OP_PONG):
            return Event(OPCODE_NAMES[frame.opcode], frame.payload)
        if frame.opcode == OP_CONT:
            if self._opcode is None:
                raise ProtocolError("the server sent a continuation frame outside a message")
        elif self._opcode is not None:
            raise ProtocolError("the server started a new message inside a fragmented one")
        else:
            self._opcode = frame.opcode
        self._size += len(frame.payload)
        if self._size > self.max_size:
            raise ProtocolError(f"the server sent a message over {self.max_size} bytes")
        self._parts.append(frame.payload)
        if not frame.fin:
            return None
        opcode, data = self._opcode, b"".join(self._parts)
        self._opcode, self._parts, self._size = None, [], 0
        if opcode == OP_TEXT:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError("the server sent a text message that is not UTF-8") from None
        return Event(OPCODE_NAMES[opcode], data)


def preview(value: object, limit: int = 60) -> str:
    """A short quoted rendering of ``value`` for messages."""
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "replace")
    else:
        text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)
