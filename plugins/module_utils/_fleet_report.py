# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The fleet health report: every host's wss_check result as rows, a table and a page.

``hosts`` maps each inventory hostname to its registered M(wss.gateway.wss_check) result,
or to ``{"unreachable": True, "msg": ...}`` / ``{"failed": True, "msg": ...}`` for a host
that could not be checked; or to a list of those, one per view (where the check ran from:
``host``, ``controller`` or ``group:probe``, in each result's ``view`` key). What needs
attention (failures, certificates that expire within ``warn_days``) sorts first.

``host_facts`` (optional) maps each inventory hostname to what was read on the host itself:
``nginx_version`` and ``openssl_version`` (wss.gateway.nginx's ``versions`` step; empty or
missing: unknown), ``status_listen`` (``nginx_status_listen``; empty: stub_status is off) and
``stub_status``, the registered M(ansible.builtin.uri) result of ``/stub_status``. Each host
then gets one summary row: its worst status, active connections (or ``unknown`` and why), the
nginx and OpenSSL versions and the soonest certificate expiry over its endpoints.
"""

from __future__ import annotations

import html
import re

WARN_DAYS = 14
ELLIPSIS = "..."
# Status rank: failures first, then certificates about to expire, then the rest.
RANK = {"failed": 0, "unreachable": 1, "warn": 2, "ok": 3}
UNESCAPED_SEPARATOR = re.compile(r"(?<!\\)[,+]")
COLUMNS = (
    # key, heading, widest, right-aligned
    ("status", "STATUS", None, False),
    ("host", "HOST", 28, False),
    ("view", "FROM", 28, False),
    ("endpoint", "ENDPOINT", 56, False),
    ("tls", "TLS", None, False),
    ("issuer", "ISSUER", 24, False),
    ("days", "DAYS", None, True),
    ("ms", "MS", None, True),
    ("message", "STAGE: MESSAGE", 72, False),
)
WIDEST = {key: widest for key, _heading, widest, _right in COLUMNS}
HOST_COLUMNS = (
    ("status", "STATUS", None, False),
    ("host", "HOST", 28, False),
    ("connections", "CONNS", None, True),
    ("nginx", "NGINX", None, False),
    ("openssl", "OPENSSL", None, False),
    ("expires", "CERT EXPIRES", None, False),
    ("days", "DAYS", None, True),
    ("note", "NOTE", 72, False),
)
HOST_WIDEST = {key: widest for key, _heading, widest, _right in HOST_COLUMNS}
# How the page sorts each column: by number, by date or as text (the data-sort of each cell).
SORT_TYPES = {"status": "num", "days": "num", "ms": "num", "connections": "num", "expires": "date"}
ACTIVE_CONNECTIONS = re.compile(r"^Active connections:\s*(\d+)", re.MULTILINE)
CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td, tr.unreachable td { background: #ffebe9; }
tr.warn td { background: #fff8c5; }
tr.ok td { background: #dafbe1; }
.summary { font-weight: bold; }
th button { font: inherit; font-weight: bold; border: 0; background: none; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
body.attention-only tr[data-attention="0"] { display: none; }
"""
# Sorting by a column header and the "needs attention only" filter. Without scripts the page
# is the same complete table, in the report's order, without the buttons and the filter.
SCRIPT = """
(function () {
  var filter = document.getElementById("attention-filter");
  filter.hidden = false;
  filter.querySelector("input").addEventListener("change", function (event) {
    document.body.classList.toggle("attention-only", event.target.checked);
  });
  function compare(type, x, y) {
    if (type === "num") { return Number(x) - Number(y); }
    if (type === "date") { return Date.parse(x) - Date.parse(y); }
    return x.localeCompare(y, undefined, {numeric: true});
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-sort");
          var y = b.cells[index].getAttribute("data-sort");
          if (x === "" || y === "") { return (x === "") - (y === ""); }
          var order = compare(th.getAttribute("data-type"), x, y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
"""


def short_issuer(issuer: str | None) -> str | None:
    """The CN= value of an RFC 4514 name, else the whole name."""
    if not issuer:
        return issuer
    for part in UNESCAPED_SEPARATOR.split(issuer):
        key, sep, value = part.strip().partition("=")
        if sep and key.strip().upper() == "CN":
            return re.sub(r"\\(.)", r"\1", value.strip())
    return issuer


def handshake_ms(timings: dict | None) -> float | None:
    """``timings_ms.total``, else the sum of the connect, tls and upgrade stages that ran."""
    timings = timings or {}
    if timings.get("total") is not None:
        return timings["total"]
    stages = [timings.get(stage) for stage in ("connect", "tls", "upgrade")]
    stages = [value for value in stages if value is not None]
    return round(sum(stages), 3) if stages else None


def _endpoint_row(host: str, view: str, endpoint: dict, warn_days: int) -> dict:
    tls = endpoint.get("tls") or {}
    ok = bool(endpoint.get("ok"))
    days_left = tls.get("days_left")
    return {
        "host": host,
        "view": view,
        "url": endpoint.get("url"),
        "server_hostname": endpoint.get("server_hostname"),
        "status": "ok" if ok else "failed",
        "stage": None if ok else endpoint.get("stage"),
        "message": endpoint.get("msg") or "",
        "tls_version": tls.get("version"),
        "issuer": short_issuer(tls.get("issuer")),
        "not_after": tls.get("not_after"),
        "days_left": days_left,
        "handshake_ms": handshake_ms(endpoint.get("timings_ms")),
        "attention": not ok or (days_left is not None and days_left < warn_days),
    }


def _host_row(host: str, view: str, result: dict) -> dict:
    return {
        "host": host,
        "view": view,
        "url": None,
        "server_hostname": None,
        "status": "unreachable" if result.get("unreachable") else "failed",
        "stage": "host",
        "message": result.get("msg") or "no endpoint was checked",
        "tls_version": None,
        "issuer": None,
        "not_after": None,
        "days_left": None,
        "handshake_ms": None,
        "attention": True,
    }


def _rank(row: dict) -> str:
    return "warn" if row["status"] == "ok" and row["attention"] else row["status"]


def _sort_key(row: dict) -> tuple:
    rank = _rank(row)
    days = row["days_left"] if rank == "warn" else 0
    return (
        RANK[rank],
        days,
        row["host"],
        row["view"],
        row["url"] or "",
        row["server_hostname"] or "",
    )


def build_rows(hosts: dict, warn_days: int = WARN_DAYS) -> list[dict]:
    """One row per host, view and endpoint (one per view without endpoints), attention first."""
    rows = []
    for host, results in (hosts or {}).items():
        for given in results if isinstance(results, list) else [results]:
            result = given or {}
            view = str(result.get("view") or "host")
            endpoints = result.get("endpoints")
            if endpoints:
                rows.extend(_endpoint_row(str(host), view, ep, int(warn_days)) for ep in endpoints)
            else:
                rows.append(_host_row(str(host), view, result))
    for row in rows:
        row["line"] = row_line(row)
    return sorted(rows, key=_sort_key)


def active_connections(facts: dict | None) -> tuple[int | None, str]:
    """nginx's active connections from its stub_status answer, else None and why not."""
    if not facts:
        return None, "stub_status was not read on the host"
    listen = facts.get("status_listen")
    result = facts.get("stub_status") or {}
    if listen is not None and not listen:
        return None, "stub_status is off (nginx_status_listen is empty)"
    if not result or result.get("skipped"):
        return None, "stub_status was not read (the host was not reached)"
    where = f"http://{listen}/stub_status" if listen else "stub_status"
    if result.get("unreachable"):
        return None, f"{where} was not read: {result.get('msg') or 'the host is unreachable'}"
    if result.get("status") != 200:
        return None, f"{where}: {result.get('msg') or 'status ' + str(result.get('status'))}"
    found = ACTIVE_CONNECTIONS.search(str(result.get("content") or ""))
    if not found:
        return None, f"{where}: no 'Active connections' in the answer"
    return int(found.group(1)), ""


def _version(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if text and text != "0" else None


def build_hosts(
    rows: list[dict], host_facts: dict | None = None, warn_days: int = WARN_DAYS
) -> list[dict]:
    """One summary row per host of ``rows``: worst status, connections, versions, soonest expiry."""
    host_facts = host_facts or {}
    hosts = []
    for host in sorted({row["host"] for row in rows}):
        mine = [row for row in rows if row["host"] == host]
        worst = min(mine, key=_sort_key)
        expiring = [row for row in mine if row["not_after"]]
        soonest = min(
            expiring, key=lambda row: (row["not_after"], row["days_left"] or 0), default=None
        )
        facts = host_facts.get(host)
        connections, note = active_connections(facts)
        days_left = soonest["days_left"] if soonest else None
        due = days_left is not None and days_left < int(warn_days)
        attention = any(row["attention"] for row in mine) or due
        hosts.append(
            {
                "host": host,
                "status": _rank(worst),
                "active_connections": connections,
                "connections_note": note,
                "nginx_version": _version((facts or {}).get("nginx_version")),
                "openssl_version": _version((facts or {}).get("openssl_version")),
                "cert_not_after": soonest["not_after"] if soonest else None,
                "cert_days_left": days_left,
                "cert_url": soonest["url"] if soonest else None,
                "attention": attention,
            }
        )
    return sorted(hosts, key=_host_sort_key)


def _host_sort_key(host: dict) -> tuple:
    days = host["cert_days_left"] if host["status"] == "warn" else 0
    return (RANK[host["status"]], days, host["host"])


def row_line(row: dict) -> str:
    """One row as a sentence: which host, seen from where, which endpoint, and its result."""
    cells = _cells(row)
    result = "ok" if row["status"] == "ok" else cells["message"]
    return f"{row['host']} from {row['view']}: {cells['endpoint']}: {result}"


def summary(rows: list[dict]) -> dict:
    """Counts of hosts, checked endpoints, rows per status and rows needing attention."""
    counts = {
        "hosts": len({row["host"] for row in rows}),
        "endpoints": sum(1 for row in rows if row["url"] is not None),
        "ok": 0,
        "failed": 0,
        "unreachable": 0,
        "attention": sum(1 for row in rows if row["attention"]),
    }
    for row in rows:
        counts[row["status"]] += 1
    return counts


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(counts: dict) -> str:
    verb = "needs" if counts["attention"] == 1 else "need"
    return (
        f"{_plural(counts['hosts'], 'host')}, {_plural(counts['endpoints'], 'endpoint')}: "
        f"{counts['ok']} ok, {counts['failed']} failed, {counts['unreachable']} unreachable; "
        f"{counts['attention']} {verb} attention"
    )


def truncate(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: width - len(ELLIPSIS)] + ELLIPSIS


def _cells(row: dict) -> dict:
    """The display text of each column; ``-`` for what is unknown."""
    endpoint = row["url"] or "-"
    if row["url"] and row["server_hostname"]:
        endpoint = f"{row['url']} as {row['server_hostname']}"
    message = row["message"]
    if row["stage"]:
        message = f"{row['stage']}: {message}"
    ms = row["handshake_ms"]
    days = row["days_left"]
    return {
        "status": _rank(row).upper(),
        "host": row["host"],
        "view": row["view"],
        "endpoint": endpoint,
        "tls": row["tls_version"] or "-",
        "issuer": row["issuer"] or "-",
        "days": "-" if days is None else str(days),
        "ms": "-" if ms is None else f"{ms:.1f}",
        "message": message or "-",
    }


def _fixed_width(columns: tuple, texts: list[dict], widest: dict) -> list[str]:
    """Fixed-width lines: the headings, then one per row, long cells cut with an ellipsis."""
    cells = [{key: truncate(text, widest[key]) for key, text in row.items()} for row in texts]
    widths = {
        key: max([len(heading)] + [len(cell[key]) for cell in cells])
        for key, heading, _widest, _right in columns
    }

    def line(values: dict) -> str:
        parts = [
            values[key].rjust(widths[key]) if right else values[key].ljust(widths[key])
            for key, _heading, _widest, right in columns
        ]
        return "  ".join(parts).rstrip()

    lines = [line({key: heading for key, heading, _widest, _right in columns})]
    lines.extend(line(cell) for cell in cells)
    return lines


def render_table(rows: list[dict]) -> str:
    """A fixed-width plain-text table, long cells cut with an ellipsis, and the summary."""
    lines = _fixed_width(COLUMNS, [_cells(row) for row in rows], WIDEST)
    lines.append("")
    lines.append(summary_line(summary(rows)))
    return "\n".join(lines)


def _host_cells(host: dict) -> dict:
    """The display text of each column of a host's row; ``unknown`` for what was not read."""
    connections = host["active_connections"]
    days = host["cert_days_left"]
    note = host["connections_note"]
    return {
        "status": host["status"].upper(),
        "host": host["host"],
        "connections": "unknown" if connections is None else str(connections),
        "nginx": host["nginx_version"] or "unknown",
        "openssl": host["openssl_version"] or "unknown",
        "expires": host["cert_not_after"] or "-",
        "days": "-" if days is None else str(days),
        "note": f"connections unknown: {note}" if note else "-",
    }


def render_host_table(hosts: list[dict]) -> str:
    """A fixed-width plain-text table with one row per host."""
    return "\n".join(_fixed_width(HOST_COLUMNS, [_host_cells(host) for host in hosts], HOST_WIDEST))


def _sort_value(key: str, text: str, row: dict) -> str:
    """What the page sorts a cell by: a number, an ISO 8601 date or lower-case text; empty: unknown."""
    if key == "status":
        return str(RANK[text.lower()])
    numbers = {
        "days": row.get("days_left", row.get("cert_days_left")),
        "ms": row.get("handshake_ms"),
        "connections": row.get("active_connections"),
        "expires": row.get("cert_not_after"),
    }
    if key in numbers:
        value = numbers[key]
        return "" if value is None else str(value)
    return text.lower()


def _html_table(caption: str, columns: tuple, cells: list[dict], rows: list[dict]) -> str:
    """A sortable table: each heading names its sort type, each cell its sort value."""
    esc = html.escape
    num = {key: ' class="num"' if right else "" for key, _heading, _widest, right in columns}
    heads = "".join(
        f'<th scope="col" data-type="{SORT_TYPES.get(key, "text")}"{num[key]}>{esc(heading)}</th>'
        for key, heading, _widest, _right in columns
    )
    body = []
    for texts, row in zip(cells, rows, strict=True):
        tds = "".join(
            f'<td data-sort="{esc(_sort_value(key, texts[key], row))}"{num[key]}>'
            f"{esc(texts[key])}</td>"
            for key, _heading, _widest, _right in columns
        )
        attention = "1" if row["attention"] else "0"
        body.append(f'<tr class="{_rank(row)}" data-attention="{attention}">{tds}</tr>')
    rows_html = "\n".join(body)
    return (
        f'<table class="sortable">\n<caption>{esc(caption)}</caption>\n'
        f"<thead><tr>{heads}</tr></thead>\n<tbody>\n{rows_html}\n</tbody>\n</table>\n"
    )


def render_html(
    rows: list[dict],
    title: str = "wss.gateway fleet report",
    generated: str | None = None,
    hosts: list[dict] | None = None,
) -> str:
    """One self-contained page: inline CSS and script, no external resources, every value escaped.

    A table of the hosts (when ``hosts`` is given) and one of the endpoints, sortable by a click
    on a column header, and a "needs attention only" filter; both tables are complete without
    the script.
    """
    esc = html.escape
    generated_line = f"<p>Generated {esc(generated)}</p>\n" if generated else ""
    host_table = ""
    if hosts is not None:
        host_table = _html_table(
            "Hosts", HOST_COLUMNS, [_host_cells(host) for host in hosts], hosts
        )
    endpoint_table = _html_table("Endpoints", COLUMNS, [_cells(row) for row in rows], rows)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n{generated_line}"
        f'<p class="summary">{esc(summary_line(summary(rows)))}</p>\n'
        '<p id="attention-filter" hidden><label><input type="checkbox"> '
        "Needs attention only (failed or unreachable, certificates expiring soon)</label></p>\n"
        f"{host_table}{endpoint_table}"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def report(
    hosts: dict,
    warn_days: int = WARN_DAYS,
    generated: str | None = None,
    host_facts: dict | None = None,
) -> dict:
    """Rows, host rows, summary, terminal tables and HTML page of the fleet, in one call."""
    rows = build_rows(hosts, warn_days=warn_days)
    host_rows = build_hosts(rows, host_facts, warn_days=warn_days)
    return {
        "rows": rows,
        "hosts": host_rows,
        "summary": summary(rows),
        "table": render_host_table(host_rows) + "\n\n" + render_table(rows),
        "html": render_html(rows, generated=generated, hosts=host_rows),
    }
