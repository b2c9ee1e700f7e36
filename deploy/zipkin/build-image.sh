#!/usr/bin/env bash
# Builds copydesk/zipkin:<version> (and :latest) with no registry: the Zipkin
# server jar from Maven Central, on the JRE base deploy/kafka/build-image.sh
# makes. An image built from the same inputs is reused as it is.
#
# usage: deploy/zipkin/build-image.sh [--force]
# env:   ZIPKIN_VERSION (default 3.5.1), COPYDESK_CACHE (default /var/cache/copydesk)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${ZIPKIN_VERSION:-3.5.1}
cache_dir=${COPYDESK_CACHE:-/var/cache/copydesk}
base_image=copydesk/debian-jre:bookworm
image=copydesk/zipkin:$version
force=0
[[ ${1:-} == --force ]] && force=1

log() { printf '[zipkin-image] %s\n' "$*" >&2; }
die() { printf '[zipkin-image] ERROR: %s\n' "$*" >&2; exit 1; }

docker image inspect "$base_image" >/dev/null 2>&1 || bash "$script_dir/../kafka/build-image.sh"
base_id=$(docker image inspect --format '{{ .Id }}' "$base_image")
hash=$( { echo "zipkin=$version base=$base_id"; cat "$script_dir/Dockerfile" "$script_dir/healthcheck" "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)
current=$(docker image inspect --format '{{ index .Config.Labels "io.copydesk.inputs-hash" }}' "$image" 2>/dev/null || true)
if [[ $force == 0 && $current == "$hash" ]]; then
  docker tag "$image" copydesk/zipkin:latest
  log "$image is up to date"
  exit 0
fi

jar=$cache_dir/zipkin/zipkin-server-$version-exec.jar
if [[ ! -s $jar ]]; then
  command -v mvn >/dev/null 2>&1 || { log "installing maven"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; }
  log "fetching io.zipkin:zipkin-server:$version:exec from Maven Central"
  mkdir -p "$cache_dir/zipkin"
  mvn -B -q -Dmaven.repo.local="$cache_dir/m2" dependency:copy \
    -Dartifact="io.zipkin:zipkin-server:$version:jar:exec" -DoutputDirectory="$cache_dir/zipkin" \
    >"$cache_dir/zipkin/mvn.log" 2>&1 || { tail -n 30 "$cache_dir/zipkin/mvn.log" >&2; die "Maven could not fetch the jar"; }
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$jar" "$ctx/zipkin.jar"
cp "$script_dir/Dockerfile" "$script_dir/healthcheck" "$ctx/"
log "building $image"
DOCKER_BUILDKIT=0 docker build -q --network none --build-arg "ZIPKIN_VERSION=$version" \
  --build-arg "INPUTS_HASH=$hash" -t "$image" -t copydesk/zipkin:latest "$ctx" >/dev/null
log "$image built"
