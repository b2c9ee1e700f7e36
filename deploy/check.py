"""Offline checks of deploy/k8s and deploy/prometheus (make deploy-check).

No Kubernetes API schemas can be fetched here, so the manifests are checked
structurally: known kinds and API versions, names, selectors that match their
pod templates, probes and Services that name declared ports, autoscalers and
disruption budgets that point at a workload we ship. The alert rules are
checked by promtool or by rulecheck (our program over Prometheus's rule
parser, deploy/rulecheck) when one is on PATH, and structurally otherwise.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
KINDS = {
    ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("v1", "Service"), ("v1", "ConfigMap"),
    ("policy/v1", "PodDisruptionBudget"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
}
problems = []


def check(ok, where, what):
    if not ok:
        problems.append(f"{where}: {what}")


def workloads(docs):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] in ("Deployment", "StatefulSet")}


def check_workload(doc, where):
    spec = doc["spec"]
    template = spec["template"]
    labels = template["metadata"].get("labels", {})
    selector = spec["selector"]["matchLabels"]
    check(all(labels.get(k) == v for k, v in selector.items()), where, "selector does not match the pod labels")
    containers = template["spec"]["containers"]
    check(len(containers) > 0, where, "no containers")
    for c in containers:
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            p = c.get(probe)
            if not p:
                continue
            handlers = [h for h in ("httpGet", "grpc", "tcpSocket", "exec") if h in p]
            check(len(handlers) == 1, where, f"{probe} needs exactly one handler")
            port = (p.get("httpGet") or p.get("grpc") or p.get("tcpSocket") or {}).get("port")
            if port is not None:
                check(port in ports or port in ports.values(), where, f"{probe} port {port} is not declared")
        res = c.get("resources", {})
        check("requests" in res, where, f"container {c['name']} has no resource requests")
        check(c.get("image"), where, f"container {c['name']} has no image")
    if doc["kind"] == "StatefulSet":
        check(spec.get("serviceName"), where, "StatefulSet without serviceName")
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        for c in containers:
            for m in c.get("volumeMounts", []):
                check(m["name"] in claims, where, f"volume {m['name']} has no claim template")


def check_k8s():
    docs = []
    for path in sorted((HERE / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                doc["_file"] = path.name
                docs.append(doc)
    shipped = workloads(docs)
    for doc in docs:
        where = f"{doc['_file']} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        check((doc.get("apiVersion"), doc.get("kind")) in KINDS, where, "unknown apiVersion/kind")
        check(doc.get("metadata", {}).get("name"), where, "no metadata.name")
        kind = doc.get("kind")
        if kind in ("Deployment", "StatefulSet"):
            check_workload(doc, where)
        elif kind == "Service":
            pods = [w for w in shipped.values() if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v
                                                       for k, v in doc["spec"]["selector"].items())]
            check(pods, where, "selects no workload we ship")
            for w in pods:
                names = {p["name"] for c in w["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
                for p in doc["spec"]["ports"]:
                    check(p.get("targetPort") in names, where, f"targetPort {p.get('targetPort')} not declared")
        elif kind == "HorizontalPodAutoscaler":
            ref = doc["spec"]["scaleTargetRef"]
            check(ref["name"] in shipped and shipped[ref["name"]]["kind"] == ref["kind"], where, "scales no workload")
            check(doc["spec"]["minReplicas"] <= doc["spec"]["maxReplicas"], where, "minReplicas > maxReplicas")
        elif kind == "PodDisruptionBudget":
            sel = doc["spec"]["selector"]["matchLabels"]
            check(any(all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())
                      for w in shipped.values()), where, "covers no workload")
            check(("minAvailable" in doc["spec"]) != ("maxUnavailable" in doc["spec"]), where,
                  "needs exactly one of minAvailable and maxUnavailable")
    return len(docs)


def check_rules():
    path = HERE / "prometheus" / "alerts.yaml"
    promtool = shutil.which("promtool")
    if promtool:
        run = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
        check(run.returncode == 0, path.name, run.stdout + run.stderr)
        return "promtool"
    # Our checker over Prometheus's own rule parser (deploy/rulecheck).
    rulecheck = shutil.which("rulecheck")
    if rulecheck:
        run = subprocess.run([rulecheck, str(path)], capture_output=True, text=True)
        check(run.returncode == 0, path.name, run.stdout + run.stderr)
        return "rulecheck (Prometheus's rule parser)"
    for group in yaml.safe_load(path.read_text())["groups"]:
        for rule in group["rules"]:
            where = f"{path.name} {rule.get('alert')}"
            check(rule.get("alert") and rule.get("expr"), where, "alert needs a name and an expr")
            check(rule["expr"].count("(") == rule["expr"].count(")"), where, "unbalanced parentheses")
    return "structure only (no promtool on PATH)"


if __name__ == "__main__":
    n = check_k8s()
    how = check_rules()
    for p in problems:
        print(p, file=sys.stderr)
    print(f"deploy-check: {n} Kubernetes objects, alert rules by {how}: {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)
