# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""What the certificate role finds on the host before it changes anything, in one run.

    tls_state.py [--packages NAME...] [--stat PATH...] [--read PATH...] [--keys PATH...]

Prints one JSON object: ``packages`` (each NAME's dpkg status, "" when dpkg does not know
it), ``paths`` (each PATH's type, mode, owner and, for a regular file, SHA-1; null when it
does not exist), ``contents`` (the text of each PATH to read, null when it cannot be read) and
``private_keys`` (for each private key PATH: its mode, owner, type, curve or size and the SHA-256
fingerprint of its public key, as community.crypto reports them; null when it is absent, not
a regular file, not an unencrypted PEM key or python3-cryptography is missing). Read-only.
The role sends this text as ``python3 -c`` (nothing of it is installed on the host) and only
asks it to read certificates; of a key, only public facts leave the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
except ImportError:  # not installed yet on a fresh host: keys are then reported as null
    serialization = ec = rsa = None

OPTIONS = ("--packages", "--stat", "--read", "--keys")


def parse(argv: list[str]) -> dict[str, list[str]]:
    """The arguments after each option; ValueError for an argument before the first option."""
    found: dict[str, list[str]] = {option: [] for option in OPTIONS}
    current = None
    for argument in argv:
        if argument in OPTIONS:
            current = argument
        elif current is None:
            raise ValueError(f"unexpected argument {argument!r}")
        else:
            found[current].append(argument)
    return found


def packages(names: list[str]) -> dict[str, str]:
    """dpkg's status of each package ("installed", "config-files", ...; "" when unknown)."""
    status = dict.fromkeys(names, "")
    if not names:
        return status
    try:
        done = subprocess.run(
            ["dpkg-query", "--show", "--showformat=${Package} ${db:Status-Status}\\n", *names],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no dpkg: nothing is installed as far as this role can tell
        return status
    for line in done.stdout.splitlines():
        name, _separator, state = line.partition(" ")
        if name in status:
            status[name] = state.strip()
    return status


def path_state(path: str) -> dict | None:
    """What a path is now (the link itself, not its target), or None when absent."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    kinds = ((stat.S_ISLNK, "link"), (stat.S_ISDIR, "directory"), (stat.S_ISREG, "file"))
    kind = next((name for test, name in kinds if test(found.st_mode)), "other")
    state = {
        "type": kind,
        "mode": f"{stat.S_IMODE(found.st_mode):04o}",
        "uid": found.st_uid,
        "gid": found.st_gid,
    }
    if kind == "file":
        try:
            with open(path, "rb") as stream:
                # The checksum Ansible's copy compares; not a secret.
                state["sha1"] = hashlib.sha1(stream.read()).hexdigest()  # noqa: S324
        except OSError:
            state["sha1"] = None
    return state


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.read()
    except OSError:
        return None


def key_state(path: str) -> dict | None:
    """Public facts of the private key at path (never the key), or None when unusable."""
    if serialization is None:  # python3-cryptography is not installed yet
        return None
    try:
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode):
            return None
        with open(path, "rb") as stream:
            key = serialization.load_pem_private_key(stream.read(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    state = {
        "mode": f"{stat.S_IMODE(found.st_mode):04o}",
        "uid": found.st_uid,
        "gid": found.st_gid,
    }
    if isinstance(key, ec.EllipticCurvePrivateKey):
        state.update(type="ECC", curve=key.curve.name)
    elif isinstance(key, rsa.RSAPrivateKey):
        state.update(type="RSA", size=key.key_size)
    else:
        state.update(type="other")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(public).hexdigest()
    # The form of community.crypto's fingerprints: hex pairs joined by colons.
    state["sha256"] = ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))
    return state


def main(argv: list[str]) -> int:
    try:
        options = parse(argv)
    except ValueError as error:
        print(
            "usage: tls_state.py [--packages NAME...] [--stat PATH...] [--read PATH...]"
            f" [--keys PATH...]: {error}",
            file=sys.stderr,
        )
        return 2
    print(
        json.dumps(
            {
                "packages": packages(options["--packages"]),
                "paths": {path: path_state(path) for path in options["--stat"]},
                "contents": {path: read(path) for path in options["--read"]},
                "private_keys": {path: key_state(path) for path in options["--keys"]},
            },
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
