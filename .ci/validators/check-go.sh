#!/usr/bin/env bash
# Generated Go (stdlib net/http client): go vet, go build and gofmt -l, offline
# (GOPROXY=off, GOTOOLCHAIN=local; build caches in TOOLS_DIR).
# Usage: check-go.sh FILE.go|DIR ...
#   FILE.go: checked alone (package command-line-arguments).
#   DIR: with a go.mod, ./... inside it; without one, its non-test .go files as one package.
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || usage "FILE.go|DIR ..."
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOCACHE=$GO_CACHE_DIR GOPATH=$GO_PATH_DIR
gofmt_clean() {  # prints the diff of files that are not gofmt-clean, exit 1 if any
  local bad; bad=$(gofmt -l "$@") || return 2
  [ -z "$bad" ] || { echo "not gofmt-clean:"; gofmt -d $bad | head -30; return 1; }
}
for a in "$@"; do
  mkdir -p "$WORK/bin"
  if [ -f "$a" ]; then
    try "go vet" go vet "$a"
    try "go build" go build -o "$WORK/bin/" "$a"
    try gofmt gofmt_clean "$a"
  elif [ -f "$a/go.mod" ]; then
    try "go vet" bash -c 'cd "$1" && go vet ./...' _ "$a"
    try "go build" bash -c 'cd "$1" && go build -o "$2/" ./...' _ "$a" "$WORK/bin"
    try gofmt gofmt_clean "$a"
  elif [ -d "$a" ]; then
    files=(); for f in "$a"/*.go; do [[ $f == *_test.go || ! -f $f ]] || files+=("$f"); done
    if [ ${#files[@]} -eq 0 ]; then note "no .go files"; else
      try "go vet" go vet "${files[@]}"
      try "go build" go build -o "$WORK/bin/" "${files[@]}"
      try gofmt gofmt_clean "${files[@]}"
    fi
  else
    note "no such file or directory"
  fi
  verdict "$a"
done
finish
