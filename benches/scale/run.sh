#!/usr/bin/env bash
# Scale benchmark: analyse a generated `aws iam get-account-authorization-details` export with
# N roles (default 10000) and report wall time and peak memory. Not part of .ci/run.
#   bash benches/scale/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$n" "$work/export.json" <<'PY'
import json, sys, urllib.parse
n, out = int(sys.argv[1]), sys.argv[2]
shapes = [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:SourceAccount": "777788889999"}}},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"sts:ExternalId": "vendor-0042"}}},
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::777788889999:oidc-provider/token.actions.githubusercontent.com"},
     "Action": "sts:AssumeRoleWithWebIdentity",
     "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}},
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"AWS": "777788889999"}, "Action": "sts:AssumeRole",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
]
roles = []
for i in range(n):
    doc = {"Version": "2012-10-17", "Statement": [shapes[i % len(shapes)]]}
    text = json.dumps(doc)
    roles.append({"RoleName": f"role-{i}", "Arn": f"arn:aws:iam::777788889999:role/role-{i}", "Path": "/",
                  "AssumeRolePolicyDocument": urllib.parse.quote(text, safe="") if i % 2 else doc})
json.dump({"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []}, open(out, "w"))
PY
cargo build --release -q -p trustsim-cli
echo "roles: $n ($(du -h "$work/export.json" | cut -f1) export)"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "wall %e s, peak memory %M KiB" ./target/release/trustsim analyze "$work/export.json" --format json --fail-on never > "$work/report.json"
else
  time ./target/release/trustsim analyze "$work/export.json" --format json --fail-on never > "$work/report.json"
fi
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('roles analysed:', len(d['roles']), 'errors:', len(d['errors']))" "$work/report.json"
