# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The fleet health report: every host's wss_check result as rows, a table and a page.

``hosts`` maps each inventory hostname to its registered M(wss.gateway.wss_check) result,
or to ``{"unreachable": True, "msg": ...}`` / ``{"failed": True, "msg": ...}`` for a host
that could not be checked; or to a list of those, one per view (where the check ran from:
``host``, ``controller`` or ``group:probe``, in each result's ``view`` key). What needs
attention (failures, certificates that expire within ``warn_days``) sorts first.
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


def render_table(rows: list[dict]) -> str:
    """A fixed-width plain-text table, long cells cut with an ellipsis, and the summary."""
    cells = [
        {key: truncate(text, WIDEST[key]) for key, text in _cells(row).items()} for row in rows
    ]
    widths = {
        key: max([len(heading)] + [len(cell[key]) for cell in cells])
        for key, heading, _widest, _right in COLUMNS
    }

    def line(values: dict) -> str:
        parts = [
            values[key].rjust(widths[key]) if right else values[key].ljust(widths[key])
            for key, _heading, _widest, right in COLUMNS
        ]
        return "  ".join(parts).rstrip()

    lines = [line({key: heading for key, heading, _widest, _right in COLUMNS})]
    lines.extend(line(cell) for cell in cells)
    lines.append("")
    lines.append(summary_line(summary(rows)))
    return "\n".join(lines)


def render_html(
    rows: list[dict], title: str = "wss.gateway fleet report", generated: str | None = None
) -> str:
    """One self-contained page: inline CSS, no scripts, every value escaped."""
    esc = html.escape

    def cell(tag: str, text: str, right: bool) -> str:
        return f'<{tag} class="num">{esc(text)}</{tag}>' if right else f"<{tag}>{esc(text)}</{tag}>"

    head = "".join(cell("th", heading, right) for _key, heading, _widest, right in COLUMNS)
    body = []
    for row in rows:
        cells = _cells(row)
        tds = "".join(cell("td", cells[key], right) for key, _heading, _widest, right in COLUMNS)
        body.append(f'<tr class="{_rank(row)}">{tds}</tr>')
    generated_line = f"<p>Generated {esc(generated)}</p>\n" if generated else ""
    rows_html = "\n".join(body)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n{generated_line}"
        f'<p class="summary">{esc(summary_line(summary(rows)))}</p>\n'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        f"{rows_html}"
        "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def report(hosts: dict, warn_days: int = WARN_DAYS, generated: str | None = None) -> dict:
    """Rows, summary, terminal table and HTML page of the fleet, in one call."""
    rows = build_rows(hosts, warn_days=warn_days)
    return {
        "rows": rows,
        "summary": summary(rows),
        "table": render_table(rows),
        "html": render_html(rows, generated=generated),
    }
