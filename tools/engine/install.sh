#!/usr/bin/env bash
# Builds the Pulumi engine tools from their published Go modules (no binary is downloaded from anywhere) and
# installs them into the checkout's git-ignored .engine/:
#   .engine/bin/pulumi                        the Pulumi CLI (github.com/pulumi/pulumi/pkg/v3 cmd/pulumi)
#   .engine/bin/pulumi-resource-kubernetes    the kubernetes provider (github.com/pulumi/pulumi-kubernetes/provider/v4)
#   .engine/home/                             PULUMI_HOME; the provider is also registered there under its own version
#   .engine/policy-pack/webstack              starts policy/ as an executable analyzer (see below)
#   .engine/env.sh                            `source .engine/env.sh` puts all of it on PATH with its PULUMI_* variables
# Builds are cached outside the checkout, keyed by versions: $WEBSTACK_TOOL_CACHE/engine/<name>-<version>/ (a rebuild
# happens only when the version, the wrapper's go.sum or the Go version changes), so a warm run takes seconds.
# Go's module and build caches stay at Go's defaults (go env GOMODCACHE GOCACHE).
#   usage: tools/engine/install.sh     (npm run engine:install)
#   env:   WEBSTACK_TOOL_CACHE (default ~/.cache/webstack-tools)
# Not built, because the Go module proxy refuses the modules (see docs/engine.md): the Node.js language host
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), the random and docker providers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${WEBSTACK_TOOL_CACHE:-$HOME/.cache/webstack-tools}/engine"

# The CLI: pkg/v3 3.270.0 (the @pulumi/pulumi version in package.json) is not served; 3.274.1 is the nearest.
PULUMI_VERSION=3.274.1
# Provider module pseudo-version of the commit tagged v4.25.0 (the only one served; tags live at the repo root).
KUBERNETES_VERSION=4.25.0

log() { echo "tools/engine/install.sh: $*" >&2; }

# Prints a key of what a build depends on besides its version: the wrapper module's go.sum and the Go version.
build_key() { { go version; cat "$1/go.mod" "$1/go.sum"; cat "$1"/*.go 2>/dev/null || true; } | sha256sum | cut -c1-16; }

# build <name> <version> <wrapper dir> <command that builds into $out> — skipped when the cache entry matches.
build() {
  local name="$1" version="$2" wrapper="$3"; shift 3
  local dir="$cache/$name-v$version" key
  key="$(build_key "$wrapper")"
  if [ -x "$dir/$name" ] && [ "$(cat "$dir/.key" 2>/dev/null)" = "$key" ]; then
    return
  fi
  log "building $name v$version (cold: minutes; go build output follows)"
  local started=$SECONDS tmp="$dir.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  out="$tmp/$name" "$@"
  echo "$key" > "$tmp/.key"
  rm -rf "$dir" && mv "$tmp" "$dir"
  log "built $name v$version in $((SECONDS - started)) s into $dir"
}

build_pulumi() {
  (cd "$here/pulumi" && go build \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$out" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

build_kubernetes() {
  # cmd/pulumi-resource-kubernetes embeds two generated files that the module zip lacks; make them the way its
  # generate.go does (schema.json with `version` set, terraform-mapping.json re-serialized) in a copy of the wrapper.
  local src work
  src="$(cd "$here/kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
  if [ -z "$src" ] || [ ! -d "$src" ]; then
    (cd "$here/kubernetes" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
    src="$(cd "$here/kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
  fi
  work="$(dirname "$out")/src"
  mkdir -p "$work" && cp "$here/kubernetes/go.mod" "$here/kubernetes/go.sum" "$here/kubernetes/main.go" "$work/"
  node -e '
    const fs = require("fs");
    const [src, work, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(`${src}/cmd/pulumi-resource-kubernetes/schema.json`, "utf8"));
    fs.writeFileSync(`${work}/schema-embed.json`, JSON.stringify({ ...schema, version }));
    const mapping = JSON.parse(fs.readFileSync(`${src}/cmd/pulumi-resource-kubernetes/terraform-mapping.json`, "utf8"));
    fs.writeFileSync(`${work}/terraform-mapping-embed.json`, JSON.stringify(mapping));
  ' "$src" "$work" "$KUBERNETES_VERSION"
  (cd "$work" && go build \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_VERSION" \
    -o "$out" .)
  rm -rf "$work"
}

command -v go >/dev/null || { log "needs Go 1.26 on PATH (go.dev/dl, or the machine's package manager)"; exit 1; }
command -v node >/dev/null || { log "needs node on PATH: export PATH=\$(tools/node/install.sh):\$PATH"; exit 1; }
[ -f "$root/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js" ] || { log "run npm ci first (needs node_modules/@pulumi/pulumi)"; exit 1; }

# One build at a time: two concurrent links of these binaries need several GiB of memory.
build pulumi "$PULUMI_VERSION" "$here/pulumi" build_pulumi
build pulumi-resource-kubernetes "$KUBERNETES_VERSION" "$here/kubernetes" build_kubernetes

engine="$root/.engine"
mkdir -p "$engine/bin" "$engine/home" "$engine/policy-pack"
ln -sfn "$cache/pulumi-v$PULUMI_VERSION/pulumi" "$engine/bin/pulumi"
# On PATH the CLI takes the provider for any version the SDK asks for (with a warning naming it), so the npm SDK's
# 4.34.2 requests run this 4.25.0 build; under PULUMI_HOME it is registered under the version it really is.
ln -sfn "$cache/pulumi-resource-kubernetes-v$KUBERNETES_VERSION/pulumi-resource-kubernetes" "$engine/bin/pulumi-resource-kubernetes"

cat > "$engine/env.sh" <<EOF
# Generated by tools/engine/install.sh: the engine tools built from Go modules, and nothing from the network.
export PATH="$engine/bin:\$PATH"
export PULUMI_HOME="$engine/home"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
# The Node.js language host is not served by the Go module proxy: run programs through the Automation API's
# inline language server, and the policy pack through this executable analyzer (pulumi preview --policy-pack "\$WEBSTACK_POLICY_PACK").
export WEBSTACK_POLICY_PACK="$engine/policy-pack/webstack"
EOF

# The CLI starts a Node.js policy pack directory through the Node.js language host, which cannot be built here.
# It also accepts an executable as --policy-pack and starts it with the engine's address; this one runs
# policy/ with @pulumi/pulumi's own run-policy-pack, as the language host would (cwd = the pack, for its package.json).
cat > "$engine/policy-pack/webstack" <<EOF
#!/bin/sh
# Generated by tools/engine/install.sh: runs $root/policy as a policy pack (arguments: the engine address, then flags).
cd "$root/policy" && exec node "$root/node_modules/@pulumi/pulumi/cmd/run-policy-pack" "\$@" .
EOF
chmod +x "$engine/policy-pack/webstack"

# shellcheck source=/dev/null
. "$engine/env.sh"
if ! pulumi plugin ls --json 2>/dev/null | grep -q "\"version\": \"$KUBERNETES_VERSION\""; then
  pulumi plugin install resource kubernetes "$KUBERNETES_VERSION" \
    --file "$cache/pulumi-resource-kubernetes-v$KUBERNETES_VERSION/pulumi-resource-kubernetes" >&2
fi
log "$(pulumi version) with kubernetes provider $KUBERNETES_VERSION; source $engine/env.sh"
