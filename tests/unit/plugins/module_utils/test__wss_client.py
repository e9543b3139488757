# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The pure parts of the client: option merging, validation, messages. No sockets."""

from __future__ import annotations

import pytest

from ansible_collections.wss.gateway.plugins.module_utils import _wss_client as client


def params(**overrides):
    # What the module passes: every per-endpoint default, plus the call-level options.
    base = {
        "url": None,
        "endpoints": None,
        **client.DEFAULTS,
        "max_parallel": client.DEFAULT_MAX_PARALLEL,
        "report_only": False,
    }
    base.update(overrides)
    return base


def test_single_url_gets_top_level_options():
    (settings,) = client.endpoint_settings(
        params(url="wss://a/ws", origin="https://a", timeout=2, headers={"X-N": 1})
    )
    assert settings["url"] == "wss://a/ws"
    assert settings["origin"] == "https://a"
    assert settings["timeout"] == 2.0
    assert settings["headers"] == {"X-N": "1"}
    assert settings["validate_certs"] is True


def test_endpoint_entries_override_top_level():
    settings = client.endpoint_settings(
        params(
            endpoints=[
                {"url": "wss://a/"},
                {"url": "wss://b/", "timeout": 1, "validate_certs": False, "headers": {"B": "2"}},
                {"url": "ws://c/", "subprotocols": ["x"], "echo_message": ""},
            ],
            timeout=5,
            headers={"A": "1"},
            echo_message="ping",
            subprotocols=["chat"],
        )
    )
    assert [s["url"] for s in settings] == ["wss://a/", "wss://b/", "ws://c/"]
    assert [s["timeout"] for s in settings] == [5.0, 1.0, 5.0]
    assert [s["validate_certs"] for s in settings] == [True, False, True]
    assert [s["headers"] for s in settings] == [{"A": "1"}, {"B": "2"}, {"A": "1"}]
    assert [s["subprotocols"] for s in settings] == [["chat"], ["chat"], ["x"]]
    # An empty message is a message (an empty echo), not "unset".
    assert [s["echo_message"] for s in settings] == ["ping", "ping", ""]


def test_defaults_fill_missing_params():
    (settings,) = client.endpoint_settings({"url": "ws://a/"})
    for name, default in client.DEFAULTS.items():
        assert settings[name] == default


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"url": "https://a/"}, "endpoint 'https://a/': 'https://a/' is not a ws:// or wss:// URL"),
        (
            {"url": "wss://a/", "timeout": 0},
            "endpoint 'wss://a/': timeout must be a finite number of seconds greater than 0",
        ),
        ({"url": "wss://a/", "min_cert_days": -1}, "min_cert_days must not be negative"),
        ({"url": "wss://a/", "subprotocols": ["a b"]}, "subprotocol 'a b' is not a valid token"),
        ({"url": "wss://a/", "headers": {"Origin": "x"}}, "use the origin option"),
        ({"url": "wss://a/", "origin": "https://a\r\nX: y"}, "origin has a control character"),
        ({"url": "wss://a/", "origin": "https://bücher.example"}, "origin has a non-ASCII"),
        ({"url": "wss://a/", "server_hostname": "a\nb"}, "server_hostname has a control"),
        ({"url": "wss://a/", "server_hostname": "ü" * 70}, "server_hostname is not a valid"),
        ({"url": "wss://a/", "client_key": "/k.pem"}, "client_key needs client_cert"),
        ({"url": "ws://a/", "client_cert": "/c.pem"}, "only used with wss://"),
    ],
)
def test_settings_errors(overrides, fragment):
    errors = client.settings_errors(client.endpoint_settings(params(**overrides)))
    assert len(errors) == 1
    assert fragment in errors[0]


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), float("-inf"), 0, -1, 86401])
def test_timeout_must_be_finite_and_positive(timeout):
    errors = client.settings_errors(
        client.endpoint_settings(params(endpoints=[{"url": "ws://a/"}, {"url": "ws://b/"}]))
        + client.endpoint_settings(params(url="ws://c/", timeout=timeout))
    )
    assert errors == [
        "endpoint 'ws://c/': timeout must be a finite number of seconds greater than 0 and "
        f"at most 86400, got {float(timeout)!r}"
    ]


@pytest.mark.parametrize("timeout", [0.001, 1, 86400])
def test_timeout_in_range_is_accepted(timeout):
    assert (
        client.settings_errors(client.endpoint_settings(params(url="ws://a/", timeout=timeout)))
        == []
    )


def test_run_checks_refuses_nan_timeout_per_endpoint():
    with pytest.raises(
        client.InvalidParams, match=r"^endpoint 'ws://b/': timeout must .* got nan$"
    ):
        client.run_checks(
            params(endpoints=[{"url": "ws://a/"}, {"url": "ws://b/", "timeout": float("nan")}])
        )


SECRET = "Bearer s3crét-€-token"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": SECRET},
        {"X-Ok": "fine", "Authorization": SECRET},
        {"Authorization": "€" + "x" * 5000},
    ],
)
def test_non_ascii_header_is_refused_naming_it_without_its_value(headers):
    with pytest.raises(client.InvalidParams) as caught:
        client.run_checks(params(url="wss://a/ws", headers=headers))
    message = str(caught.value)
    assert message.startswith("endpoint 'wss://a/ws': header 'Authorization' has a non-ASCII")
    assert "Bearer" not in message and "€" not in message and "xxxx" not in message


def test_non_ascii_server_hostname_is_sent_as_idna():
    (settings,) = client.endpoint_settings(params(url="wss://a/", server_hostname="bücher.example"))
    assert client.settings_errors([settings]) == []


def test_unexpected_error_names_type_and_place_never_the_text():
    with pytest.raises(UnicodeEncodeError) as caught:
        SECRET.encode("latin-1")
    assert SECRET in repr(caught.value), "the exception itself quotes the text"
    message = client.unexpected_error(caught.value)
    assert message.startswith("unexpected error: UnicodeEncodeError at test__wss_client.py:")
    assert "s3cr" not in message and "Bearer" not in message and "latin" not in message


def test_settings_errors_none_for_valid_input():
    settings = client.endpoint_settings(
        params(url="wss://a/", client_cert="/c.pem", subprotocols=["chat.v1"], origin="https://a")
    )
    assert client.settings_errors(settings) == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({}, "one of url or endpoints is required"),
        ({"url": "ws://a/", "endpoints": [{"url": "ws://b/"}]}, "mutually exclusive"),
        ({"url": "ws://a/", "max_parallel": 0}, "max_parallel must be at least 1"),
        ({"endpoints": [{"url": "ws://a/"}, {"url": "ftp://b/"}]}, "endpoint 'ftp://b/'"),
    ],
)
def test_run_checks_rejects_usage_errors(overrides, fragment):
    with pytest.raises(client.InvalidParams, match=fragment):
        client.run_checks(params(**overrides))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, "2.0 s"), (2.0, "2.0 s"), (0.5, "0.5 s"), (0.25, "0.25 s"), (10, "10.0 s")],
)
def test_seconds(value, expected):
    assert client.seconds(value) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"url": "wss://127.0.0.1/ws", "server_hostname": "chat"}, "wss://127.0.0.1/ws (as chat)"),
        ({"url": "wss://chat/ws", "server_hostname": None}, "wss://chat/ws"),
    ],
)
def test_label(settings, expected):
    assert client.label(settings) == expected


def test_summarise():
    settings = [
        {"url": "wss://a/", "server_hostname": None},
        {"url": "wss://b/", "server_hostname": "chat"},
        {"url": "ws://c/", "server_hostname": None},
    ]
    results = [
        {"ok": True, "stage": None, "msg": "fine"},
        {"ok": False, "stage": "tls", "msg": "hostname mismatch: x"},
        {"ok": False, "stage": "tcp", "msg": "connection refused by 10.0.0.1:80"},
    ]
    assert client.summarise(results, settings) == (
        "2 of 3 WebSocket endpoint(s) failed: wss://b/ (as chat): tls: hostname mismatch: x; "
        "ws://c/: tcp: connection refused by 10.0.0.1:80"
    )
    assert client.summarise(results[:1], settings[:1]) == (
        "1 of 1 WebSocket endpoint(s) passed the check"
    )


def test_deadline_message():
    deadline = client.Deadline(2.0, 0.0)
    error = deadline.timed_out("tcp", "connecting to 10.0.0.1:443")
    assert (error.stage, error.msg) == ("tcp", "timed out after 2.0 s connecting to 10.0.0.1:443")
    assert deadline.expired()


def test_context_errors_are_cached_and_name_the_path(tmp_path):
    contexts = client.ContextCache()
    settings = {
        "validate_certs": True,
        "ca_path": str(tmp_path / "missing.pem"),
        "ca_content": None,
        "client_cert": None,
        "client_key": None,
    }
    for _attempt in range(2):
        with pytest.raises(client.StageError, match="cannot load ca_path '.*missing.pem'"):
            contexts.get(settings)


def test_ca_content_that_is_not_pem_names_the_option():
    with pytest.raises(client.StageError, match=r"cannot load ca_content \(PEM CA certificates\)"):
        client.make_context(True, True, None, None, None, ca_content="not a certificate")


def test_context_without_validation():
    context = client.make_context(False, True, None, None, None)
    assert context.check_hostname is False
    assert context.verify_mode == client.ssl.CERT_NONE


@pytest.mark.parametrize(("count", "workers"), [(1, 1), (5, 2), (10, 32), (40, 8)])
def test_run_parallel_keeps_order_and_bounds_threads(count, workers):
    lock = client.threading.Lock()
    running = [0]
    peak = [0]
    starts = []

    def work(item, started):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            starts.append(started)
        client.time.sleep(0.002)
        with lock:
            running[0] -= 1
        return item * 2

    assert client.run_parallel(work, list(range(count)), workers) == [i * 2 for i in range(count)]
    assert peak[0] <= min(workers, count)
    # Each thread's first item shares the moment the batch was released; later items start
    # when taken. On a busy machine one thread may drain the queue before another is
    # scheduled, so there is one such item per thread that got work, never more.
    first = [s for s in starts if s is not None]
    assert 1 <= len(first) <= min(workers, count)
    assert len(set(first)) == 1
