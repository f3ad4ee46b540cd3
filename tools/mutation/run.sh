#!/usr/bin/env bash
# npm run test:mutation [-- <stryker run flags, e.g. --mutate policy/rules/**/*.ts>]: StrykerJS over components/ and
# policy/rules/ (tools/mutation/stryker.config.mjs). Stryker lives in this folder's own node_modules, apart from the
# project's packages, so `npm ci` at the root stays as it is; see docs/mutation-testing.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$here" --no-audit --no-fund
fi
node "$here/mocha12-shim.mjs"
# WEBSTACK_MUTATION_TIME_LIMIT (a `timeout` duration, e.g. 330m): stop Stryker then. On SIGTERM it saves the results so
# far in its incremental file, so the next run goes on from there (the weekly workflow's 6-hour job limit).
limit="${WEBSTACK_MUTATION_TIME_LIMIT:-}"
stryker=("$here/node_modules/.bin/stryker" run "$here/stryker.config.mjs" "$@")
if [ -n "$limit" ]; then
  stryker=(timeout --signal=TERM --kill-after=5m "$limit" "${stryker[@]}")
fi
status=0
"${stryker[@]}" || status=$?
if [ "$status" -eq 124 ]; then
  echo "test:mutation: stopped after WEBSTACK_MUTATION_TIME_LIMIT=$limit; the next run goes on from the saved results. So far:" >&2
  node -r ts-node/register/transpile-only "$here/summary.ts" --partial
  exit 124
fi
[ "$status" -eq 0 ] || exit "$status"
node -r ts-node/register/transpile-only "$here/summary.ts"
