#!/usr/bin/env bash
# The Action's second step: `greenboard ci` with the Action's inputs
# (INPUT_*); what is not given is left to greenboard's defaults, which read
# the workflow's context (GITHUB_*).
set -euo pipefail
args=(ci --reports "$INPUT_REPORTS" --fail-on "${INPUT_FAIL_ON:-none}")
add() { [[ -z "$2" ]] || args+=("$1" "$2"); }
add --branch "${INPUT_BRANCH:-}"
add --platform "${INPUT_PLATFORM:-}"
add --commit "${INPUT_COMMIT:-}"
add --history "${INPUT_HISTORY:-}"
add --against "${INPUT_AGAINST:-}"
add --site "${INPUT_SITE:-}"
add --site-url "${INPUT_SITE_URL:-}"
add --title "${INPUT_TITLE:-}"
[[ "${INPUT_SUMMARY:-true}" == "true" ]] || args+=(--no-summary)
[[ "${INPUT_ALLOW_MISSING:-false}" != "true" ]] || args+=(--allow-missing)
exec "${GREENBOARD:-greenboard}" "${args[@]}"
