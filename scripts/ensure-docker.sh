#!/usr/bin/env bash
# Make sure a Docker engine answers and debootstrap (for the test images) is there: install
# Debian's docker.io when no engine answers and none is installed, start dockerd in the
# background and wait for it.  Safe to run again.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
missing=()
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then
  missing+=(docker.io)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-docker: installing ${missing[*]} from the Debian archive" >&2
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "ensure-docker: starting dockerd (log: /var/log/dockerd.log)" >&2
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 90); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi

if ! docker info >/dev/null 2>&1; then
  echo "ensure-docker: the Docker engine did not answer within 90 s; see /var/log/dockerd.log" >&2
  tail -n 20 /var/log/dockerd.log >&2 || true
  exit 1
fi
