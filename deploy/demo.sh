#!/usr/bin/env bash
# The main job on one machine: a local Kafka broker, the ingest and lookup services, the seed message in, its article looked up over gRPC.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${COPYDESK_DEMO_PORT:-9092}"
NAME=copydesk-demo-kafka
BROKERS="localhost:$PORT"
SEED="${COPYDESK_DEMO_INPUT:-../shared/corpus/seed/bbc-zhongwen-world-69124999.snapshot}"
URL="${COPYDESK_DEMO_URL:-https://www.bbc.com/zhongwen/simp/world-69124999}"
GRPC_PORT="${COPYDESK_DEMO_GRPC_PORT:-50051}"
SERVER="http://127.0.0.1:$GRPC_PORT"
WORK=.demo
mkdir -p "$WORK"
export PATH="$HOME/.cargo/bin:$PATH"

bash deploy/docker/ensure-docker.sh
bash deploy/kafka/build-image.sh

if [ -z "$(docker ps -q -f "name=^${NAME}$")" ]; then
  docker rm -f "$NAME" >/dev/null 2>&1 || true
  # A new broker has new topics: the lookup store's offsets would mean nothing.
  rm -f "$WORK/lookup.redb"
  echo "demo: starting Kafka on $BROKERS"
  # A second listener (BROKER) serves the broker's own inter-broker traffic,
  # which transactions need; clients use the published port.
  docker run -d --name "$NAME" -p "127.0.0.1:$PORT:9092" \
    -e KAFKA_NODE_ID=1 -e KAFKA_PROCESS_ROLES=broker,controller \
    -e KAFKA_LISTENERS=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,BROKER://0.0.0.0:9094 \
    -e "KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:$PORT,BROKER://localhost:9094" \
    -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT \
    -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER -e KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093 \
    -e KAFKA_INTER_BROKER_LISTENER_NAME=BROKER -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 \
    -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 \
    -e KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 copydesk/kafka:latest >/dev/null
  for _ in $(seq 120); do
    docker logs "$NAME" 2>&1 | grep -q "Kafka Server started" && break
    sleep 1
  done
  docker logs "$NAME" 2>&1 | grep -q "Kafka Server started" || { echo "demo: Kafka did not start" >&2; docker logs "$NAME" | tail -20 >&2; exit 1; }
fi

cargo build --release --locked -p copydesk
BIN=./target/release/copydesk

# Large pages are normal: let the input topic take messages up to 33 MiB.
docker exec "$NAME" /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9094 --create --if-not-exists \
  --topic snapshots --partitions 3 --config max.message.bytes=34603008 >/dev/null

echo "demo: starting copydesk ingest (log: $WORK/ingest.log)"
COPYDESK_BROKERS="$BROKERS" "$BIN" ingest --create-topics >"$WORK/ingest.log" 2>&1 &
INGEST=$!
trap 'kill -TERM "$INGEST" 2>/dev/null; wait "$INGEST" 2>/dev/null || true' EXIT

# The lookup service waits for the articles topic that ingest creates, reads
# it into its store, and reports SERVING on grpc.health.v1 once caught up.
echo "demo: starting copydesk serve on $SERVER (log: $WORK/serve.log)"
COPYDESK_BROKERS="$BROKERS" "$BIN" serve --store-path "$WORK/lookup.redb" --grpc-addr "127.0.0.1:$GRPC_PORT" \
  >"$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill -TERM "$SERVE" "$INGEST" 2>/dev/null; wait "$SERVE" "$INGEST" 2>/dev/null || true' EXIT

echo "demo: publishing $SEED"
"$BIN" replay --brokers "$BROKERS" --topic snapshots "$SEED"

echo "demo: looking up $URL over gRPC at $SERVER"
for _ in $(seq 60); do
  if "$BIN" lookup --server "$SERVER" --url "$URL" --timeout-secs 10 >"$WORK/article.json" 2>/dev/null; then
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print("demo: found article", a["id"]); print("  title:", a["title"]); print("  authors:", ", ".join(x["name"] for x in a.get("authors", []))); print("  published:", a.get("publishedAt")); print("  words:", a.get("wordCount"))' "$WORK/article.json"
    echo "demo: the whole article is in $WORK/article.json; stop the broker with: make demo-down"
    exit 0
  fi
  sleep 1
done
echo "demo: the article did not appear; see $WORK/ingest.log and $WORK/serve.log" >&2
exit 1
