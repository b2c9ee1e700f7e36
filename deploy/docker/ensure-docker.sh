#!/usr/bin/env bash
# Makes sure a Docker engine is answering on this machine, installing and starting Debian's docker.io if needed.
set -euo pipefail

log() { printf '[ensure-docker] %s\n' "$*" >&2; }

WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/copydesk-dockerd.log}"

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "docker is not answering and we are not root; cannot install or start the engine"
  exit 1
fi

# Some machines ship only a static docker CLI, so the daemon binary is what tells
# us whether the engine package is present.
if ! command -v dockerd >/dev/null 2>&1; then
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # Without systemd the package's postinst would try (and fail) to start the
  # service; a temporary policy-rc.d keeps the install quiet and we start it ourselves.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  cleanup_policy() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
  trap cleanup_policy EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null
  cleanup_policy
  trap - EXIT
fi

# A dockerd that is alive but not answering yet (still starting, e.g. launched by
# a parallel caller) must not get a second daemon next to it: just wait for it.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  # A daemon killed without cleanup leaves its pid file; if that pid now belongs
  # to another process, the new dockerd refuses to start.
  rm -f /var/run/docker.pid
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  log "starting dockerd (log: $DOCKERD_LOG)"
  # setsid detaches the daemon from the caller's process group and terminal so it
  # outlives this script and is not hit by signals aimed at the caller.
  # Published ports are forwarded by the kernel (iptables DNAT) instead of a
  # docker-proxy process per port, which copies every byte in user space and
  # took CPU from the service in the ingest benchmark. An operator's own
  # daemon.json setting wins.
  flags=()
  if ! grep -qs userland-proxy /etc/docker/daemon.json; then
    flags+=(--userland-proxy=false)
  fi
  setsid dockerd "${flags[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  disown || true
fi

deadline=$((SECONDS + WAIT_SECONDS))
until docker info >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "docker did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:"
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  sleep 1
done
log "docker is ready"
