#!/usr/bin/env bash
# Image build step: records a class-data sharing archive from a short broker run, so containers start faster.
set -euo pipefail

KAFKA_HOME=${KAFKA_HOME:-/opt/kafka}
archive=${1:-$KAFKA_HOME/cds/kafka.jsa}
work=$(mktemp -d)
server_log=$work/server.log
pid=

cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# build-image.sh builds with --network none, where the step's hostname resolves
# nowhere; some Kafka versions refuse to start without it. Docker manages
# /etc/hosts outside the image layers, so this line does not end up in the image.
if ! getent hosts "$(hostname)" >/dev/null 2>&1 && [[ -w /etc/hosts ]]; then
  printf '127.0.0.1 %s\n' "$(hostname)" >>/etc/hosts
fi

# Own ports and data dir: this runs inside `docker build`, which has only loopback.
sed -e "s#^log.dirs=.*#log.dirs=$work/data#" \
    -e 's#9092#19092#g; s#9093#19093#g' \
    /etc/kafka/docker/server.properties >"$work/server.properties"

mkdir -p "$(dirname "$archive")"
# The archive must be recorded without an existing archive in use.
export KAFKA_CDS=off
"$KAFKA_HOME/bin/kafka-storage.sh" format --config "$work/server.properties" \
  --cluster-id 5L6g3nShT-eMCtK--X86sw --ignore-formatted >/dev/null

: >"$server_log"
# The JVM reports classes it cannot archive as warnings on stdout; they are harmless.
KAFKA_OPTS="-XX:ArchiveClassesAtExit=$archive" \
  "$KAFKA_HOME/bin/kafka-server-start.sh" "$work/server.properties" >"$server_log" 2>&1 &
pid=$!

deadline=$((SECONDS + 180))
until grep -q 'Kafka Server started' "$server_log"; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
    tail -n 40 "$server_log" >&2
    echo "build-cds-archive: broker did not start" >&2
    exit 1
  fi
  sleep 0.5
done

# Some client traffic pulls the produce, fetch and group-coordinator classes into
# the archive too, which is what a test suite exercises first.
bootstrap=localhost:19092
"$KAFKA_HOME/bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --topic cds-warmup \
  --partitions 1 --replication-factor 1 >/dev/null
printf 'warm\n' | "$KAFKA_HOME/bin/kafka-console-producer.sh" --bootstrap-server "$bootstrap" --topic cds-warmup
"$KAFKA_HOME/bin/kafka-console-consumer.sh" --bootstrap-server "$bootstrap" --topic cds-warmup \
  --group cds-warmup --from-beginning --max-messages 1 --timeout-ms 30000 >/dev/null 2>&1

# The JVM writes the archive while exiting after SIGTERM.
kill -TERM "$pid"
wait "$pid" || true
pid=
[[ -s $archive ]] || { tail -n 40 "$server_log" >&2; echo "build-cds-archive: no archive written" >&2; exit 1; }
chmod 0444 "$archive"
echo "build-cds-archive: $(du -h "$archive" | cut -f1) written to $archive"
