"""The fleet health report (module_utils/_fleet_report.py)."""

from __future__ import annotations

import copy
import html
import re

import pytest

from ansible_collections.wss.gateway.plugins.module_utils._fleet_report import (
    active_connections,
    build_hosts,
    build_rows,
    handshake_ms,
    render_host_table,
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
        "not_after": "2026-09-01T12:00:00Z",
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
    assert "<script>alert" not in page and page.count("<script>") == 1
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
    for tag in ("<html", "<head>", "<title>", "<style>", "<body>", "<table ", "</table>"):
        assert tag in page
    assert not re.search(r"https?://|<link|src=|@import|url\(", page)
    # One inline script, and a policy that allows nothing from elsewhere.
    assert page.count("<script") == 1 and "<script>" in page
    assert "default-src 'none'" in page
    assert "wss://127.0.0.1:8443/admin as admin.example.com" in page
    assert "Generated 2026-06-01T08:00:00Z" in page
    assert "4 hosts, 4 endpoints: 3 ok, 1 failed, 1 unreachable; 3 need attention" in page


def test_html_rows_coloured_by_status() -> None:
    page = render_html(build_rows(FLEET))
    classes = re.findall(r'<tr class="(\w+)" data-attention="[01]">', page)
    assert classes == ["failed", "unreachable", "warn", "ok", "ok"]
    assert "Generated" not in page
    assert "wss.gateway fleet report" in page


def test_html_keeps_long_messages_whole() -> None:
    long_message = "y" * 300
    page = render_html(build_rows({"gw1": check(endpoint(FAILED, msg=long_message))}))
    assert long_message in page


def test_report_ties_it_together() -> None:
    result = report(FLEET, warn_days=40, generated="2026-06-01T08:00:00Z")
    assert set(result) == {"rows", "hosts", "summary", "table", "html"}
    assert result["rows"] == build_rows(FLEET, warn_days=40)
    assert result["hosts"] == build_hosts(result["rows"], warn_days=40)
    assert result["summary"]["attention"] == 4
    assert result["table"] == (
        render_host_table(result["hosts"]) + "\n\n" + render_table(result["rows"])
    )
    assert result["html"] == render_html(
        result["rows"], generated="2026-06-01T08:00:00Z", hosts=result["hosts"]
    )


def test_report_does_not_mutate_input() -> None:
    fleet = copy.deepcopy(FLEET)
    report(fleet)
    assert fleet == FLEET


# What verify_wss.yml reads on each host: the versions and the uri result of /stub_status.
STUB = "Active connections: 7 \nserver accepts handled requests\n 10 10 31 \nReading: 0 Writing: 1 Waiting: 6 \n"


def facts(stub_status: dict | None = None, **changes: object) -> dict:
    """A host's facts; ``stub_status`` defaults to a 200 answer with 7 active connections."""
    return {
        "nginx_version": "1.22.1",
        "openssl_version": "3.0.17",
        "status_listen": "127.0.0.1:8089",
        "stub_status": {"status": 200, "content": STUB, "msg": "OK (unknown bytes)"}
        if stub_status is None
        else stub_status,
        **changes,
    }


REFUSED = {
    "status": -1,
    "msg": "Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>",
}


@pytest.mark.parametrize(
    ("given", "count", "note"),
    [
        pytest.param(facts(), 7, "", id="counted"),
        pytest.param(
            facts({"status": 200, "content": "Active connections: 0\n"}), 0, "", id="zero"
        ),
        pytest.param(
            facts(status_listen=""),
            None,
            "stub_status is off (nginx_status_listen is empty)",
            id="off",
        ),
        pytest.param(
            facts(REFUSED),
            None,
            f"http://127.0.0.1:8089/stub_status: {REFUSED['msg']}",
            id="refused",
        ),
        pytest.param(
            facts({"status": 404, "msg": ""}),
            None,
            "http://127.0.0.1:8089/stub_status: status 404",
            id="not-found",
        ),
        pytest.param(
            facts({"status": 200, "content": "<html>hello</html>"}),
            None,
            "http://127.0.0.1:8089/stub_status: no 'Active connections' in the answer",
            id="not-stub-status",
        ),
        pytest.param(
            facts({"skipped": True, "skip_reason": "Conditional result was False"}),
            None,
            "stub_status was not read (the host was not reached)",
            id="skipped",
        ),
        pytest.param(
            facts({"unreachable": True, "msg": "ssh: timed out"}),
            None,
            "http://127.0.0.1:8089/stub_status was not read: ssh: timed out",
            id="unreachable",
        ),
        pytest.param(None, None, "stub_status was not read on the host", id="no-facts"),
    ],
)
def test_active_connections(given: dict | None, count: int | None, note: str) -> None:
    assert active_connections(given) == (count, note)


def host_rows(hosts: dict, host_facts: dict | None = None, warn_days: int = 14) -> list[dict]:
    return build_hosts(build_rows(hosts, warn_days=warn_days), host_facts, warn_days=warn_days)


def test_one_host_row_per_host_with_the_new_columns() -> None:
    soon = endpoint(
        url="wss://127.0.0.1:443/b", tls__not_after="2026-06-20T00:00:00Z", tls__days_left=19
    )
    late = endpoint(
        url="wss://127.0.0.1:443/a", tls__not_after="2027-06-01T00:00:00Z", tls__days_left=365
    )
    (row,) = host_rows({"gw1": check(late, soon)}, {"gw1": facts()})
    assert row == {
        "host": "gw1",
        "status": "ok",
        "active_connections": 7,
        "connections_note": "",
        "nginx_version": "1.22.1",
        "openssl_version": "3.0.17",
        "cert_not_after": "2026-06-20T00:00:00Z",
        "cert_days_left": 19,
        "cert_url": "wss://127.0.0.1:443/b",
        "attention": False,
    }


def test_soonest_expiry_is_over_every_view_and_endpoint() -> None:
    rows = host_rows(
        {
            "gw1": [
                {**check(endpoint(tls__not_after="2027-01-01T00:00:00Z")), "view": "host"},
                {**check(endpoint(tls__not_after="2026-12-01T00:00:00Z")), "view": "controller"},
                {**UNREACHABLE, "view": "probes:p1"},
            ]
        }
    )
    assert rows[0]["cert_not_after"] == "2026-12-01T00:00:00Z"
    assert rows[0]["status"] == "unreachable"


@pytest.mark.parametrize(
    ("result", "status", "attention"),
    [
        (check(endpoint()), "ok", False),
        (check(endpoint(tls__days_left=3)), "warn", True),
        (check(endpoint(), endpoint(FAILED)), "failed", True),
        (UNREACHABLE, "unreachable", True),
        (HOST_FAILED, "failed", True),
        (check(endpoint(url="ws://127.0.0.1:80/", tls=None)), "ok", False),
    ],
)
def test_host_status_is_its_worst_row(result: dict, status: str, attention: bool) -> None:
    (row,) = host_rows({"gw1": result}, {"gw1": facts()})
    assert (row["status"], row["attention"]) == (status, attention)


@pytest.mark.parametrize(
    ("given", "nginx", "openssl"),
    [
        (facts(), "1.22.1", "3.0.17"),
        (facts(nginx_version="", openssl_version=""), None, None),
        (facts(nginx_version="0", openssl_version="0"), None, None),
        ({}, None, None),
    ],
)
def test_unknown_versions(given: dict, nginx: str | None, openssl: str | None) -> None:
    (row,) = host_rows({"gw1": check(endpoint())}, {"gw1": given})
    assert (row["nginx_version"], row["openssl_version"]) == (nginx, openssl)


def test_host_rows_attention_first_then_fewest_days() -> None:
    hosts = {
        "gw1": check(endpoint(tls__days_left=200)),
        "gw2": check(endpoint(tls__days_left=9)),
        "gw3": check(endpoint(FAILED)),
        "gw4": UNREACHABLE,
        "gw5": check(endpoint(tls__days_left=2)),
        "gw0": check(endpoint(tls__days_left=300)),
    }
    assert [(r["host"], r["status"]) for r in host_rows(hosts)] == [
        ("gw3", "failed"),
        ("gw4", "unreachable"),
        ("gw5", "warn"),
        ("gw2", "warn"),
        ("gw0", "ok"),
        ("gw1", "ok"),
    ]


def test_host_table() -> None:
    hosts = host_rows(
        {"gw1": check(endpoint()), "gw2": UNREACHABLE},
        {"gw1": facts(), "gw2": facts({"skipped": True}, nginx_version="", openssl_version="")},
    )
    header, first, second = render_host_table(hosts).splitlines()
    assert header.split() == [
        "STATUS", "HOST", "CONNS", "NGINX", "OPENSSL", "CERT", "EXPIRES", "DAYS", "NOTE",
    ]  # fmt: skip
    assert first.split()[:7] == ["UNREACHABLE", "gw2", "unknown", "unknown", "unknown", "-", "-"]
    assert first.endswith(
        "connections unknown: stub_status was not read (the host was not reached)"
    )
    assert second.split() == [
        "OK",
        "gw1",
        "7",
        "1.22.1",
        "3.0.17",
        "2026-09-01T12:00:00Z",
        "89",
        "-",
    ]
    end = header.index(" CONNS") + len(" CONNS")
    assert second[end - 1] == "7" and first[end - 1] == "n"


def test_report_table_starts_with_the_hosts() -> None:
    result = report(FLEET, host_facts={host: facts() for host in FLEET})
    lines = result["table"].splitlines()
    assert lines[0].split()[:3] == ["STATUS", "HOST", "CONNS"]
    assert lines[1].split()[:2] == ["FAILED", "gw1.example.com"]
    assert lines[5] == ""
    assert lines[6].split()[:3] == ["STATUS", "HOST", "FROM"]
    assert lines[-1].startswith("4 hosts, 4 endpoints")
    assert [row["active_connections"] for row in result["hosts"]] == [7, 7, 7, 7]


def cells_of(page: str, caption: str) -> list[list[tuple[str, str]]]:
    """Each body row of the table with ``caption`` as (data-sort, text) per cell."""
    table = page.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        re.findall(r'<td data-sort="([^"]*)"(?: class="num")?>([^<]*)</td>', row)
        for row in re.findall(r"<tr [^>]*>(.*?)</tr>", body)
    ]


def headings_of(page: str, caption: str) -> list[tuple[str, str]]:
    table = page.split(f"<caption>{caption}</caption>", 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col" data-type="(\w+)"(?: class="num")?>([^<]*)</th>', table)


def test_html_sort_types_and_values() -> None:
    result = report(
        {"gw1": check(endpoint()), "gw2": UNREACHABLE},
        host_facts={"gw1": facts(), "gw2": facts(REFUSED)},
    )
    page = result["html"]
    assert headings_of(page, "Hosts") == [
        ("num", "STATUS"),
        ("text", "HOST"),
        ("num", "CONNS"),
        ("text", "NGINX"),
        ("text", "OPENSSL"),
        ("date", "CERT EXPIRES"),
        ("num", "DAYS"),
        ("text", "NOTE"),
    ]
    unreachable, ok = cells_of(page, "Hosts")
    # Status sorts by severity, numbers and dates by value, unknown as empty (sorted last).
    assert ok[:3] == [("3", "OK"), ("gw1", "gw1"), ("7", "7")]
    assert ok[5:7] == [("2026-09-01T12:00:00Z", "2026-09-01T12:00:00Z"), ("89", "89")]
    assert unreachable[:3] == [("1", "UNREACHABLE"), ("gw2", "gw2"), ("", "unknown")]
    assert unreachable[5:7] == [("", "-"), ("", "-")]
    assert [heading[0] for heading in headings_of(page, "Endpoints")] == [
        "num", "text", "text", "text", "text", "text", "num", "num", "text",
    ]  # fmt: skip
    (endpoint_cells, _unreachable_row) = cells_of(page, "Endpoints")[::-1]
    assert endpoint_cells[6] == ("89", "89")
    assert endpoint_cells[7] == ("3.8", "3.8")


def test_html_attention_markers() -> None:
    hosts = {
        "gw1": check(endpoint()),
        "gw2": check(endpoint(tls__days_left=3)),
        "gw3": check(endpoint(FAILED)),
        "gw4": UNREACHABLE,
    }
    page = report(hosts)["html"]
    markers = re.findall(r'<tr class="(\w+)" data-attention="([01])">', page)
    host_markers, endpoint_markers = markers[:4], markers[4:]
    expected = [("failed", "1"), ("unreachable", "1"), ("warn", "1"), ("ok", "0")]
    assert host_markers == expected
    assert endpoint_markers == expected
    # The filter is hidden until the script shows it: without scripts the page is complete.
    assert '<p id="attention-filter" hidden><label><input type="checkbox">' in page
    assert 'body.attention-only tr[data-attention="0"] { display: none; }' in page
    assert "filter.hidden = false" in page


def test_html_script_has_no_untrusted_text() -> None:
    """Every value is in the markup, escaped; the script is the same on every page."""
    page_a = report({"gw1": check(endpoint())})["html"]
    page_b = report({"<x>": check(endpoint(FAILED, msg="</script><script>alert(1)"))})["html"]

    def script(page: str) -> str:
        return page.split("<script>", 1)[1].split("</script>", 1)[0]

    assert script(page_a) == script(page_b)
    assert page_b.count("</script>") == 1


@pytest.mark.parametrize(
    "hostile",
    [
        HOSTILE,
        '"><img src=x onerror=alert(1)>',
        "</script><script>alert(1)</script>",
        "' onmouseover='alert(1)",
        "gw&amp;1",
    ],
)
def test_html_escapes_hostile_hosts_messages_and_versions(hostile: str) -> None:
    hosts = {hostile: check(endpoint(FAILED, msg=hostile, server_hostname=hostile))}
    host_facts = {
        hostile: facts(
            {"status": 500, "msg": hostile},
            nginx_version=hostile,
            openssl_version=hostile,
            status_listen=hostile,
        )
    }
    page = report(hosts, host_facts=host_facts, generated=hostile)["html"]
    escaped = html.escape(hostile)
    assert hostile not in page
    assert page.count(escaped) >= 8
    # The sort value of the host cell is the lower-cased name, escaped for the attribute.
    assert f'data-sort="{html.escape(hostile.lower())}"' in page
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    assert "<img" not in page
