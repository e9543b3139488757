#!/usr/bin/env bash
# Debian packages that the test suite runs on this machine (the controller) as real peers:
# headless Chromium and NSS tools for the browser test, testssl.sh as a scanner, openssl, and
# nginx, whose `nginx -t` checks every rendered site in the unit tests (installed, never started:
# a temporary policy-rc.d tells the package scripts not to start services).
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
  apt-get update -qq
  # No service may start on the controller: a policy-rc.d that refuses (exit 101), removed
  # afterwards unless it was already there.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
