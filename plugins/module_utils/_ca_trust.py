# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""CA continuity: does a host trust the CA that this run signs with?

Pure functions over PEM text (no cryptography library needed): the certificates in a PEM
bundle, their SHA-256 fingerprints (over the DER form, as ``openssl x509 -fingerprint
-sha256`` prints them), and the decision of the certificate role before anything changes on
a host: go on, refuse (with a message naming both fingerprints and the variable to set), or
rotate (trust the old and the new CA side by side).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

# One PEM certificate block: the armour lines and base64 between them (one character class,
# no nested quantifier).
_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----")

ROTATE_VARIABLE = "certificate_ca_rotate"
README_SECTION = "'Rotating the internal CA' in the README of the wss.gateway.certificate role"


def pem_certificates(text: str | None) -> list[str]:
    """The PEM certificate blocks of ``text``, normalised (one base64 line per 64 chars)."""
    blocks = []
    for match in _PEM_CERT.finditer(text or ""):
        body = "".join(match.group(1).split())
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            continue
        if not der:
            continue
        lines = [body[i:][:64] for i in range(0, len(body), 64)]
        blocks.append(
            "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----"
        )
    return blocks


def fingerprint(pem: str) -> str:
    """SHA-256 of the DER form of one PEM certificate, ``AB:CD:...`` (upper case)."""
    blocks = pem_certificates(pem)
    if len(blocks) != 1:
        raise ValueError(f"expected one PEM certificate, found {len(blocks)}")
    body = "".join(blocks[0].splitlines()[1:-1])
    digest = hashlib.sha256(base64.b64decode(body)).hexdigest().upper()
    return ":".join(digest[i:][:2] for i in range(0, len(digest), 2))


def _unique(blocks: list[str]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for block in blocks:
        seen.setdefault(fingerprint(block), block)
    return list(seen.items())


def ca_trust(
    installed: str | None,
    signing: str | None,
    *,
    rotate: bool = False,
    host: str = "this host",
    installed_path: str = "ca.pem",
    signing_origin: str = "this run's CA",
    variable: str = "wss_certificate_ca_dir",
) -> dict:
    """Decide what a host's installed CA bundle means for this run.

    installed       the host's current ``<tls_dir>/ca.pem`` (empty or None: none yet)
    signing         the PEM certificate of the CA this run signs with (empty: none yet,
                    for example in check mode before a new CA would be made)
    rotate          ``certificate_ca_rotate``: the operator moves the hosts to a new CA
    host, installed_path, signing_origin, variable   words for the message

    Returns a dict:
      ok          False: refuse the host, ``msg`` says why; nothing may change on it
      msg         the refusal (empty when ok)
      installed   fingerprints of the CAs the host trusts now
      signing     fingerprint of the CA this run signs with ('' when there is none yet)
      rotating    the host trusts an old CA besides the signing one and the run rotates:
                  current leaf certificates that still fit are kept (clients that trust the
                  old CA keep working), new ones come from the signing CA
      bundle      the ca.pem the host should hold after this run ('' when there is no CA)
    """
    trusted = _unique(pem_certificates(installed))
    signing_blocks = pem_certificates(signing)
    if len(signing_blocks) > 1:
        raise ValueError(f"{signing_origin} holds {len(signing_blocks)} certificates, expected one")
    signing_fp = fingerprint(signing_blocks[0]) if signing_blocks else ""
    trusted_fps = [item[0] for item in trusted]
    result = {
        "ok": True,
        "msg": "",
        "installed": trusted_fps,
        "signing": signing_fp,
        "rotating": False,
        "bundle": "",
    }
    if not trusted:
        result["bundle"] = signing_blocks[0] + "\n" if signing_blocks else ""
        return result
    if rotate:
        others = [block for fp, block in trusted if fp != signing_fp]
        result["rotating"] = bool(others)
        blocks = others + (signing_blocks or [])
        result["bundle"] = "\n".join(blocks) + "\n" if signing_blocks else ""
        return result
    if signing_fp and signing_fp in trusted_fps:
        result["bundle"] = signing_blocks[0] + "\n"
        return result
    plural = "s" if len(trusted_fps) > 1 else ""
    would = (
        f"this run would sign with the CA {signing_fp} ({signing_origin})"
        if signing_fp
        else f"this run has no CA yet ({signing_origin}) and would make a new one"
    )
    result["ok"] = False
    result["msg"] = (
        f"host {host}: {installed_path} holds the internal CA{plural} {', '.join(trusted_fps)}, "
        f"but {would}; nothing was changed on {host}. Set {variable} so that this run uses "
        f"the CA the host trusts, or set {ROTATE_VARIABLE}: true to move the hosts to the "
        f"new CA on purpose (see {README_SECTION})."
    )
    return result
