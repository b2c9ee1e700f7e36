#!/usr/bin/env bash
# Smoke test of the stack (`make smoke`): `make up` from local images, then
# checks that an article was looked up over gRPC, that its trace is found
# through Zipkin's query API with spans of replay, ingest and serve, and that
# both roles' /metrics count work done; the stack is taken down at the end,
# pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'smoke: FAIL: %s\n' "$*" >&2; exit 1; }
down() { docker-compose -p copydesk -f deploy/compose.yaml down -v >/dev/null 2>&1 || true; }
trap down EXIT
started=$(date +%s)

log=$(mktemp)
bash deploy/up.sh 2>&1 | tee "$log"
grep -q '^  id: ' "$log" || fail "no article was fetched over gRPC"
trace=$(sed -n "s/^up: this article's trace: \([0-9a-f]\{32\}\).*/\1/p" "$log")
[[ -n $trace ]] || fail "the article's trace was not found through Zipkin's query API"

python3 - "$trace" <<'PY' || fail "the trace does not chain replay → ingest → serve"
import json, sys, urllib.request
spans = json.load(urllib.request.urlopen(f"http://127.0.0.1:9411/api/v2/trace/{sys.argv[1]}", timeout=5))
services = {s["localEndpoint"]["serviceName"] for s in spans}
ids = {s["id"] for s in spans}
assert {"copydesk-replay", "copydesk-ingest", "copydesk-serve"} <= services, services
assert all(s.get("parentId") in ids for s in spans if "parentId" in s), "a parent is missing"
print(f"smoke: trace {sys.argv[1]}: {len(spans)} spans from {', '.join(sorted(services))}")
PY

metric() { curl -s "$1" | awk -v m="$2" '$1 == m { print $2 }'; }
for check in "9464 copydesk_articles_produced_total" "9464 copydesk_trace_spans_exported_total" \
  "9465 copydesk_lookup_store_articles" "9465 copydesk_lookup_records_applied_total{kind=\"article\"}"; do
  read -r port name <<<"$check"
  value=$(metric "http://127.0.0.1:$port/metrics" "$name")
  awk -v v="${value:-0}" 'BEGIN { exit !(v > 0) }' || fail "$name is ${value:-missing} on :$port"
  echo "smoke: $name = $value"
done
echo "smoke: passed in $(( $(date +%s) - started )) s"
