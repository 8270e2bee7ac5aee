#!/usr/bin/env bash
# Batch evaluation, side by side with the independent simulator @cloud-copilot/iam-simulate on
# the same requests: `trustsim eval --batch` and the differential harness
# (corpus/differential/harness.mjs) each read the same N lines {"id", "policy", "request"}
# (requests near the corpus policies' conditions, from the differential generator) and write one
# decision per line. Prints each tool's wall time for the whole process and the ratio. The
# simulator is installed from npm, pinned by the differential test's lock file, into a temporary
# folder. Needs node, npm and the network; not part of .ci/run.
#   bash benches/batch/run.sh [N]          (default 100000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/corpus/differential/package.json" "$root/corpus/differential/package-lock.json" \
  "$root/corpus/differential/harness.mjs" "$root/corpus/differential/jsonl.mjs" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
echo "iam-simulate $(node -p "require('$work/node_modules/@cloud-copilot/iam-simulate/package.json').version")"
(cd "$root" && cargo build --release -q -p trustsim-cli && cargo build --release -q -p trustsim-corpus --bin differential_cases)
"$root/target/release/differential_cases" --per-policy 400 --at-least "$n" > "$work/all.jsonl"
head -n "$n" "$work/all.jsonl" > "$work/cases.jsonl"
echo "$(wc -l < "$work/cases.jsonl") requests over $(python3 -c "import json,sys; print(len({json.dumps(json.loads(l)['policy'], sort_keys=True) for l in open(sys.argv[1])}))" "$work/cases.jsonl") distinct policies"
run() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time-$name" "$@" > "$work/out-$name.jsonl"
  read -r seconds kib < "$work/time-$name"
  echo "$name: wall $seconds s, peak memory $((kib / 1024)) MB, $(wc -l < "$work/out-$name.jsonl") answers"
}
run trustsim "$root/target/release/trustsim" eval --batch "$work/cases.jsonl"
run iam-simulate node "$work/harness.mjs" "$work/cases.jsonl"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
t = float(open(f"{w}/time-trustsim").read().split()[0])
s = float(open(f"{w}/time-iam-simulate").read().split()[0])
a = [json.loads(l) for l in open(f"{w}/out-trustsim.jsonl")]
b = [json.loads(l) for l in open(f"{w}/out-iam-simulate.jsonl")]
same = sum(1 for x, y in zip(a, b) if x.get("decision") and x.get("decision") == y.get("decision"))
print(f"trustsim is {s / t:.1f} times as fast; {same} of {len(a)} decisions agree (the differential test explains the rest)")
PY
