#!/usr/bin/env bash
# `make up`: builds the images that are missing or stale (none is pulled), starts
# the stack of compose.yaml and leaves it running, replays the seed and the dev
# corpus, then prints one article fetched over gRPC, the trace UI with that
# article's trace id, and the metrics endpoints. `make down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'up: %s\n' "$*"; }
die() { printf 'up: ERROR: %s\n' "$*" >&2; exit 1; }

# The corpus: $CORPUS, else ../shared/corpus beside this checkout, else beside
# the local checkout this one was cloned from (a clone made elsewhere, e.g.
# `git clone /work/main /tmp/x`, has no ../shared of its own).
find_corpus() {
  local candidates=("${CORPUS:-}" ../shared/corpus) origin
  origin=$(git remote get-url origin 2>/dev/null || true)
  [[ -n $origin && -d $origin ]] && candidates+=("$origin/../shared/corpus")
  for c in "${candidates[@]}"; do
    [[ -n $c && -d $c/seed ]] && { realpath "$c"; return; }
  done
  die "no corpus found (tried ${candidates[*]}); run with CORPUS=/path/to/shared/corpus"
}
CORPUS=$(find_corpus)
SEED=seed/bbc-zhongwen-world-69124999.snapshot
URL="${COPYDESK_UP_URL:-https://www.bbc.com/zhongwen/simp/world-69124999}"
PROJECT=copydesk
NETWORK=${PROJECT}_default
ZIPKIN=http://127.0.0.1:9411
export PATH="$HOME/.cargo/bin:$PATH"

compose() { docker-compose -p "$PROJECT" -f deploy/compose.yaml "$@"; }
# A one-off copydesk container on the stack's network (replay, lookup).
copydesk() { docker run --rm --network "$NETWORK" -e NO_COLOR=1 "$@"; }

bash deploy/docker/ensure-docker.sh
command -v docker-compose >/dev/null 2>&1 || {
  say "installing docker-compose (Debian's package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
}

say "building images (each is reused when its inputs have not changed)"
bash deploy/kafka/build-image.sh
# COPYDESK_NO_BUILD=1 uses target/release/copydesk as it is (CI has just built it).
[[ -n ${COPYDESK_NO_BUILD:-} ]] || cargo build --release --locked -p copydesk
bash deploy/copydesk/build-image.sh
bash deploy/zipkin/build-image.sh

# The input topic is made before ingest starts: `ingest --create-topics`
# would otherwise make it first with the broker's defaults (1 MiB messages),
# and `--if-not-exists` below would then keep that limit.
say "starting Kafka"
compose up -d kafka
# Large pages are normal: the input topic takes messages up to 33 MiB.
created=0
for _ in $(seq 90); do
  compose exec -T kafka /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --create --if-not-exists \
    --topic snapshots --partitions 3 --config max.message.bytes=34603008 >/dev/null 2>&1 && { created=1; break; }
  sleep 1
done
[[ $created == 1 ]] || die "could not create the snapshots topic; see: docker-compose -p $PROJECT -f deploy/compose.yaml logs kafka"

say "starting ingest, serve and Zipkin"
compose up -d

say "replaying the seed and the dev corpus"
pages=("/corpus/$SEED")
for dir in dev/trafilatura/html dev/daniel/html dev/chinese/original dev/mediacloud/html; do
  [[ -d $CORPUS/$dir ]] && pages+=("/corpus/$dir")
done
copydesk -v "$CORPUS:/corpus:ro" -e OTEL_TRACES_EXPORTER=zipkin \
  -e OTEL_EXPORTER_ZIPKIN_ENDPOINT=http://zipkin:9411/api/v2/spans \
  copydesk/copydesk:latest replay --brokers kafka:9092 --topic snapshots "${pages[@]}"

say "looking up $URL over gRPC"
article=""
for _ in $(seq 120); do
  article=$(copydesk copydesk/copydesk:latest lookup --server http://serve:50051 --url "$URL" --timeout-secs 10 2>/dev/null) && break
  article=""
  sleep 1
done
[[ -n $article ]] || die "the article did not appear; see: docker-compose -p $PROJECT -f deploy/compose.yaml logs"
id=$(python3 -c 'import json,sys; a=json.loads(sys.stdin.read()); print(a["id"])' <<<"$article")
python3 -c 'import json,sys; a=json.loads(sys.stdin.read()); print("  id:       ", a["id"]); print("  title:    ", a["title"]); print("  authors:  ", ", ".join(x["name"] for x in a.get("authors", []))); print("  published:", a.get("publishedAt")); print("  words:    ", a.get("wordCount"))' <<<"$article"

# The article's trace: the span that stored it carries its id as the message key.
trace=""
for _ in $(seq 60); do
  trace=$(python3 - "$ZIPKIN" "$id" <<'PY' 2>/dev/null
import json, sys, urllib.parse, urllib.request
base, key = sys.argv[1], sys.argv[2]
query = urllib.parse.urlencode({"serviceName": "copydesk-serve", "annotationQuery": f"messaging.kafka.message.key={key}", "lookback": 86400000, "limit": 1})
traces = json.load(urllib.request.urlopen(f"{base}/api/v2/traces?{query}", timeout=5))
print(traces[0][0]["traceId"] if traces else "")
PY
  ) || true
  [[ -n $trace ]] && break
  sleep 1
done
say "trace UI: $ZIPKIN/zipkin/"
if [[ -n $trace ]]; then
  say "this article's trace: $trace  ($ZIPKIN/zipkin/traces/$trace)"
else
  say "this article's trace was not found in Zipkin yet; search the UI for service copydesk-serve"
fi
say "metrics: http://127.0.0.1:9464/metrics (ingest), http://127.0.0.1:9465/metrics (serve)"
say "the stack keeps running; stop it with: make down"
