#!/usr/bin/env bash
# Starts the Kafka broker/controller in the foreground with server-sized JVM defaults: kafka-server-start.sh server.properties
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $(basename "$0") server.properties [--override key=value ...]" >&2
  exit 2
fi

bin_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
export KAFKA_HOME=${KAFKA_HOME:-$(dirname "$bin_dir")}

# 512 MiB is plenty for a test broker and lets several run side by side on a
# small machine; set KAFKA_HEAP_OPTS to change it.
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}
export KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$KAFKA_HOME/config/log4j2.properties}

# JMX only for the server: if tools inherited the port they would fail to bind it.
jmx_port=${KAFKA_JMX_PORT:-${JMX_PORT:-}}
if [ -n "$jmx_port" ]; then
  jmx_host=${KAFKA_JMX_HOSTNAME:-$(hostname -i 2>/dev/null | cut -d' ' -f1)}
  export KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false} -Dcom.sun.management.jmxremote.local.only=false -Dcom.sun.management.jmxremote.port=$jmx_port -Dcom.sun.management.jmxremote.rmi.port=$jmx_port${jmx_host:+ -Djava.rmi.server.hostname=$jmx_host}"
fi

# exec: the JVM replaces this shell, so SIGTERM from `docker stop` reaches it directly.
exec "$bin_dir/kafka-run-class.sh" kafka.Kafka "$@"
