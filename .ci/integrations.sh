#!/usr/bin/env bash
# Tests of the two CI integrations, run by .ci/run after the Rust tests:
#   - the GitHub Action's entry script (action/entry.sh), run directly on the examples with the
#     debug binary, its SARIF read by the Python consumer;
#   - the pre-commit hook (.pre-commit-hooks.yaml) with `pre-commit try-repo` against scratch
#     repositories (pre-commit installs the hook with `cargo install --path .`).
# Usage: .ci/integrations.sh VENV   (a virtual environment with sarif-tools and pre-commit)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$(cd "$1" && pwd)"
bin="$root/target/debug/trustsim"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

fail() {
    echo "integrations: $*" >&2
    exit 1
}

# Runs the entry script with the given environment; prints its exit status.
action() {
    local status=0
    env TRUSTSIM_BIN="$bin" GITHUB_OUTPUT="$scratch/outputs" "$@" bash action/entry.sh \
        > "$scratch/action.log" 2>&1 || status=$?
    echo "$status"
}

echo "-- action: the examples, the accounts trusted on purpose given"
rm -f "$scratch/outputs"
status=$(action TRUSTSIM_PATHS="examples cli/tests/fixtures/terraform/handmade" \
    TRUSTSIM_ACCOUNT=111122223333 \
    TRUSTSIM_TRUSTED_ACCOUNTS="999900001111,222233334444
333344445555" \
    TRUSTSIM_SARIF="$scratch/examples.sarif")
[ "$status" = 3 ] || fail "the examples: exit status $status, expected 3: $(cat "$scratch/action.log")"
grep -q "exposed forged-service" "$scratch/action.log" || fail "the log has no finding"
grep -qx "sarif-file=$scratch/examples.sarif" "$scratch/outputs" || fail "no sarif-file output"
grep -qx "exit-status=3" "$scratch/outputs" || fail "no exit-status output"
"$venv/bin/python" .ci/sarif_consumer.py "$scratch/examples.sarif"

echo "-- action: a fixed role passes; --fail-on never passes"
status=$(action TRUSTSIM_PATHS=examples/eventbridge-role-fixed.json TRUSTSIM_ACCOUNT=111122223333 \
    TRUSTSIM_SARIF="$scratch/fixed.sarif")
[ "$status" = 0 ] || fail "the fixed role: exit status $status: $(cat "$scratch/action.log")"
[ -s "$scratch/fixed.sarif" ] || fail "no SARIF log for the fixed role"
status=$(action TRUSTSIM_PATHS=examples TRUSTSIM_FAIL_ON=never TRUSTSIM_SARIF="$scratch/never.sarif")
[ "$status" = 0 ] || fail "--fail-on never: exit status $status"

echo "-- action: a bad account is an input error, and no SARIF log is written"
rm -f "$scratch/outputs"
status=$(action TRUSTSIM_PATHS=examples TRUSTSIM_ACCOUNT=1234 TRUSTSIM_SARIF="$scratch/bad.sarif")
[ "$status" = 1 ] || fail "a bad account: exit status $status"
grep -q "is not a 12-digit account ID" "$scratch/action.log" || fail "no reason for the bad account"
[ ! -e "$scratch/bad.sarif" ] || fail "a SARIF log for a failed run"
grep -qx "exit-status=1" "$scratch/outputs" || fail "no exit-status output on an input error"
grep -qx "sarif-file=" "$scratch/outputs" || fail "a sarif-file output without a log"

echo "-- action: an input error and a finding: 3, with the SARIF log; paths one per line keep their spaces"
mkdir -p "$scratch/my dir"
cp examples/eventbridge-role.json "$scratch/my dir/event role.json"
rm -f "$scratch/outputs"
status=$(action TRUSTSIM_PATHS="$scratch/no-such.json
$scratch/my dir/event role.json" TRUSTSIM_SARIF="$scratch/mixed.sarif")
[ "$status" = 3 ] || fail "an input error and a finding: exit status $status: $(cat "$scratch/action.log")"
grep -q "no-such.json: no such file or directory" "$scratch/action.log" || fail "the input error is not shown"
[ -s "$scratch/mixed.sarif" ] || fail "no SARIF log beside an input error"
grep -qx "exit-status=3" "$scratch/outputs" || fail "no exit-status=3 output"

echo "-- pre-commit: try-repo on scratch repositories"
# pre-commit builds the hook with `cargo install` (the release profile); without optimisation
# here, to keep CI short.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false
export PRE_COMMIT_HOME="$scratch/pre-commit-home"
repo() {
    rm -rf "$scratch/repo" && mkdir "$scratch/repo" && cd "$scratch/repo"
    git init -q && git config user.email ci@example.invalid && git config user.name ci
}
# The first scenario with try-repo; the others with a .pre-commit-config.yaml naming this
# commit, so that the hook is installed once more, not once per scenario (try-repo installs
# into a store of its own each time).
try_hook() {
    local status=0
    "$venv/bin/pre-commit" try-repo "$root" trustsim --all-files > "$scratch/hook.log" 2>&1 || status=$?
    echo "$status"
}
run_hook() {
    local status=0
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: trustsim\n' \
        "$root" "$(git -C "$root" rev-parse HEAD)" > .pre-commit-config.yaml
    git add .pre-commit-config.yaml
    "$venv/bin/pre-commit" run --all-files > "$scratch/hook.log" 2>&1 || status=$?
    echo "$status"
}
repo
cp "$root/examples/eventbridge-role.json" role.json
echo '{"name": "app", "version": "1.0.0"}' > package.json
git add .
status=$(try_hook)
[ "$status" = 1 ] || fail "an open role: pre-commit exit status $status: $(cat "$scratch/hook.log")"
grep -q "exit code: 3" "$scratch/hook.log" || fail "the hook did not fail with 3: $(cat "$scratch/hook.log")"
grep -q "exposed forged-service" "$scratch/hook.log" || fail "the hook shows no finding"
grep -q "package.json: skipped" "$scratch/hook.log" || fail "package.json was not passed over"

repo
cp "$root/examples/eventbridge-role-fixed.json" role.json
cp "$root/examples/eventbridge-template-fixed.yaml" template.yaml
echo '{"name": "app"}' > package.json
git add .
status=$(run_hook)
[ "$status" = 0 ] || fail "fixed roles: pre-commit exit status $status: $(cat "$scratch/hook.log")"
grep -q "Passed" "$scratch/hook.log" || fail "the hook did not pass: $(cat "$scratch/hook.log")"

repo
echo '{"name": "app"}' > package.json
printf 'a: 1\n' > settings.yaml
git add .
status=$(run_hook)
[ "$status" = 0 ] || fail "no roles at all: pre-commit exit status $status: $(cat "$scratch/hook.log")"
echo "integrations: ok"
