#!/usr/bin/env bash
# Writes benchmark: 64 registrants save wizard steps at once through the real
# server functions, on an embedded database seeded with N filings (default
# 10 000; the seeded copy is kept in the cache folder and the drafts of a run
# are thrown away with a fresh copy). Prints saves/s, p50, p99 and the
# server's memory.
#   scripts/beian.sh bench-writes [N]   (BENCH_WRITERS=64, BENCH_SECONDS=20)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib.sh"

N="${1:-10000}"
WRITERS="${BENCH_WRITERS:-64}"
apt_install curl python3 brotli
setup_rust
setup_node
say "building the release site"
release_build >/dev/null
BIN="$CARGO_TARGET_DIR/release/beian"

SEEDED="$CACHE/bench/writes-$N"
if [ "$(cat "$SEEDED/.seeded" 2>/dev/null)" != "$N" ]; then
  rm -rf "$SEEDED"
  mkdir -p "$SEEDED"
  say "seeding $N filings into $SEEDED"
  BEIAN_DB="surrealkv://$SEEDED/db" BEIAN_DEMO_DATA=false "$BIN" seed --records "$N" | tail -1
  echo "$N" >"$SEEDED/.seeded"
fi
RUN="$CACHE/bench/writes-run"
rm -rf "$RUN"
cp -a "$SEEDED" "$RUN"
export BEIAN_DB="surrealkv://$RUN/db" BEIAN_DEMO_DATA=false
PASSWORD="Bench-$(date +%s)-pass"
say "creating $WRITERS registrant accounts"
for i in $(seq 1 "$WRITERS"); do
  u=$(printf 'w%03d' "$i")
  BEIAN_USER_PASSWORD="$PASSWORD" "$BIN" user create --role registrant --username "$u" \
    --contact-name "压测$i" --email "$u@example.com" --mobile "1380000$(printf '%04d' "$i")" >/dev/null
done

PORT="$(free_port)"
BEIAN_DEV=true BEIAN_RATE_LIMITS=off BEIAN_CAPTCHA=off BEIAN_PUBLIC_RATE_LIMIT=0 BEIAN_LOG=warn \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" \
  "$BIN" serve >"$RUN/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$PORT/healthz" "$PID" 600

say "N = $N filings: $WRITERS registrants saving step ① of their filings"
(cd end2end && BEIAN_URL="http://127.0.0.1:$PORT" BEIAN_WRITERS="$WRITERS" BEIAN_SECONDS="${BENCH_SECONDS:-20}" \
  BEIAN_PASSWORD="$PASSWORD" node perf/writes.mjs)
awk '/VmRSS/ { r = $2 } /VmHWM/ { h = $2 } END { printf "server memory: RSS %.0f MB, peak %.0f MB\n", r / 1024, h / 1024 }' "/proc/$PID/status"
