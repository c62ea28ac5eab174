#!/usr/bin/env bash
# The public query against Beian servers on one SurrealDB server: the JSON
# lookup and the query page at 64 and 256 connections, one server vs two
# (the connections split between them, as a load balancer would), with the
# CPU each process used per 1 000 answers. Called by scripts/cluster.sh
# (BEIAN_BIN, SURREAL_BIN, CLUSTER_DIR set).  N filings (default 20 000) are
# seeded into the SurrealDB server once and kept in $CACHE/cluster/load-N.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
N="${1:-20000}"
SECS="${BENCH_SECONDS:-15}"
DATA="$CACHE/cluster/load-$N"
PASS_FILE="$DATA/.root-pass"
mkdir -p "$DATA"
[ -f "$PASS_FILE" ] || head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PASS_FILE"
ROOT_PASS="$(cat "$PASS_FILE")"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

DBPORT="$(free_port)"
SURREAL_USER=root SURREAL_PASS="$ROOT_PASS" SURREAL_NO_BANNER=true SURREAL_ONLINE_VERSION_CHECK=false SURREAL_LOG=warn \
  "$SURREAL_BIN" start --bind "127.0.0.1:$DBPORT" "surrealkv://$DATA/db" >"$CLUSTER_DIR/surreal.log" 2>&1 &
DBPID=$!
PIDS+=("$DBPID")
wait_for "http://127.0.0.1:$DBPORT/health" "$DBPID" 60
export BEIAN_DB="ws://127.0.0.1:$DBPORT" BEIAN_DB_USER=root BEIAN_DB_PASS="$ROOT_PASS" BEIAN_DEMO_DATA=false
if [ "$(cat "$DATA/.seeded" 2>/dev/null)" != "$N" ]; then
  say "seeding $N filings into the SurrealDB server (over ws://)"
  "$BEIAN_BIN" seed --records "$N" | tee "$DATA/seed.txt"
  echo "$N" >"$DATA/.seeded"
fi

start_beian() { # name -> sets PORT_<name>, PID_<name>
  local name="$1" port
  port="$(free_port)"
  BEIAN_PUBLIC_RATE_LIMIT=0 BEIAN_LOG="warn,app::ssr::read_model=info" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    "$BEIAN_BIN" serve >"$CLUSTER_DIR/beian-$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_for "http://127.0.0.1:$port/healthz" "$pid" 600
  for _ in $(seq 1 600); do grep -q "public index loaded" "$CLUSTER_DIR/beian-$name.log" && break; sleep 1; done
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}
start_beian a
start_beian b
say "Beian A :$PORT_a, B :$PORT_b on SurrealDB :$DBPORT ($N filings)"

python3 - "http://127.0.0.1:$PORT_a" "$CLUSTER_DIR" <<'PY'
import json, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
quote = urllib.parse.quote
items, seen = [], set()
for city in ["北京", "上海", "广东", "浙江", "江苏", "四川", "山东", "湖北"]:
    for page in range(1, 21):
        with urllib.request.urlopen(f"{base}/api/v1/records?q={quote(city)}&size=50&page={page}") as r:
            for i in json.load(r)["items"]:
                if i["domain"] not in seen:
                    seen.add(i["domain"]); items.append(i)
print(f"{len(items)} distinct records to ask for")
open(f"{out}/json.txt", "w").writelines(f"/api/v1/records?q={quote(i['domain'])}\n" for i in items)
open(f"{out}/page.txt", "w").writelines(f"/query?q={quote(i['domain'])}\n" for i in items)
PY
LUA="$CLUSTER_DIR/paths.lua"
write_paths_lua "$LUA"

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user+system, clock ticks
TICK=$(getconf CLK_TCK)
one_run() { # conns paths port -> "rps p50 p99 non2xx"
  wrk -t2 -c"$1" -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$3" -- "$2" 2>&1 | awk '
    /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }'
}
RESULTS="$CLUSTER_DIR/results.txt"
: >"$RESULTS"
for route in json page; do
  wrk -t2 -c64 -d3s -s "$LUA" "http://127.0.0.1:$PORT_a" -- "$CLUSTER_DIR/$route.txt" >/dev/null 2>&1 || true
  wrk -t2 -c64 -d3s -s "$LUA" "http://127.0.0.1:$PORT_b" -- "$CLUSTER_DIR/$route.txt" >/dev/null 2>&1 || true
  for conns in 64 256; do
    c0=$(cpu "$PID_a"); d0=$(cpu "$DBPID")
    one=$(one_run "$conns" "$CLUSTER_DIR/$route.txt" "$PORT_a")
    c1=$(cpu "$PID_a"); d1=$(cpu "$DBPID")
    echo "$route $conns one $one $((c1 - c0)) 0 $((d1 - d0))" >>"$RESULTS"
    c0=$(cpu "$PID_a"); e0=$(cpu "$PID_b"); d0=$(cpu "$DBPID")
    one_run $((conns / 2)) "$CLUSTER_DIR/$route.txt" "$PORT_a" >"$CLUSTER_DIR/two-a.txt" &
    w=$!
    one_run $((conns / 2)) "$CLUSTER_DIR/$route.txt" "$PORT_b" >"$CLUSTER_DIR/two-b.txt"
    wait "$w"
    c1=$(cpu "$PID_a"); e1=$(cpu "$PID_b"); d1=$(cpu "$DBPID")
    echo "$route $conns two $(cat "$CLUSTER_DIR/two-a.txt") $(cat "$CLUSTER_DIR/two-b.txt") $((c1 - c0)) $((e1 - e0)) $((d1 - d0))" >>"$RESULTS"
  done
done
python3 - "$RESULTS" "$SECS" "$TICK" "$N" <<'PY'
import sys
rows, secs, tick, n = open(sys.argv[1]).read().split("\n"), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def ms(v):
    for suf, k in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(suf): return float(v[: -len(suf)]) * k
    return float(v)
print(f"\nN = {int(n):,} filings on the SurrealDB server; {secs:.0f} s a run; all processes on this machine's 2 cores")
print(f"{'route':<8}{'conns':>6}{'servers':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>8}{'app CPU ms/1k':>15}{'db CPU ms/1k':>14}")
for line in filter(None, rows):
    f = line.split()
    route, conns, kind = f[0], f[1], f[2]
    if kind == "one":
        rps, p50, p99, bad = float(f[3]), ms(f[4]), ms(f[5]), int(f[6]); app = int(f[7]); db = int(f[9])
    else:
        a, b = f[3:7], f[7:11]
        rps = float(a[0]) + float(b[0]); p50 = max(ms(a[1]), ms(b[1])); p99 = max(ms(a[2]), ms(b[2])); bad = int(a[3]) + int(b[3])
        app = int(f[11]) + int(f[12]); db = int(f[13])
    total = rps * secs
    print(f"{route:<8}{conns:>6}{('1' if kind == 'one' else '2'):>8}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{bad:>8}{app / tick * 1000 / total * 1000:>15.1f}{db / tick * 1000 / total * 1000:>14.1f}")
print("(two servers: req/s summed, p50/p99 the worse of the two)")
PY
