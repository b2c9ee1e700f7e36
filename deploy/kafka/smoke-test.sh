#!/usr/bin/env bash
# Smoke test for the local Kafka image: defaults, host-mapped listener, produce/consume, transactions, clean SIGTERM stop.
#
# usage: deploy/kafka/smoke-test.sh [IMAGE]     (default copydesk/kafka:latest; build it with build-image.sh)
# Exits non-zero on the first failure and always removes the containers it started.
set -euo pipefail

image=${1:-copydesk/kafka:latest}
ready_timeout=${READY_TIMEOUT_SECONDS:-90}
run_id=smoke-$$-$RANDOM
containers=()

log() { printf '[smoke] %s\n' "$*" >&2; }
fail() {
  printf '[smoke] FAIL: %s\n' "$*" >&2
  local c
  for c in "${containers[@]}"; do
    printf '[smoke] --- last log lines of %s ---\n' "$c" >&2
    docker logs --tail 40 "$c" >&2 2>&1 || true
  done
  exit 1
}
cleanup() {
  local c
  for c in "${containers[@]}"; do
    docker rm -f -v "$c" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# grep -q would stop reading early and, under pipefail, turn the writer's
# SIGPIPE into a false "no match"; these read everything first.
logs_contain() { docker logs "$1" 2>&1 | grep -c -- "$2" >/dev/null; }
output_has_line() { grep -cxF -- "$1" >/dev/null; }

# The advertised address must name the host port before the broker starts, so
# pick a free one rather than letting Docker choose.
free_port() {
  local port tries=0
  while ((tries < 50)); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
    tries=$((tries + 1))
  done
  return 1
}

# Readiness as a harness would see it: the broker prints this line once both the
# controller and the broker side accept connections.
wait_ready() {
  local name=$1 start=$2 deadline=$(($(date +%s) + ready_timeout))
  until logs_contain "$name" 'Kafka Server started'; do
    [[ $(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null) == true ]] || fail "$name exited before becoming ready"
    (($(date +%s) < deadline)) || fail "$name not ready within ${ready_timeout}s"
    sleep 0.2
  done
  log "$name ready after $(($(now_ms) - start)) ms (docker run to 'Kafka Server started')"
}

# Tools run in a throwaway container on the host network, so they reach the
# broker exactly as a test on the host does: through the published port.
host_tool() {
  docker run --rm -i --network host --name "$run_id-client-$RANDOM" "$image" "$@"
}

docker image inspect "$image" >/dev/null 2>&1 || fail "image $image not found; run deploy/kafka/build-image.sh first"

# --- 1. every tool link starts its main class ---------------------------------
log "checking that every bundled tool finds its main class"
# Four at a time: each is a separate JVM start and there are about twenty.
tool_check=$(docker run --rm --network none "$image" bash -c '
  kafka-cli.sh --list | xargs -P 4 -I{} bash -c "
    out=\$({} --help 2>&1 </dev/null || true)
    case \$out in
      *\"Could not find or load main class\"* | *NoClassDefFoundError* | *ClassNotFoundException*) echo \"BROKEN {}\" ;;
    esac"')
[[ -z $tool_check ]] || fail "tools with missing classes: $tool_check"

# --- 2. defaults: no env at all, tools inside the container --------------------
name=$run_id-defaults
containers+=("$name")
start=$(now_ms)
docker run -d --name "$name" "$image" >/dev/null
wait_ready "$name" "$start"
docker exec "$name" kafka-topics.sh --bootstrap-server localhost:9092 --create --topic smoke-defaults \
  --partitions 1 --replication-factor 1 >/dev/null || fail "create topic (defaults)"
printf 'hello-defaults\n' | docker exec -i "$name" kafka-console-producer.sh \
  --bootstrap-server localhost:9092 --topic smoke-defaults || fail "produce (defaults)"
got=$(docker exec "$name" kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic smoke-defaults \
  --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null) || fail "consume (defaults)"
[[ $got == hello-defaults ]] || fail "defaults: consumed '$got', expected 'hello-defaults'"
log "defaults: produce/consume inside the container OK"
docker rm -f -v "$name" >/dev/null

# --- 3. the test-harness setup: env config, advertised host-mapped port ------------
# PLAINTEXT is for clients on the host and advertises the published port. The
# broker also talks to itself over the inter-broker listener (e.g. to verify
# transactional writes), and inside the container nothing listens on the host
# port, so that traffic gets its own BROKER listener advertised as localhost:9094.
port=$(free_port) || fail "no free port found"
name=$run_id-harness
containers+=("$name")
start=$(now_ms)
docker run -d --name "$name" -p "127.0.0.1:$port:9092" \
  -e KAFKA_NODE_ID=1 \
  -e KAFKA_PROCESS_ROLES=broker,controller \
  -e KAFKA_LISTENERS=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,BROKER://0.0.0.0:9094 \
  -e KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://localhost:$port,BROKER://localhost:9094" \
  -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT \
  -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
  -e KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093 \
  -e KAFKA_INTER_BROKER_LISTENER_NAME=BROKER \
  -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 \
  -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
  -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 \
  -e KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
  -e KAFKA_AUTO_CREATE_TOPICS_ENABLE=false \
  -e CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qk \
  "$image" >/dev/null
wait_ready "$name" "$start"

# The env convention must have produced exactly these keys.
rendered=$(docker exec "$name" cat /opt/kafka/config/server.properties)
for want in "advertised.listeners=PLAINTEXT://localhost:$port,BROKER://localhost:9094" "transaction.state.log.min.isr=1" \
  "auto.create.topics.enable=false" "log.dirs=/var/lib/kafka/data"; do
  grep -qxF "$want" <<<"$rendered" || fail "server.properties lacks '$want'"
done

bootstrap=localhost:$port
host_tool kafka-topics.sh --bootstrap-server "$bootstrap" --create --topic smoke \
  --partitions 3 --replication-factor 1 >/dev/null || fail "create topic via host port"
host_tool kafka-topics.sh --bootstrap-server "$bootstrap" --list | output_has_line smoke || fail "topic not listed"
printf 'one\ntwo\nthree\n' | host_tool kafka-console-producer.sh --bootstrap-server "$bootstrap" \
  --topic smoke || fail "produce via host port"
got=$(host_tool kafka-console-consumer.sh --bootstrap-server "$bootstrap" --topic smoke \
  --from-beginning --max-messages 3 --timeout-ms 30000 --group smoke-group 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')
[[ $got == "one three two " ]] || fail "consumed '$got', expected one/two/three"
log "host port $port: create/produce/consume with a consumer group OK"

# Transactions need the transaction state log, which only works on one node with RF 1 / min ISR 1.
host_tool kafka-topics.sh --bootstrap-server "$bootstrap" --create --topic smoke-tx \
  --partitions 1 --replication-factor 1 >/dev/null || fail "create tx topic"
host_tool kafka-producer-perf-test.sh --topic smoke-tx --num-records 50 --record-size 20 --throughput -1 \
  --transactional-id smoke-tx --transaction-duration-ms 100 \
  --producer-props "bootstrap.servers=$bootstrap" >/dev/null || fail "transactional produce"
count=$(host_tool kafka-console-consumer.sh --bootstrap-server "$bootstrap" --topic smoke-tx \
  --from-beginning --max-messages 50 --timeout-ms 30000 \
  --isolation-level read_committed 2>/dev/null | wc -l)
[[ $count -eq 50 ]] || fail "read_committed consumer saw $count of 50 transactional records"
host_tool kafka-transactions.sh --bootstrap-server "$bootstrap" list | grep -c smoke-tx >/dev/null || fail "transaction id not listed"
log "transactions: 50 committed records read with isolation.level=read_committed OK"
docker exec "$name" kafka-topics.sh --bootstrap-server localhost:9094 --list | output_has_line smoke-tx \
  || fail "tools inside the container via the BROKER listener"
log "tools inside the container via localhost:9094 OK"

# --- 4. SIGTERM reaches the JVM: a clean, quick stop -----------------------------
stop_start=$(now_ms)
docker stop -t 30 "$name" >/dev/null
stop_ms=$(($(now_ms) - stop_start))
((stop_ms < 25000)) || fail "docker stop took ${stop_ms} ms: SIGTERM did not reach the JVM"
logs_contain "$name" 'shut down completed' || fail "no clean shutdown in the log"
log "SIGTERM: clean shutdown in ${stop_ms} ms"

echo "smoke: 4 passed, 0 failed"
