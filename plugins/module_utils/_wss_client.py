# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Run the live WebSocket check against one or many endpoints.

``run_checks(params)`` is the entry point: it takes the module's parameters (a plain dict),
checks every endpoint concurrently (at most ``max_parallel`` sockets at once) and returns
the structured report. ``check_endpoint`` runs one check: DNS, TCP, TLS, the opening
handshake, an optional echo round trip and the closing handshake, within one wall-clock
budget (``timeout``) for the whole endpoint. Standard library only.
"""

from __future__ import annotations

import collections
import ipaddress
import math
import os
import socket
import ssl
import threading
import time
import traceback

from ansible_collections.wss.gateway.plugins.module_utils import _wss_cert as cert
from ansible_collections.wss.gateway.plugins.module_utils._wsproto import (
    CLOSE_NORMAL,
    OP_CLOSE,
    OP_PONG,
    OP_TEXT,
    MessageReader,
    ProtocolError,
    ascii_host,
    build_request,
    check_upgrade,
    client_frame,
    describe_close,
    encode_close,
    header_errors,
    header_values,
    headers_dict,
    host_header,
    host_port,
    is_token,
    make_key,
    parse_response_head,
    parse_url,
    preview,
    split_head,
    value_error,
)

STAGES = ("dns", "tcp", "tls", "http", "upgrade", "echo", "close")
# Options an endpoint entry may set; the top-level option of the same name is the default.
ENDPOINT_OPTIONS = (
    "server_hostname",
    "ca_path",
    "ca_content",
    "validate_certs",
    "client_cert",
    "client_key",
    "origin",
    "subprotocols",
    "headers",
    "echo_message",
    "timeout",
    "min_cert_days",
    "proxy_protocol",
)
DEFAULTS = {
    "server_hostname": None,
    "ca_path": None,
    "ca_content": None,
    "validate_certs": True,
    "client_cert": None,
    "client_key": None,
    "origin": None,
    "subprotocols": [],
    "headers": {},
    "echo_message": None,
    "timeout": 10.0,
    "min_cert_days": 0,
    "proxy_protocol": False,
}
DEFAULT_MAX_PARALLEL = 32
# The longest timeout accepted (a day): beyond it a budget means nothing, and far beyond
# it socket timeouts overflow.
MAX_TIMEOUT = 86400
RECV_SIZE = 65536
BODY_PREVIEW = 512


class InvalidParams(ValueError):
    """The parameters cannot be checked at all (a usage error, not a failed endpoint)."""


class StageError(Exception):
    """One endpoint failed at ``stage`` for the reason ``msg``."""

    def __init__(self, stage: str, msg: str) -> None:
        super().__init__(msg)
        self.stage = stage
        self.msg = msg


def seconds(value: float) -> str:
    """2 -> '2.0 s', 0.25 -> '0.25 s'."""
    value = float(value)
    return f"{value:.1f} s" if value == round(value, 1) else f"{value:g} s"


def ms(delta: float) -> float:
    return round(delta * 1000.0, 2)


class Deadline:
    """The endpoint's wall-clock budget: every blocking call gets what is left of it."""

    def __init__(self, timeout: float, start: float) -> None:
        self.timeout = timeout
        self.end = start + timeout

    def remaining(self) -> float:
        return self.end - time.perf_counter()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def timed_out(self, stage: str, doing: str) -> StageError:
        return StageError(stage, f"timed out after {seconds(self.timeout)} {doing}")


# ---------------------------------------------------------------------------
# Parameters


def endpoint_settings(params: dict) -> list:
    """One settings dict per endpoint: the entry's values over the top-level defaults."""
    top = {name: params.get(name) for name in ENDPOINT_OPTIONS}
    for name, default in DEFAULTS.items():
        if top[name] is None:
            top[name] = default
    entries = params.get("endpoints")
    if not entries:
        entries = [{"url": params.get("url")}]
    settings = []
    for entry in entries:
        merged = {"url": entry.get("url")}
        for name in ENDPOINT_OPTIONS:
            value = entry.get(name)
            merged[name] = top[name] if value is None else value
        merged["subprotocols"] = list(merged["subprotocols"])
        merged["headers"] = {str(k): str(v) for k, v in dict(merged["headers"]).items()}
        merged["timeout"] = float(merged["timeout"])
        merged["min_cert_days"] = int(merged["min_cert_days"])
        merged["proxy_protocol"] = bool(merged["proxy_protocol"])
        settings.append(merged)
    return settings


def label(settings: dict) -> str:
    """How messages name an endpoint: its URL, and the name it is checked as."""
    if settings.get("server_hostname"):
        return f"{settings['url']} (as {settings['server_hostname']})"
    return str(settings["url"])


def timeout_error(timeout: float) -> str | None:
    """Why ``timeout`` cannot be an endpoint's budget (None: it can)."""
    if math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT:
        return None
    return (
        f"timeout must be a finite number of seconds greater than 0 and at most "
        f"{MAX_TIMEOUT}, got {timeout!r}"
    )


def settings_errors(settings_list: list) -> list:
    """Usage errors in the merged settings, each naming the endpoint's URL."""
    errors = []
    for settings in settings_list:
        where = f"endpoint '{settings['url']}'"
        try:
            url = parse_url(settings["url"])
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
            continue
        error = timeout_error(settings["timeout"])
        if error:
            errors.append(f"{where}: {error}")
        if settings["min_cert_days"] < 0:
            errors.append(f"{where}: min_cert_days must not be negative")
        for protocol in settings["subprotocols"]:
            if not isinstance(protocol, str) or not is_token(protocol):
                errors.append(f"{where}: subprotocol {protocol!r} is not a valid token")
        errors.extend(f"{where}: {error}" for error in header_errors(settings["headers"]))
        if settings["origin"] is not None:
            error = value_error(
                "origin", settings["origin"], hint=" (write its host in the IDNA xn-- form)"
            )
            if error:
                errors.append(f"{where}: {error}")
        if settings["server_hostname"] is not None:
            try:
                error = value_error("server_hostname", ascii_host(settings["server_hostname"]))
            except ValueError as exc:
                error = f"server_hostname {exc}"
            if error:
                errors.append(f"{where}: {error}")
        if settings["client_key"] and not settings["client_cert"]:
            errors.append(f"{where}: client_key needs client_cert")
        if not url.secure and settings["client_cert"]:
            errors.append(f"{where}: client_cert is only used with wss:// URLs")
    return errors


def summarise(results: list, settings_list: list) -> str:
    """The module's message: which endpoints failed and why, or that all passed."""
    failed = [(r, settings_list[i]) for i, r in enumerate(results) if not r["ok"]]
    total = len(results)
    if not failed:
        return f"{total} of {total} WebSocket endpoint(s) passed the check"
    reasons = "; ".join(f"{label(s)}: {r['stage']}: {r['msg']}" for r, s in failed)
    return f"{len(failed)} of {total} WebSocket endpoint(s) failed: {reasons}"


# ---------------------------------------------------------------------------
# TLS contexts


class ContextCache:
    """One SSLContext per distinct TLS setting, shared by the checks of one call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: dict = {}

    def get(self, settings: dict, check_hostname: bool = True) -> ssl.SSLContext:
        key = (
            bool(settings["validate_certs"]),
            check_hostname,
            settings["ca_path"],
            settings["client_cert"],
            settings["client_key"],
            settings["ca_content"],
        )
        with self._lock:
            if key not in self._contexts:
                try:
                    self._contexts[key] = (make_context(*key[:-1], ca_content=key[-1]), None)
                except StageError as exc:
                    self._contexts[key] = (None, exc.msg)
            context, error = self._contexts[key]
        if error:
            raise StageError("tls", error)
        return context


def make_context(
    validate: bool,
    check_hostname: bool,
    ca_path: str | None,
    client_cert: str | None,
    client_key: str | None,
    *,
    ca_content: str | None = None,
) -> ssl.SSLContext:
    """A client context: TLS 1.2 or later, verifying the chain and the name unless told not to."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    if validate:
        context.check_hostname = check_hostname
        try:
            if ca_path and os.path.isdir(ca_path):
                context.load_verify_locations(capath=ca_path)
            elif ca_path:
                context.load_verify_locations(cafile=ca_path)
            elif not ca_content:
                context.load_default_certs()
        except (OSError, ValueError) as exc:
            raise StageError("tls", f"cannot load ca_path '{ca_path}': {_reason(exc)}") from None
        if ca_content:
            try:
                context.load_verify_locations(cadata=ca_content)
            except (ssl.SSLError, ValueError) as exc:
                raise StageError(
                    "tls", f"cannot load ca_content (PEM CA certificates): {_reason(exc)}"
                ) from None
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client_cert:
        try:
            context.load_cert_chain(client_cert, client_key or None)
        except (OSError, ValueError) as exc:
            # The message names the paths only, never what is in them.
            raise StageError(
                "tls",
                f"cannot load client_cert '{client_cert}' / client_key '{client_key}': "
                f"{_reason(exc)}",
            ) from None
    return context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).replace("_", " ").lower()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


TLS_HINTS = (
    ("WRONG_VERSION_NUMBER", "the port does not speak TLS; is it a plain ws:// port?"),
    ("RECORD_LAYER_FAILURE", "the port does not speak TLS; is it a plain ws:// port?"),
    ("PACKET_LENGTH_TOO_LONG", "the port does not speak TLS; is it a plain ws:// port?"),
    ("UNSUPPORTED_PROTOCOL", "the server offers no TLS version 1.2 or later"),
    ("PROTOCOL_VERSION", "the server offers no TLS version 1.2 or later"),
    ("CERTIFICATE_REQUIRED", "the server wants a client certificate: set client_cert/client_key"),
    ("HANDSHAKE_FAILURE", "no cipher in common, or the server wants a client certificate"),
    ("UNRECOGNIZED_NAME", "the server has no certificate for this name (SNI)"),
    ("EOF", "the server hung up during the TLS handshake; is it a plain ws:// port?"),
)


def tls_error_message(exc: ssl.SSLError, what: str) -> str:
    """'<what>: <OpenSSL's reason> (<what it usually means>)'."""
    reason = str(exc.reason or "")
    msg = f"{what}: {_reason(exc)}"
    for marker, hint in TLS_HINTS:
        if marker in reason.upper():
            return f"{msg} ({hint})"
    return msg


# ---------------------------------------------------------------------------
# One endpoint


def _resolve(host: str, port: int, deadline: Deadline) -> list:
    """getaddrinfo, bounded by the deadline (it has no timeout of its own)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    box: dict = {}

    def lookup() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            box["error"] = exc

    worker = threading.Thread(target=lookup, name=f"wss_check-dns-{host}", daemon=True)
    worker.start()
    worker.join(max(deadline.remaining(), 0))
    if worker.is_alive():
        raise deadline.timed_out("dns", f"resolving {host}")
    if "error" in box:
        raise StageError("dns", f"cannot resolve {host}: {_reason(box['error'])}")
    if not box.get("infos"):
        raise StageError("dns", f"cannot resolve {host}: no addresses")
    return box["infos"]


def _connect(infos: list, deadline: Deadline) -> tuple:
    last = None
    for family, socktype, proto, _canonname, sockaddr in infos:
        peer = host_port(sockaddr[0], sockaddr[1])
        if deadline.expired():
            break
        sock = socket.socket(family, socktype, proto)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(max(deadline.remaining(), 0.0001))
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = (peer, exc)
            continue
        return sock, peer, (family, socktype, proto, "", sockaddr)
    if last is None:
        raise deadline.timed_out("tcp", "before connecting")
    peer, exc = last
    tried = f" (tried {len(infos)} addresses)" if len(infos) > 1 else ""
    if isinstance(exc, TimeoutError) or deadline.expired():
        raise deadline.timed_out("tcp", f"connecting to {peer}{tried}")
    if isinstance(exc, ConnectionRefusedError):
        raise StageError("tcp", f"connection refused by {peer}{tried} (nothing listens there)")
    raise StageError("tcp", f"cannot connect to {peer}{tried}: {_reason(exc)}")


def proxy_header(sock: socket.socket) -> bytes:
    """The PROXY protocol v1 line that names this connection truthfully: its own source and
    destination addresses and ports (for a listener that expects a load balancer's header)."""
    source, destination = sock.getsockname(), sock.getpeername()
    family = "TCP6" if sock.family == socket.AF_INET6 else "TCP4"
    line = f"PROXY {family} {source[0]} {destination[0]} {source[1]} {destination[1]}\r\n"
    return line.encode("ascii")


def unexpected_error(exc: BaseException) -> str:
    """The message for a bug: where it happened, never the exception's text.

    The text of an exception can quote the request it choked on (a UnicodeEncodeError holds
    the whole string, Authorization header included), so only its type and place are told.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return (
        f"unexpected error: {type(exc).__name__}{where} (its details are not shown because "
        "they may quote the request; please report this as a bug)"
    )


class _Check:
    """The state of one endpoint's check while it runs."""

    def __init__(self, settings: dict, contexts: ContextCache, clock) -> None:
        self.settings = settings
        self.contexts = contexts
        self.clock = clock
        self.sock: socket.socket | None = None
        self.peer = ""
        self.addr: tuple | None = None
        self.reader = MessageReader()
        self.pending: collections.deque = collections.deque()
        self.leftover = b""
        self.deadline: Deadline | None = None
        self.result = {
            "ok": False,
            "url": settings["url"],
            "server_hostname": settings.get("server_hostname"),
            "address": None,
            "stage": None,
            "msg": "",
            "status": None,
            "headers": {},
            "subprotocol": None,
            "tls": None,
            "timings_ms": {
                "dns": None,
                "connect": None,
                "tls": None,
                "upgrade": None,
                "echo": None,
                "close": None,
                "total": None,
            },
        }

    # -- I/O bounded by the deadline ------------------------------------------------

    def _io_error(self, stage: str, exc: OSError, doing: str) -> StageError:
        if isinstance(exc, TimeoutError) or self.deadline.expired():
            return self.deadline.timed_out(stage, doing)
        if isinstance(exc, ssl.SSLError):
            # An alert after the handshake (TLS 1.3 sends "certificate required" then, for
            # one) is still a TLS problem: report it at the tls stage.
            return StageError("tls", tls_error_message(exc, f"TLS error from {self.peer} {doing}"))
        if isinstance(exc, ConnectionResetError):
            # A TLS 1.3 server that refuses a client without a certificate may reset the
            # connection instead of sending its alert, before any HTTP response.
            hint = ""
            wants_certificate = stage == "http" and isinstance(self.sock, ssl.SSLSocket)
            if wants_certificate and not self.settings.get("client_cert"):
                hint = " (does the server want a client certificate? set client_cert)"
            return StageError(stage, f"connection reset by {self.peer} {doing}{hint}")
        return StageError(stage, f"connection to {self.peer} failed {doing}: {_reason(exc)}")

    def send(self, data: bytes, stage: str, doing: str) -> None:
        try:
            self.sock.settimeout(max(self.deadline.remaining(), 0.0001))
            self.sock.sendall(data)
        except OSError as exc:
            raise self._io_error(stage, exc, doing) from None

    def recv(self, stage: str, doing: str) -> bytes:
        if self.deadline.expired():
            raise self.deadline.timed_out(stage, doing)
        try:
            self.sock.settimeout(max(self.deadline.remaining(), 0.0001))
            return self.sock.recv(RECV_SIZE)
        except OSError as exc:
            raise self._io_error(stage, exc, doing) from None

    def next_event(self, stage: str, doing: str):
        if self.leftover:
            data, self.leftover = self.leftover, b""
            self.feed(stage, data)
        while not self.pending:
            data = self.recv(stage, doing)
            if not data:
                raise StageError(
                    stage,
                    f"{self.peer} closed the connection without a close frame "
                    f"(1006 abnormal closure) {doing}",
                )
            self.feed(stage, data)
        return self.pending.popleft()

    def feed(self, stage: str, data: bytes) -> None:
        try:
            self.pending.extend(self.reader.feed(data))
        except ProtocolError as exc:
            raise StageError(stage, str(exc)) from None

    # -- stages ---------------------------------------------------------------------

    def run(self, started: float | None = None) -> dict:
        settings, result, timings = self.settings, self.result, self.result["timings_ms"]
        start = time.perf_counter() if started is None else started
        self.deadline = Deadline(settings["timeout"], start)
        stage = "dns"
        try:
            url = parse_url(settings["url"])
            name = ascii_host(settings.get("server_hostname") or url.host)
            result["server_hostname"] = name
            begun = time.perf_counter()
            infos = _resolve(url.host, url.port, self.deadline)
            mark = time.perf_counter()
            timings["dns"] = ms(mark - begun)

            stage = "tcp"
            self.sock, self.peer, self.addr = _connect(infos, self.deadline)
            result["address"] = self.peer
            if settings["proxy_protocol"]:
                self.send(proxy_header(self.sock), "tcp", "sending the PROXY protocol header")
            now = time.perf_counter()
            timings["connect"], mark = ms(now - mark), now

            if url.secure:
                stage = "tls"
                self.tls(name)
                now = time.perf_counter()
                timings["tls"], mark = ms(now - mark), now

            stage = "http"
            self.upgrade(url, name)
            now = time.perf_counter()
            timings["upgrade"], mark = ms(now - mark), now

            if settings["echo_message"] is not None:
                stage = "echo"
                self.echo(settings["echo_message"])
                now = time.perf_counter()
                timings["echo"], mark = ms(now - mark), now

            stage = "close"
            self.close()
            timings["close"] = ms(time.perf_counter() - mark)
            result["ok"] = True
            result["msg"] = self.ok_message(url)
        except StageError as exc:
            result["stage"], result["msg"] = exc.stage, exc.msg
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A bug must not hide the other endpoints' results: report it on this one.
            result["stage"], result["msg"] = stage, unexpected_error(exc)
        finally:
            if self.sock is not None:
                self.sock.close()
            timings["total"] = ms(time.perf_counter() - start)
        return result

    def tls(self, name: str) -> None:
        settings = self.settings
        context = self.contexts.get(settings)
        self.sock.settimeout(max(self.deadline.remaining(), 0.0001))
        try:
            self.sock = context.wrap_socket(self.sock, server_hostname=name)
        except ssl.SSLCertVerificationError as exc:
            info = self.peek_certificate(name, exc.verify_code)
            now = self.clock()
            fields = cert.cert_fields(info, now)
            self.result["tls"] = {
                "version": None,
                "cipher": None,
                "alpn": None,
                "verified": False,
                **fields,
            }
            msg = cert.verify_error_message(exc.verify_code, exc.verify_message, name, info, now)
            raise StageError("tls", msg) from None
        except ssl.SSLError as exc:
            if self.deadline.expired():
                raise self.deadline.timed_out(
                    "tls", f"in the TLS handshake with {self.peer}"
                ) from None
            raise StageError(
                "tls", tls_error_message(exc, f"TLS handshake with {self.peer} failed")
            ) from None
        except OSError as exc:
            raise self._io_error("tls", exc, f"in the TLS handshake with {self.peer}") from None
        sock = self.sock
        verified = bool(settings["validate_certs"])
        if verified:
            info = cert.info_from_peercert(sock.getpeercert())
        else:
            info = cert.info_from_der(sock.getpeercert(binary_form=True))
        cipher = sock.cipher()
        self.result["tls"] = {
            "version": sock.version(),
            "cipher": cipher[0] if cipher else None,
            "alpn": sock.selected_alpn_protocol(),
            "verified": verified,
            **cert.cert_fields(info, self.clock()),
        }
        minimum = settings["min_cert_days"]
        if minimum > 0:
            if info is None:
                raise StageError(
                    "tls",
                    "min_cert_days cannot be checked: validate_certs is false and the Python "
                    "library cryptography is not installed on the host",
                )
            error = cert.expiry_error(self.result["tls"]["days_left"], minimum)
            if error:
                raise StageError("tls", error)

    def peek_certificate(self, name: str, code: int | None) -> dict | None:
        """Read the refused certificate over a second connection, to say what it is."""
        if cert.HAS_CRYPTOGRAPHY:
            unverified = dict(self.settings, validate_certs=False)
            context, reader = self.contexts.get(unverified), "der"
        elif code in cert.MISMATCH_CODES:
            context, reader = self.contexts.get(self.settings, check_hostname=False), "peercert"
        else:
            return None
        try:
            sock = _connect([self.addr], self.deadline)[0]
        except StageError:
            return None
        try:
            sock.settimeout(max(self.deadline.remaining(), 0.0001))
            if self.settings["proxy_protocol"]:
                sock.sendall(proxy_header(sock))
            with context.wrap_socket(sock, server_hostname=name) as tls_sock:
                if reader == "der":
                    return cert.info_from_der(tls_sock.getpeercert(binary_form=True))
                return cert.info_from_peercert(tls_sock.getpeercert())
        except OSError:
            return None
        finally:
            sock.close()

    def upgrade(self, url, name: str) -> None:
        settings = self.settings
        key = make_key()
        request = build_request(
            url.resource,
            host_header(name, url.port, url.scheme),
            key,
            origin=settings["origin"],
            subprotocols=settings["subprotocols"],
            headers=settings["headers"],
        )
        doing = f"waiting for the HTTP response from {self.peer}"
        self.send(request, "http", f"sending the upgrade request to {self.peer}")
        buffer = bytearray()
        while True:
            data = self.recv("http", doing)
            if not data:
                got = f" after {preview(bytes(buffer))}" if buffer else ""
                if not url.secure and (not buffer or buffer.startswith(b"\x15\x03")):
                    got += " (does the port expect TLS? try wss://)"
                elif url.secure and not buffer and not settings["client_cert"]:
                    got += " (does the server want a client certificate? set client_cert)"
                raise StageError(
                    "http", f"{self.peer} closed the connection without an HTTP response{got}"
                )
            buffer.extend(data)
            try:
                parts = split_head(buffer)
            except ProtocolError as exc:
                raise StageError("http", str(exc)) from None
            if parts is not None:
                break
        head, rest = parts
        try:
            response = parse_response_head(head)
        except ProtocolError as exc:
            raise StageError("http", str(exc)) from None
        self.result["status"] = response.status
        self.result["headers"] = headers_dict(response.headers)
        if response.status != 101:
            rest = self.read_body(response, rest)
        error, subprotocol = check_upgrade(response, key, settings["subprotocols"], rest)
        if error:
            if response.status == 403 and settings["origin"]:
                error += f" (Origin sent: {settings['origin']})"
            raise StageError("upgrade", error)
        self.result["subprotocol"] = subprotocol
        # Frames that came with the 101 are read by the stage that waits for them.
        self.leftover = rest

    def read_body(self, response, rest: bytes) -> bytes:
        """A little of a refusal's body, for the message; never fails the check by itself."""
        lengths = header_values(response.headers, "content-length")
        try:
            wanted = min(int(lengths[0]), BODY_PREVIEW) if lengths else 0
        except ValueError:
            wanted = 0
        body = bytearray(rest)
        stop = time.perf_counter() + min(0.25, max(self.deadline.remaining(), 0))
        while len(body) < wanted and time.perf_counter() < stop:
            try:
                self.sock.settimeout(max(stop - time.perf_counter(), 0.0001))
                data = self.sock.recv(RECV_SIZE)
            except OSError:
                break
            if not data:
                break
            body.extend(data)
        return bytes(body[:BODY_PREVIEW])

    def echo(self, message: str) -> None:
        doing = f"waiting for the echo of {preview(message)}"
        self.send(client_frame(OP_TEXT, message.encode("utf-8")), "echo", "sending the message")
        while True:
            event = self.next_event("echo", doing)
            if event.kind == "ping":
                self.send(client_frame(OP_PONG, event.data), "echo", "answering a ping")
            elif event.kind == "pong":
                continue
            elif event.kind == "close":
                raise StageError(
                    "echo",
                    f"the server closed the WebSocket ({describe_close(event.code, event.reason)}) "
                    f"instead of echoing {preview(message)}",
                )
            elif event.kind == "binary":
                raise StageError(
                    "echo",
                    f"echo mismatch: sent the text {preview(message)}, got a binary message "
                    f"of {len(event.data)} bytes",
                )
            else:
                text = event.data.decode("utf-8")
                if text != message:
                    raise StageError(
                        "echo", f"echo mismatch: sent {preview(message)}, got {preview(text)}"
                    )
                return

    def close(self) -> None:
        self.send(
            client_frame(OP_CLOSE, encode_close(CLOSE_NORMAL)), "close", "sending the close frame"
        )
        while True:
            event = self.next_event("close", "waiting for the server's close frame")
            if event.kind == "close":
                break
        if event.code not in (None, CLOSE_NORMAL):
            raise StageError(
                "close",
                f"the server closed with {describe_close(event.code, event.reason)}, "
                "expected 1000 (normal closure)",
            )

    def ok_message(self, url) -> str:
        parts = [f"WebSocket upgrade to {self.peer} succeeded"]
        tls = self.result["tls"]
        if tls:
            parts[0] += f" over {tls['version']}"
            if tls["days_left"] is not None:
                parts.append(f"certificate valid for {tls['days_left']} more days")
            if not tls["verified"]:
                parts.append("certificate NOT verified (validate_certs is false)")
        if self.result["subprotocol"]:
            parts.append(f"subprotocol {self.result['subprotocol']}")
        if self.result["timings_ms"]["echo"] is not None:
            parts.append(f"echo round trip {self.result['timings_ms']['echo']} ms")
        parts.append("closed cleanly")
        return ", ".join(parts)


def run_parallel(function, items: list, workers: int) -> list:
    """``[function(item, started) for item in items]`` on at most ``workers`` threads.

    Results keep the order of ``items``. Every thread is started (and waiting) before the
    first item is taken, so that starting threads does not compete with running checks.
    ``started`` is when the item got its thread: the release of the whole first batch for
    the first ``workers`` items (however long each thread then waits for the interpreter),
    the moment a thread took it for the others. ``function`` must not raise.
    """
    results: list = [None] * len(items)
    pending = collections.deque(enumerate(items))  # popleft() is atomic
    go = threading.Event()
    released: list = []

    def worker() -> None:
        go.wait()
        started = released[0]
        while True:
            try:
                index, item = pending.popleft()
            except IndexError:
                return
            results[index] = function(item, started)
            started = None

    threads = [
        threading.Thread(target=worker, name=f"wss_check-{number}", daemon=True)
        for number in range(min(workers, len(items)))
    ]
    for thread in threads:
        thread.start()
    released.append(time.perf_counter())
    go.set()
    for thread in threads:
        thread.join()
    return results


def check_endpoint(
    settings: dict,
    contexts: ContextCache | None = None,
    clock=time.time,
    started: float | None = None,
) -> dict:
    """Check one endpoint (merged settings, see ``endpoint_settings``); return its report.

    The ``timeout`` budget runs from ``started`` (a ``time.perf_counter()`` value), or now.
    """
    return _Check(settings, contexts or ContextCache(), clock).run(started)


def run_checks(params: dict, clock=time.time) -> dict:
    """Check every endpoint of the module's ``params``; raise InvalidParams on usage errors.

    Returns ``endpoints`` (one report per endpoint, in input order), ``ok_count``,
    ``failed_count``, ``failed`` (False with ``report_only``), ``msg`` and ``warnings``.
    """
    if params.get("url") and params.get("endpoints"):
        raise InvalidParams("url and endpoints are mutually exclusive")
    if not params.get("url") and not params.get("endpoints"):
        raise InvalidParams("one of url or endpoints is required")
    settings_list = endpoint_settings(params)
    errors = settings_errors(settings_list)
    max_parallel = params.get("max_parallel")
    if max_parallel is None:
        max_parallel = DEFAULT_MAX_PARALLEL
    if max_parallel < 1:
        errors.append("max_parallel must be at least 1")
    if errors:
        raise InvalidParams("; ".join(errors))

    contexts = ContextCache()
    warnings = [
        f"certificate verification is disabled for {label(s)}: the check proves the "
        "handshake, not that clients will trust the certificate"
        for s in settings_list
        if not s["validate_certs"] and s["url"].lower().startswith("wss:")
    ]
    if len(settings_list) == 1:
        results = [check_endpoint(settings_list[0], contexts, clock)]
    else:
        results = run_parallel(
            lambda settings, started: check_endpoint(settings, contexts, clock, started),
            settings_list,
            max_parallel,
        )
    failed_count = sum(1 for r in results if not r["ok"])
    msg = summarise(results, settings_list)
    return {
        "endpoints": results,
        "ok_count": len(results) - failed_count,
        "failed_count": failed_count,
        "failed": bool(failed_count) and not params.get("report_only"),
        "msg": msg,
        "warnings": warnings,
    }
