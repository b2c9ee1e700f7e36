#!/usr/bin/env bash
# `make check-deploy`: validates deploy/ offline with real validators, installed
# once into a cache from the package registries and reused after:
#   - deploy/k8s against the Kubernetes API schemas, strictly (unknown fields
#     fail), by kubernetes-validate from PyPI, which ships the schemas of each
#     Kubernetes release inside the package: nothing is fetched at check time;
#   - deploy/prometheus/alerts.yaml by Prometheus's own rule loader: by
#     promtool (`promtool check rules`) when it was built, otherwise by
#     rulecheck, our small program over Prometheus's rule parser
#     (deploy/rulecheck: model/rulefmt.ParseFile, which also parses every
#     PromQL expression and annotation template). Both are built by
#     scripts/go-tools.sh (`make go-tools` builds rulecheck, about a minute and
#     a half; promtool took over 80 minutes here and is built only on request),
#     never from here; without either the rules are reported unchecked.
#     rulecheck first has to refuse deploy/rulecheck/testdata/broken.yaml, so a
#     checker that passes everything cannot pass our rules;
#   - then deploy/check.py: what no schema says (selectors match pod labels,
#     probes and Services name declared ports, the HPA and PDBs point at a
#     workload we ship).
# env: COPYDESK_CACHE (default /var/cache/copydesk), K8S_VERSION (default 1.37.0)
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${COPYDESK_CACHE:-/var/cache/copydesk}
k8s_version=${K8S_VERSION:-1.37.0}
validate_version=1.37.0
prometheus_version=v0.316.0
venv=$cache/check-deploy-venv
gobin=$cache/go-bin

log() { printf 'check-deploy: %s\n' "$*" >&2; }
# check.py runs promtool too when it finds it on PATH.
export PATH="$gobin:$PATH"

if [[ ! -x $venv/bin/kubernetes-validate ]] || ! grep -qx "$validate_version" "$venv/.version" 2>/dev/null; then
  log "installing kubernetes-validate $validate_version (PyPI) into $venv"
  python3 -m venv "$venv" 2>/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install -q "kubernetes-validate==$validate_version" pyyaml
  echo "$validate_version" >"$venv/.version"
fi

log "Kubernetes manifests against the $k8s_version API schemas (strict)"
"$venv/bin/kubernetes-validate" --strict --quiet -k "$k8s_version" deploy/k8s/*.yaml
if [[ -x $gobin/promtool ]] && grep -qx "$prometheus_version" "$gobin/.promtool-version" 2>/dev/null; then
  log "alert rules by promtool ($prometheus_version)"
  "$gobin/promtool" check rules deploy/prometheus/alerts.yaml
elif [[ -x $gobin/rulecheck ]] && grep -qx "$prometheus_version" "$gobin/.rulecheck-version" 2>/dev/null; then
  log "alert rules by rulecheck: our checker over Prometheus's own rule parser (rulefmt, $prometheus_version)"
  if "$gobin/rulecheck" deploy/rulecheck/testdata/broken.yaml >/dev/null; then
    log "rulecheck accepted deploy/rulecheck/testdata/broken.yaml, which holds broken rules: it checks nothing"
    exit 1
  fi
  "$gobin/rulecheck" deploy/prometheus/alerts.yaml
else
  log "alert rules NOT checked: neither promtool nor rulecheck ($prometheus_version) in $gobin (build rulecheck once with \`make go-tools\`)"
fi
"$venv/bin/python" deploy/check.py
