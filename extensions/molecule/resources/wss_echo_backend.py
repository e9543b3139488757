#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""A plain ws:// echo service for the tests, with Debian's python3-websockets (10.x to 15.x).

It echoes every message. The message "__headers__" is answered with the opening request's
headers as JSON, so that a test can see what the gateway forwarded. Every request that
reaches it is appended to the log file named by --log (one JSON line: path and headers),
so that a test can prove a request never got here.
"""

from __future__ import annotations

import argparse
import asyncio
import json

try:  # websockets >= 13: the new asyncio implementation
    from websockets.asyncio.server import serve

    NEW_API = True
except ImportError:  # websockets 10 to 12 (Debian 12)
    from websockets.server import serve

    NEW_API = False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=19808)
    parser.add_argument("--log", default="/var/log/wss-echo-backend.log")
    args = parser.parse_args()

    def record(path: str, headers) -> None:
        with open(args.log, "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"path": path, "headers": dict(headers.raw_items())}) + "\n")

    if NEW_API:

        def process_request(connection, request):
            record(request.path, request.headers)

        def request_headers(websocket):
            return websocket.request.headers

        options = {"process_request": process_request}
    else:

        async def process_request(path, headers):
            record(path, headers)

        def request_headers(websocket):
            return websocket.request_headers

        options = {"process_request": process_request}

    async def echo(websocket, *_ignored) -> None:
        async for message in websocket:
            if message == "__headers__":
                await websocket.send(json.dumps(dict(request_headers(websocket).raw_items())))
            else:
                await websocket.send(message)

    async def run() -> None:
        async with serve(echo, args.host, args.port, **options):
            await asyncio.Future()

    asyncio.run(run())


if __name__ == "__main__":
    main()
