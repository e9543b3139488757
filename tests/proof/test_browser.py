"""The reason the project exists, proven in a real browser (Debian's headless Chromium).

The CA is trusted the way a user does it, in the NSS database of the browser's profile
(``$HOME/.pki/nssdb``), never by turning verification off; names are mapped to 127.0.0.1
with Chromium's host resolver rules so the browser dials names, as users do.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import require_tool
from tests.proof.conftest import Gateway

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def trust_in_nss(home: Path, ca: Path) -> None:
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    certutil = require_tool("certutil")
    for command in (
        [certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"],
        [certutil, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "wss-gateway-ca", "-i", str(ca)],
    ):
        subprocess.run(command, check=True, capture_output=True)


def launch(playwright, gateway: Gateway, home: Path):
    resolver = ", ".join(f"MAP {n} 127.0.0.1" for n in (gateway.name, gateway.other_name))
    return playwright.chromium.launch(
        executable_path=require_tool("chromium"),
        args=[*CHROMIUM_FLAGS, f"--host-resolver-rules={resolver}"],
        env={**os.environ, "HOME": str(home)},
    )


@pytest.fixture(scope="module")
def playwright_session() -> Iterator[object]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_session, gateway: Gateway, tmp_path_factory) -> Iterator[object]:
    home = tmp_path_factory.mktemp("browser-home")
    trust_in_nss(home, gateway.ca)
    browser = launch(playwright_session, gateway, home)
    yield browser
    browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(message.text))
    yield page
    context.close()


def test_page_over_https_echoes_over_wss(page, gateway: Gateway) -> None:
    response = page.goto(gateway.url("https"))
    assert response.status == 200
    assert page.evaluate("location.protocol") == "https:"
    page.wait_for_function("document.getElementById('state').textContent === 'open'")
    page.fill("#text", "typed by a person")
    page.click("text=Send")
    page.wait_for_function(
        "document.getElementById('log').textContent.includes('echo: typed by a person')"
    )


def test_plain_ws_from_the_https_page_is_blocked(page, gateway: Gateway) -> None:
    page.goto(gateway.url("https"))
    outcome = page.evaluate(
        """(url) => new Promise((resolve) => {
             try {
               const socket = new WebSocket(url);
               socket.onopen = () => resolve("opened");
               socket.onerror = () => resolve("error event");
             } catch (err) {
               resolve(`${err.name}: ${err.message}`);
             }
           })""",
        f"ws://{gateway.name}:19808/ws",
    )
    # Chromium refuses to even construct it: mixed content from an HTTPS page.
    assert outcome.startswith("SecurityError"), outcome
    assert "insecure WebSocket" in outcome, outcome


def test_wss_to_a_name_no_endpoint_serves_fails(page, gateway: Gateway) -> None:
    """No certificate at all for it: the gateway refuses the handshake (unrecognized_name)."""
    page.goto(gateway.url("https"))
    outcome = page.evaluate(
        """(url) => new Promise((resolve) => {
             const socket = new WebSocket(url);
             socket.onopen = () => resolve("opened");
             socket.onclose = (event) => resolve(`closed ${event.code}`);
           })""",
        gateway.url("wss", "/ws", name=gateway.other_name),
    )
    assert outcome == "closed 1006", outcome
    with pytest.raises(Exception, match="ERR_SSL_UNRECOGNIZED_NAME_ALERT"):
        page.goto(gateway.url("https", name=gateway.other_name))


def test_without_the_ca_in_nss_the_browser_refuses(playwright_session, gateway, tmp_path) -> None:
    """The control: the trust above comes from the NSS database, not from a lax browser."""
    browser = launch(playwright_session, gateway, tmp_path)
    try:
        page = browser.new_page()
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(gateway.url("https"))
    finally:
        browser.close()
