# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) 2026, wss.gateway developers
"""Write one collection of a PyPI ``ansible`` wheel as a collection artifact (a tarball).

The ``ansible`` package carries the collections of its release, each with its MANIFEST.json,
but without the tests and development files that its FILES.json still lists; this writes a
tarball that ``ansible-galaxy collection install`` accepts: MANIFEST.json, a FILES.json of the
files present (with their SHA-256) and the files themselves.  Used by scripts/build-ee.sh,
because Galaxy cannot always be reached.
    python3 scripts/bundle_collection.py WHEEL NAMESPACE.NAME OUTPUT.tar.gz
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import PurePosixPath

META = ("MANIFEST.json", "FILES.json")


def entry(name: str, ftype: str, digest: str | None = None) -> dict:
    return {
        "name": name,
        "ftype": ftype,
        "chksum_type": "sha256" if digest else None,
        "chksum_sha256": digest,
        "format": 1,
    }


def main(wheel_path: str, fqcn: str, output: str) -> int:
    namespace, name = fqcn.split(".")
    prefix = f"ansible_collections/{namespace}/{name}/"
    with zipfile.ZipFile(wheel_path) as wheel:
        members = {
            info.filename[len(prefix) :]: info
            for info in wheel.infolist()
            if info.filename.startswith(prefix) and not info.is_dir()
        }
        if "MANIFEST.json" not in members:
            print(f"{wheel_path} holds no collection {fqcn}", file=sys.stderr)
            return 1
        files = {path: wheel.read(info) for path, info in sorted(members.items())}
        modes = {
            path: (info.external_attr >> 16) & 0o777 or 0o644 for path, info in members.items()
        }
    content = sorted(path for path in files if path not in META)
    dirs = sorted(
        {str(parent) for path in content for parent in PurePosixPath(path).parents} - {"."}
    )
    listing = [entry(".", "dir")] + [entry(d, "dir") for d in dirs]
    listing += [entry(path, "file", hashlib.sha256(files[path]).hexdigest()) for path in content]
    files_json = json.dumps({"files": listing, "format": 1}, indent=4).encode()
    manifest = json.loads(files["MANIFEST.json"])
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    manifest_json = json.dumps(manifest, indent=4).encode()

    with tarfile.open(output, "w:gz") as tar:

        def add(path: str, data: bytes | None, mode: int) -> None:
            info = tarfile.TarInfo(path)
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

        add("MANIFEST.json", manifest_json, 0o644)
        add("FILES.json", files_json, 0o644)
        for d in dirs:
            add(d, None, 0o755)
        for path in content:
            add(path, files[path], modes[path])
    print(f"{fqcn} {manifest['collection_info']['version']}: {len(content)} files -> {output}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
