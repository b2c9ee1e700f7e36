#!/usr/bin/env bash
# Builds the local Kafka image copydesk/kafka:<version> (and :latest) without any container registry.
#
# usage: deploy/kafka/build-image.sh [--force] [--rebuild-base]
#   --force         rebuild the Kafka image (without Docker's layer cache) even if an up-to-date one exists
#   --rebuild-base  also recreate the Debian+JRE base image (implies --force)
# env:  KAFKA_VERSION (default: kafka.version in pom.xml), COPYDESK_CACHE (default /var/cache/copydesk),
#       DEBIAN_MIRROR (default: read from this machine's apt sources), IMAGE_REPO (default copydesk/kafka)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_deploy_dir=$(dirname "$script_dir")

force=0
rebuild_base=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    --rebuild-base) rebuild_base=1; force=1 ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-image] %s\n' "$*" >&2; }
die() { printf '[build-image] ERROR: %s\n' "$*" >&2; exit 1; }

cache_dir=${COPYDESK_CACHE:-/var/cache/copydesk}
suite=bookworm
image_repo=${IMAGE_REPO:-copydesk/kafka}
base_image=copydesk/debian-jre:$suite
# Everything the Kafka runtime and the scripts need; bash/coreutils/sed/awk come with minbase.
base_packages=openjdk-17-jre-headless,procps
# Bump when the way the base is made changes, so existing bases get rebuilt.
base_recipe="v1 suite=$suite packages=$base_packages"

pom_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$script_dir/pom.xml" | head -n 1)
kafka_version=${KAFKA_VERSION:-$pom_version}
[[ -n $kafka_version ]] || die "cannot read kafka.version from $script_dir/pom.xml"
image=$image_repo:$kafka_version

apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [[ $apt_updated == 0 ]]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

image_label() {
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# Hash of everything that ends up in the Kafka image, stored as a label: an image
# built from older scripts is rebuilt even without --force.
inputs_hash() {
  local base_id=$1
  {
    printf 'kafka=%s base=%s\n' "$kafka_version" "$base_id"
    cd "$script_dir"
    find pom.xml Dockerfile entrypoint.sh build-cds-archive.sh bin config -type f | LC_ALL=C sort | while IFS= read -r f; do
      printf '%s\n' "$f"
      cat "$f"
    done
  } | sha256sum | cut -d' ' -f1
}

# --- Debian mirror ------------------------------------------------------------
# Prints "URI SUITE" for every enabled deb entry in the apt sources, one-line and
# deb822 formats alike. apt itself only reads *.list and *.sources files.
apt_source_entries() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '
      /^[ \t]*#/ || NF == 0 { next }
      $1 != "deb" { next }
      {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if (i + 1 <= NF) print $i, $(i + 1)
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk '
      function flush(   n, u, s, i, j) {
        if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
          n = split(uris, u, " "); m = split(suites, s, " ")
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j]
        }
        types = ""; uris = ""; suites = ""; enabled = "yes"; last = ""
      }
      BEGIN { enabled = "yes" }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ {
        # A continuation line belongs to the previous field.
        v = $0; sub(/^[ \t]+/, "", v)
        if (last == "types") types = types " " v
        else if (last == "uris") uris = uris " " v
        else if (last == "suites") suites = suites " " v
        next
      }
      {
        name = tolower($0); sub(/:.*/, "", name)
        v = $0; sub(/^[^:]*:[ \t]*/, "", v)
        last = name
        if (name == "types") types = v
        else if (name == "uris") uris = v
        else if (name == "suites") suites = v
        else if (name == "enabled") enabled = v
      }
      END { flush() }' "$f"
  done
}

debian_mirror() {
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "$DEBIAN_MIRROR"
    return
  fi
  local entries uri
  entries=$(apt_source_entries | awk '$1 ~ /^(https?|ftp|file):/')
  # The entry for the suite itself is the main archive; -security and -updates
  # live elsewhere or lack the full package set debootstrap needs.
  uri=$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$entries")
  if [[ -z $uri ]]; then
    # A machine on another release still names a full archive, which serves $suite too.
    uri=$(awk '$2 !~ /-/ { print $1; exit }' <<<"$entries")
  fi
  [[ -n $uri ]] || die "no Debian archive found in /etc/apt/sources.list{,.d/*}; set DEBIAN_MIRROR"
  printf '%s\n' "${uri%/}"
}

# --- helpers for the rootfs ---------------------------------------------------
unmount_under() {
  local root=$1 mnt
  # Deepest first; debootstrap leaves /proc and /sys mounted when it fails midway,
  # and deleting the tree through them would be disastrous.
  while IFS= read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v r="$root" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | LC_ALL=C sort -r)
}

remove_rootfs() {
  local root=$1
  [[ -d $root ]] || return 0
  unmount_under "$root"
  if awk -v r="$root" 'index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    die "something is still mounted under $root; not deleting it"
  fi
  rm -rf --one-file-system "$root"
}

build_base() {
  command -v debootstrap >/dev/null 2>&1 || { log "installing debootstrap"; apt_install debootstrap debian-archive-keyring; }
  local mirror rootfs
  mirror=$(debian_mirror)
  rootfs=$cache_dir/work/rootfs-$suite
  remove_rootfs "$rootfs"
  mkdir -p "$rootfs" "$cache_dir/debootstrap-debs"
  trap 'remove_rootfs "'"$rootfs"'"' EXIT
  log "debootstrap $suite (minbase + $base_packages) from the machine's Debian mirror"
  # --cache-dir keeps the downloaded .debs, so a base rebuild does not download again.
  if ! debootstrap --variant=minbase --include="$base_packages" \
      --cache-dir="$cache_dir/debootstrap-debs" "$suite" "$rootfs" "$mirror" \
      >"$cache_dir/work/debootstrap.log" 2>&1; then
    tail -n 30 "$cache_dir/work/debootstrap.log" >&2
    die "debootstrap failed (full log: $cache_dir/work/debootstrap.log)"
  fi
  unmount_under "$rootfs"
  # Package caches and docs are dead weight in a runtime image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/tmp/*
  log "importing the rootfs as $base_image"
  tar --numeric-owner -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL io.copydesk.base-recipe=\"$base_recipe\"" \
    --change 'CMD ["/bin/bash"]' \
    - "$base_image" >/dev/null
  remove_rootfs "$rootfs"
  trap - EXIT
  local java_version
  java_version=$(docker run --rm --network none "$base_image" java -version 2>&1) || die "java does not run in $base_image"
  log "base: ${java_version%%$'\n'*}"
}

fetch_jars() {
  local dest=$1
  command -v mvn >/dev/null 2>&1 || { log "installing maven"; apt_install maven; }
  log "resolving Kafka $kafka_version jars with Maven"
  # A private local repository under the cache: reruns need no network and the
  # user's ~/.m2 is left alone.
  if ! mvn -B -q -f "$script_dir/pom.xml" \
      -Dmaven.repo.local="$cache_dir/m2" \
      -Dkafka.version="$kafka_version" \
      -DincludeScope=runtime -DoutputDirectory="$dest" \
      dependency:copy-dependencies >"$cache_dir/work/mvn.log" 2>&1; then
    tail -n 40 "$cache_dir/work/mvn.log" >&2
    die "Maven could not resolve Kafka $kafka_version (full log: $cache_dir/work/mvn.log)"
  fi
  ls "$dest"/kafka_2.13-"$kafka_version".jar >/dev/null 2>&1 || die "kafka_2.13-$kafka_version.jar missing after copy"
}

# --- main -----------------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "run as root (it may install packages and run debootstrap)"
mkdir -p "$cache_dir/work"

# One build at a time: parallel test jobs may all call this script.
exec 9>"$cache_dir/build-image.lock"
flock 9

bash "$repo_deploy_dir/docker/ensure-docker.sh"

if [[ $rebuild_base == 1 || $(image_label "$base_image" io.copydesk.base-recipe) != "$base_recipe" ]]; then
  build_base
else
  log "base image $base_image is up to date"
fi
base_id=$(docker image inspect --format '{{.Id}}' "$base_image")

want_hash=$(inputs_hash "$base_id")
if [[ $force == 0 && $(image_label "$image" io.copydesk.inputs-hash) == "$want_hash" ]]; then
  docker tag "$image" "$image_repo:latest"
  log "$image is up to date (use --force to rebuild)"
  exit 0
fi

ctx=$cache_dir/work/context-$kafka_version
rm -rf "$ctx"
mkdir -p "$ctx"
fetch_jars "$ctx/libs"
cp -R "$script_dir/bin" "$script_dir/config" "$script_dir/Dockerfile" "$script_dir/entrypoint.sh" \
  "$script_dir/build-cds-archive.sh" "$ctx/"

log "building $image"
# The classic builder resolves FROM from the local engine and never pulls;
# --network none proves nothing in the build reaches out.
# --force means "do not trust anything cached", including Docker's layer cache.
no_cache=()
if [[ $force == 1 ]]; then no_cache=(--no-cache); fi
if ! DOCKER_BUILDKIT=0 docker build --network none --force-rm "${no_cache[@]}" \
    --build-arg BASE_IMAGE="$base_image" \
    --build-arg KAFKA_VERSION="$kafka_version" \
    --build-arg INPUTS_HASH="$want_hash" \
    -t "$image" -t "$image_repo:latest" "$ctx" >"$cache_dir/work/docker-build.log" 2>&1; then
  tail -n 30 "$cache_dir/work/docker-build.log" >&2
  die "docker build failed (full log: $cache_dir/work/docker-build.log)"
fi
rm -rf "$ctx"

# Images replaced by this build keep their layers as dangling images; drop them.
docker image prune -f --filter "label=io.copydesk.inputs-hash" >/dev/null 2>&1 || true
log "built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
