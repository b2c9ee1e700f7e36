#!/usr/bin/env bash
# Builds the Go tools the benchmarks and checks use, from the Go module proxy,
# once, into a cache that `make`, the benchmarks and CI reuse:
#   ghz       the gRPC load generator of `make bench-lookup`;
#   rulecheck our own rule checker over Prometheus's rule parser
#             (deploy/rulecheck: model/rulefmt.ParseFile, which validates the
#             PromQL and templates too), for `make check-deploy`; it builds
#             only the parser's part of the Prometheus module;
#   promtool  Prometheus's own CLI (`promtool check rules`), which check-deploy
#             prefers when present; a large module that pulls in every
#             service-discovery SDK: it did not finish in 80 minutes on two
#             busy shared cores, so `make go-tools` no longer builds it.
# Nothing in `make test` depends on them.
#
# usage: scripts/go-tools.sh ghz|rulecheck|promtool...
# env: COPYDESK_CACHE (default /var/cache/copydesk; tools in $COPYDESK_CACHE/go-bin),
#      GO_TOOLS_JOBS (go build -p; default 1, to stay light on a shared machine)
set -euo pipefail

cache=${COPYDESK_CACHE:-/var/cache/copydesk}
gobin=$cache/go-bin
jobs=${GO_TOOLS_JOBS:-1}
export PATH="/usr/local/go/bin:$PATH"

# The versions are pinned: `go install` leaves none in the binary, so a
# stamp beside each says which one it is.
module_of() {
  case $1 in
    ghz) echo github.com/bojand/ghz/cmd/ghz@v0.93.0 ;;
    promtool) echo github.com/prometheus/prometheus/cmd/promtool@v0.316.0 ;;
    *) echo "go-tools: unknown tool $1 (ghz, rulecheck or promtool)" >&2; return 64 ;;
  esac
}

log() { printf 'go-tools: %s\n' "$*" >&2; }

command -v go >/dev/null || { log "no Go toolchain (go) on PATH"; exit 1; }
[[ $# -gt 0 ]] || { log "usage: $0 ghz|rulecheck|promtool..."; exit 64; }

# rulecheck is a module of ours (deploy/rulecheck), pinned by its go.mod and
# go.sum; its stamp is the Prometheus version it was built against.
rulecheck_dir=$(cd "$(dirname "$0")/../deploy/rulecheck" && pwd)
rulecheck_version() { awk '$1 == "github.com/prometheus/prometheus" { print $2 }' "$rulecheck_dir/go.mod"; }

for tool in "$@"; do
  if [[ $tool == rulecheck ]]; then
    version=$(rulecheck_version)
    if [[ -x $gobin/rulecheck ]] && grep -qx "$version" "$gobin/.rulecheck-version" 2>/dev/null; then
      continue
    fi
    log "building rulecheck (Prometheus $version rule parser) into $gobin (once; low priority)"
    mkdir -p "$gobin"
    started=$SECONDS
    (cd "$rulecheck_dir" && GOFLAGS="${GOFLAGS:-} -p=$jobs -mod=readonly" nice -n 19 \
      go build -trimpath -o "$gobin/rulecheck" .)
    echo "$version" >"$gobin/.rulecheck-version"
    log "rulecheck built in $((SECONDS - started)) s"
    continue
  fi
  module=$(module_of "$tool")
  version=${module##*@}
  if [[ -x $gobin/$tool ]] && grep -qx "$version" "$gobin/.$tool-version" 2>/dev/null; then
    continue
  fi
  log "building $tool from $module into $gobin (once; low priority)"
  mkdir -p "$gobin"
  started=$SECONDS
  # -trimpath: no build paths in the binary; -p: few compilers at a time.
  GOBIN=$gobin GOFLAGS="${GOFLAGS:-} -p=$jobs" nice -n 19 go install -trimpath "$module"
  echo "$version" >"$gobin/.$tool-version"
  log "$tool built in $((SECONDS - started)) s"
done
