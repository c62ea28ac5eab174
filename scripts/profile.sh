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
serve_bench_db "$DIR" "$DIR/profile-server.log"
LUA="$CACHE/bench/paths.lua"
for route in json page; do
  wrk -t2 -c64 -d14s -s "$LUA" "$BASE" -- "$DIR/$route.txt" >"$DIR/profile-wrk-$route.txt" 2>&1 &
  WRK=$!
  sleep 3
  perf record -F 1999 -p "$PID" -o "$DIR/profile-$route.data" -- sleep 8 >/dev/null 2>&1
  wait "$WRK"
  say "$route: $(awk '/Requests\/sec/ { print $2 " req/s" }' "$DIR/profile-wrk-$route.txt") under perf; CPU by part:"
  python3 "$ROOT/scripts/perf_breakdown.py" "$DIR/profile-$route.data"
done
