#!/usr/bin/env bash
# Scale benchmark: `trustsim analyze` on a realistic `aws iam get-account-authorization-details`
# export (benches/scale/export.py: the role mix of an account, pretty-printed as the AWS CLI
# writes it) of N roles and of N/10 roles; prints wall time, peak memory and the N to N/10 time
# ratio (10 when time is linear in the number of roles). Not part of .ci/run.
#   bash benches/scale/run.sh [N]        (default 10000; the goals are for 10,000 and 100,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-10000}"
small=$((n / 10))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p trustsim-cli
declare -A wall
for size in "$small" "$n"; do
  python3 benches/scale/export.py "$size" "$work/export-$size.json"
  /usr/bin/time -f "%e %M" -o "$work/time-$size" ./target/release/trustsim analyze \
    "$work/export-$size.json" --format json --fail-on never > "$work/report-$size.json"
  read -r seconds kib < "$work/time-$size"
  wall[$size]=$seconds
  python3 - "$size" "$seconds" "$kib" "$work/export-$size.json" "$work/report-$size.json" <<'PY'
import json, os, sys
size, seconds, kib, export, report = sys.argv[1:]
d = json.load(open(report))
assert len(d["roles"]) == int(size) and not d["errors"], "every role analysed, no error"
s = d["summary"]
print(f"{int(size):>7} roles ({os.path.getsize(export) / 1e6:.1f} MB export): wall {float(seconds):.2f} s, "
      f"peak memory {int(kib) / 1024:.0f} MB; findings {s['findings']}, below threshold "
      f"{s['below_threshold']}, informational {s['informational']}")
PY
done
python3 -c "import sys; print(f'ratio {sys.argv[2]}/{sys.argv[1]} roles: {float(sys.argv[4]) / float(sys.argv[3]):.1f}')" \
  "$small" "$n" "${wall[$small]}" "${wall[$n]}"
