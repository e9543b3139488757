#!/usr/bin/env bash
# Build the test images from Debian's own archive (debootstrap + docker import), plus a
# systemd variant of each, tagged by a hash of everything that goes into them so that a
# repeat run finds them and builds nothing.  Prints NAME=IMAGE lines for the environment:
#   WSS_IMAGE_BOOKWORM, WSS_IMAGE_BOOKWORM_SYSTEMD, WSS_IMAGE_TRIXIE, WSS_IMAGE_TRIXIE_SYSTEMD
# The mirror is read from this machine's apt sources (or $DEBIAN_MIRROR), never written here.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
suites=${WSS_IMAGE_SUITES:-"bookworm trixie"}
repo=${WSS_IMAGE_REPO:-wss-gateway-test}
packages="python3,ca-certificates,python3-apt"

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  echo "build-images: no Debian mirror found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR" >&2
  exit 1
fi

# The hash covers this script, the Dockerfile and the package list, not the mirror:
# a mirror change alone does not invalidate an image.
hash=$(cat "$here/scripts/build-images.sh" "$here/images/Dockerfile.systemd" | sha256sum | cut -c1-12)

build_base() {
  local suite=$1 tag=$2 rootfs
  rootfs=$(mktemp -d /tmp/wss-rootfs-"$suite".XXXXXX)
  echo "build-images: debootstrap $suite (about a minute)" >&2
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" \
       >"$rootfs.log" 2>&1; then
    tail -n 30 "$rootfs.log" >&2
    rm -rf "$rootfs"
    echo "build-images: debootstrap of $suite failed (log above)" >&2
    return 1
  fi
  # Keep apt lists out of the image and let apt-get update fill them in the container.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | docker import -c 'CMD ["sleep","infinity"]' - "$tag" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
}

for suite in $suites; do
  base="$repo:$suite-$hash"
  sysd="$repo:$suite-systemd-$hash"
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    build_base "$suite" "$base"
  fi
  if ! docker image inspect "$sysd" >/dev/null 2>&1; then
    echo "build-images: adding systemd to $suite" >&2
    docker build -q --build-arg BASE="$base" -t "$sysd" -f "$here/images/Dockerfile.systemd" \
      "$here/images" >/dev/null
  fi
  upper=$(echo "$suite" | tr '[:lower:]' '[:upper:]')
  echo "WSS_IMAGE_${upper}=$base"
  echo "WSS_IMAGE_${upper}_SYSTEMD=$sysd"
done
