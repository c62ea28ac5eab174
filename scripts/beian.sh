#!/usr/bin/env bash
# Beian's two commands on a fresh Debian machine:
#   scripts/beian.sh serve   set up what is missing, build (release) and serve on 127.0.0.1:3000
#   scripts/beian.sh test    set up what is missing (plus Chromium) and run every test
# and the benchmark:
#   scripts/beian.sh bench [N…]   seed N filings and load the server (see docs/performance.md)
#   scripts/beian.sh bench-writes [N]   64 registrants saving wizard steps at once
#   scripts/beian.sh bench-import [N]   批量导入 of N filings (default 10 000)
#   scripts/beian.sh bench-detect [SIZE_MB] [FILINGS]   未备案检测: a 1 GB access log, 100 000 domains matched
#   scripts/beian.sh profile [N]  where the public lookup's CPU goes (perf, after bench N)
# and several app servers on one SurrealDB server (docs/deployment.md):
#   scripts/beian.sh surreal-server    build SurrealDB's own server (tools/surreal-server) and run it
#   scripts/beian.sh cluster [MODE]    two Beian servers on it: the checks and fault tests (check|kill|restart-db|numbers|all)
#   scripts/beian.sh cluster load [N]  the public query at 64 and 256 connections, one server vs two
# and what a phone downloads per page, with Lighthouse's scores:
#   scripts/beian.sh weight       (see docs/performance.md)
# and the long fuzz of every validation rule:
#   scripts/beian.sh fuzz [N]     N arbitrary inputs (default 1 000 000) through every rule; prints the count
# Both are idempotent: what is already installed is left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

cmd_serve() {
  # fonts-wqy-microhei: the Chinese font embedded (as a subset) in certificates.
  apt_install curl ca-certificates brotli fonts-wqy-microhei
  setup_rust
  setup_node
  release_build
  say "serving on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (database: ${BEIAN_DB:-surrealkv://data/beian.db})"
  say "demo data and the development switch are on: codes are shown on screen, the demo staff passwords are printed below"
  export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
  export BEIAN_DEV="${BEIAN_DEV:-true}"
  exec "$CARGO_TARGET_DIR/release/beian" serve --demo
}

cmd_test() {
  # python3: free ports, and reading the .xlsx files the import tests download.
  apt_install curl ca-certificates chromium fonts-wqy-microhei python3
  setup_rust
  setup_node
  say "unit, property, store and HTTP tests (mem://) and the kill -9 test"
  # The same compiler settings as the site's debug build (site_build), so
  # the tests and the site share one set of compiled dependencies.
  RUST_MIN_STACK=16777216 LEPTOS_OUTPUT_NAME=beian RUSTFLAGS="--cfg erase_components" cargo test --package=app --package=server --features app/ssr
  say "building the site (debug) for the end-to-end tests"
  site_build debug
  local port pid log
  port="$(free_port)"
  log="$CACHE/e2e-server.log"
  say "starting the server on 127.0.0.1:$port with an in-memory database and demo data"
  # E-mails go to a folder the tests read (the 备案密码 reaches the 主体负责人 only there).
  local mail="$CACHE/e2e-mail"
  rm -rf "$mail"
  export BEIAN_E2E_MAIL_DIR="$mail"
  # The binary, for the sample 批量导入 files the tests upload (beian import-sample).
  export BEIAN_E2E_BIN="$CARGO_TARGET_DIR/debug/beian"
  BEIAN_MAIL_DIR="$mail" BEIAN_DB=mem:// BEIAN_DEV=true BEIAN_DEMO_RECORDS=300 BEIAN_PUBLIC_RATE_LIMIT=0 BEIAN_CAPTCHA=off BEIAN_RATE_LIMITS=off \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT/target/site" \
    "$CARGO_TARGET_DIR/debug/beian" serve --demo >"$log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  if ! wait_for "http://127.0.0.1:$port/healthz" "$pid"; then cat "$log" >&2; exit 1; fi
  # The demo staff passwords are random and printed once: hand them to the tests.
  BEIAN_E2E_CLERK_PASSWORD="$(demo_password jieru "$log")"
  BEIAN_E2E_BUREAU_PASSWORD="$(demo_password guanju "$log")"
  BEIAN_E2E_ADMIN_PASSWORD="$(demo_password guanli "$log")"
  export BEIAN_E2E_CLERK_PASSWORD BEIAN_E2E_BUREAU_PASSWORD BEIAN_E2E_ADMIN_PASSWORD
  say "end-to-end tests in Chromium: desktop and phone, with and without JavaScript"
  local status=0
  (cd end2end && BEIAN_E2E_URL="http://127.0.0.1:$port" npx playwright test) || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  trap - EXIT
  if [ "$status" -ne 0 ]; then
    echo "end-to-end tests failed; server log: $log" >&2
    exit "$status"
  fi
  say "all tests passed"
}

# The password printed for a demo staff account in a server log.
demo_password() {
  sed -n "s/^demo staff account $1 ([^)]*): password \(.*\)$/\1/p" "$2" | tail -n 1
}

cmd_fuzz() {
  setup_rust
  local n="${1:-1000000}"
  say "fuzz: $n inputs through every validation rule (debug build, shared with the tests)"
  BEIAN_FUZZ_COUNT="$n" RUST_MIN_STACK=16777216 LEPTOS_OUTPUT_NAME=beian RUSTFLAGS="--cfg erase_components" \
    cargo test -p app --features ssr --test properties -- --ignored --nocapture fuzz_every_rule
}

# SurrealDB's server on this machine: storage SURREAL_PATH (default
# data/surreal, SurrealKV), SURREAL_BIND (default 127.0.0.1:8000); the root
# user's name and password must be given (SURREAL_USER, SURREAL_PASS).
cmd_surreal_server() {
  apt_install curl ca-certificates
  local bin
  bin="$(surreal_build)"
  if [ -z "${SURREAL_USER:-}" ] || [ -z "${SURREAL_PASS:-}" ]; then
    echo "built $bin; to run it, set SURREAL_USER and SURREAL_PASS (the root user Beian signs in as: BEIAN_DB_USER, BEIAN_DB_PASS)" >&2
    exit 2
  fi
  export SURREAL_ONLINE_VERSION_CHECK="${SURREAL_ONLINE_VERSION_CHECK:-false}"
  say "SurrealDB on ${SURREAL_BIND:-127.0.0.1:8000}, data in ${SURREAL_PATH:-data/surreal}; Beian: BEIAN_DB=ws://${SURREAL_BIND:-127.0.0.1:8000}"
  exec "$bin" start --bind "${SURREAL_BIND:-127.0.0.1:8000}" "surrealkv://${SURREAL_PATH:-$ROOT/data/surreal}"
}

case "${1:-}" in
  serve) cmd_serve ;;
  test) cmd_test ;;
  bench) shift; exec bash "$ROOT/scripts/bench.sh" "$@" ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  weight) shift; exec bash "$ROOT/scripts/weight.sh" "$@" ;;
  bench-writes) shift; exec bash "$ROOT/scripts/bench-writes.sh" "$@" ;;
  bench-import) shift; exec bash "$ROOT/scripts/bench-import.sh" "$@" ;;
  bench-detect) shift; exec bash "$ROOT/scripts/bench-detect.sh" "$@" ;;
  profile) shift; exec bash "$ROOT/scripts/profile.sh" "$@" ;;
  surreal-server) cmd_surreal_server ;;
  cluster) shift; exec bash "$ROOT/scripts/cluster.sh" "$@" ;;
  *)
    echo "usage: $0 serve | test | bench [N…] | bench-writes [N] | bench-import [N] | bench-detect [MB] [N] | profile [N] | weight | fuzz [N] | surreal-server | cluster [MODE]" >&2
    exit 2
    ;;
esac
