"""The fleet health report (module_utils/_fleet_report.py)."""

from __future__ import annotations

import copy
import re

import pytest

from ansible_collections.wss.gateway.plugins.module_utils._fleet_report import (
    build_rows,
    handshake_ms,
    render_html,
    render_table,
    report,
    short_issuer,
    summary,
)

OK = {
    "ok": True,
    "url": "wss://127.0.0.1:443/ws",
    "server_hostname": "chat.example.com",
    "address": "127.0.0.1:443",
    "stage": None,
    "msg": "ok: TLSv1.3, certificate valid for 89 more days, echo matched",
    "status": 101,
    "headers": {"upgrade": "websocket", "connection": "Upgrade"},
    "subprotocol": None,
    "tls": {
        "version": "TLSv1.3",
        "cipher": "TLS_AES_256_GCM_SHA384",
        "alpn": "http/1.1",
        "verified": True,
        "subject": "CN=chat.example.com",
        "sans": ["DNS:chat.example.com"],
        "issuer": "CN=R11,O=Let's Encrypt,C=US",
        "not_after": "2026-09-01T12:00:00Z",
        "days_left": 89,
    },
    "timings_ms": {
        "dns": 0.05,
        "connect": 0.2,
        "tls": 2.1,
        "upgrade": 0.8,
        "echo": 0.3,
        "close": 0.2,
        "total": 3.8,
    },
}

FAILED = {
    **OK,
    "ok": False,
    "url": "wss://127.0.0.1:8443/admin",
    "server_hostname": "admin.example.com",
    "stage": "tls",
    "msg": "hostname mismatch: certificate is for chat.example.com, dialled admin.example.com",
    "status": None,
    "headers": {},
    "tls": {**OK["tls"], "version": None, "cipher": None, "verified": False},
    "timings_ms": {**dict.fromkeys(OK["timings_ms"]), "connect": 0.2},
}


def endpoint(base: dict | None = None, **changes: object) -> dict:
    """A copy of ``base`` (default OK) with top-level keys, ``tls.*`` and ``timings_ms.*`` changed."""
    result = copy.deepcopy(OK if base is None else base)
    for key, value in changes.items():
        group, _sep, leaf = key.partition("__")
        if leaf:
            result[group][leaf] = value
        else:
            result[key] = value
    return result


def check(*endpoints: dict) -> dict:
    """A wss_check result (report_only) over ``endpoints``."""
    failed = sum(1 for e in endpoints if not e["ok"])
    return {
        "changed": False,
        "msg": f"{failed} of {len(endpoints)} WebSocket endpoint(s) failed",
        "ok_count": len(endpoints) - failed,
        "failed_count": failed,
        "endpoints": list(endpoints),
    }


UNREACHABLE = {"unreachable": True, "msg": "Failed to connect to the host via ssh: timed out"}
HOST_FAILED = {"failed": True, "msg": "the task includes an option with an undefined variable"}

FLEET = {
    "gw3.example.com": check(endpoint(tls__days_left=30)),
    "gw1.example.com": check(endpoint(), endpoint(FAILED)),
    "gw2.example.com": UNREACHABLE,
    "gw4.example.com": check(endpoint(tls__days_left=5)),
}


def order(rows: list[dict]) -> list[tuple]:
    return [(r["host"], r["status"], r["days_left"]) for r in rows]


def test_attention_comes_first() -> None:
    assert order(build_rows(FLEET)) == [
        ("gw1.example.com", "failed", 89),
        ("gw2.example.com", "unreachable", None),
        ("gw4.example.com", "ok", 5),
        ("gw1.example.com", "ok", 89),
        ("gw3.example.com", "ok", 30),
    ]


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        pytest.param(
            {"b": check(endpoint(tls__days_left=3)), "a": check(endpoint(tls__days_left=10))},
            [("b", "ok", 3), ("a", "ok", 10)],
            id="fewest-days-first",
        ),
        pytest.param(
            {"b": check(endpoint(tls__days_left=13)), "a": check(endpoint(tls__days_left=13))},
            [("a", "ok", 13), ("b", "ok", 13)],
            id="same-days-by-host",
        ),
        pytest.param(
            {"b": check(endpoint(tls__days_left=1)), "a": check(endpoint(tls__days_left=90))},
            [("b", "ok", 1), ("a", "ok", 90)],
            id="attention-before-plain-ok",
        ),
        pytest.param(
            {"b": check(endpoint(tls__days_left=90)), "a": check(endpoint(tls__days_left=40))},
            [("a", "ok", 40), ("b", "ok", 90)],
            id="plain-ok-by-host-not-days",
        ),
        pytest.param(
            {
                "z": check(endpoint(FAILED)),
                "a": UNREACHABLE,
                "m": check(endpoint(tls__days_left=1)),
            },
            [("z", "failed", 89), ("a", "unreachable", None), ("m", "ok", 1)],
            id="failed-unreachable-expiring",
        ),
        pytest.param(
            {"a": HOST_FAILED, "b": check(endpoint(FAILED))},
            [("a", "failed", None), ("b", "failed", 89)],
            id="failed-by-host",
        ),
    ],
)
def test_ordering(hosts: dict, expected: list[tuple]) -> None:
    assert order(build_rows(hosts)) == expected


def test_same_host_sorted_by_url() -> None:
    hosts = {
        "a": check(endpoint(url="wss://127.0.0.1:443/z"), endpoint(url="wss://127.0.0.1:443/b"))
    }
    assert [r["url"] for r in build_rows(hosts)] == [
        "wss://127.0.0.1:443/b",
        "wss://127.0.0.1:443/z",
    ]


def test_order_does_not_depend_on_input_order() -> None:
    backwards = dict(reversed(list(FLEET.items())))
    assert build_rows(backwards) == build_rows(FLEET)


@pytest.mark.parametrize(
    ("days_left", "warn_days", "attention"),
    [(13, 14, True), (14, 14, False), (89, 14, False), (89, 90, True), (None, 14, False)],
)
def test_warn_days(days_left: int | None, warn_days: int, attention: bool) -> None:
    (row,) = build_rows({"a": check(endpoint(tls__days_left=days_left))}, warn_days=warn_days)
    assert row["attention"] is attention
    assert row["status"] == "ok"
    assert row["stage"] is None


@pytest.mark.parametrize(
    ("issuer", "short"),
    [
        ("CN=R11,O=Let's Encrypt,C=US", "R11"),
        ("C=US,O=Example,CN=Example Issuing CA 2", "Example Issuing CA 2"),
        ("cn=lower", "lower"),
        ("CN=Acme\\, Inc. CA,O=Acme", "Acme, Inc. CA"),
        ("O=Example internal CA", "O=Example internal CA"),
        ("OU=CNx,O=No common name", "OU=CNx,O=No common name"),
        (None, None),
    ],
)
def test_short_issuer(issuer: str | None, short: str | None) -> None:
    assert short_issuer(issuer) == short


@pytest.mark.parametrize(
    ("timings", "expected"),
    [
        ({"connect": 0.2, "tls": 2.1, "upgrade": 0.8, "total": 3.8}, 3.8),
        ({"connect": 0.2, "tls": 2.1, "upgrade": 0.8, "total": None}, 3.1),
        ({"connect": 0.2, "tls": 2.1, "upgrade": 0.8}, 3.1),
        ({"connect": 0.2, "tls": None, "upgrade": None, "total": None}, 0.2),
        ({"connect": None, "tls": None, "upgrade": None, "total": None}, None),
        (None, None),
    ],
)
def test_handshake_ms(timings: dict | None, expected: float | None) -> None:
    assert handshake_ms(timings) == expected


def test_endpoint_row() -> None:
    (row,) = build_rows({"gw1": check(endpoint(FAILED))})
    assert row == {
        "host": "gw1",
        "view": "host",
        "url": "wss://127.0.0.1:8443/admin",
        "server_hostname": "admin.example.com",
        "status": "failed",
        "stage": "tls",
        "message": FAILED["msg"],
        "tls_version": None,
        "issuer": "R11",
        "days_left": 89,
        "handshake_ms": 0.2,
        "attention": True,
        "line": f"gw1 from host: wss://127.0.0.1:8443/admin as admin.example.com: tls: {FAILED['msg']}",
    }


@pytest.mark.parametrize(
    ("result", "status", "message"),
    [
        (UNREACHABLE, "unreachable", UNREACHABLE["msg"]),
        (HOST_FAILED, "failed", HOST_FAILED["msg"]),
        ({"failed": True}, "failed", "no endpoint was checked"),
        (
            {"skipped": True, "skip_reason": "Conditional result was False"},
            "failed",
            "no endpoint was checked",
        ),
    ],
)
def test_host_without_endpoints_is_one_row(result: dict, status: str, message: str) -> None:
    (row,) = build_rows({"gw2": result})
    assert row["host"] == "gw2"
    assert row["url"] is None
    assert (row["status"], row["stage"], row["message"]) == (status, "host", message)
    assert row["attention"] is True


def test_each_view_of_a_host_is_a_row_that_names_it() -> None:
    refused = endpoint(
        FAILED,
        url="wss://127.0.0.1:443/",
        server_hostname="gw2",
        stage="tcp",
        msg="connection refused by 127.0.0.1:443",
    )
    rows = build_rows(
        {
            "gw2": [
                {**check(endpoint()), "view": "host"},
                {**check(refused), "view": "controller"},
                {**UNREACHABLE, "view": "probes:p1"},
            ]
        }
    )
    assert [(row["view"], row["status"]) for row in rows] == [
        ("controller", "failed"),
        ("probes:p1", "unreachable"),
        ("host", "ok"),
    ]
    assert rows[0]["line"] == (
        "gw2 from controller: wss://127.0.0.1:443/ as gw2: tcp: connection refused by 127.0.0.1:443"
    )
    assert rows[1]["line"] == f"gw2 from probes:p1: -: host: {UNREACHABLE['msg']}"
    assert rows[2]["line"].endswith(": ok")
    table = render_table(rows).splitlines()
    assert table[1].split()[:3] == ["FAILED", "gw2", "controller"]


def test_ws_endpoint_without_tls() -> None:
    plain = endpoint(url="ws://127.0.0.1:8080/", tls=None)
    (row,) = build_rows({"a": check(plain)})
    assert (row["tls_version"], row["issuer"], row["days_left"]) == (None, None, None)
    assert row["attention"] is False


def test_summary_counts() -> None:
    assert summary(build_rows(FLEET)) == {
        "hosts": 4,
        "endpoints": 4,
        "ok": 3,
        "failed": 1,
        "unreachable": 1,
        "attention": 3,
    }


def test_summary_of_nothing() -> None:
    assert summary(build_rows({})) == dict.fromkeys(
        ("hosts", "endpoints", "ok", "failed", "unreachable", "attention"), 0
    )


def test_table_lists_every_host_and_ends_with_the_summary() -> None:
    table = render_table(build_rows(FLEET))
    lines = table.splitlines()
    assert lines[0].split() == [
        "STATUS",
        "HOST",
        "FROM",
        "ENDPOINT",
        "TLS",
        "ISSUER",
        "DAYS",
        "MS",
    ] + [
        "STAGE:",
        "MESSAGE",
    ]
    for host in FLEET:
        assert host in table
    assert lines[1].startswith("FAILED ")
    assert "wss://127.0.0.1:8443/admin as admin.example.com" in lines[1]
    assert "tls: hostname mismatch" in lines[1]
    assert lines[3].startswith("WARN ")
    assert "host: Failed to connect" in lines[2]
    assert lines[-1] == ("4 hosts, 4 endpoints: 3 ok, 1 failed, 1 unreachable; 3 need attention")


def test_table_right_aligns_numbers() -> None:
    header, *rows, _blank, _summary = render_table(build_rows(FLEET)).splitlines()
    for heading in ("DAYS", "MS"):
        end = header.index(f" {heading} ") + len(heading) + 1
        for row in rows:
            assert row[end - 1] != " " and row[end] == " ", (heading, row)


def test_table_truncates_long_cells() -> None:
    long_message = "upgrade: " + "x" * 300
    rows = build_rows({"gw1": check(endpoint(FAILED, stage="upgrade", msg=long_message))})
    line = render_table(rows).splitlines()[1]
    assert line.endswith("...")
    assert "x" * 300 not in line
    assert len(line) < 240


def test_table_summary_singular() -> None:
    table = render_table(build_rows({"gw1": check(endpoint(tls__days_left=2))}))
    assert table.splitlines()[-1] == (
        "1 host, 1 endpoint: 1 ok, 0 failed, 0 unreachable; 1 needs attention"
    )


HOSTILE = "<script>alert('x')</script> & \"quoted\""


def test_html_escapes_every_value() -> None:
    hosts = {
        "<b>gw1</b>": check(endpoint(FAILED, msg=HOSTILE, server_hostname='a"onmouseover=x')),
    }
    page = render_html(build_rows(hosts), title="<i>fleet</i>", generated="<now>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    assert "&lt;b&gt;gw1&lt;/b&gt;" in page
    assert "<b>" not in page and "<i>" not in page and "<now>" not in page
    assert 'a"onmouseover' not in page
    assert "<title>&lt;i&gt;fleet&lt;/i&gt;</title>" in page
    assert "Generated &lt;now&gt;" in page


def test_html_is_one_self_contained_page() -> None:
    page = render_html(build_rows(FLEET), generated="2026-06-01T08:00:00Z")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    for tag in ("<html", "<head>", "<title>", "<style>", "<body>", "<table>", "</table>"):
        assert tag in page
    assert not re.search(r"https?://|<script|<link|src=|@import|url\(", page)
    assert "wss://127.0.0.1:8443/admin as admin.example.com" in page
    assert "Generated 2026-06-01T08:00:00Z" in page
    assert "4 hosts, 4 endpoints: 3 ok, 1 failed, 1 unreachable; 3 need attention" in page


def test_html_rows_coloured_by_status() -> None:
    page = render_html(build_rows(FLEET))
    classes = re.findall(r'<tr class="(\w+)">', page)
    assert classes == ["failed", "unreachable", "warn", "ok", "ok"]
    assert "Generated" not in page
    assert "wss.gateway fleet report" in page


def test_html_keeps_long_messages_whole() -> None:
    long_message = "y" * 300
    page = render_html(build_rows({"gw1": check(endpoint(FAILED, msg=long_message))}))
    assert long_message in page


def test_report_ties_it_together() -> None:
    result = report(FLEET, warn_days=40, generated="2026-06-01T08:00:00Z")
    assert set(result) == {"rows", "summary", "table", "html"}
    assert result["rows"] == build_rows(FLEET, warn_days=40)
    assert result["summary"]["attention"] == 4
    assert result["table"] == render_table(result["rows"])
    assert result["html"] == render_html(result["rows"], generated="2026-06-01T08:00:00Z")


def test_report_does_not_mutate_input() -> None:
    fleet = copy.deepcopy(FLEET)
    report(fleet)
    assert fleet == FLEET
