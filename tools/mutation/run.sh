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
"$here/node_modules/.bin/stryker" run "$here/stryker.config.mjs" "$@"
node -r ts-node/register/transpile-only "$here/summary.ts"
