# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""A plain ws:// echo service for the demo and the tests: the kind of backend the gateway fronts.

Runs on the host behind nginx (Debian's python3-websockets: 10.x on bookworm, 14.x and later on
trixie). GET / without an Upgrade header returns the demo page; a WebSocket on any path echoes
every message; the message "__headers__" is answered with the opening request's headers as
JSON, and "__backend__" with this instance's --name (default host:port), so that tests
behind several instances see which one answered. Every request's path and headers are appended, one JSON object per line, to --log, so
tests can see what the gateway forwarded (Origin, Upgrade, X-Forwarded-*) and what it did not.
"""

from __future__ import annotations

import argparse
import asyncio
import http
import json
import pathlib

import websockets

MAJOR = int(websockets.__version__.split(".")[0])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=19808)
    parser.add_argument("--page", default="/usr/local/share/ws-echo/index.html")
    parser.add_argument("--log", default="/var/log/ws-echo/requests.jsonl")
    parser.add_argument("--name", default="", help="answer to '__backend__' (default host:port)")
    return parser.parse_args()


ARGS = parse_args()
PAGE = pathlib.Path(ARGS.page)
LOG = pathlib.Path(ARGS.log)


def record(path: str, headers) -> None:
    entry = {"path": path, "headers": dict(headers.raw_items())}
    with LOG.open("a") as stream:
        stream.write(json.dumps(entry) + "\n")


def page_body() -> bytes:
    return PAGE.read_bytes() if PAGE.is_file() else b"ws-echo\n"


async def echo(websocket, *_path) -> None:
    async for message in websocket:
        if message == "__headers__":
            request = getattr(websocket, "request", None)
            headers = request.headers if request else websocket.request_headers
            await websocket.send(json.dumps(dict(headers.raw_items())))
        elif message == "__backend__":
            await websocket.send(ARGS.name or f"{ARGS.host}:{ARGS.port}")
        else:
            await websocket.send(message)


async def main_legacy() -> None:
    """websockets < 13: process_request(path, headers) -> None | (status, headers, body)."""

    async def process_request(path, headers):
        record(path, headers)
        if "upgrade" not in headers.get("Connection", "").lower():
            return http.HTTPStatus.OK, [("Content-Type", "text/html; charset=utf-8")], page_body()
        return None

    async with websockets.serve(echo, ARGS.host, ARGS.port, process_request=process_request):
        await asyncio.Future()


async def main_new() -> None:
    """websockets >= 13: process_request(connection, request) -> None | Response."""
    from websockets.asyncio.server import serve  # noqa: PLC0415

    def process_request(connection, request):
        record(request.path, request.headers)
        if "upgrade" not in request.headers.get("Connection", "").lower():
            response = connection.respond(http.HTTPStatus.OK, "")
            response.body = page_body()
            response.headers["Content-Type"] = "text/html; charset=utf-8"
            response.headers["Content-Length"] = str(len(response.body))
            return response
        return None

    async with serve(echo, ARGS.host, ARGS.port, process_request=process_request):
        await asyncio.Future()


if __name__ == "__main__":
    LOG.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(main_legacy() if MAJOR < 13 else main_new())
