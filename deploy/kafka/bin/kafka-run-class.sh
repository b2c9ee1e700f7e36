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

# The trailing /* is for the JVM (it expands it to every jar), not for the shell.
classpath="$KAFKA_HOME/libs/*"
if [ -n "${CLASSPATH:-}" ]; then
  classpath="$CLASSPATH:$classpath"
fi

exec "$java_bin" "${heap[@]}" "${perf[@]}" "${gc[@]}" "${jmx[@]}" "${log4j[@]}" \
  -cp "$classpath" "${extra[@]}" "$@"
