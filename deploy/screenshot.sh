#!/usr/bin/env bash
# Takes deploy/zipkin-trace.png, the README's picture of one article's trace
# in Zipkin's UI, with headless Chromium (Debian's package, installed when
# missing). Run it while `make up`'s stack is running, with the trace id that
# `make up` printed.
#
# usage: deploy/screenshot.sh TRACE_ID [OUT.png]   (env: ZIPKIN, default http://127.0.0.1:9411)
set -euo pipefail
cd "$(dirname "$0")/.."

trace=${1:?usage: deploy/screenshot.sh TRACE_ID [OUT.png]}
out=$(realpath -m "${2:-deploy/zipkin-trace.png}")
url="${ZIPKIN:-http://127.0.0.1:9411}/zipkin/traces/$trace"

command -v chromium >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
}
# Zipkin's UI draws the trace with JavaScript after fetching it: without a
# budget of virtual time Chromium shoots the empty page it first loads.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1400,760 --virtual-time-budget=15000 --screenshot="$out" "$url" 2>/dev/null
printf 'screenshot: %s (%s bytes) of %s\n' "$out" "$(stat -c %s "$out")" "$url"
