#!/usr/bin/env bash
# Builds the local control plane's binaries from their published Go modules (there is no Docker engine
# and no downloadable cluster here): etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl and kwok, each into ${WEBSTACK_TOOL_CACHE:-$HOME/.cache/webstack-tools}/cluster/<name>-<version>/.
#
# Idempotent: a folder whose stamp matches the wrapper module's go.mod + go.sum is not rebuilt.
# Go's module and build caches live under the same tool cache (cluster/go/), so the cold cost is
# measurable and `go clean -modcache` + `rm -rf` of that folder gives the disk back.
# Prints the tool folder's path on stdout as its last line; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${WEBSTACK_TOOL_CACHE:-$HOME/.cache/webstack-tools}/cluster
mkdir -p "$cache"

command -v go >/dev/null || { echo "cluster build: 'go' is not on PATH; install Go >= 1.26 (https://go.dev/dl/)" >&2; exit 2; }

export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOMODCACHE="${WEBSTACK_CLUSTER_GOMODCACHE:-$cache/go/mod}"
export GOCACHE="${WEBSTACK_CLUSTER_GOCACHE:-$cache/go/build}"

# Versions come from the wrapper modules' go.mod, so bumping a version is a one-line change there.
required_version() { awk -v m="$2" '$1 == "require" && $2 == m { print $3 } $1 == m { print $2 }' "$here/go/$1/go.mod" | head -n 1; }

# build <wrapper module> <folder name> <ldflags> <package>...
build() {
  local module=$1 folder=$2 ldflags=$3; shift 3
  local out="$cache/$folder" stamp
  stamp=$(cat "$here/go/$module/go.mod" "$here/go/$module/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
  if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then
    echo "cluster build: $folder up to date" >&2
    return
  fi
  echo "cluster build: building $folder ($*)" >&2
  local started=$SECONDS tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$here/go/$module" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/" "$@")
  rm -rf "$out" && mv "$tmp" "$out" && echo "$stamp" >"$out/.stamp"
  echo "cluster build: $folder built in $((SECONDS - started)) s" >&2
}

etcd_version=$(required_version etcd go.etcd.io/etcd/server/v3)
kube_version=$(required_version kubernetes k8s.io/kubernetes)
kwok_version=$(required_version kwok sigs.k8s.io/kwok)

build etcd "etcd-$etcd_version" "" .
# The version variables that Kubernetes' own build (hack/lib/version.sh) sets: servers report them and
# the Pulumi kubernetes provider refuses a server that does not say which version it is.
kube_major=${kube_version#v}; kube_major=${kube_major%%.*}
kube_minor=${kube_version#v*.}; kube_minor=${kube_minor%%.*}
kube_ldflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$kube_major -X $pkg.gitMinor=$kube_minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
build kubernetes "kubernetes-$kube_version" "$kube_ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
build kwok "kwok-$kwok_version" "-X sigs.k8s.io/kwok/pkg/consts.Version=$kwok_version -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$kube_version" \
  sigs.k8s.io/kwok/cmd/kwok

cat >"$cache/versions.env" <<EOF
ETCD_BIN=$cache/etcd-$etcd_version/etcd
KUBE_BIN_DIR=$cache/kubernetes-$kube_version
KWOK_BIN=$cache/kwok-$kwok_version/kwok
KUBE_VERSION=$kube_version
EOF
echo "$cache"
