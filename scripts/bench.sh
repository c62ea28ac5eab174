#!/usr/bin/env bash
# Benchmark: seed N filings (default 10000 and 1000000) into an embedded
# database, serve them with a release build, and load the JSON lookup, the
# query page and a static file of the same server with wrk (64 connections,
# all in the same run). Prints req/s, p50, p99 and each route's ratio to the
# static route. Seeded databases are kept in the cache folder for re-runs.
#   scripts/beian.sh bench [N…]      (BENCH_SECONDS=20 by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

SECONDS_PER_ROUTE="${BENCH_SECONDS:-20}"
CONNECTIONS=64
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 1000000)

apt_install wrk curl python3 brotli
setup_rust
setup_node
say "building the release site"
release_build >/dev/null
precompress_site
BIN="$CARGO_TARGET_DIR/release/beian"

# wrk script: each request takes the next path from a file of paths.
LUA="$CACHE/bench/paths.lua"
mkdir -p "$CACHE/bench"
cat >"$LUA" <<'LUA'
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

# "req/s p50 p99" of one wrk run.
load() {
  local url="$1" paths="$2"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_ROUTE}s" --latency -s "$LUA" "$url" -- "$paths" 2>&1 | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }'
}

for N in "${SIZES[@]}"; do
  DIR="$CACHE/bench/db-$N"
  if [ "$(cat "$DIR/.seeded" 2>/dev/null)" != "$N" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    say "seeding $N filings into $DIR"
    BEIAN_DB="surrealkv://$DIR/db" BEIAN_DEMO_DATA=false "$BIN" seed --records "$N" | tee "$DIR/seed.txt"
    echo "$N" >"$DIR/.seeded"
  fi
  PORT="$(free_port)"
  BEIAN_DB="surrealkv://$DIR/db" BEIAN_DEMO_DATA=false BEIAN_PUBLIC_RATE_LIMIT=0 \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" BEIAN_LOG=warn \
    "$BIN" serve >"$DIR/server.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2>/dev/null || true' EXIT
  # A first start on a database seeded by an older schema re-applies it,
  # which rebuilds the indexes: allow for it.
  STARTED=$(date +%s)
  wait_for "http://127.0.0.1:$PORT/healthz" "$PID" 3600
  say "the server answered after $(( $(date +%s) - STARTED )) s"
  BASE="http://127.0.0.1:$PORT"

  # 500 real domains and names from the data, through the API itself.
  python3 - "$BASE" "$DIR" <<'PY'
import json, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
items = []
for page in range(1, 11):
    q = urllib.parse.quote("有限公司")
    with urllib.request.urlopen(f"{base}/api/v1/records?q={q}&size=50&page={page}") as r:
        items += json.load(r)["items"]
quote = urllib.parse.quote
with open(f"{out}/json.txt", "w") as f:
    f.writelines(f"/api/v1/records?q={quote(i['domain'])}\n" for i in items)
with open(f"{out}/page.txt", "w") as f:
    f.writelines(f"/query?q={quote(i['domain'])}\n" for i in items)
with open(f"{out}/name.txt", "w") as f:
    f.writelines(f"/api/v1/records?q={quote(i['unitName'][2:6])}\n" for i in items)
with open(f"{out}/static.txt", "w") as f:
    f.write("/favicon.svg\n")
PY

  say "N = $N: ${SECONDS_PER_ROUTE}s per route, $CONNECTIONS connections (after a 5 s warm-up)"
  wrk -t2 -c"$CONNECTIONS" -d5s -s "$LUA" "$BASE" -- "$DIR/json.txt" >/dev/null 2>&1 || true
  STATIC=$(load "$BASE" "$DIR/static.txt")
  JSON=$(load "$BASE" "$DIR/json.txt")
  PAGE=$(load "$BASE" "$DIR/page.txt")
  NAME=$(load "$BASE" "$DIR/name.txt")
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  trap - EXIT

  python3 - "$N" "$STATIC" "$JSON" "$PAGE" "$NAME" "$(cat "$DIR/seed.txt" 2>/dev/null | tail -1)" <<'PY'
import sys
n, static, js, page, name, seeded = sys.argv[1], *[a.split() for a in sys.argv[2:6]], sys.argv[6]
def ms(v):
    if v.endswith("us"): return float(v[:-2]) / 1000
    if v.endswith("ms"): return float(v[:-2])
    if v.endswith("s"): return float(v[:-1]) * 1000
    return float(v)
rows = [("static /favicon.svg", static), ("JSON lookup by domain", js), ("query page by domain", page), ("JSON lookup by name", name)]
base = float(static[0])
print(f"\nN = {int(n):,} filings   ({seeded})")
print(f"{'route':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}{'vs static':>11}")
for label, (rps, p50, p99, bad) in rows:
    print(f"{label:<24}{float(rps):>10.0f}{ms(p50):>10.2f}{ms(p99):>10.2f}{int(bad):>9}{float(rps) / base:>10.1%}")
PY
done
