#!/usr/bin/env bash
# Builds tools/helm-render (renders charts/vigil as `helm template` would; there is no helm binary
# here) into .vigil/bin/helm-render. Installs Debian's Go toolchain and sprig when missing. Safe to
# run again: rebuilds only when the binary is missing or older than its source.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.vigil/bin/helm-render
src=tools/helm-render
if [ -x "$out" ] && [ -z "$(find "$src" -name '*.go' -newer "$out")" ]; then
  exit 0
fi

gocode=/usr/share/gocode/src
if ! command -v go >/dev/null || [ ! -d "$gocode/github.com/Masterminds/sprig" ] || [ ! -d "$gocode/gopkg.in/yaml.v2" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev >/dev/null
fi

mkdir -p .vigil/bin .vigil/go-cache
# GOPATH mode: the dependencies are Debian's sources under /usr/share/gocode; no module download.
GO111MODULE=off GOPATH=/usr/share/gocode:"$PWD/.vigil/gopath" GOCACHE="${GOCACHE:-$PWD/.vigil/go-cache}" GOFLAGS= \
  go build -o "$out.tmp" "./$src"
mv "$out.tmp" "$out"
echo "built $out"
