#!/usr/bin/env bash
# Debian packages that the test suite runs on this machine (the controller) as real peers:
# headless Chromium and NSS tools for the browser test, testssl.sh as a scanner, openssl.
# Installs only what is missing; safe to run again.
set -euo pipefail

packages=(chromium libnss3-tools testssl.sh openssl curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-host-tools: installing ${missing[*]} from the Debian archive" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
