#!/usr/bin/env bash
# Runs the Kafka command-line tool named by the link it is called through (kafka-topics.sh, kafka-console-producer.sh, ...).
set -euo pipefail

# One table instead of twenty near-identical wrapper files; `--link` creates the
# kafka-*.sh names from it, so a tool added here is installed automatically.
declare -A tools=(
  [kafka-topics]=org.apache.kafka.tools.TopicCommand
  [kafka-console-producer]=org.apache.kafka.tools.ConsoleProducer
  [kafka-console-consumer]=org.apache.kafka.tools.consumer.ConsoleConsumer
  [kafka-consumer-groups]=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
  [kafka-transactions]=org.apache.kafka.tools.TransactionsCommand
  [kafka-storage]=kafka.tools.StorageTool
  [kafka-cluster]=org.apache.kafka.tools.ClusterTool
  [kafka-configs]=org.apache.kafka.tools.ConfigCommand
  [kafka-acls]=org.apache.kafka.tools.AclCommand
  [kafka-features]=org.apache.kafka.tools.FeatureCommand
  [kafka-metadata-quorum]=org.apache.kafka.tools.MetadataQuorumCommand
  [kafka-broker-api-versions]=org.apache.kafka.tools.BrokerApiVersionsCommand
  [kafka-get-offsets]=org.apache.kafka.tools.GetOffsetShell
  [kafka-delete-records]=org.apache.kafka.tools.DeleteRecordsCommand
  [kafka-log-dirs]=org.apache.kafka.tools.LogDirsCommand
  [kafka-dump-log]=org.apache.kafka.tools.DumpLogSegments
  [kafka-reassign-partitions]=org.apache.kafka.tools.reassign.ReassignPartitionsCommand
  [kafka-leader-election]=org.apache.kafka.tools.LeaderElectionCommand
  [kafka-producer-perf-test]=org.apache.kafka.tools.ProducerPerformance
  [kafka-consumer-perf-test]=org.apache.kafka.tools.ConsumerPerformance
)

self=$(readlink -f "${BASH_SOURCE[0]}")
bin_dir=$(dirname "$self")

case "${1:-}" in
  --link)
    for name in "${!tools[@]}"; do
      ln -sfn "$(basename "$self")" "$bin_dir/$name.sh"
    done
    exit 0
    ;;
  --list)
    printf '%s.sh\n' "${!tools[@]}" | LC_ALL=C sort
    exit 0
    ;;
esac

name=$(basename "$0" .sh)
if [ -z "${tools[$name]:-}" ]; then
  echo "$(basename "$0"): call this through one of its tool links (see --list), or use --link to create them" >&2
  exit 2
fi
exec "$bin_dir/kafka-run-class.sh" "${tools[$name]}" "$@"
