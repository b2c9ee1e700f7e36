#!/usr/bin/env bash
# Container entrypoint: renders server.properties from KAFKA_* variables, formats KRaft storage once, then execs the broker.
set -euo pipefail

KAFKA_HOME=${KAFKA_HOME:-/opt/kafka}
config_dir=$KAFKA_HOME/config
props=$config_dir/server.properties
# Pristine copies live outside config_dir so a restarted container starts from them
# again instead of from what the previous start rendered.
templates_dir=/etc/kafka/docker
# Same mount point as the official image for a user-supplied server.properties.
mounted_config_dir=/mnt/shared/config
default_log_dirs=/var/lib/kafka/data
# Any fixed, valid base64 UUID works for a throwaway single node; this is the one the official image uses.
default_cluster_id=5L6g3nShT-eMCtK--X86sw

say() { printf '===> %s\n' "$*"; }
die() { printf '===> ERROR: %s\n' "$*" >&2; exit 1; }

# NAME=value arguments count as extra environment, as in the official image's run script.
for arg in "$@"; do
  if [[ $arg =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
    export "${arg?}"
  else
    die "unexpected argument '$arg': only NAME=value is accepted (override the container command to run something else)"
  fi
done

# KAFKA_* variables that configure the JVM, logging or scripts rather than the broker.
is_not_a_property() {
  case $1 in
    KAFKA_VERSION | KAFKA_HOME | KAFKA_HEAP_OPT | KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_DEBUG | \
      KAFKA_LOG4J_OPTS | KAFKA_LOG4J_ROOT_LOGLEVEL | KAFKA_LOG4J_LOGGERS | KAFKA_TOOLS_LOG4J_LOGLEVEL | \
      KAFKA_JMX_OPTS | KAFKA_JMX_PORT | KAFKA_JMX_HOSTNAME | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS | \
      KAFKA_CDS | KAFKA_CDS_ARCHIVE)
      return 0 ;;
  esac
  return 1
}

# KAFKA_FOO_BAR -> foo.bar, with the official image's escapes: ___ is '-', __ is '_'.
# Placeholders keep the longer runs from being eaten by the single-underscore rule.
env_name_to_key() {
  local key=${1#KAFKA_}
  key=${key,,}
  key=${key//___/$'\x01'}
  key=${key//__/$'\x02'}
  key=${key//_/.}
  key=${key//$'\x01'/-}
  key=${key//$'\x02'/_}
  printf '%s' "$key"
}

# Last value of KEY in a properties file (later lines win, as in java.util.Properties).
prop_get() {
  local key=$1 file=$2
  awk -v k="$key" '
    /^[ \t]*[#!]/ { next }
    {
      line = $0; sub(/^[ \t]+/, "", line)
      n = match(line, /[ \t]*[=:][ \t]*|[ \t]+/)
      if (n == 0) next
      if (substr(line, 1, n - 1) == k) { v = substr(line, n + RLENGTH); found = 1 }
    }
    END { if (found) print v }' "$file"
}

# Drops from a properties file every line whose key is listed in the second file.
prop_drop_keys() {
  local file=$1 keys_file=$2
  awk '
    NR == FNR { drop[$0] = 1; next }
    /^[ \t]*[#!]/ || /^[ \t]*$/ { print; next }
    {
      line = $0; sub(/^[ \t]+/, "", line)
      n = match(line, /[ \t]*[=:][ \t]*|[ \t]+/)
      key = (n == 0) ? line : substr(line, 1, n - 1)
      if (!(key in drop)) print
    }' "$keys_file" "$file"
}

# Like the official image: without explicit listeners, listen on every interface
# at the advertised ports. Not for a pure controller, which advertises nothing.
if [[ -z ${KAFKA_LISTENERS:-} && ${KAFKA_PROCESS_ROLES:-} != controller && -n ${KAFKA_ADVERTISED_LISTENERS:-} ]]; then
  KAFKA_LISTENERS=$(printf '%s' "$KAFKA_ADVERTISED_LISTENERS" | sed -e 's#://[^:,]*:#://0.0.0.0:#g')
  export KAFKA_LISTENERS
  say "KAFKA_LISTENERS not set; derived from KAFKA_ADVERTISED_LISTENERS: $KAFKA_LISTENERS"
fi
if [[ ${KAFKA_PROCESS_ROLES:-} == controller && -n ${KAFKA_ADVERTISED_LISTENERS:-} ]]; then
  die "KAFKA_ADVERTISED_LISTENERS must not be set on a controller-only node"
fi

env_lines=$(mktemp)
env_keys=$(mktemp)
trap 'rm -f "$env_lines" "$env_keys"' EXIT
while IFS= read -r name; do
  is_not_a_property "$name" && continue
  key=$(env_name_to_key "$name")
  printf '%s=%s\n' "$key" "${!name}" >>"$env_lines"
  printf '%s\n' "$key" >>"$env_keys"
done < <(compgen -e | grep '^KAFKA_' | LC_ALL=C sort)

mkdir -p "$config_dir"
# The official image replaces its defaults wholesale as soon as any setting is
# given, so the same env works against either image; do likewise.
if [[ -f $mounted_config_dir/server.properties ]]; then
  say "using $mounted_config_dir/server.properties; KAFKA_* variables override its keys"
  # Other mounted files (JAAS configs, client properties) go along, as upstream does.
  cp -R "$mounted_config_dir/." "$config_dir/"
  prop_drop_keys "$mounted_config_dir/server.properties" "$env_keys" >"$props.tmp"
elif [[ -s $env_lines ]]; then
  say "building server.properties from KAFKA_* variables"
  : >"$props.tmp"
else
  say "no KAFKA_* settings given; using the single-node defaults"
  cp "$templates_dir/server.properties" "$props.tmp"
fi
cat "$env_lines" >>"$props.tmp"
# Kafka's own default is under /tmp; keep data where a volume can be mounted.
if [[ -z $(prop_get log.dirs "$props.tmp") && -z $(prop_get log.dir "$props.tmp") ]]; then
  printf 'log.dirs=%s\n' "$default_log_dirs" >>"$props.tmp"
fi
mv "$props.tmp" "$props"

roles=$(prop_get process.roles "$props")
[[ -n $roles ]] || die "process.roles is not set: Kafka 4 runs only in KRaft mode, so set KAFKA_PROCESS_ROLES, KAFKA_NODE_ID, KAFKA_CONTROLLER_QUORUM_VOTERS, KAFKA_LISTENERS, KAFKA_CONTROLLER_LISTENER_NAMES (or pass no KAFKA_* settings to get the single-node defaults)"
[[ -n $(prop_get node.id "$props") ]] || die "node.id is not set (KAFKA_NODE_ID)"

say "server.properties:"
sed -e 's/^/    /' "$props"

# The broker connects to its own advertised inter-broker address (for instance to
# verify transactional writes). A common mistake is advertising only a
# host-published port on localhost: from inside the container nothing listens
# there and transactions hang. Catch it early with a loud hint.
listener_endpoint() { # NAME LIST -> "host port" of NAME://host:port in LIST
  tr ',' '\n' <<<"$2" | awk -v n="${1,,}" '
    { e = $0; gsub(/[ \t]/, "", e); split(e, a, "://") }
    tolower(a[1]) == n { h = a[2]; p = h; sub(/:[0-9]+$/, "", h); sub(/.*:/, "", p); print h, p; exit }'
}
ib_listener=$(prop_get inter.broker.listener.name "$props")
ib_listener=${ib_listener:-$(prop_get security.inter.broker.protocol "$props")}
ib_listener=${ib_listener:-PLAINTEXT}
advertised=$(prop_get advertised.listeners "$props")
if [[ -n $advertised && ,$roles, == *,broker,* ]]; then
  read -r adv_host adv_port <<<"$(listener_endpoint "$ib_listener" "$advertised")" || true
  read -r _ bind_port <<<"$(listener_endpoint "$ib_listener" "$(prop_get listeners "$props")")" || true
  if [[ ${adv_host:-} =~ ^(localhost|127\.0\.0\.1)$ && -n ${bind_port:-} && ${adv_port:-} != "$bind_port" ]]; then
    say "WARNING: inter-broker listener $ib_listener is advertised as $adv_host:$adv_port but bound to port $bind_port;" \
      "the broker cannot reach itself there from inside the container (transactions will time out)." \
      "Give host clients their own listener and keep the inter-broker one on a container-local address."
  fi
fi

# Fresh per start for the same reason as server.properties; loggers from
# KAFKA_LOG4J_LOGGERS ("logger.name=LEVEL,other.logger=LEVEL") are appended.
cp "$templates_dir/log4j2.properties" "$config_dir/log4j2.properties"
cp "$templates_dir/tools-log4j2.properties" "$config_dir/tools-log4j2.properties"
if [[ -n ${KAFKA_LOG4J_LOGGERS:-} ]]; then
  i=0
  IFS=',' read -r -a logger_specs <<<"$KAFKA_LOG4J_LOGGERS"
  for spec in "${logger_specs[@]}"; do
    logger=${spec%%=*}
    level=${spec#*=}
    logger=${logger//[[:space:]]/}
    level=${level//[[:space:]]/}
    [[ -n $logger && -n $level && $spec == *=* ]] || die "bad KAFKA_LOG4J_LOGGERS entry '$spec' (want logger.name=LEVEL)"
    i=$((i + 1))
    printf 'logger.env%d.name = %s\nlogger.env%d.level = %s\n' "$i" "$logger" "$i" "$level" >>"$config_dir/log4j2.properties"
  done
fi

# Create the data directories up front so a permission problem is reported
# clearly here instead of as a storage exception from the JVM.
# Kafka ignores log.dir when log.dirs is set, so only one of them counts.
log_dirs=$(prop_get log.dirs "$props")
[[ -n $log_dirs ]] || log_dirs=$(prop_get log.dir "$props")
IFS=',' read -r -a data_dirs <<<"$log_dirs"
metadata_dir=$(prop_get metadata.log.dir "$props")
if [[ -n $metadata_dir ]]; then
  data_dirs+=("$metadata_dir")
fi
for dir in "${data_dirs[@]}"; do
  dir=${dir//[[:space:]]/}
  [[ -n $dir ]] || continue
  mkdir -p "$dir" 2>/dev/null || true
  [[ -w $dir ]] || die "data directory $dir is not writable by $(id -un) (uid $(id -u))"
done

# KRaft needs the directories stamped with the cluster id before the first start;
# --ignore-formatted makes this a no-op on restarts with existing data.
cluster_id=${CLUSTER_ID:-$default_cluster_id}
format_args=(format --config "$props" --cluster-id "$cluster_id" --ignore-formatted)
if [[ -n ${STORAGE_FORMAT_ARGS:-} ]]; then
  read -r -a extra_format_args <<<"$STORAGE_FORMAT_ARGS"
  format_args+=("${extra_format_args[@]}")
elif [[ ,$roles, == *,controller,* && -z $(prop_get controller.quorum.voters "$props") ]]; then
  # With a dynamic quorum (controller.quorum.bootstrap.servers) the tool insists
  # on being told how the quorum starts; a lone node starts it by itself.
  format_args+=(--standalone)
fi
say "formatting storage for cluster $cluster_id (skipped where already formatted)"
"$KAFKA_HOME/bin/kafka-storage.sh" "${format_args[@]}"

say "starting Kafka ${KAFKA_VERSION:-}"
rm -f "$env_lines" "$env_keys"
trap - EXIT
# exec: the JVM becomes PID 1's direct replacement and receives SIGTERM itself.
exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$props"
