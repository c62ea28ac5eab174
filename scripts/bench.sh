#!/usr/bin/env bash
# Benchmark: seed N filings (default 100000 and 1000000) into an embedded
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
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100000 1000000)

apt_install wrk curl python3 brotli
setup_rust
setup_node
say "building the release site"
release_build >/dev/null
BIN="$CARGO_TARGET_DIR/release/beian"

# wrk script: each request takes the next path from a file of paths.
LUA="$CACHE/bench/paths.lua"
mkdir -p "$CACHE/bench"
write_paths_lua "$LUA"

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
  serve_bench_db "$DIR" "$DIR/server.log"
  LOADED=$(grep 'public index loaded' "$DIR/server.log" | tail -1 | sed 's/.*public index loaded/loaded/')
  say "index: ${LOADED:-not loaded}"

  # Real domains and names from the data, through the API itself: up to 100
  # pages of 50 for each province's name, so that every request of a run
  # asks for a different record (no cache of a few hot answers helps).
  python3 - "$BASE" "$DIR" "${BENCH_PATHS:-20000}" <<'PY'
import json, sys, urllib.parse, urllib.request
base, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
cities = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
          "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
          "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"]
quote = urllib.parse.quote
items, seen = [], set()
for page in range(1, 101):
    for city in cities:
        if len(items) >= want:
            break
        try:
            with urllib.request.urlopen(f"{base}/api/v1/records?q={quote(city)}&size=50&page={page}") as r:
                for i in json.load(r)["items"]:
                    if i["domain"] not in seen:
                        seen.add(i["domain"])
                        items.append(i)
        except urllib.error.HTTPError:
            pass
print(f"{len(items)} distinct records to ask for")
with open(f"{out}/json.txt", "w") as f:
    f.writelines(f"/api/v1/records?q={quote(i['domain'])}\n" for i in items)
with open(f"{out}/page.txt", "w") as f:
    f.writelines(f"/query?q={quote(i['domain'])}\n" for i in items)
# A name fragment of 4 characters from the middle of each name.
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
  RSS=$(awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$PID/status")
  PEAK=$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$PID/status")
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  trap - EXIT

  python3 - "$N" "$STATIC" "$JSON" "$PAGE" "$NAME" "$(cat "$DIR/seed.txt" 2>/dev/null | tail -1)" "$RSS" "$PEAK" <<'PY'
import sys
n, static, js, page, name, seeded, rss, peak = sys.argv[1], *[a.split() for a in sys.argv[2:6]], sys.argv[6], sys.argv[7], sys.argv[8]
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
print(f"server memory after the runs: RSS {rss}, peak {peak}")
PY
done
