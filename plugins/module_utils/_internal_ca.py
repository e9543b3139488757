# Copyright (c) 2026, wss.gateway developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The internal CA of the certificate role: made once, never replaced, and signing leaves.

One implementation for the two places it runs: in the controller's own process (the action
plugins wss.gateway.wss_ca and wss_ca_sign, for a CA on the controller or from the inventory:
no module process to start) and on a CA host (the modules of the same names, whose key never
leaves that host). Only the standard library and the ``cryptography`` library (Debian's
python3-cryptography 38 and later).

``ensure_ca`` makes what is missing of a CA kept in two files (the directory, mode 0700; the
key, 0600; the self-signed certificate, 0644) and never replaces a file that is there: a key
or certificate is created next to its place and linked in only where no file is (a run that
fails leaves no part of a key). ``sign`` signs a request with the CA, or returns the current
certificate unchanged when it still fits the request and the CA.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ipaddress
import os
import stat
import tempfile

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:  # named by ensure_ca and sign
    x509 = InvalidSignature = UnsupportedAlgorithm = hashes = serialization = None
    ec = padding = rsa = NameOID = ExtendedKeyUsageOID = None

from ansible_collections.wss.gateway.plugins.module_utils._files import (
    attributes_fit,
    owner,
    read,
    write_atomic,
)

CURVES = {
    "secp256r1": "SECP256R1",
    "secp384r1": "SECP384R1",
    "secp521r1": "SECP521R1",
}
# The key usage names of community.crypto (and OpenSSL), as cryptography's KeyUsage arguments.
KEY_USAGES = {
    "digitalSignature": "digital_signature",
    "nonRepudiation": "content_commitment",
    "contentCommitment": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
    "encipherOnly": "encipher_only",
    "decipherOnly": "decipher_only",
}
# community.crypto's default for the leaf's notBefore (ownca_not_before "-5m"): a host whose
# clock is a little behind already accepts it.
LEAF_BACKDATE = datetime.timedelta(minutes=5)


class CAError(Exception):
    """The CA cannot be made, read or used; the message names the file and why."""


def _need_library() -> None:
    if x509 is None:
        raise CAError("the Python library cryptography is missing (python3-cryptography on Debian)")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)  # noqa: UP017 - hosts with 3.10


def new_key(key_type: str, size: int, curve: str):
    """A new private key: RSA of ``size`` bits, or ECDSA on ``curve``."""
    _need_library()
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if key_type == "ecdsa" and curve in CURVES:
        return ec.generate_private_key(getattr(ec, CURVES[curve])())
    raise CAError(f"no such CA key: {key_type} {size if key_type == 'rsa' else curve}")


def key_pem(key) -> bytes:
    """The key as community.crypto's openssl_privatekey writes it: PEM, traditional, clear."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def basic_constraints(values: list) -> x509.BasicConstraints:
    """``["CA:TRUE", "pathlen:0"]`` (community.crypto's notation) as the extension."""
    is_ca, path_length = False, None
    for value in values:
        name, dummy, setting = str(value).partition(":")
        if name.strip().upper() == "CA":
            is_ca = setting.strip().upper() == "TRUE"
        elif name.strip().lower() == "pathlen" and setting.strip().isdigit():
            path_length = int(setting)
        else:
            raise CAError(f"basic constraint {value!r} is not CA:TRUE, CA:FALSE or pathlen:N")
    return x509.BasicConstraints(ca=is_ca, path_length=path_length if is_ca else None)


def key_usage(values: list) -> x509.KeyUsage:
    """``["keyCertSign", "cRLSign"]`` (community.crypto's notation) as the extension."""
    flags = dict.fromkeys(set(KEY_USAGES.values()), False)
    for value in values:
        if value not in KEY_USAGES:
            raise CAError(f"key usage {value!r} is not one of {', '.join(KEY_USAGES)}")
        flags[KEY_USAGES[value]] = True
    return x509.KeyUsage(**flags)


def ca_certificate(key, common_name: str, validity_days: int, constraints: list, usages: list):
    """The self-signed CA certificate of ``key``, as community.crypto's selfsigned provider
    makes it from the role's request: subject CN only, valid from now for ``validity_days``,
    basic constraints and key usage critical, a subject key identifier, SHA-256."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=validity_days))
        .public_key(key.public_key())
        .add_extension(basic_constraints(constraints), critical=True)
        .add_extension(key_usage(usages), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_sha256(public_key) -> str:
    """The SHA-256 fingerprint of a public key (its SubjectPublicKeyInfo), as community.crypto
    reports it: lower-case hex pairs joined by colons."""
    return ":".join(f"{byte:02x}" for byte in hashlib.sha256(_public_der(public_key)).digest())


def not_after_utc(certificate) -> datetime.datetime:
    """The end of ``certificate``'s validity, aware (cryptography before 42 has no _utc)."""
    after = getattr(certificate, "not_valid_after_utc", None)
    return after or certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)  # noqa: UP017


def load_key(data: bytes, label: str):
    _need_library()
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise CAError(f"{label} is not a PEM private key without passphrase: {error}") from error


def load_certificate(data: bytes, label: str):
    _need_library()
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as error:
        raise CAError(f"{label} is not a PEM certificate: {error}") from error


def check_pair(key, certificate, key_label: str, cert_label: str) -> None:
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise CAError(f"{key_label} does not belong to {cert_label}")


def _read(path: str) -> bytes | None:
    try:
        return read(path)
    except OSError as error:
        raise CAError(f"{path} cannot be read: {error}") from error


def _mode_fits(path: str, mode: int) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == mode


def create_file(path: str, content: bytes, mode: int) -> None:
    """Write ``content`` to a new file ``path`` (with ``mode`` from the start): to a
    temporary file next to it, then linked in only if ``path`` is still free. A file that
    appeared meanwhile is never replaced, and a failed write leaves no part of the file."""
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(prefix=".wss-gateway-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError as error:
            raise CAError(f"{path} appeared while this run made it; it was kept") from error
    except OSError as error:
        raise CAError(f"{path} cannot be written: {error}") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def ensure_ca(
    cert_path: str,
    key_path: str,
    *,
    key_type: str,
    key_size: int,
    curve: str,
    common_name: str,
    validity_days: int,
    constraints: list,
    usages: list,
    check_mode: bool = False,
) -> dict:
    """Make what is missing of the CA in ``cert_path`` and ``key_path``; replace nothing.

    The directory of ``cert_path`` (mode 0700, with its parents), then the key (mode 0600),
    then the certificate of that key (0644); a file that is there only gets its mode. A key
    that cannot be read, a certificate without its key or one of another key stop it
    (CAError) before anything is written. In check mode on a fresh CA it needs no library.
    Returns ``changed``, ``changed_paths``,
    ``certificate`` (its PEM text; empty in check mode when it is not there yet) and
    ``ready`` (whether the CA can sign now).
    """
    directory = os.path.dirname(cert_path) or "."
    key_text, cert_text = _read(key_path), _read(cert_path)
    key = None if key_text is None else load_key(key_text, key_path)
    certificate = None if cert_text is None else load_certificate(cert_text, cert_path)
    if certificate is not None:
        if key is None:
            raise CAError(
                f"{cert_path} is there without its key {key_path}: a new key would need a new CA"
                " certificate, which the hosts do not trust; the CA was kept"
            )
        check_pair(key, certificate, key_path, cert_path)
    changed = []
    if not os.path.isdir(directory) or not _mode_fits(directory, 0o700):
        changed.append(directory)
        if not check_mode:
            try:
                os.makedirs(directory, mode=0o700, exist_ok=True)
                os.chmod(directory, 0o700)
            except OSError as error:
                raise CAError(f"{directory} cannot be made: {error}") from error
    for path, text, mode in ((key_path, key_text, 0o600), (cert_path, cert_text, 0o644)):
        if text is not None and not _mode_fits(path, mode):
            changed.append(path)
            if not check_mode:
                os.chmod(path, mode)
    if key is None:
        changed.append(key_path)
        if check_mode:
            return {"changed": True, "changed_paths": changed, "certificate": "", "ready": False}
        key = new_key(key_type, key_size, curve)
        create_file(key_path, key_pem(key), 0o600)
    if certificate is None:
        changed.append(cert_path)
        if check_mode:
            return {"changed": True, "changed_paths": changed, "certificate": "", "ready": False}
        certificate = ca_certificate(key, common_name, validity_days, constraints, usages)
        cert_text = certificate.public_bytes(serialization.Encoding.PEM)
        create_file(cert_path, cert_text, 0o644)
    return {
        "changed": bool(changed),
        "changed_paths": changed,
        "certificate": cert_text.decode("ascii"),
        "ready": True,
    }


# How community.crypto names subject attributes (the role's messages show them so).
SUBJECT_NAMES = {
    "2.5.4.3": "commonName",
    "2.5.4.6": "countryName",
    "2.5.4.7": "localityName",
    "2.5.4.8": "stateOrProvinceName",
    "2.5.4.10": "organizationName",
    "2.5.4.11": "organizationalUnitName",
}


def _key_shape(key) -> tuple[str, object]:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ECC", key.curve.name
    return type(key).__name__, ""


def _extension(certificate, kind):
    try:
        return certificate.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def ca_fit(
    key_text: object,
    cert_text: object,
    *,
    key_type: str,
    key_size: int,
    curve: str,
    common_name: str,
    constraints: list,
    usages: list,
    validity_days: int,
    now: datetime.datetime | None = None,
) -> dict:
    """Whether the CA in ``key_text`` and ``cert_text`` (PEM; empty when a file is not there)
    can be used as it is, read in memory: ``{'differs': [...], 'fit': bool}``.

    ``differs`` names each way it is not what the settings make (the key's type and size or
    curve, a key of another certificate, the subject, the basic constraints and key usage):
    such a CA is never replaced (the run stops on it). ``fit``: it is there, nothing differs and
    it outlives a leaf signed today (more than ``validity_days`` days left). Total: a file it
    cannot read gives no difference and no fit (making the CA then names the file).
    """
    found = {"differs": [], "fit": False}
    if x509 is None or not isinstance(key_text, str) or not key_text.strip():
        return found
    try:
        key = load_key(key_text.encode(), "the CA key")
        certificate = (
            load_certificate(cert_text.encode(), "the CA certificate")
            if isinstance(cert_text, str) and cert_text.strip()
            else None
        )
    except (CAError, ValueError, UnsupportedAlgorithm):
        return found
    shape = _key_shape(key)
    wanted = ("RSA", key_size) if key_type == "rsa" else ("ECC", curve)
    if shape != wanted:
        found["differs"].append(
            f"its key is {shape[0]} {shape[1]}, certificate_ca_key_type {key_type} makes"
            f" {wanted[0]} {wanted[1]}"
        )
    if certificate is None:
        return found
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        found["differs"].append("ca-key.pem does not belong to ca.pem")
    subject = [
        (SUBJECT_NAMES.get(item.oid.dotted_string, item.oid.dotted_string), item.value)
        for item in certificate.subject
    ]
    if subject != [("commonName", common_name)]:
        shown = ", ".join(f"{name}={value}" for name, value in sorted(subject))
        found["differs"].append(
            f"its subject is {shown}, certificate_ca_common_name is {common_name}"
        )
    constraints_found = _extension(certificate, x509.BasicConstraints)
    usage_found = _extension(certificate, x509.KeyUsage)
    try:
        expected = (basic_constraints(list(constraints)), key_usage(list(usages)))
        remaining_days = int(validity_days)
    except (CAError, TypeError, ValueError, OverflowError):
        return found  # settings the role never passes: no fit, making the CA names them
    shapes = [
        (found_extension.critical, found_extension.value == wanted)
        for found_extension, wanted in (
            (constraints_found, expected[0]),
            (usage_found, expected[1]),
        )
        if found_extension is not None
    ]
    if shapes != [(True, True), (True, True)]:
        found["differs"].append("its basic constraints or key usage are not those the role makes")
    left = not_after_utc(certificate) - (now or _now())
    found["fit"] = not found["differs"] and left.days > remaining_days
    return found


def _verify(issuer_public_key, certificate) -> bool:
    """Whether ``certificate``'s signature is by ``issuer_public_key`` (cryptography 38 has no
    verify_directly_issued_by)."""
    try:
        if isinstance(issuer_public_key, rsa.RSAPublicKey):
            issuer_public_key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                padding.PKCS1v15(),
                certificate.signature_hash_algorithm,
            )
        elif isinstance(issuer_public_key, ec.EllipticCurvePublicKey):
            issuer_public_key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                ec.ECDSA(certificate.signature_hash_algorithm),
            )
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _authority_key_identifier(ca_cert) -> x509.AuthorityKeyIdentifier:
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _extensions(extensions) -> dict:
    """oid -> extension, without the key identifiers (made by the signature, not asked)."""
    skip = (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier)
    return {ext.oid: ext for ext in extensions if not isinstance(ext.value, skip)}


def _subject_key_identifier(csr) -> x509.SubjectKeyIdentifier:
    try:
        return csr.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(csr.public_key())


def still_fits(current, csr, ca_cert) -> bool:
    """Whether the certificate ``current`` is what signing ``csr`` with the CA would give, but
    for its serial and validity (as community.crypto's ownca provider decides): the request's
    key, subject and extensions, its key identifiers, and the CA's name and signature."""
    try:
        ski = current.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = current.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return False
    return all(
        (
            _public_der(current.public_key()) == _public_der(csr.public_key()),
            current.subject == csr.subject,
            _extensions(current.extensions) == _extensions(csr.extensions),
            ski == _subject_key_identifier(csr),
            aki == _authority_key_identifier(ca_cert),
            current.issuer == ca_cert.subject,
            _verify(ca_cert.public_key(), current),
        )
    )


def sign(
    csr_pem: str,
    ca_cert_pem: bytes,
    ca_key_pem: bytes,
    *,
    validity_days: int,
    current_pem: str = "",
    force: bool = False,
    cert_label: str = "the CA certificate",
    key_label: str = "the CA key",
) -> dict:
    """Sign the request ``csr_pem`` with the CA, as community.crypto's ownca provider does:
    the request's subject, key and extensions (its own subject key identifier, or one made
    from its key), an authority key identifier, a random serial, valid from 5 minutes ago for
    ``validity_days``, SHA-256. ``current_pem`` (the certificate in place) is returned
    unchanged when it still fits, unless ``force``. Returns ``changed`` and ``certificate``."""
    _need_library()
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("utf-8"))
    except ValueError as error:
        raise CAError(f"the signing request is not a PEM request: {error}") from error
    if not csr.is_signature_valid:
        raise CAError("the signing request is not signed by its own key")
    ca_cert = load_certificate(ca_cert_pem, cert_label)
    ca_key = load_key(ca_key_pem, key_label)
    check_pair(ca_key, ca_cert, key_label, cert_label)
    if current_pem and not force:
        with contextlib.suppress(ValueError):
            current = x509.load_pem_x509_certificate(current_pem.encode("utf-8"))
            if still_fits(current, csr, ca_cert):
                return {"changed": False, "certificate": current_pem}
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_cert.subject)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - LEAF_BACKDATE)
        .not_valid_after(now + datetime.timedelta(days=validity_days))
        .public_key(csr.public_key())
    )
    for extension in csr.extensions:
        if not isinstance(extension.value, x509.AuthorityKeyIdentifier):
            builder = builder.add_extension(extension.value, critical=extension.critical)
    if not any(isinstance(ext.value, x509.SubjectKeyIdentifier) for ext in csr.extensions):
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False
        )
    builder = builder.add_extension(_authority_key_identifier(ca_cert), critical=False)
    certificate = builder.sign(ca_key, hashes.SHA256())
    return {
        "changed": True,
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }


def sign_with_files(cert_path: str, key_path: str, **options) -> dict:
    """``sign`` with the CA kept in two files (on the controller or the CA host)."""
    cert_text, key_text = _read(cert_path), _read(key_path)
    for path, text in ((cert_path, cert_text), (key_path, key_text)):
        if text is None:
            raise CAError(f"{path} is not there: the internal CA is not made yet")
    return sign(
        options.pop("csr_pem"),
        cert_text,
        key_text,
        cert_label=cert_path,
        key_label=key_path,
        **options,
    )


def leaf_request(
    path: str,
    *,
    key_type: str,
    key_size: int,
    curve: str,
    common_name: str,
    dns_names: list,
    ip_addresses: list,
    check_mode: bool = False,
) -> dict:
    """The private key of an endpoint in ``path`` and its certificate signing request.

    The key is made (mode 0600, root's when run as root, written as a whole) when it is not
    there, cannot be read or is not ``key_type`` of ``key_size`` bits or on ``curve``, as
    community.crypto's openssl_privatekey does; a key that fits only gets its mode and owner.
    The request, as the role asked community.crypto's openssl_csr_pipe for it: the subject
    ``common_name`` (none when empty), the names as subject alternative names, basic
    constraints CA:FALSE and key usage digitalSignature (and keyEncipherment for RSA), both
    critical, extended key usage serverAuth, SHA-256. Returns ``changed``, ``fingerprint``
    (``sha256`` of the public key, community.crypto's form) and ``csr`` (PEM; empty in check
    mode when the key is not there yet). Only public facts leave: never the key.
    """
    _need_library()
    if key_type not in ("rsa", "ecdsa") or (key_type == "ecdsa" and curve not in CURVES):
        raise CAError(f"no such key: {key_type} {curve}")
    text = _read(path)
    key = None
    if text is not None:
        with contextlib.suppress(CAError):
            key = load_key(text, path)
    wanted = ("RSA", key_size) if key_type == "rsa" else ("ECC", curve)
    fits = key is not None and _key_shape(key) == wanted
    changed = not fits or not attributes_fit(path, 0o600)
    if not fits and check_mode:
        return {"changed": True, "fingerprint": {}, "csr": ""}
    if changed and not check_mode:
        try:
            if fits:
                write_atomic(path, text, 0o600, owner())
            else:
                key = new_key(key_type, key_size, curve)
                write_atomic(path, key_pem(key), 0o600, owner())
        except OSError as error:
            raise CAError(f"{path} cannot be written: {error}") from error
    names = [x509.DNSName(str(name)) for name in dns_names]
    try:
        names += [x509.IPAddress(ipaddress.ip_address(str(address))) for address in ip_addresses]
    except ValueError as error:
        raise CAError(f"not an IP address: {error}") from error
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(subject))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    usages = ["digitalSignature", "keyEncipherment"] if key_type == "rsa" else ["digitalSignature"]
    request = (
        builder.add_extension(basic_constraints(["CA:FALSE"]), critical=True)
        .add_extension(key_usage(usages), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return {
        "changed": changed,
        "fingerprint": {"sha256": public_key_sha256(key.public_key())},
        "csr": request.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }


LEAF_REQUEST_ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "key_type": {"type": "str", "default": "ecdsa", "choices": ["rsa", "ecdsa"]},
    "key_size": {"type": "int", "default": 3072},
    "curve": {"type": "str", "default": "secp256r1", "choices": sorted(CURVES)},
    "common_name": {"type": "str", "default": ""},
    "dns_names": {"type": "list", "elements": "str", "default": []},
    "ip_addresses": {"type": "list", "elements": "str", "default": []},
}


def run_leaf_request(params: dict, check_mode: bool) -> dict:
    """wss.gateway.wss_leaf_request over its validated options."""
    if params["key_size"] < 2048:
        raise CAError("key_size must be 2048 or more")
    if not params["dns_names"] and not params["ip_addresses"]:
        raise CAError("a request needs at least one name: dns_names or ip_addresses")
    return leaf_request(check_mode=check_mode, **params)


# The options of wss.gateway.wss_ca and wss_ca_sign: the modules and their action plugins (which
# run them in the controller's process) read them through the same argument spec.
CA_ARGUMENT_SPEC = {
    "certificate_path": {"type": "path", "required": True},
    "key_path": {"type": "path", "required": True},
    "key_type": {"type": "str", "default": "rsa", "choices": ["rsa", "ecdsa"]},
    "key_size": {"type": "int", "default": 3072},
    "curve": {"type": "str", "default": "secp256r1", "choices": sorted(CURVES)},
    "common_name": {"type": "str", "required": True},
    "validity_days": {"type": "int", "default": 3650},
    "basic_constraints": {"type": "list", "elements": "str", "default": ["CA:TRUE", "pathlen:0"]},
    "key_usage": {"type": "list", "elements": "str", "default": ["keyCertSign", "cRLSign"]},
}
SIGN_ARGUMENT_SPEC = {
    "csr": {"type": "str", "required": True},
    "ca_certificate_path": {"type": "path"},
    "ca_key_path": {"type": "path"},
    "ca_certificate_content": {"type": "str"},
    "ca_key_content": {"type": "str", "no_log": True},
    "validity_days": {"type": "int", "required": True},
    "content": {"type": "str", "default": ""},
    "force": {"type": "bool", "default": False},
}
SIGN_ARGUMENT_RULES = {
    "required_one_of": [["ca_certificate_path", "ca_certificate_content"]],
    "mutually_exclusive": [
        ["ca_certificate_path", "ca_certificate_content"],
        ["ca_key_path", "ca_key_content"],
    ],
    "required_together": [
        ["ca_certificate_path", "ca_key_path"],
        ["ca_certificate_content", "ca_key_content"],
    ],
}


def run_ca(params: dict, check_mode: bool) -> dict:
    """wss.gateway.wss_ca over its validated options."""
    if params["validity_days"] < 1 or params["key_size"] < 2048:
        raise CAError("validity_days must be 1 or more and key_size 2048 or more")
    return ensure_ca(
        params["certificate_path"],
        params["key_path"],
        key_type=params["key_type"],
        key_size=params["key_size"],
        curve=params["curve"],
        common_name=params["common_name"],
        validity_days=params["validity_days"],
        constraints=params["basic_constraints"],
        usages=params["key_usage"],
        check_mode=check_mode,
    )


def run_sign(params: dict) -> dict:
    """wss.gateway.wss_ca_sign over its validated options (in check mode too: it writes
    nothing)."""
    if params["validity_days"] < 1:
        raise CAError("validity_days must be 1 or more")
    options = {
        "validity_days": params["validity_days"],
        "current_pem": params["content"] or "",
        "force": params["force"],
    }
    if params["ca_certificate_path"]:
        return sign_with_files(
            params["ca_certificate_path"], params["ca_key_path"], csr_pem=params["csr"], **options
        )
    return sign(
        params["csr"],
        params["ca_certificate_content"].encode("utf-8"),
        params["ca_key_content"].encode("utf-8"),
        **options,
    )
