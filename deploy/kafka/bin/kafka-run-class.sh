#!/usr/bin/env bash
# Runs a Java main class with the Kafka jars on the classpath; every launcher in this directory ends here.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $(basename "$0") MAIN_CLASS [ARGS...]" >&2
  exit 2
fi

# readlink -f so the tool links created by kafka-cli.sh --link still find the install.
bin_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
KAFKA_HOME=${KAFKA_HOME:-$(dirname "$bin_dir")}

java_bin=java
if [ -n "${JAVA_HOME:-}" ]; then
  java_bin=$JAVA_HOME/bin/java
fi

# The defaults suit short-lived CLI tools: a small heap, serial GC and the client
# compiler only roughly halve JVM start-up, which matters when tests poll with them.
# kafka-server-start.sh sets server-sized values before calling this script.
heap_opts=${KAFKA_HEAP_OPTS:--Xmx256m}
perf_opts=${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}
log4j_opts=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$KAFKA_HOME/config/tools-log4j2.properties}

# These variables hold several JVM flags separated by spaces (the upstream
# convention), so they are split into words here rather than quoted whole.
read -r -a heap <<<"$heap_opts"
read -r -a perf <<<"$perf_opts"
read -r -a log4j <<<"$log4j_opts"
read -r -a gc <<<"${KAFKA_GC_LOG_OPTS:-}"
read -r -a jmx <<<"${KAFKA_JMX_OPTS:-}"
read -r -a extra <<<"${KAFKA_OPTS:-}"

# Spelled out in sorted order rather than as libs/* (which the JVM expands in
# directory order): the class-data archive below is only accepted when the
# classpath is exactly the one it was recorded with.
jars=("$KAFKA_HOME"/libs/*.jar)
classpath=$(IFS=:; printf '%s' "${jars[*]}")

# Class-data sharing archive recorded at image build time from a broker run
# (build-cds-archive.sh). It takes ~40% off JVM start for the broker and the
# tools alike. An extra CLASSPATH would not match it, so it is skipped then;
# any other mismatch only makes the JVM ignore it, silently thanks to -Xlog.
cds=()
cds_archive=${KAFKA_CDS_ARCHIVE:-$KAFKA_HOME/cds/kafka.jsa}
if [ "${KAFKA_CDS:-on}" != off ] && [ -z "${CLASSPATH:-}" ] && [ -r "$cds_archive" ]; then
  cds=(-XX:SharedArchiveFile="$cds_archive" '-Xlog:cds*=off' '-Xlog:class+path=off')
fi
if [ -n "${CLASSPATH:-}" ]; then
  classpath="$CLASSPATH:$classpath"
fi

exec "$java_bin" "${heap[@]}" "${perf[@]}" "${gc[@]}" "${jmx[@]}" "${log4j[@]}" "${cds[@]}" \
  -cp "$classpath" "${extra[@]}" "$@"
