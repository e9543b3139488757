# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""The certificate role's decisions over what its tasks read: the guard, the files of a
``provided`` certificate, and whether an ``acme`` endpoint needs an order.

The tasks run the modules that read files (stat, slurp, openssl_privatekey_info, and
certificate_complete_chain for roots on the host) or community.crypto's filters that read PEM
text in memory (x509_certificate_info) and hand the results here; these functions are total
over any result (a skipped or failed module gives a message, never an exception) and name the
endpoint and the file at fault. ``chain_order`` checks a chain against roots on the controller
in memory (the cryptography library, which community.crypto needs on the controller too), and
``leaf_state`` decides there whether the current internal-CA certificate is due or stays.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
except ImportError:  # reported by chain_order; the other functions do not need it
    x509 = InvalidSignature = serialization = None

from ansible_collections.wss.gateway.plugins.module_utils._ca_trust import pem_certificates
from ansible_collections.wss.gateway.plugins.module_utils._internal_ca import (
    not_after_utc,
    public_key_sha256,
)

ASN1_TIME_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z")


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def shown_time(value: object) -> str:
    """An ASN.1 time as community.crypto returns it (20311124211509Z), as messages show it."""
    match = ASN1_TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return "?"
    year, month, day, hour, minute, second = match.groups()
    return f"{year}-{month}-{day} {hour}:{minute}:{second} UTC"


def _sans(info: dict, pattern: str) -> list[str]:
    prefix = re.compile(pattern, re.IGNORECASE)
    names = []
    for san in _list(info.get("subject_alt_name")):
        if isinstance(san, str):
            match = prefix.match(san)
            if match:
                start = match.end()
                names.append(san[start:].lower())
    return names


def missing_names(endpoint: dict, info: dict) -> list[str]:
    """Server names of ``endpoint`` that the certificate ``info`` does not cover."""
    sans_dns = _sans(info, r"DNS:")
    sans_ip = _sans(info, r"IP( Address)?:")
    missing = []
    for name in _list(endpoint.get("dns_names")):
        lowered = str(name).lower()
        wildcard = "*." + lowered.split(".", 1)[1] if "." in lowered else None
        if lowered not in sans_dns and wildcard not in sans_dns:
            missing.append(lowered)
    missing += [
        str(ip).lower()
        for ip in _list(endpoint.get("ip_addresses"))
        if str(ip).lower() not in sans_ip
    ]
    return missing


def _pem_blocks(texts: object) -> list[str]:
    """The PEM certificate blocks of each text of ``texts`` (a bundle may hold several)."""
    found = []
    for text in _list(texts):
        if isinstance(text, str):
            found += pem_certificates(text)
    return found


def chain_order(certs: object, roots: object) -> dict:
    """Whether ``certs`` (PEM, leaf first) is a chain in order that ends at one of ``roots``.

    The shape of community.crypto's certificate_complete_chain result, which the guard reads:
    ``{'complete_chain': [...]}`` (the chain and, when the last certificate is not a root
    itself, the root that issued it) or ``{'msg': why}``. Each certificate must be issued by
    the next one (names and signature); the last one must be one of ``roots`` or be issued by
    one of them. ``roots``: PEM texts (files read on the controller).
    """
    if x509 is None:
        return {"msg": "the Python library cryptography is missing on the controller"}
    chain, anchors = [], []
    for kind, blocks, into in (
        ("certificate", _list(certs), chain),
        ("root", _pem_blocks(roots), anchors),
    ):
        for index, pem in enumerate(blocks, start=1):
            try:
                into.append(x509.load_pem_x509_certificate(str(pem).encode()))
            except (ValueError, TypeError) as error:
                return {"msg": f"cannot read {kind} {index}: {error}"}
    if not chain:
        return {"msg": "no certificate"}
    for index, (child, parent) in enumerate(zip(chain, chain[1:], strict=False), start=1):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            return {"msg": f"certificate {index} is not issued by certificate {index + 1}"}
    last = chain[-1]
    texts = [cert.public_bytes(serialization.Encoding.PEM).decode().strip() for cert in chain]
    for root in anchors:
        if root == last:
            return {"complete_chain": texts}
        try:
            last.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        anchor = root.public_bytes(serialization.Encoding.PEM).decode().strip()
        return {"complete_chain": [*texts, anchor]}
    return {"msg": f"no root certificate issued certificate {len(chain)} (the last of the chain)"}


def _key_identifier(cert, kind) -> bytes | None:
    try:
        value = cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    return getattr(value, "key_identifier", None) or getattr(value, "digest", None)


def _san_texts(cert) -> list[str]:
    """The subject alternative names as community.crypto shows them (DNS:..., IP:...)."""
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    texts = []
    for name in sans:
        if isinstance(name, x509.DNSName):
            texts.append(f"DNS:{name.value}")
        elif isinstance(name, x509.IPAddress):
            texts.append(f"IP:{name.value}")
        else:  # never one the role asks for: the names then differ
            texts.append(f"other:{name.value}")
    return texts


def leaf_state(
    leaf: object,
    endpoint: object,
    *,
    renew_days: object,
    key_sha256: object = "",
    ca: object = "",
    rotating: object = False,
    now: datetime.datetime | None = None,
) -> dict:
    """Whether the current internal-CA certificate ``leaf`` (PEM) is due and whether it stays.

    ``{'due': bool, 'keep': bool}``. Due: it expires within ``renew_days`` days of ``now``.
    It stays (no new signing request, no signature) when it is not due and carries exactly the
    names of ``endpoint`` (``dns_names`` and ``ip_addresses``), and: during a CA rotation
    (``rotating``), nothing more (it may come from the old CA); otherwise its subject's common
    name is the first server name (none when that is over 64 characters), its public key is
    the key whose SHA-256 fingerprint is ``key_sha256`` (the colon form of community.crypto)
    and the CA certificate ``ca`` (PEM) issued it (issuer name and authority key identifier).
    Without a leaf, or with one it cannot read, it is due and does not stay.
    """
    gone = {"due": True, "keep": False}
    if x509 is None or not isinstance(leaf, str) or not leaf.strip():
        return gone
    now = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    try:
        cert = x509.load_pem_x509_certificate(leaf.encode())
        due = not_after_utc(cert) < now + datetime.timedelta(days=int(renew_days))
    except (ValueError, TypeError, OverflowError):
        return gone
    endpoint = _dict(endpoint)
    wanted = [f"DNS:{name}" for name in _list(endpoint.get("dns_names"))]
    wanted += [f"IP:{address}" for address in _list(endpoint.get("ip_addresses"))]
    same_names = sorted(san.lower() for san in _san_texts(cert)) == sorted(
        str(name).lower() for name in wanted
    )
    keep = not due and same_names
    if keep and not bool(rotating):
        keep = _issued_for(cert, endpoint, key_sha256, ca)
    return {"due": due, "keep": keep}


def _issued_for(cert, endpoint: dict, key_sha256: object, ca: object) -> bool:
    """Made for the key ``key_sha256`` and the first server name, issued by the CA ``ca``."""
    if not key_sha256 or not isinstance(ca, str) or not ca.strip():
        return False
    try:
        issuer = x509.load_pem_x509_certificate(ca.encode())
    except (ValueError, TypeError):
        return False
    names = _list(endpoint.get("server_names"))
    first = str(names[0]) if names else ""
    common = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    fingerprint = public_key_sha256(cert.public_key())
    authority = _key_identifier(cert, x509.AuthorityKeyIdentifier)
    return all(
        (
            (common[0].value if common else "") == (first if len(first) <= 64 else ""),
            fingerprint == str(key_sha256).lower(),
            cert.issuer == issuer.subject,
            bool(authority),
            authority == _key_identifier(issuer, x509.SubjectKeyIdentifier),
        )
    )


def _valid_at(not_after: object, days: object, now: datetime.datetime | None) -> bool | None:
    """Whether an ASN.1 ``not_after`` is still ahead ``days`` days from ``now`` (None: unknown)."""
    match = ASN1_TIME_RE.fullmatch(not_after) if isinstance(not_after, str) else None
    try:
        margin = datetime.timedelta(days=int(days))
    except (TypeError, ValueError, OverflowError):
        return None
    if not match:
        return None
    end = datetime.datetime(*map(int, match.groups()), tzinfo=datetime.timezone.utc)  # noqa: UP017 - the matrix runs 3.10
    now = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    try:
        return end >= now + margin
    except OverflowError:
        return False


def guard(
    endpoint: object,
    *,
    certs: object,
    leaf: object,
    key: object,
    chain: object,
    cert_label: str,
    key_label: str,
    min_valid_days: object,
    now: datetime.datetime | None = None,
) -> dict:
    """``{'errors': [...], 'not_after': shown}``: is the certificate fit to go live?

    ``certs``: the PEM certificates of the chain file, leaf first; ``leaf``: what the
    x509_certificate_info filter reads of the leaf (it must be valid ``min_valid_days`` after
    ``now``); ``key``: the result of openssl_privatekey_info; ``chain``: the result of
    certificate_complete_chain or of ``chain_order``.
    """
    endpoint = _dict(endpoint)
    where = f"endpoint '{endpoint.get('name', '?')}':"
    certs = _list(certs)
    info = _dict(leaf) if certs else {}
    key = _dict(key)
    chain = _dict(chain)
    leaf_ok = bool(certs) and "not_after" in info
    key_fp = _dict(key.get("public_key_fingerprints")).get("sha256")
    cert_fp = _dict(info.get("public_key_fingerprints")).get("sha256")
    not_after = shown_time(info.get("not_after"))
    errors = []
    if not certs:
        errors.append(f"{where} {cert_label} holds no PEM certificate.")
    elif not leaf_ok:
        errors.append(f"{where} cannot read the certificate in {cert_label}: {info.get('msg', '')}")
    if leaf_ok:
        missing = missing_names(endpoint, info)
        if missing:
            names = ", ".join(str(san) for san in _list(info.get("subject_alt_name"))) or "none"
            listed = "', '".join(missing)
            errors.append(
                f"{where} certificate {cert_label} does not cover server name '{listed}'"
                f" (its names: {names})."
            )
    if key_fp is None:
        errors.append(
            f"{where} cannot read private key {key_label} (a PEM private key without passphrase is expected)."
        )
    elif leaf_ok and key_fp != cert_fp:
        errors.append(
            f"{where} private key {key_label} does not match certificate {cert_label} (their public keys differ)."
        )
    if leaf_ok and "complete_chain" not in chain:
        errors.append(
            f"{where} the chain in {cert_label} is not in order (each certificate must be issued by"
            f" the next one): {chain.get('msg', '')}"
        )
    valid_ahead = _valid_at(info.get("not_after"), min_valid_days, now)
    if leaf_ok and info.get("expired"):
        errors.append(f"{where} certificate {cert_label} expired on {not_after}.")
    elif leaf_ok and valid_ahead is False:
        errors.append(
            f"{where} certificate {cert_label} expires on {not_after}, within"
            f" certificate_min_valid_days ({min_valid_days} days)."
        )
    return {"errors": errors, "not_after": not_after}


def host_file_errors(endpoint: object, stats: object, hostname: str) -> list[str]:
    """The files of a ``provided`` certificate on the host: ``stats`` are the stat results of
    the certificate and the key, in this order (a missing file's stat has no ``mode``)."""
    endpoint = _dict(endpoint)
    where = f"endpoint '{endpoint.get('name', '?')}':"
    results = [_dict(_dict(result).get("stat")) for result in _list(stats)]
    results += [{}] * (2 - len(results))
    cert, key = results[:2]
    errors = []
    if not cert.get("exists"):
        errors.append(
            f"{where} cert_path {endpoint.get('cert_file')} does not exist on {hostname}."
        )
    if not key.get("exists"):
        errors.append(f"{where} key_path {endpoint.get('key_file')} does not exist on {hostname}.")
    elif key.get("roth"):
        errors.append(
            f"{where} key_path {endpoint.get('key_file')} is readable by every user (mode"
            f" {key.get('mode', '?')}); make it 0600 or 0640."
        )
    return errors


def controller_file_errors(endpoint: object, missing: object) -> list[str]:
    """The files of a ``provided`` certificate on the controller (``missing``: those absent)."""
    name = _dict(endpoint).get("name", "?")
    return [
        f"endpoint '{name}': {path} does not exist on the controller." for path in _list(missing)
    ]


def _b64text(value: object) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _conf_value(text: str, key: str) -> str | None:
    for line in text.splitlines():
        name, sep, value = line.partition(" = ")
        if sep and name == key:
            return value
    return None


def acme_order_reason(
    endpoint: object,
    *,
    live: object,
    info: object,
    conf: object,
    server: str,
    renew_days: object,
) -> str:
    """Why the ACME CA must be asked for ``endpoint``, or '' (then it is not contacted).

    ``live``: the stat result of the lineage's cert.pem; ``info``: x509_certificate_info on
    it (with ``valid_at.renewal``); ``conf``: the slurp result of its renewal file.
    """
    endpoint = _dict(endpoint)
    exists = bool(_dict(_dict(live).get("stat")).get("exists"))
    if not exists:
        return "it has no ACME certificate yet"
    info = _dict(info)
    names = sorted(set(_sans(info, r"DNS:")))
    wanted = sorted({str(name).lower() for name in _list(endpoint.get("dns_names"))})
    if names != wanted:
        return f"its server names changed (certificate: {', '.join(names)})"
    if _dict(info.get("valid_at")).get("renewal", True) is False:
        return (
            f"its certificate expires on {shown_time(info.get('not_after'))}, within"
            f" certificate_acme_renew_days ({renew_days})"
        )
    text = _b64text(_dict(conf).get("content"))
    server_was = _conf_value(text, "server") or ""
    if server_was != server:
        return f"the ACME directory changed (certificate from {server_was})"
    certificate = _dict(endpoint.get("certificate"))
    key_type_was = _conf_value(text, "key_type") or "rsa"
    if key_type_was != certificate.get("key_type"):
        return f"its key type changed (certificate: {key_type_was})"
    # certbot's authenticator: webroot (http-01) or the DNS plugin dns-<provider> (dns-01).
    authenticator = (
        f"dns-{_dict(certificate.get('dns')).get('provider')}"
        if certificate.get("challenge") == "dns-01"
        else "webroot"
    )
    authenticator_was = _conf_value(text, "authenticator")
    if authenticator_was is not None and authenticator_was != authenticator:
        return f"its challenge changed (certificate validated through {authenticator_was})"
    return ""
