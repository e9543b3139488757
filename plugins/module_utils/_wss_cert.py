# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Certificate facts for the WebSocket check, and messages a person can act on.

The standard library gives subject, SANs, issuer and notAfter through
``SSLSocket.getpeercert()`` once the chain is verified. The optional ``cryptography``
library reads the same facts from the DER form, which also works when verification is
off or failed (to say *which* certificate was refused).
"""

from __future__ import annotations

import calendar
import ipaddress
import ssl
import time

try:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID
except ImportError:  # pragma: no cover - depends on the host
    x509 = None
    ExtensionOID = None
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

# OpenSSL X509_V_ERR_* codes the messages below single out.
V_ERR_UNABLE_TO_GET_ISSUER_CERT = 2
V_ERR_CERT_NOT_YET_VALID = 9
V_ERR_CERT_HAS_EXPIRED = 10
V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT = 18
V_ERR_SELF_SIGNED_CERT_IN_CHAIN = 19
V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
V_ERR_HOSTNAME_MISMATCH = 62
V_ERR_IP_ADDRESS_MISMATCH = 64
UNTRUSTED_CODES = (
    V_ERR_UNABLE_TO_GET_ISSUER_CERT,
    V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
    V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
    V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
)
MISMATCH_CODES = (V_ERR_HOSTNAME_MISMATCH, V_ERR_IP_ADDRESS_MISMATCH)

SECONDS_PER_DAY = 86400
# getpeercert() attribute names -> RFC 4514 short names.
SHORT_NAMES = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
    "streetAddress": "STREET",
    "domainComponent": "DC",
    "userId": "UID",
}


def _escape_rdn_value(value: str) -> str:
    out = "".join("\\" + ch if ch in ',+"\\<>;=' else ch for ch in value)
    if out.startswith(("#", " ")):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def name_from_peercert(name: tuple) -> str:
    """An RFC 4514 string from getpeercert()'s nested subject/issuer tuples."""
    rdns = []
    for rdn in name:
        parts = [f"{SHORT_NAMES.get(attr, attr)}={_escape_rdn_value(value)}" for attr, value in rdn]
        rdns.append("+".join(parts))
    # RFC 4514 writes the most specific RDN first, the reverse of the encoding order.
    return ",".join(reversed(rdns))


def _common_name(name: tuple) -> str | None:
    for rdn in name:
        for attr, value in rdn:
            if attr == "commonName":
                return value
    return None


def _normalise_ip(value: str) -> str:
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return value.strip()


def info_from_peercert(cert: dict) -> dict | None:
    """Certificate facts from ``SSLSocket.getpeercert()`` (empty when unverified)."""
    if not cert:
        return None
    sans = []
    for kind, value in cert.get("subjectAltName", ()):
        if kind == "DNS":
            sans.append(f"DNS:{value}")
        elif kind == "IP Address":
            sans.append(f"IP:{_normalise_ip(value)}")
        else:
            sans.append(f"{kind}:{value}")
    not_after = cert.get("notAfter")
    return {
        "subject": name_from_peercert(cert.get("subject", ())),
        "common_name": _common_name(cert.get("subject", ())),
        "sans": sans,
        "issuer": name_from_peercert(cert.get("issuer", ())),
        "not_after_ts": ssl.cert_time_to_seconds(not_after) if not_after else None,
    }


def info_from_der(der: bytes | None) -> dict | None:
    """Certificate facts from the DER form; None without ``cryptography`` or on bad input."""
    if not HAS_CRYPTOGRAPHY or not der:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    sans = []
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    except x509.ExtensionNotFound:
        ext = None
    if ext is not None:
        for entry in ext.value:
            if isinstance(entry, x509.DNSName):
                sans.append(f"DNS:{entry.value}")
            elif isinstance(entry, x509.IPAddress):
                sans.append(f"IP:{entry.value.compressed}")
            else:
                sans.append(f"{type(entry).__name__}:{entry.value}")
    # cryptography >= 42 has an aware datetime; older ones a naive one, in UTC too.
    not_after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
    common = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return {
        "subject": cert.subject.rfc4514_string(),
        "common_name": str(common[0].value) if common else None,
        "sans": sans,
        "issuer": cert.issuer.rfc4514_string(),
        "not_after_ts": calendar.timegm(not_after.utctimetuple()),
    }


def iso_utc(timestamp: float) -> str:
    """ISO 8601 in UTC with a Z, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(timestamp)))


def days_left(not_after_ts: float, now: float) -> int:
    """Whole days until expiry, rounded down (negative once expired)."""
    return int((not_after_ts - now) // SECONDS_PER_DAY)


def cert_fields(info: dict | None, now: float) -> dict:
    """The certificate keys of the result's ``tls`` dict."""
    if not info:
        return {"subject": None, "sans": [], "issuer": None, "not_after": None, "days_left": None}
    ts = info.get("not_after_ts")
    return {
        "subject": info.get("subject"),
        "sans": list(info.get("sans", [])),
        "issuer": info.get("issuer"),
        "not_after": iso_utc(ts) if ts is not None else None,
        "days_left": days_left(ts, now) if ts is not None else None,
    }


def cert_names(info: dict | None) -> list:
    """The names a certificate is for: its SAN values, or its CN when it has no SANs."""
    if not info:
        return []
    names = [san.split(":", 1)[1] for san in info.get("sans", []) if ":" in san]
    if not names and info.get("common_name"):
        names = [info["common_name"]]
    return names


def expiry_error(days: int | None, min_cert_days: int) -> str | None:
    """'certificate expires in 5 days, min_cert_days is 14', or None when fine."""
    if days is None or days >= min_cert_days:
        return None
    if days < 0:
        return f"certificate has expired, min_cert_days is {min_cert_days}"
    return f"certificate expires in {days} days, min_cert_days is {min_cert_days}"


def verify_error_message(
    code: int | None, reason: str, dialled: str, info: dict | None, now: float
) -> str:
    """A message for a failed certificate verification (ssl.SSLCertVerificationError).

    ``info`` holds the facts of the refused certificate when they could be read.
    """
    names = ", ".join(cert_names(info)) or "unknown names"
    if code in MISMATCH_CODES:
        return f"hostname mismatch: certificate is for {names}, dialled {dialled}"
    fields = cert_fields(info, now)
    if code == V_ERR_CERT_HAS_EXPIRED:
        msg = "certificate has expired"
        if fields["not_after"]:
            ago = int((now - info["not_after_ts"]) // SECONDS_PER_DAY)
            msg += f" (not after {fields['not_after']}, {ago} day(s) ago)"
        return msg
    if code == V_ERR_CERT_NOT_YET_VALID:
        return "certificate is not valid yet (check the clock of the host and of the server)"
    if code in UNTRUSTED_CODES:
        msg = f"certificate is not trusted: {reason}"
        if fields["issuer"]:
            msg += f" (issuer {fields['issuer']})"
        return msg + "; set ca_path to the CA that issued it"
    return f"certificate verification failed: {reason}"
