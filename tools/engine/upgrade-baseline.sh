#!/usr/bin/env bash
# Freezes the program as it was at <commit> as the baseline of the upgrade test (test/engine/upgrade.test.ts): its
# index.ts, components/, the policy/ modules the components compile in and its stack files, as a tarball in
# test/engine/fixtures/upgrade-baseline/ with baseline.json naming the commit and why it was chosen. The test
# deploys that program and previews the current one against its state: no replacement, no deletion.
# Refresh it only deliberately (a release users have deployed; an accepted change listed in the test), and say why
# in the commit message. A tarball rather than `git show` at test time: CI's checkout may not carry the history.
#   usage: tools/engine/upgrade-baseline.sh <commit> "<reason>"
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
commit="${1:?usage: tools/engine/upgrade-baseline.sh <commit> \"<reason>\"}"
reason="${2:?give the reason this commit is the baseline}"
sha="$(git -C "$root" rev-parse --verify --quiet "$commit^{commit}")" || {
  echo "tools/engine/upgrade-baseline.sh: $commit is not a commit of this repository" >&2
  exit 2
}
out="$root/test/engine/fixtures/upgrade-baseline"
mkdir -p "$out"
rm -f "$out"/*.tar.gz
git -C "$root" archive --format=tar "$sha" index.ts Pulumi.yaml Pulumi.dev.yaml Pulumi.qa.yaml components \
  policy/facts.ts policy/did-you-mean.ts | gzip -9n > "$out/program.tar.gz"
node -e 'const [commit, reason, date] = process.argv.slice(1);
  process.stdout.write(JSON.stringify({ commit, date, reason }, null, 2) + "\n");' \
  "$sha" "$reason" "$(git -C "$root" show -s --format=%cs "$sha")" > "$out/baseline.json"
echo "tools/engine/upgrade-baseline.sh: baseline is ${sha:0:12} ($(wc -c < "$out/program.tar.gz") bytes)" >&2
