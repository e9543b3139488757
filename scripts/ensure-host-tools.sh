#!/usr/bin/env bash
# Debian packages that the test suite runs on this machine (the controller) as real peers:
# headless Chromium and NSS tools for the browser test, testssl.sh as a scanner, openssl, and
# nginx itself (its binary only: renders are checked with `nginx -t` and the reload command
# runs against a private nginx; the package's own service is never started here).
# Installs only what is missing; safe to run again.
set -euo pipefail

packages=(chromium libnss3-tools testssl.sh openssl curl nginx)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-host-tools: installing ${missing[*]} from the Debian archive" >&2
  export DEBIAN_FRONTEND=noninteractive
  # No service may start on this machine: invoke-rc.d asks policy-rc.d, and 101 means "no".
  policy=/usr/sbin/policy-rc.d
  placed=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    placed=true
  fi
  trap '[ "$placed" = true ] && rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
