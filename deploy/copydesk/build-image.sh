#!/usr/bin/env bash
# Builds copydesk/copydesk:latest from the release binary, with no registry and
# no distribution base: the binary, the libraries `ldd` lists, a static busybox.
# An image built from the same binary and scripts is reused as it is.
#
# usage: deploy/copydesk/build-image.sh [--force]
# env:   COPYDESK_BIN (default target/release/copydesk; built if missing), IMAGE (default copydesk/copydesk:latest)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/../.." && pwd)
image=${IMAGE:-copydesk/copydesk:latest}
bin=${COPYDESK_BIN:-$repo/target/release/copydesk}
force=0
[[ ${1:-} == --force ]] && force=1

log() { printf '[copydesk-image] %s\n' "$*" >&2; }
die() { printf '[copydesk-image] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ ! -x $bin ]]; then
  log "building the release binary"
  (cd "$repo" && cargo build --release --locked -p copydesk)
fi
if [[ ! -x /bin/busybox ]] || ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
  log "installing busybox-static (the image's shell and wget)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static file >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq busybox-static file >/dev/null; }
fi

hash=$( { sha256sum "$bin" "$script_dir/Dockerfile" "$script_dir/healthcheck" "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)
current=$(docker image inspect --format '{{ index .Config.Labels "io.copydesk.inputs-hash" }}' "$image" 2>/dev/null || true)
if [[ $force == 0 && $current == "$hash" ]]; then
  log "$image is up to date"
  exit 0
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root=$ctx/rootfs
mkdir -p "$root/usr/local/bin" "$root/bin" "$root/etc/ssl/certs" "$root/tmp" "$ctx/data"
chmod 1777 "$root/tmp"
# Line tables are for profiling here; the image gets the stripped binary.
objcopy --strip-debug "$bin" "$root/usr/local/bin/copydesk"
install -m 0755 "$script_dir/healthcheck" "$root/usr/local/bin/healthcheck"
cp /bin/busybox "$root/bin/busybox"
for tool in sh wget grep; do ln -s busybox "$root/bin/$tool"; done
# The shared libraries, at the paths the binary's loader looks them up by.
ldd "$bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\ncopydesk:x:10001:10001:copydesk:/var/lib/copydesk:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\ncopydesk:x:10001:\n' >"$root/etc/group"
cp "$script_dir/Dockerfile" "$ctx/"

log "building $image"
DOCKER_BUILDKIT=0 docker build -q --network none --build-arg "INPUTS_HASH=$hash" -t "$image" "$ctx" >/dev/null
docker run --rm --network none "$image" --version >/dev/null || die "the binary does not run in $image"
log "$image: $(docker image inspect --format '{{ .Size }}' "$image" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
