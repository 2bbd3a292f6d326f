#!/usr/bin/env bash
# The operator end to end on this machine, nothing from outside:
#   a local control plane (etcd, kube-apiserver, kube-controller-manager), the CRD and deploy/'s RBAC,
#   moto's S3 server holding the shipped sample logs in CloudTrail's delivery layout,
#   `policygen operator` in the background under deploy/'s ServiceAccount, and
#   examples/policygeneration.yaml applied, waited for, and read back, then
#   examples/clusterrightsizing.yaml over two sample namespaces, ending with the fleet table.
#
#   bash examples/demo.sh          run it; everything it started stops when it exits
#   KEEP=1 bash examples/demo.sh   leave it all running to look around (KUBECONFIG is printed)
#   bash examples/demo.sh down     stop whatever a demo left running
#
# Everything lives in .demo/ (its own control plane state, logs, pids), apart from `make cluster-up`'s .cluster/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
state="$root/.demo"
py="$root/.venv/bin/python"
namespace=policygen-demo
s3_port="${DEMO_S3_PORT:-4566}"
bucket=example-trail

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

stop_pid() {  # stop a process we started, by the pid we recorded
  local file="$state/$1.pid"
  [[ -f "$file" ]] || return 0
  local pid
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

down() {
  stop_pid operator
  stop_pid moto
  if [[ -x "$py" && -d "$state/cluster" ]]; then
    "$py" -m tests.controlplane.cluster down --state-dir "$state/cluster" >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
}

if [[ "${1:-}" == "down" ]]; then
  down
  echo "demo: stopped"
  exit 0
fi

# A fresh machine: build what is missing (the Makefile's `demo` target has done it already).
bin="${POLICYGEN_BIN_DIR:-$root/.cache/bin}"  # where `make controlplane` puts kubectl, helm and the rest
if [[ ! -x "$root/.venv/bin/policygen" || ! -x "$bin/kube-apiserver" ]]; then
  say "building what is missing (make install controlplane)"
  make -C "$root" install controlplane
fi
kubectl="$bin/kubectl"

down  # a previous demo's leftovers
mkdir -p "$state"
if [[ -z "${KEEP:-}" ]]; then
  # Also on Ctrl-C, a kill, or a closed pipe (`make demo | head`): the EXIT trap runs on the way out.
  trap 'status=$?; trap "" PIPE; say "cleaning up" || true; down; exit $status' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  trap 'exit 141' PIPE
fi

say "starting a local control plane"
"$py" -m tests.controlplane.cluster up --state-dir "$state/cluster"
export KUBECONFIG="$state/cluster/kubeconfig"
k() { "$kubectl" "$@"; }

say "installing the CRD, the ServiceAccount and its RBAC (kubectl apply -k deploy/)"
k apply --server-side -k deploy/ >/dev/null
k wait --for=condition=Established --timeout=60s crd/policygenerations.policygen.io \
  crd/clustercloudtrailsources.policygen.io
echo "(deploy/'s Deployment stays pending: this control plane has no nodes. The operator runs below as a local"
echo " process with the same ServiceAccount's token, so it has exactly the RBAC deploy/ grants.)"
k create namespace "$namespace" --dry-run=client -o yaml | k apply -f - >/dev/null
say "letting the operator into $namespace, as an admin adds a team namespace (docs/operator.md, RBAC)"
k kustomize deploy/watch-namespace | k apply -n "$namespace" -f - >/dev/null
operator_kubeconfig="$("$py" - "$state/cluster" <<'EOF'
import sys
from pathlib import Path
from tests.controlplane.cluster import ControlPlane
print(ControlPlane(state_dir=Path(sys.argv[1])).serviceaccount_kubeconfig("policygen-system", "policygen-operator"))
EOF
)"

say "starting moto's S3 server on 127.0.0.1:$s3_port with the sample logs in the delivery layout"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
"$root/.venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$state/moto.log" 2>&1 &
echo $! >"$state/moto.pid"
"$py" - "$s3_port" "$bucket" <<'EOF'
import sys, time
from pathlib import Path
import boto3

port, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
for _ in range(100):
    try:
        s3.list_buckets()
        break
    except Exception:
        time.sleep(0.1)
s3.create_bucket(Bucket=bucket)
root = Path("examples/cloudtrail")
keys = [p for p in sorted((root / "AWSLogs").rglob("*")) if p.is_file()]
for path in keys:
    s3.upload_file(str(path), bucket, path.relative_to(root).as_posix())
print(f"s3://{bucket}: {len(keys)} delivery files, e.g. {keys[0].relative_to(root).as_posix()}")
EOF

say "starting the operator (policygen operator --namespace $namespace), log in .demo/operator.log"
liveness_port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
metrics_port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
KUBECONFIG="$operator_kubeconfig" POLICYGEN_LOG_FORMAT=text POLICYGEN_PROGRESS_INTERVAL=1 \
  POLICYGEN_AWS_ENDPOINT_URL="http://127.0.0.1:$s3_port" POLICYGEN_AWS_REGION=us-east-1 \
  POLICYGEN_RIGHTSIZING_INTERVAL=2 \
  "$root/.venv/bin/policygen" operator --namespace "$namespace" \
  --liveness "http://127.0.0.1:$liveness_port/healthz" --metrics-port "$metrics_port" \
  >"$state/operator.log" 2>&1 &
echo $! >"$state/operator.pid"
for _ in $(seq 150); do
  # Python, not curl: the README promises Python and Go, nothing else.
  "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$liveness_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$(cat "$state/operator.pid")" 2>/dev/null || { tail -30 "$state/operator.log"; exit 1; }
  sleep 0.2
done
echo "liveness: http://127.0.0.1:$liveness_port/healthz  metrics: http://127.0.0.1:$metrics_port/metrics"

say "kubectl apply -f examples/policygeneration.yaml: the admin's ClusterCloudTrailSource (endpointURL pointed at this demo's moto) and the team's PolicyGeneration naming it"
sed "s#http://127.0.0.1:4566#http://127.0.0.1:$s3_port#" examples/policygeneration.yaml | k apply -f -
if ! k -n "$namespace" wait pgen/order-processor --for=condition=Ready --timeout=180s; then
  k -n "$namespace" get pgen order-processor -o yaml
  tail -40 "$state/operator.log"
  exit 1
fi

say "status.conditions"
k -n "$namespace" get pgen order-processor \
  -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'
say "status.lastRun"
k -n "$namespace" get pgen order-processor -o jsonpath='{.status.lastRun}{"\n"}'
say "the policy from status (.status.policy.document)"
k -n "$namespace" get pgen order-processor -o jsonpath='{.status.policy.document}'
say "the policy from the ConfigMap (order-processor-policy, key policy.json)"
k -n "$namespace" get configmap order-processor-policy -o jsonpath='{.data.policy\.json}'
say "kubectl get pgen"
k -n "$namespace" get pgen
say "events"
k -n "$namespace" get events --field-selector involvedObject.name=order-processor \
  -o custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message

say "rightsizing: two namespaces whose ServiceAccounts run as IAM roles (one role shared), roles in moto's IAM"
for ns in team-a team-b; do
  k create namespace "$ns" --dry-run=client -o yaml | k apply -f - >/dev/null
  k label namespace "$ns" rightsizing=demo --overwrite >/dev/null
done
k -n team-a create serviceaccount orders --dry-run=client -o yaml | k apply -f - >/dev/null
k -n team-b create serviceaccount orders-replica --dry-run=client -o yaml | k apply -f - >/dev/null
k -n team-b create serviceaccount deployer --dry-run=client -o yaml | k apply -f - >/dev/null
k -n team-a annotate serviceaccount orders --overwrite \
  eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/service-role/order-processor >/dev/null
k -n team-b annotate serviceaccount orders-replica --overwrite \
  eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/service-role/order-processor >/dev/null
k -n team-b annotate serviceaccount deployer --overwrite \
  eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/ci-deployer >/dev/null
"$py" - "$s3_port" <<'EOF'
import json, sys
import boto3

iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
def doc(*actions):
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement] if actions else []})
iam.create_role(RoleName="order-processor", Path="/service-role/", AssumeRolePolicyDocument=doc())
iam.put_role_policy(RoleName="order-processor", PolicyName="app",
                    PolicyDocument=doc("s3:*", "sqs:*", "dynamodb:*", "kms:Decrypt"))
iam.create_role(RoleName="ci-deployer", AssumeRolePolicyDocument=doc())
iam.put_role_policy(RoleName="ci-deployer", PolicyName="deploy",
                    PolicyDocument=doc("cloudformation:*", "lambda:*", "iam:PassRole", "iam:GetRole"))
print("order-processor: s3:*, sqs:*, dynamodb:*, kms:Decrypt; ci-deployer: cloudformation:*, lambda:*, iam:PassRole, iam:GetRole")
EOF

say "kubectl apply -f examples/clusterrightsizing.yaml: one scan for every role, one child per role"
sed "s#http://127.0.0.1:4566#http://127.0.0.1:$s3_port#" examples/clusterrightsizing.yaml | k apply -f -
if ! k wait clusterrightsizing/fleet --for=condition=Ready --timeout=180s; then
  k get clusterrightsizing fleet -o yaml
  tail -40 "$state/operator.log"
  exit 1
fi
say "the children (kubectl get pgen -n $namespace -l policygen.io/rightsizing=fleet -o wide)"
k -n "$namespace" get pgen -l policygen.io/rightsizing=fleet -o wide
say "the fleet table (kubectl get clusterrightsizings)"
k get clusterrightsizings

if [[ -n "${KEEP:-}" ]]; then
  # What a shell needs to look around: this control plane's kubeconfig, and the kubectl built for it (a fresh
  # machine has no other), in the namespace the demo used (a bare `kubectl get pgen` looks in `default`).
  say "still running (KEEP=1); look around in another shell with the lines below; stop it all with: make demo-down"
  echo "export KUBECONFIG=$KUBECONFIG"
  echo "export PATH=$bin:\$PATH"
  echo "kubectl -n $namespace get pgen,configmaps"
  echo "kubectl get clusterrightsizings"
fi
