#!/usr/bin/env bash
# Differential test of trustsim against an independent IAM simulator (docs/differential.md).
#
#   bash corpus/differential/run.sh
#
# 1. installs the pinned simulator, @cloud-copilot/iam-simulate (`npm ci`: needs the network
#    the first time, so this script is not part of .ci/run);
# 2. builds trustsim and the request generator (`cargo build --release`);
# 3. generates requests near every corpus policy's conditions (at least 5,000 lines, about 20
#    per policy, the same lines on every run) into out/cases.jsonl;
# 4. evaluates every line with `trustsim eval --batch` and with harness.mjs (iam-simulate);
# 5. prints the agreement rate and writes every disagreement to out/disagreements.jsonl;
# 6. checks the minimal reproduction of every cause (minimal.jsonl) against the simulator;
# 7. lists the corpus policies that one tool rejects and the other evaluates.
#
# Environment: MIN_CASES (default 5000), PER_POLICY (default 20), OUT_DIR (default
# corpus/differential/out); for local exploration only,
# GENERATED=N (N arbitrary policies from the property-testing kit instead of corpus/policies) or
# POLICIES_JSONL=FILE (a file of {"id", "policy"} lines).
#
# To rebuild the committed regression set from a deep corpus run (its first requests per policy
# are those of the default run, so it contains that run):
#   PER_POLICY=300 OUT_DIR=corpus/differential/out/deep bash corpus/differential/run.sh
#   node corpus/differential/regression.mjs corpus/differential/out/deep > corpus/differential/cases.jsonl
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT_DIR:-$here/out}"
mkdir -p "$out"

echo "== simulator" >&2
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
echo "iam-simulate $(node -p "require('$here/node_modules/@cloud-copilot/iam-simulate/package.json').version")"

echo "== build" >&2
(cd "$root" && cargo build --release -p trustsim-cli)
(cd "$root" && cargo build --release -p trustsim-corpus --bin differential_cases)

echo "== generate" >&2
source_args=()
if [[ -n "${POLICIES_JSONL:-}" ]]; then
  source_args=(--jsonl "$POLICIES_JSONL")
elif [[ -n "${GENERATED:-}" ]]; then
  source_args=(--generated "$GENERATED")
fi
"$root/target/release/differential_cases" --per-policy "${PER_POLICY:-20}" \
  --at-least "${MIN_CASES:-5000}" "${source_args[@]}" >"$out/cases.jsonl"
echo "$(wc -l <"$out/cases.jsonl") cases" >&2

echo "== evaluate" >&2
"$root/target/release/trustsim" eval --batch "$out/cases.jsonl" >"$out/trustsim.jsonl"
node "$here/harness.mjs" "$out/cases.jsonl" >"$out/other.jsonl"

echo "== compare" >&2
node "$here/compare.mjs" "$out/cases.jsonl" "$out/trustsim.jsonl" "$out/other.jsonl" "$out"
node "$here/check-minimal.mjs"
node "$here/validity.mjs" "$root/target/release/trustsim"
