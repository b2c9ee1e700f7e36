#!/usr/bin/env bash
# Runs chosen integration tests again and again on one build, over the real
# broker, and stops at the first failure: how the fault, rebalance and
# cluster tests are shown to pass many times in a row (a test that passes 4
# times in 5 is a failing test).
#
# The test binary and the `copydesk` binary it spawns are copied aside
# first, so a rebuild in the checkout during a long soak changes nothing:
# every run is of the same code.
#
# usage: scripts/soak.sh RUNS [FILTER...]   e.g. scripts/soak.sh 20 failures:: cluster:: exactly_once::
# env:   SOAK_THREADS (test threads per run, default 2: the suite's parallel
#        load is part of what is tested), SOAK_DIR (binaries and one log per
#        run; default target/soak)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: scripts/soak.sh RUNS [FILTER...]}
shift
threads=${SOAK_THREADS:-2}
dir=${SOAK_DIR:-${CARGO_TARGET_DIR:-target}/soak}
cargo=${CARGO:-cargo}

# Built as `make test` builds them (over the workspace: `-p` would unify
# features differently and rebuild every dependency).
$cargo build --release --locked -p copydesk
it=$($cargo test --release --locked --workspace --no-run --message-format=json \
  | grep '"name":"it"' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
test -x "$it" || { echo "soak: the integration test binary was not found" >&2; exit 1; }

mkdir -p "$dir"
cp "$it" "$dir/it"
cp "${CARGO_TARGET_DIR:-target}/release/copydesk" "$dir/copydesk"
echo "soak: $runs runs of [${*:-every test}] with $threads test threads; logs in $dir"

for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if COPYDESK_BIN="$dir/copydesk" "$dir/it" "$@" --test-threads "$threads" >"$dir/run-$i.log" 2>&1; then
    result=$(grep -E '^test result' "$dir/run-$i.log" | tail -1)
    echo "soak: run $i/$runs passed in $(($(date +%s) - start)) s (load $(cut -d' ' -f1 /proc/loadavg)): $result"
  else
    echo "soak: run $i/$runs FAILED after $((i - 1)) in a row; its log: $dir/run-$i.log" >&2
    grep -E '^(test .* FAILED|failures:|    [a-z_:]+$)' "$dir/run-$i.log" >&2 || true
    exit 1
  fi
done
echo "soak: $runs of $runs runs passed in a row"
