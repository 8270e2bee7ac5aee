#!/usr/bin/env bash
# The entry script of trustsim's GitHub Action (action.yml), a file of its own so that it can be
# run and tested outside GitHub (.ci/run runs it on the examples).
#
# Reads its inputs from the environment:
#   TRUSTSIM_BIN               the trustsim binary (default: trustsim on PATH)
#   TRUSTSIM_PATHS             files, directories or glob patterns: one per line, or separated
#                              by spaces when on one line
#   TRUSTSIM_ACCOUNT           the owner's account ID
#   TRUSTSIM_TRUSTED_ACCOUNTS  accounts trusted on purpose, separated by commas or white space
#   TRUSTSIM_TRUSTED_ORG       the owner's organization ID
#   TRUSTSIM_CONFIG            a trustsim.toml
#   TRUSTSIM_FAIL_ON           exposed (default), partial or never
#   TRUSTSIM_SARIF             where to write the SARIF log (default trustsim.sarif)
# Prints the human report to the step's log, writes the SARIF log (every result, whatever the
# threshold; also when some inputs had errors), sets the step outputs `sarif-file` (empty when
# nothing could be analysed) and `exit-status` when GITHUB_OUTPUT is set, and exits with
# trustsim's status: 3 when a finding fails the run, 1 on input errors, 0 otherwise.
set -uo pipefail

bin="${TRUSTSIM_BIN:-trustsim}"
sarif="${TRUSTSIM_SARIF:-trustsim.sarif}"
fail_on="${TRUSTSIM_FAIL_ON:-exposed}"

# One path per line when the input has several lines (a path may then hold spaces); else
# separated by spaces. Nothing given is the working directory, said in the log.
given="${TRUSTSIM_PATHS-.}"
paths=()
if [[ "$given" == *$'\n'* ]]; then
    while IFS= read -r line; do
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        [ -n "$line" ] && paths+=("$line")
    done <<< "$given"
else
    read -r -a paths <<< "$given"
fi
if [ "${#paths[@]}" -eq 0 ]; then
    echo "trustsim: no paths given: analysing the working directory"
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
# the same inputs for code scanning (every result, whatever the threshold). Input errors (1)
# are reported in both and do not stop the SARIF log; a finding that fails the run (3) wins
# over them, as in `trustsim analyze`.
"$bin" "${args[@]}" --fail-on "$fail_on" --format human --color never
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ] && [ "$status" -ne 3 ]; then
    echo "trustsim: the analysis failed (exit status $status)" >&2
fi
rm -f "$sarif"
sarif_status=0
"$bin" "${args[@]}" --fail-on never --format sarif -o "$sarif" 2> /dev/null || sarif_status=$?
written=""
if [ -s "$sarif" ] && { [ "$sarif_status" -eq 0 ] || [ "$sarif_status" -eq 1 ]; }; then
    written="$sarif"
    echo "trustsim: SARIF log written to $sarif"
else
    rm -f "$sarif"
    echo "trustsim: no SARIF log: nothing was analysed (exit status $sarif_status)" >&2
    if [ "$status" -eq 0 ]; then
        status=1
    fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "sarif-file=$written"
        echo "exit-status=$status"
    } >> "$GITHUB_OUTPUT"
fi
exit "$status"
