#!/usr/bin/env bash
# Runs the Kafka command-line tool named by the link it is called through (kafka-topics.sh, kafka-console-producer.sh, ...).
set -euo pipefail

# One table instead of twenty near-identical wrapper files; `--link` creates the
# kafka-*.sh names from it, so a tool added here is installed automatically.
# Some tools moved from Scala (kafka.*) to Java between 4.x releases, so a tool
# may list several candidate classes; --link records the one the jars contain.
declare -A tools=(
  [kafka-topics]=org.apache.kafka.tools.TopicCommand
  [kafka-console-producer]=org.apache.kafka.tools.ConsoleProducer
  [kafka-console-consumer]=org.apache.kafka.tools.consumer.ConsoleConsumer
  [kafka-consumer-groups]=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
  [kafka-transactions]=org.apache.kafka.tools.TransactionsCommand
  [kafka-storage]="kafka.tools.StorageTool org.apache.kafka.tools.StorageTool"
  [kafka-cluster]=org.apache.kafka.tools.ClusterTool
  [kafka-configs]="org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand"
  [kafka-acls]="org.apache.kafka.tools.AclCommand kafka.admin.AclCommand"
  [kafka-features]=org.apache.kafka.tools.FeatureCommand
  [kafka-metadata-quorum]=org.apache.kafka.tools.MetadataQuorumCommand
  [kafka-broker-api-versions]=org.apache.kafka.tools.BrokerApiVersionsCommand
  [kafka-get-offsets]=org.apache.kafka.tools.GetOffsetShell
  [kafka-delete-records]=org.apache.kafka.tools.DeleteRecordsCommand
  [kafka-log-dirs]=org.apache.kafka.tools.LogDirsCommand
  [kafka-dump-log]="org.apache.kafka.tools.DumpLogSegments kafka.tools.DumpLogSegments"
  [kafka-reassign-partitions]="org.apache.kafka.tools.reassign.ReassignPartitionsCommand kafka.admin.ReassignPartitionsCommand"
  [kafka-leader-election]=org.apache.kafka.tools.LeaderElectionCommand
  [kafka-producer-perf-test]=org.apache.kafka.tools.ProducerPerformance
  [kafka-consumer-perf-test]=org.apache.kafka.tools.ConsumerPerformance
)

self=$(readlink -f "${BASH_SOURCE[0]}")
bin_dir=$(dirname "$self")
libs_dir=$(dirname "$bin_dir")/libs
class_map=$bin_dir/kafka-cli.classes

# Zip archives store entry names uncompressed, so a plain byte search of the
# jars finds a class without needing unzip or a JVM.
class_in_jars() {
  local entry=${1//.//}.class
  grep -qaF -- "$entry" "$libs_dir"/*.jar
}

case "${1:-}" in
  --link)
    : >"$class_map"
    for name in "${!tools[@]}"; do
      found=
      for class in ${tools[$name]}; do
        if class_in_jars "$class"; then
          found=$class
          break
        fi
      done
      if [ -z "$found" ]; then
        echo "kafka-cli.sh: no class for $name in $libs_dir (tried: ${tools[$name]}); not linked" >&2
        continue
      fi
      printf '%s %s\n' "$name" "$found" >>"$class_map"
      ln -sfn "$(basename "$self")" "$bin_dir/$name.sh"
    done
    exit 0
    ;;
  --list)
    # After --link, only the tools that were actually installed.
    if [ -r "$class_map" ]; then
      awk '{ print $1 ".sh" }' "$class_map" | LC_ALL=C sort
    else
      printf '%s.sh\n' "${!tools[@]}" | LC_ALL=C sort
    fi
    exit 0
    ;;
esac

name=$(basename "$0" .sh)
if [ -z "${tools[$name]:-}" ]; then
  echo "$(basename "$0"): call this through one of its tool links (see --list), or use --link to create them" >&2
  exit 2
fi
class=
if [ -r "$class_map" ]; then
  class=$(awk -v n="$name" '$1 == n { print $2; exit }' "$class_map")
fi
if [ -z "$class" ]; then
  read -r class _ <<<"${tools[$name]}"
fi
exec "$bin_dir/kafka-run-class.sh" "$class" "$@"
