#!/usr/bin/env bash
# Where the public lookup's time goes: serves the benchmark's database of N
# filings (default 100 000; run `scripts/beian.sh bench N` first, it seeds it
# and writes the lists of domains), loads the JSON lookup and the query page
# with wrk at 64 connections, samples the server with perf (no call graphs:
# a flat profile, cheap enough not to change the figures) and prints the
# share of CPU by part: allocator, kernel, HTTP and routing, Leptos
# rendering, the lookup itself, JSON, the runtime.
#   scripts/beian.sh profile [N]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

N="${1:-100000}"
DIR="$CACHE/bench/db-$N"
if [ ! -f "$DIR/json.txt" ]; then
  echo "no benchmark database for N = $N: run scripts/beian.sh bench $N first" >&2
  exit 1
fi
apt_install wrk linux-perf python3
BIN="$CARGO_TARGET_DIR/release/beian"
PORT="$(free_port)"
BEIAN_DB="surrealkv://$DIR/db" BEIAN_DEMO_DATA=false BEIAN_PUBLIC_RATE_LIMIT=0 \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" BEIAN_LOG="warn,app::ssr::read_model=info" \
  "$BIN" serve >"$DIR/profile-server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$PORT/healthz" "$PID" 3600
for _ in $(seq 1 3600); do
  grep -q "public index loaded" "$DIR/profile-server.log" && break
  sleep 1
done
LUA="$CACHE/bench/paths.lua"
for route in json page; do
  wrk -t2 -c64 -d14s -s "$LUA" "http://127.0.0.1:$PORT" -- "$DIR/$route.txt" >"$DIR/profile-wrk-$route.txt" 2>&1 &
  WRK=$!
  sleep 3
  perf record -F 1999 -p "$PID" -o "$DIR/profile-$route.data" -- sleep 8 >/dev/null 2>&1
  wait "$WRK"
  say "$route: $(awk '/Requests\/sec/ { print $2 " req/s" }' "$DIR/profile-wrk-$route.txt") under perf; CPU by part:"
  python3 "$ROOT/scripts/perf_breakdown.py" "$DIR/profile-$route.data"
done
