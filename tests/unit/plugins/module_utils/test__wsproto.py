# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The pure RFC 6455 client logic: no sockets."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.wss.gateway.plugins.module_utils import _wsproto as ws

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def response(status=101, reason="Switching Protocols", headers=None, key=RFC_KEY):
    if headers is None:
        headers = [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", ws.accept_for(key)),
        ]
    return ws.Response("HTTP/1.1", status, reason, headers)


# -- URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("wss://chat.example.com/ws", ("wss", "chat.example.com", 443, "/ws")),
        ("ws://chat.example.com", ("ws", "chat.example.com", 80, "/")),
        (
            "WSS://Chat.Example.com:8443/a/b?x=1&y=2",
            ("wss", "chat.example.com", 8443, "/a/b?x=1&y=2"),
        ),
        ("wss://127.0.0.1:8443/ws", ("wss", "127.0.0.1", 8443, "/ws")),
        ("ws://[::1]:9000/", ("ws", "::1", 9000, "/")),
        ("wss://bücher.example/", ("wss", "xn--bcher-kva.example", 443, "/")),
        # Not printable ASCII in the path or query: percent-encoded as UTF-8, as browsers do.
        ("wss://a/caf\u00e9?q=\u20ac", ("wss", "a", 443, "/caf%C3%A9?q=%E2%82%AC")),
        ("wss://a/\U0001f600", ("wss", "a", 443, "/%F0%9F%98%80")),
        ("wss://a/x\x00y\x7f", ("wss", "a", 443, "/x%00y%7F")),
        # What is already encoded, and reserved characters, stay as they are.
        ("wss://a/caf%C3%A9?a=%20&b=c;d", ("wss", "a", 443, "/caf%C3%A9?a=%20&b=c;d")),
    ],
)
def test_parse_url(url, expected):
    parsed = ws.parse_url(url)
    assert tuple(parsed) == expected
    assert parsed.secure == (expected[0] == "wss")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("https://chat.example.com/", "not a ws:// or wss:// URL"),
        ("chat.example.com", "not a ws:// or wss:// URL"),
        ("wss://chat.example.com/ws#top", "fragment"),
        ("wss://user:pw@chat.example.com/", "user information"),
        ("wss:///ws", "no host"),
        ("wss://chat.example.com:99999/", "invalid port"),
        ("wss://chat.example.com:0/", "invalid port"),
        ("wss://chat.example.com:abc/", "invalid port"),
        ("wss://chat example.com/", "white space"),
        ("wss://a/\ud800", "cannot be encoded as UTF-8"),
    ],
)
def test_parse_url_errors(url, fragment):
    with pytest.raises(ValueError, match=fragment):
        ws.parse_url(url)


@pytest.mark.parametrize(
    ("host", "port", "scheme", "expected"),
    [
        ("chat.example.com", 443, "wss", "chat.example.com"),
        ("chat.example.com", 80, "ws", "chat.example.com"),
        ("chat.example.com", 80, "wss", "chat.example.com:80"),
        ("chat.example.com", 8443, "wss", "chat.example.com:8443"),
        ("::1", 443, "wss", "[::1]"),
        ("::1", 9000, "ws", "[::1]:9000"),
    ],
)
def test_host_header(host, port, scheme, expected):
    assert ws.host_header(host, port, scheme) == expected


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"Authorization": "Bearer x", "X-Trace": "1"}, None),
        ({"Host": "a"}, "use the server_hostname option"),
        ({"origin": "https://a"}, "use the origin option"),
        ({"Sec-WebSocket-Protocol": "chat"}, "use the subprotocols option"),
        ({"Sec-WebSocket-Key": "x"}, "the check sets it itself"),
        ({"Connection": "close"}, "the check sets it itself"),
        ({"Bad Name": "x"}, "not a valid HTTP token"),
        ({"X-Evil": "a\r\nHost: b"}, "control character"),
        ({"Authorization": "Bearer caf\u00e9"}, "header 'Authorization' has a non-ASCII"),
        ({"Cookie": "\u20ac"}, "header 'Cookie' has a non-ASCII character in its value"),
        ({"X-\u00e9": "x"}, "not a valid HTTP token"),
    ],
)
def test_header_errors(headers, fragment):
    errors = ws.header_errors(headers)
    if fragment is None:
        assert errors == []
    else:
        assert len(errors) == 1
        assert fragment in errors[0]
        # A value is never quoted: it may be a credential.
        for value in headers.values():
            assert len(value) < 2 or value not in errors[0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resource": "/caf\u00e9"}, "the path"),
        ({"host": "b\u00fccher.example"}, "the Host header"),
        ({"origin": "https://b\u00fccher.example"}, "origin"),
        ({"subprotocols": ["\u00e9"]}, "subprotocols"),
        ({"headers": {"Authorization": "Bearer \u20ac-secret"}}, "header 'Authorization'"),
        ({"headers": {"Authorization": "Bearer \u00e9-secret"}}, "header 'Authorization'"),
        ({"headers": {"X-Evil": "a\r\nHost: b"}}, "header 'X-Evil'"),
    ],
)
def test_build_request_refuses_what_is_not_ascii_naming_the_field(overrides, field):
    args = {"resource": "/", "host": "a", "key": ws.make_key(b"k" * 16), **overrides}
    with pytest.raises(ValueError) as caught:
        ws.build_request(args.pop("resource"), args.pop("host"), args.pop("key"), **args)
    message = str(caught.value)
    assert message == f"{field} cannot be sent: it holds a non-ASCII or control character"
    assert not isinstance(caught.value, UnicodeError)


# -- Opening handshake ---------------------------------------------------------------


def test_accept_matches_rfc_example():
    assert ws.accept_for(RFC_KEY) == RFC_ACCEPT


@pytest.mark.parametrize("random_bytes", [bytes(16), bytes(range(16)), b"\xff" * 16])
def test_make_key_is_base64_of_16_bytes(random_bytes):
    key = ws.make_key(random_bytes)
    assert len(key) == 24
    assert key.endswith("==")


def test_make_key_is_random():
    assert ws.make_key() != ws.make_key()


def test_make_key_rejects_wrong_length():
    with pytest.raises(ValueError, match="16 bytes"):
        ws.make_key(b"short")


def test_build_request_minimal():
    data = ws.build_request("/ws", "chat.example.com", RFC_KEY)
    text = data.decode("latin-1")
    assert text.startswith("GET /ws HTTP/1.1\r\nHost: chat.example.com\r\n")
    assert text.endswith("\r\n\r\n")
    lines = text.split("\r\n")
    for line in (
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {RFC_KEY}",
        "Sec-WebSocket-Version: 13",
        "User-Agent: wss.gateway-wss_check",
    ):
        assert line in lines
    assert not any(line.startswith(("Origin", "Sec-WebSocket-Protocol")) for line in lines)


def test_build_request_options():
    data = ws.build_request(
        "/ws?x=1",
        "chat.example.com:8443",
        RFC_KEY,
        origin="https://chat.example.com",
        subprotocols=["chat.v2", "chat.v1"],
        headers={"Authorization": "Bearer t", "User-Agent": "probe"},
    )
    lines = data.decode("latin-1").split("\r\n")
    assert lines[0] == "GET /ws?x=1 HTTP/1.1"
    assert "Host: chat.example.com:8443" in lines
    assert "Origin: https://chat.example.com" in lines
    assert "Sec-WebSocket-Protocol: chat.v2, chat.v1" in lines
    assert "Authorization: Bearer t" in lines
    assert "User-Agent: probe" in lines
    assert "User-Agent: wss.gateway-wss_check" not in lines


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [
        (b"HTTP/1.1 101 OK\r\n", None),
        (b"HTTP/1.1 101 OK\r\nA: b\r\n\r\n", (b"HTTP/1.1 101 OK\r\nA: b", b"")),
        (b"HTTP/1.1 101 OK\r\n\r\n\x81\x02hi", (b"HTTP/1.1 101 OK", b"\x81\x02hi")),
    ],
)
def test_split_head(buffer, expected):
    assert ws.split_head(buffer) == expected


def test_split_head_limits_size():
    with pytest.raises(ws.ProtocolError, match="larger than"):
        ws.split_head(b"X" * (ws.MAX_HEAD + 1))


def test_parse_response_head():
    head = (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nX-Long: a\r\n  b\r\nSec-WebSocket-Accept:  abc= "
    )
    parsed = ws.parse_response_head(head)
    assert parsed.status == 101
    assert parsed.reason == "Switching Protocols"
    assert parsed.headers == [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("X-Long", "a b"),
        ("Sec-WebSocket-Accept", "abc="),
    ]


@pytest.mark.parametrize(
    ("head", "status", "reason"),
    [
        (b"HTTP/1.1 400 Bad Request", 400, "Bad Request"),
        (b"HTTP/1.0 200 OK", 200, "OK"),
        (b"HTTP/1.1 426", 426, ""),
    ],
)
def test_parse_status_line(head, status, reason):
    parsed = ws.parse_response_head(head)
    assert (parsed.status, parsed.reason) == (status, reason)


@pytest.mark.parametrize(
    "head",
    [b"SSH-2.0-OpenSSH_9.2", b"HTTP/2 101", b"HTTP/1.1 1O1 x", b"HTTP/1.1 101 OK\r\nno colon"],
)
def test_parse_response_head_rejects(head):
    with pytest.raises(ws.ProtocolError):
        ws.parse_response_head(head)


def test_header_helpers():
    headers = [("Connection", "keep-alive, Upgrade"), ("connection", "x"), ("Set-Cookie", "a=1")]
    assert ws.header_tokens(headers, "CONNECTION") == ["keep-alive", "upgrade", "x"]
    assert ws.header_values(headers, "set-cookie") == ["a=1"]
    assert ws.headers_dict(headers) == {"connection": "keep-alive, Upgrade, x", "set-cookie": "a=1"}


def test_check_upgrade_ok():
    assert ws.check_upgrade(response(), RFC_KEY) == (None, None)


@pytest.mark.parametrize(
    "headers",
    [
        [("upgrade", "WebSocket"), ("connection", "keep-alive, upgrade")],
        [("UPGRADE", "websocket"), ("CONNECTION", "UPGRADE")],
    ],
)
def test_check_upgrade_is_case_insensitive(headers):
    headers = [*headers, ("Sec-WebSocket-Accept", RFC_ACCEPT)]
    assert ws.check_upgrade(response(headers=headers), RFC_KEY) == (None, None)


@pytest.mark.parametrize(
    ("status", "reason", "headers", "fragment"),
    [
        (400, "Bad Request", [], "expected 101, got 400 Bad Request"),
        (200, "OK", [], "did not pass the upgrade on"),
        (426, "Upgrade Required", [], "Upgrade Required"),
        (403, "Forbidden", [], "Origin"),
        (502, "Bad Gateway", [], "raise the location's buffer_size"),
        (308, "Permanent Redirect", [("Location", "wss://b/")], "redirected to wss://b/"),
        (418, "", [], "expected 101, got 418"),
    ],
)
def test_check_upgrade_status(status, reason, headers, fragment):
    error = ws.check_upgrade(response(status, reason, headers), RFC_KEY)[0]
    assert fragment in error


def test_check_upgrade_status_quotes_body():
    error = ws.check_upgrade(response(400, "Bad Request", []), RFC_KEY, (), b"<p>missing key</p>")[
        0
    ]
    assert error.endswith("the body says: missing key")


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ([("Connection", "Upgrade"), ("Sec-WebSocket-Accept", RFC_ACCEPT)], "lacks 'Upgrade"),
        ([("Upgrade", "h2c"), ("Connection", "Upgrade")], "lacks 'Upgrade: websocket'"),
        ([("Upgrade", "websocket"), ("Sec-WebSocket-Accept", RFC_ACCEPT)], "'Connection: Upgrade'"),
        ([("Upgrade", "websocket"), ("Connection", "keep-alive")], "'Connection: Upgrade'"),
        ([("Upgrade", "websocket"), ("Connection", "Upgrade")], "no Sec-WebSocket-Accept"),
        (
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", RFC_ACCEPT),
                ("Sec-WebSocket-Accept", RFC_ACCEPT),
            ],
            "2 Sec-WebSocket-Accept",
        ),
        (
            [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "x=")],
            f"wrong Sec-WebSocket-Accept: got 'x=', expected '{RFC_ACCEPT}'",
        ),
        (
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", RFC_ACCEPT),
                ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
            ],
            "extension(s) that were not offered: permessage-deflate",
        ),
        (
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", RFC_ACCEPT),
                ("Sec-WebSocket-Protocol", "mqtt"),
            ],
            "subprotocol 'mqtt' which was not offered (offered: chat)",
        ),
        (
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", RFC_ACCEPT),
                ("Sec-WebSocket-Protocol", "chat, mqtt"),
            ],
            "several subprotocols",
        ),
    ],
)
def test_check_upgrade_rejects(headers, fragment):
    error, subprotocol = ws.check_upgrade(response(headers=headers), RFC_KEY, ["chat"])
    assert fragment in error
    assert subprotocol is None


def test_check_upgrade_unoffered_subprotocol_when_none_offered():
    headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", RFC_ACCEPT),
        ("Sec-WebSocket-Protocol", "chat"),
    ]
    error = ws.check_upgrade(response(headers=headers), RFC_KEY)[0]
    assert "(offered: none)" in error


@pytest.mark.parametrize(
    ("selected", "expected"),
    [(None, None), ("chat.v1", "chat.v1"), ("CHAT.V2", "Chat.v2")],
)
def test_check_upgrade_subprotocol(selected, expected):
    headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", RFC_ACCEPT),
    ]
    if selected:
        headers.append(("Sec-WebSocket-Protocol", selected))
    result = ws.check_upgrade(response(headers=headers), RFC_KEY, ["Chat.v2", "chat.v1"])
    assert result == (None, expected)


# -- Frames ----------------------------------------------------------------------------

RFC_MASK = bytes.fromhex("37fa213d")


@pytest.mark.parametrize(
    ("opcode", "payload", "fin", "mask", "wire"),
    [
        # RFC 6455 section 5.7 examples.
        (ws.OP_TEXT, b"Hello", True, None, "810548656c6c6f"),
        (ws.OP_TEXT, b"Hello", True, RFC_MASK, "818537fa213d7f9f4d5158"),
        (ws.OP_TEXT, b"Hel", False, None, "010348656c"),
        (ws.OP_CONT, b"lo", True, None, "80026c6f"),
        (ws.OP_PING, b"Hello", True, None, "890548656c6c6f"),
        (ws.OP_PONG, b"Hello", True, RFC_MASK, "8a8537fa213d7f9f4d5158"),
        (ws.OP_CLOSE, b"", True, None, "8800"),
    ],
)
def test_encode_frame_rfc_examples(opcode, payload, fin, mask, wire):
    assert ws.encode_frame(opcode, payload, fin=fin, mask_key=mask).hex() == wire


@pytest.mark.parametrize(
    ("length", "header"),
    [
        (125, "827d"),
        (126, "827e007e"),
        (256, "827e0100"),
        (65535, "827effff"),
        (65536, "827f0000000000010000"),
    ],
)
def test_encode_frame_lengths(length, header):
    frame = ws.encode_frame(ws.OP_BINARY, bytes(length))
    assert frame.hex().startswith(header)
    assert len(frame) == len(header) // 2 + length


@pytest.mark.parametrize(
    ("opcode", "payload", "fin", "mask"),
    [
        (ws.OP_PING, bytes(126), True, None),
        (ws.OP_CLOSE, b"", False, None),
        (0x3, b"", True, None),
        (ws.OP_TEXT, b"x", True, b"123"),
    ],
)
def test_encode_frame_rejects(opcode, payload, fin, mask):
    with pytest.raises(ValueError):
        ws.encode_frame(opcode, payload, fin=fin, mask_key=mask)


@pytest.mark.parametrize("payload", [b"", b"a", b"abcd", b"hello world", bytes(range(256)) * 3])
def test_mask_round_trip(payload):
    masked = ws.mask_bytes(payload, RFC_MASK)
    assert len(masked) == len(payload)
    assert ws.mask_bytes(masked, RFC_MASK) == payload


def test_client_frame_is_masked_with_fresh_key():
    first = ws.client_frame(ws.OP_TEXT, b"hello")
    second = ws.client_frame(ws.OP_TEXT, b"hello")
    assert first[1] & 0x80
    assert first[2:6] != second[2:6]
    assert ws.mask_bytes(first[6:], first[2:6]) == b"hello"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("810548656c6c6f", (ws.Frame(True, ws.OP_TEXT, b"Hello"), 7)),
        ("810548656c6c6fff", (ws.Frame(True, ws.OP_TEXT, b"Hello"), 7)),
        ("8105486c", None),
        ("81", None),
        ("827e01", None),
        ("827f00000000", None),
    ],
)
def test_decode_frame(wire, expected):
    assert ws.decode_frame(bytes.fromhex(wire)) == expected


def test_decode_frame_long_lengths():
    for length in (126, 70000):
        frame, consumed = ws.decode_frame(ws.encode_frame(ws.OP_BINARY, b"x" * length))
        assert frame.payload == b"x" * length
        assert consumed == len(frame.payload) + (4 if length < 65536 else 10)


@pytest.mark.parametrize(
    ("wire", "fragment"),
    [
        ("c10548656c6c6f", "reserved frame bits"),
        ("830548656c6c6f", "unknown opcode"),
        ("818537fa213d7f9f4d5158", "masked frame"),
        ("0900", "fragmented a ping"),
        ("897e007e" + "00" * 126, "over 125 bytes"),
        ("827f8000000000000000", "top bit"),
    ],
)
def test_decode_frame_rejects(wire, fragment):
    with pytest.raises(ws.ProtocolError, match=fragment):
        ws.decode_frame(bytes.fromhex(wire))


def test_decode_frame_size_limit():
    with pytest.raises(ws.ProtocolError, match="limit 10"):
        ws.decode_frame(ws.encode_frame(ws.OP_BINARY, bytes(11)), max_size=10)


# -- Close -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "wire"),
    [(1000, "", "03e8"), (1001, "bye", "03e9627965")],
)
def test_encode_close(code, reason, wire):
    assert ws.encode_close(code, reason).hex() == wire


def test_encode_close_too_long():
    with pytest.raises(ValueError):
        ws.encode_close(1000, "x" * 124)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", (None, "")),
        (struct.pack("!H", 1000), (1000, "")),
        (struct.pack("!H", 1011) + b"boom", (1011, "boom")),
        (struct.pack("!H", 4000) + "é".encode(), (4000, "é")),
    ],
)
def test_parse_close(payload, expected):
    assert ws.parse_close(payload) == expected


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"\x03", "1-byte"),
        (struct.pack("!H", 1005), "invalid close code 1005"),
        (struct.pack("!H", 999), "invalid close code 999"),
        (struct.pack("!H", 5000), "invalid close code 5000"),
        (struct.pack("!H", 1000) + b"\xff", "not UTF-8"),
    ],
)
def test_parse_close_rejects(payload, fragment):
    with pytest.raises(ws.ProtocolError, match=fragment):
        ws.parse_close(payload)


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (1000, "", "1000 (normal closure)"),
        (1008, "origin", "1008 (policy violation): 'origin'"),
        (4001, "", "4001"),
        (None, "", "no status code"),
    ],
)
def test_describe_close(code, reason, expected):
    assert ws.describe_close(code, reason) == expected


# -- Message reassembly ----------------------------------------------------------------


def frames(*parts):
    return b"".join(ws.encode_frame(op, data, fin=fin) for op, data, fin in parts)


def test_reader_reassembles_fragments_around_control_frames():
    wire = frames(
        (ws.OP_TEXT, b"Hel", False),
        (ws.OP_PING, b"p", True),
        (ws.OP_CONT, b"l", False),
        (ws.OP_PONG, b"", True),
        (ws.OP_CONT, b"o", True),
        (ws.OP_BINARY, b"\x00\x01", True),
        (ws.OP_CLOSE, ws.encode_close(1000, "done"), True),
    )
    reader = ws.MessageReader()
    events = []
    for index in range(len(wire)):  # one byte at a time: every split point
        events.extend(reader.feed(wire[index : index + 1]))
    assert events == [
        ws.Event("ping", b"p"),
        ws.Event("pong", b""),
        ws.Event("text", b"Hello"),
        ws.Event("binary", b"\x00\x01"),
        ws.Event("close", ws.encode_close(1000, "done"), 1000, "done"),
    ]


@pytest.mark.parametrize(
    ("parts", "fragment"),
    [
        ([(ws.OP_CONT, b"x", True)], "continuation frame outside a message"),
        ([(ws.OP_TEXT, b"x", False), (ws.OP_TEXT, b"y", True)], "new message inside"),
        ([(ws.OP_TEXT, b"\xff\xfe", True)], "not UTF-8"),
        ([(ws.OP_TEXT, b"\xc3", False), (ws.OP_CONT, b"\x28", True)], "not UTF-8"),
        ([(ws.OP_BINARY, b"12345", False), (ws.OP_CONT, b"678", True)], "over 6 bytes"),
    ],
)
def test_reader_rejects(parts, fragment):
    reader = ws.MessageReader(max_size=6)
    with pytest.raises(ws.ProtocolError, match=fragment):
        reader.feed(frames(*parts))


def test_reader_utf8_split_across_fragments():
    text = "héllo".encode()
    wire = frames((ws.OP_TEXT, text[:2], False), (ws.OP_CONT, text[2:], True))
    assert ws.MessageReader().feed(wire) == [ws.Event("text", text)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "'abc'"), (b"abc", "'abc'"), ("x" * 100, "'" + "x" * 57 + "...'")],
)
def test_preview(value, expected):
    assert ws.preview(value) == expected
