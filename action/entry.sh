#!/usr/bin/env bash
# The entry script of trustsim's GitHub Action (action.yml), a file of its own so that it can be
# run and tested outside GitHub (.ci/run runs it on the examples).
#
# Reads its inputs from the environment:
#   TRUSTSIM_BIN               the trustsim binary (default: trustsim on PATH)
#   TRUSTSIM_PATHS             files, directories or glob patterns, separated by white space
#   TRUSTSIM_ACCOUNT           the owner's account ID
#   TRUSTSIM_TRUSTED_ACCOUNTS  accounts trusted on purpose, separated by commas or white space
#   TRUSTSIM_TRUSTED_ORG       the owner's organization ID
#   TRUSTSIM_CONFIG            a trustsim.toml
#   TRUSTSIM_FAIL_ON           exposed (default), partial or never
#   TRUSTSIM_SARIF             where to write the SARIF log (default trustsim.sarif)
# Prints the human report to the step's log, writes the SARIF log (every result, whatever the
# threshold), sets the step outputs `sarif-file` and `exit-status` when GITHUB_OUTPUT is set,
# and exits with trustsim's status: 3 when a finding fails the run, 1 on input errors, 0
# otherwise.
set -uo pipefail

bin="${TRUSTSIM_BIN:-trustsim}"
sarif="${TRUSTSIM_SARIF:-trustsim.sarif}"
fail_on="${TRUSTSIM_FAIL_ON:-exposed}"

read -r -a paths <<< "$(printf '%s' "${TRUSTSIM_PATHS:-.}" | tr '\n' ' ')"
if [ "${#paths[@]}" -eq 0 ]; then
    paths=(.)
fi
args=(analyze "${paths[@]}")
if [ -n "${TRUSTSIM_ACCOUNT:-}" ]; then
    args+=(--account "$TRUSTSIM_ACCOUNT")
fi
for a in $(printf '%s' "${TRUSTSIM_TRUSTED_ACCOUNTS:-}" | tr ',\n' '  '); do
    args+=(--trusted-account "$a")
done
if [ -n "${TRUSTSIM_TRUSTED_ORG:-}" ]; then
    args+=(--trusted-org "$TRUSTSIM_TRUSTED_ORG")
fi
if [ -n "${TRUSTSIM_CONFIG:-}" ]; then
    args+=(--config "$TRUSTSIM_CONFIG")
fi

# The report for the log, with the status that passes or fails the step; then the SARIF log of
# the same inputs for code scanning (every result, whatever the threshold).
"$bin" "${args[@]}" --fail-on "$fail_on" --format human --color never
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "trustsim: the analysis failed (exit status $status)" >&2
    exit "$status"
fi
if ! "$bin" "${args[@]}" --fail-on never --format sarif -o "$sarif" 2> /dev/null; then
    echo "trustsim: could not write the SARIF log $sarif" >&2
    exit 1
fi
echo "trustsim: SARIF log written to $sarif"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "sarif-file=$sarif"
        echo "exit-status=$status"
    } >> "$GITHUB_OUTPUT"
fi
exit "$status"
